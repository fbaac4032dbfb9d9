import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { MlpClassifier } from '../../src/interp/mlp';
import { fit } from '../../src/core/train';
import { datasetFromMatrix } from '../../src/data/matrix';
import { Rng } from '../../src/runtime/random';
import { assertClose, setup } from '../helpers';

function blobs(seed: number, n: number, dim: number) {
  const rng = new Rng(seed);
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const values = Float32Array.from({ length: n * dim }, (_, k) => rng.uniform(-1, 1) + (k % dim === labels[Math.floor(k / dim)] ? 2 : 0));
  return datasetFromMatrix(values, labels, dim, 'blobs');
}

test('MlpClassifier.losses: crossEntropy is the mean softmax cross-entropy, computed by hand from the logits', async () => {
  await setup();
  const mlp = new MlpClassifier(8, 5, 3, 1);
  const data = blobs(2, 6, 8);
  const before = tf.memory().numTensors;
  const [ce, total, logits] = tf.tidy(() => {
    const x = tf.tensor2d(data.images, [6, 8]);
    const parts = mlp.losses(x, tf.tensor1d(data.labels, 'int32'));
    assert.deepEqual(Object.keys(parts), ['total', 'crossEntropy']);
    return [parts.crossEntropy.dataSync()[0], parts.total.dataSync()[0], mlp.logits(x).arraySync()];
  });
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  // -log softmax(z)[y], averaged over the 6 rows
  const expected = logits.reduce((s, z, i) => s - (z[data.labels[i]] - Math.log(z.reduce((a, v) => a + Math.exp(v), 0))), 0) / 6;
  assertClose(ce, expected, 1e-5, 'cross-entropy');
  assert.equal(total, ce);
  mlp.dispose();
});

test('MlpClassifier trains through the one fit: mlp.fit returns the crossEntropy column of fit(mlp, data)', async () => {
  await setup();
  const data = blobs(3, 96, 8);
  const options = { epochs: 3, batchSize: 16, learningRate: 0.01, seed: 7, progress: false as const };
  const a = new MlpClassifier(8, 5, 3, 4);
  const b = new MlpClassifier(8, 5, 3, 4); // same seed: same weights
  const before = tf.memory().numTensors;
  const losses = await a.fit(data, options);
  const history = await fit(b, data, options);
  assert.equal(tf.memory().numTensors, before, 'training leaks no tensors');
  assert.deepEqual(losses, history.map((r) => r.crossEntropy), 'same batches (the trainer\'s epochSeed), same losses');
  for (const r of history) assert.equal(r.total, r.crossEntropy);
  assert.ok(losses[2] < losses[0], `the loss should fall: ${losses.join(', ')}`);
  assert.equal((await a.fit(data, { progress: false })).length, 5, '5 epochs unless told');
  // The trainer checks the data's width against config.inputDim before it starts.
  await assert.rejects(fit(a, blobs(1, 10, 6), { progress: false }), /the data has 6 values per image .* config\.inputDim is 8/);
  a.dispose();
  b.dispose();
});
