/**
 * The native OpenBLAS kernels against TensorFlow.js's own: matrix products, Adam, and whole
 * training runs must agree within float32 tolerances. Skipped where the addon is not built
 * (a failure in CI, which builds it).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { tf } from '../../src/runtime/backend';
import {
  chooseOpenblasCore, coretypeFor, loadNative, matMulShapes, nativeLoadError, threadsSetting, useNative, useNativeMatMul,
} from '../../src/runtime/native';
import { Adam } from '../../src/core/optim';
import { jsAdam } from '../../src/runtime/native/adam-bound';
import { assertAllClose, setup, withBackend } from '../helpers';
import { klRunLosses } from './kl-run';

const native = loadNative();
const skip = native === null && process.env.CI !== 'true' ? `native addon unavailable: ${nativeLoadError()}` : false;

test('matMulShapes: sizes, strides and what is left to tfjs', () => {
  assert.deepEqual(matMulShapes([128, 784], [784, 256], false, false), { m: 128, n: 256, k: 784, batch: 1, strideA: 0, strideB: 0, outShape: [128, 256] });
  assert.deepEqual(matMulShapes([128, 256], [784, 256], false, true)?.outShape, [128, 784]);
  assert.deepEqual(matMulShapes([128, 784], [128, 256], true, false)?.outShape, [784, 256]);
  assert.deepEqual(matMulShapes([3, 5, 4], [1, 4, 6], false, false), { m: 5, n: 6, k: 4, batch: 3, strideA: 20, strideB: 0, outShape: [3, 5, 6] });
  assert.equal(matMulShapes([5, 4], [5, 4], false, false), null); // inner sizes differ
  assert.equal(matMulShapes([2, 5, 4], [3, 4, 6], false, false), null); // batch 2 vs 3
  assert.equal(matMulShapes([5, 4], [2, 4, 6], false, false), null); // ranks differ: tfjs broadcasts
});

test('JavaScript Adam loop matches tf.train.adam', async () => {
  await setup();
  await withBackend('cpu', () => {
    const n = 50;
    const p0 = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const grads = [1, 2, 3].map((s) => Float32Array.from({ length: n }, (_, i) => Math.cos(i * s) * 0.1 * s));
    const v = tf.variable(tf.tensor1d(p0), true, 'adam-ref');
    const opt = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    const p = p0.slice(); const m = new Float32Array(n); const s = new Float32Array(n);
    grads.forEach((g, t) => {
      opt.applyGradients([{ name: 'adam-ref', tensor: tf.tensor1d(g) }]);
      jsAdam.adamStep([p, m, s, g, p], 0.01, 0.9, 0.999, 1e-8, t + 1, new Uint32Array(2));
    });
    assertAllClose(p, v.dataSync(), 1e-6, 'adam');
    opt.dispose();
    v.dispose();
  });
});

test('native products and Adam agree with TensorFlow.js on wasm and cpu', { skip }, async () => {
  await setup();
  for (const backend of ['wasm', 'cpu'] as const) {
    await withBackend(backend, () => {
      const cases: [number[], number[], boolean, boolean][] = [
        [[128, 784], [784, 256], false, false], [[128, 256], [784, 256], false, true],
        [[128, 784], [128, 256], true, false], [[7, 5], [6, 7], true, true], [[3, 5, 4], [1, 4, 6], false, false], [[0, 4], [4, 3], false, false],
      ];
      for (const [as, bs, ta, tb] of cases) {
        const a = tf.randomUniform(as, -1, 1, 'float32', 1);
        const b = tf.randomUniform(bs, -1, 1, 'float32', 2);
        useNativeMatMul(backend, false);
        const ref = tf.matMul(a, b, ta, tb);
        assert.equal(useNativeMatMul(backend, true), true);
        const got = tf.matMul(a, b, ta, tb);
        assert.deepEqual(got.shape, ref.shape);
        // float32 sums of k products in another order differ by up to ~k * 6e-8 (k = 784: 5e-5)
        assertAllClose(got.dataSync(), ref.dataSync(), 1e-4, `${backend} ${as}x${bs} ${ta} ${tb}`);
        tf.dispose([a, b, ref, got]);
      }
      // Adam: the kernel (native here) against tf.train.adam, three steps.
      const names = [`n-${backend}`, `r-${backend}`];
      const init = tf.randomNormal([300], 0, 1, 'float32', 3);
      const mine = tf.variable(init.clone(), true, names[0]);
      const theirs = tf.variable(init.clone(), true, names[1]);
      const a1 = new Adam(0.01);
      const a2 = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
      for (let t = 0; t < 3; t++) {
        const g = tf.randomNormal([300], 0, 1, 'float32', 10 + t);
        a1.applyGradients({ [names[0]]: g });
        a2.applyGradients([{ name: names[1], tensor: g }]);
        g.dispose();
      }
      assertAllClose(mine.dataSync(), theirs.dataSync(), 1e-5, `${backend} adam`);
      a1.dispose(); a2.dispose();
      tf.dispose([init, mine, theirs]);
    });
  }
});

test('training with and without the native kernels (products and Adam) gives the same losses (to 1e-4)', { skip }, async () => {
  await setup();
  const run = klRunLosses;
  await withBackend('wasm', async () => {
    assert.equal(useNative(true), true);
    const withNative = await run();
    assert.equal(useNative(false), false);
    const without = await run();
    useNative(true);
    console.log(`native vs tfjs kernels, per-epoch losses: ${withNative.map((v, i) => `${v.toFixed(6)}/${without[i].toFixed(6)}`).join(' ')}`);
    assertAllClose(withNative, without, 1e-4, 'losses');
  });
});

test('native Adam: 20 steps agree with a float64 reference of the update to float32 precision', { skip }, () => {
  const n = 4096;
  const lr = 0.05;
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-8;
  let p = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));
  const m = new Float32Array(n);
  const v = new Float32Array(n);
  const ulp = (x: number) => Math.max(Math.abs(x), 1e-30) * 2 ** -23;
  for (let t = 1; t <= 20; t++) {
    // Gradients with magnitudes from 1e-6 to 1, both signs, as a ReLU model's tensors have.
    const g = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.11 + t) * 10 ** -((i * 7 + t) % 7));
    const po = new Float32Array(n); const mo = m.slice(); const vo = v.slice();
    const bad = native!.adamStep!([p, mo, vo, g, po], lr, b1, b2, eps, t, new Uint32Array(2));
    assert.equal(bad, 0, 'no non-finite values');
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    for (let i = 0; i < n; i++) {
      // The update in float64 from this step's float32 inputs (PyTorch's formula).
      const mi = b1 * m[i] + (1 - b1) * g[i];
      const vi = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const pi = p[i] - lr * (mi / c1) / (Math.sqrt(vi / c2) + eps);
      // A few float32 roundings each: v to 4 ulps (the float32 1 - beta2 was 6.4e-6 off, ~50 ulps),
      // m to 4 ulps of its larger term, p to 2 ulps of p plus 1e-6 of the step.
      assert.ok(Math.abs(vo[i] - vi) <= 4 * ulp(vi), `step ${t}, v[${i}]: ${vo[i]} vs ${vi}`);
      assert.ok(Math.abs(mo[i] - mi) <= 4 * ulp(Math.max(b1 * Math.abs(m[i]), (1 - b1) * Math.abs(g[i]))), `step ${t}, m[${i}]: ${mo[i]} vs ${mi}`);
      assert.ok(Math.abs(po[i] - pi) <= 2 * ulp(pi) + 1e-6 * Math.abs(pi - p[i]), `step ${t}, p[${i}]: ${po[i]} vs ${pi}`);
    }
    p = po;
    m.set(mo);
    v.set(vo);
  }
});

test('Adam refuses a step that would make a weight non-finite and changes nothing', { skip }, async () => {
  await setup();
  for (const on of [true, false]) {
    useNative(on);
    const w = tf.variable(tf.tensor1d([0.5, -0.25, 1]), true, `adam-guard-${on}`);
    const opt = new Adam(1e39); // a step of ~1e39 overflows float32 (max 3.4e38) on every path
    const g = tf.tensor1d([1, -1, 0.5]);
    assert.equal(opt.applyGradients({ [w.name]: g }), false, `native ${on}: the overflowing step is refused`);
    assert.deepEqual(Array.from(w.dataSync()), [0.5, -0.25, 1]);
    const small = new Adam(0.1);
    assert.equal(small.applyGradients({ [w.name]: g }), true);
    assert.ok(Math.abs(w.dataSync()[0] - 0.4) < 1e-6, 'a normal step still applies');
    tf.dispose([w, g]);
    opt.dispose();
    small.dispose();
  }
  useNative(true);
});

test('the OpenBLAS core type: chosen from the CPU flags only where OPENBLAS_CORETYPE is unset', () => {
  const cpu = (flags: string) => `processor\t: 0\nmodel name\t: x\nflags\t\t: ${flags}\n`;
  assert.equal(coretypeFor(cpu('fpu sse3 avx avx2 fma avx512f avx512dq avx512bw avx512vl')), 'SkylakeX');
  assert.equal(coretypeFor(cpu('fpu sse3 avx avx2 fma avx512f')), 'Haswell', 'AVX-512F alone is not SkylakeX');
  assert.equal(coretypeFor(cpu('fpu sse3 avx avx2')), null, 'AVX2 without FMA');
  assert.equal(coretypeFor(''), null);
  const unset: NodeJS.ProcessEnv = {};
  assert.match(chooseOpenblasCore(unset, () => cpu('avx2 fma')), /OpenBLAS core Haswell \(from the CPU's flags/);
  assert.equal(unset.OPENBLAS_CORETYPE, 'Haswell');
  const set: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: 'Zen' };
  assert.match(chooseOpenblasCore(set, () => cpu('avx2 fma avx512f avx512dq avx512bw avx512vl')), /Zen \(OPENBLAS_CORETYPE\)/);
  assert.equal(set.OPENBLAS_CORETYPE, 'Zen', "the user's value is kept");
  const old: NodeJS.ProcessEnv = {};
  assert.match(chooseOpenblasCore(old, () => cpu('sse3')), /its own choice/);
  assert.equal(old.OPENBLAS_CORETYPE, undefined);
});

test('SAE_BLAS_THREADS: plain decimal integers >= 1; anything else is an error naming the value, as the other settings give', () => {
  assert.equal(threadsSetting({ SAE_BLAS_THREADS: '3' }), 3);
  assert.equal(threadsSetting({ SAE_BLAS_THREADS: ' 2 ' }), 2);
  assert.equal(threadsSetting({ SAE_BLAS_THREADS: '64' }), 8, 'at most the addon\'s 8 threads');
  assert.equal(threadsSetting({ SAE_BLAS_THREADS: '' }), threadsSetting({}), 'empty is unset: the default');
  for (const bad of ['0', '-1', '1.5', 'abc', '0x4', '1e1', '+2', '2 threads', 'Infinity']) {
    assert.throws(() => threadsSetting({ SAE_BLAS_THREADS: bad }), (err: Error) => {
      assert.equal(err.message, `SAE_BLAS_THREADS=${JSON.stringify(bad)} is invalid: expected an integer >= 1 ` +
        'in decimal digits (e.g. 2), or unset for the default');
      return true;
    }, bad);
  }
});

test('a bad SAE_BLAS_THREADS stops the backend with that error instead of turning the native addon off', () => {
  const script = "require('./src/runtime/backend').initBackend({ log: false })" +
    ".then(() => console.log('started'), (e) => { console.log(e.message); process.exit(3); })";
  for (const value of ['abc', '0', '0x4']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script],
      { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, SAE_BLAS_THREADS: value, SAE_NATIVE: '1', SAE_BACKEND: 'wasm' } });
    assert.equal(r.status, 3, `SAE_BLAS_THREADS=${value}: exit ${r.status}\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^SAE_BLAS_THREADS="${value}" is invalid: expected an integer >= 1`));
  }
});
