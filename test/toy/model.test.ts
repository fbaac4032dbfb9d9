/**
 * The toy model (src/toy/model.ts, train.ts): its loss against a value worked by hand, its
 * gradients against central differences of a float64 reference written here, the batched graph
 * against each instance trained alone, the initial weights' spread, and training that leaks no
 * tensor and lets the event loop run.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { ToyModel, createToyModel } from '../../src/toy/model';
import { ToyConfig, importancesOf } from '../../src/toy/config';
import { ToyData } from '../../src/toy/data';
import { trainToy } from '../../src/toy/train';
import { Rng } from '../../src/runtime/random';
import { assertAllClose, assertClose, setup } from '../helpers';

/** The loss in float64: sum over instances of the mean over batch and features of I (x - relu(W^T W x + b))^2. */
function referenceLoss(c: ToyConfig, w: Float64Array, b: Float64Array, imp: Float32Array, x: Float32Array, batch: number): number {
  const { instances: K, hiddenDim: m, inputDim: n } = c;
  let total = 0;
  for (let k = 0; k < K; k++) {
    let sum = 0;
    for (let s = 0; s < batch; s++) {
      const xs = (i: number) => x[(k * batch + s) * n + i];
      const h = Array.from({ length: m }, (_, r) => {
        let v = 0;
        for (let i = 0; i < n; i++) v += w[(k * m + r) * n + i] * xs(i);
        return v;
      });
      for (let i = 0; i < n; i++) {
        let z = b[k * n + i];
        for (let r = 0; r < m; r++) z += w[(k * m + r) * n + i] * h[r];
        sum += imp[k * n + i] * (xs(i) - Math.max(z, 0)) ** 2;
      }
    }
    total += sum / (batch * n);
  }
  return total;
}

function setWeights(model: ToyModel, w: number[], b: number[]): void {
  const { instances, hiddenDim, inputDim } = model.config;
  tf.tidy(() => {
    model.W.assign(tf.tensor3d(w, [instances, hiddenDim, inputDim]));
    model.b.assign(tf.tensor2d(b, [instances, inputDim]));
  });
}

test('the loss of a 3-feature, 2-dim model on two samples, worked by hand', async () => {
  await setup();
  const model = createToyModel({ inputDim: 3, hiddenDim: 2, instances: 2, importance: [[1, 0.9, 0.81], [1, 1, 1]] });
  // W's columns: e1, e2, e1 + e2; both instances the same W and b, only the importances differ
  const w = [1, 0, 1, 0, 1, 1];
  const b = [0, -0.5, -1];
  setWeights(model, [...w, ...w], [...b, ...b]);
  // x = (1, 0.5, 0): h = (1, 0.5), W^T h + b = (1, 0, 0.5), x - x' = (0, 0.5, -0.5)
  // x = (0, 0, 1):   h = (1, 1),   W^T h + b = (1, 0.5, 1), x - x' = (-1, -0.5, 0)
  const x = tf.tensor3d([1, 0.5, 0, 0, 0, 1, 1, 0.5, 0, 0, 0, 1], [2, 2, 3]);
  // instance 0: (0 + 0.9 * 0.25 + 0.81 * 0.25 + 1 + 0.9 * 0.25 + 0) / 6 = 1.6525 / 6
  // instance 1: (0.25 + 0.25 + 1 + 0.25) / 6 = 1.75 / 6
  const perInstance = model.instanceLosses(x);
  const total = model.loss(x);
  assertAllClose(perInstance.dataSync(), [1.6525 / 6, 1.75 / 6], 1e-6, 'instance losses');
  assertClose(total.dataSync()[0], (1.6525 + 1.75) / 6, 1e-6, 'total loss');
  assertAllClose(model.forward(x).dataSync(), [1, 0, 0.5, 1, 0.5, 1, 1, 0, 0.5, 1, 0.5, 1], 1e-6, 'read-out');
  tf.dispose([x, perInstance, total]);
  model.dispose();
});

test('gradients of W and b match central differences of a float64 reference', async () => {
  await setup();
  const model = createToyModel({ inputDim: 4, hiddenDim: 2, instances: 2, featureProbability: [0.7, 0.4], importance: 0.8, seed: 5, batchSize: 16 });
  const rng = new Rng(9);
  const bias = Array.from({ length: 8 }, () => rng.uniform(-0.3, 0.3));
  setWeights(model, Array.from(model.W.dataSync()), bias);
  const xs = new ToyData(model.config).nextValues();
  const x = tf.tensor3d(xs, [2, 16, 4]);
  const { value, grads } = tf.variableGrads(() => model.loss(x), model.variables);
  const w = Float64Array.from(model.W.dataSync());
  const b = Float64Array.from(model.b.dataSync());
  const imp = importancesOf(model.config);
  const loss = () => referenceLoss(model.config, w, b, imp, xs, 16);
  assertClose(value.dataSync()[0], loss(), 1e-5, 'loss');
  const h = 1e-6;
  for (const [params, variable] of [[w, model.W], [b, model.b]] as const) {
    const analytic = grads[variable.name].dataSync();
    for (let i = 0; i < params.length; i++) {
      const keep = params[i];
      params[i] = keep + h;
      const up = loss();
      params[i] = keep - h;
      const down = loss();
      params[i] = keep;
      const numeric = (up - down) / (2 * h);
      assert.ok(Math.abs(analytic[i] - numeric) <= 1e-5 + 1e-3 * Math.abs(numeric),
        `d loss / d ${variable === model.W ? 'W' : 'b'}[${i}]: tf ${analytic[i]}, float64 ${numeric}`);
    }
  }
  tf.dispose([x, value, ...Object.values(grads)]);
  model.dispose();
});

