/**
 * DictSaePool (store/dictsae-pool.ts, over the one training pool): models trained two at a time
 * (this thread and a worker) give bitwise the numbers of each trained alone on one native thread,
 * and those of two threads to 1e-6; measurements come back from the results cache; bad tasks are
 * refused with a sentence; nothing leaks.
 */
import { test } from 'node:test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { DictSaeTask, runDictSaeTask, startDictSaePool } from '../../src/store/dictsae-pool';
import { Dataset } from '../../src/data/mnist';
import { Rng } from '../../src/runtime/random';
import { nativeThreads, setNativeThreads } from '../../src/runtime/native';
import { setup } from '../helpers';

function data(seed: number, count: number, dim: number): Dataset {
  const rng = new Rng(seed);
  const images = Float32Array.from({ length: count * dim }, () => Math.max(0, rng.uniform(-0.5, 1)));
  return { images, labels: new Uint8Array(count), count, rows: 1, cols: dim, dim, source: `synthetic ${seed}` };
}

test('DictSaePool: two at a time, the same numbers as one by one; bad tasks refused; no leaks', async () => {
  await setup();
  const threads = nativeThreads().threads;
  // Products of at least 2^20 multiply-adds (128 x 100 x 128), so the native kernels split them
  // over 2 threads when a model trains alone and run 1 thread each while two train.
  const sets = { a: { train: data(1, 640, 100), test: data(2, 200, 100) }, b: { train: data(3, 512, 80), test: data(4, 100, 80) } };
  const train = { epochs: 2, batchSize: 128, learningRate: 1e-2, seed: 7 };
  const tasks: DictSaeTask[] = [
    { data: 'a', options: { inputDim: 100, latentDim: 128, activation: 'relu', sparsityWeight: 1e-3 }, train, title: 'relu' },
    { data: 'b', options: { inputDim: 80, latentDim: 192, activation: 'sigmoid', rho: 0.1, sparsityWeight: 0.1 }, train, title: 'kl' },
    { data: 'a', options: { inputDim: 100, latentDim: 128, activation: 'topk', k: 4, auxK: 8, deadAfter: 5 }, train, seed: 3, title: 'topk' },
    { data: 'b', options: { inputDim: 80, latentDim: 192, activation: 'topk', k: 2, auxK: 4, deadAfter: 5 }, train, title: 'topk b' },
  ];
  const before = tf.memory().numTensors;
  const one = async (threads: number) => {
    const was = nativeThreads();
    setNativeThreads(threads);
    try {
      const out = [];
      for (const t of tasks) out.push(await runDictSaeTask(t, sets[t.data as 'a' | 'b'], false));
      return out;
    } finally {
      setNativeThreads(was.threads, was.openblas);
    }
  };
  const [alone, aloneTwo] = [await one(1), await one(2)];
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-pool-'));
  const pool = await startDictSaePool(sets, { workers: 2, progress: false, cacheDir });
  try {
    assert.equal(pool.size, 2, 'this thread and one worker');
    assert.equal(nativeThreads().threads, 1, 'one native thread here while the worker runs one');
    const together = await Promise.all(tasks.map((t) => pool.measure(t)));
    together.forEach((r, i) => {
      for (const key of ['l0', 'fvu', 'fvuRaw', 'finalLoss'] as const) {
        assert.equal(r[key], alone[i][key], `${tasks[i].title}: ${key} trained in the pool vs alone, one thread`);
        // The products are split for the main thread's threads whatever runs them (native/pool.h), so two threads agree too.
        assert.equal(r[key], aloneTwo[i][key], `${tasks[i].title}: ${key} vs alone on two threads`);
      }
    });
    await assert.rejects(pool.measure({ ...tasks[0], data: 'c' }), /no data set 'c' in the pool \(it has 'a', 'b'\)/);
    await assert.rejects(pool.measure({ ...tasks[0], options: { ...tasks[0].options, latentDim: 0 } }), /latentDim = 0/);
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.measure(tasks[0]), /the pool is closed/);
  assert.equal(pool.trained, 4);
  // A second pool reads every measurement from the results cache, trains none; a damaged entry
  // is trained again (and rewritten); retrain trains all.
  const entries = fs.readdirSync(cacheDir);
  assert.equal(entries.length, 4, 'one entry per task');
  fs.writeFileSync(path.join(cacheDir, entries[0], 'entry.json'), '{"description": ');
  const again = await startDictSaePool(sets, { workers: 2, progress: false, cacheDir });
  const second = await Promise.all(tasks.map((t) => again.measure(t)));
  await again.close();
  assert.deepEqual([again.trained, again.cached], [1, 3]);
  second.forEach((r, i) => assert.equal(r.fvu, alone[i].fvu, `${tasks[i].title}: from the cache`));
  const third = await startDictSaePool(sets, { workers: 1, progress: false, cacheDir, retrain: true });
  await third.measure(tasks[1]);
  await third.close();
  assert.deepEqual([third.trained, third.cached], [1, 0]);
  // closing with models in flight rejects them (nothing stored) and gives the threads back
  const fourth = await startDictSaePool(sets, { workers: 2, progress: false, cacheDir, retrain: true });
  const inFlight = tasks.map((t) => fourth.measure({ ...t, train: { ...t.train, epochs: 5000 } }).then(() => 'done', (e: Error) => e.message));
  await new Promise((r) => setTimeout(r, 300));
  await fourth.close();
  const outcomes = await Promise.all(inFlight);
  outcomes.forEach((o, i) => assert.match(o, /the pool was closed (before it ran|while it trained)/, `${tasks[i].title}: ${o}`));
  assert.equal(fourth.trained, 0);
  assert.equal(nativeThreads().threads, threads, 'the native threads are back after closing mid-training');
  await assert.rejects(startDictSaePool(sets, { workers: 0 }), /workers = 0 is invalid: expected an integer >= 1/);
  fs.rmSync(cacheDir, { recursive: true, force: true });
  assert.equal(nativeThreads().threads, threads, 'the native threads are back');
  assert.equal(tf.memory().numTensors, before, 'no tensors leak on this thread');
});

