/**
 * Checkpoints that were edited, malformed, left behind by killed saves, or never should have been
 * written (non-finite weights).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../src/runtime/backend';
import { createModel } from '../../src/core/sae';
import { loadCheckpoint, saveCheckpoint } from '../../src/store/checkpoint';
import { setup } from '../helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sae-ckpt-faults-'));
const small = (seed: number) => createModel({ sparsity: 'l1', latentDim: 8, hiddenDim: 16 }, seed);
const history = [{ epoch: 1, total: 0.5, reconstruction: 0.4, sparsity: 10, seconds: 2 }];

/** A fresh checkpoint of a KL model (rho 0.05) and its checkpoint.json, parsed. */
function fresh(): { dir: string; meta: Record<string, any> } {
  const dir = path.join(tmp(), 'ck');
  const model = createModel({ sparsity: 'kl', rho: 0.05, latentDim: 8, hiddenDim: 16 }, 3);
  saveCheckpoint(dir, model, { history, seed: 3 });
  model.dispose();
  return { dir, meta: JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) };
}

/** checkpoint.json replaced by `meta` (any JSON value), then loaded: the error it gives. */
function loadEdited(edit: (meta: Record<string, any>) => unknown): Error {
  const { dir, meta } = fresh();
  fs.writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify(edit(meta), null, 1));
  try {
    const ck = loadCheckpoint(dir);
    ck.model.dispose();
  } catch (err) {
    return err as Error;
  }
  throw new assert.AssertionError({ message: 'the edited checkpoint loaded without an error' });
}

function assertRejected(edit: (meta: Record<string, any>) => unknown, expected: RegExp): void {
  const err = loadEdited(edit);
  assert.ok(err instanceof Error && !(err instanceof TypeError), `a plain Error, not ${err.name}: ${err.message}`);
  assert.match(err.message, /^checkpoint \S+: /, 'the error names the checkpoint');
  assert.match(err.message, expected);
}

const EDITED = /checkpoint.json was edited or corrupted after it was saved/;

test('an edit of the sparsity kind (kl -> l1) is rejected, not loaded as another model', async () => {
  await setup();
  assertRejected((m) => ({ ...m, config: { ...m.config, sparsity: 'l1' } }), new RegExp(`${EDITED.source}: config no longer matches`));
});

test('an edit of rho (0.05 -> 0.2) is rejected', async () => {
  await setup();
  assertRejected((m) => ({ ...m, config: { ...m.config, rho: 0.2 } }), new RegExp(`${EDITED.source}: config no longer matches`));
});

test('a config field removed is an error naming it, not filled with the default', async () => {
  await setup();
  for (const field of ['rho', 'sparsity', 'decoder', 'sparsityWeight']) {
    assertRejected((m) => {
      const config = { ...m.config };
      delete config[field];
      return { ...m, config };
    }, new RegExp(`config\\.${field} is missing \\(a checkpoint holds the full config; no default is filled in\\)`));
  }
});

test('a tensor offset shifted by 5 is rejected', async () => {
  await setup();
  assertRejected((m) => ({ ...m, tensors: m.tensors.map((t: any, i: number) => (i === 2 ? { ...t, offset: t.offset + 5 } : t)) }),
    /tensor 2 \(encoder\/1\/w\): offset 12565, expected 12560 \(tensors are stored back to back\)/);
  // Shifting every offset after it by 5 too keeps the table back to back except at the first: still caught.
  assertRejected((m) => ({ ...m, tensors: m.tensors.map((t: any, i: number) => (i >= 2 ? { ...t, offset: t.offset + 5 } : t)) }),
    /tensor 2 \(encoder\/1\/w\): offset 12565, expected 12560/);
  assertRejected((m) => ({ ...m, tensors: m.tensors.map((t: any, i: number) => (i === 0 ? { ...t, length: t.length - 1 } : t)) }),
    /tensor 0 \(encoder\/0\/w\): length 12543, but shape \[784,16\] holds 12544 values/);
});

