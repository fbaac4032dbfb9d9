/**
 * The backend a learner with internet gets: `tensorflow` from @tensorflow/tfjs-node (built offline
 * here by `npm run build:tfjs-node`, which CI runs). Where it loads: the lesson's model trains to the
 * same losses and weights as on wasm (float32 tolerance), the unit tests pass with
 * SAE_BACKEND=tensorflow, and notebooks 03, 04 and 13 run in quick mode on it, with no error.
 * Where it does not load, these are skipped with the reason (in CI they fail: CI builds it).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, executeNotebook, jupyterMissing, registerKernel } from '../../scripts/jupyter';
import { tf } from '../../src/runtime/backend';
import { createModel } from '../../src/core/sae';
import { createOptimizer } from '../../src/core/train';
import { setup, withBackend } from '../helpers';

const inCi = process.env.CI === 'true';

/** Why tfjs-node does not load here, or null. */
function tfjsNodeMissing(): string | null {
  const r = spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node'); process.stdout.write(require('@tensorflow/tfjs-node').getBackend())"],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  if (r.status === 0 && r.stdout === 'tensorflow') return null;
  return `@tensorflow/tfjs-node does not load (${(r.stderr || r.stdout).trim().split('\n')[0]}); npm run build:tfjs-node builds it offline`;
}

const missing = tfjsNodeMissing();
const skip = missing !== null && !inCi ? `skipped: ${missing}` : false;
const noJupyter = jupyterMissing();
const skipNotebooks = skip || (noJupyter !== null && !inCi ? `skipped: ${noJupyter}` : false);

/** 20 Adam steps of the lesson's KL model on one backend: losses, then every weight. */
function twentySteps(x: Float32Array): { losses: number[]; weights: Float32Array[] } {
  const model = createModel({ sparsity: 'kl', latentDim: 128, sparsityWeight: 0.01, rho: 0.05 }, 5);
  const optimizer = createOptimizer(1e-3);
  const losses: number[] = [];
  const batch = tf.tensor2d(x, [64, 784]);
  for (let s = 0; s < 20; s++) {
    const { value, grads } = tf.variableGrads(() => model.losses(batch).total, model.variables);
    optimizer.applyGradients(grads);
    losses.push(value.dataSync()[0]);
    tf.dispose([value, ...Object.values(grads)]);
  }
  const weights = model.variables.map((v) => Float32Array.from(v.dataSync()));
  tf.dispose(batch);
  optimizer.dispose();
  model.dispose();
  return { losses, weights };
}

test('tensorflow: 20 Adam steps of the lesson\'s model give wasm\'s losses and weights to float32 precision, with no leaks', { skip }, async () => {
  if (missing) assert.fail(missing);
  await setup();
  require('@tensorflow/tfjs-node');
  const x = Float32Array.from({ length: 64 * 784 }, (_, i) => ((i * 7919) % 1000) / 1000);
  const onWasm = await withBackend('wasm', () => twentySteps(x));
  const before = tf.memory().numTensors;
  const onTf = await withBackend('tensorflow', () => twentySteps(x));
  assert.equal(tf.memory().numTensors, before, 'no tensors left on tensorflow');
  onTf.losses.forEach((l, i) => assert.ok(Math.abs(l - onWasm.losses[i]) <= 1e-5 * Math.abs(onWasm.losses[i]), `step ${i + 1}: ${l} vs ${onWasm.losses[i]}`));
  onTf.weights.forEach((w, k) => {
    let worst = 0;
    for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(w[i] - onWasm.weights[k][i]));
    assert.ok(worst <= 1e-5, `weight ${k}: differs by up to ${worst}`);
  });
  assert.ok(onTf.losses[19] < onTf.losses[0], 'the loss fell');
});

test('tensorflow: the unit tests pass with SAE_BACKEND=tensorflow', { skip, timeout: 1_800_000 }, () => {
  if (missing) assert.fail(missing);
  const folders = ['check', 'core', 'data', 'exercises', 'interp', 'plot', 'runtime', 'store'];
  const files = folders.flatMap((f) => fs.readdirSync(path.join(ROOT, 'test', f)).filter((n) => n.endsWith('.test.ts')).map((n) => `test/${f}/${n}`));
  // A runner of its own: without NODE_TEST_CONTEXT it reports to its own stdout, not to this one.
  const env: NodeJS.ProcessEnv = { ...process.env, SAE_BACKEND: 'tensorflow', TF_CPP_MIN_LOG_LEVEL: '2' };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
  const out = r.stdout || '';
  const count = (what: string) => Number((new RegExp(`^# ${what} (\\d+)$`, 'm').exec(out) ?? [])[1] ?? NaN);
  const failed = out.split('\n').filter((l) => /^not ok /.test(l));
  // A file that fails as a whole (its process died) shows in its own diagnostics, just above its line.
  const context = failed.map((l) => out.slice(Math.max(0, out.indexOf(l) - 1500), out.indexOf(l) + 1500)).join('\n----\n');
  assert.equal(r.status, 0, `exit ${r.status} (signal ${r.signal}); failed:\n${failed.join('\n')}\n${context}\n${(r.stderr || '').slice(-2000)}`);
  assert.ok(count('pass') > 200, `only ${count('pass')} passed`);
  assert.equal(count('fail'), 0);
  console.log(`on tensorflow: ${count('pass')} passed, ${count('skipped')} skipped, of ${files.length} files`);
});

test('tensorflow: notebooks 03, 04 and 13 run in quick mode on it, with no error', { skip: skipNotebooks, timeout: 1_800_000 }, () => {
  if (missing) assert.fail(missing);
  if (noJupyter) assert.fail(noJupyter);
  registerKernel();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-tf-'));
  const cache = path.join(out, 'cache');
  for (const name of ['03-training-loop', '04-sparsity-analysis', '13-sae-inside-a-classifier']) {
    const nb = path.join(ROOT, 'notebooks', `${name}.ipynb`);
    const outNb = path.join(out, `${name}.ipynb`);
    const r = executeNotebook(nb, outNb, { env: { SAE_QUICK: '1', SAE_BACKEND: 'tensorflow', SAE_CACHE_DIR: cache, TF_CPP_MIN_LOG_LEVEL: '2' } });
    assert.equal(r.errors, 0, `${name}: ${r.reason ?? ''} ${r.message ?? ''}\n${r.stderr.slice(-2000)}`);
    const text = fs.readFileSync(outNb, 'utf8');
    assert.match(text, /TensorFlow\.js backend 'tensorflow' from @tensorflow\/tfjs-node/, `${name} ran on another backend`);
    console.log(`${name} on tensorflow: ${r.cells} cells in ${r.seconds.toFixed(1)} s`);
  }
  fs.rmSync(out, { recursive: true, force: true });
});
