import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { DictSae, makeDictSaeConfig, topK } from '../../src/interp/dictsae';
import { densityReport, firingRates, fvu, l0 } from '../../src/interp/metrics';
import { fit } from '../../src/core/train';
import { encodeAll } from '../../src/core/evaluate';
import { Dataset } from '../../src/data/mnist';
import { Rng } from '../../src/runtime/random';
import { assertAllClose, assertClose, setup } from '../helpers';

test('topK keeps exactly the k largest entries of each row', async () => {
  await setup();
  const z = tf.tensor2d([[0.5, -1, 3, 2, 0.1], [4, 3, 2, 1, 0.5]]);
  const out = topK(z, 2).arraySync();
  assert.deepEqual(out, [[0, 0, 3, 2, 0], [4, 3, 0, 0, 0]]);
  // negative pre-activations never fire, even when among the k largest
  assert.deepEqual(topK(tf.tensor2d([[-1, -2, -3]]), 2).arraySync(), [[0, 0, 0]]);
  const rng = new Rng(2);
  const big = tf.tensor2d(Array.from({ length: 20 }, () => Array.from({ length: 50 }, () => rng.next() + 0.01)));
  const kept = topK(big, 7).arraySync();
  for (const row of kept) assert.equal(row.filter((v) => v !== 0).length, 7);
  tf.dispose([z, big]);
});

test('L0, FVU and firing rates by hand', () => {
  const codes = [0, 1, 0, 2, 0, 0, 3, 4, 5]; // 3 inputs x 3 latents: 1, 1, 3 non-zero
  assertClose(l0(codes, 3), 5 / 3, 1e-12);
  // latent 0 fires on inputs 1 and 2, latent 1 on 0 and 2, latent 2 on 2
  assertAllClose(firingRates(codes, 3), [2 / 3, 2 / 3, 1 / 3], 1e-12);
  const d = densityReport([0, 1, 0, 0, 1, 0], 3, 0.5, 4);
  assertClose(d.deadFraction, 2 / 3, 1e-12);
  assertClose(d.denseFraction, 1 / 3, 1e-12); // latent 1 fires on every input
  // x = [[0, 0], [2, 2]] (mean [1, 1], total variance 4), x_hat = [[1, 0], [2, 1]] (error 2) -> 0.5
  assertClose(fvu([0, 0, 2, 2], [1, 0, 2, 1], 2), 0.5, 1e-12);
  assertClose(fvu([0, 0, 2, 2], [1, 1, 1, 1], 2), 1, 1e-12);
});

function sparseData(seed: number, dim: number, truths: number, n: number, active: number): Dataset {
  const rng = new Rng(seed);
  const dirs = Array.from({ length: truths }, () => Array.from({ length: dim }, () => rng.uniform(-1, 1)));
  const images = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (const j of Array.from(rng.permutation(truths).subarray(0, active))) {
      const c = rng.uniform(0.5, 1.5);
      for (let t = 0; t < dim; t++) images[i * dim + t] += c * dirs[j][t];
    }
  }
  return { images, labels: new Uint8Array(n), count: n, rows: 1, cols: dim, dim, source: 'synthetic' };
}

