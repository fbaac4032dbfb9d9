/**
 * Code scores: a perfect dictionary (decoder = the true features, codes = the true coefficients)
 * scores F1 1, shrinkage 1, absorption 0 and the true L0; a permuted, sign-flipped one keeps F1
 * and flips shrinkage; halved codes shrink by 0.5; the least-squares slope, firing counts, dead
 * latents and an absorbing dictionary worked by hand; bad shapes and matchings.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Rng } from '../../src/runtime/random';
import { plantedModel } from '../../src/truth/planted';
import { samplePlanted } from '../../src/truth/planted-sample';
import { codeDensity, firingScores, RecoveryData, shrinkage } from '../../src/truth/recovery-codes';
import { absorption } from '../../src/truth/absorption';

const hierarchy: [number, number][] = [[0, 5], [1, 9], [5, 11]];
const model = plantedModel({ n: 16, d: 12, l0: 3, hierarchy, seed: 1 });
const sample = samplePlanted(model, 3000, 2);
const perfect: RecoveryData = { decoderRows: model.features, codes: sample.coefficients, features: model.features, coefficients: sample.coefficients, d: 12 };

const allClose = (a: ArrayLike<number>, want: number, tol: number, label: string) =>
  Array.from(a).forEach((v, i) => assert.ok(Math.abs(v - want) <= tol, `${label}[${i}] = ${v}, want ${want}`));

test('a perfect dictionary: F1 1, shrinkage 1, absorption 0, L0 = true L0, no dead latent', () => {
  const f = firingScores(perfect);
  allClose(f.f1, 1, 0, 'f1');
  allClose(f.precision, 1, 0, 'precision');
  allClose(f.recall, 1, 0, 'recall');
  assert.deepEqual([f.meanF1, f.meanPrecision, f.meanRecall], [1, 1, 1]);
  const s = shrinkage(perfect);
  allClose(s.slope, 1, 1e-6, 'slope'); // the rows are unit-norm in float32: f . f = 1 to ~1e-7
  const a = absorption(perfect, hierarchy);
  assert.equal(a.meanRate, 0);
  for (const p of a.pairs) {
    assert.ok(p.childFires > 50, `child ${p.child} fires ${p.childFires} times`);
    assert.equal(p.absorbed, 0);
    assert.ok(Math.abs(p.parentLatentCosChild - p.parentCosChild) < 1e-6);
  }
  const density = codeDensity(perfect);
  let nonzero = 0;
  for (const v of sample.coefficients) if (v > 0) nonzero += 1;
  assert.equal(density.l0, nonzero / 3000);
  assert.equal(density.trueL0, nonzero / 3000);
  assert.deepEqual(density.dead, []);
});

test('permuted and sign-flipped latents: F1 still 1, shrinkage -1 on the flipped ones, 1 on the rest', () => {
  const { n, d } = model.config;
  const perm = new Rng(4).permutation(n); // latent j holds feature perm[j]
  const decoderRows = new Float32Array(n * d);
  const codes = new Float32Array(sample.count * n);
  for (let j = 0; j < n; j++) {
    const sign = j % 3 === 0 ? -1 : 1;
    for (let t = 0; t < d; t++) decoderRows[j * d + t] = sign * model.features[perm[j] * d + t];
    for (let s = 0; s < sample.count; s++) codes[s * n + j] = sample.coefficients[s * n + perm[j]];
  }
  const data = { ...perfect, decoderRows, codes };
  assert.equal(firingScores(data).meanF1, 1);
  const slope = shrinkage(data).slope;
  for (let j = 0; j < n; j++) assert.ok(Math.abs(slope[perm[j]] - (j % 3 === 0 ? -1 : 1)) < 1e-6, `feature ${perm[j]}: ${slope[perm[j]]}`);
  assert.equal(absorption(data, hierarchy).meanRate, 0);
});

test('codes at 0.5 x the true coefficients: shrinkage 0.5, F1 still 1', () => {
  const data = { ...perfect, codes: sample.coefficients.map((v) => 0.5 * v) };
  allClose(shrinkage(data).slope, 0.5, 1e-6, 'slope');
  assert.equal(firingScores(data).meanF1, 1);
});

/**
 * Two orthogonal features in d = 3, feature 1 the child of feature 0, over five samples:
 *   sample       A    B    C    D    E
 *   parent c0    1    1    2    0    1
 *   child  c1    0    1    1    0    0
 *   latent 0     1    2    3    0    1    (the parent's latent, its row leaning toward the child)
 *   latent 1     0    0    1    0    0    (the child's latent: silent on B)
 */
const hand: RecoveryData = {
  d: 3,
  features: [1, 0, 0, 0, 1, 0],
  decoderRows: [2 / Math.sqrt(5), 1 / Math.sqrt(5), 0, 0, 1, 0],
  coefficients: [1, 0, 1, 1, 2, 1, 0, 0, 1, 0],
  codes: [1, 0, 2, 0, 3, 1, 0, 0, 1, 0],
};

