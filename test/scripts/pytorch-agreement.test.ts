/**
 * The kit against the lesson's PyTorch code (../shared/lesson/sparse-autoencoder.md), on both
 * engines: the L1 and the KL model, from identical weights and batches (written to a temp dir and
 * read by pytorch-agreement.py, torch in float32 on one thread), agree on the losses of each of 20
 * steps, the gradients of the first step and the weights after 20 Adam steps, to float32 precision.
 * Skips, saying why, where python3 has no torch; under CI=true (CI installs python3-torch) it fails
 * instead.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tf } from '../../src/runtime/backend';
import { engine, EngineName, useEngine, engineWanted } from '../../src/runtime/engine';
import { nativeEngine } from '../../src/runtime/native';
import { createModel } from '../../src/core/sae';
import { Adam } from '../../src/core/optim';
import { loadMnist } from '../../src/data/mnist';
import { assertAllClose, setup, withBackend } from '../helpers';
import { findPython, torchSkip } from './torch-python';

const SCRIPT = path.join(__dirname, 'pytorch-agreement.py');

const { python, why } = findPython();
const skip = torchSkip(python, why);

const STEPS = 20;
const BATCH = 32;
// float32 precision: the losses to 1e-5 relative; each gradient tensor to 1e-5 of its largest
// entry; the weights after 20 steps to 2e-5 absolute (relative above 1): Adam divides by sqrt(v),
// so a gradient near 0 turns a rounding difference into up to ~lr of movement per step.
const LOSS_TOL = 1e-5;
const GRAD_TOL = 1e-5;
const WEIGHT_TOL = 2e-5;

function writeF32(dir: string, name: string, a: ArrayLike<number>): void {
  fs.writeFileSync(path.join(dir, name), Buffer.from(Float32Array.from(a).buffer));
}

let worst: Record<string, number> = {};
function compare(what: string, kind: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  let d = 0;
  for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  worst[kind] = Math.max(worst[kind] ?? 0, d);
  assertAllClose(got, want, tol, what);
}

/** Gradients, whose entries are small: each within `tol` of the tensor's largest |entry|. */
function compareScaled(what: string, kind: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  assert.ok(scale > 0, `${what}: a zero gradient would say nothing`);
  let d = 0;
  for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]) / scale);
  worst[kind] = Math.max(worst[kind] ?? 0, d);
  assert.ok(d <= tol, `${what}: largest |diff| ${d.toExponential(2)} of the largest |gradient| ${scale.toExponential(2)} > ${tol}`);
}

for (const sparsity of ['l1', 'kl'] as const) {
  test(`the lesson's ${sparsity.toUpperCase()} model agrees with its PyTorch code on both engines: 20 steps' losses, gradients, weights`, { skip }, async () => {
    assert.ok(python !== null, why); // under CI=true a missing torch fails here
    worst = {};
    await setup();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-torch-'));
    try {
      const config = { sparsity, hiddenDim: 256, latentDim: 32, sparsityWeight: sparsity === 'l1' ? 0.1 : 0.5, rho: 0.05 };
      const data = loadMnist({ split: 'train', limit: STEPS * BATCH });
      const model0 = createModel(config, 11);
      const layers = [...model0.encoder, ...model0.decoder];
      const spec = {
        sparsity, steps: STEPS, batchSize: BATCH, inputDim: model0.config.inputDim, learningRate: 1e-3,
        sparsityWeight: model0.config.sparsityWeight, rho: model0.config.rho, encoderLayers: model0.encoder.length,
        layers: layers.map((l) => [l.w.shape[0], l.w.shape[1], l.activation]),
      };
      assert.deepEqual(layers.map((l) => l.activation), ['relu', sparsity === 'l1' ? 'relu' : 'sigmoid', 'relu', 'sigmoid'], 'the lesson\'s layers');
      layers.forEach((l, i) => { writeF32(dir, `w${i}.f32`, l.w.dataSync()); writeF32(dir, `b${i}.f32`, l.b.dataSync()); });
      const init = model0.variables.map((v) => v.dataSync().slice());
      model0.dispose();
      const images = data.images.subarray(0, STEPS * BATCH * spec.inputDim);
      writeF32(dir, 'batches.f32', images);
      fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec));
      execFileSync(python!, [SCRIPT, dir], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, OMP_NUM_THREADS: '1' } });
      const torch = JSON.parse(fs.readFileSync(path.join(dir, 'torch.json'), 'utf8')) as { torch: string; losses: number[][]; grads: number[][]; weights: number[][] };

      const engines: EngineName[] = nativeEngine.runsOn('wasm') || process.env.CI === 'true' ? ['reference', 'native'] : ['reference'];
      await withBackend('wasm', () => {
        for (const name of engines) {
          const was = engineWanted();
          useEngine(name);
          try {
            assert.equal(engine().name, name, `engine ${name} runs on wasm`);
            const model = createModel(config, 11);
            model.variables.forEach((v, i) => v.assign(tf.tensor(init[i], v.shape)));
            const adam = new Adam(spec.learningRate);
            for (let step = 0; step < STEPS; step++) {
              const x = tf.tensor2d(images.subarray(step * BATCH * spec.inputDim, (step + 1) * BATCH * spec.inputDim), [BATCH, spec.inputDim]);
              let parts: number[] = [];
              const { grads } = tf.variableGrads(() => {
                const l = model.losses(x);
                parts = [l.total, l.reconstruction, l.sparsity].map((t) => t.dataSync()[0]);
                return l.total;
              }, model.variables);
              const what = `${sparsity} ${name} step ${step + 1}`;
              compare(`${what} losses (total, reconstruction, sparsity)`, `${name} losses`, parts, torch.losses[step], LOSS_TOL);
              if (step === 0) model.variables.forEach((v, i) => compareScaled(`${what} gradient of ${v.name}`, `${name} gradients`, grads[v.name].dataSync(), torch.grads[i], GRAD_TOL));
              assert.equal(adam.applyGradients(grads), true);
              tf.dispose([x, ...Object.values(grads)]);
            }
            model.variables.forEach((v, i) => compare(`${sparsity} ${name} weights of ${v.name} after ${STEPS} steps`, `${name} weights`, v.dataSync(), torch.weights[i], WEIGHT_TOL));
            adam.dispose();
            model.dispose();
          } finally {
            useEngine(was);
          }
        }
      });
      console.log(`kit vs PyTorch ${torch.torch} (${sparsity}), largest differences (losses and weights relative above 1, gradients of the tensor's largest entry): ${Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
