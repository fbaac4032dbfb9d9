/**
 * The one results cache: a lesson model's checkpoint and a dictionary SAE's measurement are entries
 * of one key scheme (one version, `<cache>/<key>/entry.json`, one reader); an edited entry of either
 * kind is a miss, and so is an entry of the other kind or of an older kit.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadMnist } from '../../src/data/mnist';
import { CACHE_VERSION, cacheEntry, cacheKey, entryKey, readEntry, trainCached } from '../../src/store/cache';
import { lookupJob } from '../../src/store/jobs';
import { startDictSaePool } from '../../src/store/dictsae-pool';
import { DictSaeTask, describeDictSae } from '../../src/store/job-dictsae';
import { setup } from '../helpers';

const data = loadMnist({ split: 'train', limit: 128 });
const test2 = loadMnist({ split: 'test', limit: 64 });
const spec = { model: { sparsity: 'l1' as const, latentDim: 8, hiddenDim: 16 }, train: { epochs: 1, batchSize: 64 } };
const task: DictSaeTask = { data: 'mnist', options: { inputDim: 784, latentDim: 16, k: 4 }, train: { epochs: 1, batchSize: 64 } };
const quiet = { log: false, progress: false as const };

/** What console.warn printed while `f` ran. */
function warnings<T>(f: () => T): { value: T; lines: string[] } {
  const lines: string[] = [];
  const was = console.warn;
  console.warn = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    return { value: f(), lines };
  } finally {
    console.warn = was;
  }
}

test('a checkpoint and a dictsae measurement are entries of one key scheme; an edited entry is a miss', async () => {
  await setup();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-results-cache-'));
  const run = await trainCached(spec, data, { cacheDir, ...quiet });
  run.model.dispose();
  const pool = await startDictSaePool({ mnist: { train: data, test: test2 } }, { workers: 1, progress: false, cacheDir });
  const measure = await pool.measure(task);
  await pool.close();
  // One layout and one key: <cache>/<entryKey(description)>/entry.json, one version, a kind each.
  const sae = cacheKey(spec, data);
  const dict = describeDictSae(task, [data, test2]);
  const keys = fs.readdirSync(cacheDir).sort();
  assert.deepEqual(keys, [sae.key, entryKey(dict)].sort());
  assert.equal(sae.key, entryKey(sae.description));
  for (const key of keys) assert.match(key, /^[0-9a-f]{24}$/);
  const stored = keys.map((k) => JSON.parse(fs.readFileSync(path.join(cacheDir, k, 'entry.json'), 'utf8')));
  assert.deepEqual(stored.map((s) => s.description.kind).sort(), ['dictsae', 'sae']);
  for (const s of stored) assert.equal(s.description.cacheVersion, CACHE_VERSION);
  assert.deepEqual(readEntry(path.join(cacheDir, entryKey(dict)), dict), { result: measure });
  assert.equal(cacheEntry(spec, data, cacheDir).hit, true);
  // An entry of one kind where the other's key points is a miss that says why.
  const swapped = readEntry(path.join(cacheDir, entryKey(dict)), sae.description);
  assert.match('why' in swapped ? swapped.why : 'a hit', /holds another run \(.*kind: stored "dictsae", wanted "sae"/);
  // Edit each entry.json by hand (its result, its description): a miss, for both kinds.
  const edits: [string, (s: any) => void][] = [
    ['the result', (s) => { s.result = s.description.kind === 'sae' ? { files: [] } : { ...s.result, fvu: 0.001 }; }],
    ['the numerics', (s) => { s.description.numerics = 'cpu+reference'; }],
  ];
  for (const [what, edit] of edits) {
    for (const key of keys) {
      const file = path.join(cacheDir, key, 'entry.json');
      const original = fs.readFileSync(file, 'utf8');
      const changed = JSON.parse(original);
      edit(changed);
      fs.writeFileSync(file, JSON.stringify(changed));
      const { value, lines } = warnings(() => (key === sae.key ? cacheEntry(spec, data, cacheDir).hit
        : lookupJob('dictsae', task, [data, test2], cacheDir, 'dict', false).hit !== null));
      assert.equal(value, false, `${key}: ${what} edited is a miss`);
      if (key !== sae.key) assert.match(lines.join('\n'), /its sha256 does not match/);
      fs.writeFileSync(file, original);
    }
  }
  assert.equal(cacheEntry(spec, data, cacheDir).hit, true, 'restored, the entry is a hit again');
  // An entry of an older kit (a checkpoint with no entry.json) is a miss, without a word.
  fs.rmSync(path.join(cacheDir, sae.key, 'entry.json'));
  const old = warnings(() => cacheEntry(spec, data, cacheDir).hit);
  assert.deepEqual([old.value, old.lines], [false, []]);
  const again = await trainCached(spec, data, { cacheDir, ...quiet });
  again.model.dispose();
  assert.equal(again.cached, false);
  assert.equal(cacheEntry(spec, data, cacheDir).hit, true, 'trained again and stored');
  fs.rmSync(cacheDir, { recursive: true, force: true });
});
