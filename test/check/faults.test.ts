/**
 * What the checks once got wrong, each case as it was found: right answers written in float32 or
 * with tensors that were rejected, mistakes that passed (async loops, text sorting, OMP's
 * residual, leaks hidden by a disposed input), messages that said the wrong thing, and learner
 * functions that never return.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { check } from '../../src/check';
import type { SparsityNumbers } from '../../src/check';
import type { SparseAutoencoder } from '../../src/core/sae';
import { leastSquares } from '../../src/check/reference';
import { setup } from '../helpers';
import { assertFailed, assertPassed, capture, captureAsync } from './capture';

// ---- right answers in float32 and with tensors ---------------------------------------------

/** Part 4's measures with tensors: every mean is a float32 mean. */
function sparsityWithTensors(a: Float32Array, units: number, threshold: number): SparsityNumbers {
  const samples = a.length / units;
  const [population, lifetime] = tf.tidy(() => {
    const active = tf.cast(tf.greater(tf.tensor2d(a, [samples, units]), threshold), 'float32');
    return [tf.mean(active), tf.mean(active, 0)];
  });
  const lifetimePerUnit = lifetime.dataSync() as Float32Array;
  const populationSparsity = population.dataSync()[0];
  tf.dispose([population, lifetime]);
  const inactiveUnits: number[] = [];
  lifetimePerUnit.forEach((v, j) => { if (v < 0.01) inactiveUnits.push(j); });
  return { populationSparsity, lifetimePerUnit, inactiveUnits };
}

/** Part 4's measures with loops that keep the lifetimes in a Float32Array. */
function sparsityFloat32Loops(a: Float32Array, units: number, threshold: number): SparsityNumbers {
  const samples = a.length / units;
  const lifetimePerUnit = new Float32Array(units);
  let population = 0;
  for (let s = 0; s < samples; s++) {
    let on = 0;
    for (let j = 0; j < units; j++) {
      if (a[s * units + j] > threshold) { on++; lifetimePerUnit[j] += 1; }
    }
    population += on / units;
  }
  for (let j = 0; j < units; j++) lifetimePerUnit[j] /= samples;
  const inactiveUnits = Array.from(lifetimePerUnit.keys()).filter((j) => lifetimePerUnit[j] < 0.01);
  return { populationSparsity: population / samples, lifetimePerUnit, inactiveUnits };
}

test('check.sparsity accepts float32 and tensor versions at the 1% boundary, and still names <= 0.01 in float64', async () => {
  await setup();
  assertPassed(capture((o) => check.sparsity(sparsityWithTensors, o)), 'sparsity');
  assertPassed(capture((o) => check.sparsity(sparsityFloat32Loops, o)), 'sparsity');
  const atMost = (a: Float32Array, units: number, t: number) => {
    const r = sparsityFloat32Loops(a, units, t);
    const life = Array.from(r.lifetimePerUnit, (_, j) => {
      let n = 0;
      for (let s = 0; s < a.length / units; s++) if (a[s * units + j] > t) n++;
      return n / (a.length / units);
    });
    return { ...r, lifetimePerUnit: life, inactiveUnits: life.map((v, j) => (v <= 0.01 ? j : -1)).filter((j) => j >= 0) };
  };
  assertFailed(capture((o) => check.sparsity(atMost, o)), 'sparsity', 'inactive units at the 1% boundary', /strictly below 1% \(< 0\.01\)/);
});

test('check.selectivity accepts a float32 tensor version (a flat unit gives -3.7e-8, not 0)', async () => {
  await setup();
  const withTensors = (means: Float64Array, units: number, classes: number): number[] => {
    const [top, sum] = tf.tidy(() => {
      const m = tf.tensor2d(Float32Array.from(means), [classes, units]);
      return [tf.max(m, 0), tf.sum(m, 0)];
    });
    const t = top.dataSync() as Float32Array;
    const s = sum.dataSync() as Float32Array;
    tf.dispose([top, sum]);
    return Array.from(t, (v: number, j: number) => {
      const rest = (s[j] - v) / (classes - 1);
      return v + rest > 0 ? (v - rest) / (v + rest) : 0;
    });
  };
  assertPassed(capture((o) => check.selectivity(withTensors, o)), 'selectivity');
});

