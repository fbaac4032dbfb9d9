/**
 * Issue 21: results-cache entries that are not what a save leaves (symlinks out of the cache,
 * /dev/zero, FIFOs, a directory named checkpoint.json) and cache directories that cannot be made
 * (/proc, a read-only file system). Loads that could hang or grow without bound run in a child
 * process (cache-faults-child.ts) under a timeout.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadMnist } from '../../src/data/mnist';
import { TrainSpec, cacheEntry, cacheKey, trainCached } from '../../src/store/cache';
import { setup } from '../helpers';
import { CHILD_SPEC } from './cache-faults-spec';

const ROOT = path.resolve(__dirname, '..', '..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sae-cache-faults-'));
const data = loadMnist({ split: 'train', limit: 128 });
const quiet = { log: false, progress: false as const };
const asRoot = process.getuid?.() === 0;

interface ChildRun { out: { cached?: boolean; stored?: boolean; ms?: number; error?: string }; stderr: string; timedOut: boolean }

/** The child trains or loads CHILD_SPEC in `cacheDir` ('-': none given); killed after `timeoutMs`. */
function child(cacheDir: string, options: { env?: NodeJS.ProcessEnv; asNobody?: boolean; timeoutMs?: number } = {}): ChildRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'cache-faults-child.ts'), cacheDir], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, HOME: os.tmpdir(), ...options.env },
    timeout: options.timeoutMs ?? 40_000, killSignal: 'SIGKILL', ...(options.asNobody ? { uid: 65534, gid: 65534 } : {}),
  });
  const last = (r.stdout || '').trim().split('\n').pop() ?? '';
  let out: ChildRun['out'] = {};
  try {
    out = JSON.parse(last);
  } catch {
    // killed, or it failed before printing: the test says so
  }
  return { out, stderr: r.stderr ?? '', timedOut: r.signal === 'SIGKILL' };
}

/** What console.warn printed while `f` ran. */
async function warnings<T>(f: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const was = console.warn;
  console.warn = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    return { value: await f(), lines };
  } finally {
    console.warn = was;
  }
}

/** A cache holding a good entry of CHILD_SPEC; its directory and the weights file's name. */
async function goodEntry(): Promise<{ root: string; dir: string; weights: string }> {
  const root = tmp();
  const run = await trainCached(CHILD_SPEC, data, { cacheDir: root, ...quiet });
  run.model.dispose();
  const weights = fs.readdirSync(run.dir).find((f) => f.startsWith('weights-'))!;
  return { root, dir: run.dir, weights };
}

