/**
 * The fused dense kernels (runtime/fused.ts, native/fused.c) against plain TensorFlow.js: values
 * and all three gradients, every activation, with and without the input gradient, on wasm and
 * cpu, on one thread and on two; training runs with and without fusion; the one-kernel Adam.
 * Skipped where the addon is not built (a failure in CI, which builds it).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { loadNative, nativeLoadError, nativeThreads, setNativeThreads, useNative } from '../../src/runtime/native';
import { fusedActive, fusedDense, FusedActivation, useFused } from '../../src/runtime/fused';
import { assertAllClose, setup, withBackend } from '../helpers';
import { klRunLosses } from './kl-run';

const native = loadNative();
const skip = (native === null || native.denseForward === undefined) && process.env.CI !== 'true'
  ? `native addon (with fused kernels) unavailable: ${nativeLoadError() || 'rebuild it: npm run build:native'}` : false;

/** Runs f with the native kernels on `threads` threads, then restores the setting. */
async function withThreads<T>(threads: number, f: () => T | Promise<T>): Promise<T> {
  const was = nativeThreads();
  setNativeThreads(threads);
  try {
    return await f();
  } finally {
    setNativeThreads(was.threads, was.openblas);
  }
}

/** Value of act(x W + b) and the gradients of sum(y * r) with respect to x, W and b. */
function layer(x: tf.Tensor2D, w: tf.Variable<tf.Rank.R2>, b: tf.Variable<tf.Rank.R1>, r: tf.Tensor2D, act: FusedActivation, inputGrad: boolean, fused: boolean) {
  return tf.tidy(() => {
    const apply = (xx: tf.Tensor2D) => {
      if (fused) return fusedDense(xx, w, b, act, inputGrad)!;
      const z = tf.add(tf.matMul(xx, w), b) as tf.Tensor2D;
      return act === 'relu' ? tf.relu(z) : act === 'sigmoid' ? tf.sigmoid(z) : z;
    };
    const y = apply(x);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(apply(x), r)) as tf.Scalar, [w, b]);
    const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(apply(xx as tf.Tensor2D), r)))(x);
    return [y, grads[w.name], grads[b.name], dx].map((t) => t.dataSync().slice());
  });
}

test('fused dense layers match plain tfjs: values and gradients, every activation, wasm and cpu, 1 and 2 threads', { skip }, async () => {
  await setup();
  const shapes: Record<string, [number, number, number][]> = {
    wasm: [[128, 784, 256], [128, 256, 784], [37, 50, 33], [1, 5, 3]],
    cpu: [[64, 128, 128], [37, 50, 33], [1, 5, 3]], // the cpu backend's own elementwise ops are slow
  };
  for (const backend of ['wasm', 'cpu']) {
    await withBackend(backend, () => withThreads(2, async () => {
      for (const threads of [1, 2]) {
        setNativeThreads(threads);
        assert.equal(useFused(true), true, `fusion in use on ${backend}`);
        for (const [rows, inDim, outDim] of shapes[backend]) {
          const x = tf.randomUniform([rows, inDim], 0, 1, 'float32', 1) as tf.Tensor2D;
          const w = tf.variable(tf.randomUniform([inDim, outDim], -0.2, 0.2, 'float32', 2) as tf.Tensor2D);
          const b = tf.variable(tf.randomUniform([outDim], -0.5, 0.5, 'float32', 3) as tf.Tensor1D);
          const r = tf.randomNormal([rows, outDim], 0, 1, 'float32', 4) as tf.Tensor2D;
          for (const act of ['relu', 'sigmoid', 'linear'] as const) {
            const what = `${backend} ${threads} thread(s) ${rows}x${inDim}x${outDim} ${act}`;
            const plain = layer(x, w, b, r, act, true, false);
            const fused = layer(x, w, b, r, act, true, true);
            // Sums of up to 784 float32 products in another order: ~1e-5 relative.
            ['y', 'dW', 'db', 'dx'].forEach((name, i) => assertAllClose(fused[i], plain[i], 1e-4, `${what} ${name}`));
            // inputGrad false skips dx while training on data; asked for it, the gradient still comes.
            const noDx = layer(x, w, b, r, act, false, true);
            ['y', 'dW', 'db', 'dx'].forEach((name, i) =>
              assertAllClose(noDx[i], plain[i], 1e-4, `${what} ${name} (inputGrad false)`));
          }
          tf.dispose([x, w, b, r]);
        }
      }
    }));
  }
});

