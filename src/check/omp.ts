/**
 * Check of orthogonal matching pursuit, the dictionary-learning challenge (notebook 12).
 * A check is one function, a table of independent cases: its `make` (the learner's call and the
 * usual mistakes' hints, in the order they are tried) and the list of cases, so it runs past ~50 lines
 * (CONTRIBUTING rule 4's exception for a list of independent cases).
 */
import { Rng } from '../runtime/random';
import { omp as kitOmp } from '../exercises/omp';
import { leastSquares } from './reference';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { Failure, isNumberArray, leakFailure, list } from './format';
import { callPlain } from './call';
import { uniform } from './data';

/** A sparse code: atom indices and their coefficients. The kit's SparseCode has these fields too. */
export interface OmpCode {
  support: number[];
  coef: number[];
}

/** The learner's OMP for one signal x [dim] over unit-norm atoms [count, dim] (row-major), with k atoms. */
export type OmpFn = (x: Float64Array, atoms: Float64Array, dim: number, k: number) => OmpCode;

/** Unit-norm random atoms, [count, dim] row-major. */
function randomAtoms(rng: Rng, count: number, dim: number): Float64Array {
  const a = Float64Array.from({ length: count * dim }, () => rng.uniform(-1, 1));
  for (let j = 0; j < count; j++) {
    let n = 0;
    for (let t = 0; t < dim; t++) n += a[j * dim + t] ** 2;
    for (let t = 0; t < dim; t++) a[j * dim + t] /= Math.sqrt(n);
  }
  return a;
}

function dense(code: OmpCode, count: number): Float64Array {
  const out = new Float64Array(count);
  code.support.forEach((j, s) => { out[j] += code.coef[s]; });
  return out;
}

function correlations(r: Float64Array, atoms: Float64Array, dim: number): number[] {
  return Array.from({ length: atoms.length / dim }, (_, j) => {
    let s = 0;
    for (let t = 0; t < dim; t++) s += r[t] * atoms[j * dim + t];
    return s;
  });
}

/** Variants of OMP with one usual mistake each, for recognising them. */
type OmpMistake = 'no refit' | 'signed' | 'once' | 'newest';

function ompVariant(x: Float64Array, atoms: Float64Array, dim: number, k: number, kind: OmpMistake): Float64Array {
  const count = atoms.length / dim;
  if (kind === 'once') {
    const corr = correlations(x, atoms, dim);
    const support = corr.map((_, j) => j).sort((a, b) => Math.abs(corr[b]) - Math.abs(corr[a]) || a - b).slice(0, k);
    try {
      return dense({ support, coef: leastSquares(atoms, dim, support, x) }, count);
    } catch {
      return new Float64Array(count).fill(NaN);
    }
  }
  const r = Float64Array.from(x);
  const support: number[] = [];
  let coef: number[] = [];
  for (let t = 0; t < k; t++) {
    const corr = correlations(r, atoms, dim);
    let best = -1;
    for (let j = 0; j < count; j++) {
      if (support.includes(j)) continue;
      const score = kind === 'signed' ? corr[j] : Math.abs(corr[j]);
      if (best < 0 || score > (kind === 'signed' ? corr[best] : Math.abs(corr[best]))) best = j;
    }
    support.push(best);
    if (kind === 'no refit') {
      coef.push(corr[best]);
      for (let i = 0; i < dim; i++) r[i] -= corr[best] * atoms[best * dim + i];
    } else {
      try {
        coef = leastSquares(atoms, dim, support, x);
      } catch {
        return new Float64Array(count).fill(NaN);
      }
      const newest = support.length - 1;
      for (let i = 0; i < dim; i++) {
        r[i] = kind === 'newest' ? r[i] - coef[newest] * atoms[best * dim + i] : x[i] - support.reduce((s, j, q) => s + coef[q] * atoms[j * dim + i], 0);
      }
    }
  }
  return dense({ support, coef }, count);
}

