/** check.topK and check.fvu: pass on the kit's functions and learner-style ones, fail on the usual mistakes. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { check } from '../../src/check';
import { topK } from '../../src/interp/dictsae';
import { fvu } from '../../src/interp/metrics';
import { setup } from '../helpers';
import { assertFailed, assertPassed, capture } from './capture';

type TopK = (z: tf.Tensor2D, k: number) => tf.Tensor2D;

/** A learner-style TopK (a threshold at each row's k-th largest), with knobs for the usual mistakes. */
function myTopK(options: { noRelu?: boolean; byMagnitude?: boolean; valuesOnly?: boolean; leak?: boolean } = {}): TopK {
  const body = (z: tf.Tensor2D, k: number): tf.Tensor2D => {
    const score = options.byMagnitude ? tf.abs(z) : z;
    const { values } = tf.topk(score, k);
    if (options.valuesOnly) return values as tf.Tensor2D;
    const kth = tf.slice(values, [0, k - 1], [-1, 1]);
    const kept = tf.mul(z, tf.cast(tf.greaterEqual(score, kth), 'float32'));
    return (options.noRelu ? kept : tf.relu(kept)) as tf.Tensor2D;
  };
  return options.leak ? body : (z, k) => tf.tidy(() => body(z, k));
}

test('check.topK passes the kit\'s topK and a learner-style version', async () => {
  await setup();
  assertPassed(capture((o) => check.topK(topK, o)), 'topK');
  assertPassed(capture((o) => check.topK(myTopK(), o)), 'topK');
});

test('check.topK names the usual mistakes and frees what a leaky version leaves', async () => {
  await setup();
  const wrong: [string, TopK, string, RegExp][] = [
    ['no ReLU', myTopK({ noRelu: true }), 'k = all units', /apply ReLU too/],
    ['ranks by magnitude', myTopK({ byMagnitude: true }), 'four rows', /not by magnitude/],
    ['returns tf.topk\'s values', myTopK({ valuesOnly: true }), 'four rows', /tf\.topk gives the k values/],
    ['leaks', myTopK({ leak: true }), 'four rows', /tf\.tidy/],
  ];
  for (const [what, fn, caseName, hint] of wrong) {
    const before = tf.memory().numTensors;
    assertFailed(capture((o) => check.topK(fn, o)), 'topK', caseName, hint);
    assert.equal(tf.memory().numTensors, before, `${what}: the check left tensors behind`);
  }
});

type Fvu = (x: Float32Array, xHat: Float32Array, dim: number) => number;

/** A learner-style FVU, with knobs for the usual mistakes. */
function myFvu(options: { mse?: boolean; uncentred?: boolean; globalMean?: boolean; explained?: boolean } = {}): Fvu {
  return (x, xHat, dim) => {
    const n = x.length / dim;
    const mean = new Float64Array(dim);
    for (let i = 0; i < x.length; i++) mean[i % dim] += x[i] / n;
    const global = x.reduce((a, b) => a + b, 0) / x.length;
    let err = 0;
    let total = 0;
    for (let i = 0; i < x.length; i++) {
      err += (x[i] - xHat[i]) ** 2;
      const m = options.uncentred ? 0 : options.globalMean ? global : mean[i % dim];
      total += (x[i] - m) ** 2;
    }
    if (options.mse) return err / x.length;
    return options.explained ? 1 - err / total : err / total;
  };
}

test('check.fvu passes the kit\'s fvu and a learner-style version', async () => {
  await setup();
  assertPassed(capture((o) => check.fvu(fvu, o)), 'fvu');
  assertPassed(capture((o) => check.fvu(myFvu(), o)), 'fvu');
});

test('check.fvu names the usual mistakes', async () => {
  await setup();
  const wrong: [Fvu, string, RegExp][] = [
    [myFvu({ mse: true }), 'noisy reconstructions', /mean squared error/],
    [myFvu({ uncentred: true }), 'noisy reconstructions', /subtract the mean input/],
    [myFvu({ globalMean: true }), 'noisy reconstructions', /one mean per dimension/],
    [myFvu({ explained: true }), 'noisy reconstructions', /fraction of variance explained/],
  ];
  for (const [fn, caseName, hint] of wrong) assertFailed(capture((o) => check.fvu(fn, o)), 'fvu', caseName, hint);
});
