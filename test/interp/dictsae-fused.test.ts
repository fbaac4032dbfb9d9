/**
 * The dictionary SAE's training loss through the native addon (fused encoder and decoder
 * products, fused MSE) against the same SAE on plain tfjs ops: loss terms, the gradient of every
 * variable and the gradient with respect to the input, for each activation, tied or not, and
 * with AuxK on dead latents. Skipped where the addon is not built.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { DictSae } from '../../src/interp/dictsae';
import type { DictSaeOptions } from '../../src/interp/dictsae';
import { loadNative, nativeLoadError } from '../../src/runtime/native';
import { useFused } from '../../src/runtime/fused';
import { Rng } from '../../src/runtime/random';
import { assertAllClose, assertClose, setup } from '../helpers';

const skip = loadNative()?.denseForward === undefined && process.env.CI !== 'true'
  ? `native addon (with fused kernels) unavailable: ${nativeLoadError() || 'rebuild it: npm run build:native'}` : false;

const d = 20;
const m = 12;

/** Loss parts, variable gradients and input gradient of one batch, fused or plain. */
function lossAndGrads(config: DictSaeOptions, xs: Float32Array, rows: number, fused: boolean) {
  useFused(fused);
  const sae = new DictSae({ inputDim: d, latentDim: m, deadAfter: 1, ...config }, 5);
  try {
    return tf.tidy(() => {
      const x = tf.tensor2d(xs, [rows, d]);
      // Mark the latents that do not fire on this batch as dead (deadAfter 1), so AuxK has work.
      sae.losses(x);
      sae.dead.afterStep();
      const names: string[] = [];
      let parts: number[] = [];
      const { grads } = tf.variableGrads(() => {
        const l = sae.losses(x);
        names.push(...Object.keys(l));
        parts = Object.values(l).map((t) => (t as tf.Scalar).dataSync()[0]);
        return l.total;
      }, sae.variables);
      const dx = tf.grad((xx: tf.Tensor) => sae.losses(xx as tf.Tensor2D).total)(x);
      return {
        parts,
        dead: sae.dead.count(),
        grads: sae.variables.map((v) => Array.from(grads[v.name].dataSync())),
        dx: Array.from(dx.dataSync()),
      };
    });
  } finally {
    sae.dispose();
    useFused(true);
  }
}

test('DictSae training loss through the native addon matches plain tfjs: losses, every gradient, the input gradient', { skip }, async () => {
  await setup();
  const rng = new Rng(11);
  const rows = 9;
  const xs = Float32Array.from({ length: rows * d }, () => rng.uniform(-1, 1));
  const configs: DictSaeOptions[] = [
    { activation: 'relu', sparsityWeight: 0.3 },
    { activation: 'sigmoid', sparsityWeight: 0.2, rho: 0.05 },
    { activation: 'topk', k: 2, auxK: 4 },
  ];
  const before = tf.memory().numTensors;
  for (const config of configs) {
    for (const tied of [false, true]) {
      const what = `${config.activation}${tied ? ', tied' : ''}`;
      const plain = lossAndGrads({ ...config, tied }, xs, rows, false);
      const fused = lossAndGrads({ ...config, tied }, xs, rows, true);
      if (config.activation === 'topk') assert.ok(plain.dead > 0, `${what}: some latents dead, so AuxK runs`);
      assert.equal(fused.dead, plain.dead, `${what}: dead latents`);
      fused.parts.forEach((v, i) => assertClose(v, plain.parts[i], 1e-5, `${what} loss part ${i}`));
      assert.ok(plain.parts[0] > 0, `${what}: a positive loss`);
      fused.grads.forEach((g, i) => assertAllClose(g, plain.grads[i], 1e-5, `${what} gradient of variable ${i}`));
      assert.ok(plain.dx.some((v) => v !== 0), `${what}: the input gradient is not zero`);
      assertAllClose(fused.dx, plain.dx, 1e-5, `${what} gradient with respect to x`);
    }
  }
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});
