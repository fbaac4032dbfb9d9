/**
 * The engine operations (runtime/engine.ts), native engine against reference engine, on wasm and
 * cpu, on 1 and 2 native threads: dense (every activation, with and without the input gradient),
 * centeredDense, mse, klPenalty (clamped units included), topkMask (ties included), unitNorm (both
 * axes), and Adam (several steps, a refused step). Values and gradients; hand-worked values; no
 * tensor leaks; shapes the kernels do not take fall back to plain ops. The finite-difference check
 * through each engine and the models are in engines-models.test.ts. Skipped where the addon is
 * not built (a failure in CI, which builds it).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { engine, EngineName } from '../../src/runtime/engine';
import { setNativeThreads } from '../../src/runtime/native';
import { KL_EPS, KL_UPPER } from '../../src/core/losses';
import { topKMask } from '../../src/interp/activations/topk';
import { Rng } from '../../src/runtime/random';
import { assertAllClose, assertClose, setup, withBackend } from '../helpers';
import { ENGINES, maxRelDiff, onEngine, skipNative as skip, withThreads } from './engine-helpers';

const BACKENDS = ['wasm', 'cpu'];
let worst = 0; // the largest relative difference native vs reference seen, for the log
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  worst = Math.max(worst, maxRelDiff(a, b));
  assertAllClose(a, b, tol, what);
};

/** f on each backend and each thread count, with `what` naming them. */
async function everywhere(f: (what: string, backend: string) => void): Promise<void> {
  await setup();
  for (const backend of BACKENDS) {
    await withBackend(backend, () => withThreads(2, () => {
      for (const threads of [1, 2]) {
        setNativeThreads(threads);
        f(`${backend} ${threads} thread(s)`, backend);
      }
    }));
  }
}

/** Value of f's output and the gradients of sum(f(xs) * r) with respect to every input. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], r?: tf.Tensor): number[][] {
  return tf.tidy(() => {
    const y = f(...xs);
    const grads = tf.grads((...a: tf.Tensor[]) => (r === undefined ? tf.sum(f(...a)) : tf.sum(tf.mul(f(...a), r))))(xs);
    return [y, ...grads].map((t) => Array.from(t.dataSync()));
  });
}

/** valueAndGrads on each engine: [reference, native]. */
function both(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], r?: tf.Tensor): number[][][] {
  return ENGINES.map((name) => onEngine(name, () => valueAndGrads(f, xs, r)));
}