test('decoder rows stay at unit norm after every step, tied or not; no tensors leak', async () => {
  await setup();
  const data = sparseData(1, 12, 10, 256, 2);
  for (const tied of [false, true]) {
    const sae = new DictSae({ inputDim: 12, latentDim: 16, activation: 'relu', sparsityWeight: 1e-3, tied }, 3);
    const norms: number[][] = [];
    const before = tf.memory().numTensors;
    // One batch of 256 per epoch, so onEpoch runs after every step. A decoder row is
    // decode(e_j) - decode(0) (the decoder is affine), read through the public decode.
    const rowNorms = () => tf.tidy(() => {
      const rows = tf.sub(sae.decode(tf.eye(16) as tf.Tensor2D), sae.decode(tf.zeros([1, 16]) as tf.Tensor2D));
      return Array.from(tf.norm(rows, 'euclidean', 1).dataSync());
    });
    await fit(sae, data, { epochs: 8, batchSize: 256, learningRate: 0.01, progress: false, onEpoch: () => norms.push(rowNorms()) });
    assert.equal(norms.length, 8);
    for (const row of norms) assertAllClose(row, new Array(16).fill(1), 1e-5, `tied=${tied}`);
    assert.ok(tf.memory().numTensors <= before + 1, `tensors grew from ${before} to ${tf.memory().numTensors}`);
    sae.dispose();
  }
  // unitNormDecoder false (the sigmoid kind's default) leaves the rows free: the same training
  // moves them off unit norm.
  const free = new DictSae({ inputDim: 12, latentDim: 16, activation: 'relu', sparsityWeight: 1e-3, unitNormDecoder: false }, 3);
  await fit(free, data, { epochs: 8, batchSize: 256, learningRate: 0.01, progress: false });
  const freeNorms = tf.tidy(() => Array.from(tf.norm(free.decoderMatrix(), 'euclidean', 1).dataSync()));
  assert.ok(freeNorms.some((v) => Math.abs(v - 1) > 1e-2), `free rows stayed at unit norm: ${freeNorms}`);
  free.dispose();
  assert.equal(makeDictSaeConfig({ activation: 'sigmoid' }).unitNormDecoder, false);
  assert.equal(makeDictSaeConfig({ activation: 'relu' }).unitNormDecoder, true);
  assert.throws(() => makeDictSaeConfig({ unitNormDecoder: 1 as never }), /DictSaeConfig\.unitNormDecoder = 1 is invalid/);
  assert.throws(() => makeDictSaeConfig({ k: 0 }), /DictSaeConfig\.k = 0 is invalid/);
  assert.throws(() => makeDictSaeConfig({ activation: 'gelu' as never }), /activation = "gelu"/);
});

test('AuxK revives latents that TopK starves; without it they stay dead', async () => {
  await setup();
  const data = sparseData(4, 16, 24, 2048, 3);
  const deadAfter = 20;
  const run = async (auxK: number) => {
    const sae = new DictSae({ inputDim: 16, latentDim: 32, activation: 'topk', k: 3, auxK, auxWeight: 1, deadAfter }, 5);
    // Starve latents 16-31: their encoder columns are shrunk 100x, so they never make the top 3.
    tf.tidy(() => {
      const scale = tf.concat([tf.ones([16]), tf.fill([16], 0.01)]);
      sae.wEnc.assign(tf.mul(sae.wEnc, scale) as tf.Tensor2D);
    });
    const history: number[] = [];
    await fit(sae, data, { epochs: 6, batchSize: 64, learningRate: 0.01, progress: false,
      onEpoch: () => history.push(sae.deadFraction()) });
    sae.dispose();
    return history;
  };
  const without = await run(0);
  const withAux = await run(8);
  console.log(`dead fraction per epoch, TopK alone: ${without.map((d) => d.toFixed(2)).join(' ')}; with AuxK: ${withAux.map((d) => d.toFixed(2)).join(' ')}`);
  assert.ok(without[0] >= 0.4, `the constructed case should start with dead latents, got ${without[0]}`);
  assert.ok(without[without.length - 1] >= 0.4, 'without AuxK the starved latents should stay dead');
  assert.ok(withAux[withAux.length - 1] < without[without.length - 1] / 2, 'AuxK should revive most starved latents');
});

test('the MLP classifier reaches 97% on the MNIST test set; a dashboard\'s logit effect matches a direct computation', async () => {
  await setup();
  const { loadMnist } = await import('../../src/data/mnist');
  const { MlpClassifier } = await import('../../src/interp/mlp');
  const { featureDashboard, topActivating } = await import('../../src/interp/dashboard');
  const train = loadMnist({ split: 'train' });
  const test = loadMnist({ split: 'test' });
  const mlp = new MlpClassifier(784, 256, 10, 42);
  await mlp.fit(train, { epochs: 5, progress: false });
  const acc = mlp.accuracy(test);
  console.log(`MLP 784-256-10, 5 epochs on 60000 images: test accuracy ${(100 * acc).toFixed(2)}%`);
  // 97% is what notebook 13 needs: its SAE reads the hidden layer of a classifier that works.
  assert.ok(acc >= 0.97, `test accuracy ${acc} < 0.97`);

  const acts = mlp.activationDataset(loadMnist({ split: 'test', limit: 300 }));
  const sae = new DictSae({ inputDim: 256, latentDim: 64, activation: 'topk', k: 8 }, 1);
  const codes = encodeAll(sae, acts);
  const unit = topActivating(codes, 64, 0, 1).length ? 0 : 1;
  const d = featureDashboard(sae, mlp, acts, codes, unit);
  assert.ok(d.top.length > 0);
  for (let i = 1; i < d.top.length; i++) assert.ok(codes[d.top[i - 1] * 64 + unit] >= codes[d.top[i] * 64 + unit]);
  // Direct: for the firing images, logits of x_hat minus logits of x_hat - f_j d_j, with the
  // decoder row d_j = decode(e_j) - decode(0) (the dashboard zeroes the code instead).
  const firing = Array.from({ length: acts.count }, (_, i) => i).filter((i) => codes[i * 64 + unit] > 0);
  const direct = tf.tidy(() => {
    const rows = tf.tensor2d(firing.map((i) => Array.from(codes.subarray(i * 64, (i + 1) * 64))));
    const withF = sae.decode(rows);
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d([unit], 'int32'), 64), 'float32') as tf.Tensor2D;
    const dj = tf.sub(sae.decode(oneHot), sae.decode(tf.zeros([1, 64]) as tf.Tensor2D));
    const fj = tf.slice(rows, [0, unit], [-1, 1]);
    const withoutF = tf.sub(withF, tf.mul(fj, dj)) as tf.Tensor2D;
    return tf.mean(tf.sub(mlp.logitsFromHidden(withF), mlp.logitsFromHidden(withoutF)), 0).dataSync();
  });
  assertAllClose(d.logitEffect, direct, 1e-4, 'logit effect');
  assertClose(d.density, firing.length / acts.count, 1e-12);
  sae.dispose();
  mlp.dispose();
});

