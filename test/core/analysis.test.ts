import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { analyzeSparsity, formatSparsity, sparsityReport } from '../../src/core/analysis';
import { histogram } from '../../src/data/histogram';
import { loadMnist } from '../../src/data/mnist';
import { createModel } from '../../src/core/sae';
import { decodeUnits } from '../../src/core/evaluate';
import { assertAllClose, assertClose, setup } from '../helpers';

// 4 samples x 5 units. Active means > 0.1 (strictly: 0.1 itself is not active).
const A = [
  0.0, 0.5, 0.1, 0.0, 0.9, //  sample 0: units 1, 4      -> 2/5
  0.2, 0.0, 0.0, 0.0, 0.3, //  sample 1: units 0, 4      -> 2/5
  0.0, 0.0, 0.05, 0.0, 0.7, // sample 2: unit 4          -> 1/5
  0.0, 0.11, 0.0, 0.0, 1.0, // sample 3: units 1, 4      -> 2/5
];

test('population and lifetime sparsity by hand', () => {
  const r = sparsityReport(A, 5);
  assert.equal(r.samples, 4);
  assertAllClose(r.populationPerSample, [0.4, 0.4, 0.2, 0.4], 1e-12);
  assertClose(r.populationSparsity, 1.4 / 4, 1e-12); // 0.35
  // unit 0: 1/4, unit 1: 2/4, unit 2: 0, unit 3: 0, unit 4: 4/4
  assertAllClose(r.lifetimePerUnit, [0.25, 0.5, 0, 0, 1], 1e-12);
  assertClose(r.meanLifetime, 1.75 / 5, 1e-12); // 0.35: both means count the same active entries
  assert.deepEqual(r.inactiveUnits, [2, 3]);
  assert.deepEqual(formatSparsity(r), ['Population sparsity: 0.3500', 'Lifetime sparsity (mean): 0.3500', 'Inactive neurons (<1%): 2/5']);
});

test('threshold and inactive cut-off are configurable', () => {
  const r = sparsityReport(A, 5, { threshold: 0.5, inactiveBelow: 0.3 });
  // active > 0.5: (0,4) (2,4) (3,4) -> 0.9, 0.7, 1.0; sample 1 has none
  assertAllClose(r.populationPerSample, [0.2, 0, 0.2, 0.2], 1e-12);
  assertAllClose(r.lifetimePerUnit, [0, 0, 0, 0, 0.75], 1e-12);
  assert.deepEqual(r.inactiveUnits, [0, 1, 2, 3]);
  assert.throws(() => sparsityReport(A, 3), /not a whole number \(>= 1\) of rows of 3/);
  assert.throws(() => sparsityReport(A, 5, { inactiveBelow: 2 }), /inactiveBelow must be in \[0, 1\], got 2/);
});

test('histogram counts by hand', () => {
  const h = histogram([0, 0.1, 0.25, 0.5, 0.99, 1], 4, [0, 1]);
  assert.deepEqual(h.counts, [2, 1, 1, 2]); // [0,.25) [.25,.5) [.5,.75) [.75,1]
  assertAllClose(h.edges, [0, 0.25, 0.5, 0.75, 1], 1e-12);
  assert.deepEqual(histogram([3, 3, 3], 2).counts, [3, 0]); // a constant still lands somewhere
});

test('analyzeSparsity on a model agrees with the report of its own codes, and leaks nothing', async () => {
  await setup();
  const data = loadMnist({ split: 'test', limit: 300 });
  const model = createModel({ sparsity: 'kl', latentDim: 16 }, 3);
  const before = tf.memory().numTensors;
  const r = analyzeSparsity(model, data, { numSamples: 250 });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(r.samples, 250);
  assert.equal(r.activations.length, 250 * 16);
  // Independent: encode the same 250 images in one go and count.
  const codes = tf.tidy(() => model.encode(tf.tensor2d(data.images.subarray(0, 250 * 784), [250, 784])).arraySync());
  let active = 0;
  for (const row of codes) for (const v of row) if (v > 0.1) active += 1;
  assertClose(r.populationSparsity, active / (250 * 16), 1e-9);
  const feats = decodeUnits(model, [0, 15]);
  assert.equal(feats.length, 2);
  assert.equal(feats[0].length, 784);
  // A one-hot decode is the decoder applied to e_j.
  const e15 = tf.tidy(() => model.decode(tf.oneHot([15], 16).toFloat() as tf.Tensor2D).dataSync());
  assertAllClose(feats[1], e15, 1e-6);
  assert.throws(() => decodeUnits(model, [16]), /unit 16 is not a latent unit; expected an integer in \[0, 15\]/);
  model.dispose();
});

test('kneeIndex finds the corner of an L-shaped trade-off', async () => {
  const { kneeIndex } = await import('../../src/core/analysis');
  // (0,1) (0.1,0.2) (0.5,0.1) (1,0): the corner is the second point
  assert.equal(kneeIndex([0, 0.1, 0.5, 1], [1, 0.2, 0.1, 0]), 1);
  // a straight line has no knee beyond rounding: every distance is 0, the first point wins
  assert.equal(kneeIndex([0, 1, 2], [0, 1, 2]), 0);
  assert.equal(kneeIndex([1, 2], [3, 4]), 0);
  assert.throws(() => kneeIndex([1, 2, 3], [1, 2]), /3 x values but 2 y values/);
});

test('Pearson and Spearman correlation by hand', async () => {
  const { correlation, rankCorrelation } = await import('../../src/core/analysis');
  assertClose(correlation([1, 2, 3], [2, 4, 6]), 1, 1e-12);
  assertClose(correlation([1, 2, 3], [3, 2, 1]), -1, 1e-12);
  // x = 1..4, y = 1, 3, 2, 4: cov = 4 (sum of products of deviations), sxx = syy = 5 -> 0.8
  assertClose(correlation([1, 2, 3, 4], [1, 3, 2, 4]), 0.8, 1e-12);
  // monotone but not linear: Spearman 1, Pearson below 1
  assertClose(rankCorrelation([1, 2, 3, 4], [1, 10, 100, 1000]), 1, 1e-12);
  assert.ok(correlation([1, 2, 3, 4], [1, 10, 100, 1000]) < 0.99);
  // ties share ranks: [1, 1, 2] -> ranks [0.5, 0.5, 2]
  assertClose(rankCorrelation([1, 1, 2], [0, 0, 5]), 1, 1e-12);
});