/** The challenge's OMP for one signal, against the kit's omp(). */
export function omp(fn: OmpFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(808);
  const make = (name: string, inputs: string, x: Float64Array, atoms: Float64Array, dim: number, k: number): Case => ({
    name,
    inputs: `${inputs}; dim ${dim}, ${atoms.length / dim} atoms, k ${k}`,
    run(): Failure | null {
      const count = atoms.length / dim;
      const want = dense(kitOmp(x, atoms, dim, k)[0], count);
      const call = callPlain(() => fn(Float64Array.from(x), Float64Array.from(atoms), dim, k));
      const got = call.returned;
      const shape = 'return { support: atom indices, coef: one coefficient per support atom }';
      if (!got || typeof got !== 'object') return { expected: 'a code { support, coef }', got: call.description, hint: shape };
      if (!isNumberArray(got.support) || !isNumberArray(got.coef) || got.support.length !== got.coef.length) {
        return { expected: 'support and coef, two arrays of the same length', got: `support ${list(Array.from(got.support ?? []))}, coef ${list(Array.from(got.coef ?? []))}`, hint: shape };
      }
      const support = Array.from(got.support);
      if (support.some((j) => !(Number.isInteger(j) && j >= 0 && j < count))) {
        return { expected: `atom indices in [0, ${count - 1}]`, got: `support ${list(support)}`, hint: 'support holds atom indices (rows of atoms), counting from 0' };
      }
      if (new Set(support).size !== support.length) return { expected: 'each atom at most once', got: `support ${list(support)}`, hint: 'never pick an atom twice: skip the atoms already chosen' };
      if (support.length > k) return { expected: `at most ${k} atoms`, got: `${support.length}`, hint: 'stop after k atoms' };
      const g = dense({ support, coef: Array.from(got.coef) }, count);
      const tol = 1e-6 * Math.max(1, ...Array.from(want, Math.abs));
      const same = (a: Float64Array) => a.every((v, j) => Math.abs(v - g[j]) <= tol);
      if (same(want)) return call.leaked > 0 ? leakFailure(call.leaked) : null;
      const chosen = (a: Float64Array) => Array.from(a.keys()).filter((j) => a[j] !== 0).sort((p, q) => p - q).join(',');
      let hint = 'pick the atom most correlated (in absolute value) with the residual, refit every chosen coefficient by least squares, update the residual; k times';
      if (same(ompVariant(x, atoms, dim, k, 'no refit'))) hint = 'after each pick, refit all chosen coefficients by least squares (leastSquares): that is the "orthogonal" in OMP';
      else if (same(ompVariant(x, atoms, dim, k, 'once'))) hint = 'correlate each new pick with the current residual, not with x: atoms that explain the same part of x are skipped';
      else if (same(ompVariant(x, atoms, dim, k, 'signed'))) hint = 'pick by |correlation|: a large negative correlation matters as much as a large positive one';
      else if (same(ompVariant(x, atoms, dim, k, 'newest'))) {
        hint = 'after the refit, the residual is x minus every chosen atom times its new coefficient; subtracting only the newest atom from the old residual leaves the others\' changed coefficients out';
      }
      else if (chosen(g) === chosen(want)) hint = 'the right atoms, the wrong coefficients: fit them all at once by least squares on the chosen atoms';
      return {
        expected: `atoms ${list(chosen(want).split(',').filter(Boolean).map(Number))} with coefficients ${list(Array.from(want).filter((v) => v !== 0))}`,
        got: `atoms ${list(support)} with coefficients ${list(got.coef)}`,
        hint,
      };
    },
  });
  const identity = (d: number) => Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0));
  const atoms8 = randomAtoms(rng, 8, 12);
  const twoSparse = Float64Array.from({ length: 12 }, (_, t) => 1.5 * atoms8[2 * 12 + t] - 0.8 * atoms8[5 * 12 + t]);
  const norm = Math.hypot(1, 0.9);
  const correlated = Float64Array.from([1 / norm, 0.9 / norm, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const atoms6 = randomAtoms(rng, 6, 10);
  const atoms4 = randomAtoms(rng, 4, 6);
  const atoms64 = randomAtoms(rng, 64, 20);
  // Larger problems, where a residual that is off changes which atoms are picked: x a random
  // 8-sparse mix of 90 atoms in 40 dimensions plus a little noise, k 8.
  const larger = [1, 2, 3].map((seed) => {
    const atoms = randomAtoms(rng, 90, 40);
    const x = Float64Array.from({ length: 40 }, () => rng.uniform(-0.05, 0.05));
    for (let s = 0; s < 8; s++) {
      const j = Math.floor(rng.uniform(0, 90));
      const c = rng.uniform(0.5, 2) * (rng.uniform(0, 1) < 0.5 ? -1 : 1);
      for (let t = 0; t < 40; t++) x[t] += c * atoms[j * 40 + t];
    }
    return make(`a larger problem (${seed})`, 'x an 8-sparse mix plus noise, random unit atoms', x, atoms, 40, 8);
  });
  return runCheck('omp', [
    make('standard-basis atoms', 'x = [0.1, -3, 0.5, 2, 0, 0.2], atoms e_0..e_5', Float64Array.from([0.1, -3, 0.5, 2, 0, 0.2]), identity(6), 6, 2),
    make('an exactly 2-sparse signal', 'x = 1.5 atom 2 - 0.8 atom 5, random unit atoms', twoSparse, atoms8, 12, 2),
    make('correlated atoms', 'x = [1, 1, 0]; atoms (1, 0.9, 0)/|.|, e_0, e_1, e_2', Float64Array.from([1, 1, 0]), correlated, 3, 2),
    make('k = 1', 'random x and unit atoms', Float64Array.from(uniform(rng, 1, 10, -1, 1)), atoms6, 10, 1),
    make('a zero signal', 'x = 0, random unit atoms', new Float64Array(10), atoms6, 10, 3),
    make('k = the number of atoms', 'random x and unit atoms', Float64Array.from(uniform(rng, 1, 6, -1, 1)), atoms4, 6, 4),
    make('a wide dictionary', 'random x and unit atoms', Float64Array.from(uniform(rng, 1, 20, -1, 1)), atoms64, 20, 5),
    ...larger,
  ], options);
}
