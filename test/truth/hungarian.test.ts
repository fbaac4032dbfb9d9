/**
 * assignMax against brute force over every one-to-one assignment on many seeded random matrices
 * (square and rectangular both ways, with and without ties), hand-worked cases, and bad input.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Rng } from '../../src/runtime/random';
import { assignMax, assignedTotal } from '../../src/truth/hungarian';

/** The best total over all one-to-one assignments of min(rows, cols) rows to distinct columns, by recursion. */
function bruteBest(score: ArrayLike<number>, rows: number, cols: number): number {
  const usedCols = new Array<boolean>(cols).fill(false);
  const pairs = Math.min(rows, cols);
  // row i either takes a free column or (while enough rows remain for the pairs still to make) none
  const go = (i: number, made: number): number => {
    if (made === pairs) return 0;
    if (rows - i < pairs - made) return -Infinity;
    let best = go(i + 1, made);
    for (let j = 0; j < cols; j++) {
      if (usedCols[j]) continue;
      usedCols[j] = true;
      best = Math.max(best, score[i * cols + j] + go(i + 1, made + 1));
      usedCols[j] = false;
    }
    return best;
  };
  return go(0, 0);
}

/** Asserts `a` is a valid assignment: one column per assigned row, min(rows, cols) of them, no column twice. */
function assertValid(a: Int32Array, rows: number, cols: number, label: string): void {
  assert.equal(a.length, rows, label);
  const seen = new Set<number>();
  for (const j of a) {
    if (j === -1) continue;
    assert.ok(j >= 0 && j < cols, `${label}: column ${j}`);
    assert.ok(!seen.has(j), `${label}: column ${j} used twice`);
    seen.add(j);
  }
  assert.equal(seen.size, Math.min(rows, cols), `${label}: assigned rows`);
}

test('assignMax reaches the brute-force best total on 600 random matrices up to 6 x 6, both shapes', () => {
  const rng = new Rng(2024);
  for (let trial = 0; trial < 600; trial++) {
    const rows = 1 + rng.int(6);
    const cols = 1 + rng.int(6);
    // a third of the trials draw small integers, so that ties are common; some scores are negative
    const ties = trial % 3 === 0;
    const score = Float64Array.from({ length: rows * cols }, () => (ties ? rng.int(3) : rng.uniform(-1, 2)));
    const a = assignMax(score, rows, cols);
    const label = `trial ${trial} (${rows} x ${cols})`;
    assertValid(a, rows, cols, label);
    const best = bruteBest(score, rows, cols);
    assert.ok(Math.abs(assignedTotal(score, cols, a) - best) < 1e-9, `${label}: ${assignedTotal(score, cols, a)} vs ${best}`);
  }
});

test('assignMax on hand cases: the greedy choice loses, a 1 x 3 and a 3 x 1, the identity', () => {
  // greedy takes 10 (row 0 -> col 0) and is left with 1: total 11; the best is 9 + 8 = 17
  assert.deepEqual(Array.from(assignMax([10, 9, 8, 1], 2, 2)), [1, 0]);
  assert.deepEqual(Array.from(assignMax([0.2, 0.9, 0.5], 1, 3)), [1]);
  assert.deepEqual(Array.from(assignMax([0.2, 0.9, 0.5], 3, 1)), [-1, 0, -1]);
  const eye = Float64Array.from({ length: 16 }, (_, k) => (k % 5 === 0 ? 1 : 0));
  assert.deepEqual(Array.from(assignMax(eye, 4, 4)), [0, 1, 2, 3]);
  // rows > cols: rows 1 and 2 hold the two large scores; row 0 and row 3 are left out
  const tall = [1, 1, 5, 0, 0, 6, 1, 1];
  assert.deepEqual(Array.from(assignMax(tall, 4, 2)), [-1, 0, 1, -1]);
  // negative scores: the diagonal totals -1 + -1 = -2, the other pairing -4 + -3 = -7
  assert.deepEqual(Array.from(assignMax([-1, -4, -3, -1], 2, 2)), [0, 1]);
});

test('assignMax with all scores equal assigns every row of the smaller side once', () => {
  for (const [rows, cols] of [[3, 3], [2, 5], [5, 2]]) {
    const a = assignMax(new Float64Array(rows * cols).fill(0.5), rows, cols);
    assertValid(a, rows, cols, `${rows} x ${cols}`);
  }
});

test('assignMax on an empty side returns no assignment', () => {
  assert.deepEqual(Array.from(assignMax([], 0, 4)), []);
  assert.deepEqual(Array.from(assignMax([], 3, 0)), [-1, -1, -1]);
});

test('assignMax on a 60 x 90 matrix with a planted best assignment finds it', () => {
  // a permutation's entries score 1, every other entry at most 0.5: the permutation is the unique best
  const rng = new Rng(7);
  const rows = 60;
  const cols = 90;
  const p = rng.permutation(cols);
  const score = Float64Array.from({ length: rows * cols }, () => rng.uniform(0, 0.5));
  for (let i = 0; i < rows; i++) score[i * cols + p[i]] = 1;
  assert.deepEqual(Array.from(assignMax(score, rows, cols)), Array.from(p.slice(0, rows)));
  const transposed = Float64Array.from({ length: rows * cols }, (_, k) => score[(k % rows) * cols + Math.floor(k / rows)]);
  const back = assignMax(transposed, cols, rows);
  for (let i = 0; i < rows; i++) assert.equal(back[p[i]], i);
});

test('assignMax names the bad value: NaN, Infinity, wrong length, bad sizes', () => {
  assert.throws(() => assignMax([1, NaN, 0, 2], 2, 2),
    { message: 'assignMax: score[1] = NaN (row 0, col 1) is invalid: expected a finite number' });
  assert.throws(() => assignMax([1, 0, 0, 2, 3, -Infinity], 2, 3),
    { message: 'assignMax: score[5] = -Infinity (row 1, col 2) is invalid: expected a finite number' });
  assert.throws(() => assignMax([1, 2, 3], 2, 2),
    { message: 'assignMax: the score matrix holds 3 values, but rows x cols = 2 x 2 = 4' });
  assert.throws(() => assignMax([1, 2], 1.5, 2), { message: 'assignMax: rows = 1.5 is invalid: expected an integer >= 0' });
  assert.throws(() => assignMax([1, 2], 2, -1), { message: 'assignMax: cols = -1 is invalid: expected an integer >= 0' });
});