test('dense: native = reference, values and gradients to x, W, b, relu/sigmoid/linear, inputGrad true and false', { skip }, async () => {
  const shapes: Record<string, [number, number, number][]> = {
    wasm: [[128, 784, 256], [37, 50, 33], [1, 5, 3]],
    cpu: [[37, 50, 33], [1, 5, 3]], // the cpu backend's own elementwise ops are slow
  };
  await everywhere((where, backend) => {
    for (const [rows, inDim, outDim] of shapes[backend]) {
      const x = tf.randomUniform([rows, inDim], 0, 1, 'float32', 1);
      const w = tf.randomUniform([inDim, outDim], -0.2, 0.2, 'float32', 2);
      const b = tf.randomUniform([outDim], -0.5, 0.5, 'float32', 3);
      const r = tf.randomNormal([rows, outDim], 0, 1, 'float32', 4);
      for (const act of ['relu', 'sigmoid', 'linear'] as const) {
        const what = `${where} ${rows}x${inDim}x${outDim} ${act}`;
        const dense = (inputGrad: boolean) => (a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
          engine().dense(a as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D, act, inputGrad);
        const [ref, nat] = both(dense(true), [x, w, b], r);
        // Sums of up to 784 float32 products in another order: ~1e-5 relative.
        ['y', 'dx', 'dW', 'db'].forEach((name, i) => close(nat[i], ref[i], 1e-4, `${what} ${name}`));
        if (rows > 1) assert.ok(ref[1].some((v) => v !== 0), `${what}: a non-zero dx`);
        // inputGrad false (a layer on data): the same value and parameter gradients. dx is not
        // needed there: the reference engine gives zeros, the native kernel the gradient itself.
        const [refNo, natNo] = both(dense(false), [x, w, b], r);
        [0, 2, 3].forEach((i) => close(natNo[i], ref[i], 1e-4, `${what} ${['y', 'dx', 'dW', 'db'][i]} (native, inputGrad false)`));
        [0, 2, 3].forEach((i) => close(refNo[i], ref[i], 1e-4, `${what} ${['y', 'dx', 'dW', 'db'][i]} (reference, inputGrad false)`));
        assert.ok(refNo[1].every((v) => v === 0), `${what}: reference, inputGrad false: dx is zeros`);
        close(natNo[1], ref[1], 1e-4, `${what} dx (native, inputGrad false: asked for it, the gradient still comes)`);
      }
      tf.dispose([x, w, b, r]);
    }
  });
});

test('centeredDense: native = reference, values and gradients to c, W and b', { skip }, async () => {
  await everywhere((where) => {
    for (const [rows, inDim, outDim] of [[64, 100, 40], [3, 4, 2]]) {
      const x = tf.randomUniform([rows, inDim], 0, 1, 'float32', 5);
      const c = tf.randomUniform([inDim], 0, 1, 'float32', 6);
      const w = tf.randomUniform([inDim, outDim], -0.3, 0.3, 'float32', 7);
      const b = tf.randomUniform([outDim], -0.5, 0.5, 'float32', 8);
      const r = tf.randomNormal([rows, outDim], 0, 1, 'float32', 9);
      const [ref, nat] = both((cc, ww, bb) => engine().centeredDense(x as tf.Tensor2D, cc as tf.Tensor1D, ww as tf.Tensor2D, bb as tf.Tensor1D), [c, w, b], r);
      ['y', 'dc', 'dW', 'db'].forEach((name, i) => close(nat[i], ref[i], 1e-4, `${where} ${rows}x${inDim}x${outDim} centeredDense ${name}`));
      tf.dispose([x, c, w, b, r]);
    }
  });
});

test('dense and centeredDense give hand-worked values and leak no tensors, on both engines', { skip }, async () => {
  await everywhere((where) => {
    for (const name of ENGINES) {
      onEngine(name, () => {
        const x = tf.ones([4, 3]) as tf.Tensor2D;
        const w = tf.ones([3, 2]) as tf.Tensor2D;
        const b = tf.zeros([2]) as tf.Tensor1D;
        const v = tf.variable(w, true, `engine-leak-${name}`);
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          tf.variableGrads(() => tf.sum(engine().dense(x, v, b, 'sigmoid', true)) as tf.Scalar);
          tf.variableGrads(() => tf.sum(engine().centeredDense(x, b.pad([[0, 1]]) as tf.Tensor1D, v, b)) as tf.Scalar);
        });
        assert.equal(tf.memory().numTensors, before, `${where} ${name}: no tensor left behind by a forward and backward pass`);
        const y = engine().dense(x, w, b, 'linear', true);
        assert.deepEqual(Array.from(y.dataSync()), [3, 3, 3, 3, 3, 3, 3, 3], `${where} ${name}: dense`);
        const c = tf.tensor1d([1, 0.5, 0]);
        const yc = engine().centeredDense(x, c, w, tf.tensor1d([1, -1]));
        assert.deepEqual(Array.from(yc.dataSync()), [2.5, 0.5, 2.5, 0.5, 2.5, 0.5, 2.5, 0.5], `${where} ${name}: centeredDense`);
        tf.dispose([x, w, b, v, y, c, yc]);
      });
    }
  });
});

