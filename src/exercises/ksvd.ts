/**
 * The advanced challenge: classic sparse coding to compare with the autoencoder. K-SVD learns the
 * dictionary, alternating OMP codes (omp.ts) and rank-one atom updates. Signals and atoms are rows
 * of row-major Float64Arrays ([n, dim]); atoms have unit norm.
 */
import { Rng } from '../runtime/random';
import { asMatrix, dot, dotRows } from '../data/matrix';
import { SparseCode, omp } from './omp';

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

/** K atoms: the first K non-zero signals in a random order, scaled to unit norm. */
function initialAtoms(signals: Float64Array, dim: number, n: number, K: number, rng: Rng): Float64Array {
  const D = new Float64Array(K * dim);
  const pick = rng.permutation(n);
  for (let j = 0, i = 0; j < K && i < n; i++) {
    const norm = Math.sqrt(dot(signals, pick[i] * dim, signals, pick[i] * dim, dim));
    if (norm < 1e-9) continue;
    for (let t = 0; t < dim; t++) D[j * dim + t] = signals[pick[i] * dim + t] / norm;
    j++;
  }
  return D;
}

/** Atom j, used by no code, becomes the signal worst reconstructed now (largest residual), at unit norm. */
function replaceUnusedAtom(j: number, signals: Float64Array, D: Float64Array, R: Float64Array, dim: number, n: number): void {
  let worst = 0;
  let worstErr = -1;
  for (let i = 0; i < n; i++) { const e = dot(R, i * dim, R, i * dim, dim); if (e > worstErr) { worstErr = e; worst = i; } }
  const norm = Math.sqrt(dot(signals, worst * dim, signals, worst * dim, dim)) || 1;
  for (let t = 0; t < dim; t++) D[j * dim + t] = signals[worst * dim + t] / norm;
}

/**
 * K-SVD's rank-one update of atom j and of its users' coefficients (five power iterations on the
 * residual with the atom's contribution added back), keeping the residuals R = X - C D current.
 */
function updateAtom(j: number, users: { i: number; s: number }[], codes: SparseCode[], D: Float64Array, R: Float64Array, dim: number): void {
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
  const D = initialAtoms(signals, dim, n, K, new Rng(options.seed ?? 0));
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
      if (users.length === 0) replaceUnusedAtom(j, signals, D, R, dim, n);
      else updateAtom(j, users, codes, D, R, dim);
    }
    errors.push(mse());
    options.onIteration?.(it, errors[errors.length - 1]);
  }
  codes.forEach((c, i) => { c.residual = dot(R, i * dim, R, i * dim, dim); });
  return { dictionary: D, codes, errors };
}
