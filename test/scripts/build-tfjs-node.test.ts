/**
 * scripts/build-tfjs-node.mjs: SAE_NO_TFJS_NODE=1 does nothing, a machine that can't build says why in
 * one line (exit 0, or 1 with --strict), and where tfjs-node is built (npm run build:tfjs-node) it loads
 * in a fresh Node as the 'tensorflow' backend with TensorFlow 2.9.1 and multiplies correctly.
 * Nothing here builds or downloads: the build takes ~25 s and ~570 MB.
 */
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts', 'build-tfjs-node.mjs');
const PKG = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node');

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-tfjs-node-'));
  made.push(dir);
  return dir;
}

function script(argv: string[], env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...argv], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, out: (r.stdout + r.stderr).trim() };
}

test('build-tfjs-node: SAE_NO_TFJS_NODE=1 does nothing, and says so', () => {
  const root = tempDir();
  const cache = path.join(tempDir(), 'cache');
  for (const strict of [[], ['--strict']]) {
    const r = script(['--root', root, ...strict], { SAE_NO_TFJS_NODE: '1', SAE_TFJS_NODE_CACHE: cache });
    assert.equal(r.status, 0, r.out);
    assert.equal(r.out, 'sae-lab: SAE_NO_TFJS_NODE=1: @tensorflow/tfjs-node left as it is (nothing built)');
  }
  assert.deepEqual(fs.readdirSync(root), []);
  assert.equal(fs.existsSync(cache), false);
  const bad = script(['--root', root], { SAE_NO_TFJS_NODE: 'maybe', SAE_TFJS_NODE_CACHE: cache });
  assert.equal(bad.status, 1);
  assert.match(bad.out, /SAE_NO_TFJS_NODE="maybe" is not understood/);
});

test('build-tfjs-node: where it cannot build, one line says why; --strict makes that an error', () => {
  // A PATH with node alone: no gcc, g++, make or python3 (or, off linux-x64, the platform's reason).
  const bin = tempDir();
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  const root = tempDir();
  const env = { PATH: bin, SAE_NO_TFJS_NODE: '', SAE_TFJS_NODE_CACHE: path.join(tempDir(), 'cache') };
  const r = script(['--root', root], env);
  assert.equal(r.status, 0, r.out);
  assert.equal(r.out.split('\n').length, 1, r.out);
  assert.match(r.out, /^sae-lab: @tensorflow\/tfjs-node not built \((no gcc|the wheel is for linux-x64, .*)\); the tensorflow backend \(SAE_BACKEND=tensorflow\) stays untested$/);
  assert.equal(script(['--root', root, '--strict'], env).status, 1);
  assert.deepEqual(fs.readdirSync(root), []);
});

/** The binding, wherever node-pre-gyp would look for it (lib/napi-v<N>/). */
function builtBinding(): string | null {
  const lib = path.join(PKG, 'lib');
  if (!fs.existsSync(lib)) return null;
  const found = fs.readdirSync(lib).map((d) => path.join(lib, d, 'tfjs_binding.node')).filter((f) => fs.existsSync(f));
  return found[0] ?? null;
}

test('build-tfjs-node: the built tfjs-node is the tensorflow backend and multiplies correctly', (t) => {
  if (!fs.existsSync(path.join(PKG, 'package.json'))) return t.skip('@tensorflow/tfjs-node is not installed (npm run build:tfjs-node)');
  if (builtBinding() === null) return t.skip('@tensorflow/tfjs-node has no binding (npm run build:tfjs-node)');
  const code = "const tf = require('@tensorflow/tfjs-node');" +
    'const p = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, -8]]));' +
    'const q = tf.matMul(tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[1, 0], [0, 1], [2, 2]]), false, false);' +
    'console.log(JSON.stringify({ backend: tf.getBackend(), tf: tf.backend().binding.TF_Version, p: p.arraySync(), q: q.arraySync() }));';
  const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.backend, 'tensorflow');
  if (fs.existsSync(path.join(PKG, 'deps', 'sae-lab-build.json'))) assert.equal(out.tf, '2.9.1');
  // [1 2; 3 4] [5 6; 7 -8] = [1*5+2*7, 1*6-2*8; 3*5+4*7, 3*6-4*8]; [1 2 3] [1 0; 0 1; 2 2] = [1+6, 2+6]
  assert.deepEqual(out.p, [[19, -10], [43, -14]]);
  assert.deepEqual(out.q, [[7, 8]]);
  // Built by the script: a second run finds it up to date and does nothing.
  if (fs.existsSync(path.join(PKG, 'deps', 'sae-lab-build.json'))) {
    const again = script([], { SAE_NO_TFJS_NODE: '' });
    assert.equal(again.status, 0, again.out);
    assert.match(again.out, /^sae-lab: tfjs-node: up to date \(TensorFlow 2\.9\.1/);
  }
});
