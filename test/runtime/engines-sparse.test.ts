/**
 * The engine operations for sparse codes (runtime/engine.ts), native against reference, on wasm
 * and cpu, 1 and 2 native threads: sparseDecode (codes below and above the native kernel's 1/8
 * density cut, so both its sparse loops and its OpenBLAS fallback run), centeredDense under a
 * sparse upstream gradient (the encoder of a TopK SAE: dW by dz's non-zeros), topk (the code and
 * its gradient, ties and negative values), firedLatents. Hand-worked values, the gradient's
 * support, thread-count independence, no tensor leaks.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { engine } from '../../src/runtime/engine';
import { setNativeThreads } from '../../src/runtime/native';
import { assertAllClose, setup, withBackend } from '../helpers';
import { ENGINES, onEngine, skipNative as skip, withThreads } from './engine-helpers';

/** f on wasm and cpu, each on 1 and 2 native threads. */
async function everywhere(f: (what: string, backend: string) => void): Promise<void> {
  await setup();
  for (const backend of ['wasm', 'cpu']) {
    await withBackend(backend, () => withThreads(2, () => {
      for (const threads of [1, 2]) {
        setNativeThreads(threads);
        f(`${backend} ${threads} thread(s)`, backend);
      }
    }));
  }
}

/** f's value and the gradients of sum(f(xs) * r) to every input, on each engine: [reference, native]. */
function both(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], r: tf.Tensor): number[][][] {
  return ENGINES.map((name) => onEngine(name, () => tf.tidy(() => {
    const y = f(...xs);
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), r)))(xs);
    return [y, ...grads].map((t) => Array.from(t.dataSync()));
  })));
}

/** A [rows, cols] code with about `density` of its entries non-zero (positive), the rest exactly 0. */
function sparseCode(rows: number, cols: number, density: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const keep = tf.cast(tf.less(tf.randomUniform([rows, cols], 0, 1, 'float32', seed), density), 'float32');
    return tf.mul(keep, tf.randomUniform([rows, cols], 0.1, 2, 'float32', seed + 1)) as tf.Tensor2D;
  });
}

// the cpu backend's own elementwise ops are slow: the large shape on wasm only
const SHAPES: Record<string, [number, number, number][]> = { wasm: [[256, 1024, 784], [37, 50, 33], [2, 3, 2]], cpu: [[37, 50, 33], [2, 3, 2]] };