test('JSON null, arrays and missing or malformed fields give errors naming them, not TypeErrors', async () => {
  await setup();
  assertRejected(() => null, /checkpoint.json holds null, expected an object/);
  assertRejected(() => [1, 2], /checkpoint.json holds an array, expected an object/);
  assertRejected(() => 'sae', /checkpoint.json holds "sae", expected an object/);
  assertRejected((m) => { delete m.tensors; return m; }, /checkpoint.json has no "tensors" field \(expected a non-empty array of tensor entries\)/);
  assertRejected((m) => ({ ...m, tensors: null }), /field "tensors" is null, expected a non-empty array of tensor entries/);
  assertRejected((m) => ({ ...m, tensors: { 0: m.tensors[0] } }), /field "tensors" is an object, expected a non-empty array/);
  assertRejected((m) => ({ ...m, tensors: [m.tensors[0], null, ...m.tensors.slice(2)] }), /tensors\[1\] is null, expected an object \{name, shape, offset, length\}/);
  assertRejected((m) => ({ ...m, tensors: m.tensors.map((t: any, i: number) => (i === 1 ? { ...t, shape: null } : t)) }), /tensor 1 \(encoder\/0\/b\): shape null is not an array of sizes/);
  assertRejected((m) => { delete m.history; return m; }, /checkpoint.json has no "history" field \(expected an array of epoch records\)/);
  assertRejected((m) => ({ ...m, history: 'none' }), /field "history" is "none", expected an array of epoch records/);
  assertRejected((m) => ({ ...m, history: [null] }), /history\[0\] is null, expected an epoch record \(an object\)/);
  assertRejected((m) => ({ ...m, config: null }), /field "config" is null, expected an object/);
  assertRejected((m) => { delete m.weightsFile; return m; }, /has no "weightsFile" field/);
  assertRejected((m) => ({ ...m, weightsFile: '../../etc/passwd' }), /field "weightsFile" is "..\/..\/etc\/passwd", expected a file name weights-<hex>.bin/);
  assertRejected((m) => { delete m.hashes; return m; }, /has no "hashes" field/);
  assertRejected((m) => { delete m.version; return m; }, /has no "version" field/);
  assertRejected((m) => ({ ...m, seed: 4 }), new RegExp(`${EDITED.source}: seed no longer matches`));
  assertRejected((m) => ({ ...m, history: [{ ...history[0], total: 0.1 }], info: { note: 'x' } }), new RegExp(`${EDITED.source}: history, info no longer match`));
  assertRejected((m) => ({ ...m, sha256: 'f'.repeat(64) }), new RegExp(`${EDITED.source}: sha256 no longer matches`));
});

test('values JSON cannot hold (NaN in the history, undefined in info) do not look like edits', async () => {
  await setup();
  const dir = path.join(tmp(), 'ck');
  const model = small(1);
  const nanHistory = [{ ...history[0], total: NaN, sparsity: Infinity }];
  saveCheckpoint(dir, model, { history: nanHistory, info: { note: undefined, list: [undefined, 1], nested: { b: 1, a: -0 } } });
  const ck = loadCheckpoint(dir);
  assert.deepEqual(ck.history, [{ ...history[0], total: null, sparsity: null }], 'stored as JSON stores them');
  assert.deepEqual(ck.info, { list: [null, 1], nested: { b: 1, a: 0 } });
  [model, ck.model].forEach((m) => m.dispose());
});

test('a version-1 checkpoint (an older kit) is an error saying to retrain or re-save', async () => {
  await setup();
  const { dir, meta } = fresh();
  // Version 1 as the older kit wrote it: no hashes, weights named weights-<sha16>.bin.
  const oldName = `weights-${meta.sha256.slice(0, 16)}.bin`;
  fs.renameSync(path.join(dir, meta.weightsFile), path.join(dir, oldName));
  const { hashes, ...rest } = meta;
  void hashes;
  fs.writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify({ ...rest, version: 1, weightsFile: oldName }));
  assert.throws(() => loadCheckpoint(dir),
    /version 1 was written by an older sae-lab kit \(no content hashes\); retrain the model \(the results cache does so by itself\) or save it again/);
});

test('a model with non-finite weights cannot be saved, and nothing is written', async () => {
  await setup();
  const model = small(1);
  const [w0, , , , , , , b3] = model.variables;
  tf.tidy(() => {
    const w = (w0.dataSync() as Float32Array).slice();
    w[5] = NaN;
    w0.assign(tf.tensor(w, w0.shape));
    const b = (b3.dataSync() as Float32Array).slice();
    b[0] = Infinity;
    b[1] = -Infinity;
    b3.assign(tf.tensor(b, b3.shape));
  });
  const expected = /cannot save checkpoint \S+: the model has non-finite weights \(encoder\/0\/w holds 1 NaN of 12544 values; decoder\/1\/b holds 2 infinite of 784 values\); nothing was written/;
  const newDir = path.join(tmp(), 'new');
  assert.throws(() => saveCheckpoint(newDir, model), expected);
  assert.ok(!fs.existsSync(newDir), 'no directory was created');
  // Over an existing checkpoint: it stays as it was, byte for byte.
  const dir = path.join(tmp(), 'ck');
  const good = small(2);
  saveCheckpoint(dir, good);
  const snapshot = () => fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('base64')]);
  const before = snapshot();
  assert.throws(() => saveCheckpoint(dir, model), expected);
  assert.deepEqual(snapshot(), before);
  const ck = loadCheckpoint(dir);
  assert.deepEqual(ck.model.variables[0].dataSync(), good.variables[0].dataSync());
  [model, good, ck.model].forEach((m) => m.dispose());
});