test('DictSaePool: an edited cached measurement is a miss that retrains and replaces it; TopK tasks are labelled topk', async () => {
  await setup();
  const sets = { a: { train: data(5, 256, 40), test: data(6, 64, 40) } };
  const train = { epochs: 1, batchSize: 64, learningRate: 1e-2, seed: 7 };
  const task: DictSaeTask = { data: 'a', options: { inputDim: 40, latentDim: 32, k: 4 }, train };
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-pool-'));
  const measure = async () => {
    const pool = await startDictSaePool(sets, { workers: 1, progress: false, cacheDir });
    try {
      return { r: await pool.measure(task), trained: pool.trained, cached: pool.cached };
    } finally {
      await pool.close();
    }
  };
  const first = await measure();
  const [file] = fs.readdirSync(cacheDir).map((key) => path.join(cacheDir, key, 'entry.json'));
  const original = fs.readFileSync(file, 'utf8');
  assert.deepEqual((await measure()).cached, 1, 'an untouched entry is a hit');
  const edits: [string, (stored: any) => void][] = [
    ['fvu changed', (s) => { s.result.fvu = 0.01; }],
    ['l0 = 9 for k = 4', (s) => { s.result.l0 = 9; }],
    ['no hash', (s) => { delete s.sha256; }],
  ];
  for (const [what, edit] of edits) {
    const stored = JSON.parse(original);
    edit(stored);
    fs.writeFileSync(file, JSON.stringify(stored));
    const again = await measure();
    assert.deepEqual([again.trained, again.cached], [1, 0], `${what}: trained again, not served`);
    assert.deepEqual(again.r, { ...first.r, seconds: again.r.seconds }, `${what}: the measurement trained again`);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).result.l0, first.r.l0, `${what}: the entry is replaced`);
  }
  // The measurement file a link to /dev/zero: a miss (no endless read), replaced by a file.
  fs.rmSync(file);
  fs.symlinkSync('/dev/zero', file);
  assert.deepEqual((await measure()).trained, 1);
  assert.ok(fs.lstatSync(file).isFile());
  // The entry's directory a link to a folder elsewhere holding a good copy: a miss; nothing there is written.
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-pool-outside-'));
  const good = fs.readFileSync(file);
  fs.writeFileSync(path.join(outside, path.basename(file)), good);
  fs.rmSync(path.dirname(file), { recursive: true });
  assert.ok(good.includes('"kind": "dictsae"'), 'a measurement is an entry of the one results cache');
  fs.symlinkSync(outside, path.dirname(file));
  assert.deepEqual((await measure()).trained, 1, 'the copy behind the link is not served');
  assert.deepEqual(fs.readdirSync(outside), [path.basename(file)]);
  assert.deepEqual(fs.readFileSync(path.join(outside, path.basename(file))), good, 'the folder behind the link is untouched');
  assert.ok(fs.lstatSync(path.dirname(file)).isDirectory() && fs.lstatSync(file).isFile());
  // A task that fails names its activation: TopK by default, not "relu".
  const pool = await startDictSaePool(sets, { workers: 1, progress: false, cacheDir });
  try {
    await assert.rejects(pool.measure({ data: 'a', options: { inputDim: 50, latentDim: 8, k: 2 }, train }), /^Error: a: topk SAE: /);
    await assert.rejects(pool.measure({ data: 'a', options: { activation: 'relu', inputDim: 50, latentDim: 8 }, train }), /^Error: a: relu SAE: /);
  } finally {
    await pool.close();
  }
  fs.rmSync(cacheDir, { recursive: true, force: true });
});