test('fusedDense is null when fusion or the addon is off, on other shapes, and leaks no tensors', { skip }, async () => {
  await setup();
  // Fusion is wasm's and cpu's: on another default backend (SAE_BACKEND=tensorflow) this runs on wasm.
  await withBackend('wasm', () => fusedDenseNulls());
});

function fusedDenseNulls(): void {
  const x = tf.ones([4, 3]) as tf.Tensor2D;
  const w = tf.ones([3, 2]) as tf.Tensor2D;
  const b = tf.zeros([2]) as tf.Tensor1D;
  useFused(false);
  assert.equal(fusedDense(x, w, b, 'relu', true), null);
  useFused(true);
  assert.equal(fusedDense(x, tf.ones([4, 2]) as tf.Tensor2D, b, 'relu', true), null, 'inner sizes differ');
  useNative(false);
  assert.equal(fusedActive(), false);
  assert.equal(fusedDense(x, w, b, 'relu', true), null);
  useNative(true);
  const v = tf.variable(w, true, 'fused-leak');
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    tf.variableGrads(() => tf.sum(fusedDense(x, v, b, 'sigmoid', true)!) as tf.Scalar);
  });
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind by a forward and backward pass');
  assert.deepEqual(Array.from((fusedDense(x, w, b, 'linear', true) as tf.Tensor).dataSync()), [3, 3, 3, 3, 3, 3, 3, 3]);
  tf.dispose([x, w, b, v]);
}

test('training with and without fusion, on 1 and 2 threads, gives the same losses (to 1e-4)', { skip }, async () => {
  await setup();
  const run = klRunLosses;
  await withBackend('wasm', async () => {
    useFused(false);
    const plain = await withThreads(1, run);
    useFused(true);
    for (const threads of [1, 2]) {
      const fused = await withThreads(threads, run);
      console.log(`fused (${threads} thread(s)) vs plain, per-epoch losses: ${fused.map((v, i) => `${v.toFixed(6)}/${plain[i].toFixed(6)}`).join(' ')}`);
      assertAllClose(fused, plain, 1e-4, `losses, ${threads} thread(s)`);
    }
  });
});