// ---- async mistakes ------------------------------------------------------------------------------

test('check.sweep catches forEach(async ...) and Promise.all(map(async ...))', async () => {
  await setup();
  const forEachSweep = async (weights: readonly number[], trainAt: (w: number) => Promise<SparseAutoencoder>, measure: (m: SparseAutoencoder) => unknown) => {
    const rows: { weight: number; result: unknown }[] = [];
    weights.forEach(async (weight) => {
      const model = await trainAt(weight);
      rows.push({ weight, result: measure(model) });
      model.dispose();
    });
    return rows;
  };
  assertFailed(await captureAsync((o) => check.sweep(forEachSweep, o)), 'sweep', 'three weights', /resolved before its training runs finished: forEach/);
  const allAtOnce = async (weights: readonly number[], trainAt: (w: number) => Promise<SparseAutoencoder>, measure: (m: SparseAutoencoder) => unknown) =>
    Promise.all(weights.map(async (weight) => {
      const model = await trainAt(weight);
      const result = measure(model);
      model.dispose();
      return { weight, result };
    }));
  assertFailed(await captureAsync((o) => check.sweep(allAtOnce, o)), 'sweep', 'three weights', /3 at once.*not weights\.map with Promise\.all/);
});

// ---- wrong answers the old cases never exposed ---------------------------------------------------

test('check.keepTopK catches the default .sort() (numbers compared as text)', async () => {
  await setup();
  const textSort = (codes: Float32Array, units: number, k: number) => {
    const out = new Float32Array(codes.length);
    for (let r = 0; r < codes.length / units; r++) {
      const order = Array.from({ length: units }, (_, j) => r * units + j);
      order.sort((a, b) => Math.abs(codes[b]) - Math.abs(codes[a])); // numbers: right so far
      const byText = order.map((i) => Math.abs(codes[i])).sort().reverse(); // then the classic slip
      const kept = new Set<number>();
      for (const m of byText.slice(0, k)) kept.add(order.find((i) => Math.abs(codes[i]) === m && !kept.has(i)) as number);
      for (const i of kept) out[i] = codes[i];
    }
    return out;
  };
  assertFailed(capture((o) => check.keepTopK(textSort, o)), 'keepTopK', 'magnitudes from 1e-7 to 100', /default \.sort\(\) compares numbers as text/);
});

test('check.omp catches a residual that subtracts only the newest atom', async () => {
  await setup();
  const newestOnly = (x: Float64Array, atoms: Float64Array, dim: number, k: number) => {
    const r = Float64Array.from(x);
    const support: number[] = [];
    let coef: number[] = [];
    for (let t = 0; t < k; t++) {
      let best = -1;
      let bestScore = -1;
      for (let j = 0; j < atoms.length / dim; j++) {
        if (support.includes(j)) continue;
        let c = 0;
        for (let i = 0; i < dim; i++) c += r[i] * atoms[j * dim + i];
        if (Math.abs(c) > bestScore) { bestScore = Math.abs(c); best = j; }
      }
      support.push(best);
      coef = leastSquares(atoms, dim, support, x);
      for (let i = 0; i < dim; i++) r[i] -= coef[t] * atoms[best * dim + i];
    }
    return { support, coef };
  };
  const { result, lines } = capture((o) => check.omp(newestOnly, o));
  assert.equal(result.passed, false, lines[0]);
  assert.match(lines[0], /subtracting only the newest atom/);
});

// ---- leaks -----------------------------------------------------------------------------------------

