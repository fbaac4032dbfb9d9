/**
 * The lasso solvers: softThreshold and one istaStep worked by hand; ISTA and FISTA reach the
 * minimiser found by coordinate descent written here (signed and non-negative), and the closed
 * form soft(D x, lambda) of an orthonormal dictionary; FISTA ends lower than ISTA after as many
 * iterations; the power iteration on known spectra; OMP and the equal-L0 lasso recover the exact
 * support of k-sparse signals on random unit atoms, the refit their coefficients; bad input.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Rng } from '../../src/runtime/random';
import { standardNormal } from '../../src/truth/gaussian';
import { omp } from '../../src/exercises/omp';
import { fista, fistaFromGram, gramOf, ista, istaStep, largestEigenvalue, lassoObjective, softThreshold } from '../../src/truth/ista';
import { lassoAtL0 } from '../../src/truth/lasso-l0';

/** count random unit-norm atoms of width dim, [count, dim]. */
function unitAtoms(count: number, dim: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(count * dim);
  for (let j = 0; j < count; j++) {
    let s = 0;
    for (let t = 0; t < dim; t++) { a[j * dim + t] = standardNormal(rng); s += a[j * dim + t] ** 2; }
    for (let t = 0; t < dim; t++) a[j * dim + t] /= Math.sqrt(s);
  }
  return a;
}

const gaussian = (n: number, seed: number) => { const rng = new Rng(seed); return Float64Array.from({ length: n }, () => standardNormal(rng)); };

/** D x for atoms [count, dim] and one signal [dim]. */
function correlations(atoms: Float64Array, x: Float64Array, dim: number): Float64Array {
  const count = atoms.length / dim;
  return Float64Array.from({ length: count }, (_, j) => { let s = 0; for (let t = 0; t < dim; t++) s += atoms[j * dim + t] * x[t]; return s; });
}

