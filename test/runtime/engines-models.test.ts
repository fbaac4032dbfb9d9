/**
 * The models on both engines: the finite-difference gradient check through each engine (wasm and
 * cpu, native on 1 and 2 threads); the dictionary SAE's loss parts and every gradient on one
 * batch; and every model kind (the lesson's L1 and KL SparseAutoencoder, DictSae relu, topk with
 * AuxK on, sigmoid, tied, BatchTopK with AuxK on, Matryoshka, JumpReLU) trained 32 steps from the same seed on 512 MNIST images on wasm, on the
 * reference and on the native engine: the same losses per epoch (1e-4 relative) and the same final
 * weights and thresholds (1e-3 absolute). Skipped where the addon is not built (a failure in CI, which builds it).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import type { EngineName } from '../../src/runtime/engine';
import { setNativeThreads } from '../../src/runtime/native';
import { createModel } from '../../src/core/sae';
import { fit } from '../../src/core/train';
import type { Trainable } from '../../src/core/train';
import { loadMnist } from '../../src/data/mnist';
import { DictSae } from '../../src/interp/dictsae';
import type { DictSaeOptions } from '../../src/interp/dictsae';
import { Rng } from '../../src/runtime/random';
import { RefLayer, referenceLoss } from '../core/reference';
import { assertAllClose, assertClose, setup, withBackend } from '../helpers';
import { ENGINES, maxRelDiff, onEngine, onEngineAsync, skipNative as skip, withThreads } from './engine-helpers';
import { klRunLosses } from './kl-run';

function gradcheck(what: string, sparsity: 'l1' | 'kl', decoder: 'mlp' | 'linear'): void {
  const config = { inputDim: 12, hiddenDim: 7, latentDim: 5, sparsity, sparsityWeight: sparsity === 'l1' ? 0.3 : 0.2, rho: 0.05, decoder };
  const model = createModel(config, 7);
  const rng = new Rng(3);
  const xs: Float64Array[] = Array.from({ length: 6 }, () => Float64Array.from({ length: config.inputDim }, () => rng.next()));
  const x = tf.tensor2d(xs.map((r) => Array.from(r)));
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  const ref: RefLayer[] = [...model.encoder, ...model.decoder].map((l) => ({
    w: Float64Array.from(l.w.dataSync()), b: Float64Array.from(l.b.dataSync()), inDim: l.w.shape[0], outDim: l.w.shape[1], act: l.activation,
  }));
  what = `${what} ${sparsity}${decoder === 'linear' ? '+linear' : ''}`;
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
  tf.dispose([x, value, ...Object.values(grads)]);
  model.dispose();
}

test('gradient check through each engine: wasm and cpu, native on 1 and 2 threads, reference', { skip }, async () => {
  await setup();
  for (const backend of ['wasm', 'cpu']) {
    await withBackend(backend, () => withThreads(1, () => {
      for (const [name, threads] of [['reference', 1], ['native', 1], ['native', 2]] as const) {
        setNativeThreads(threads);
        onEngine(name, () => {
          const what = `${backend} ${name}${name === 'native' ? ` ${threads} thread(s)` : ''}`;
          gradcheck(what, 'l1', 'mlp');
          gradcheck(what, 'kl', 'mlp');
          gradcheck(what, 'l1', 'linear');
          console.log(`gradcheck ${what}: every parameter tensor within 1e-3 of finite differences`);
        });
      }
    }));
  }
});

const d = 20;
const m = 12;

/** DictSae's loss parts, variable gradients and input gradient on one batch, on the engine in use. */
function dictLossAndGrads(config: DictSaeOptions, xs: Float32Array, rows: number) {
  const sae = new DictSae({ inputDim: d, latentDim: m, deadAfter: 1, ...config }, 5);
  try {
    return tf.tidy(() => {
      const x = tf.tensor2d(xs, [rows, d]);
      // Mark the latents that do not fire on this batch as dead (deadAfter 1), so AuxK has work.
      sae.losses(x);
      sae.dead.afterStep();
      let parts: number[] = [];
      const { grads } = tf.variableGrads(() => {
        const l = sae.losses(x);
        parts = Object.values(l).map((t) => (t as tf.Scalar).dataSync()[0]);
        return l.total;
      }, sae.variables);
      const dx = tf.grad((xx: tf.Tensor) => sae.losses(xx as tf.Tensor2D).total)(x);
      return { parts, dead: sae.dead.count(), grads: sae.variables.map((v) => Array.from(grads[v.name].dataSync())), dx: Array.from(dx.dataSync()) };
    });
  } finally {
    sae.dispose();
  }
}

