/**
 * The lasso over a fixed dictionary, solved by proximal gradient: ISTA and FISTA (Beck & Teboulle,
 * "A fast iterative shrinkage-thresholding algorithm", 2009). For one signal x [dim] and atoms D
 * (rows, [count, dim]) the problem is
 *
 *   min_c 1/2 |x - D^T c|^2 + lambda |c|_1        (optionally with c >= 0)
 *
 * whose gradient part is D (D^T c - x) = G c - alpha with G = D D^T and alpha = D x: FISTA works
 * from G and alpha alone (omp.ts `gram` gives G), so its cost per iteration does not grow with dim.
 * Equal-L0 codes (lambda chosen per signal) are in lasso-l0.ts.
 */
import { asMatrix, dot } from '../data/matrix';

/** The proximal map of t |v|: sign(v) max(|v| - t, 0). t >= 0. */
export function softThreshold(v: number, t: number): number {
  if (v > t) return v - t;
  if (v < -t) return v + t;
  return 0;
}

/** Throws, naming the value, unless lambda >= 0 is finite. */
function checkLambda(lambda: number, where: string): void {
  if (!(Number.isFinite(lambda) && lambda >= 0)) throw new Error(`${where}: lambda = ${lambda} is invalid: expected a finite number >= 0`);
}

/**
 * One ISTA step for the lasso: c <- soft(c - step * D (D^T c - x), step * lambda), entrywise.
 * code [count], atoms [count, dim] (rows), signal [dim]; a new Float64Array [count] comes back
 * (the inputs are not changed). It decreases the objective when 0 < step <= 1 / L, L the largest
 * eigenvalue of D D^T.
 */
export function istaStep(code: Float64Array | Float32Array, atoms: Float64Array | Float32Array,
  signal: Float64Array | Float32Array, dim: number, lambda: number, step: number): Float64Array {
  const count = asMatrix(atoms, dim, 'istaStep: the atoms').rows;
  if (code.length !== count) throw new Error(`istaStep: the code holds ${code.length} values; expected one per atom (count = ${count})`);
  if (signal.length !== dim) throw new Error(`istaStep: the signal holds ${signal.length} values; expected dim = ${dim}`);
  checkLambda(lambda, 'istaStep');
  if (!(Number.isFinite(step) && step > 0)) throw new Error(`istaStep: step = ${step} is invalid: expected a finite number > 0`);
  // r = D^T c - x, then the gradient D r, one atom at a time.
  const r = new Float64Array(dim);
  for (let t = 0; t < dim; t++) r[t] = -signal[t];
  for (let j = 0; j < count; j++) {
    const cj = code[j];
    if (cj === 0) continue;
    for (let t = 0; t < dim; t++) r[t] += cj * atoms[j * dim + t];
  }
  const out = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    let g = 0;
    for (let t = 0; t < dim; t++) g += atoms[j * dim + t] * r[t];
    out[j] = softThreshold(code[j] - step * g, step * lambda);
  }
  return out;
}

/** The lasso objective 1/2 |x - D^T c|^2 + lambda |c|_1 of `code` [count] (atoms [count, dim], signal [dim]). */
export function lassoObjective(code: ArrayLike<number>, atoms: ArrayLike<number>, signal: ArrayLike<number>, dim: number, lambda: number): number {
  const count = asMatrix(atoms, dim, 'lassoObjective: the atoms').rows;
  if (code.length !== count || signal.length !== dim) {
    throw new Error(`lassoObjective: a code of ${code.length} values and a signal of ${signal.length}; expected count = ${count} and dim = ${dim}`);
  }
  let fit = 0;
  for (let t = 0; t < dim; t++) {
    let v = -signal[t];
    for (let j = 0; j < count; j++) v += code[j] * atoms[j * dim + t];
    fit += v * v;
  }
  let l1 = 0;
  for (let j = 0; j < count; j++) l1 += Math.abs(code[j]);
  return 0.5 * fit + lambda * l1;
}

