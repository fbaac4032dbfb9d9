/**
 * The exercises' checks (sweep, matchSparsity, selectivity, keepTopK, omp): pass on the kit's
 * versions and learner-style ones, fail on the usual mistakes with the case and the mistake named.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { check, leastSquares, matchSparsity, weightSweep } from '../../src/check';
import type { OmpCode, SparsityMatch, SweepRow } from '../../src/check';
import type { SparseAutoencoder } from '../../src/core/sae';
import { selectivity } from '../../src/exercises/selectivity';
import { keepTopK } from '../../src/exercises/sparsecode';
import { omp } from '../../src/exercises/omp';
import { setup } from '../helpers';
import { assertFailed, assertPassed, capture, captureAsync } from './capture';

type Train = (weight: number) => Promise<SparseAutoencoder>;
type Measure<T> = (model: SparseAutoencoder) => T;

test('check.sweep passes the kit\'s weightSweep and a learner-style loop', async () => {
  await setup();
  const before = tf.memory().numTensors;
  assertPassed(await captureAsync((o) => check.sweep(weightSweep, o)), 'sweep');
  // Another learner style than the notebook's for...of loop: a promise chain, still one model at a time.
  const mine = <T>(weights: readonly number[], trainAt: Train, measure: Measure<T>): Promise<SweepRow<T>[]> =>
    weights.reduce(async (done: Promise<SweepRow<T>[]>, weight) => {
      const rows = await done;
      const model = await trainAt(weight);
      const result = measure(model);
      model.dispose();
      return [...rows, { weight, result }];
    }, Promise.resolve([]));
  assertPassed(await captureAsync((o) => check.sweep(mine, o)), 'sweep');
  assert.equal(tf.memory().numTensors, before);
});

test('check.sweep names the usual mistakes and frees every model', async () => {
  await setup();
  async function noAwait<T>(weights: readonly number[], trainAt: Train, measure: Measure<T>): Promise<SweepRow<T>[]> {
    return weights.map((weight) => {
      const model = trainAt(weight) as unknown as SparseAutoencoder;
      return { weight, result: measure(model) };
    });
  }
  async function noDispose<T>(weights: readonly number[], trainAt: Train, measure: Measure<T>): Promise<SweepRow<T>[]> {
    const rows: SweepRow<T>[] = [];
    for (const weight of weights) rows.push({ weight, result: measure(await trainAt(weight)) });
    return rows;
  }
  async function parallel<T>(weights: readonly number[], trainAt: Train, measure: Measure<T>): Promise<SweepRow<T>[]> {
    const models = await Promise.all(weights.map(trainAt));
    return models.map((model, i) => {
      const result = measure(model);
      model.dispose();
      return { weight: weights[i], result };
    });
  }
  async function disposeFirst<T>(weights: readonly number[], trainAt: Train, measure: Measure<T>): Promise<SweepRow<T>[]> {
    const rows: SweepRow<T>[] = [];
    for (const weight of weights) {
      const model = await trainAt(weight);
      model.dispose();
      rows.push({ weight, result: measure(model) });
    }
    return rows;
  }
  const wrong: [string, typeof noAwait, RegExp][] = [
    ['forgets await', noAwait, /await it before measuring/],
    ['never disposes', noDispose, /dispose each model/],
    ['trains all at once', parallel, /one model before training the next/],
    ['disposes before measuring', disposeFirst, /measure the model first, then dispose it/],
  ];
  for (const [what, fn, hint] of wrong) {
    const before = tf.memory().numTensors;
    assertFailed(await captureAsync((o) => check.sweep(fn, o)), 'sweep', 'three weights', hint);
    assert.equal(tf.memory().numTensors, before, `${what}: the check left tensors behind`);
  }
});

type Search = (target: number, measure: (w: number) => Promise<number>, low: number, high: number, steps: number) => Promise<SparsityMatch>;

/** A learner-style search, with knobs for the usual mistakes. */
function search(options: { arithmetic?: boolean; backwards?: boolean; last?: boolean; endpoints?: boolean } = {}): Search {
  return async (target, measure, low, high, steps) => {
    let best: SparsityMatch | null = null;
    let last: SparsityMatch | null = null;
    let lo = low;
    let hi = high;
    if (options.endpoints) {
      await measure(lo);
      await measure(hi);
    }
    for (let s = 0; s < steps; s++) {
      const weight = options.arithmetic ? (lo + hi) / 2 : Math.sqrt(lo * hi);
      const sparsity = await measure(weight);
      last = { weight, sparsity };
      if (!best || Math.abs(sparsity - target) < Math.abs(best.sparsity - target)) best = last;
      if ((sparsity > target) !== !!options.backwards) lo = weight;
      else hi = weight;
    }
    return (options.last ? last : best)!;
  };
}