test('a leak is counted by identity: a leaky fvu, and an l1Penalty that disposes h and leaks one tensor', async () => {
  await setup();
  const before = tf.memory().numTensors;
  const leakyFvu = (x: Float32Array, xHat: Float32Array, dim: number) => {
    const n = x.length / dim;
    const xt = tf.tensor2d(x, [n, dim]);
    const err = tf.sum(tf.square(tf.sub(xt, tf.tensor2d(xHat, [n, dim]))));
    const total = tf.sum(tf.square(tf.sub(xt, tf.mean(xt, 0))));
    return err.dataSync()[0] / total.dataSync()[0];
  };
  assertFailed(capture((o) => check.fvu(leakyFvu, o)), 'fvu', 'noisy reconstructions', /tensors left behind.*tf\.tidy/);
  const disposesH = (h: tf.Tensor2D): tf.Scalar => {
    const extra = tf.abs(h);
    const out = tf.mean(extra) as tf.Scalar;
    h.dispose();
    return out;
  };
  assertFailed(capture((o) => check.l1Penalty(disposesH, o)), 'l1Penalty', 'ReLU codes', /h disposed by your function/);
  const leaksOne = (h: tf.Tensor2D): tf.Scalar => {
    tf.abs(h); // left behind
    return tf.tidy(() => tf.mean(tf.abs(h)) as tf.Scalar);
  };
  assertFailed(capture((o) => check.l1Penalty(leaksOne, o)), 'l1Penalty', 'ReLU codes', /1 tensor left behind/);
  assert.equal(tf.memory().numTensors, before, 'the checks freed what the learner left');
});

// ---- messages ----------------------------------------------------------------------------------------

test('a near miss shows the digits that differ, never "entry -1: undefined"', async () => {
  await setup();
  const nearMiss = (z: tf.Tensor2D, k: number): tf.Tensor2D => tf.tidy(() => {
    const { values } = tf.topk(z, k);
    const kth = tf.slice(values, [0, k - 1], [-1, 1]);
    return tf.mul(tf.relu(tf.where(tf.greaterEqual(z, kth), z, tf.zerosLike(z))), 1 + 3e-5) as tf.Tensor2D;
  });
  const { lines } = capture((o) => check.topK(nearMiss, o));
  assert.doesNotMatch(lines[0], /entry -1|undefined/);
  const m = /\(entry (\d+): ([-\d.e]+)\), got .*\(entry \1: ([-\d.e]+)\)/.exec(lines[0]);
  assert.ok(m, lines[0]);
  assert.notEqual(m[2], m[3], `the printed values must differ: ${lines[0]}`);
  const fvuOff = (x: Float32Array, xHat: Float32Array, dim: number) => {
    const n = x.length / dim;
    const mean = new Float64Array(dim);
    for (let i = 0; i < x.length; i++) mean[i % dim] += x[i] / n;
    let err = 0;
    let total = 0;
    for (let i = 0; i < x.length; i++) { err += (x[i] - xHat[i]) ** 2; total += (x[i] - mean[i % dim]) ** 2; }
    return (err / total) * (1 + 1e-4);
  };
  const off = capture((o) => check.fvu(fvuOff, o)).lines[0];
  const digits = /expected ([\d.e-]+), got ([\d.e-]+)\./.exec(off);
  assert.ok(digits && digits[1] !== digits[2], off);
});

test('numericalGradient: x put back up to a rounding passes; x left moved shows the digits that moved', async () => {
  await setup();
  const plusMinus = (f: (x: Float64Array) => number, x: Float64Array, eps: number) => {
    const g = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      x[i] += eps;
      const up = f(x);
      x[i] -= 2 * eps;
      const down = f(x);
      x[i] += eps;
      g[i] = (up - down) / (2 * eps);
    }
    return g;
  };
  assertPassed(capture((o) => check.numericalGradient(plusMinus, o)), 'numericalGradient');
  const drifts = (f: (x: Float64Array) => number, x: Float64Array, eps: number) => {
    const g = plusMinus(f, x, eps);
    x[0] += 1e-9;
    return g;
  };
  const line = capture((o) => check.numericalGradient(drifts, o)).lines[0];
  const m = /expected x unchanged \(x\[0\] = ([-\d.e]+)\), got x\[0\] = ([-\d.e]+) after your call/.exec(line);
  assert.ok(m && m[1] !== m[2], line);
});