/**
 * The largest eigenvalue of a symmetric positive semi-definite g [count, count] by power iteration
 * from a fixed start (1, 2, ..., count, normalised: not orthogonal to the top eigenvector of any G
 * met in practice, and the same every run), until the Rayleigh quotient changes by under 1e-12
 * relative or after `iterations`. It approaches the eigenvalue from below.
 */
export function largestEigenvalue(g: Float64Array, count: number, iterations = 1000): number {
  if (!Number.isInteger(count) || count < 1 || g.length !== count * count) {
    throw new Error(`largestEigenvalue: g holds ${g.length} values; expected count x count = ${count} x ${count}`);
  }
  let v = Float64Array.from({ length: count }, (_, i) => i + 1);
  let w = new Float64Array(count);
  let norm = Math.sqrt(dot(v, 0, v, 0, count));
  for (let i = 0; i < count; i++) v[i] /= norm;
  let rayleigh = 0;
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < count; i++) w[i] = dot(g, i * count, v, 0, count);
    const next = dot(v, 0, w, 0, count);
    norm = Math.sqrt(dot(w, 0, w, 0, count));
    if (norm === 0) return 0;
    for (let i = 0; i < count; i++) w[i] /= norm;
    [v, w] = [w, v];
    const settled = Math.abs(next - rayleigh) <= 1e-12 * next;
    rayleigh = next;
    if (settled) break;
  }
  return rayleigh;
}

/** How FISTA runs. */
export interface FistaOptions {
  /** the most iterations (500 by default) */
  maxIterations?: number;
  /** stop once no coefficient moves by more than tolerance * max(|c|, 1e-12) in an iteration (1e-7 by default) */
  tolerance?: number;
  /** keep c >= 0 (the prox becomes max(v - t, 0)); false by default */
  nonNegative?: boolean;
  /** L, the largest eigenvalue of G (the step is 1 / L); worked out by largestEigenvalue when absent */
  lipschitz?: number;
  /** the code to start from (a warm start), [count]; zeros when absent. Not changed. */
  start?: Float64Array;
  /** restart the momentum when it points uphill (O'Donoghue & Candes' gradient test); true by default */
  restart?: boolean;
}

/** A FISTA solution. */
export interface FistaResult {
  /** the code, [count]: exact zeros off its support (it is a prox output) */
  code: Float64Array;
  /** iterations run */
  iterations: number;
}

/**
 * FISTA for one signal from G = D D^T [count, count] and alpha = D x [count]: the minimiser of
 * 1/2 c^T G c - alpha^T c + lambda |c|_1 (the lasso less the constant 1/2 |x|^2), with step 1/L.
 * The momentum point y is sparse when the codes are, so G y is summed over y's non-zeros only.
 */
