import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { ACTIVATIONS, ruleFor, PenaltyInput, ReluSaeConfig, SigmoidSaeConfig, TopKSaeConfig } from '../../src/interp/activations';
import { makeDictSaeConfig } from '../../src/interp/dictsae';
import { DeadLatents } from '../../src/interp/deadlatents';
import { klScalar } from '../../src/core/losses';
import { assertAllClose, assertClose, setup } from '../helpers';

/** A penalty input with only what a penalty that reads the codes needs. */
function input(f: tf.Tensor2D, dead = new DeadLatents(f.shape[1], 1, 0)): PenaltyInput {
  return { f, dead } as unknown as PenaltyInput;
}

test('ReLU + L1 by hand: encode, the penalty mean_batch sum_j |f_j| with weight sparsityWeight, fires above 0', async () => {
  await setup();
  const rule = ruleFor(makeDictSaeConfig({ activation: 'relu', inputDim: 2, latentDim: 3, sparsityWeight: 0.5 }));
  const pre = tf.tensor2d([[1, -2, 0.5], [0, 3, -1]]);
  const f = rule.encode(pre);
  assert.deepEqual(f.arraySync(), [[1, 0, 0.5], [0, 3, 0]]);
  const p = rule.penalty(input(f))!;
  assertClose(p.value.dataSync()[0], ((1 + 0.5) + 3) / 2, 1e-6, 'L1 penalty');
  assert.equal(p.weight, 0.5);
  assert.equal(rule.firingThreshold, 0);
  tf.dispose([pre, f, p.value]);
});

test('sigmoid + KL by hand: encode, the KL penalty toward rho with weight sparsityWeight (beta), fires above 0.1', async () => {
  await setup();
  const rule = ruleFor(makeDictSaeConfig({ activation: 'sigmoid', inputDim: 2, latentDim: 2, sparsityWeight: 0.3, rho: 0.2 }));
  const pre = tf.tensor2d([[0, Math.log(3)], [Math.log(1 / 3), 0]]);
  const f = rule.encode(pre);
  assertAllClose(f.dataSync(), [0.5, 0.75, 0.25, 0.5], 1e-6, 'sigmoid');
  const p = rule.penalty(input(f))!;
  // column means 0.375 and 0.625
  assertClose(p.value.dataSync()[0], klScalar(0.2, 0.375) + klScalar(0.2, 0.625), 1e-5, 'KL penalty');
  assert.equal(p.weight, 0.3);
  assert.equal(rule.firingThreshold, 0.1);
  tf.dispose([pre, f, p.value]);
});

test('TopK by hand: encode keeps the k largest (after ReLU), no penalty without AuxK, fires above 0', async () => {
  await setup();
  const rule = ruleFor(makeDictSaeConfig({ activation: 'topk', inputDim: 2, latentDim: 4, k: 2, auxK: 1 }));
  const pre = tf.tensor2d([[1, -2, 0.5, 3], [-1, -2, -3, 0.2]]);
  const f = rule.encode(pre);
  assert.deepEqual(f.arraySync(), [[1, 0, 0, 3], [0, 0, 0, 0.2]].map((r) => r.map((v) => Math.fround(v))));
  const noneDead = new DeadLatents(4, 1, 1);
  assert.equal(rule.penalty(input(f, noneDead)), null, 'no dead latent: no AuxK term');
  assert.equal(rule.firingThreshold, 0);
  noneDead.dispose();
  tf.dispose([pre, f]);
});