test('check.matchSparsity passes the kit\'s matchSparsity and a learner-style search', async () => {
  await setup();
  assertPassed(await captureAsync((o) => check.matchSparsity(matchSparsity, o)), 'matchSparsity');
  assertPassed(await captureAsync((o) => check.matchSparsity(search(), o)), 'matchSparsity');
});

test('check.matchSparsity names the usual mistakes', async () => {
  await setup();
  const wrong: [Search, string, RegExp][] = [
    [search({ arithmetic: true }), 'a KL-like curve', /bisect in log space/],
    [search({ backwards: true }), 'an L1-like curve', /try a larger weight/],
    [search({ last: true }), 'a steep curve', /closest to the target, not the last/],
    [search({ endpoints: true }), 'an L1-like curve', /at most steps = 6/],
    [async (_target, measure, low) => ({ weight: low, sparsity: measure(low) as unknown as number }), 'an L1-like curve', /await measure\(weight\)/],
  ];
  for (const [fn, caseName, hint] of wrong) assertFailed(await captureAsync((o) => check.matchSparsity(fn, o)), 'matchSparsity', caseName, hint);
});

type Contrast = (means: Float64Array, units: number, classes: number) => number[];

/** A learner-style contrast index, with knobs for the usual mistakes. */
function contrast(options: { restWithTop?: boolean; restSum?: boolean; transposed?: boolean; nanForSilent?: boolean } = {}): Contrast {
  return (means, units, classes) => Array.from({ length: units }, (_, j) => {
    const profile = Array.from({ length: classes }, (_, c) => (options.transposed ? means[j * classes + c] : means[c * units + j]));
    const top = Math.max(...profile);
    const sum = profile.reduce((a, b) => a + b, 0);
    const rest = options.restWithTop ? sum / classes : options.restSum ? sum - top : (sum - top) / (classes - 1);
    if (top + rest === 0) return options.nanForSilent ? NaN : 0;
    return (top - rest) / (top + rest);
  });
}

test('check.selectivity passes the kit\'s selectivity and a learner-style index', async () => {
  await setup();
  assertPassed(capture((o) => check.selectivity((m, u, c) => selectivity(m, u, c).map((s) => s.index), o)), 'selectivity');
  assertPassed(capture((o) => check.selectivity(contrast(), o)), 'selectivity');
});

test('check.selectivity names the usual mistakes', async () => {
  await setup();
  const wrong: [Contrast, string, RegExp][] = [
    [contrast({ restWithTop: true }), 'one-class, flat and ramp units', /without the preferred one/],
    [contrast({ restSum: true }), 'one-class, flat and ramp units', /not their sum/],
    [contrast({ transposed: true }), 'one-class, flat and ramp units', /row-major/],
    [contrast({ nanForSilent: true }), 'a unit that never responds', /0 \/ 0/],
  ];
  for (const [fn, caseName, hint] of wrong) assertFailed(capture((o) => check.selectivity(fn, o)), 'selectivity', caseName, hint);
});

type Keep = (codes: Float32Array, units: number, k: number) => Float32Array;

/** A learner-style keep-top-k (ranking by magnitude, per row), with knobs for the usual mistakes. */
function keep(options: { inPlace?: boolean; extra?: number; byValue?: boolean; wholeBatch?: boolean; inverse?: boolean } = {}): Keep {
  return (codes, units, k) => {
    const out = options.inPlace ? codes : new Float32Array(codes.length);
    const src = Float32Array.from(codes);
    if (options.inPlace) out.fill(0);
    const score = (i: number) => (options.byValue ? src[i] : Math.abs(src[i]));
    const groups = options.wholeBatch ? [Array.from(src.keys())]
      : Array.from({ length: src.length / units }, (_, r) => Array.from({ length: units }, (_, j) => r * units + j));
    const n = Math.min(units, k + (options.extra ?? 0));
    for (const idx of groups) {
      const order = idx.sort((a, b) => score(b) - score(a) || a - b);
      const kept = options.inverse ? order.slice(n) : order.slice(0, n);
      for (const i of kept) out[i] = src[i];
    }
    return out;
  };
}

