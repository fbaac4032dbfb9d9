/**
 * check.l1Penalty and check.klPenalty: pass on the kit's penalties and on a learner-style one,
 * fail on the usual mistakes with a line that names the failing case and the mistake.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { check } from '../../src/check';
import { KL_EPS, KL_UPPER, klPenalty, l1Penalty } from '../../src/core/losses';
import { setup } from '../helpers';
import { assertFailed, assertPassed, capture } from './capture';

test('check.l1Penalty passes the kit\'s l1Penalty and a learner-style version', async () => {
  await setup();
  assertPassed(capture((o) => check.l1Penalty(l1Penalty, o)), 'l1Penalty');
  const mine = (h: tf.Tensor2D): tf.Scalar => tf.tidy(() => tf.div(tf.sum(tf.abs(h)), h.size) as tf.Scalar);
  assertPassed(capture((o) => check.l1Penalty(mine, o)), 'l1Penalty');
});

test('check.l1Penalty names the usual mistakes', async () => {
  await setup();
  const wrong: [string, (h: tf.Tensor2D) => tf.Scalar, string, RegExp][] = [
    ['sum instead of mean', (h) => tf.tidy(() => tf.sum(tf.abs(h))), 'ReLU codes', /summed \|h\| over everything/],
    ['sum over units, mean over batch', (h) => tf.tidy(() => tf.mean(tf.sum(tf.abs(h), 1))), 'ReLU codes', /summed over units/],
    ['no absolute value', (h) => tf.tidy(() => tf.mean(h)), 'negative entries', /absolute value/],
    ['squares (L2)', (h) => tf.tidy(() => tf.mean(tf.square(h))), 'ReLU codes', /L2/],
    ['a shape-[1] tensor', (h) => tf.tidy(() => tf.reshape(tf.mean(tf.abs(h)), [1]) as unknown as tf.Scalar), 'ReLU codes', /reduce over every axis/],
    ['leaks a tensor per call', (h) => tf.mean(tf.abs(h)), 'ReLU codes', /tf\.tidy/],
  ];
  for (const [what, fn, caseName, hint] of wrong) {
    const before = tf.memory().numTensors;
    assertFailed(capture((o) => check.l1Penalty(fn, o)), 'l1Penalty', caseName, hint);
    assert.equal(tf.memory().numTensors, before, `${what}: the check left tensors behind`);
  }
});

/** A KL penalty written out, with knobs for the usual mistakes. */
function kl(options: { reduce?: 'sum' | 'mean'; axis?: 0 | 1; low?: number | null; high?: number | null; swap?: boolean } = {}) {
  return (h: tf.Tensor2D, rho: number): tf.Scalar => tf.tidy(() => {
    let q: tf.Tensor = tf.mean(h, options.axis ?? 0);
    const low = options.low === undefined ? KL_EPS : options.low;
    const high = options.high === undefined ? KL_UPPER : options.high;
    if (low !== null && high !== null) q = tf.clipByValue(q, low, high);
    const r = tf.fill(q.shape, rho);
    const [p, s] = options.swap ? [q, r] : [r, q];
    const terms = tf.add(tf.mul(p, tf.log(tf.div(p, s))), tf.mul(tf.sub(1, p), tf.log(tf.div(tf.sub(1, p), tf.sub(1, s)))));
    return (options.reduce === 'mean' ? tf.mean(terms) : tf.sum(terms)) as tf.Scalar;
  });
}

test('check.klPenalty passes the kit\'s klPenalty and a learner-style version', async () => {
  await setup();
  assertPassed(capture((o) => check.klPenalty(klPenalty, o)), 'klPenalty');
  assertPassed(capture((o) => check.klPenalty(kl(), o)), 'klPenalty');
});

test('check.klPenalty names the usual mistakes', async () => {
  await setup();
  const wrong: [string, (h: tf.Tensor2D, rho: number) => tf.Scalar, string, RegExp][] = [
    ['KL averaged over units', kl({ reduce: 'mean' }), 'sigmoid codes', /averaged the KL over units; the lesson sums/],
    ['no clamp', kl({ low: null, high: null }), 'all-zero codes', /clamp rhoHat to \[KL_EPS, KL_UPPER\]/],
    ['the lesson\'s 1 - 1e-8, which is 1 in float32', kl({ high: 1 - 1e-8 }), 'saturated units', /float32.*KL_UPPER/],
    ['rhoHat over the wrong axis', kl({ axis: 1 }), 'sigmoid codes', /axis 0/],
    ['KL(rhoHat || rho)', kl({ swap: true }), 'sigmoid codes', /KL\(rhoHat \|\| rho\)/],
    ['another lower clamp', kl({ low: 1e-6 }), 'all-zero codes', /KL_EPS/],
  ];
  for (const [what, fn, caseName, hint] of wrong) {
    const before = tf.memory().numTensors;
    assertFailed(capture((o) => check.klPenalty(fn, o)), 'klPenalty', caseName, hint);
    assert.equal(tf.memory().numTensors, before, `${what}: the check left tensors behind`);
  }
});
