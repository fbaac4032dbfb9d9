import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { DictSae } from '../../src/interp/dictsae';
import { L1SparseAutoencoder } from '../../src/core/sae';
import { MlpClassifier } from '../../src/interp/mlp';
import { featureDashboard } from '../../src/interp/dashboard';
import { decodeCodes, decodeUnits, encodeAll, reconstructionMse } from '../../src/core/evaluate';
import { datasetFromMatrix } from '../../src/data/matrix';
import { Rng } from '../../src/runtime/random';
import { assertAllClose, assertClose, setup } from '../helpers';

function randomData(seed: number, n: number, dim: number, classes: number) {
  const rng = new Rng(seed);
  const values = Float32Array.from({ length: n * dim }, () => rng.uniform(-1, 1));
  return datasetFromMatrix(values, Array.from({ length: n }, (_, i) => i % classes), dim, 'random');
}

test('a DictSae of every activation is an Encoder and a Decoder: encodeAll, decodeCodes, decodeUnits, reconstructionMse', async () => {
  await setup();
  const data = randomData(1, 11, 6, 2);
  for (const activation of ['topk', 'relu', 'sigmoid'] as const) {
    const sae = new DictSae({ inputDim: 6, latentDim: 9, activation, k: 3 }, 4);
    const before = tf.memory().numTensors;
    // The notebooks' old hand encoding: all rows at once through sae.encode.
    const byHand = tf.tidy(() => sae.encode(tf.tensor2d(data.images, [11, 6])).dataSync() as Float32Array);
    const codes = encodeAll(sae, data, 7, 3); // first 7 rows, in batches of 3, 3 and 1
    assertAllClose(codes, byHand.subarray(0, 7 * 9), 1e-6, `${activation} codes`);
    if (activation === 'topk') {
      // at most k = 3 per row (fewer where the ReLU zeroes a negative pre-activation among the top 3)
      for (let i = 0; i < 7; i++) assert.ok(codes.subarray(i * 9, (i + 1) * 9).filter((v) => v !== 0).length <= 3);
    }
    const all = encodeAll(sae, data);
    const recon = decodeCodes(sae, all);
    const byHandRecon = tf.tidy(() => sae.decode(tf.tensor2d(all, [11, 9])).dataSync() as Float32Array);
    assertAllClose(recon, byHandRecon, 1e-6, `${activation} reconstruction`);
    // The MSE from plain arrays, against the batched tensor computation.
    let se = 0;
    for (let i = 0; i < recon.length; i++) se += (data.images[i] - recon[i]) ** 2;
    assertClose(reconstructionMse(sae, data, 4), se / recon.length, 1e-5, `${activation} MSE`);
    // The decoder is affine: decoding value 2 on unit j moves 2x as far from decode(0) as value 1.
    const [one] = decodeUnits(sae, [5], 1);
    const [two] = decodeUnits(sae, [5], 2);
    const [zero] = decodeUnits(sae, [5], 0);
    assertAllClose(two.map((v, t) => v - zero[t]), one.map((v, t) => 2 * (v - zero[t])), 1e-5, `${activation} decodeUnits`);
    assert.throws(() => decodeUnits(sae, [9]), /unit 9 is not a latent unit; expected an integer in \[0, 8\]/);
    assert.equal(tf.memory().numTensors, before, `${activation}: no tensors leak`);
    sae.dispose();
  }
});

/** Plain float64 dense layer: rows x [n][in] times w [in][out] + b, then the activation. */
function dense(x: number[][], w: Float32Array, b: Float32Array, out: number, act: string): number[][] {
  return x.map((row) => Array.from({ length: out }, (_, o) => {
    const z = row.reduce((s, v, i) => s + v * w[i * out + o], b[o]);
    return act === 'relu' ? Math.max(0, z) : act === 'sigmoid' ? 1 / (1 + Math.exp(-z)) : z;
  }));
}

test('featureDashboard works for a lesson autoencoder (non-linear decoder): its logit effect matches a float64 computation', async () => {
  await setup();
  const mlp = new MlpClassifier(12, 6, 3, 2);
  const acts = mlp.activationDataset(randomData(3, 40, 12, 3));
  const sae = new L1SparseAutoencoder({ inputDim: 6, hiddenDim: 5, latentDim: 8 }, 9);
  const codes = encodeAll(sae, acts);
  const unit = Array.from({ length: 8 }, (_, j) => j).find((j) => codes.some((v, i) => i % 8 === j && v > 0));
  assert.ok(unit !== undefined, 'some latent should fire on random inputs');
  const before = tf.memory().numTensors;
  const d = featureDashboard(sae, mlp, acts, codes, unit);
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  // By hand: decode each firing code with and without the feature, in float64, through the MLP's last layer.
  const firing = Array.from({ length: acts.count }, (_, i) => i).filter((i) => codes[i * 8 + unit] > 0);
  const decode = (rows: number[][]) => sae.decoder.reduce((x, l) => dense(x, l.w.dataSync() as Float32Array, l.b.dataSync() as Float32Array, l.w.shape[1], l.activation), rows);
  const logits = (rows: number[][]) => dense(rows, mlp.out.w.dataSync() as Float32Array, mlp.out.b.dataSync() as Float32Array, 3, 'linear');
  const rows = firing.map((i) => Array.from(codes.subarray(i * 8, (i + 1) * 8)));
  const withF = logits(decode(rows));
  const withoutF = logits(decode(rows.map((r) => r.map((v, j) => (j === unit ? 0 : v)))));
  const expected = [0, 1, 2].map((c) => withF.reduce((s, row, r) => s + row[c] - withoutF[r][c], 0) / firing.length);
  assertAllClose(d.logitEffect, expected, 1e-5, 'logit effect');
  assertClose(d.density, firing.length / acts.count, 1e-12);
  assert.throws(() => featureDashboard(sae, mlp, acts, codes, 8), /unit 8 is not a latent unit; expected an integer in \[0, 7\]/);
  assert.throws(() => featureDashboard(sae, mlp, acts, codes.subarray(8), 0), /codes hold 312 values; expected acts.count x latentDim = 40 x 8 = 320/);
  sae.dispose();
  mlp.dispose();
});