/** The id of a process that has exited (so no live writer has it). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

test('a save removes the temporary files and markers of killed saves, but not those of live ones', async () => {
  await setup();
  const dir = path.join(tmp(), 'ck');
  const a = small(1);
  const b = small(2);
  saveCheckpoint(dir, a);
  const dead = deadPid();
  const now = Date.now();
  const big = Buffer.alloc(1 << 20);
  const put = (name: string, ageMs = 0) => {
    fs.writeFileSync(path.join(dir, name), big);
    if (ageMs) fs.utimesSync(path.join(dir, name), (now - ageMs) / 1000, (now - ageMs) / 1000);
  };
  const orphans = [
    `.weights-0123456789abcdef.bin.${dead}.${now}.tmp`, // the older name form
    `.weights-0123456789abcdef-01234567.bin.${dead}.${now}.12345678.tmp`, // random part all digits
    `.checkpoint.json.${dead}.${now}.89abcdef.tmp`,
    `.checkpoint.json.${process.pid}.${now - 7_200_000}.0badf00d.tmp`, // a live pid, but two hours old
    `.weights-1111111111111111-22222222.bin.${dead}.pending`, // a killed save's marker...
    'weights-1111111111111111-22222222.bin', // ...and the weights it never referred to
  ];
  orphans.forEach((f) => put(f, f.includes('0badf00d') ? 7_200_000 : 0));
  const live = [
    `.checkpoint.json.${process.pid}.${now}.aaaaaaaa.tmp`, // a live writer's file in progress
    `.weights-3333333333333333-44444444.bin.${process.pid}.pending`, // a live save's marker...
    'weights-3333333333333333-44444444.bin', // ...and the weights its checkpoint.json is about to name
    '.notes.tmp', 'notes.txt', // not the kit's
  ];
  live.forEach((f) => put(f));
  saveCheckpoint(dir, b);
  const left = fs.readdirSync(dir);
  assert.deepEqual(orphans.filter((f) => left.includes(f)), [], 'killed saves\' files removed');
  assert.deepEqual(live.filter((f) => !left.includes(f)), [], 'live saves\' and foreign files kept');
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8'));
  assert.deepEqual(left.filter((f) => f.endsWith('.bin')).sort(), [meta.weightsFile, 'weights-3333333333333333-44444444.bin'].sort());
  const ck = loadCheckpoint(dir);
  assert.deepEqual(ck.model.variables[0].dataSync(), b.variables[0].dataSync());
  [a, b, ck.model].forEach((m) => m.dispose());
});

/** Starts a save in a child that freezes at `stage`, and SIGKILLs it there. */
async function killMidSave(dir: string, stage: 'weights' | 'json'): Promise<void> {
  const sync = tmp();
  const child: ChildProcess = spawn(process.execPath,
    ['--import', 'tsx', path.join(__dirname, '..', 'fixtures', 'checkpoint-killed-save.ts'), dir, sync, stage],
    { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const frozen = path.join(sync, `frozen-${stage}`);
  const end = Date.now() + 60_000;
  while (!fs.existsSync(frozen)) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`the child did not freeze at ${stage}: ${out}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
}

test('saves SIGKILLed mid-write leave a loadable checkpoint, and the next save removes their leftovers', { timeout: 120_000 }, async () => {
  await setup();
  const before = small(1);
  const after = small(2);
  const dirs = { weights: path.join(tmp(), 'ck'), json: path.join(tmp(), 'ck') };
  for (const dir of Object.values(dirs)) saveCheckpoint(dir, before);
  await Promise.all((['weights', 'json'] as const).map((stage) => killMidSave(dirs[stage], stage)));
  for (const [stage, dir] of Object.entries(dirs)) {
    const leftovers = fs.readdirSync(dir).filter((f) => f.startsWith('.'));
    assert.ok(leftovers.some((f) => f.endsWith('.tmp')), `the kill at ${stage} left a temporary file (${leftovers})`);
    const ck = loadCheckpoint(dir);
    assert.deepEqual(ck.model.variables[0].dataSync(), before.variables[0].dataSync(), 'the old checkpoint is intact');
    ck.model.dispose();
    saveCheckpoint(dir, after);
    const files = fs.readdirSync(dir).sort();
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8'));
    assert.deepEqual(files, [meta.weightsFile, 'checkpoint.json'].sort(), `after the kill at ${stage}, only the new checkpoint is left`);
    const again = loadCheckpoint(dir);
    assert.deepEqual(again.model.variables[0].dataSync(), after.variables[0].dataSync());
    again.model.dispose();
  }
  [before, after].forEach((m) => m.dispose());
});