export function fistaFromGram(g: Float64Array, alpha: Float64Array, count: number, lambda: number, options: FistaOptions = {}): FistaResult {
  if (g.length !== count * count) throw new Error(`fistaFromGram: g holds ${g.length} values; expected count x count = ${count} x ${count}`);
  if (alpha.length !== count) throw new Error(`fistaFromGram: alpha holds ${alpha.length} values; expected count = ${count}`);
  checkLambda(lambda, 'fistaFromGram');
  const maxIterations = options.maxIterations ?? 500;
  const tolerance = options.tolerance ?? 1e-7;
  const nonNegative = options.nonNegative ?? false;
  const restart = options.restart ?? true;
  const lipschitz = options.lipschitz ?? largestEigenvalue(g, count);
  if (!(lipschitz >= 0 && Number.isFinite(lipschitz))) throw new Error(`fistaFromGram: lipschitz = ${lipschitz} is invalid: expected a finite number >= 0`);
  let c = options.start ? Float64Array.from(options.start) : new Float64Array(count);
  if (c.length !== count) throw new Error(`fistaFromGram: the start code holds ${c.length} values; expected count = ${count}`);
  if (lipschitz === 0) return { code: c.fill(0), iterations: 0 }; // G = 0: every atom is zero
  const step = 1 / lipschitz;
  const shrink = step * lambda;
  let next = new Float64Array(count);
  const y = Float64Array.from(c);
  const grad = new Float64Array(count);
  const nz = new Int32Array(count);
  let t = 1;
  let it = 0;
  while (it < maxIterations) {
    it += 1;
    let nnz = 0;
    for (let j = 0; j < count; j++) if (y[j] !== 0) nz[nnz++] = j;
    for (let j = 0; j < count; j++) grad[j] = -alpha[j];
    // G is symmetric: add y_q times row q, contiguous.
    for (let a = 0; a < nnz; a++) {
      const q = nz[a];
      const yq = y[q];
      const o = q * count;
      for (let j = 0; j < count; j++) grad[j] += yq * g[o + j];
    }
    let moved = 0;
    let largest = 0;
    let uphill = 0;
    for (let j = 0; j < count; j++) {
      const v = y[j] - step * grad[j];
      const cj = nonNegative ? (v > shrink ? v - shrink : 0) : softThreshold(v, shrink);
      next[j] = cj;
      moved = Math.max(moved, Math.abs(cj - c[j]));
      largest = Math.max(largest, Math.abs(cj));
      uphill += (y[j] - cj) * (cj - c[j]);
    }
    let tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    if (restart && uphill > 0) tNext = 1; // the last move went against the prox-gradient: drop the momentum
    const beta = tNext === 1 ? 0 : (t - 1) / tNext;
    for (let j = 0; j < count; j++) y[j] = next[j] + beta * (next[j] - c[j]);
    [c, next] = [next, c];
    t = tNext;
    if (moved <= tolerance * Math.max(largest, 1e-12)) break;
  }
  return { code: c, iterations: it };
}

/**
 * ISTA from a zero code: `iterations` calls of istaStep with step 1/L (L from the atoms' Gram
 * matrix unless `step` is given). atoms [count, dim], signal [dim]; the code [count] comes back.
 */
export function ista(atoms: Float64Array | Float32Array, signal: Float64Array | Float32Array, dim: number, lambda: number,
  iterations: number, step?: number): Float64Array {
  const m = asMatrix(atoms, dim, 'ista: the atoms');
  if (!Number.isInteger(iterations) || iterations < 0) throw new Error(`ista: iterations = ${iterations} is invalid: expected an integer >= 0`);
  const h = step ?? 1 / largestEigenvalue(gramOf(atoms, m.rows, dim), m.rows);
  let code = new Float64Array(m.rows);
  for (let i = 0; i < iterations; i++) code = istaStep(code, atoms, signal, dim, lambda, h);
  return code;
}

/**
 * FISTA codes of every row of `signals` [n, dim] over `atoms` [count, dim] at one lambda: [n, count]
 * row-major. G and L are worked out once for all signals.
 */
export function fista(signals: Float64Array | Float32Array, atoms: Float64Array | Float32Array, dim: number, lambda: number,
  options: FistaOptions = {}): Float64Array {
  const count = asMatrix(atoms, dim, 'fista: the atoms').rows;
  const n = asMatrix(signals, dim, 'fista: the signals', 0).rows;
  const g = gramOf(atoms, count, dim);
  const lipschitz = options.lipschitz ?? largestEigenvalue(g, count);
  const out = new Float64Array(n * count);
  const alpha = new Float64Array(count);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < count; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) s += atoms[j * dim + t] * signals[i * dim + t];
      alpha[j] = s;
    }
    out.set(fistaFromGram(g, alpha, count, lambda, { ...options, lipschitz }).code, i * count);
  }
  return out;
}

/** G = D D^T [count, count] of float32 or float64 atoms, summed in float64. */
export function gramOf(atoms: Float64Array | Float32Array, count: number, dim: number): Float64Array {
  const g = new Float64Array(count * count);
  for (let i = 0; i < count; i++) {
    for (let j = i; j < count; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) s += atoms[i * dim + t] * atoms[j * dim + t];
      g[i * count + j] = s;
      g[j * count + i] = s;
    }
  }
  return g;
}