test('TopK\'s AuxK term by hand: the dead latents\' top auxK pre-activations reconstruct the residual', async () => {
  await setup();
  const config = makeDictSaeConfig({ activation: 'topk', inputDim: 2, latentDim: 4, k: 2, auxK: 1, auxWeight: 0.25 });
  const rule = ruleFor(config);
  const dead = new DeadLatents(4, 1, 1);
  dead.record(tf.tensor1d([1, 0, 0, 1], 'int32'));
  dead.afterStep(); // latents 1 and 2 did not fire for 1 step: dead
  assert.deepEqual(Array.from(dead.stepsSinceFired), [0, 1, 1, 0]);
  assert.equal(dead.count(), 2);
  const pre = [[1, -2, 0.5, 3], [-1, -2, -3, 0.2]];
  const D = [[1, 0], [0, 1], [0.6, 0.8], [0.8, -0.6]]; // decoder rows
  const x = [[1, 2], [0.5, -1]];
  const xHat = [[0.8, 1.5], [0.2, -0.4]];
  const t = {
    pre: tf.tensor2d(pre), x: tf.tensor2d(x), xHat: tf.tensor2d(xHat), dec: tf.tensor2d(D),
  };
  const p = rule.penalty({ x: t.x, xHat: t.xHat, pre: t.pre, f: rule.encode(t.pre), decoder: () => t.dec, dead })!;
  // Row 0: dead pre-activations -2 (latent 1), 0.5 (latent 2): latent 2 with 0.5. Row 1: -2, -3: latent 1 with -2.
  const fDead = [[0, 0, 0.5, 0], [0, -2, 0, 0]];
  const eHat = fDead.map((r) => [0, 1].map((c) => r.reduce((s, v, j) => s + v * D[j][c], 0)));
  const e = x.map((r, i) => r.map((v, c) => v - xHat[i][c]));
  let num = 0;
  let den = 0;
  e.forEach((r, i) => r.forEach((v, c) => { num += (v - eHat[i][c]) ** 2; den += v * v; }));
  assertClose(p.value.dataSync()[0], num / den, 1e-5, 'AuxK loss');
  assert.equal(p.weight, 0.25);
  dead.auxK = 0;
  assert.equal(rule.penalty({ x: t.x, xHat: t.xHat, pre: t.pre, f: t.pre, decoder: () => t.dec, dead }), null, 'auxK 0: off');
  dead.dispose();
  tf.dispose([p.value, t.pre, t.x, t.xHat, t.dec]);
});

test('every activation kind checks only its own fields, has defaults for all of them, and sigmoid overrides unitNormDecoder', () => {
  const fields = (k: { checks: object; defaults: object }) => [Object.keys(k.checks).sort(), Object.keys(k.defaults).sort()];
  assert.deepEqual(fields(ACTIVATIONS.relu), [['sparsityWeight'], ['sparsityWeight']]);
  // sigmoid also overrides one base default: its decoder is not renormalised (the lesson's KL model)
  assert.deepEqual(fields(ACTIVATIONS.sigmoid), [['rho', 'sparsityWeight'], ['rho', 'sparsityWeight', 'unitNormDecoder']]);
  assert.equal(makeDictSaeConfig({ activation: 'sigmoid' }).unitNormDecoder, false);
  assert.equal(makeDictSaeConfig({ activation: 'relu' }).unitNormDecoder, true);
  assert.deepEqual(fields(ACTIVATIONS.topk), [['auxK', 'auxWeight', 'k'], ['auxK', 'auxWeight', 'k']]);
  const batch = ['auxK', 'auxWeight', 'k', 'prefixes', 'thresholdRate'];
  assert.deepEqual(fields(ACTIVATIONS.batchtopk), [batch, batch]);
  const jump = ['bandwidth', 'initialThreshold', 'sparsityWeight'];
  assert.deepEqual(fields(ACTIVATIONS.jumprelu), [jump, jump]);
  // the union's members, for the type checker: each holds exactly its kind's fields
  const r: ReluSaeConfig = makeDictSaeConfig({ activation: 'relu' }) as ReluSaeConfig;
  const s: SigmoidSaeConfig = makeDictSaeConfig({ activation: 'sigmoid' }) as SigmoidSaeConfig;
  const k: TopKSaeConfig = makeDictSaeConfig({}) as TopKSaeConfig;
  assert.deepEqual([r.activation, s.activation, k.activation], ['relu', 'sigmoid', 'topk']);
});