test('sparseDecode: native = reference, values and gradients, at 3% and 50% non-zeros; the code\'s gradient is dense\'s at the non-zeros and 0 elsewhere', { skip }, async () => {
  await everywhere((where, backend) => {
    for (const [rows, inDim, outDim] of SHAPES[backend]) {
      for (const density of [0.03, 0.5]) {
        const f = sparseCode(rows, inDim, density, 11);
        const w = tf.randomUniform([inDim, outDim], -0.2, 0.2, 'float32', 12);
        const b = tf.randomUniform([outDim], -0.5, 0.5, 'float32', 13);
        const r = tf.randomNormal([rows, outDim], 0, 1, 'float32', 14);
        const what = `${where} ${rows}x${inDim}x${outDim} at ${density * 100}%`;
        const decode = (ff: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => engine().sparseDecode(ff as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D);
        const [ref, nat] = both(decode, [f, w, b], r);
        ['y', 'df', 'dW', 'db'].forEach((name, i) => assertAllClose(nat[i], ref[i], 1e-4, `${what} ${name}`));
        // a second method: the plain dense layer's gradient to its input, kept where f is non-zero
        const [plain] = ENGINES.slice(0, 1).map((name) => onEngine(name, () => tf.tidy(() => {
          const dx = tf.grad((ff: tf.Tensor) => tf.sum(tf.mul(engine().dense(ff as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, 'linear', true), r)))(f);
          return Array.from(dx.dataSync());
        })));
        const fv = f.dataSync();
        for (const [name, got] of [['reference', ref[1]], ['native', nat[1]]] as const) {
          for (let i = 0; i < fv.length; i++) {
            if (fv[i] === 0) assert.ok(got[i] === 0, `${what} ${name}: df ${got[i]} is 0 where f is 0 (entry ${i})`);
            else assert.ok(Math.abs(got[i] - plain[i]) <= 1e-4 * Math.max(1, Math.abs(plain[i])), `${what} ${name}: df ${got[i]} = dense's ${plain[i]} at entry ${i}`);
          }
        }
        tf.dispose([f, w, b, r]);
      }
    }
  });
});

test('sparseDecode and centeredDense: the sparse products give the same bits on 1 and 2 threads', { skip }, async () => {
  await setup();
  await withBackend('wasm', () => withThreads(2, () => {
    const f = sparseCode(256, 1024, 0.03, 21);
    const x = tf.randomUniform([256, 784], 0, 1, 'float32', 22);
    const c = tf.randomUniform([784], 0, 1, 'float32', 23);
    const we = tf.randomUniform([784, 1024], -0.1, 0.1, 'float32', 24);
    const wd = tf.randomUniform([1024, 784], -0.1, 0.1, 'float32', 25);
    const be = tf.zeros([1024]);
    const bd = tf.zeros([784]);
    const r = tf.randomNormal([256, 784], 0, 1, 'float32', 26);
    const dzSparse = tf.mul(sparseCode(256, 1024, 0.03, 27), tf.randomNormal([256, 1024], 0, 1, 'float32', 28));
    const run = () => onEngine('native', () => tf.tidy(() => {
      const dec = tf.grads((ff: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(engine().sparseDecode(ff as tf.Tensor2D, ww as tf.Tensor2D, bd as tf.Tensor1D), r)))([f, wd]);
      const enc = tf.grads((cc: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(engine().centeredDense(x as tf.Tensor2D, cc as tf.Tensor1D, ww as tf.Tensor2D, be as tf.Tensor1D), dzSparse)))([c, we]);
      return [...dec, ...enc].map((t) => Array.from(t.dataSync()));
    }));
    setNativeThreads(1);
    const one = run();
    setNativeThreads(2);
    const two = run();
    ['df', 'dW_dec', 'dc', 'dW_enc'].forEach((name, i) => assert.deepEqual(two[i], one[i], `${name}: 2 threads = 1 thread, bit for bit`));
    tf.dispose([f, x, c, we, wd, be, bd, r, dzSparse]);
  }));
});

test('centeredDense under a sparse upstream gradient (a TopK code\'s): native = reference for dc, dW, db', { skip }, async () => {
  await everywhere((where, backend) => {
    for (const [rows, inDim, outDim] of backend === 'wasm' ? [[256, 784, 1024], [40, 30, 64]] : [[40, 30, 64]]) {
      const x = tf.randomUniform([rows, inDim], 0, 1, 'float32', 31);
      const c = tf.randomUniform([inDim], 0, 1, 'float32', 32);
      const w = tf.randomUniform([inDim, outDim], -0.1, 0.1, 'float32', 33);
      const b = tf.randomUniform([outDim], -0.5, 0.5, 'float32', 34);
      const r = tf.tidy(() => tf.mul(sparseCode(rows, outDim, 0.03, 35), tf.randomNormal([rows, outDim], 0, 1, 'float32', 36)));
      const [ref, nat] = both((cc, ww, bb) => engine().centeredDense(x as tf.Tensor2D, cc as tf.Tensor1D, ww as tf.Tensor2D, bb as tf.Tensor1D), [c, w, b], r);
      ['y', 'dc', 'dW', 'db'].forEach((name, i) => assertAllClose(nat[i], ref[i], 1e-4, `${where} ${rows}x${inDim}x${outDim} ${name}`));
      tf.dispose([x, c, w, b, r]);
    }
  });
});

test('topk: the code relu(z) * mask by hand (ties kept, negatives 0), native = reference in value and gradient', { skip }, async () => {
  await everywhere((where) => {
    // row 0: top 2 of [3, -1, 3, 2] are 3 and 3; row 1: top 2 of [-2, -1, -3, 0.5] are 0.5 and -1 (-1 -> 0 by the ReLU)
    const z = tf.tensor2d([[3, -1, 3, 2], [-2, -1, -3, 0.5]]);
    const want = [3, 0, 3, 0, 0, 0, 0, 0.5];
    const r = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8]]);
    for (const name of ENGINES) {
      const [y, dz] = onEngine(name, () => tf.tidy(() => [engine().topk(z, 2), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(engine().topk(a as tf.Tensor2D, 2), r)))(z)].map((t) => Array.from(t.dataSync()))));
      assert.deepEqual(y, want, `${where} ${name}: topk values`);
      assert.deepEqual(dz, [1, 0, 3, 0, 0, 0, 0, 8], `${where} ${name}: the gradient passes where the code is non-zero`);
    }
    const big = tf.randomNormal([128, 1024], 0, 1, 'float32', 41);
    const rb = tf.randomNormal([128, 1024], 0, 1, 'float32', 42);
    const [ref, nat] = both((a) => engine().topk(a as tf.Tensor2D, 32), [big], rb);
    assert.deepEqual(nat[0], ref[0], `${where}: topk 128x1024, k 32: the same code, bit for bit`);
    assert.deepEqual(nat[1], ref[1], `${where}: and the same gradient`);
    tf.dispose([z, r, big, rb]);
  });
});

test('firedLatents: by hand, native = reference, int32; the new operations leak no tensors', { skip }, async () => {
  await everywhere((where) => {
    const f = tf.tensor2d([[0, 0.2, 0.1], [0.05, 0, 0.1]]);
    for (const name of ENGINES) {
      const fired = onEngine(name, () => engine().firedLatents(f, 0.1));
      assert.equal(fired.dtype, 'int32', `${where} ${name}: int32`);
      assert.deepEqual(Array.from(fired.dataSync()), [0, 1, 0], `${where} ${name}: above 0.1 (0.1 itself is not)`);
      fired.dispose();
    }
    const big = tf.tidy(() => tf.relu(tf.randomNormal([200, 300], -2, 1, 'float32', 51)));
    const [ref, nat] = ENGINES.map((name) => onEngine(name, () => tf.tidy(() => Array.from(engine().firedLatents(big as tf.Tensor2D, 0).dataSync()))));
    assert.deepEqual(nat, ref, `${where}: 200x300`);
    assert.ok(ref.some((v) => v === 0) && ref.some((v) => v === 1), `${where}: some latents fire and some do not`);
    for (const name of ENGINES) {
      onEngine(name, () => {
        const before = tf.memory().numTensors;
        const w = tf.randomUniform([300, 20], -1, 1, 'float32', 52);
        const b = tf.zeros([20]);
        tf.tidy(() => {
          tf.grads((a: tf.Tensor, ww: tf.Tensor) => tf.sum(engine().sparseDecode(engine().topk(a as tf.Tensor2D, 5), ww as tf.Tensor2D, b as tf.Tensor1D)))([big, w]);
        });
        engine().firedLatents(big as tf.Tensor2D, 0).dispose();
        tf.dispose([w, b]);
        assert.equal(tf.memory().numTensors, before, `${where} ${name}: no tensor leaks`);
      });
    }
    tf.dispose([f, big]);
  });
});