test('mse and klPenalty: native = reference, values and gradients, clamped units included', { skip }, async () => {
  await everywhere((where) => {
    const x = tf.randomUniform([128, 784], 0, 1, 'float32', 5);
    const xHat = tf.randomUniform([128, 784], 0, 1, 'float32', 6);
    const [rm, nm] = both((a, b) => engine().mse(a, b), [x, xHat]);
    close(nm[0], rm[0], 1e-5, `${where} mse`);
    close(nm[1], rm[1], 1e-5, `${where} mse grad x`);
    close(nm[2], rm[2], 1e-5, `${where} mse grad xHat`);
    // Codes in (0, 1), with one unit never active (mean 0: clamped at KL_EPS) and one always
    // saturated (mean 1: clamped at KL_UPPER); their gradients are zero on both engines.
    const h = tf.tidy(() => {
      const cols = tf.unstack(tf.randomUniform([128, 64], 0.001, 0.3, 'float32', 7), 1);
      cols[3] = tf.zeros([128]);
      cols[9] = tf.ones([128]);
      return tf.stack(cols, 1) as tf.Tensor2D;
    });
    for (const rho of [0.05, 0.2]) {
      const [rk, nk] = both((a) => engine().klPenalty(a as tf.Tensor2D, rho, KL_EPS, KL_UPPER), [h]);
      close(nk[0], rk[0], 1e-5, `${where} kl rho ${rho}`);
      close(nk[1], rk[1], 1e-4, `${where} kl grad rho ${rho}`);
      for (const g of [nk[1], rk[1]]) {
        assert.ok(Array.from({ length: 128 }, (_, i) => [3, 9].every((j) => g[i * 64 + j] === 0)).every(Boolean), `${where}: clamped units get no gradient`);
      }
    }
    tf.dispose([x, xHat, h]);
  });
});

test('mse and klPenalty give the hand-worked values of losses.test.ts on both engines, and leak no tensors', { skip }, async () => {
  await everywhere((where) => {
    for (const name of ENGINES) {
      onEngine(name, () => {
        const what = `${where} ${name}`;
        const x = tf.tensor2d([[1, 0], [0.5, 1]]);
        const y = tf.tensor2d([[0.5, 0.5], [0.5, 0]]);
        assertClose(engine().mse(x, y).arraySync() as number, 0.375, 1e-6, `${what} mse`);
        const latent = tf.tensor2d([[0.1, 0.2], [0.0, 0.0]]);
        assertClose(engine().klPenalty(latent, 0.05, KL_EPS, KL_UPPER).arraySync() as number, 0.0167065, 1e-5, `${what} kl`);
        const dead = tf.zeros([4, 1]) as tf.Tensor2D;
        const expectedDead = 0.05 * Math.log(0.05 / 1e-8) + 0.95 * Math.log(0.95);
        assertClose(engine().klPenalty(dead, 0.05, KL_EPS, KL_UPPER).arraySync() as number, expectedDead, 1e-5, `${what} kl dead unit`);
        const before = tf.memory().numTensors;
        tf.dispose([engine().mse(x, y), engine().klPenalty(latent, 0.05, KL_EPS, KL_UPPER)]);
        assert.equal(tf.memory().numTensors, before, `${what}: no tensors left behind`);
        assert.equal(engine().mse(x, x).dataSync()[0], 0, `${what}: mse(x, x)`);
        tf.dispose([x, y, latent, dead]);
      });
    }
  });
});

test('shapes the kernels do not take (not 2-D) fall back to plain ops on the native engine', { skip }, async () => {
  await everywhere((where) => {
    const a = tf.randomUniform([2, 3, 4], 0, 1, 'float32', 1);
    const b = tf.randomUniform([2, 3, 4], 0, 1, 'float32', 2);
    const v = tf.randomUniform([7], 0, 1, 'float32', 3);
    const [ref, nat] = both((p, q) => engine().mse(p, q), [a, b]);
    ref.forEach((r, i) => close(nat[i], r, 1e-6, `${where} mse of 3-D tensors, part ${i}`));
    const [r1, n1] = both((p) => engine().mse(p, tf.zerosLike(p)), [v]);
    r1.forEach((r, i) => close(n1[i], r, 1e-6, `${where} mse of 1-D tensors, part ${i}`));
    tf.dispose([a, b, v]);
  });
});