test('a returned live tensor is described as one; a NaN from a log of a negative number gets its own hint', async () => {
  await setup();
  const tensorOut = (model: SparseAutoencoder, unit: number) =>
    tf.tidy(() => model.decode(tf.oneHot(tf.tensor1d([unit], 'int32'), model.config.latentDim).toFloat() as tf.Tensor2D)) as unknown as Float32Array;
  assertFailed(capture((o) => check.decodeOneHot(tensorOut, o)), 'decodeOneHot', 'unit 0', /got a tensor of shape \[1,12\].*not a tensor/);
  const signError = (h: tf.Tensor2D, rho: number) => tf.tidy(() => {
    const q = tf.clipByValue(tf.mean(h, 0), 1e-8, 1 - 2 ** -24);
    return tf.sum(tf.add(tf.mul(rho, tf.log(tf.div(rho, q))), tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(q, 1)))))) as tf.Scalar;
  });
  assertFailed(capture((o) => check.klPenalty(signError, o)), 'klPenalty', 'sigmoid codes', /no clamp is involved: a log of a negative number/);
});

test('sparsity hints: a fixed threshold of 0.1, the count of inactive units, their lifetimes', async () => {
  await setup();
  const fixed = (a: Float32Array, units: number) => sparsityFloat32Loops(a, units, 0.1);
  assertFailed(capture((o) => check.sparsity(fixed, o)), 'sparsity', 'activations equal to the threshold', /use the threshold argument \(0\.5 here\), not a fixed 0\.1/);
  const count = (a: Float32Array, units: number, t: number) => {
    const r = sparsityFloat32Loops(a, units, t);
    return { ...r, inactiveUnits: [r.inactiveUnits.length] };
  };
  assertFailed(capture((o) => check.sparsity(count, o)), 'sparsity', 'a small code matrix', /indices, not their count/);
  const lifetimes = (a: Float32Array, units: number, t: number) => {
    const r = sparsityFloat32Loops(a, units, t);
    return { ...r, inactiveUnits: Array.from(r.lifetimePerUnit).filter((v) => v < 0.01) };
  };
  assertFailed(capture((o) => check.sparsity(lifetimes, o)), 'sparsity', 'inactive units at the 1% boundary', /lifetimes; list their indices/);
});

// ---- time ----------------------------------------------------------------------------------------------

test('a function that never returns is stopped within the budget and named; tfjs works on afterwards', async () => {
  await setup();
  const before = tf.memory().numTensors;
  const hangs = (): number => {
    for (;;) { /* never returns */ }
  };
  const t0 = Date.now();
  assertFailed(capture((o) => check.fvu(hangs, { ...o, seconds: 0.3 })), 'fvu', 'noisy reconstructions', /did not return within 0\.3 s.*a loop that never ends/);
  assert.ok(Date.now() - t0 < 5000);
  // Stopped inside a tidy of its own, with tensors made: the scopes are closed and the tensors freed.
  const hangsInTidy = (z: tf.Tensor2D) => tf.tidy(() => {
    tf.relu(z);
    for (;;) { /* never returns */ }
  }) as tf.Tensor2D;
  assertFailed(capture((o) => check.topK(hangsInTidy, { ...o, seconds: 0.3 })), 'topK', 'four rows', /did not return within 0\.3 s/);
  assert.equal(tf.memory().numTensors, before);
  assertPassed(capture((o) => check.topK((z, k) => tf.tidy(() => {
    const kth = tf.slice(tf.topk(z, k).values, [0, k - 1], [-1, 1]);
    return tf.relu(tf.where(tf.greaterEqual(z, kth), z, tf.zerosLike(z)));
  }), o)), 'topK');
  // An async function that never settles.
  const never = () => new Promise<never>(() => undefined);
  assertFailed(await captureAsync((o) => check.matchSparsity(never, { ...o, seconds: 0.3 })), 'matchSparsity', 'an L1-like curve', /did not return within 0\.3 s/);
  assert.throws(() => check.fvu(hangs, { seconds: 0 }), /CheckOptions\.seconds = 0 is invalid: expected a number > 0/);
});
