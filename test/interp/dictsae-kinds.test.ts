/**
 * What every dictionary SAE kind passes, for BatchTopK, Matryoshka BatchTopK and JumpReLU (and,
 * where cheap, the older kinds): shapes and the Encoder/Decoder contract, dead-latent counting
 * against the training code, no tensors leaking over training, a checkpoint round trip (same
 * codes, same loss), config errors that name the field, the value and the range, and training in
 * a DictSaePool worker to the numbers of training alone.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../src/runtime/backend';
import { BatchTopKSaeConfig, DictSae, DictSaeOptions, evaluateDictSae, makeDictSaeConfig } from '../../src/interp/dictsae';
import { fit } from '../../src/core/train';
import { encodeAll } from '../../src/core/evaluate';
import { Dataset } from '../../src/data/mnist';
import { Rng } from '../../src/runtime/random';
import { loadDictSae, saveDictSae } from '../../src/store/dictsae-checkpoint';
import { DictSaeMeasure, runDictSaeTask, startDictSaePool } from '../../src/store/dictsae-pool';
import { setup } from '../helpers';

/** Sparse non-negative combinations of random directions: something for the codes to find. */
function sparseData(seed: number, dim: number, count: number): Dataset {
  const rng = new Rng(seed);
  const dirs = Array.from({ length: 24 }, () => Array.from({ length: dim }, () => rng.uniform(-1, 1)));
  const images = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    for (const j of Array.from(rng.permutation(24).subarray(0, 3))) {
      const c = rng.uniform(0.5, 1.5);
      for (let t = 0; t < dim; t++) images[i * dim + t] += c * dirs[j][t];
    }
  }
  return { images, labels: new Uint8Array(count), count, rows: 1, cols: dim, dim, source: `sparse ${seed}` };
}

const D = 12;
const M = 32;
const NEW_KINDS: [string, DictSaeOptions][] = [
  ['batchtopk', { activation: 'batchtopk', inputDim: D, latentDim: M, k: 3, auxK: 8, deadAfter: 2 }],
  ['matryoshka', { activation: 'batchtopk', inputDim: D, latentDim: M, k: 3, prefixes: [4, 16, M] }],
  ['jumprelu', { activation: 'jumprelu', inputDim: D, latentDim: M, sparsityWeight: 1e-3 }],
];
const OLD_KINDS: [string, DictSaeOptions][] = [
  ['topk', { activation: 'topk', inputDim: D, latentDim: M, k: 3, auxK: 8, deadAfter: 2 }],
  ['relu', { activation: 'relu', inputDim: D, latentDim: M }],
  ['sigmoid', { activation: 'sigmoid', inputDim: D, latentDim: M }],
];

test('shapes: codes [n, latentDim], non-negative; loss parts; encodeAll in batches = encode; evaluateDictSae', async () => {
  await setup();
  const data = sparseData(1, D, 50);
  for (const [kind, options] of NEW_KINDS) {
    const sae = new DictSae(options, 2);
    await fit(sae, data, { epochs: 2, batchSize: 25, learningRate: 1e-2, progress: false });
    const x = tf.tensor2d(data.images, [50, D]);
    const codes = sae.encode(x);
    assert.deepEqual(codes.shape, [50, M], kind);
    assert.ok(codes.dataSync().every((v) => v >= 0), `${kind}: codes >= 0`);
    assert.deepEqual(sae.decode(codes).shape, [50, D], kind);
    const parts = sae.losses(x);
    assert.deepEqual(Object.keys(parts), ['total', 'reconstruction', 'sparsity'], kind);
    for (const v of Object.values(parts)) assert.equal(v.rank, 0, `${kind}: scalar loss parts`);
    // The same latents fire; the values agree to float32 rounding (a product of 7 rows may round
    // differently from one of 50: OpenBLAS picks its kernel by the matrix's shape).
    const [batched, whole] = [encodeAll(sae, data, 50, 7), codes.dataSync()];
    assert.deepEqual(Array.from(batched, (v) => v > 0), Array.from(whole, (v) => v > 0), `${kind}: encodeAll's support`);
    batched.forEach((v, i) => assert.ok(Math.abs(v - whole[i]) <= 1e-6 * Math.max(1, Math.abs(whole[i])),
      `${kind}: encodeAll in batches of 7, entry ${i}: ${v} vs ${whole[i]}`));
    const r = evaluateDictSae(sae, data);
    assert.ok(r.l0 > 0 && r.l0 <= M && r.fvu > 0, `${kind}: L0 ${r.l0}, FVU ${r.fvu}`);
    tf.dispose([x, codes, ...Object.values(parts)]);
    sae.dispose();
  }
});

