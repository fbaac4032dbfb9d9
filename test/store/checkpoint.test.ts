import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../src/runtime/backend';
import { loadMnist } from '../../src/data/mnist';
import { createModel } from '../../src/core/sae';
import { CheckpointMeta, checkpointHashes, loadCheckpoint, saveCheckpoint } from '../../src/store/checkpoint';
import { cacheKey, trainCached } from '../../src/store/cache';
import { bytesOf, setup } from '../helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sae-ckpt-'));
const history = [{ epoch: 1, total: 0.5, reconstruction: 0.4, sparsity: 10, seconds: 2 }];

function outputs(model: ReturnType<typeof createModel>): Float32Array {
  const data = loadMnist({ split: 'test', limit: 20 });
  return tf.tidy(() => model.forward(tf.tensor2d(data.images, [20, 784])).reconstruction.dataSync() as Float32Array);
}

test('a checkpoint round trip gives bit-identical outputs, config and history', async () => {
  await setup();
  const dir = path.join(tmp(), 'kl');
  const model = createModel({ sparsity: 'kl', latentDim: 24, rho: 0.1 }, 5);
  saveCheckpoint(dir, model, { history, seed: 5, info: { note: 'test' } });
  const before = tf.memory().numTensors;
  const ck = loadCheckpoint(dir);
  assert.equal(tf.memory().numTensors, before + model.variables.length, 'only the new model\'s variables remain');
  assert.deepEqual(ck.model.config, model.config);
  assert.deepEqual(ck.history, history);
  assert.equal(ck.info.note, 'test');
  assert.deepEqual(bytesOf(outputs(ck.model)), bytesOf(outputs(model)));
  ck.model.variables.forEach((v, i) => assert.deepEqual(v.dataSync(), model.variables[i].dataSync()));
  ck.model.dispose();
  model.dispose();
});

test('saving over a checkpoint replaces it and leaves one weights file', async () => {
  await setup();
  const dir = path.join(tmp(), 'ck');
  const a = createModel({ sparsity: 'l1', latentDim: 8 }, 1);
  const b = createModel({ sparsity: 'l1', latentDim: 8 }, 2);
  saveCheckpoint(dir, a);
  saveCheckpoint(dir, b);
  assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.bin')).length, 1);
  const ck = loadCheckpoint(dir);
  assert.deepEqual(ck.model.variables[0].dataSync(), b.variables[0].dataSync());
  [a, b, ck.model].forEach((m) => m.dispose());
});

