/**
 * The standard autoencoder (the lesson's table, first row): the config accepts it by name, its
 * penalty is exactly zero (total = MSE, gradient = the MSE's), it has the sparse models' layers,
 * and its codes are measured by the same sparsity functions as theirs.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { makeConfig, hasPenalty } from '../../src/core/config';
import { createModel, L1SparseAutoencoder, KLSparseAutoencoder, StandardAutoencoder } from '../../src/core/sae';
import { mse } from '../../src/core/losses';
import { sparsityReport, analyzeSparsity } from '../../src/core/analysis';
import { encodeAll } from '../../src/core/evaluate';
import { lessonSpec } from '../../src/core/part6';
import { datasetFromMatrix } from '../../src/data/matrix';
import { Rng } from '../../src/runtime/random';
import { setup } from '../helpers';

const SMALL = { inputDim: 12, hiddenDim: 6, latentDim: 5 };

function randomRows(rows: number, cols: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * cols }, () => rng.next());
}

test('the config names the standard autoencoder; createModel picks its class and latent', async () => {
  await setup();
  assert.equal(makeConfig({ sparsity: 'none-relu' }).sparsity, 'none-relu');
  assert.equal(makeConfig({ sparsity: 'none-sigmoid', sparsityWeight: 0 }).sparsityWeight, 0);
  assert.deepEqual(['l1', 'kl', 'none-relu', 'none-sigmoid'].map((s) => hasPenalty(s as never)), [true, true, false, false]);
  for (const [sparsity, act] of [['none-relu', 'relu'], ['none-sigmoid', 'sigmoid']] as const) {
    const m = createModel({ ...SMALL, sparsity }, 1);
    assert.ok(m instanceof StandardAutoencoder);
    assert.deepEqual(m.encoder.map((l) => l.activation), ['relu', act]);
    assert.deepEqual(m.decoder.map((l) => l.activation), ['relu', 'sigmoid']);
    m.dispose();
  }
  const plain = new StandardAutoencoder(SMALL);
  assert.equal(plain.config.sparsity, 'none-relu');
  plain.dispose();
  assert.throws(() => new StandardAutoencoder({ ...SMALL, sparsity: 'kl' }),
    /SaeConfig\.sparsity = "kl" is invalid for StandardAutoencoder: expected 'none-relu' or 'none-sigmoid'/);
  assert.throws(() => new L1SparseAutoencoder({ ...SMALL, sparsity: 'none-relu' }), /invalid for L1SparseAutoencoder: expected 'l1'/);
  // Part 6's spec of a standard model says what it is: no weight on a penalty.
  assert.equal(lessonSpec('none-sigmoid').model.sparsityWeight, 0);
  assert.equal(lessonSpec('kl').model.sparsityWeight, 0.01);
});

test('same seed, same layers: the ReLU twin starts from the L1 model\'s weights, the sigmoid twin from the KL model\'s', async () => {
  await setup();
  const pairs = [[new L1SparseAutoencoder(SMALL, 9), createModel({ ...SMALL, sparsity: 'none-relu' }, 9)],
    [new KLSparseAutoencoder(SMALL, 9), createModel({ ...SMALL, sparsity: 'none-sigmoid' }, 9)]];
  for (const [sparse, dense] of pairs) {
    assert.equal(sparse.parameterCount(), dense.parameterCount());
    sparse.variables.forEach((v, i) => assert.deepEqual(Array.from(v.dataSync()), Array.from(dense.variables[i].dataSync())));
    sparse.dispose();
    dense.dispose();
  }
});

test('the penalty is exactly zero: total equals the MSE, and the gradient equals the plain MSE\'s', async () => {
  await setup();
  for (const sparsity of ['none-relu', 'none-sigmoid'] as const) {
    // A large weight left in the config must change nothing.
    const model = createModel({ ...SMALL, sparsity, sparsityWeight: 5 }, 3);
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(randomRows(7, 12, 4), [7, 12]);
    const h = tf.tensor2d(randomRows(7, 5, 5), [7, 5]);
    const penalty = model.penalty(h);
    assert.equal(penalty.arraySync(), 0);
    const parts = model.losses(x);
    assert.equal(parts.sparsity.arraySync(), 0);
    assert.equal(parts.total.arraySync(), parts.reconstruction.arraySync(), `${sparsity}: total is not the MSE`);
    // The MSE computed a second way: the model's forward pass and the loss function on their own.
    const second = tf.tidy(() => mse(x, model.decode(model.encode(x))));
    assert.equal(parts.total.arraySync(), second.arraySync());
    const g1 = tf.variableGrads(() => model.losses(x).total, model.variables);
    const g2 = tf.variableGrads(() => mse(x, model.decode(model.encode(x))), model.variables);
    for (const v of model.variables) {
      assert.deepEqual(Array.from(g1.grads[v.name].dataSync()), Array.from(g2.grads[v.name].dataSync()), `${sparsity} ${v.name}`);
    }
    tf.dispose([penalty, parts.total, parts.reconstruction, parts.sparsity, second, g1.value, g2.value,
      ...Object.values(g1.grads), ...Object.values(g2.grads)]);
    tf.dispose([x, h]);
    assert.equal(tf.memory().numTensors, before, `${sparsity}: tensors leaked`);
    model.dispose();
  }
});

test('a hand-built code matrix: the population and lifetime numbers counted by hand', () => {
  // 4 images x 3 units, threshold 0.25 (exact in float32, unlike 0.1): active entries marked *.
  //   0.5*  0     0
  //   0.3*  0.05  0
  //   0.9*  0.3*  0
  //   0     0.25  0      (0.25 is not above the threshold)
  const codes = Float32Array.from([0.5, 0, 0, 0.3, 0.05, 0, 0.9, 0.3, 0, 0, 0.25, 0]);
  const r = sparsityReport(codes, 3, { threshold: 0.25 });
  assert.deepEqual(Array.from(r.populationPerSample), [1 / 3, 1 / 3, 2 / 3, 0]);
  assert.equal(r.populationSparsity, (1 / 3 + 1 / 3 + 2 / 3 + 0) / 4);
  assert.deepEqual(Array.from(r.lifetimePerUnit), [3 / 4, 1 / 4, 0]);
  assert.deepEqual(r.inactiveUnits, [2]);
});

test('a standard model\'s codes go through the very same measures as a sparse model\'s', async () => {
  await setup();
  const data = datasetFromMatrix(randomRows(40, 12, 6), new Uint8Array(40), 12, 'random rows');
  for (const sparsity of ['none-relu', 'none-sigmoid', 'l1'] as const) {
    const model = createModel({ ...SMALL, sparsity }, 2);
    const report = analyzeSparsity(model, data, { numSamples: 40 });
    const codes = encodeAll(model, data);
    // Counted here by hand from the codes, without the kit's matrix helpers.
    let activeAll = 0;
    const perUnit = new Array(5).fill(0);
    codes.forEach((v, i) => { if (v > 0.1) { activeAll += 1; perUnit[i % 5] += 1; } });
    assert.ok(Math.abs(report.populationSparsity - activeAll / (40 * 5)) < 1e-12, sparsity);
    assert.deepEqual(Array.from(report.lifetimePerUnit), perUnit.map((c) => c / 40));
    assert.deepEqual(report.inactiveUnits, perUnit.flatMap((c, j) => (c / 40 < 0.01 ? [j] : [])));
    model.dispose();
  }
});
