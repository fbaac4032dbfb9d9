/**
 * The measures that test the lesson's "Why sparsity?" claims: noise robustness (against plain
 * test MSE at noise 0, and against an identity model worked by hand), the linear probe (perfect
 * on separable codes, chance on shuffled labels), and the verdicts read from the numbers.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { Rng } from '../../src/runtime/random';
import { createModel } from '../../src/core/sae';
import { reconstructionMse, Encoder, Decoder } from '../../src/core/evaluate';
import { datasetFromMatrix } from '../../src/data/matrix';
import { gaussianNoise, noiseCurve, noisePoint } from '../../src/exercises/robustness';
import { linearProbe } from '../../src/exercises/probe';
import { ModelMeasures, accuracyTolerance, claimLines, verdict } from '../../src/exercises/baseline';
import { assertClose, setup } from '../helpers';

function randomRows(rows: number, cols: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * cols }, () => rng.next());
}

test('gaussianNoise: mean 0, variance 1, fixed by the seed', () => {
  const z = gaussianNoise(200_001, new Rng(5));
  const mean = z.reduce((a, v) => a + v, 0) / z.length;
  const variance = z.reduce((a, v) => a + (v - mean) ** 2, 0) / z.length;
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.01, `variance ${variance}`);
  assert.deepEqual(gaussianNoise(7, new Rng(5)), z.slice(0, 7));
});

test('at noise 0 the noisy MSE is the plain test MSE and codes do not move, for dense and sparse models', async () => {
  await setup();
  // 2500 rows: three batches of 1000, the last one short, as reconstructionMse batches them.
  const data = datasetFromMatrix(randomRows(2500, 12, 1), new Uint8Array(2500), 12, 'random rows');
  for (const sparsity of ['none-relu', 'none-sigmoid', 'l1', 'kl'] as const) {
    const model = createModel({ inputDim: 12, hiddenDim: 6, latentDim: 5, sparsity }, 3);
    const before = tf.memory().numTensors;
    const p = noisePoint(model, data, 0, { seed: 9 });
    assert.equal(p.mse, reconstructionMse(model, data), sparsity);
    assert.equal(p.inputMse, 0);
    assert.equal(p.codeShift, 0);
    const curve = noiseCurve(model, data, [0, 0.3]);
    assert.equal(curve[0].mse, p.mse);
    assert.ok(curve[1].codeShift > 0);
    assert.equal(tf.memory().numTensors, before, `${sparsity}: tensors leaked`);
    model.dispose();
  }
  assert.throws(() => noiseCurve(createModel({ inputDim: 12, hiddenDim: 6, latentDim: 5 }), data, [-1]), /sigma = -1 is invalid/);
});

test('an identity model: noisy MSE = input MSE = mean noise^2, code shift = noise energy / code spread, by hand', async () => {
  await setup();
  const dim = 6;
  const count = 1300;
  const images = randomRows(count, dim, 2);
  const data = datasetFromMatrix(images, new Uint8Array(count), dim, 'random rows');
  const identity: Encoder & Decoder = {
    config: { inputDim: dim, latentDim: dim },
    encode: (x) => tf.clone(x),
    decode: (h) => tf.clone(h),
  };
  const sigma = 0.2;
  const p = noisePoint(identity, data, sigma, { seed: 4 });
  // The same noise stream, batch by batch (1000 then 300 images), continues one Rng.
  const rng = new Rng(4);
  const z = Float64Array.from([...gaussianNoise(1000 * dim, rng), ...gaussianNoise(300 * dim, rng)]);
  const noiseEnergy = z.reduce((a, v) => a + (sigma * v) ** 2, 0);
  const mean = new Float64Array(dim);
  images.forEach((v, i) => { mean[i % dim] += v / count; });
  const spread = images.reduce((a, v, i) => a + (v - mean[i % dim]) ** 2, 0);
  assertClose(p.inputMse, noiseEnergy / (count * dim), 1e-5, 'input MSE');
  assertClose(p.mse, noiseEnergy / (count * dim), 1e-5, 'noisy MSE');
  assertClose(p.codeShift, noiseEnergy / spread, 1e-4, 'code shift');
});

test('linear probe: 100% on a separable code, near chance on shuffled labels', async () => {
  await setup();
  const rng = new Rng(11);
  // Separable: class c lights unit c (value 1), plus small noise on every unit.
  const separable = (n: number) => {
    const labels = Uint8Array.from({ length: n }, () => rng.int(10));
    const rows = new Float32Array(n * 10);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 10; j++) rows[i * 10 + j] = 0.1 * rng.next() + (labels[i] === j ? 1 : 0);
    }
    return { rows, labels };
  };
  const sep = await linearProbe(separable(1000), separable(500), 10, { epochs: 10 });
  assert.equal(sep.testAccuracy, 1);
  assert.equal(sep.trainAccuracy, 1);
  // Shuffled: the codes say nothing about the labels.
  const shuffled = (n: number) => ({
    rows: Float32Array.from({ length: n * 20 }, () => rng.next()),
    labels: Uint8Array.from({ length: n }, () => rng.int(10)),
  });
  const test2 = shuffled(3000);
  const noise = await linearProbe(shuffled(3000), test2, 20, { epochs: 10 });
  // Chance is about 0.1; 3000 test rows give a standard error of about 0.0055.
  assert.ok(Math.abs(noise.testAccuracy - 0.1) < 0.03, `accuracy on shuffled labels ${noise.testAccuracy}`);
  // chance: the test share of the training set's commonest label, counted by hand.
  const counts = new Array(10).fill(0);
  for (const c of test2.labels) counts[c] += 1;
  assert.ok(counts.includes(Math.round(noise.chance * 3000)));
});

function fake(name: string, changes: Partial<ModelMeasures>): ModelMeasures {
  return {
    name, sparsity: 'kl', latentDim: 128, testMse: 0.01, trainMse: 0.01, populationSparsity: 0.1, meanLifetime: 0.1,
    inactive: 0, meanActivation: 0.05, exactZeros: 0, medianMassPixels: 100, medianSelectivity: 0.5,
    noise: [{ sigma: 0.5, mse: 0.02, inputMse: 0.25, codeShift: 0.3 }],
    probe: { width: 128, trainCount: 1000, testCount: 10000, trainAccuracy: 0.9, testAccuracy: 0.9, chance: 0.11 },
    secondsPerEpoch: 1, ...changes,
  };
}

test('verdicts follow the numbers, with their tolerances', () => {
  assert.equal(verdict(0.95, 0.9, true, 0.01), 'better');
  assert.equal(verdict(0.95, 0.9, false, 0.01), 'worse');
  assert.equal(verdict(0.905, 0.9, true, 0.01), 'no clear difference');
  assertClose(accuracyTolerance(0.5, 10000), 2 * Math.sqrt(0.5 / 10000), 1e-12);
  const base = fake('dense', {});
  const probeOf = (acc: number) => ({ ...base.probe, testAccuracy: acc });
  const line = (m: ModelMeasures) => claimLines(m, base).find((l) => l.measure.startsWith('linear probe'))!;
  assert.equal(line(fake('KL', { probe: probeOf(0.95) })).verdict, 'better');
  assert.match(line(fake('KL', { probe: probeOf(0.95) })).sentence, /0\.9500 for the KL model vs 0\.9000 for the dense model, so here sparsity helps/);
  assert.match(line(fake('KL', { probe: probeOf(0.85) })).sentence, /does not help/);
  assert.match(line(fake('KL', { probe: probeOf(0.902) })).sentence, /no clear difference/);
  const cost = (m: ModelMeasures) => claimLines(m, base).find((l) => l.claim.startsWith('Cost'))!.sentence;
  assert.match(cost(fake('KL', { testMse: 0.02 })), /sparsity has a price/);
});
