/**
 * Issue 21: pretrain on a full disk (a real one: a tmpfs too small for the weights), with worker
 * threads that die mid-job (terminated for real, through the runner starter pretrain uses), and
 * with options and specs it must refuse.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadMnist } from '../../src/data/mnist';
import { cacheEntry } from '../../src/store/cache';
import { PretrainSpec, pretrain } from '../../src/store/pretrain';
import { Runner, starters } from '../../src/store/pool-runners';
import { setup } from '../helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sae-pretrain-faults-'));
const data = loadMnist({ split: 'train', limit: 128 });
const train = { epochs: 1, batchSize: 64, learningRate: 1e-3, seed: 7 };
const specs: PretrainSpec[] = [8, 12, 16].map((latentDim) => ({ model: { sparsity: 'l1', latentDim, hiddenDim: 16 }, train, title: `L1 ${latentDim}` }));
const plain = ({ title: _, ...spec }: PretrainSpec) => spec;

/** What console.log and console.warn printed while `f` ran. */
async function printed<T>(f: () => Promise<T>): Promise<{ value: T; log: string[]; warn: string[] }> {
  const log: string[] = [];
  const warn: string[] = [];
  const was = [console.log, console.warn];
  console.log = (...a: unknown[]) => log.push(a.join(' '));
  console.warn = (...a: unknown[]) => warn.push(a.join(' '));
  try {
    return { value: await f(), log, warn };
  } finally {
    [console.log, console.warn] = was;
  }
}

test('on a full disk pretrain says that nothing was stored, and why, once', async (t) => {
  await setup();
  const mnt = tmp();
  // Each model's weights are ~100 KB: 64 KB holds the probe files and directories, not one of them.
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status !== 0) {
    t.skip('cannot mount a small tmpfs here (not root?)');
    return;
  }
  try {
    for (const workers of [1, 2]) {
      const cacheDir = path.join(mnt, `w${workers}`);
      const { value: r, log } = await printed(() => pretrain(specs.slice(0, 2), data, { cacheDir, workers, progress: false, title: 'full' }));
      assert.deepEqual(r.trained, ['L1 8', 'L1 12'], `workers ${workers}`);
      assert.equal(r.stored, 0, `workers ${workers}: nothing was stored`);
      const summary = log.filter((l) => l.startsWith('full: '));
      assert.equal(summary.length, 1, log.join('\n'));
      assert.match(summary[0], /^full: 2 trained \(\d at a time\) in [\d.]+ s, 2 of them not stored \([^;]*ENOSPC: no space left on device[^;]*\), 0 already in the results cache$/);
      for (const spec of specs.slice(0, 2)) assert.equal(cacheEntry(plain(spec), data, cacheDir).hit, false);
    }
  } finally {
    spawnSync('umount', [mnt]);
  }
});

/** Makes pretrain's worker runners stop for real (terminate) on the first batch of a job, `kills` times in all. */
function killingWorkers(kills: number): () => void {
  const start = starters.worker;
  let left = kills;
  starters.worker = async (...args) => {
    const runner: Runner = await start(...args);
    const run = runner.run.bind(runner);
    runner.run = (job, onBatch) => run(job, (...b) => {
      onBatch(...b);
      if (left > 0) {
        left -= 1;
        void runner.close();
      }
    });
    return runner;
  };
  return () => {
    starters.worker = start;
  };
}

test('a worker that dies has its job trained again on a fresh worker, and the summary counts truthfully', async () => {
  await setup();
  const cacheDir = tmp();
  const restore = killingWorkers(1);
  try {
    const { value: r, log, warn } = await printed(() => pretrain(specs, data, { cacheDir, workers: 2, thisThread: false, progress: false, title: 'dies' }));
    assert.deepEqual([...r.trained].sort(), ['L1 12', 'L1 16', 'L1 8']);
    assert.equal(r.stored, 3);
    assert.equal(r.inWorkers, 3);
    assert.match(warn.join('\n'), /: its worker stopped \(the worker exited with code 1\); training it again on a fresh worker \(try 2 of 3\)/);
    assert.match(log.join('\n'), /^dies: 3 trained \(2 at a time\) in [\d.]+ s, 0 already in the results cache$/m);
    for (const spec of specs) assert.equal(cacheEntry(plain(spec), data, cacheDir).hit, true, `${spec.title} is stored`);
  } finally {
    restore();
  }
});

test('a job whose worker dies on every try fails after 3 tries with an error naming it', async () => {
  await setup();
  const cacheDir = tmp();
  const restore = killingWorkers(Infinity);
  try {
    const { value: outcome, log } = await printed(() => pretrain(specs.slice(0, 2), data, { cacheDir, workers: 2, thisThread: false, progress: false, title: 'dies' })
      .then(() => null, (e: Error) => e.message));
    const why = 'its worker stopped 3 times \\(last: the worker exited with code 1\\)';
    assert.match(outcome ?? 'it resolved', new RegExp(`^dies: 2 of 2 models failed \\(L1 (8|12): ${why}; L1 (8|12): ${why}\\); the other 0 are stored`));
    assert.match(log.join('\n'), /^dies: 0 trained \(2 at a time\) in [\d.]+ s, 2 failed, 0 already in the results cache$/m);
  } finally {
    restore();
  }
});

test('workers 0, NaN, 1.5 and unknown spec fields are refused in the kit\'s wording', async () => {
  await setup();
  for (const workers of [0, NaN, 1.5, -1]) {
    await assert.rejects(pretrain(specs, data, { cacheDir: tmp(), workers, log: false, progress: false }),
      new RegExp(`^Error: PretrainOptions.workers = ${workers} is invalid: expected an integer >= 1 \\(models trained at once\\)$`));
  }
  const typo = { ...specs[0], modelseed: 7 } as PretrainSpec;
  await assert.rejects(pretrain([typo], data, { cacheDir: tmp(), log: false, progress: false }),
    /^Error: unknown PretrainSpec field 'modelseed'; the fields are model, train, modelSeed, title$/);
});
