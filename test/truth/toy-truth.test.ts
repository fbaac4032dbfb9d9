/**
 * The toy model's hidden layer as ground truth (src/truth/toy-truth.ts), on W matrices made by hand
 * in 2 hidden dimensions: the directions and coefficients worked out here, the represented filter,
 * the leak of the dropped features, and the kit's scores (scoreSae, trainPlanted) taking the truth
 * as they take a planted model.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { DictSae } from '../../src/interp/dictsae';
import { createToyModel, ToyModel } from '../../src/toy/model';
import { toyActivations } from '../../src/toy/analysis';
import { plantedDataset } from '../../src/truth/planted-sample';
import { scoreSae } from '../../src/truth/score';
import { trainPlanted } from '../../src/truth/sweep';
import { toyTruth } from '../../src/truth/toy-truth';
import { setup } from '../helpers';

/** A toy model of 3 features in 2 dimensions whose instance 1 of 2 has W = w1 ([2, 3] row-major); instance 0 keeps its random weights. */
function handModel(w1: number[]): ToyModel {
  const model = createToyModel({ inputDim: 3, hiddenDim: 2, instances: 2, featureProbability: [0.9, 0.5], steps: 0 });
  const w0 = Array.from(model.W.dataSync().subarray(0, 6));
  tf.tidy(() => model.W.assign(tf.tensor3d([...w0, ...w1], [2, 2, 3])));
  return model;
}

const close = (a: number, b: number, tol = 1e-6) => Math.abs(a - b) <= tol;

// Columns W_0 = (0.6, 0.8) (norm 1), W_1 = (0, -1.5) (norm 1.5) and W_2 = (0.3, 0) (norm 0.3: dropped).
const W = [0.6, 0, 0.3, 0.8, -1.5, 0];

test('toyTruth: the unit directions of the represented columns, coefficients x_i ||W_i||, x = h, the leak', async () => {
  await setup();
  const model = handModel(W);
  const { truth, sample, leak } = toyTruth(model, 1, 200, 7);
  const x = toyActivations(model, 1, 200, 7).features.data; // the same draws: Rng(7)
  assert.deepEqual([truth.config.n, truth.config.d, truth.config.hierarchy], [2, 2, []]);
  assert.deepEqual(Array.from(truth.toyFeature), [0, 1]);
  assert.ok([0.6, 0.8, 0, -1].every((v, t) => close(truth.features[t], v)), `features ${truth.features}`);
  assert.ok([1, 1.5, 0.3].every((v, i) => close(truth.norms[i], v)), `norms ${truth.norms}`);
  assert.equal(truth.featureProbability, Math.fround(0.5));
  assert.deepEqual([truth.instance, truth.toyFeatures, truth.threshold, sample.count, sample.seed], [1, 3, 0.5, 200, 7]);
  let [leaked, total] = [0, 0];
  for (let s = 0; s < 200; s++) {
    const [x0, x1, x2] = [x[3 * s], x[3 * s + 1], x[3 * s + 2]];
    assert.ok(close(sample.coefficients[2 * s], x0) && close(sample.coefficients[2 * s + 1], 1.5 * x1), `sample ${s}`);
    const h = [0.6 * x0 + 0.3 * x2, 0.8 * x0 - 1.5 * x1];
    assert.ok(close(sample.x[2 * s], h[0]) && close(sample.x[2 * s + 1], h[1]), `h of sample ${s}`);
    leaked += (0.3 * x2) ** 2; // h - c_0 f_0 - c_1 f_1 = x_2 W_2
    total += h[0] ** 2 + h[1] ** 2;
  }
  assert.ok(leaked > 0 && close(leak, leaked / total, 1e-6), `leak ${leak}, by hand ${leaked / total}`);
  assert.equal(plantedDataset(truth, sample).source, 'toy(instance 1, p=0.500, 2 of 3 features with ||W_i|| > 0.5, ' +
    'in m=2 hidden dimensions, seed=0); sample seed=7, count=200');
  model.dispose();
});