test('DictSae on one batch, native = reference: loss parts, every gradient, the input gradient (wasm and cpu)', { skip }, async () => {
  await setup();
  const rng = new Rng(11);
  const rows = 9;
  const xs = Float32Array.from({ length: rows * d }, () => rng.uniform(-1, 1));
  const configs: DictSaeOptions[] = [
    { activation: 'relu', sparsityWeight: 0.3 },
    { activation: 'sigmoid', sparsityWeight: 0.2, rho: 0.05 },
    { activation: 'topk', k: 2, auxK: 4 },
    { activation: 'batchtopk', k: 2, auxK: 4 },
    { activation: 'batchtopk', k: 2, prefixes: [3, 8, m] },
    { activation: 'jumprelu', sparsityWeight: 0.05, bandwidth: 0.4, initialThreshold: 0.1 },
  ];
  for (const backend of ['wasm', 'cpu']) {
    await withBackend(backend, () => {
      const before = tf.memory().numTensors;
      for (const config of configs) {
        for (const tied of [false, true]) {
          const what = `${backend} ${config.activation}${tied ? ', tied' : ''}`;
          const [plain, fused] = ENGINES.map((name) => onEngine(name, () => dictLossAndGrads({ ...config, tied }, xs, rows)));
          if ('auxK' in config) assert.ok(plain.dead > 0, `${what}: some latents dead, so AuxK runs`);
          assert.equal(fused.dead, plain.dead, `${what}: dead latents`);
          fused.parts.forEach((v, i) => assertClose(v, plain.parts[i], 1e-5, `${what} loss part ${i}`));
          assert.ok(plain.parts[0] > 0, `${what}: a positive loss`);
          fused.grads.forEach((g, i) => assertAllClose(g, plain.grads[i], 1e-5, `${what} gradient of variable ${i}`));
          assert.ok(plain.dx.some((v) => v !== 0), `${what}: the input gradient is not zero`);
          assertAllClose(fused.dx, plain.dx, 1e-5, `${what} gradient with respect to x`);
        }
      }
      assert.equal(tf.memory().numTensors, before, `${backend}: no tensors leak`);
    });
  }
});

/** Every model kind: a name and a fresh model (the same seed each time). */
const KINDS: [string, () => Trainable & { variables: tf.Variable[]; dispose(): void }][] = [
  ['lesson L1', () => createModel({ sparsity: 'l1', hiddenDim: 64, latentDim: 32 }, 3)],
  ['lesson KL', () => createModel({ sparsity: 'kl', hiddenDim: 64, latentDim: 32 }, 3)],
  ['DictSae relu', () => new DictSae({ activation: 'relu', latentDim: 64, sparsityWeight: 0.1 }, 3)],
  ['DictSae topk + AuxK', () => new DictSae({ activation: 'topk', latentDim: 64, k: 8, auxK: 16, deadAfter: 2 }, 3)],
  ['DictSae sigmoid', () => new DictSae({ activation: 'sigmoid', latentDim: 64, sparsityWeight: 0.1, rho: 0.05 }, 3)],
  ['DictSae tied (topk + AuxK)', () => new DictSae({ activation: 'topk', latentDim: 64, k: 8, auxK: 16, deadAfter: 2, tied: true }, 3)],
  ['DictSae tied relu', () => new DictSae({ activation: 'relu', latentDim: 64, sparsityWeight: 0.1, tied: true }, 3)],
  ['DictSae batchtopk + AuxK', () => new DictSae({ activation: 'batchtopk', latentDim: 64, k: 8, auxK: 16, deadAfter: 2 }, 3)],
  ['DictSae matryoshka', () => new DictSae({ activation: 'batchtopk', latentDim: 64, k: 8, prefixes: [8, 32, 64] }, 3)],
  ['DictSae jumprelu', () => new DictSae({ activation: 'jumprelu', latentDim: 64, sparsityWeight: 1e-3 }, 3)],
];
const LOSS_TOL = 1e-4; // relative, per epoch and loss term
const WEIGHT_TOL = 1e-3; // absolute (relative above 1), every final weight

