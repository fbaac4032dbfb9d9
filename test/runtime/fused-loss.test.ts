/**
 * The fused loss kernels (runtime/fused-loss.ts, native/loss.c) against the lesson's plain tfjs
 * terms (core/losses.ts): values and gradients, clamped units included, on wasm and cpu.
 * Skipped where the addon is not built (a failure in CI, which builds it).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { loadNative, nativeLoadError } from '../../src/runtime/native';
import { useFused } from '../../src/runtime/fused';
import { fusedKlPenalty, fusedMse } from '../../src/runtime/fused-loss';
import { klPenalty, KL_EPS, KL_UPPER, mse } from '../../src/core/losses';
import { assertAllClose, assertClose, setup, withBackend } from '../helpers';

const native = loadNative() as unknown as { mse?: unknown } | null;
const skip = (native === null || typeof native.mse !== 'function') && process.env.CI !== 'true'
  ? `native addon (with loss kernels) unavailable: ${nativeLoadError() || 'rebuild it: npm run build:native'}` : false;

/** Value and gradients (with respect to every input) of f, as arrays. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Scalar, xs: tf.Tensor[]): [number, Float32Array[]] {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads(f)(xs);
    return [value.dataSync()[0], grads.map((g) => g.dataSync().slice() as Float32Array)];
  });
}

test('fused MSE and KL penalty match the plain terms: values and gradients, wasm and cpu', { skip }, async () => {
  await setup();
  for (const backend of ['wasm', 'cpu']) {
    await withBackend(backend, () => {
      useFused(true);
      const x = tf.randomUniform([128, 784], 0, 1, 'float32', 5);
      const xHat = tf.randomUniform([128, 784], 0, 1, 'float32', 6);
      const [pv, pg] = valueAndGrads((a, b) => mse(a, b), [x, xHat]);
      const [fv, fg] = valueAndGrads((a, b) => fusedMse(a, b)!, [x, xHat]);
      assertClose(fv, pv, 1e-5, `${backend} mse`);
      fg.forEach((g, i) => assertAllClose(g, pg[i], 1e-5, `${backend} mse grad ${i}`));
      // Latent codes in (0, 1), with one unit never active (mean 0: clamped at KL_EPS) and one
      // always saturated (mean 1: clamped at KL_UPPER); their gradients are zero on both paths.
      const h = tf.tidy(() => {
        const u = tf.randomUniform([128, 64], 0.001, 0.3, 'float32', 7);
        const cols = tf.unstack(u, 1);
        cols[3] = tf.zeros([128]);
        cols[9] = tf.ones([128]);
        return tf.stack(cols, 1) as tf.Tensor2D;
      });
      for (const rho of [0.05, 0.2]) {
        const [kp, kpg] = valueAndGrads((a) => klPenalty(a as tf.Tensor2D, rho), [h]);
        const [kf, kfg] = valueAndGrads((a) => fusedKlPenalty(a as tf.Tensor2D, rho, KL_EPS, KL_UPPER)!, [h]);
        assertClose(kf, kp, 1e-5, `${backend} kl rho ${rho}`);
        assertAllClose(kfg[0], kpg[0], 1e-4, `${backend} kl grad rho ${rho}`);
        assert.ok([3, 9].every((j) => kfg[0][j] === 0 && kpg[0][j] === 0), 'clamped units get no gradient');
      }
      tf.dispose([x, xHat, h]);
    });
  }
});

test('fused loss terms give the hand-worked values of losses.test.ts, wasm and cpu', { skip }, async () => {
  await setup();
  for (const backend of ['wasm', 'cpu']) {
    await withBackend(backend, () => {
      useFused(true);
      const x = tf.tensor2d([[1, 0], [0.5, 1]]);
      const y = tf.tensor2d([[0.5, 0.5], [0.5, 0]]);
      assertClose(fusedMse(x, y)!.arraySync() as number, 0.375, 1e-6, `${backend} mse`);
      const latent = tf.tensor2d([[0.1, 0.2], [0.0, 0.0]]);
      assertClose(fusedKlPenalty(latent, 0.05, KL_EPS, KL_UPPER)!.arraySync() as number, 0.0167065, 1e-5, `${backend} kl`);
      const dead = tf.zeros([4, 1]) as tf.Tensor2D;
      const expectedDead = 0.05 * Math.log(0.05 / 1e-8) + 0.95 * Math.log(0.95);
      assertClose(fusedKlPenalty(dead, 0.05, KL_EPS, KL_UPPER)!.arraySync() as number, expectedDead, 1e-5, `${backend} kl dead unit`);
      const before = tf.memory().numTensors;
      tf.dispose([fusedMse(x, y)!, fusedKlPenalty(latent, 0.05, KL_EPS, KL_UPPER)!]);
      assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
      tf.dispose([x, y, latent, dead]);
    });
  }
});

test('fused loss terms are null when fusion is off or the shapes do not fit', { skip }, async () => {
  await setup();
  // Fusion is wasm's and cpu's: on another default backend (SAE_BACKEND=tensorflow) this runs on wasm.
  await withBackend('wasm', () => fusedLossNulls());
});

function fusedLossNulls(): void {
  const a = tf.ones([4, 3]);
  useFused(false);
  assert.equal(fusedMse(a, a), null);
  assert.equal(fusedKlPenalty(a as tf.Tensor2D, 0.05, KL_EPS, KL_UPPER), null);
  useFused(true);
  assert.equal(fusedMse(a, tf.ones([3, 4])), null);
  assert.equal(fusedMse(a, a)!.dataSync()[0], 0);
  tf.dispose(a);
}