test('evaluateDictSae: L0 and FVU agree with the metrics functions on the same codes; sigmoid codes are thresholded', async () => {
  await setup();
  const { evaluateDictSae } = await import('../../src/interp/dictsae');
  const data = sparseData(8, 10, 12, 64, 2);
  for (const activation of ['topk', 'relu', 'sigmoid'] as const) {
    const sae = new DictSae({ inputDim: 10, latentDim: 20, activation, k: 3 }, 2);
    const r = evaluateDictSae(sae, data);
    let codes = tf.tidy(() => sae.encode(tf.tensor2d(data.images, [64, 10])).dataSync() as Float32Array);
    if (activation === 'sigmoid') codes = codes.map((v) => (v > 0.1 ? v : 0));
    const recon = tf.tidy(() => sae.decode(tf.tensor2d(codes, [64, 20])).dataSync() as Float32Array);
    assertClose(r.l0, l0(codes, 20), 1e-6, `${activation} L0`);
    assertClose(r.fvu, fvu(data.images, recon, 10), 1e-4, `${activation} FVU`);
    if (activation === 'topk') assertClose(r.l0, 3, 1e-9);
    // fvuRaw decodes the code as the activation gives it; for ReLU and TopK that is the same code
    const raw = tf.tidy(() => sae.decode(sae.encode(tf.tensor2d(data.images, [64, 10]))).dataSync() as Float32Array);
    assertClose(r.fvuRaw, fvu(data.images, raw, 10), 1e-4, `${activation} raw FVU`);
    if (activation !== 'sigmoid') assert.equal(r.fvuRaw, r.fvu);
    else assert.notEqual(r.fvuRaw, r.fvu, 'a sigmoid code below 0.1 is not 0, so dropping it changes the reconstruction');
    sae.dispose();
  }
});

test('firingCounts counts, per latent, the inputs whose code is above the firing threshold, batch by batch', async () => {
  await setup();
  const { firingCounts } = await import('../../src/interp/dictsae');
  const data = sparseData(9, 10, 12, 50, 2);
  for (const activation of ['topk', 'relu', 'sigmoid'] as const) {
    const sae = new DictSae({ inputDim: 10, latentDim: 20, activation, k: 3 }, 4);
    const codes = tf.tidy(() => sae.encode(tf.tensor2d(data.images, [50, 10])).arraySync() as number[][]);
    const threshold = activation === 'sigmoid' ? 0.1 : 0;
    // by hand: a double loop over the whole code matrix
    const expected = Array.from({ length: 20 }, (_, j) => codes.filter((row) => row[j] > threshold).length);
    const before = tf.memory().numTensors;
    assert.deepEqual(Array.from(firingCounts(sae, data, 7)), expected, `${activation}, batches of 7`); // 50 = 7 x 7 + 1
    assert.deepEqual(Array.from(firingCounts(sae, data)), expected, `${activation}, one batch`);
    assert.equal(tf.memory().numTensors, before, 'no tensors leak');
    sae.dispose();
  }
});