test('check.keepTopK passes the kit\'s keepTopK and a learner-style version', async () => {
  await setup();
  assertPassed(capture((o) => check.keepTopK(keepTopK, o)), 'keepTopK');
  assertPassed(capture((o) => check.keepTopK(keep(), o)), 'keepTopK');
  // Ties broken by the last index instead of the first: still right.
  const lastOfTies: Keep = (codes, units, k) => {
    const out = new Float32Array(codes.length);
    for (let r = 0; r < codes.length / units; r++) {
      const order = Array.from({ length: units }, (_, j) => r * units + j).sort((a, b) => Math.abs(codes[b]) - Math.abs(codes[a]) || b - a);
      for (const i of order.slice(0, k)) out[i] = codes[i];
    }
    return out;
  };
  assertPassed(capture((o) => check.keepTopK(lastOfTies, o)), 'keepTopK');
});

test('check.keepTopK names the usual mistakes', async () => {
  await setup();
  const wrong: [Keep, string, RegExp][] = [
    [keep({ inPlace: true }), 'three rows', /leave codes unchanged/],
    [keep({ extra: 1 }), 'three rows', /you kept k \+ 1/],
    [keep({ inverse: true }), 'three rows', /not the other way round/],
    [keep({ wholeBatch: true }), 'three rows', /not k over the whole batch/],
    [keep({ byValue: true }), 'negative entries', /by magnitude/],
  ];
  for (const [fn, caseName, hint] of wrong) assertFailed(capture((o) => check.keepTopK(fn, o)), 'keepTopK', caseName, hint);
});

type Omp = (x: Float64Array, atoms: Float64Array, dim: number, k: number) => OmpCode;

/** A learner-style OMP, with knobs for the usual mistakes. */
function myOmp(options: { noRefit?: boolean; signed?: boolean; once?: boolean } = {}): Omp {
  return (x, atoms, dim, k) => {
    const count = atoms.length / dim;
    const corr = (r: Float64Array, j: number) => {
      let s = 0;
      for (let t = 0; t < dim; t++) s += r[t] * atoms[j * dim + t];
      return s;
    };
    const score = (c: number) => (options.signed ? c : Math.abs(c));
    const support: number[] = [];
    let coef: number[] = [];
    const r = Float64Array.from(x);
    for (let step = 0; step < k; step++) {
      const from = options.once ? x : r;
      let best = -1;
      for (let j = 0; j < count; j++) {
        if (support.includes(j)) continue;
        if (best < 0 || score(corr(from, j)) > score(corr(from, best))) best = j;
      }
      if (Math.abs(corr(from, best)) < 1e-12) break;
      support.push(best);
      if (options.noRefit) {
        const c = corr(r, best);
        coef.push(c);
        for (let t = 0; t < dim; t++) r[t] -= c * atoms[best * dim + t];
      } else {
        coef = leastSquares(atoms, dim, support, x);
        for (let t = 0; t < dim; t++) r[t] = x[t] - support.reduce((s, j, q) => s + coef[q] * atoms[j * dim + t], 0);
      }
    }
    return { support, coef };
  };
}

test('check.omp passes the kit\'s omp and a learner-style version', async () => {
  await setup();
  assertPassed(capture((o) => check.omp((x, a, d, k) => omp(x, a, d, k)[0], o)), 'omp');
  assertPassed(capture((o) => check.omp(myOmp(), o)), 'omp');
});

test('check.omp names the usual mistakes', async () => {
  await setup();
  const wrong: [Omp, string, RegExp][] = [
    [myOmp({ noRefit: true }), 'an exactly 2-sparse signal', /refit all chosen coefficients/],
    [myOmp({ signed: true }), 'standard-basis atoms', /pick by \|correlation\|/],
    [myOmp({ once: true }), 'an exactly 2-sparse signal', /current residual, not with x/],
    [(x) => ({ support: [0, 0], coef: [x[0], 0] }), 'standard-basis atoms', /never pick an atom twice/],
  ];
  for (const [fn, caseName, hint] of wrong) assertFailed(capture((o) => check.omp(fn, o)), 'omp', caseName, hint);
});