/** 4 epochs of 8 steps (512 images, batches of 64, seed 4) on `name`: per-epoch losses and the final weights. */
async function train(name: EngineName, make: () => Trainable & { variables: tf.Variable[]; dispose(): void }) {
  const data = loadMnist({ split: 'train', limit: 512 });
  return onEngineAsync(name, async () => {
    const model = make();
    const h = await fit(model, data, { epochs: 4, batchSize: 64, seed: 4, learningRate: 1e-3, progress: false });
    const keys = Object.keys(h[0]).filter((k) => k !== 'epoch' && k !== 'seconds').sort();
    const losses = h.flatMap((r) => keys.map((k) => r[k]));
    // A DictSae's tensors include what its activation keeps besides its variables (BatchTopK's threshold).
    const tensors = model instanceof DictSae ? model.namedTensors().map(([, v]) => v) : model.variables;
    const weights = tensors.map((v) => Array.from(v.dataSync()));
    const extra = model instanceof DictSae ? { dead: model.dead.count() } : {};
    model.dispose();
    return { keys, losses, weights, ...extra };
  });
}

test('every model kind trains to the same losses and weights on the native and the reference engine (wasm)', { skip }, async () => {
  await setup();
  await withBackend('wasm', async () => {
    for (const [kind, make] of KINDS) {
      const ref = await train('reference', make);
      const nat = await train('native', make);
      assert.deepEqual(nat.keys, ref.keys, `${kind}: loss terms`);
      assert.ok(ref.losses.every(Number.isFinite) && ref.losses[0] > 0, `${kind}: finite positive losses`);
      const lossDiff = maxRelDiff(nat.losses, ref.losses);
      let weightDiff = 0;
      nat.weights.forEach((w, i) => { weightDiff = Math.max(weightDiff, maxRelDiff(w, ref.weights[i])); });
      console.log(`${kind}: ${ref.keys.join('/')} per epoch, native vs reference: largest relative loss difference ${lossDiff.toExponential(2)}, largest weight difference ${weightDiff.toExponential(2)}`);
      assertAllClose(nat.losses, ref.losses, LOSS_TOL, `${kind} losses per epoch (${ref.keys.join(', ')})`);
      nat.weights.forEach((w, i) => assertAllClose(w, ref.weights[i], WEIGHT_TOL, `${kind} final weights of variable ${i}`));
      if ('dead' in ref) assert.equal((nat as { dead?: number }).dead, ref.dead, `${kind}: dead latents at the end`);
    }
  });
});

test('the KL run on the native engine, 1 and 2 threads, gives the reference engine\'s losses (to 1e-4)', { skip }, async () => {
  await setup();
  await withBackend('wasm', async () => {
    const plain = await onEngineAsync('reference', klRunLosses);
    for (const threads of [1, 2]) {
      const fused = await withThreads(threads, () => onEngineAsync('native', klRunLosses));
      console.log(`native (${threads} thread(s)) vs reference, per-epoch losses: ${fused.map((v, i) => `${v.toFixed(6)}/${plain[i].toFixed(6)}`).join(' ')}`);
      assertAllClose(fused, plain, 1e-4, `losses, ${threads} thread(s)`);
    }
  });
});
