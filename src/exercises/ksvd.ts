/**
 * The advanced challenge: classic sparse coding to compare with the autoencoder.
 *   OMP   (orthogonal matching pursuit): the best k-atom code of a signal, greedily.
 *   K-SVD: learns the dictionary, alternating OMP codes and rank-one atom updates.
 * Signals and atoms are rows of row-major Float64Arrays ([n, dim]); atoms have unit norm.
 */
import { Rng } from '../runtime/random';
import { asMatrix, dot, dotRows } from '../data/matrix';

export interface SparseCode {
  /** atom indices, in the order OMP picked them */
  support: number[];
  /** coefficient of each support atom */
  coef: number[];
  /** squared norm of the residual x - D^T c */
  residual: number;
}

/**
 * u += sum_r v[r] (row r of m), adding row after row as a loop over r then t would, but four
 * rows per pass over u (each u[t] still takes the rows' terms in order: the same numbers).
 */
function addRows(m: Float64Array, v: Float64Array, u: Float64Array, dim: number): void {
  const rows = v.length;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const [o0, o1, o2, o3] = [r * dim, (r + 1) * dim, (r + 2) * dim, (r + 3) * dim];
    const [v0, v1, v2, v3] = [v[r], v[r + 1], v[r + 2], v[r + 3]];
    for (let t = 0; t < dim; t++) u[t] = u[t] + m[o0 + t] * v0 + m[o1 + t] * v1 + m[o2 + t] * v2 + m[o3 + t] * v3;
  }
  for (; r < rows; r++) for (let t = 0; t < dim; t++) u[t] += m[r * dim + t] * v[r];
}

/** Gram matrix G = D D^T of the atoms ([atoms, atoms]). */
export function gram(atoms: Float64Array, count: number, dim: number): Float64Array {
  const g = new Float64Array(count * count);
  for (let i = 0; i < count; i++) {
    for (let j = i; j < count; j++) {
      const v = dot(atoms, i * dim, atoms, j * dim, dim);
      g[i * count + j] = v;
      g[j * count + i] = v;
    }
  }
  return g;
}

/** Solves A c = b for a small symmetric positive definite A (Cholesky); null if A is singular. */
export function choleskySolve(a: Float64Array, b: number[], n: number): number[] | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (s <= 1e-12) return null;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/**
 * OMP from precomputed quantities: alpha = D x (correlations of x with every atom), G = D D^T,
 * and |x|^2. Picks the atom most correlated with the residual, refits all chosen coefficients by
 * least squares, and repeats k times (or until the residual is orthogonal to every atom).
 */
export function ompFromCorrelations(alpha: Float64Array, g: Float64Array, count: number, xNorm2: number, k: number): SparseCode {
  const support: number[] = [];
  let coef: number[] = [];
  const chosen = new Uint8Array(count);
  for (let t = 0; t < k; t++) {
    let best = -1;
    let bestAbs = 1e-10;
    for (let j = 0; j < count; j++) {
      if (chosen[j]) continue;
      let r = alpha[j];
      for (let s = 0; s < support.length; s++) r -= g[j * count + support[s]] * coef[s];
      if (Math.abs(r) > bestAbs) {
        bestAbs = Math.abs(r);
        best = j;
      }
    }
    if (best < 0) break;
    const trial = [...support, best];
    const n = trial.length;
    const sub = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) sub[a * n + b] = g[trial[a] * count + trial[b]];
    const solved = choleskySolve(sub, trial.map((j) => alpha[j]), n);
    if (solved === null) break; // the new atom is a combination of the chosen ones
    chosen[best] = 1;
    support.push(best);
    coef = solved;
  }
  // |x - D_S c|^2 = |x|^2 - 2 c.alpha_S + c^T G_SS c
  let residual = xNorm2;
  for (let a = 0; a < support.length; a++) {
    residual -= 2 * coef[a] * alpha[support[a]];
    for (let b = 0; b < support.length; b++) residual += coef[a] * coef[b] * g[support[a] * count + support[b]];
  }
  return { support, coef, residual: Math.max(0, residual) };
}

/** OMP codes with k atoms for every row of `signals` ([n, dim]) over `atoms` ([count, dim]). */
export function omp(signals: Float64Array, atoms: Float64Array, dim: number, k: number): SparseCode[] {
  const count = asMatrix(atoms, dim, 'the atoms').rows;
  const n = asMatrix(signals, dim, 'the signals', 0).rows;
  if (!Number.isInteger(k) || k < 1 || k > count) throw new Error(`k must be an integer in [1, ${count}], got ${k}`);
  const g = gram(atoms, count, dim);
  const alpha = new Float64Array(count);
  const nonzero = new Int32Array(dim);
  const codes: SparseCode[] = [];
  for (let i = 0; i < n; i++) {
    // alpha_j = sum_t x_t D_jt over the non-zero x_t only (most MNIST pixels are 0): the same
    // sums in the same order, since adding x_t D_jt = 0 changes no partial sum.
    const base = i * dim;
    let nz = 0;
    for (let t = 0; t < dim; t++) if (signals[base + t] !== 0) nonzero[nz++] = t;
    for (let j = 0; j < count; j++) {
      const o = j * dim;
      let s = 0;
      for (let q = 0; q < nz; q++) s += signals[base + nonzero[q]] * atoms[o + nonzero[q]];
      alpha[j] = s;
    }
    codes.push(ompFromCorrelations(alpha, g, count, dot(signals, base, signals, base, dim), k));
  }
  return codes;
}

