/**
 * Finite-difference check of the total loss's gradient with respect to every parameter
 * tensor of both models. The numerical gradient comes from the float64 reference
 * implementation (central differences, step 1e-6), the analytic one from TensorFlow.js.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { createModel, SparseAutoencoder } from '../../src/core/sae';
import type { Sparsity } from '../../src/core/config';
import { Rng } from '../../src/runtime/random';
import { RefLayer, referenceLoss } from './reference';
import { assertClose, computeModes, withMode } from '../helpers';

function toReference(model: SparseAutoencoder): RefLayer[] {
  return [...model.encoder, ...model.decoder].map((l) => ({
    w: Float64Array.from(l.w.dataSync()),
    b: Float64Array.from(l.b.dataSync()),
    inDim: l.w.shape[0],
    outDim: l.w.shape[1],
    act: l.activation,
  }));
}

function check(sparsity: Sparsity, backend: string, decoder: 'mlp' | 'linear' = 'mlp'): void {
  const config = { inputDim: 12, hiddenDim: 7, latentDim: 5, sparsity, sparsityWeight: sparsity === 'kl' ? 0.2 : 0.3, rho: 0.05, decoder };
  const model = createModel(config, 7);
  const rng = new Rng(3);
  const rows = 6;
  const xs: Float64Array[] = [];
  for (let r = 0; r < rows; r++) xs.push(Float64Array.from({ length: config.inputDim }, () => rng.next()));
  const x = tf.tensor2d(xs.map((r) => Array.from(r)));

  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  const ref = toReference(model);
  assertClose(value.arraySync(), referenceLoss(ref, xs, model.config), 1e-5, `${backend} ${sparsity} forward loss`);

  const names = ['encoder/0', 'encoder/1', 'decoder/0', 'decoder/1'];
  const label = decoder === 'linear' ? `${sparsity}+linear` : sparsity;
  const h = 1e-6;
  ref.forEach((layer, li) => {
    for (const part of ['w', 'b'] as const) {
      const variable = model.variables[2 * li + (part === 'w' ? 0 : 1)];
      const analytic = grads[variable.name].dataSync();
      const params = layer[part];
      const numeric = new Float64Array(params.length);
      for (let i = 0; i < params.length; i++) {
        const keep = params[i];
        params[i] = keep + h;
        const up = referenceLoss(ref, xs, model.config);
        params[i] = keep - h;
        const down = referenceLoss(ref, xs, model.config);
        params[i] = keep;
        numeric[i] = (up - down) / (2 * h);
      }
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < params.length; i++) {
        diff += (analytic[i] - numeric[i]) ** 2;
        norm += numeric[i] ** 2;
      }
      const rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
      const name = `${names[li]}/${part}`;
      console.log(`gradcheck ${backend} ${label} ${name.padEnd(11)} |grad| ${Math.sqrt(norm).toExponential(3)}  relative error ${rel.toExponential(2)}`);
      assert.ok(Math.sqrt(norm) > 0, `${name}: zero gradient, the check would say nothing`);
      assert.ok(rel < 1e-3, `${backend} ${sparsity} ${name}: relative error ${rel} >= 1e-3`);
    }
  });
  tf.dispose([x, value, ...Object.values(grads)]);
  model.dispose();
}

test('gradient of the total loss matches finite differences, both models, every parameter tensor', async () => {
  for (const [label, backend, native] of await computeModes()) {
    await withMode(backend, native, () => {
      check('l1', label);
      check('kl', label);
      check('l1', label, 'linear');
    });
  }
});

test('the standard autoencoders (no penalty, sparsityWeight 0.3 left in): gradient = the MSE\'s alone', async () => {
  // The float64 reference's loss for 'none-*' is the MSE only, so a penalty term left in the
  // gradient (or the weight multiplying anything) would show up as a mismatch.
  for (const [label, backend, native] of await computeModes()) {
    await withMode(backend, native, () => {
      check('none-relu', label);
      check('none-sigmoid', label);
    });
  }
});
