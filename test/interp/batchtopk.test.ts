/**
 * BatchTopK (activations/batchtopk.ts) and its Matryoshka reconstruction (matryoshka.ts), against
 * sorting and sums done by hand in float64: how many codes a batch keeps, with and without ties;
 * the running threshold over two training steps; inference by the threshold keeping the training
 * L0 on held-out data; the Matryoshka term as the sum of its prefix losses.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { DictSae, evaluateDictSae } from '../../src/interp/dictsae';
import { batchTopK, matryoshkaReconstruction, nextThreshold, UNSET_THRESHOLD } from '../../src/interp/activations';
import { fit } from '../../src/core/train';
import { Dataset } from '../../src/data/mnist';
import { plantedModel } from '../../src/truth/planted';
import { plantedDataset, samplePlanted } from '../../src/truth/planted-sample';
import { Rng } from '../../src/runtime/random';
import { assertAllClose, assertClose, setup } from '../helpers';

const nonZeros = (a: ArrayLike<number>) => Array.from(a).filter((v) => v !== 0).length;

test('BatchTopK keeps exactly k·B codes of a batch without ties, as many per row as the row wins', async () => {
  await setup();
  const rng = new Rng(3);
  const [rows, cols, k] = [16, 40, 5];
  // Distinct positive values (a random permutation of 1..rows·cols, scaled): no ties anywhere.
  const values = Array.from(rng.permutation(rows * cols), (v) => (v + 1) / 100);
  const pre = tf.tensor2d(values, [rows, cols]);
  const f = batchTopK(pre, k).dataSync();
  assert.equal(nonZeros(f), k * rows, 'k·B non-zeros in the batch');
  // By hand: the k·B largest of the whole batch, kept at their values.
  const cutoff = values.slice().sort((a, b) => b - a)[k * rows - 1];
  assertAllClose(f, values.map((v) => (v >= cutoff ? v : 0)), 1e-7, 'codes');
  const perRow = Array.from({ length: rows }, (_, i) => nonZeros(f.subarray(i * cols, (i + 1) * cols)));
  assert.ok(new Set(perRow).size > 1, `rows keep different numbers of latents: ${perRow}`);
  tf.dispose(pre);
});

test('BatchTopK ties: every entry equal to the (k·B)-th value is kept; entries <= 0 never are', async () => {
  await setup();
  // k = 1, B = 2: k·B = 2. Sorted: 3, 2, 2, 2, 1, 0; the 2nd largest is 2, tied three times: 4 kept.
  const tied = tf.tensor2d([[3, 2, 2], [2, 1, 0]]);
  assert.deepEqual(batchTopK(tied, 1).arraySync(), [[3, 2, 2], [2, 0, 0]]);
  // Only 2 positive entries for k·B = 4: both kept, nothing else (ReLU before the selection).
  const negative = tf.tensor2d([[-1, 0.5, -2], [-0.1, -3, 0.25]]);
  assert.deepEqual(batchTopK(negative, 2).arraySync(), [[0, 0.5, 0], [0, 0, 0.25]]);
  tf.dispose([tied, negative]);
});

test('the running threshold by hand: the first step sets θ to the smallest kept code, then θ <- (1 - r) θ + r m', async () => {
  await setup();
  const t = (v: number) => tf.scalar(v);
  const step = (theta: number, m: number, r: number) => nextThreshold(t(theta), t(m), r).dataSync()[0];
  assert.equal(step(UNSET_THRESHOLD, 0.7, 0.01), Math.fround(0.7), 'first step: θ = m');
  assertClose(step(0.7, 0.2, 0.01), 0.99 * 0.7 + 0.01 * 0.2, 1e-7, 'second step');
  assert.equal(step(0.7, Infinity, 0.01), Math.fround(0.7), 'a step that kept nothing leaves θ');

  // Through DictSae and fit: one batch of 8 per epoch, so each fit call is one step. Before each
  // step, m is worked out by hand from the weights as they are: pre = (x - b_dec) W_enc + b_enc,
  // the batch's k·B largest of relu(pre), their smallest.
  const [d, m, k, n, r] = [6, 10, 2, 8, 0.25];
  const rng = new Rng(5);
  const images = Float32Array.from({ length: n * d }, () => rng.uniform(-1, 1));
  const data: Dataset = { images, labels: new Uint8Array(n), count: n, rows: 1, cols: d, dim: d, source: 'hand-built' };
  const sae = new DictSae({ activation: 'batchtopk', inputDim: d, latentDim: m, k, thresholdRate: r }, 2);
  const threshold = () => sae.namedTensors().find(([name]) => name === 'threshold')![1].dataSync()[0];
  const smallestKept = () => {
    const [w, be, bd] = [sae.wEnc.dataSync(), sae.bEnc.dataSync(), sae.bDec.dataSync()];
    const codes: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let a = be[j];
        for (let t = 0; t < d; t++) a += (images[i * d + t] - bd[t]) * w[t * m + j];
        codes.push(Math.max(0, a));
      }
    }
    return codes.sort((a, b) => b - a).slice(0, k * n).filter((v) => v > 0).pop()!;
  };
  assert.equal(threshold(), UNSET_THRESHOLD, 'θ is unset before training');
  const expected: number[] = [];
  let theta = 0;
  for (let s = 0; s < 2; s++) {
    const mHand = smallestKept();
    theta = s === 0 ? mHand : (1 - r) * theta + r * mHand;
    expected.push(theta);
    await fit(sae, data, { epochs: 1, batchSize: n, learningRate: 0.01, progress: false });
    assertClose(threshold(), theta, 1e-5, `θ after step ${s + 1}`);
  }
  assert.notEqual(expected[0], expected[1], 'the two steps differ, so the check says something');
  sae.dispose();
});

test('a trained BatchTopK SAE encodes held-out data by its threshold at about the training L0', async () => {
  await setup();
  const planted = plantedModel({ n: 96, d: 48, l0: 6, seed: 4 });
  const train = plantedDataset(planted, samplePlanted(planted, 4096, 10));
  const heldOut = plantedDataset(planted, samplePlanted(planted, 1024, 11));
  const k = 6;
  const sae = new DictSae({ activation: 'batchtopk', inputDim: 48, latentDim: 128, k }, 3);
  await fit(sae, train, { epochs: 8, batchSize: 128, learningRate: 3e-3, progress: false });
  const { l0 } = evaluateDictSae(sae, heldOut);
  const perInput = tf.tidy(() => {
    const codes = sae.encode(tf.tensor2d(heldOut.images, [heldOut.count, heldOut.dim]));
    return Array.from(tf.sum(tf.cast(tf.greater(codes, 0), 'float32'), 1).dataSync());
  });
  console.log(`BatchTopK k = ${k}: held-out L0 by the threshold ${l0.toFixed(2)} (${(100 * (l0 / k - 1)).toFixed(1)}% off k); ` +
    `per input ${Math.min(...perInput)} to ${Math.max(...perInput)} latents`);
  // Measured 5.36 (-10.6%; inputs keep 0 to 17 latents) on wasm+native; 20% is the stated tolerance.
  assert.ok(Math.abs(l0 / k - 1) < 0.2, `held-out L0 ${l0} is not within 20% of k = ${k}`);
  assert.ok(Math.max(...perInput) > Math.min(...perInput), 'inference keeps a variable number of latents per input');
  sae.dispose();
});

test('Matryoshka: the reconstruction term is the sum of the prefix losses, each prefix decoded alone (by hand)', async () => {
  await setup();
  const f = [[1, 0, 2, 0.5], [0, 3, 0, 1]];
  const D = [[1, 0, 1], [0, 1, 1], [2, -1, 0], [0.5, 0.5, -1]]; // decoder rows
  const b = [0.1, -0.2, 0.3];
  const x = [[1, 2, 3], [-1, 0, 2]];
  const decodePrefix = (p: number) => f.map((row) => b.map((bc, c) => row.slice(0, p).reduce((s, v, j) => s + v * D[j][c], bc)));
  const mseOf = (xHat: number[][]) => xHat.reduce((s, r, i) => s + r.reduce((t, v, c) => t + (x[i][c] - v) ** 2, 0), 0) / 6;
  const expected = [1, 3, 4].reduce((s, p) => s + mseOf(decodePrefix(p)), 0);
  const t = { x: tf.tensor2d(x), f: tf.tensor2d(f), D: tf.tensor2d(D), b: tf.tensor1d(b), xHat: tf.tensor2d(decodePrefix(4)) };
  const value = matryoshkaReconstruction({ x: t.x, f: t.f, xHat: t.xHat, decoder: () => t.D, bias: t.b }, [1, 3, 4]);
  assertClose(value.dataSync()[0], expected, 1e-6, 'sum of prefix MSEs');
  // The prefix that is the whole code alone is the plain MSE.
  const whole = matryoshkaReconstruction({ x: t.x, f: t.f, xHat: t.xHat, decoder: () => t.D, bias: t.b }, [4]);
  assertClose(whole.dataSync()[0], mseOf(decodePrefix(4)), 1e-6, 'one prefix');
  tf.dispose([value, whole, ...Object.values(t)]);
});

test('Matryoshka in the SAE: the loss\'s reconstruction is the sum of its prefixes\' MSEs, from its own code and decoder', async () => {
  await setup();
  const rng = new Rng(8);
  const xs = Float32Array.from({ length: 12 * 10 }, () => rng.uniform(-1, 1));
  const base = { activation: 'batchtopk' as const, inputDim: 10, latentDim: 16, k: 3 };
  const plain = new DictSae(base, 4);
  const nested = new DictSae({ ...base, prefixes: [4, 8, 16] }, 4);
  const parts = (sae: DictSae) => tf.tidy(() => {
    const x = tf.tensor2d(xs, [12, 10]);
    const l = sae.losses(x);
    return [l.reconstruction.dataSync()[0], l.total.dataSync()[0]];
  });
  // By hand from the SAE's own code and decoder: decode the first 4, 8 and 16 latents.
  const byHand = tf.tidy(() => {
    const x = tf.tensor2d(xs, [12, 10]);
    const f = batchTopK(nested.preActivations(x), 3);
    const dec = nested.decoderMatrix();
    return [4, 8, 16].reduce((s, p) => {
      const xHat = tf.add(tf.matMul(tf.slice(f, [0, 0], [-1, p]), tf.slice(dec, [0, 0], [p, -1])), nested.bDec);
      return s + tf.mean(tf.squaredDifference(x, xHat)).dataSync()[0];
    }, 0);
  });
  const [recon, total] = parts(nested);
  assertClose(recon, byHand, 1e-5, 'Matryoshka reconstruction');
  assert.equal(total, recon, 'no AuxK: total = reconstruction');
  const [plainRecon] = parts(plain);
  assert.ok(recon > plainRecon, 'the sum holds the plain loss and two more');
  plain.dispose();
  nested.dispose();
});