/** The mask computed in plain JavaScript: sort a copy of each row, compare with its k-th largest. */
function byHand(x: Float32Array, rows: number, cols: number, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++) {
    const row = Array.from(x.subarray(i * cols, (i + 1) * cols));
    const kth = [...row].sort((a, b) => b - a)[k - 1];
    out.push(...row.map((v) => (v >= kth ? 1 : 0)));
  }
  return out;
}

test('topkMask: the k-th largest of each row and every tie with it, on both engines; topKMask; a zero gradient', { skip }, async () => {
  const rng = new Rng(5);
  const cases: [string, number, number, number[], number[]][] = [];
  const random = (rows: number, cols: number) => Array.from({ length: rows * cols }, () => rng.uniform(-3, 3));
  cases.push(['random 128x1024', 128, 1024, random(128, 1024), [1, 16, 128, 1024]]);
  cases.push(['random 7x33', 7, 33, random(7, 33), [1, 2, 5, 32, 33]]);
  // few distinct values: many ties at the k-th
  cases.push(['ties', 9, 40, Array.from({ length: 9 * 40 }, () => Math.floor(rng.uniform(0, 4))), [1, 3, 10, 39, 40]]);
  // ties where the min-heap answers (k <= n / 16)
  cases.push(['ties, heap', 6, 96, Array.from({ length: 6 * 96 }, () => Math.floor(rng.uniform(0, 5))), [2, 3, 6]]);
  cases.push(['constant rows', 3, 16, new Array(48).fill(-1e4), [1, 8, 16]]);
  cases.push(['one column', 5, 1, random(5, 1), [1]]);
  await everywhere((where) => {
    for (const name of ENGINES) {
      onEngine(name, () => {
        const before = tf.memory().numTensors;
        for (const [what, rows, cols, values, ks] of cases) {
          const data = Float32Array.from(values);
          for (const k of ks) {
            const got = tf.tidy(() => {
              const z = tf.tensor2d(data, [rows, cols]);
              return [engine().topkMask(z, k).dataSync(), topKMask(z, k).dataSync()].map((a) => Array.from(a));
            });
            const expected = byHand(data, rows, cols, k);
            assert.deepEqual(got[0], expected, `${where} ${name} ${what} k=${k}: engine mask`);
            assert.deepEqual(got[1], expected, `${where} ${name} ${what} k=${k}: topKMask`);
          }
        }
        const g = tf.tidy(() => Array.from(tf.grad((z: tf.Tensor) => tf.sum(engine().topkMask(z as tf.Tensor2D, 2)))(tf.tensor2d([[1, 2, 3]])).dataSync()));
        assert.deepEqual(g, [0, 0, 0], `${where} ${name}: the mask is a constant for gradients`);
        assert.equal(tf.memory().numTensors, before, `${where} ${name}: no tensors leak`);
      });
    }
  });
});

test('unitNorm: native = reference on both axes (the reference differentiates, the native kernel throws); hand-worked values; a zero row', { skip }, async () => {
  await everywhere((where) => {
    const w = tf.randomNormal([50, 30], 0, 1, 'float32', 11);
    const r = tf.randomNormal([50, 30], 0, 1, 'float32', 12);
    for (const axis of [0, 1] as const) {
      const [ref, nat] = ENGINES.map((name) => onEngine(name, () => tf.tidy(() => Array.from(engine().unitNorm(w as tf.Tensor2D, axis).dataSync()))));
      close(nat, ref, 1e-6, `${where} unitNorm axis ${axis}`);
      // The reference engine's plain ops differentiate; the native kernel is documented as not differentiated.
      const g = onEngine('reference', () => tf.tidy(() => Array.from(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(engine().unitNorm(a as tf.Tensor2D, axis), r)))(w).dataSync())));
      assert.ok(g.every(Number.isFinite), `${where} reference unitNorm axis ${axis}: a finite gradient`);
      onEngine('native', () => assert.throws(() => tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(engine().unitNorm(a as tf.Tensor2D, axis)))(w)),
        /gradient function not found for SaeUnitNorm/, `${where} native unitNorm: differentiating it throws`));
    }
    for (const name of ENGINES) {
      onEngine(name, () => {
        const m = tf.tensor2d([[3, 4], [0, 0]]);
        const before = tf.memory().numTensors;
        const rows = engine().unitNorm(m, 1);
        const cols = engine().unitNorm(m, 0);
        assertAllClose(rows.dataSync(), [0.6, 0.8, 0, 0], 1e-6, `${where} ${name} rows (a zero row stays zero)`);
        assertAllClose(cols.dataSync(), [1, 1, 0, 0], 1e-6, `${where} ${name} columns`);
        tf.dispose([rows, cols]);
        assert.equal(tf.memory().numTensors, before, `${where} ${name}: no tensors leak`);
        m.dispose();
      });
    }
    tf.dispose([w, r]);
  });
});