test('dead latents are counted from the training code: a latent\'s count restarts where that code fired on the batch', async () => {
  await setup();
  const data = sparseData(2, D, 40);
  for (const [kind, options] of NEW_KINDS) {
    const sae = new DictSae(options, 3);
    for (let step = 0; step < 3; step++) {
      // By hand, before the step: which latents the training code of this batch fires.
      const fired = tf.tidy(() => {
        const pre = sae.preActivations(tf.tensor2d(data.images, [40, D]));
        const f = sae.rule.trainingEncode ? sae.rule.trainingEncode(pre) : sae.rule.encode(pre);
        return Array.from(tf.max(f, 0).dataSync()).map((v) => v > 0);
      });
      const before = Array.from(sae.stepsSinceFired);
      await fit(sae, data, { epochs: 1, batchSize: 40, learningRate: 1e-2, progress: false });
      assert.deepEqual(Array.from(sae.stepsSinceFired), before.map((s, j) => (fired[j] ? 0 : s + 1)), `${kind} step ${step + 1}`);
    }
    sae.dispose();
  }
});

test('no tensors leak over training: the count is the same after every epoch, and back where it was after dispose', async () => {
  await setup();
  const data = sparseData(3, D, 64);
  for (const [kind, options] of NEW_KINDS) {
    const start = tf.memory().numTensors;
    const sae = new DictSae(options, 4);
    const counts: number[] = [];
    await fit(sae, data, { epochs: 4, batchSize: 16, learningRate: 1e-2, progress: false, onEpoch: () => counts.push(tf.memory().numTensors) });
    assert.ok(counts.every((c) => c === counts[0]), `${kind}: tensors per epoch ${counts}`);
    // after fit the optimizer is gone (its moments are tensors on the reference engine), so count from here
    const afterFit = tf.memory().numTensors;
    evaluateDictSae(sae, data);
    assert.equal(tf.memory().numTensors, afterFit, `${kind}: evaluating leaks nothing`);
    sae.dispose();
    assert.equal(tf.memory().numTensors, start, `${kind}: dispose frees everything`);
  }
});

