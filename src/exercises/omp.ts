/**
 * The advanced challenge's sparse coding: OMP (orthogonal matching pursuit), the best k-atom code
 * of a signal, greedily, over a fixed dictionary (ksvd.ts learns one). Signals and atoms are rows
 * of row-major Float64Arrays ([n, dim]); atoms have unit norm.
 */
import { asMatrix, dot } from '../data/matrix';

export interface SparseCode {
  /** atom indices, in the order OMP picked them */
  support: number[];
  /** coefficient of each support atom */
  coef: number[];
  /** squared norm of the residual x - D^T c */
  residual: number;
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