test('Adam: native = reference over 10 steps (moments included), both refuse an overflowing step and change nothing', { skip }, async () => {
  const settings = { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  await everywhere((where) => {
    const shapes = [[30, 20], [20], [100000]];
    const run = (name: EngineName) => onEngine(name, () => {
      const vars = shapes.map((s, i) => tf.tidy(() => tf.variable(tf.randomNormal(s, 0, 1, 'float32', 3 + i), true, `adam-${name}-${where}-${i}`)));
      const names = vars.map((v) => v.name);
      const adam = engine().adam(settings);
      for (let step = 1; step <= 10; step++) {
        const grads = Object.fromEntries(vars.map((v, i) => [v.name, tf.randomNormal(v.shape, 0, 1 + step, 'float32', 100 * i + step)]));
        assert.equal(adam.apply(step, names, vars, grads), true, `${where} ${name} step ${step}`);
        tf.dispose(Object.values(grads));
      }
      const values = vars.map((v) => Array.from(v.dataSync()));
      // A step whose new weights are not finite (an infinite gradient in the last tensor): refused, nothing changes.
      const bad = Object.fromEntries(vars.map((v, i) => [v.name, i === 2 ? tf.fill(v.shape, Infinity) : tf.onesLike(v)]));
      assert.equal(adam.apply(11, names, vars, bad), false, `${where} ${name}: an infinite gradient is refused`);
      assert.deepEqual(vars.map((v) => Array.from(v.dataSync())), values, `${where} ${name}: a refused step changes nothing`);
      // ...and its moments neither: the next good step is the 11th
      const good = Object.fromEntries(vars.map((v) => [v.name, tf.onesLike(v)]));
      assert.equal(adam.apply(11, names, vars, good), true);
      const after = vars.map((v) => Array.from(v.dataSync()));
      // lr 3e38: the step size lr / (1 - 0.9) overflows float32: the first step is refused
      const big = engine().adam({ ...settings, learningRate: 3e38 });
      assert.equal(big.apply(1, names, vars, good), false, `${where} ${name}: lr 3e38 is refused`);
      assert.deepEqual(vars.map((v) => Array.from(v.dataSync())), after, `${where} ${name}: the refused first step changes nothing`);
      tf.dispose([...vars, ...Object.values(bad), ...Object.values(good)]);
      adam.dispose();
      big.dispose();
      return { values, after };
    });
    const ref = run('reference');
    const nat = run('native');
    // Ten steps of float32 updates in another order of operations: within a few ulps.
    ref.values.forEach((r, i) => close(nat.values[i], r, 1e-6, `${where} Adam tensor ${i} after 10 steps`));
    ref.after.forEach((r, i) => close(nat.after[i], r, 1e-6, `${where} Adam tensor ${i} after the refused step and one more`));
  });
});

test('the largest native-vs-reference difference seen', { skip }, () => {
  console.log(`engines: largest relative difference native vs reference over this file: ${worst.toExponential(2)}`);
});
