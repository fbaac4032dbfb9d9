/**
 * check.numericalGradient and check.trainStep: pass on the kit's versions and learner-style ones,
 * fail on the usual mistakes with a line naming the case and the mistake; no tensors left behind.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { check, numericalGradient, trainStep } from '../../src/check';
import type { SparseAutoencoder } from '../../src/core/sae';
import type { Optimizer } from '../../src/core/train';
import { unrestoredGradient } from '../../src/check/gradient';
import { setup } from '../helpers';
import { assertFailed, assertPassed, capture } from './capture';

type Grad = (f: (x: Float64Array) => number, x: Float64Array, eps: number) => Float64Array;

test('check.numericalGradient passes the kit\'s version and one that copies x', async () => {
  await setup();
  assertPassed(capture((o) => check.numericalGradient(numericalGradient, o)), 'numericalGradient');
  const copying: Grad = (f, x, eps) => x.map((_, i) => {
    const up = Float64Array.from(x);
    const down = Float64Array.from(x);
    up[i] += eps;
    down[i] -= eps;
    return (f(up) - f(down)) / (2 * eps);
  });
  assertPassed(capture((o) => check.numericalGradient(copying, o)), 'numericalGradient');
});

test('check.numericalGradient names the usual mistakes', async () => {
  await setup();
  const forwardDiff: Grad = (f, x, eps) => x.map((_, i) => {
    const up = Float64Array.from(x);
    up[i] += eps;
    return (f(up) - f(x)) / eps;
  });
  const overEps: Grad = (f, x, eps) => x.map((_, i) => {
    const up = Float64Array.from(x);
    const down = Float64Array.from(x);
    up[i] += eps;
    down[i] -= eps;
    return (f(up) - f(down)) / eps;
  });
  const wrong: [Grad, string, RegExp][] = [
    [forwardDiff, 'a quadratic', /forward differences/],
    [overEps, 'a quadratic', /2 eps apart: divide by 2 eps/],
    [unrestoredGradient, 'a quadratic', /put x\[i\] back/],
    [(f, x, eps) => unrestoredGradient(f, Float64Array.from(x), eps), 'a cubic with cross terms', /restore x\[i\] after each coordinate/],
    [(_f, x) => new Float64Array(x.length - 1), 'a quadratic', /one partial derivative per entry/],
  ];
  for (const [fn, caseName, hint] of wrong) assertFailed(capture((o) => check.numericalGradient(fn, o)), 'numericalGradient', caseName, hint);
});

type Step = (model: SparseAutoencoder, x: tf.Tensor2D, optimizer: Optimizer) => number;

test('check.trainStep passes the kit\'s step and a learner-style one, and leaves no tensors', async () => {
  await setup();
  const before = tf.memory().numTensors;
  assertPassed(capture((o) => check.trainStep(trainStep, o)), 'trainStep');
  const mine: Step = (model, x, optimizer) => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
    optimizer.applyGradients(grads);
    return value.arraySync() as number;
  });
  assertPassed(capture((o) => check.trainStep(mine, o)), 'trainStep');
  assert.equal(tf.memory().numTensors, before);
});

test('check.trainStep names the usual mistakes', async () => {
  await setup();
  const noApply: Step = (model, x) => tf.tidy(() => tf.variableGrads(() => model.losses(x).total, model.variables).value.arraySync() as number);
  const reconstructionOnly: Step = (model, x, optimizer) => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => model.losses(x).reconstruction, model.variables);
    optimizer.applyGradients(grads);
    return value.arraySync() as number;
  });
  const lossAfter: Step = (model, x, optimizer) => tf.tidy(() => {
    const { grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
    optimizer.applyGradients(grads);
    return model.losses(x).total.arraySync() as number;
  });
  const encoderOnly: Step = (model, x, optimizer) => tf.tidy(() => {
    const vars = model.encoder.flatMap((l) => [l.w, l.b]);
    const { value, grads } = tf.variableGrads(() => model.losses(x).total, vars);
    optimizer.applyGradients(grads);
    return value.arraySync() as number;
  });
  const leaky: Step = (model, x, optimizer) => {
    const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
    optimizer.applyGradients(grads);
    return value.dataSync()[0];
  };
  const twice: Step = (model, x, optimizer) => {
    const loss = trainStep(model, x, optimizer);
    trainStep(model, x, optimizer);
    return loss;
  };
  const sameGradsTwice: Step = (model, x, optimizer) => {
    const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
    optimizer.applyGradients(grads);
    optimizer.applyGradients(grads);
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  const wrong: [string, Step, string, RegExp][] = [
    ['never applies the gradients', noApply, 'L1 model', /did not change: hand the gradients to the optimizer/],
    ['minimises the reconstruction only', reconstructionOnly, 'L1 model', /total loss, model\.losses\(x\)\.total/],
    ['returns the loss after the step', lossAfter, 'L1 model', /loss after the update/],
    ['steps the encoder only', encoderOnly, 'L1 model', /decoder\.0\.w.*did not move/],
    ['leaks the gradients', leaky, 'L1 model', /left behind per step/],
    ['steps twice per call', twice, 'L1 model', /took two optimizer steps/],
    ['applies the same gradients twice', sameGradsTwice, 'L1 model', /the same gradients were applied twice/],
  ];
  for (const [what, fn, caseName, hint] of wrong) {
    const before = tf.memory().numTensors;
    assertFailed(capture((o) => check.trainStep(fn, o)), 'trainStep', caseName, hint);
    assert.equal(tf.memory().numTensors, before, `${what}: the check left tensors behind`);
  }
});
