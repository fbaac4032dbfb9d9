/**
 * Issue 9: faults lose nothing. Each test reproduces a failure for real (a learning rate that
 * blows up, an unwritable cache, an entry holding another model, a saturated KL unit, ...) and
 * checks what the kit does now.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../src/runtime/backend';
import { loadMnist, Dataset } from '../../src/data/mnist';
import { createModel, L1SparseAutoencoder, KLSparseAutoencoder } from '../../src/core/sae';
import { fit, NonFiniteUpdateError } from '../../src/core/train';
import { trainCached, cacheKey } from '../../src/store/cache';
import { klPenalty, l1Penalty, mse } from '../../src/core/losses';
import { envFlag, isQuick } from '../../src/runtime/settings';
import { figureHtml } from '../../src/plot/show';
import { readIdxFile } from '../../src/data/idx';
import { setup } from '../helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sae-faults-'));
const small = { sparsity: 'l1' as const, latentDim: 8, hiddenDim: 16 };

function totalLoss(model: ReturnType<typeof createModel>, data: Dataset): number {
  return tf.tidy(() => model.losses(tf.tensor2d(data.images, [data.count, data.dim])).total.dataSync()[0]);
}

test('a learning rate that blows the weights up stops training with finite weights whose loss is finite', async () => {
  await setup();
  const data = loadMnist({ split: 'train', limit: 256 });
  for (const sparsity of ['l1', 'kl'] as const) {
    const model = createModel({ ...small, sparsity }, 3);
    const initial = model.variables.map((v) => (v.dataSync() as Float32Array).slice());
    const before = tf.memory().numTensors;
    await assert.rejects(() => fit(model, data, { epochs: 2, batchSize: 64, learningRate: 3e38, progress: false }),
      (e: unknown) => e instanceof NonFiniteUpdateError && e.epoch === 1 && e.batch === 1 && /not applied/.test(e.message));
    assert.equal(tf.memory().numTensors, before, 'no tensors left over');
    // The very first update overflows, so the model is still its (finite) initial self.
    model.variables.forEach((v, i) => assert.deepEqual(v.dataSync(), initial[i], `${v.name} changed`));
    assert.ok(Number.isFinite(totalLoss(model, data)), `${sparsity}: the kept model's loss is finite`);
    model.dispose();
  }
});

test('a large but finite learning rate never leaves NaN weights behind', async () => {
  await setup();
  const data = loadMnist({ split: 'train', limit: 256 });
  const model = createModel({ ...small, sparsity: 'l1' }, 3);
  // 1e30 overflows a few steps in (not on the first): whatever stops training, the weights stay finite.
  try {
    await fit(model, data, { epochs: 3, batchSize: 32, learningRate: 1e30, progress: false });
  } catch (err) {
    assert.match((err as Error).message, /not finite|NaN or infinite/);
  }
  for (const v of model.variables) assert.ok((v.dataSync() as Float32Array).every(Number.isFinite), `${v.name} is finite`);
  model.dispose();
});

test('the results cache retrains when an entry holds another run, and says why', async () => {
  await setup();
  const cacheDir = tmp();
  const data = loadMnist({ split: 'train', limit: 128 });
  const train = { epochs: 1, batchSize: 64 };
  const a = await trainCached({ model: { ...small, latentDim: 32 }, train }, data, { cacheDir, log: false, progress: false });
  const wantSpec = { model: { ...small, sparsity: 'kl' as const, latentDim: 16 }, train };
  // Put A's entry where B's key points (a stale copy, a hand-made folder, a key collision).
  const bDir = path.join(cacheDir, cacheKey(wantSpec, data).key);
  fs.cpSync(a.dir, bDir, { recursive: true });
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => { warnings.push(args.join(' ')); };
  let b;
  try {
    b = await trainCached(wantSpec, data, { cacheDir, log: false, progress: false });
  } finally {
    console.warn = warn;
  }
  assert.equal(b.cached, false, 'the wrong entry was served');
  assert.equal(b.model.config.latentDim, 16);
  assert.equal(b.model.config.sparsity, 'kl');
  assert.match(warnings.join('\n'), /holds another run .*model\.latentDim: stored 32, wanted 16/);
  // The retrained entry replaced the wrong one and is a hit from now on.
  const again = await trainCached(wantSpec, data, { cacheDir, log: false, progress: false });
  assert.equal(again.cached, true);
  assert.equal(a.model.config.latentDim, 32);
  [a.model, b.model, again.model].forEach((m) => m.dispose());
});

test('the cache key names the arithmetic (backend and engine)', async () => {
  await setup();
  const data = loadMnist({ split: 'train', limit: 16 });
  const { description } = cacheKey({ model: small }, data);
  assert.match(description.numerics, /^(wasm|cpu|tensorflow)\+(native|reference)$/);
  assert.equal(description.numerics.split('+')[0], tf.getBackend(), 'the backend in use');
  // the native kernels run on the addon's backends (wasm, cpu), never on tfjs-node's
  if (tf.getBackend() === 'tensorflow') assert.equal(description.numerics.split('+')[1], 'reference');
});

function runChild(mode: string, cacheDir: string, asUser: boolean): { out: Record<string, unknown>; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'cache-child.ts'), mode, cacheDir], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, HOME: os.tmpdir() },
    ...(asUser ? { uid: 65534, gid: 65534 } : {}),
  });
  const last = (r.stdout || '').trim().split('\n').pop() ?? '';
  let out: Record<string, unknown>;
  try {
    out = JSON.parse(last);
  } catch {
    throw new Error(`child failed (${r.status}): ${r.stderr}\n${r.stdout}`);
  }
  return { out, stderr: r.stderr };
}

// Root ignores permissions, so the read-only cases run as the unprivileged user 'nobody'.
const asRoot = process.getuid?.() === 0;

test('an unwritable cache never throws the trained model away', async () => {
  await setup();
  const base = tmp();
  fs.chmodSync(base, 0o777);
  // 1. The cache path is a file.
  const file = path.join(base, 'not-a-dir');
  fs.writeFileSync(file, 'x');
  fs.chmodSync(file, 0o666);
  const r1 = runChild('as-is', file, asRoot);
  assert.equal(r1.out.stored, false, JSON.stringify(r1.out));
  assert.equal(r1.out.epochs, 1);
  assert.ok(Number.isFinite(r1.out.loss as number));
  assert.match(r1.stderr, new RegExp(`${file.replace(/[/.]/g, '\\$&')} is not writable.*SAE_CACHE_DIR.*Training anyway`));
  // 2. A read-only directory (owned by root, so read-only for 'nobody'; chmod 555 when not root).
  const ro = path.join(base, 'read-only');
  fs.mkdirSync(ro, { mode: 0o755 });
  if (!asRoot) fs.chmodSync(ro, 0o555);
  const r2 = runChild('as-is', ro, asRoot);
  assert.equal(r2.out.stored, false, JSON.stringify(r2.out));
  assert.ok(Number.isFinite(r2.out.loss as number));
  assert.match(r2.stderr, /is not writable \(EACCES.*SAE_CACHE_DIR/);
  // 3. Writable at the start, read-only by the time the model is saved.
  // (the child creates it, so that it owns it and may chmod it)
  const late = path.join(base, 'late');
  const r3 = runChild('late', late, asRoot);
  assert.equal(r3.out.stored, false, JSON.stringify(r3.out));
  assert.ok(Number.isFinite(r3.out.loss as number));
  assert.match(r3.stderr, /trained, but not cached: .*late is not writable.*SAE_CACHE_DIR.*returned as usual/);
});

test('the KL penalty stays finite, with finite gradients, when a unit is saturated on the whole batch', async () => {
  await setup();
  const rho = 0.05;
  const h = tf.tensor2d([[1, 0.2, 1e-12], [1, 0.4, 0]]);
  const value = klPenalty(h, rho).dataSync()[0];
  assert.ok(Number.isFinite(value), `penalty ${value}`);
  // By hand: unit 0 at the upper clamp 1 - 2^-24, unit 1 at 0.3, unit 2 at the lower clamp 1e-8.
  const kl = (q: number) => rho * Math.log(rho / q) + (1 - rho) * Math.log((1 - rho) / (1 - q));
  const q0 = Math.fround(1 - 2 ** -24);
  const expected = kl(q0) + kl(0.3) + kl(Math.fround(1e-8));
  assert.ok(Math.abs(value - expected) <= 1e-5 * expected, `got ${value}, expected ${expected}`);
  const g = tf.grad((x: tf.Tensor) => klPenalty(x as tf.Tensor2D, rho))(h);
  assert.ok((g.dataSync() as Float32Array).every(Number.isFinite), 'gradient is finite');
  tf.dispose([h, g]);
});

test('empty data, a wrong input size and a disposed tensor give sentences, not tfjs errors', async () => {
  await setup();
  const data = loadMnist({ split: 'train', limit: 64 });
  const model = createModel(small, 1);
  const empty: Dataset = { ...data, images: new Float32Array(0), labels: new Uint8Array(0), count: 0 };
  await assert.rejects(() => fit(model, empty, { epochs: 1, progress: false }), /holds 0 images; training needs at least one/);
  const wide = createModel({ ...small, inputDim: 100 }, 1);
  await assert.rejects(() => fit(wide, data, { epochs: 1, progress: false }),
    /the data has 784 values per image \(28x28\), but the model's config.inputDim is 100/);
  const x = tf.tensor2d(data.images.subarray(0, 784 * 2), [2, 784]);
  assert.throws(() => wide.forward(x), /the input x has 784 values per row, but SaeConfig.inputDim is 100/);
  x.dispose();
  for (const f of [() => model.forward(x), () => model.losses(x), () => mse(x, x), () => l1Penalty(x), () => klPenalty(x, 0.05)]) {
    assert.throws(f, /was disposed \(by tf.dispose, or at the end of the tf.tidy that made it\)/);
  }
  [model, wide].forEach((m) => m.dispose());
});

test('a data file with no images, or a directory where a file should be, is named in the error', () => {
  const dir = tmp();
  const header = Buffer.from([0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28]);
  fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), header);
  fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 0]));
  assert.throws(() => loadMnist({ dir }), /holds 0 images; a data set needs at least one/);
  const asDir = path.join(dir, 'images');
  fs.mkdirSync(asDir);
  assert.throws(() => readIdxFile(asDir, 3, ''), new RegExp(`${asDir.replace(/[/.]/g, '\\$&')} is not a file`));
});

test('every yes/no variable is read by one parser that rejects words it does not know', () => {
  for (const on of ['1', 'true', 'YES', ' on ']) assert.equal(envFlag('SAE_X', false, { SAE_X: on }), true, on);
  for (const off of ['0', 'false', 'No', 'off']) assert.equal(envFlag('SAE_X', true, { SAE_X: off }), false, off);
  assert.equal(envFlag('SAE_X', true, {}), true);
  assert.throws(() => envFlag('SAE_NATIVE', true, { SAE_NATIVE: 'nope' }), /SAE_NATIVE="nope" is not understood/);
  assert.equal(isQuick({ SAE_QUICK: 'yes' }), true);
  // SAE_NATIVE=no turns the addon off in a fresh process (it used to mean "on": only '0' was read).
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e',
    "const n = require('./src/runtime/native'); console.log(n.loadNative() === null ? 'off: ' + n.nativeLoadError() : 'on')"],
  { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SAE_NATIVE: 'no' } });
  assert.match(r.stdout, /off: turned off by SAE_NATIVE=no/, r.stderr);
});

test('a model class refuses a config that names the other penalty', () => {
  assert.throws(() => new L1SparseAutoencoder({ sparsity: 'bogus' as never }), /SaeConfig.sparsity = "bogus" is invalid for L1SparseAutoencoder/);
  assert.throws(() => new KLSparseAutoencoder({ sparsity: 'l1' }), /"l1" is invalid for KLSparseAutoencoder/);
});

test("a chart's element id is escaped", () => {
  const html = figureHtml({ data: [], layout: {} }, '"><script>alert(1)</script>');
  assert.ok(!html.includes('"><script>alert(1)'), html.slice(0, 200));
  assert.match(html, /id="&quot;&gt;&lt;script&gt;/);
});