test('the dead-latent counter counts only the TopK code\'s firing, never AuxK\'s', async () => {
  await setup();
  // Two latents, k = 1, on inputs with x0 + x1 > 0: latent 0's pre-activation is 10 (x0 + x1),
  // latent 1's is x0 + x1 > 0. TopK keeps latent 0 alone, so latent 1 never fires in the code;
  // it is dead after deadAfter = 1 step, and from the 2nd step on AuxK (auxK = 1) picks it and
  // decodes its positive pre-activation: it "fires" on the auxiliary path on every input.
  const n = 4;
  const images = Float32Array.from([1, 0.5, 0.8, 0.9, 0.6, 0.2, 0.7, 1]);
  const data: Dataset = { images, labels: new Uint8Array(n), count: n, rows: 1, cols: 2, dim: 2, source: 'hand-built' };
  const run = async (k: number) => {
    const sae = new DictSae({ inputDim: 2, latentDim: 2, activation: 'topk', k, auxK: 1, auxWeight: 1, deadAfter: 1 }, 1);
    tf.tidy(() => {
      sae.wEnc.assign(tf.tensor2d([[10, 1], [10, 1]]));
      sae.wDec!.assign(tf.tensor2d([[1, 0], [0, 1]]));
    });
    const auxLoss: number[] = [];
    const counts: number[][] = [];
    // one batch of 4 per epoch: one optimizer step per epoch; lr 1e-4 keeps the order 10 > 1
    await fit(sae, data, { epochs: 5, batchSize: n, learningRate: 1e-4, progress: false,
      onEpoch: (r) => { auxLoss.push(r.sparsity); counts.push(Array.from(sae.stepsSinceFired)); } });
    const pre = tf.tidy(() => sae.preActivations(tf.tensor2d(images, [n, 2])).arraySync());
    sae.dispose();
    return { auxLoss, counts, pre };
  };
  const alone = await run(1);
  assert.ok(alone.pre.every(([p0, p1]) => p0 > p1 && p1 > 0), 'the construction holds after training');
  // latent 0 fired on every step; latent 1 only through AuxK, so its count goes 1, 2, ..., 5
  assert.deepEqual(alone.counts, [[0, 1], [0, 2], [0, 3], [0, 4], [0, 5]]);
  assert.equal(alone.auxLoss[0], 0, 'step 1: no latent dead yet, no AuxK');
  for (let e = 1; e < 5; e++) assert.ok(alone.auxLoss[e] > 0, `step ${e + 1}: AuxK is on and uses latent 1`);
  // the control: with k = 2 latent 1 is in the code, fires, and its count stays at 0
  const both = await run(2);
  assert.deepEqual(both.counts, [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]);
  assert.deepEqual(both.auxLoss, [0, 0, 0, 0, 0]);
});

test('resampling points dead latents at badly reconstructed inputs, and they fire again', async () => {
  await setup();
  const { resampleDeadLatents } = await import('../../src/interp/dictsae');
  const data = sparseData(6, 12, 10, 200, 2);
  const sae = new DictSae({ inputDim: 12, latentDim: 16, activation: 'relu', deadAfter: 5 }, 7);
  // Kill latents 8-15: a bias of -100 keeps them at 0 on every input.
  tf.tidy(() => sae.bEnc.assign(tf.concat([tf.zeros([8]), tf.fill([8], -100)]) as tf.Tensor1D));
  for (let j = 8; j < 16; j++) sae.stepsSinceFired[j] = 10;
  const fires = () => {
    const codes = tf.tidy(() => sae.encode(tf.tensor2d(data.images, [200, 12])).dataSync() as Float32Array);
    return firingRates(codes, 16);
  };
  assert.ok(Array.from(fires()).slice(8).every((r) => r === 0), 'latents 8-15 start dead');
  assert.equal(resampleDeadLatents(sae, data, 1), 8);
  const rates = fires();
  for (let j = 8; j < 16; j++) assert.ok(rates[j] > 0, `latent ${j} still never fires`);
  assert.ok(Array.from(sae.stepsSinceFired).every((s) => s < 5));
  // the new decoder rows have unit norm
  const norms = tf.tidy(() => tf.norm(sae.decoderMatrix(), 'euclidean', 1).dataSync());
  assertAllClose(norms, new Array(16).fill(1), 1e-5);
  assert.equal(resampleDeadLatents(sae, data, 2), 0, 'nothing left to resample');
  sae.dispose();
});