/** Dense [n, count] matrix of sparse codes. */
export function denseCodes(codes: SparseCode[], count: number): Float32Array {
  const out = new Float32Array(codes.length * count);
  codes.forEach((c, i) => c.support.forEach((j, s) => { out[i * count + j] = c.coef[s]; }));
  return out;
}

export interface KsvdOptions {
  atoms: number;
  /** atoms per signal (OMP's k) */
  sparsity: number;
  iterations: number;
  seed?: number;
  /** called after each iteration with the mean squared error per number */
  onIteration?: (iteration: number, mse: number) => void;
}

export interface KsvdResult {
  /** [atoms, dim], unit-norm rows */
  dictionary: Float64Array;
  codes: SparseCode[];
  /** mean squared error per number: before the first iteration, then after each */
  errors: number[];
}

/**
 * K-SVD (Aharon, Elad & Bruckstein 2006). Each iteration: OMP codes for every signal (a signal
 * keeps its old code when OMP's is no better, so the error cannot rise), then each atom in turn
 * is refit, with its coefficients, to the residual of the signals that use it (a rank-one fit by
 * alternating least squares started from the current atom, which also cannot raise the error).
 * An unused atom is replaced by the worst-represented signal.
 */
export function ksvd(signals: Float64Array, dim: number, options: KsvdOptions): KsvdResult {
  const K = options.atoms;
  const n = asMatrix(signals, dim, 'the signals').rows;
  if (n < K) throw new Error(`need at least ${K} signals (rows of ${dim}), got ${n}`);
  const rng = new Rng(options.seed ?? 0);
  const D = new Float64Array(K * dim);
  const pick = rng.permutation(n);
  for (let j = 0, i = 0; j < K && i < n; i++) {
    const norm = Math.sqrt(dot(signals, pick[i] * dim, signals, pick[i] * dim, dim));
    if (norm < 1e-9) continue;
    for (let t = 0; t < dim; t++) D[j * dim + t] = signals[pick[i] * dim + t] / norm;
    j++;
  }
  let codes = omp(signals, D, dim, options.sparsity);
  const R = new Float64Array(n * dim); // residuals X - C D
  const refreshResidual = (i: number) => {
    for (let t = 0; t < dim; t++) R[i * dim + t] = signals[i * dim + t];
    codes[i].support.forEach((j, s) => { for (let t = 0; t < dim; t++) R[i * dim + t] -= codes[i].coef[s] * D[j * dim + t]; });
  };
  for (let i = 0; i < n; i++) refreshResidual(i);
  const mse = () => R.reduce((s, v) => s + v * v, 0) / (n * dim);
  const errors = [mse()];
  for (let it = 1; it <= options.iterations; it++) {
    // 1. Sparse coding.
    const fresh = omp(signals, D, dim, options.sparsity);
    codes = codes.map((old, i) => {
      const oldErr = dot(R, i * dim, R, i * dim, dim);
      return fresh[i].residual < oldErr ? fresh[i] : old;
    });
    for (let i = 0; i < n; i++) refreshResidual(i);
    // 2. Dictionary update, atom by atom.
    for (let j = 0; j < K; j++) {
      const users: { i: number; s: number }[] = [];
      codes.forEach((c, i) => { const s = c.support.indexOf(j); if (s >= 0) users.push({ i, s }); });
      if (users.length === 0) {
        let worst = 0;
        let worstErr = -1;
        for (let i = 0; i < n; i++) { const e = dot(R, i * dim, R, i * dim, dim); if (e > worstErr) { worstErr = e; worst = i; } }
        const norm = Math.sqrt(dot(signals, worst * dim, signals, worst * dim, dim)) || 1;
        for (let t = 0; t < dim; t++) D[j * dim + t] = signals[worst * dim + t] / norm;
        continue;
      }
      // E = residual with atom j's contribution added back, for the signals that use it.
      const E = new Float64Array(users.length * dim);
      users.forEach(({ i, s }, r) => {
        const c = codes[i].coef[s];
        for (let t = 0; t < dim; t++) E[r * dim + t] = R[i * dim + t] + c * D[j * dim + t];
      });
      const u = D.slice(j * dim, (j + 1) * dim);
      const v = new Float64Array(users.length);
      for (let sweep = 0; sweep < 5; sweep++) {
        dotRows(E, u, v, dim);
        u.fill(0);
        addRows(E, v, u, dim);
        const norm = Math.sqrt(dot(u, 0, u, 0, dim));
        if (norm < 1e-12) { u.set(D.subarray(j * dim, (j + 1) * dim)); break; }
        for (let t = 0; t < dim; t++) u[t] /= norm;
      }
      dotRows(E, u, v, dim);
      D.set(u, j * dim);
      users.forEach(({ i, s }, r) => {
        codes[i].coef[s] = v[r];
        for (let t = 0; t < dim; t++) R[i * dim + t] = E[r * dim + t] - v[r] * u[t];
      });
    }
    errors.push(mse());
    options.onIteration?.(it, errors[errors.length - 1]);
  }
  codes.forEach((c, i) => { c.residual = dot(R, i * dim, R, i * dim, dim); });
  return { dictionary: D, codes, errors };
}
