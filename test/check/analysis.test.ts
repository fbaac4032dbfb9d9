/**
 * check.sparsity and check.decodeOneHot: pass on the kit's functions and learner-style ones, fail
 * on the usual mistakes (axes swapped, >= instead of >, <= 1% as inactive, off-by-one units, ...).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { check } from '../../src/check';
import type { SparsityNumbers } from '../../src/check';
import { sparsityReport } from '../../src/core/analysis';
import { decodeUnits } from '../../src/core/evaluate';
import type { SparseAutoencoder } from '../../src/core/sae';
import { setup } from '../helpers';
import { assertFailed, assertPassed, capture } from './capture';

type Measures = (a: Float32Array, units: number, threshold: number) => SparsityNumbers;

/** A learner-style version with knobs for the usual mistakes. */
function measures(options: { swap?: boolean; atLeast?: boolean; inactiveAtMost?: boolean; percent?: boolean } = {}): Measures {
  return (a, units, threshold) => {
    const samples = a.length / units;
    const on = (v: number) => (options.atLeast ? v >= threshold : v > threshold);
    const perSample = Array.from({ length: samples }, (_, s) => {
      let n = 0;
      for (let j = 0; j < units; j++) if (on(a[s * units + j])) n++;
      return n / units;
    });
    const perUnit = Array.from({ length: units }, (_, j) => {
      let n = 0;
      for (let s = 0; s < samples; s++) if (on(a[s * units + j])) n++;
      return n / samples;
    });
    const lifetime = options.swap ? perSample : perUnit;
    const population = perSample.reduce((x, y) => x + y, 0) / samples;
    return {
      populationSparsity: options.percent ? 100 * population : population,
      lifetimePerUnit: lifetime,
      inactiveUnits: perUnit.map((v, j) => ((options.inactiveAtMost ? v <= 0.01 : v < 0.01) ? j : -1)).filter((j) => j >= 0),
    };
  };
}

test('check.sparsity passes the kit\'s sparsityReport and a learner-style version', async () => {
  await setup();
  assertPassed(capture((o) => check.sparsity((a, u, t) => sparsityReport(a, u, { threshold: t }), o)), 'sparsity');
  assertPassed(capture((o) => check.sparsity(measures(), o)), 'sparsity');
});

test('check.sparsity names the usual mistakes', async () => {
  await setup();
  const wrong: [Measures, string, RegExp][] = [
    [measures({ swap: true }), 'a small code matrix', /per unit .*you gave one number per sample/],
    [measures({ atLeast: true }), 'activations equal to the threshold', /strictly above the threshold \(>\)/],
    [measures({ inactiveAtMost: true }), 'inactive units at the 1% boundary', /strictly below 1%/],
    [measures({ percent: true }), 'a small code matrix', /not a percentage/],
  ];
  for (const [fn, caseName, hint] of wrong) assertFailed(capture((o) => check.sparsity(fn, o)), 'sparsity', caseName, hint);
  // Swapped axes on a square matrix: the lengths agree, the values do not.
  const swapSquare: Measures = (a, units, t) => (a.length === units * units ? measures({ swap: true })(a, units, t) : measures()(a, units, t));
  assertFailed(capture((o) => check.sparsity(swapSquare, o)), 'sparsity', 'as many samples as units', /axes swapped/);
});

type Decode = (model: SparseAutoencoder, unit: number) => Float32Array;

test('check.decodeOneHot passes the kit\'s decodeUnits and a learner-style version', async () => {
  await setup();
  assertPassed(capture((o) => check.decodeOneHot((m, u) => decodeUnits(m, [u])[0], o)), 'decodeOneHot');
  const mine: Decode = (model, unit) => tf.tidy(() => {
    const code = tf.oneHot(tf.tensor1d([unit], 'int32'), model.latentDim).toFloat() as tf.Tensor2D;
    return model.decode(code).dataSync() as Float32Array;
  });
  assertPassed(capture((o) => check.decodeOneHot(mine, o)), 'decodeOneHot');
});

test('check.decodeOneHot names the usual mistakes and frees what a leaky version leaves', async () => {
  await setup();
  const decodeCode = (model: SparseAutoencoder, set: (code: Float32Array) => void) => tf.tidy(() => {
    const code = new Float32Array(model.latentDim);
    set(code);
    return model.decode(tf.tensor2d(code, [1, model.latentDim])).dataSync() as Float32Array;
  });
  const wrong: [string, Decode, string, RegExp][] = [
    ['off by one', (m, u) => decodeCode(m, (c) => { c[(u + 1) % m.latentDim] = 1; }), 'unit 0', /off by one/],
    ['decodes the zero code', (m) => decodeCode(m, () => undefined), 'unit 0', /all-zero code/],
    ['returns the code', (m, u) => { const c = new Float32Array(m.latentDim); c[u] = 1; return c; }, 'unit 0', /that is the code/],
    ['leaks tensors', (m, u) => m.decode(tf.oneHot(tf.tensor1d([u], 'int32'), m.latentDim).toFloat() as tf.Tensor2D).dataSync() as Float32Array,
      'unit 0', /tf\.tidy/],
  ];
  for (const [what, fn, caseName, hint] of wrong) {
    const before = tf.memory().numTensors;
    assertFailed(capture((o) => check.decodeOneHot(fn, o)), 'decodeOneHot', caseName, hint);
    assert.equal(tf.memory().numTensors, before, `${what}: the check left tensors behind`);
  }
});
