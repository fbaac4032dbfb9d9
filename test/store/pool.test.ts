/**
 * The one training pool (store/pool.ts): jobs of both kinds in one trainMany, in worker threads,
 * give what training each alone gives; the native threads are one while it runs and back after;
 * SAE_NATIVE=0 reaches the workers; a dictionary SAE whose worker dies is trained again on a fresh one.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadMnist } from '../../src/data/mnist';
import { nativeEnabled, nativeThreads, useNative } from '../../src/runtime/native';
import { cacheEntry, trainCached } from '../../src/store/cache';
import { DictSaeTask, runDictSaeTask } from '../../src/store/job-dictsae';
import { startDictSaePool } from '../../src/store/dictsae-pool';
import { ModelJob, openPool, trainMany } from '../../src/store/train-many';
import { Runner, starters } from '../../src/store/pool-runners';
import { bytesOf, setup } from '../helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sae-pool-'));
const train = loadMnist({ split: 'train', limit: 256 });
const testSet = loadMnist({ split: 'test', limit: 64 });
const spec = { model: { sparsity: 'kl' as const, latentDim: 16, hiddenDim: 32 }, train: { epochs: 2, batchSize: 64, seed: 5 } };
const task: DictSaeTask = { data: 'mnist', options: { inputDim: 784, latentDim: 32, k: 4 }, train: { epochs: 2, batchSize: 64 } };
const sets = { train, test: testSet };

/** The two jobs, one of each kind. */
const jobs: ModelJob[] = [
  { kind: 'sae', spec, data: ['train'], title: 'lesson model' },
  { kind: 'dictsae', spec: task, data: ['train', 'test'], title: 'dictionary SAE' },
];
const quiet = { log: false, progress: false };

test('one trainMany trains a lesson model and a dictionary SAE in workers: bitwise what each gives alone', async () => {
  await setup();
  const [pooled, alone] = [tmp(), tmp()];
  const threads = nativeThreads();
  const r = await trainMany(sets, jobs, { cacheDir: pooled, workers: 2, thisThread: false, ...quiet });
  assert.deepEqual(nativeThreads(), threads, 'the native threads are back');
  assert.deepEqual([r.trained, r.inWorkers, r.stored], [['lesson model', 'dictionary SAE'], 2, 2]);
  const a = await trainCached(spec, train, { cacheDir: alone, log: false, progress: false });
  const b = await trainCached(spec, train, { cacheDir: pooled, log: false, progress: false });
  assert.equal(b.cached, true);
  a.model.variables.forEach((v, i) => assert.deepEqual(bytesOf(b.model.variables[i].dataSync()), bytesOf(v.dataSync()), v.name));
  [a.model, b.model].forEach((m) => m.dispose());
  const measure = await runDictSaeTask(task, { train, test: testSet }, false);
  const got = r.results[1] as { measure: typeof measure; stored: boolean };
  assert.equal(got.stored, true);
  for (const key of ['l0', 'fvu', 'fvuRaw', 'finalLoss'] as const) assert.equal(got.measure[key], measure[key], key);
  // A second batch (the jobs given twice) reads both from the cache; an open pool does too.
  const again = await trainMany(sets, [...jobs, ...jobs], { cacheDir: pooled, ...quiet });
  assert.deepEqual([again.trained, again.cached, again.workers], [[], ['lesson model', 'dictionary SAE'], 0]);
  assert.deepEqual(again.results[3], got);
  const pool = await openPool(sets, { cacheDir: pooled, workers: 2, progress: false });
  assert.deepEqual(await pool.train(jobs[1]), { result: got, cached: true, title: 'dictionary SAE' });
  await pool.close();
});

test('SAE_NATIVE=0 reaches the workers: with the addon off here, a worker trains under the same key', async (t) => {
  await setup();
  if (!nativeEnabled()) return t.skip('the native addon is not in use here');
  useNative(false);
  try {
    const cacheDir = tmp();
    const r = await trainMany(sets, jobs, { cacheDir, workers: 2, thisThread: false, ...quiet });
    assert.deepEqual([r.inWorkers, r.stored], [2, 2]);
    assert.equal(cacheEntry(spec, train, cacheDir).hit, true);
  } finally {
    useNative(true);
  }
});

test('a dictionary SAE whose worker dies is trained again on a fresh worker, with the same numbers', async () => {
  await setup();
  const start = starters.worker;
  let kills = 1;
  starters.worker = async (...args) => {
    const runner: Runner = await start(...args);
    const run = runner.run.bind(runner);
    runner.run = (job, onBatch) => run(job, (...b) => {
      onBatch(...b);
      if (kills-- > 0) void runner.close();
    });
    return runner;
  };
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => warned.push(a.join(' '));
  try {
    const pool = await startDictSaePool({ mnist: { train, test: testSet } }, { workers: 2, progress: false, cacheDir: tmp() });
    const threads = nativeThreads().threads;
    let got;
    try {
      got = await pool.measure(task); // a single task goes to the worker
    } finally {
      await pool.close(); // also when it fails: an open pool's worker would keep the test process alive
    }
    assert.equal(threads, 1, 'one native thread while the pool is open');
    assert.match(warned.join('\n'), /its worker stopped \(the worker exited with code 1\); training it again on a fresh worker \(try 2 of 3\)/);
    const alone = await runDictSaeTask(task, { train, test: testSet }, false);
    assert.deepEqual({ ...got, seconds: 0 }, { ...alone, seconds: 0 });
  } finally {
    starters.worker = start;
    console.warn = warn;
  }
});