test('checkpoint round trip: the loaded model has the same tensors, codes, loss and dead-latent counts', async () => {
  await setup();
  const data = sparseData(4, D, 96);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dictsae-ckpt-'));
  for (const [kind, options] of [...NEW_KINDS, ...OLD_KINDS]) {
    const sae = new DictSae(options, 5);
    const history = await fit(sae, data, { epochs: 3, batchSize: 32, learningRate: 1e-2, progress: false });
    saveDictSae(dir, sae, { seed: 5, history, info: { kind } });
    const loaded = loadDictSae(dir);
    assert.deepEqual(loaded.history, history, kind);
    assert.deepEqual(loaded.info, { kind });
    assert.deepEqual(loaded.sae.config, sae.config, `${kind}: config`);
    const names = sae.namedTensors().map(([n]) => n);
    assert.deepEqual(loaded.sae.namedTensors().map(([n]) => n), names, `${kind}: tensor names`);
    if (kind !== 'relu' && kind !== 'sigmoid' && kind !== 'topk') assert.ok(names.includes('threshold'), `${kind}: its threshold is saved`);
    sae.namedTensors().forEach(([n, v], i) => {
      assert.deepEqual(Array.from(loaded.sae.namedTensors()[i][1].dataSync()), Array.from(v.dataSync()), `${kind}: ${n}`);
    });
    assert.deepEqual(Array.from(loaded.sae.stepsSinceFired), Array.from(sae.stepsSinceFired), `${kind}: dead-latent counts`);
    const x = tf.tensor2d(data.images, [96, D]);
    const [a, b] = [sae, loaded.sae].map((s) => tf.tidy(() => Array.from(s.encode(x).dataSync())));
    assert.deepEqual(b, a, `${kind}: the same codes`);
    const [la, lb] = [sae, loaded.sae].map((s) => tf.tidy(() => Object.values(s.losses(x)).map((t) => t.dataSync()[0])));
    assert.deepEqual(lb, la, `${kind}: the same loss parts`);
    if (kind === 'batchtopk') assert.ok(sae.dead.count() > 0 && la[2] > 0, 'some latents dead, AuxK on: the dead mask came back too');
    x.dispose();
    sae.dispose();
    loaded.sae.dispose();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('config errors name the field, the value and what is allowed', () => {
  const base = { inputDim: 4, latentDim: 8 };
  const cases: [object, RegExp][] = [
    [{ activation: 'batchtopk', k: 9 }, /DictSaeConfig\.k = 9 is invalid: expected an integer in \[1, latentDim = 8\]/],
    [{ activation: 'batchtopk', k: 2, thresholdRate: 0 }, /DictSaeConfig\.thresholdRate = 0 is invalid: expected a number in \(0, 1\]/],
    [{ activation: 'batchtopk', k: 2, auxK: -1 }, /DictSaeConfig\.auxK = -1 is invalid: expected an integer in \[0, latentDim = 8\]/],
    [{ activation: 'batchtopk', k: 2, prefixes: [4, 2, 8] }, /DictSaeConfig\.prefixes = \[4,2,8\] is invalid: expected \[\] or strictly increasing integers in \[1, latentDim = 8\], the last equal to latentDim/],
    [{ activation: 'batchtopk', k: 2, prefixes: [2, 4] }, /DictSaeConfig\.prefixes = \[2,4\] is invalid: expected .*the last equal to latentDim/],
    [{ activation: 'batchtopk', k: 2, prefixes: [0, 8] }, /DictSaeConfig\.prefixes = \[0,8\] is invalid/],
    [{ activation: 'batchtopk', k: 2, prefixes: 8 }, /DictSaeConfig\.prefixes = 8 is invalid/],
    [{ activation: 'jumprelu', bandwidth: 0 }, /DictSaeConfig\.bandwidth = 0 is invalid: expected a finite number > 0/],
    [{ activation: 'jumprelu', initialThreshold: -0.1 }, /DictSaeConfig\.initialThreshold = -0\.1 is invalid: expected a finite number >= 0/],
    [{ activation: 'jumprelu', sparsityWeight: NaN }, /DictSaeConfig\.sparsityWeight = NaN is invalid: expected a finite number >= 0/],
    [{ activation: 'jumprelu', thresholds: 1 }, /unknown DictSaeConfig field 'thresholds'; the fields are inputDim, latentDim, activation, tied, deadAfter, unitNormDecoder, sparsityWeight, bandwidth, initialThreshold$/],
  ];
  for (const [bad, message] of cases) assert.throws(() => makeDictSaeConfig({ ...base, ...bad } as never), message, JSON.stringify(bad));
  // Another kind's fields are dropped: a TopK config ignores prefixes, a JumpReLU one k.
  assert.ok(!('prefixes' in makeDictSaeConfig({ ...base, k: 2, prefixes: [3] } as never)));
  assert.deepEqual((makeDictSaeConfig({ ...base, activation: 'batchtopk', k: 2 }) as BatchTopKSaeConfig).prefixes, [], 'plain BatchTopK by default');
  assert.ok(!('k' in makeDictSaeConfig({ ...base, activation: 'jumprelu', k: 99 } as never)));
});

test('the new kinds train in a DictSaePool worker to the numbers of training alone, and are cached', async () => {
  await setup();
  const sets = { a: { train: sparseData(5, D, 256), test: sparseData(6, D, 64) } };
  const train = { epochs: 2, batchSize: 64, learningRate: 1e-2, seed: 7 };
  const tasks = NEW_KINDS.map(([title, options]) => ({ data: 'a', options, train, title }));
  const alone: DictSaeMeasure[] = [];
  for (const t of tasks) alone.push(await runDictSaeTask(t, sets.a, false));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dictsae-kinds-pool-'));
  const pool = await startDictSaePool(sets, { workers: 2, progress: false, cacheDir });
  try {
    const together = await Promise.all(tasks.map((t) => pool.measure(t)));
    together.forEach((r, i) => {
      for (const key of ['l0', 'fvu', 'finalLoss'] as const) assert.equal(r[key], alone[i][key], `${tasks[i].title}: ${key}`);
    });
  } finally {
    await pool.close();
  }
  const again = await startDictSaePool(sets, { workers: 1, progress: false, cacheDir });
  try {
    const cached = await Promise.all(tasks.map((t) => again.measure(t)));
    assert.deepEqual([again.trained, again.cached], [0, tasks.length]);
    cached.forEach((r, i) => assert.equal(r.fvu, alone[i].fvu, `${tasks[i].title}: from the cache`));
  } finally {
    await again.close();
  }
  fs.rmSync(cacheDir, { recursive: true, force: true });
});