test('an absorbing dictionary by hand: the child fires on B and C, its latent is silent on B: absorption 1/2', () => {
  const a = absorption(hand, [[0, 1]]);
  assert.equal(a.pairs.length, 1);
  const p = a.pairs[0];
  assert.deepEqual([p.parentLatent, p.childLatent, p.childFires, p.absorbed, p.rate], [0, 1, 2, 1, 0.5]);
  // the parent latent's row is (2, 1, 0) / sqrt 5: cos 1 / sqrt 5 with the child, whose cos with the parent is 0
  assert.ok(Math.abs(p.parentLatentCosChild - 1 / Math.sqrt(5)) < 1e-12);
  assert.equal(p.parentCosChild, 0);
  assert.equal(a.meanRate, 0.5);
});

test('firing scores by hand: feature 0 perfect, feature 1 found once of twice (P 1, R 1/2, F1 2/3)', () => {
  const f = firingScores(hand);
  assert.deepEqual(Array.from(f.precision), [1, 1]);
  assert.deepEqual(Array.from(f.recall), [1, 0.5]);
  assert.deepEqual(Array.from(f.f1), [1, 2 / 3]);
  assert.equal(f.meanF1, (1 + 2 / 3) / 2);
  // above threshold 1.5 latent 0 fires on B and C only: TP 2, FN 2 (A, E) -> P 1, R 1/2; latent 1 never fires -> P NaN, R 0
  const high = firingScores({ ...hand, threshold: 1.5 });
  assert.deepEqual(Array.from(high.precision), [1, NaN]);
  assert.deepEqual(Array.from(high.recall), [0.5, 0]);
  assert.deepEqual(Array.from(high.f1), [2 / 3, 0]);
  assert.equal(high.meanPrecision, 1);
});

test('shrinkage is the least-squares slope through 0, not the mean ratio', () => {
  // feature 0 fires with c = 1, 1, 2, 1 (A, B, C, E); latent 0 reconstructs r = code x (2 / sqrt 5) along it
  const along = 2 / Math.sqrt(5);
  const r = [1, 2, 3, 1].map((code) => code * along);
  const c = [1, 1, 2, 1];
  const slope0 = r.reduce((s, v, k) => s + v * c[k], 0) / c.reduce((s, v) => s + v * v, 0); // (1 + 2 + 6 + 1) along / 7
  // feature 1 fires on B (c 1, code 0) and C (c 1, code 1): (0 + 1) / 2
  const s = shrinkage(hand);
  assert.ok(Math.abs(s.slope[0] - slope0) < 1e-12, `${s.slope[0]} vs ${slope0}`);
  assert.ok(Math.abs(s.slope[1] - 0.5) < 1e-12);
  assert.ok(Math.abs(s.mean - (slope0 + 0.5) / 2) < 1e-12);
});

test('codeDensity by hand: firing rates, dead latents, L0 at two thresholds', () => {
  const data: RecoveryData = { d: 2, features: [1, 0, 0, 1], decoderRows: [1, 0, 0, 1, 1, 1], codes: [1, 0, 0, 0.5, 0, 0, 0, 0, 2], coefficients: [1, 0, 1, 1, 0, 0] };
  const low = codeDensity(data);
  assert.deepEqual(Array.from(low.firingRates), [2 / 3, 0, 1 / 3]);
  assert.deepEqual(low.dead, [1]);
  assert.equal(low.deadFraction, 1 / 3);
  assert.equal(low.l0, 1);
  assert.equal(low.trueL0, 1);
  const high = codeDensity({ ...data, threshold: 0.7 });
  assert.deepEqual(Array.from(high.firingRates), [1 / 3, 0, 1 / 3]);
  assert.equal(high.l0, 2 / 3);
});

test('unmatched features score NaN and are left out of the means', () => {
  // one latent for two features: feature 1 has no latent
  const data: RecoveryData = { d: 2, features: [1, 0, 0, 1], decoderRows: [1, 0], codes: [1, 0, 2], coefficients: [1, 0, 0, 1, 2, 1] };
  const f = firingScores(data);
  assert.deepEqual(Array.from(f.f1), [1, NaN]);
  assert.equal(f.meanF1, 1);
  assert.deepEqual(Array.from(shrinkage(data).slope), [1, NaN]);
  assert.ok(Number.isNaN(absorption(data, [[0, 1]]).pairs[0].rate));
});

test('bad shapes, matchings and pairs are named', () => {
  assert.throws(() => firingScores({ ...hand, codes: [1, 0] }), /the true coefficients holds 10 values, but rows x cols = 1 x 2 = 2/);
  assert.throws(() => firingScores({ ...hand, codes: [1, 0, 2, 0, 3] }), /the codes holds 5 values, not a whole number/);
  assert.throws(() => firingScores(hand, Int32Array.from([0])), { message: 'latentOf holds 1 values; expected one per true feature (n = 2)' });
  assert.throws(() => shrinkage(hand, Int32Array.from([0, 2])), { message: 'latentOf[1] = 2 is invalid: expected -1 or a latent in [0, 1]' });
  assert.throws(() => absorption(hand, [[0, 2]]), { message: 'absorption: hierarchy[0] = [0,2] is invalid: expected two feature indices in [0, n - 1 = 1]' });
  assert.throws(() => codeDensity({ ...hand, threshold: NaN }), { message: 'RecoveryData.threshold = NaN is invalid: expected a finite number' });
});
