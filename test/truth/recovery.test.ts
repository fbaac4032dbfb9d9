/**
 * Direction scores: MCC on the true features themselves (1), permuted and sign-flipped (1, the
 * matching undone), fewer latents than features (latents / n), against brute force over every
 * matching on small random dictionaries, and random dictionaries (well below 1); uniqueness on a
 * hand-built dictionary with two latents on one feature and a zero row.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Rng } from '../../src/runtime/random';
import { standardNormal } from '../../src/truth/gaussian';
import { plantedModel } from '../../src/truth/planted';
import { absCosines, mcc, uniqueness } from '../../src/truth/recovery';

/** The best mean over n features of |cos| under a one-to-one matching, by trying every injective map (small sizes only). */
function bruteMcc(cos: Float64Array, n: number, latents: number): number {
  const used = new Array<boolean>(latents).fill(false);
  const go = (i: number): number => {
    if (i === n) return 0;
    let best = go(i + 1); // feature i unmatched
    for (let j = 0; j < latents; j++) {
      if (used[j]) continue;
      used[j] = true;
      best = Math.max(best, cos[i * latents + j] + go(i + 1));
      used[j] = false;
    }
    return best;
  };
  return go(0) / n;
}

/** |cos| of two rows, written out here rather than taken from recovery.ts. */
function absCos(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let t = 0; t < d; t++) { ab += a[ao + t] * b[bo + t]; aa += a[ao + t] ** 2; bb += b[bo + t] ** 2; }
  return Math.abs(ab) / Math.sqrt(aa * bb);
}

const gaussianRows = (rows: number, d: number, rng: Rng) => Float32Array.from({ length: rows * d }, () => standardNormal(rng));

test('mcc of the true features themselves is 1, each matched to itself', () => {
  const { features } = plantedModel({ n: 40, d: 24, seed: 1 });
  const m = mcc(features, features, 24);
  assert.ok(Math.abs(m.mcc - 1) < 1e-6, `mcc ${m.mcc}`);
  assert.deepEqual(Array.from(m.latentOf), Array.from({ length: 40 }, (_, i) => i));
  assert.deepEqual(Array.from(m.featureOf), Array.from({ length: 40 }, (_, i) => i));
});

test('a permuted, sign-flipped, rescaled dictionary with extra latents still scores 1; the matching undoes the permutation', () => {
  const n = 30;
  const d = 20;
  const latents = 45;
  const { features } = plantedModel({ n, d, seed: 2 });
  const rng = new Rng(3);
  const perm = rng.permutation(latents); // latent j holds feature perm[j] when perm[j] < n, else noise
  const decoder = new Float32Array(latents * d);
  for (let j = 0; j < latents; j++) {
    const sign = j % 2 === 0 ? -1 : 2.5;
    for (let t = 0; t < d; t++) decoder[j * d + t] = perm[j] < n ? sign * features[perm[j] * d + t] : 0.01 * standardNormal(rng);
  }
  const m = mcc(decoder, features, d);
  assert.ok(Math.abs(m.mcc - 1) < 1e-6, `mcc ${m.mcc}`);
  for (let j = 0; j < latents; j++) {
    if (perm[j] < n) assert.equal(m.latentOf[perm[j]], j);
    assert.equal(m.featureOf[j], perm[j] < n ? perm[j] : -1);
  }
});

test('with fewer latents than features, the unmatched features count 0: 2 of 4 features give 0.5', () => {
  const { features } = plantedModel({ n: 4, d: 10, seed: 5 });
  const m = mcc(features.slice(0, 20), features, 10);
  assert.ok(Math.abs(m.mcc - 0.5) < 1e-6, `mcc ${m.mcc}`);
  assert.deepEqual(Array.from(m.latentOf), [0, 1, -1, -1]);
  assert.equal(m.matchedCos[2], 0);
});

test('mcc equals the brute-force best matching on 200 small random dictionaries, both shapes', () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 200; trial++) {
    const d = 2 + rng.int(4);
    const n = 1 + rng.int(5);
    const latents = 1 + rng.int(5);
    const truth = gaussianRows(n, d, rng);
    const decoder = gaussianRows(latents, d, rng);
    const cos = Float64Array.from({ length: n * latents }, (_, k) => absCos(truth, Math.floor(k / latents) * d, decoder, (k % latents) * d, d));
    assert.deepEqual(Array.from(absCosines(decoder, truth, d).data).map((v) => v.toFixed(12)), Array.from(cos).map((v) => v.toFixed(12)));
    const m = mcc(decoder, truth, d);
    assert.ok(Math.abs(m.mcc - bruteMcc(cos, n, latents)) < 1e-9, `trial ${trial}: ${m.mcc} vs ${bruteMcc(cos, n, latents)}`);
  }
});

test('random dictionaries score well below 1', () => {
  const { features } = plantedModel({ n: 64, d: 32, seed: 7 });
  const rng = new Rng(8);
  for (const latents of [64, 128]) {
    const m = mcc(gaussianRows(latents, 32, rng), features, 32);
    // a random pair has |cos| ~ 0.14 on average in 32 dimensions; the best matching lifts it, to nowhere near 1
    assert.ok(m.mcc > 0.1 && m.mcc < 0.6, `${latents} latents: mcc ${m.mcc}`);
  }
});

test('uniqueness by hand: two latents on feature 0, one on feature 1, none on feature 2, a zero row', () => {
  const d = 4;
  const truth = Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
  const decoder = Float32Array.from([
    1, 0, 0, 0, // feature 0
    0.9, 0, 0.3, 0.1, // mostly feature 0 (|cos| 0.94), a little feature 2 (0.31)
    0, -1, 0, 0, // feature 1, flipped
    0, 0, 0, 0, // a zero row: no best feature
  ]);
  const u = uniqueness(decoder, truth, d);
  assert.deepEqual(Array.from(u.bestFeature), [0, 0, 1, -1]);
  assert.deepEqual(Array.from(u.latentsPerFeature), [2, 1, 0]);
  assert.equal(u.uniqueFraction, 1 / 3);
  assert.equal(u.coveredFraction, 2 / 3);
  assert.equal(u.latentsPerCovered, 3 / 2);
  // minCos 0.95 drops the mixed latent (|cos| 0.9 / sqrt(0.91) = 0.943): every covered feature is unique
  const strict = uniqueness(decoder, truth, d, 0.95);
  assert.deepEqual(Array.from(strict.latentsPerFeature), [1, 1, 0]);
  assert.equal(strict.latentsPerCovered, 1);
  assert.throws(() => uniqueness(decoder, truth, d, 1), { message: 'uniqueness: minCos = 1 is invalid: expected a number in [0, 1)' });
});

test('shape errors name rows and cols', () => {
  assert.throws(() => mcc(new Float32Array(7), new Float32Array(6), 3), /the decoder rows holds 7 values, not a whole number/);
  assert.throws(() => mcc(new Float32Array(6), new Float32Array(5), 3), /the true features holds 5 values, not a whole number/);
});