test('native Adam: the same numbers on 1 and 2 threads, per tensor, in place, and counted without writing', { skip }, async () => {
  await setup();
  const n = [5000, 40000, 7, 300000];
  const p = n.map((k, i) => Float32Array.from({ length: k }, (_, j) => Math.sin(j * 0.1 + i)));
  const g = n.map((k, i) => Float32Array.from({ length: k }, (_, j) => Math.cos(j * 0.37 + i) * 10 ** -(j % 5)));
  const moments = () => n.map((k) => [new Float32Array(k).fill(0.01), new Float32Array(k).fill(0.02)]);
  /** One step of every tensor at once; pOut is p itself when inPlace. */
  const step = (threads: number, inPlace: boolean) => {
    setNativeThreads(threads);
    const mv = moments();
    const ps = p.map((x) => x.slice());
    const outs = inPlace ? ps : n.map((k) => new Float32Array(k));
    const maxima = new Uint32Array(2 * n.length);
    const bad = native!.adamStep!(n.flatMap((_, i) => [ps[i], mv[i][0], mv[i][1], g[i], outs[i]]), 0.01, 0.9, 0.999, 1e-8, 3, maxima);
    return { bad, p: outs, m: mv.map((x) => x[0]), v: mv.map((x) => x[1]), maxima, input: ps };
  };
  const was = nativeThreads();
  const one = step(1, false);
  const two = step(2, false);
  const inPlace = step(2, true);
  setNativeThreads(was.threads, was.openblas);
  for (const r of [one, two, inPlace]) assert.equal(r.bad, 0);
  const bitsOf = (x: number) => new Uint32Array(Float32Array.of(Math.abs(x)).buffer)[0];
  n.forEach((k, i) => {
    const [m, v] = moments()[i];
    const po = new Float32Array(k);
    const maxima = new Uint32Array(2);
    native!.adamStep!([p[i], m, v, g[i], po], 0.01, 0.9, 0.999, 1e-8, 3, maxima);
    for (const [name, r] of [['1 thread', one], ['2 threads', two], ['in place', inPlace]] as const) {
      assert.deepEqual(r.p[i], po, `tensor ${i} p: ${name} vs per tensor`);
      assert.deepEqual(r.m[i], m, `tensor ${i} m: ${name} vs per tensor`);
      assert.deepEqual(r.v[i], v, `tensor ${i} v: ${name} vs per tensor`);
      assert.deepEqual([r.maxima[2 * i], r.maxima[2 * i + 1]], [...maxima], `tensor ${i} maxima: ${name}`);
    }
    // the maxima, found here by a plain loop
    assert.equal(maxima[0], bitsOf(m.reduce((a, x) => Math.max(a, Math.abs(x)), 0)), `tensor ${i}: largest |m|`);
    assert.equal(maxima[1], bitsOf(v.reduce((a, x) => Math.max(a, x), 0)), `tensor ${i}: largest v`);
  });
  assert.notDeepEqual(inPlace.input[3], p[3], 'in place, p itself changed');
  // Without maxima: the same count and nothing written.
  const mv = moments();
  const ps = p.map((x) => x.slice());
  const gBad = g.map((x) => x.slice());
  gBad[1][17] = NaN;
  gBad[3][299999] = Infinity;
  const bad = native!.adamStep!(n.flatMap((_, i) => [ps[i], mv[i][0], mv[i][1], gBad[i], ps[i]]), 0.01, 0.9, 0.999, 1e-8, 3, null);
  assert.equal(bad, 2, 'a NaN and an infinite gradient make two p non-finite');
  assert.deepEqual(ps, p, 'counting writes no p');
  assert.deepEqual(mv, moments(), 'counting writes no m or v');
  // absMaxBits: the largest |x| over several arrays, and non-finite values above every finite one
  assert.equal(native!.absMaxBits!([Float32Array.of(1, -7.5), Float32Array.of(3)]), bitsOf(7.5));
  assert.equal(native!.absMaxBits!([]), 0);
  assert.ok(native!.absMaxBits!([Float32Array.of(3.4e38), Float32Array.of(-Infinity)]) >= 0x7f800000);
  assert.ok(native!.absMaxBits!([Float32Array.of(NaN, 1)]) > 0x7f800000);
  const big = Float32Array.from({ length: 200000 }, (_, j) => Math.sin(j));
  big[123457] = -2;
  for (const threads of [1, 2]) {
    setNativeThreads(threads);
    assert.equal(native!.absMaxBits!([new Float32Array(10), big]), bitsOf(2), `${threads} thread(s)`);
  }
  setNativeThreads(was.threads, was.openblas);
  // No array written may overlap another: m as v, or a gradient that is p updated in place.
  const [a, b, c] = [0, 1, 2].map(() => new Float32Array(8));
  const overlap = /no array written \(m, v, pOut\) may overlap another/;
  assert.throws(() => native!.adamStep!([a, b, b, c, a], 0.01, 0.9, 0.999, 1e-8, 1, new Uint32Array(2)), overlap, 'm is v');
  assert.throws(() => native!.adamStep!([a, b, c, a, a], 0.01, 0.9, 0.999, 1e-8, 1, new Uint32Array(2)), overlap, 'g is p, in place');
  assert.throws(() => native!.adamStep!([a, b, c, a.subarray(4), new Float32Array(8)], 0.01, 0.9, 0.999, 1e-8, 1, null), /of one length/);
  const pair = [[a, b, c, new Float32Array(8), a], [new Float32Array(8), new Float32Array(8), new Float32Array(8), a, new Float32Array(8)]];
  assert.throws(() => native!.adamStep!(pair.flat(), 0.01, 0.9, 0.999, 1e-8, 1, new Uint32Array(4)), overlap, 'one tensor reads what another writes');
  // read-only arrays may share memory: g is p, with the new p written elsewhere
  assert.equal(native!.adamStep!([a, b, c, a, new Float32Array(8)], 0.01, 0.9, 0.999, 1e-8, 1, new Uint32Array(2)), 0);
});

