import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { Dataset, pixelStats, image } from '../../src/data/mnist';
import { createModel } from '../../src/core/sae';
import { decodeCodes, encodeAll, layerSummary, meanImageMse, reconstructionMse } from '../../src/core/evaluate';
import { Rng } from '../../src/runtime/random';
import { referenceLoss } from './reference';
import { assertClose, setup } from '../helpers';

function tiny(values: number[][], dim: number): Dataset {
  return { images: Float32Array.from(values.flat()), labels: new Uint8Array(values.length), count: values.length, rows: 1, cols: dim, dim, source: 'test' };
}

test('meanImageMse and pixelStats on hand-worked data', () => {
  // train mean image = [0.5, 0.25]; test rows [1, 0] and [0, 0.5]
  // squared errors: 0.25, 0.0625, 0.25, 0.0625 -> mean 0.15625
  const train = tiny([[0, 0.5], [1, 0]], 2);
  const held = tiny([[1, 0], [0, 0.5]], 2);
  assertClose(meanImageMse(train, held), 0.15625, 1e-12);
  // pixels 0, 0.5, 1, 0: mean 0.375, variance (0.140625 + 0.015625 + 0.390625 + 0.140625)/4 = 0.171875
  const s = pixelStats(train);
  assertClose(s.mean, 0.375, 1e-7);
  assertClose(s.std, Math.sqrt(0.171875), 1e-6);
  assert.deepEqual(Array.from(image(train, 1)), [1, 0]);
  assert.throws(() => image(train, 2), /image index must be an integer in \[0, 1\], got 2/);
});

test('reconstructionMse agrees with the float64 reference model, in uneven batches', async () => {
  await setup();
  const config = { inputDim: 10, hiddenDim: 6, latentDim: 4, sparsity: 'l1' as const, sparsityWeight: 0, rho: 0.05 };
  const start = tf.memory().numTensors;
  createModel(config, 1).dispose();
  assert.equal(tf.memory().numTensors, start, 'creating and disposing a model leaves no tensors');
  const model = createModel(config, 11);
  const rng = new Rng(5);
  const rows = Array.from({ length: 7 }, () => Array.from({ length: 10 }, () => rng.next()));
  const data = tiny(rows, 10);
  const layers = [...model.encoder, ...model.decoder].map((l) => ({
    w: Float64Array.from(l.w.dataSync()), b: Float64Array.from(l.b.dataSync()),
    inDim: l.w.shape[0], outDim: l.w.shape[1], act: (l.activation === 'relu' ? 'relu' : 'sigmoid') as 'relu' | 'sigmoid',
  }));
  // With sparsityWeight 0 the reference loss is the reconstruction MSE alone.
  const expected = referenceLoss(layers, rows.map((r) => Float64Array.from(r)), model.config);
  const before = tf.memory().numTensors;
  assertClose(reconstructionMse(model, data, 3), expected, 1e-5);
  const codes = encodeAll(model, data, 5, 2);
  assert.equal(codes.length, 5 * 4);
  const images = decodeCodes(model, codes);
  assert.equal(images.length, 5 * 10);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(layerSummary(model).map((r) => r.parameters), [10 * 6 + 6, 6 * 4 + 4, 4 * 6 + 6, 6 * 10 + 10]);
  assert.equal(model.parameterCount(), 66 + 28 + 30 + 70);
  model.dispose();
});
