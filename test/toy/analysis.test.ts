/**
 * Superposition measures (src/toy/analysis.ts) on W matrices worked by hand (a 2 x 3 W, a zero
 * column, a perfect pentagon, an antipodal pair), the data generator's statistics, and the
 * hidden activations handed to a later SAE.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { matrixOf } from '../../src/data/matrix';
import {
  dimensionsPerFeature, featureDimensionality, featureNorms, gramMatrix, instanceWeights, interference,
  representedFeatures, superpositionSummaries, toyActivations,
} from '../../src/toy/analysis';
import { createToyModel } from '../../src/toy/model';
import { ToyData, sampleFeatures } from '../../src/toy/data';
import { makeToyConfig } from '../../src/toy/config';
import { Rng } from '../../src/runtime/random';
import { floatsOf } from '../../src/runtime/values';
import { assertAllClose, assertClose, setup } from '../helpers';

// W [2, 3], columns W_0 = (1, 0), W_1 = (0, 2), W_2 = (0.6, 0.8)
const W = matrixOf(Float32Array.from([1, 0, 0.6, 0, 2, 0.8]), 2, 3);

test('a 2 x 3 W by hand: Gram matrix, norms, interference, dimensionality, D*, represented', () => {
  // G_ij = W_i . W_j
  assertAllClose(gramMatrix(W).data, [1, 0, 0.6, 0, 4, 1.6, 0.6, 1.6, 1], 1e-6, 'W^T W');
  assertAllClose(featureNorms(W), [1, 2, 1], 1e-6, 'norms');
  // sum_{j != i} G_ij^2 / G_ii: (0 + 0.36) / 1, (0 + 2.56) / 4, (0.36 + 2.56) / 1
  assertAllClose(interference(W), [0.36, 0.64, 2.92], 1e-6, 'interference');
  // G_ii^2 / sum_j G_ij^2: 1 / 1.36, 16 / 18.56, 1 / 3.92
  assertAllClose(featureDimensionality(W), [1 / 1.36, 16 / 18.56, 1 / 3.92], 1e-6, 'D_i');
  // m / ||W||_F^2 = 2 / (1 + 4 + 1)
  assertClose(dimensionsPerFeature(W), 1 / 3, 1e-6, 'D*');
  assert.equal(representedFeatures(W), 3);
  assert.equal(representedFeatures(W, 1.5), 1);
});

test('a dropped (zero) feature: norm, interference and dimensionality 0, not NaN', () => {
  const w = matrixOf(Float32Array.from([1, 0, 0, 0]), 2, 2);
  assert.deepEqual(Array.from(featureNorms(w)), [1, 0]);
  assert.deepEqual(Array.from(interference(w)), [0, 0]);
  assert.deepEqual(Array.from(featureDimensionality(w)), [1, 0]);
  assert.equal(representedFeatures(w), 1);
  assertClose(dimensionsPerFeature(w), 2, 1e-12, 'D*');
});

test('geometry: a pentagon holds 2/5 of a dimension per feature, an antipodal pair 1/2', () => {
  const angles = [0, 1, 2, 3, 4].map((k) => (2 * Math.PI * k) / 5);
  const pentagon = matrixOf(Float32Array.from([...angles.map(Math.cos), ...angles.map(Math.sin)]), 2, 5);
  // 1 + 2 cos^2(72 deg) + 2 cos^2(144 deg) = 2.5, so D_i = 1 / 2.5 and interference_i = 1.5
  assertAllClose(featureDimensionality(pentagon), [0.4, 0.4, 0.4, 0.4, 0.4], 1e-6, 'pentagon D_i');
  assertAllClose(interference(pentagon), [1.5, 1.5, 1.5, 1.5, 1.5], 1e-6, 'pentagon interference');
  assertClose(dimensionsPerFeature(pentagon), 0.4, 1e-6, 'pentagon D*');
  const pair = matrixOf(Float32Array.from([1, -1, 0]), 1, 3);
  assertAllClose(featureDimensionality(pair), [0.5, 0.5, 0], 1e-6, 'antipodal pair D_i');
  assertAllClose(interference(pair), [1, 1, 0], 1e-6, 'antipodal pair interference');
});

test('the data: each feature present with probability p, uniform in [0, 1) when present; per-instance streams', async () => {
  await setup();
  const rows = 40000;
  const n = 5;
  for (const p of [1, 0.3, 0.05]) {
    const x = new Float32Array(rows * n);
    sampleFeatures(new Rng(1), p, rows, n, x);
    const present = x.filter((v) => v !== 0);
    const sd = Math.sqrt((p * (1 - p)) / x.length);
    assert.ok(Math.abs(present.length / x.length - p) < 5 * sd + 1e-9, `p = ${p}: present ${present.length / x.length}`);
    const mean = present.reduce((s, v) => s + v, 0) / present.length;
    assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / present.length), `p = ${p}: mean when present ${mean}`);
    assert.ok(present.every((v) => v > 0 && v < 1));
    const below = present.filter((v) => v < 0.25).length / present.length;
    assert.ok(Math.abs(below - 0.25) < 0.03, `p = ${p}: quarter below 0.25: ${below}`);
  }
  // instance 1 of a run with seed 7 draws what a lone instance with seed 8 draws
  const two = new ToyData(makeToyConfig({ instances: 2, featureProbability: [0.5, 0.2], seed: 7 })).nextValues(10);
  const alone = new ToyData(makeToyConfig({ instances: 1, featureProbability: 0.2, seed: 8 })).nextValues(10);
  assert.deepEqual(two.subarray(50), alone);
});

test('superpositionSummaries reads each instance; toyActivations gives h = W x and the true directions', async () => {
  await setup();
  const model = createToyModel({ inputDim: 4, hiddenDim: 2, instances: 2, featureProbability: [1, 0.1], seed: 4 });
  const [w0, w1] = instanceWeights(model);
  const summaries = superpositionSummaries(model);
  assert.equal(summaries.length, 2);
  assertClose(summaries[1].featureProbability, 0.1, 1e-6, 'p');
  assertAllClose(summaries[1].norms, featureNorms(w1), 1e-12, 'norms of instance 1');
  assertClose(summaries[0].dimensionsPerFeature, dimensionsPerFeature(w0), 1e-12, 'D* of instance 0');
  const a = toyActivations(model, 1, 500, 123);
  assert.deepEqual([a.features.rows, a.features.cols, a.hidden.rows, a.hidden.cols, a.directions.rows, a.directions.cols], [500, 4, 500, 2, 4, 2]);
  // h from tf's product of the same x with instance 1's W
  const h = floatsOf(() => tf.matMul(tf.tensor2d(a.features.data, [500, 4]), tf.tensor2d(w1.data, [2, 4]), false, true));
  assertAllClose(a.hidden.data, h, 1e-5, 'h = W x');
  assertAllClose(a.directions.data, [0, 1, 2, 3].flatMap((i) => [w1.data[i], w1.data[4 + i]]), 0, 'directions = W columns');
  const fraction = a.features.data.filter((v) => v !== 0).length / 2000;
  assert.ok(fraction > 0.06 && fraction < 0.14, `instance 1 draws with p = 0.1: ${fraction}`);
  assert.deepEqual(toyActivations(model, 1, 500, 123).hidden.data, a.hidden.data, 'seeded');
  assert.throws(() => toyActivations(model, 2, 10, 0), /instance = 2 is invalid: expected an integer in \[0, 1\]/);
  model.dispose();
});