/** The lasso minimiser by cyclic coordinate descent: c_j <- soft(alpha_j - sum_{i != j} G_ji c_i, lambda) / G_jj. */
function coordinateDescent(atoms: Float64Array, x: Float64Array, dim: number, lambda: number, nonNegative: boolean, sweeps = 20000): Float64Array {
  const count = atoms.length / dim;
  const g = gramOf(atoms, count, dim);
  const alpha = correlations(atoms, x, dim);
  const c = new Float64Array(count);
  for (let s = 0; s < sweeps; s++) {
    for (let j = 0; j < count; j++) {
      let r = alpha[j];
      for (let i = 0; i < count; i++) if (i !== j) r -= g[j * count + i] * c[i];
      const v = nonNegative ? Math.max(0, r - lambda) : Math.sign(r) * Math.max(0, Math.abs(r) - lambda);
      c[j] = v / g[j * count + j];
    }
  }
  return c;
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, label: string) => {
  assert.equal(a.length, b.length, `${label}: lengths`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${label}[${i}] = ${a[i]}, want ${b[i]} (tol ${tol})`);
};

test('softThreshold by hand', () => {
  assert.deepEqual([softThreshold(3, 1), softThreshold(-3, 1), softThreshold(0.5, 1), softThreshold(-1, 1), softThreshold(2, 0)], [2, -2, 0, 0, 2]);
});

test('istaStep on a 2 x 2 case worked by hand', () => {
  // D rows (1, 0) and (0.6, 0.8), x = (1, 2), c = (0.5, 1): D^T c - x = (0.1, -1.2), D (D^T c - x) = (0.1, -0.9);
  // c - 0.25 g = (0.475, 1.225), soft by 0.25 * 0.5 = 0.125: (0.35, 1.1).
  const atoms = Float32Array.from([1, 0, 0.6, 0.8]);
  const x = Float64Array.from([1, 2]);
  const code = Float64Array.from([0.5, 1]);
  const out = istaStep(code, atoms, x, 2, 0.5, 0.25);
  assert.ok(out instanceof Float64Array && out !== code);
  close(out, [0.35, 1.1], 1e-7, 'step'); // the atoms are float32: 0.6 and 0.8 to ~1e-8
  assert.deepEqual(Array.from(code), [0.5, 1], 'the code is not changed');
  // c = (0.1, 1), lambda 1: c - 0.25 g = (0.175, 1.285), soft by 0.25 zeroes the first.
  close(istaStep(Float64Array.from([0.1, 1]), atoms, x, 2, 1, 0.25), [0, 1.035], 1e-7, 'zeroed');
});

test('ISTA and FISTA reach the coordinate-descent minimiser, signed and non-negative', () => {
  const dim = 12;
  const atoms = unitAtoms(8, dim, 1); // fewer atoms than dims: G is positive definite, one minimiser
  const x = gaussian(dim, 2);
  for (const nonNegative of [false, true]) {
    const want = coordinateDescent(atoms, x, dim, 0.3, nonNegative);
    assert.ok(want.some((v) => v === 0) && want.some((v) => v !== 0), 'the minimiser has a support to find');
    const got = fista(x, atoms, dim, 0.3, { nonNegative, tolerance: 1e-13, maxIterations: 20000 });
    close(got, want, 1e-6, `FISTA nonNegative=${nonNegative}`);
    if (!nonNegative) close(ista(atoms, x, dim, 0.3, 5000), want, 1e-6, 'ISTA');
  }
  // Overcomplete (24 atoms in 12 dims): the lasso minimiser is still unique for atoms in general position.
  const over = unitAtoms(24, dim, 3);
  close(fista(x, over, dim, 0.2, { tolerance: 1e-13, maxIterations: 100000 }), coordinateDescent(over, x, dim, 0.2, false), 1e-6, 'overcomplete');
});

test('an orthonormal dictionary: the minimiser is soft(D x, lambda), max(D x - lambda, 0) when non-negative', () => {
  // Rows of a 4 x 4 rotation: two Givens rotations.
  const [c1, s1, c2, s2] = [Math.cos(0.3), Math.sin(0.3), Math.cos(1.1), Math.sin(1.1)];
  const atoms = Float64Array.from([c1, -s1, 0, 0, s1, c1, 0, 0, 0, 0, c2, -s2, 0, 0, s2, c2]);
  const x = Float64Array.from([0.9, -0.2, 0.5, 1.5]);
  const alpha = correlations(atoms, x, 4);
  close(fista(x, atoms, 4, 0.4, { tolerance: 1e-14 }), Array.from(alpha, (a) => softThreshold(a, 0.4)), 1e-12, 'signed');
  close(fista(x, atoms, 4, 0.4, { tolerance: 1e-14, nonNegative: true }), Array.from(alpha, (a) => Math.max(0, a - 0.4)), 1e-12, 'non-negative');
  close(ista(atoms, x, 4, 0.4, 3), Array.from(alpha, (a) => softThreshold(a, 0.4)), 1e-12, 'ISTA, L = 1');
});

test('FISTA ends at a lower objective than ISTA after as many iterations', () => {
  const dim = 12;
  for (const seed of [3, 4, 5]) {
    const atoms = unitAtoms(24, dim, seed);
    const x = gaussian(dim, seed + 10);
    const g = gramOf(atoms, 24, dim);
    const best = lassoObjective(coordinateDescent(atoms, x, dim, 0.1, false), atoms, x, dim, 0.1);
    for (const iterations of [20, 50]) {
      // Plain Beck & Teboulle: no restart, no early stop.
      const fast = fistaFromGram(g, correlations(atoms, x, dim), 24, 0.1, { maxIterations: iterations, tolerance: 0, restart: false }).code;
      const slow = ista(atoms, x, dim, 0.1, iterations);
      const [f, s] = [lassoObjective(fast, atoms, x, dim, 0.1), lassoObjective(slow, atoms, x, dim, 0.1)];
      assert.ok(f < s && f >= best - 1e-12, `seed ${seed}, ${iterations} iterations: FISTA ${f}, ISTA ${s}, minimum ${best}`);
    }
  }
});

test('largestEigenvalue on known spectra', () => {
  assert.ok(Math.abs(largestEigenvalue(Float64Array.from([1, 0, 0, 0, 3, 0, 0, 0, 2]), 3) - 3) < 1e-9);
  // [[2, 1], [1, 2]]: eigenvalues 3 and 1
  assert.ok(Math.abs(largestEigenvalue(Float64Array.from([2, 1, 1, 2]), 2) - 3) < 1e-9);
  assert.equal(largestEigenvalue(new Float64Array(4), 2), 0);
});

test('OMP and the equal-L0 lasso recover the exact support of 3-sparse signals on 32 random unit atoms in 64 dims', () => {
  const [dim, count, k, signals] = [64, 32, 3, 200];
  const atoms = unitAtoms(count, dim, 7);
  const g = gramOf(atoms, count, dim);
  const lipschitz = largestEigenvalue(g, count);
  const rng = new Rng(8);
  const x = new Float64Array(signals * dim);
  const truth: { support: number[]; coef: Float64Array }[] = [];
  for (let i = 0; i < signals; i++) {
    const support: number[] = [];
    while (support.length < k) { const j = rng.int(count); if (!support.includes(j)) support.push(j); }
    const coef = new Float64Array(count);
    for (const j of support) {
      coef[j] = 1 + Math.abs(standardNormal(rng)); // >= 1
      for (let t = 0; t < dim; t++) x[i * dim + t] += coef[j] * atoms[j * dim + t];
    }
    truth.push({ support: support.sort((a, b) => a - b), coef });
  }
  const greedy = omp(x, atoms, dim, k);
  for (let i = 0; i < signals; i++) {
    assert.deepEqual([...greedy[i].support].sort((a, b) => a - b), truth[i].support, `OMP, signal ${i}`);
    for (const nonNegative of [true, false]) {
      const r = lassoAtL0(g, correlations(atoms, x.subarray(i * dim, (i + 1) * dim), dim), count, k, lipschitz, { nonNegative });
      const support = Array.from(r.code.keys()).filter((j) => r.code[j] !== 0);
      assert.deepEqual(support, truth[i].support, `lasso (nonNegative=${nonNegative}), signal ${i}`);
      close(r.refit, truth[i].coef, 1e-6, `refit, signal ${i}`); // noise-free: least squares on the true support is exact
      // The screened solves give FISTA's code on all atoms at the lambda chosen.
      const alpha = correlations(atoms, x.subarray(i * dim, (i + 1) * dim), dim);
      close(r.code, fistaFromGram(g, alpha, count, r.lambda, { nonNegative, tolerance: 1e-12, maxIterations: 20000 }).code, 1e-5, `full solve, signal ${i}`);
    }
  }
});

test('bad input is named', () => {
  const atoms = Float64Array.from([1, 0, 0, 1]);
  assert.throws(() => istaStep(new Float64Array(3), atoms, new Float64Array(2), 2, 0.1, 0.5), /the code holds 3 values; expected one per atom \(count = 2\)/);
  assert.throws(() => istaStep(new Float64Array(2), atoms, new Float64Array(3), 2, 0.1, 0.5), /the signal holds 3 values; expected dim = 2/);
  assert.throws(() => istaStep(new Float64Array(2), atoms, new Float64Array(2), 2, -1, 0.5), /lambda = -1 is invalid/);
  assert.throws(() => istaStep(new Float64Array(2), atoms, new Float64Array(2), 2, 0.1, 0), /step = 0 is invalid/);
  assert.throws(() => istaStep(new Float64Array(2), new Float64Array(5), new Float64Array(2), 2, 0.1, 0.5), /the atoms holds 5 values/);
  assert.throws(() => fistaFromGram(new Float64Array(4), new Float64Array(3), 2, 0.1), /alpha holds 3 values; expected count = 2/);
  assert.throws(() => lassoAtL0(new Float64Array(4), new Float64Array(2), 2, 3, 1), /k = 3 is invalid: expected an integer in \[1, 2\]/);
});