test('toyTruth: the threshold decides what is represented; none above it is an error naming the largest norm', async () => {
  await setup();
  const model = handModel(W);
  const low = toyTruth(model, 1, 50, 1, 0.2);
  assert.deepEqual(Array.from(low.truth.toyFeature), [0, 1, 2]);
  assert.ok([1, 0].every((v, t) => close(low.truth.features[4 + t], v)), 'W_2 / 0.3 = (1, 0)');
  assert.ok(close(low.leak, 0, 1e-12), `nothing left out: leak ${low.leak}`);
  assert.deepEqual(Array.from(toyTruth(model, 1, 50, 1, 1.2).truth.toyFeature), [1]);
  assert.throws(() => toyTruth(model, 1, 50, 1, 2), /toyTruth: no feature of instance 1 has \|\|W_i\|\| above 2 \(the largest is 1\.500\)/);
  model.dispose();
});

test('scoreSae on the toy truth: an SAE whose decoder is the truth and whose encoder inverts it scores MCC 1', async () => {
  await setup();
  // W_0 = (1.2, 0), W_1 = (0, -1.5), W_2 = 0: h is exactly sum_i c_i f_i, with f_0 = (1, 0), f_1 = (0, -1),
  // so the encoder F^-1 = [[1, 0], [0, -1]] gives c exactly (no rounding to make a silent latent fire)
  const model = handModel([1.2, 0, 0, 0, -1.5, 0]);
  const { truth, sample, leak } = toyTruth(model, 1, 400, 3);
  model.dispose();
  assert.equal(leak, 0);
  assert.deepEqual(Array.from(truth.features), [1, 0, 0, -1]);
  const sae = new DictSae({ inputDim: 2, latentDim: 2, activation: 'relu', sparsityWeight: 0 }, 1);
  tf.tidy(() => {
    sae.wDec!.assign(tf.tensor2d(truth.features, [2, 2]));
    sae.wEnc.assign(tf.tensor2d([1, 0, 0, -1], [2, 2]));
  });
  const r = scoreSae(sae, truth, sample);
  sae.dispose();
  assert.ok(close(r.mcc, 1, 1e-6) && r.found === 1 && r.unique === 1, `mcc ${r.mcc}, found ${r.found}, unique ${r.unique}`);
  assert.ok(close(r.f1, 1, 1e-12) && close(r.shrinkage, 1, 1e-5) && r.fvu < 1e-8, `f1 ${r.f1}, shrinkage ${r.shrinkage}, fvu ${r.fvu}`);
  let present = 0;
  for (const c of sample.coefficients) if (c > 0) present += 1;
  assert.ok(close(r.trueL0, present / 400, 1e-12) && close(r.l0, r.trueL0, 1e-12), `L0 ${r.l0}, true ${r.trueL0}`);
  assert.ok(Number.isNaN(r.absorption), 'no parent/child pairs: no absorption score');
});

test('trainPlanted trains and scores SAEs on the toy truth as on a planted model', async () => {
  await setup();
  const model = handModel(W);
  const train = toyTruth(model, 1, 512, 4);
  const held = toyTruth(model, 1, 128, 5);
  model.dispose();
  const rows = await trainPlanted([{ method: 'TopK', label: 'k 1', options: { activation: 'topk', k: 1, latentDim: 4 } }],
    plantedDataset(train.truth, train.sample), held.truth, held.sample,
    { cap: 3, stopGain: 0.01, batchSize: 64, learningRate: 3e-3, seed: 1 });
  assert.deepEqual(rows.map((r) => [r.setting, r.latents]), [['k 1', 4]]);
  assert.ok(rows[0].mcc > 0 && rows[0].mcc <= 1 && rows[0].l0 <= 1 + 1e-9 && Number.isNaN(rows[0].absorption));
});