test('the batched graph is independent instances: each trained alone (seed + k) ends with the same weights', async () => {
  await setup();
  const importance = [[1, 1, 1, 1, 1, 1], [1, 0.9, 0.8, 0.7, 0.6, 0.5], [2, 1, 2, 1, 2, 1]];
  const featureProbability = [0.9, 0.2, 0.05];
  const base = { inputDim: 6, hiddenDim: 3, seed: 11, steps: 120, batchSize: 64, learningRate: 0.02 };
  const batched = createToyModel({ ...base, instances: 3, featureProbability, importance });
  const result = await trainToy(batched);
  const W = batched.W.dataSync();
  const b = batched.b.dataSync();
  for (let k = 0; k < 3; k++) {
    const alone = createToyModel({ ...base, seed: base.seed + k, instances: 1, featureProbability: featureProbability[k], importance: importance[k] });
    const own = await trainToy(alone);
    assertAllClose(alone.W.dataSync(), W.subarray(k * 18, (k + 1) * 18), 1e-5, `instance ${k}'s W`);
    assertAllClose(alone.b.dataSync(), b.subarray(k * 6, (k + 1) * 6), 1e-5, `instance ${k}'s b`);
    assertClose(own.losses[0], result.losses[k], 1e-5, `instance ${k}'s last loss`);
    alone.dispose();
  }
  // the instances did differ from one another, so the comparison above is not of equal numbers
  assert.ok(Math.abs(W[0] - W[18]) > 1e-3 && Math.abs(W[18] - W[36]) > 1e-3, 'instances differ');
  batched.dispose();
});

test('initial weights: Xavier-normal, std sqrt(2 / (m + n)), zero bias, seeded', async () => {
  await setup();
  const config = { inputDim: 20, hiddenDim: 5, instances: 200, seed: 3 };
  const model = createToyModel(config);
  const w = model.W.dataSync();
  let mean = 0;
  let sq = 0;
  for (const v of w) { mean += v / w.length; sq += (v * v) / w.length; }
  const std = Math.sqrt(sq - mean * mean);
  assertClose(std, Math.sqrt(2 / 25), 0.02, 'std');
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(model.b.dataSync().every((v) => v === 0), 'zero bias');
  const again = createToyModel(config);
  assert.deepEqual(again.W.dataSync(), w, 'the same seed, the same weights');
  model.dispose();
  again.dispose();
});

test('training leaks no tensor, reports every reportEvery steps and lets the event loop run', async () => {
  await setup();
  const model = createToyModel({ instances: 4, featureProbability: [1, 0.3, 0.1, 0.03], steps: 200, batchSize: 128 });
  const before = tf.memory().numTensors;
  let immediateRan = 0;
  setImmediate(() => immediateRan++);
  const seen: { step: number; tensors: number; ran: number; losses: number }[] = [];
  const result = await trainToy(model, {
    reportEvery: 50,
    onStep: (p) => seen.push({ step: p.step, tensors: tf.memory().numTensors, ran: immediateRan, losses: p.losses.length }),
  });
  assert.deepEqual(seen.map((s) => s.step), [50, 100, 150, 200]);
  assert.ok(seen.every((s) => s.losses === 4), 'one loss per instance');
  assert.ok(seen.every((s) => s.tensors === seen[0].tensors), `tensors during training: ${seen.map((s) => s.tensors)}`);
  assert.equal(seen[0].ran, 0, 'nothing else runs before the first yield');
  assert.equal(seen[1].ran, 1, 'the event loop ran at step 50');
  assert.equal(tf.memory().numTensors, before, 'tensors after training');
  assert.equal(result.steps, 200);
  assert.ok(result.losses.every((v) => Number.isFinite(v) && v > 0), `losses ${result.losses}`);
  await assert.rejects(trainToy(model, { reportEvery: 1.5 }), /ToyTrainOptions\.reportEvery = 1\.5 is invalid: expected an integer >= 1/);
  await assert.rejects(trainToy(model, { yieldEvery: 0 }), /ToyTrainOptions\.yieldEvery = 0 is invalid: expected an integer >= 1/);
  model.dispose();
});

test('a toy model leaves no tensors behind: built and disposed, numTensors is where it was', async () => {
  await setup();
  const before = tf.memory().numTensors;
  const model = createToyModel({ inputDim: 5, hiddenDim: 2, instances: 3 });
  // W, b and the importances: three tensors while it lives
  assert.equal(tf.memory().numTensors, before + 3);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});