// FTZ and DAZ are set on x86-64 only (native/adam.c); elsewhere subnormals are kept, as PyTorch keeps them.
const skipFtz = skip || (process.arch !== 'x64' ? `subnormals count as zero on x86-64 only (this is ${process.arch})` : false);
test('native Adam reads and writes subnormal moments as zero, and leaves JavaScript\'s arithmetic as it was', { skip: skipFtz }, async () => {
  await setup();
  const was = nativeThreads();
  for (const threads of [1, 2]) {
    setNativeThreads(threads);
    const n = 100000; // enough for both threads to take a part
    const p = new Float32Array(n).fill(0.5);
    const m = new Float32Array(n).fill(1e-38); // 0.9 m is subnormal (float32's smallest normal is 1.18e-38)
    const v = new Float32Array(n).fill(2e-39); // subnormal already
    const g = new Float32Array(n);
    g[7] = 1;
    const maxima = new Uint32Array(2);
    assert.equal(native!.adamStep!([p, m, v, g, p], 1e-3, 0.9, 0.999, 1e-8, 10, maxima), 0);
    assert.equal(m[0], 0, `${threads} thread(s): 0.9 * 1e-38 is flushed to zero`);
    assert.equal(v[0], 0, `${threads} thread(s): a subnormal v reads as zero`);
    assert.equal(p[0], 0.5, 'p does not move');
    assert.ok(Math.abs(m[7] - 0.1) < 1e-7 && Math.abs(v[7] - 0.001) < 1e-9, 'normal numbers are computed as before');
    // The flush-to-zero mode is this call's only: float32 rounding in JavaScript still gives subnormals.
    const tiny = new Float64Array([1e-40, 5e-324]);
    assert.ok(Math.fround(tiny[0]) > 0, `${threads} thread(s): Math.fround(1e-40) is a subnormal, not 0`);
    assert.ok(tiny[1] * 3 > 0, 'float64 subnormals still multiply');
  }
  setNativeThreads(was.threads, was.openblas);
});

test('the BatchMatMul kernel split over 2 threads (columns, rows, whole products) matches tfjs', { skip }, async () => {
  await setup();
  await withBackend('wasm', () => withThreads(2, () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[128, 784], [784, 256], false, false], [[784, 128], [128, 40], false, false], [[128, 784], [128, 256], true, false],
      [[128, 256], [784, 256], false, true], [[4, 100, 300], [4, 300, 90], false, false], [[3, 300, 200], [1, 200, 100], false, false],
    ];
    for (const [as, bs, ta, tb] of cases) {
      const a = tf.randomUniform(as, -1, 1, 'float32', 1);
      const b = tf.randomUniform(bs, -1, 1, 'float32', 2);
      const got = tf.matMul(a, b, ta, tb);
      useNative(false);
      const ref = tf.matMul(a, b, ta, tb);
      useNative(true);
      assertAllClose(got.dataSync(), ref.dataSync(), 1e-4, `${as}x${bs} ${ta} ${tb}`);
      tf.dispose([a, b, got, ref]);
    }
  }));
});