/** Every file under `dir` with the sha256 of its bytes. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) =>
    [f, crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')]));
}

test('an entry directory that is a symlink to a folder elsewhere is a miss; nothing in that folder is written or deleted', async () => {
  await setup();
  const { root, dir } = await goodEntry();
  // The folder elsewhere holds a whole copy of the entry and a weights file of its own.
  const outside = tmp();
  for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(outside, f));
  fs.writeFileSync(path.join(outside, 'weights-0123456789abcdef-01234567.bin'), 'not the cache\'s');
  const before = contents(outside);
  for (const retrain of [false, true]) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.symlinkSync(outside, dir);
    assert.equal(cacheEntry(CHILD_SPEC, data, root).hit, false, 'the probe does not take the link for an entry');
    const { value: run, lines } = await warnings(() => trainCached(CHILD_SPEC, data, { cacheDir: root, retrain, ...quiet }));
    run.model.dispose();
    assert.equal(run.cached, false, `retrain ${retrain}: the entry behind the link is not served`);
    assert.equal(run.stored, true, `retrain ${retrain}: ${lines.join('\n')}`);
    if (!retrain) assert.match(lines.join('\n'), /is a symbolic link/);
    assert.deepEqual(contents(outside), before, `retrain ${retrain}: the folder behind the link is untouched`);
    const st = fs.lstatSync(dir);
    assert.ok(st.isDirectory() && !st.isSymbolicLink(), 'the entry is a directory of the cache again');
  }
  const again = await trainCached(CHILD_SPEC, data, { cacheDir: root, ...quiet });
  again.model.dispose();
  assert.equal(again.cached, true, 'the replaced entry loads');
});

test('a weights file or checkpoint.json that is /dev/zero (a link) or a FIFO is a quick miss that replaces the entry', async () => {
  await setup();
  const cases: [string, (file: string) => void][] = [
    ['a link to /dev/zero', (file) => fs.symlinkSync('/dev/zero', file)],
    ['a FIFO', (file) => assert.equal(spawnSync('mkfifo', [file]).status, 0, 'mkfifo')],
  ];
  for (const [what, make] of cases) {
    for (const which of ['weights', 'checkpoint.json'] as const) {
      const { root, dir, weights } = await goodEntry();
      const file = path.join(dir, which === 'weights' ? weights : which);
      fs.rmSync(file);
      make(file);
      const r = child(root);
      assert.equal(r.timedOut, false, `${which} as ${what}: the load hung or grew until it was killed`);
      assert.equal(r.out.cached, false, `${which} as ${what}: ${JSON.stringify(r.out)} ${r.stderr}`);
      assert.equal(r.out.stored, true, `${which} as ${what}: the entry is replaced: ${r.stderr}`);
      assert.match(r.stderr, /is (a FIFO|a symbolic link), not a regular file/, `${which} as ${what}: the warning says what the file is`);
      assert.equal(cacheEntry(CHILD_SPEC, data, root).hit, true, `${which} as ${what}: the new entry loads`);
      for (const f of fs.readdirSync(dir)) assert.ok(fs.lstatSync(path.join(dir, f)).isFile(), `${which} as ${what}: ${f} is a regular file`);
    }
  }
});

test('an entry whose checkpoint.json is a directory is replaced, with no word of an unwritable cache', async () => {
  await setup();
  const root = tmp();
  const { dir } = cacheEntry(CHILD_SPEC, data, root);
  fs.mkdirSync(path.join(dir, 'checkpoint.json', 'inside'), { recursive: true });
  const { value: run, lines } = await warnings(() => trainCached(CHILD_SPEC, data, { cacheDir: root, ...quiet }));
  run.model.dispose();
  assert.equal(run.stored, true, lines.join('\n'));
  assert.doesNotMatch(lines.join('\n'), /results cache \S+ is not writable/);
  const again = await trainCached(CHILD_SPEC, data, { cacheDir: root, ...quiet });
  again.model.dispose();
  assert.equal(again.cached, true, 'the second run loads what the first stored');
});

test('an entry that cannot be replaced is named in the warning, not the whole cache', async () => {
  await setup();
  const root = tmp();
  fs.chmodSync(root, 0o777);
  const { dir } = cacheEntry(CHILD_SPEC, data, root);
  fs.mkdirSync(path.join(dir, 'checkpoint.json'), { recursive: true });
  // Root ignores permissions: the child runs as 'nobody', for whom the entry (root's, 755) is read-only.
  if (!asRoot) fs.chmodSync(dir, 0o555);
  const r = child(root, { asNobody: asRoot });
  assert.equal(r.out.stored, false, JSON.stringify(r.out) + r.stderr);
  assert.ok(r.stderr.includes(`cache entry ${dir}`), r.stderr);
  assert.doesNotMatch(r.stderr, /results cache \S+ is not writable/, 'the cache itself is writable');
});

test('SAE_CACHE_DIR=/proc/nonexist fails fast, naming the variable and the path', async () => {
  const r = child('-', { env: { SAE_CACHE_DIR: '/proc/nonexist' } });
  assert.equal(r.timedOut, false, 'it hung (mkdir -p on /proc spins)');
  assert.equal(r.out.stored, false, JSON.stringify(r.out) + r.stderr);
  assert.match(r.stderr, /SAE_CACHE_DIR=\/proc\/nonexist: the results cache \/proc\/nonexist is not writable \(cannot create \/proc\/nonexist: ENOENT/);
});

test('a read-only file system is reported as EROFS, not ENOENT', async (t) => {
  await setup();
  const mnt = tmp();
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', mnt]).status !== 0) {
    t.skip('cannot mount a read-only tmpfs here (not root?)');
    return;
  }
  try {
    const { value: run, lines } = await warnings(() => trainCached(CHILD_SPEC, data, { cacheDir: path.join(mnt, 'cache', 'sae'), ...quiet }));
    run.model.dispose();
    assert.equal(run.stored, false);
    assert.match(lines.join('\n'), /not writable \(cannot create \S+: EROFS/);
    assert.doesNotMatch(lines.join('\n'), /ENOENT/);
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test('an unknown TrainSpec field is an error naming it and the fields', async () => {
  await setup();
  const spec = { ...CHILD_SPEC, modelseed: 7 } as TrainSpec;
  const expected = /^Error: unknown TrainSpec field 'modelseed'; the fields are model, train, modelSeed$/;
  assert.throws(() => cacheKey(spec, data), expected);
  await assert.rejects(trainCached(spec, data, { cacheDir: tmp(), ...quiet }), expected);
  assert.throws(() => cacheKey({ ...CHILD_SPEC, modelSeed: 1.5 }, data), /^Error: TrainSpec.modelSeed = 1.5 is invalid: expected an integer/);
});
