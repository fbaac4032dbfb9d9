import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadMnist } from '../../src/data/mnist';
import { cacheEntry, trainCached } from '../../src/store/cache';
import { PretrainSpec, pretrain } from '../../src/store/pretrain';
import { loadCheckpoint } from '../../src/store/checkpoint';
import { nativeThreads } from '../../src/runtime/native';
import { bytesOf, setup } from '../helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sae-pretrain-'));
const data = loadMnist({ split: 'train', limit: 640 });
const train = { epochs: 2, batchSize: 64, learningRate: 1e-3, seed: 7 };
const specs: PretrainSpec[] = [
  { model: { sparsity: 'l1', latentDim: 32, sparsityWeight: 1e-3 }, train, title: 'L1' },
  { model: { sparsity: 'kl', latentDim: 64, sparsityWeight: 0.1 }, train, title: 'KL' },
  { model: { sparsity: 'kl', latentDim: 16, decoder: 'linear' }, train: { ...train, seed: 3 }, modelSeed: 11, title: 'KL, linear decoder' },
];
const plain = ({ title: _, ...spec }: PretrainSpec) => spec;
const withoutSeconds = (h: { seconds: number }[]) => h.map(({ seconds: _, ...rest }) => rest);

test('models trained at once are bitwise the ones trained one by one: weights and losses', async () => {
  await setup();
  const [oneByOne, atOnce, mixed] = [tmp(), tmp(), tmp()];
  const threads = nativeThreads();
  // All in worker threads (thisThread false), so that the workers' numerics are what is compared.
  const result = await pretrain(specs, data, { cacheDir: atOnce, workers: 2, thisThread: false, log: false });
  assert.deepEqual(nativeThreads(), threads, 'the native threads are restored');
  assert.deepEqual(result.trained, ['L1', 'KL', 'KL, linear decoder']);
  assert.equal(result.workers, 2);
  assert.equal(result.inWorkers, 3);
  // The default: this thread trains too, beside one worker.
  assert.equal((await pretrain(specs, data, { cacheDir: mixed, workers: 2, log: false })).trained.length, 3);
  for (const [spec, dir] of specs.flatMap((spec) => [atOnce, mixed].map((dir) => [spec, dir] as const))) {
    const alone = await trainCached(plain(spec), data, { cacheDir: oneByOne, log: false, progress: false });
    const loaded = await trainCached(plain(spec), data, { cacheDir: dir, log: false, progress: false });
    assert.equal(loaded.cached, true, `${spec.title}: loaded from the cache, not trained again`);
    assert.equal(alone.key, loaded.key);
    alone.model.variables.forEach((v, i) => assert.deepEqual(
      bytesOf(loaded.model.variables[i].dataSync()), bytesOf(v.dataSync()), `${spec.title}: ${v.name}`));
    assert.deepEqual(withoutSeconds(loaded.history), withoutSeconds(alone.history), `${spec.title}: history`);
    const [a, b] = [loadCheckpoint(alone.dir), loadCheckpoint(loaded.dir)];
    assert.deepEqual(b.info, a.info, `${spec.title}: the stored run description`);
    [alone.model, loaded.model, a.model, b.model].forEach((m) => m.dispose());
  }
  const again = await pretrain(specs, data, { cacheDir: atOnce, log: false });
  assert.deepEqual(again.trained, []);
  assert.equal(again.cached.length, 3);
});

test('a failing model is named, and the others are stored', async () => {
  await setup();
  const dir = tmp();
  const bad: PretrainSpec = { model: { sparsity: 'kl', inputDim: 100, latentDim: 8 }, train, title: 'the wrong size' };
  await assert.rejects(pretrain([specs[0], bad, specs[1]], data, { cacheDir: dir, workers: 2, log: false }),
    /1 of 3 models failed \(the wrong size: the data has 784 values per image .* the other 2 are stored/);
  for (const spec of [specs[0], specs[1]]) assert.equal(cacheEntry(plain(spec), data, dir).hit, true, `${spec.title} stored`);
  assert.equal(cacheEntry(plain(bad), data, dir).hit, false);
});

test('with retrain, pretrain trains again and the next trainCached loads that model once', async () => {
  await setup();
  const dir = tmp();
  await pretrain([specs[1]], data, { cacheDir: dir, log: false });
  const first = fs.statSync(path.join(cacheEntry(plain(specs[1]), data, dir).dir, 'checkpoint.json')).mtimeMs;
  const r = await pretrain([specs[1], specs[0]], data, { cacheDir: dir, retrain: true, log: false });
  assert.equal(r.trained.length, 2);
  assert.ok(fs.statSync(path.join(cacheEntry(plain(specs[1]), data, dir).dir, 'checkpoint.json')).mtimeMs > first);
  const once = await trainCached(plain(specs[1]), data, { cacheDir: dir, retrain: true, log: false, progress: false });
  assert.equal(once.cached, true);
  const twice = await trainCached(plain(specs[1]), data, { cacheDir: dir, retrain: true, log: false, progress: false });
  assert.equal(twice.cached, false);
  [once.model, twice.model].forEach((m) => m.dispose());
});
