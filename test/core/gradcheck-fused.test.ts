/**
 * The finite-difference gradient check (as gradcheck.test.ts) in the native modes that test
 * does not reach: fused dense layers on one and on two threads, the native products without
 * fusion (SAE_FUSED=0), and the fused loss kernels (runtime/fused-loss.ts) in place of the plain
 * MSE and KL terms. Skipped where the addon is not built.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { createModel, SparseAutoencoder } from '../../src/core/sae';
import { KL_EPS, KL_UPPER, l1Penalty } from '../../src/core/losses';
import { loadNative, nativeLoadError, nativeThreads, setNativeThreads, useNative } from '../../src/runtime/native';
import { fusedActive, useFused } from '../../src/runtime/fused';
import { fusedKlPenalty, fusedMse } from '../../src/runtime/fused-loss';
import { Rng } from '../../src/runtime/random';
import { RefLayer, referenceLoss } from './reference';
import { assertClose, setup, withBackend } from '../helpers';

const skip = loadNative()?.denseForward === undefined && process.env.CI !== 'true'
  ? `native addon (with fused kernels) unavailable: ${nativeLoadError() || 'rebuild it: npm run build:native'}` : false;

/** The model's loss with the fused loss kernels instead of core/losses.ts's plain terms. */
function fusedLosses(model: SparseAutoencoder, x: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const { latent, reconstruction } = model.forward(x);
    const rec = fusedMse(x, reconstruction)!;
    const sparsity = model.config.sparsity === 'kl' ? fusedKlPenalty(latent, model.config.rho, KL_EPS, KL_UPPER)! : l1Penalty(latent);
    return tf.add(rec, tf.mul(model.config.sparsityWeight, sparsity)) as tf.Scalar;
  });
}

function check(label: string, sparsity: 'l1' | 'kl', decoder: 'mlp' | 'linear', fusedLoss: boolean): void {
  const config = { inputDim: 12, hiddenDim: 7, latentDim: 5, sparsity, sparsityWeight: sparsity === 'l1' ? 0.3 : 0.2, rho: 0.05, decoder };
  const model = createModel(config, 7);
  const rng = new Rng(3);
  const xs: Float64Array[] = Array.from({ length: 6 }, () => Float64Array.from({ length: config.inputDim }, () => rng.next()));
  const x = tf.tensor2d(xs.map((r) => Array.from(r)));
  const { value, grads } = tf.variableGrads(() => (fusedLoss ? fusedLosses(model, x) : model.losses(x).total), model.variables);
  const ref: RefLayer[] = [...model.encoder, ...model.decoder].map((l) => ({
    w: Float64Array.from(l.w.dataSync()), b: Float64Array.from(l.b.dataSync()), inDim: l.w.shape[0], outDim: l.w.shape[1], act: l.activation,
  }));
  const what = `${label} ${sparsity}${decoder === 'linear' ? '+linear' : ''}${fusedLoss ? ' fused loss' : ''}`;
  assertClose(value.arraySync() as number, referenceLoss(ref, xs, model.config), 1e-5, `${what} forward loss`);
  ref.forEach((layer, li) => {
    for (const part of ['w', 'b'] as const) {
      const analytic = grads[model.variables[2 * li + (part === 'w' ? 0 : 1)].name].dataSync();
      const params = layer[part];
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < params.length; i++) {
        const keep = params[i];
        params[i] = keep + 1e-6;
        const up = referenceLoss(ref, xs, model.config);
        params[i] = keep - 1e-6;
        const down = referenceLoss(ref, xs, model.config);
        params[i] = keep;
        const numeric = (up - down) / 2e-6;
        diff += (analytic[i] - numeric) ** 2;
        norm += numeric ** 2;
      }
      const rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
      assert.ok(Math.sqrt(norm) > 0, `${what} layer ${li} ${part}: zero gradient, the check would say nothing`);
      assert.ok(rel < 1e-3, `${what} layer ${li} ${part}: relative error ${rel} >= 1e-3`);
    }
  });
  console.log(`gradcheck ${what}: every parameter tensor within 1e-3 of finite differences`);
  tf.dispose([x, value, ...Object.values(grads)]);
  model.dispose();
}

test('gradient check with fused layers (1 and 2 threads), fused loss kernels, and native products unfused', { skip }, async () => {
  await setup();
  const was = nativeThreads();
  for (const backend of ['wasm', 'cpu']) {
    await withBackend(backend, () => {
      useNative(true);
      for (const [label, fused, threads] of [['fused 1 thread', true, 1], ['fused 2 threads', true, 2], ['native unfused', false, 1]] as const) {
        useFused(fused);
        setNativeThreads(threads);
        assert.equal(fusedActive(), fused, `${backend} ${label}: fusion ${fused ? 'on' : 'off'}`);
        for (const fusedLoss of fused ? [false, true] : [false]) {
          check(`${backend} ${label}`, 'l1', 'mlp', fusedLoss);
          check(`${backend} ${label}`, 'kl', 'mlp', fusedLoss);
          check(`${backend} ${label}`, 'l1', 'linear', fusedLoss);
        }
      }
    });
  }
  useFused(true);
  setNativeThreads(was.threads, was.openblas);
});