test('an interrupted save leaves the old checkpoint intact', async () => {
  await setup();
  const dir = path.join(tmp(), 'ck');
  const old = createModel({ sparsity: 'l1', latentDim: 8 }, 1);
  saveCheckpoint(dir, old);
  // The new save dies after writing its weights, before checkpoint.json is replaced:
  // simulate with a read-only checkpoint.json target (rename over it fails).
  const newer = createModel({ sparsity: 'l1', latentDim: 8 }, 2);
  // The CommonJS module object is the one src/ calls through, so its method can be swapped.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const fsModule = require('fs') as { renameSync: typeof fs.renameSync };
  const realRename = fsModule.renameSync;
  fsModule.renameSync = (from, to) => {
    if (String(to).endsWith('checkpoint.json')) throw new Error('power cut');
    return realRename(from, to);
  };
  try {
    assert.throws(() => saveCheckpoint(dir, newer), /power cut/);
  } finally {
    fsModule.renameSync = realRename;
  }
  assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.bin')).length, 2, 'the new weights were written');
  const ck = loadCheckpoint(dir);
  assert.deepEqual(ck.model.variables[0].dataSync(), old.variables[0].dataSync());
  assert.ok(!fs.readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary file left behind');
  [old, newer, ck.model].forEach((m) => m.dispose());
});

test('broken checkpoints fail with errors that say what is wrong', async () => {
  await setup();
  const fresh = () => {
    const dir = path.join(tmp(), 'ck');
    const m = createModel({ sparsity: 'l1', latentDim: 8 }, 1);
    saveCheckpoint(dir, m);
    m.dispose();
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8'));
    return { dir, meta, weights: path.join(dir, meta.weightsFile) };
  };
  const writeMeta = (dir: string, meta: unknown) => fs.writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify(meta));
  const resealed = (meta: CheckpointMeta) => ({ ...meta, hashes: checkpointHashes(meta) });

  assert.throws(() => loadCheckpoint(tmp()), /no checkpoint.json/);
  let c = fresh();
  fs.writeFileSync(path.join(c.dir, 'checkpoint.json'), '{"format": "sae-lab-checkpoint", ');
  assert.throws(() => loadCheckpoint(c.dir), /checkpoint.json is not valid JSON/);
  c = fresh();
  fs.truncateSync(c.weights, 1000);
  assert.throws(() => loadCheckpoint(c.dir), /holds 1000 bytes, expected \d+ \(truncated\?\)/);
  c = fresh();
  const bytes = fs.readFileSync(c.weights);
  bytes[10] ^= 0xff;
  fs.writeFileSync(c.weights, bytes);
  assert.throws(() => loadCheckpoint(c.dir), /is corrupt: sha256/);
  c = fresh();
  writeMeta(c.dir, { ...c.meta, config: { ...c.meta.config, latentDim: 9 } });
  assert.throws(() => loadCheckpoint(c.dir), /checkpoint.json was edited or corrupted after it was saved: config no longer matches/);
  // The same edit with the hashes recomputed reaches the check of the table against the config.
  c = fresh();
  writeMeta(c.dir, resealed({ ...c.meta, config: { ...c.meta.config, latentDim: 9 } }));
  assert.throws(() => loadCheckpoint(c.dir), /tensor encoder\/1\/w has shape \[256,8\], the config needs \[256,9\]/);
  c = fresh();
  writeMeta(c.dir, { ...c.meta, version: 7 });
  assert.throws(() => loadCheckpoint(c.dir), /version 7 is not supported/);
  c = fresh();
  fs.rmSync(c.weights);
  assert.throws(() => loadCheckpoint(c.dir), /weights file weights-[0-9a-f]+-[0-9a-f]+\.bin is missing/);
  c = fresh();
  writeMeta(c.dir, { ...c.meta, config: { ...c.meta.config, rho: 3 } });
  assert.throws(() => loadCheckpoint(c.dir), /bad config: SaeConfig\.rho = 3/);
});

test('the results cache trains once, then loads the same model; retrain trains again', async () => {
  await setup();
  const cacheDir = tmp();
  const data = loadMnist({ split: 'train', limit: 300 });
  const spec = { model: { sparsity: 'l1' as const, latentDim: 16, sparsityWeight: 1e-3 }, train: { epochs: 2, seed: 3 } };
  const first = await trainCached(spec, data, { cacheDir, progress: false, log: false });
  assert.equal(first.cached, false);
  const second = await trainCached(spec, data, { cacheDir, progress: false, log: false });
  assert.equal(second.cached, true);
  assert.deepEqual(second.history, first.history);
  assert.deepEqual(outputs(second.model), outputs(first.model));
  const third = await trainCached(spec, data, { cacheDir, progress: false, log: false, retrain: true });
  assert.equal(third.cached, false);
  // Training is deterministic, so retraining reproduces the same losses.
  assert.deepEqual(third.history.map((r) => r.total), first.history.map((r) => r.total));
  // Anything that changes the result changes the key.
  const k = cacheKey(spec, data).key;
  assert.notEqual(cacheKey({ ...spec, train: { epochs: 3, seed: 3 } }, data).key, k);
  assert.notEqual(cacheKey({ ...spec, model: { ...spec.model, sparsityWeight: 1e-2 } }, data).key, k);
  assert.notEqual(cacheKey(spec, loadMnist({ split: 'train', limit: 301 })).key, k);
  assert.notEqual(cacheKey({ ...spec, modelSeed: 9 }, data).key, k);
  assert.equal(cacheKey({ ...spec, train: { seed: 3, epochs: 2, batchSize: 128 } }, data).key, k, 'defaults spelled out give the same key');
  // A broken entry is retrained, not fatal.
  fs.writeFileSync(path.join(first.dir, 'checkpoint.json'), 'garbage');
  const fourth = await trainCached(spec, data, { cacheDir, progress: false, log: false });
  assert.equal(fourth.cached, false);
  [first, second, third, fourth].forEach((r) => r.model.dispose());
});
