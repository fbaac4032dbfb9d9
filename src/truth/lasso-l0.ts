/**
 * Lasso codes at a set L0: for each signal, the lambda at which FISTA's code (ista.ts) has k
 * non-zeros, found by bisection, and the same support refitted by least squares (debiased). This
 * is how the amortisation gap (amortisation.ts) puts the lasso at the L0 of a TopK encoder, which
 * gives every sample its own k: one lambda for all signals would match only the mean L0.
 */
import { choleskySolve } from '../exercises/omp';
import { fistaFromGram, FistaOptions } from './ista';

/** A lasso code with k (or, where the path skips k, fewer) non-zeros. */
export interface LassoAtL0 {
  /** the FISTA code at `lambda`, [count] */
  code: Float64Array;
  /** the same support, coefficients refitted by least squares (non-negative ones when the lasso was), [count] */
  refit: Float64Array;
  /** the lambda chosen */
  lambda: number;
  /** FISTA iterations over every solve of the bisection */
  iterations: number;
}

/**
 * How the bisection runs, and FISTA's options for each solve (start is the bisection's own; the
 * tolerance is 1e-6 here by default, as the bisection reads supports, not last digits: 1e-7 gives
 * the same FVU to four digits on notebook 16's sizes, 20% slower).
 */
export interface LassoL0Options extends Omit<FistaOptions, 'start'> {
  /** stop once the bracket [lo, hi] has hi / lo <= 1 + relativeGap (0.01 by default) */
  relativeGap?: number;
  /** the most bisection steps (40 by default) */
  maxSteps?: number;
}

const nonZeros = (c: Float64Array) => { let k = 0; for (const v of c) if (v !== 0) k += 1; return k; };

/**
 * The lasso code of one signal with at most k non-zeros at the smallest lambda bisection finds,
 * from G = D D^T [count, count] and alpha = D x [count] (lipschitz: G's largest eigenvalue).
 *
 * Above lambda_max = max_j alpha_j (max_j |alpha_j| when signed) the code is 0, and the support
 * mostly grows as lambda falls. So: halve lambda from lambda_max until the code has more than k
 * non-zeros, then bisect (geometrically) between the last lambda with at most k (hi) and the
 * first with more (lo), each solve warm-started from hi's code, until hi / lo <= 1 + relativeGap.
 * hi's code is the answer: the least shrinkage at L0 <= k. Where two atoms enter at once (or one
 * leaves) no lambda gives exactly k and the code has fewer; the caller reports the L0 achieved.
 */
export function lassoAtL0(g: Float64Array, alpha: Float64Array, count: number, k: number, lipschitz: number,
  options: LassoL0Options = {}): LassoAtL0 {
  if (!Number.isInteger(k) || k < 1 || k > count) throw new Error(`lassoAtL0: k = ${k} is invalid: expected an integer in [1, ${count}]`);
  const relativeGap = options.relativeGap ?? 0.01;
  const maxSteps = options.maxSteps ?? 40;
  if (!(relativeGap > 0)) throw new Error(`lassoAtL0: relativeGap = ${relativeGap} is invalid: expected a number > 0`);
  const nonNegative = options.nonNegative ?? false;
  const fistaOptions = { ...options, tolerance: options.tolerance ?? 1e-6 };
  let lambdaMax = 0;
  for (let j = 0; j < count; j++) lambdaMax = Math.max(lambdaMax, nonNegative ? alpha[j] : Math.abs(alpha[j]));
  let hi = lambdaMax;
  let best = new Float64Array(count);
  let iterations = 0;
  if (lambdaMax > 0) {
    const solve = (lambda: number) => {
      const r = screenedFista(g, alpha, count, lambda, best, hi, lipschitz, fistaOptions);
      iterations += r.iterations;
      return r.code;
    };
    let lo = -1;
    // Halving: lambda_max * 2^-40 is far below any breakpoint of a signal that is not k-sparse.
    for (let s = 0; s < maxSteps && lo < 0; s++) {
      const lambda = hi / 2;
      const code = solve(lambda);
      if (nonZeros(code) > k) lo = lambda;
      else { hi = lambda; best = code; }
    }
    for (let s = 0; s < maxSteps && lo > 0 && hi / lo > 1 + relativeGap; s++) {
      const lambda = Math.sqrt(lo * hi);
      const code = solve(lambda);
      if (nonZeros(code) > k) lo = lambda;
      else { hi = lambda; best = code; }
    }
  }
  return { code: best, refit: refitSupport(g, alpha, count, best, nonNegative, fistaOptions), lambda: hi, iterations };
}

/**
 * FISTA at `lambda` warm-started from `start`, the code at `lambdaStart` > lambda, on a working set
 * of atoms: those of start's support and those the strong rule (Tibshirani et al., 2012) keeps,
 * |alpha_j - (G start)_j| >= 2 lambda - lambdaStart. Atoms left out are checked against the
 * optimality condition (|alpha_j - (G c)_j| <= lambda, one-sided when non-negative) and any that
 * fail join the set for another solve, so the answer is FISTA's on all atoms; only the work
 * shrinks, to the set's size squared per iteration, with the set's own smaller Lipschitz bound.
 */
function screenedFista(g: Float64Array, alpha: Float64Array, count: number, lambda: number, start: Float64Array,
  lambdaStart: number, lipschitz: number, options: LassoL0Options): { code: Float64Array; iterations: number } {
  const nonNegative = options.nonNegative ?? false;
  const slack = (code: Float64Array) => {
    const rho = Float64Array.from(alpha);
    for (let q = 0; q < count; q++) {
      const v = code[q];
      if (v === 0) continue;
      for (let j = 0; j < count; j++) rho[j] -= v * g[q * count + j];
    }
    return nonNegative ? rho : rho.map(Math.abs);
  };
  const inSet = new Uint8Array(count);
  let rho = slack(start);
  for (let j = 0; j < count; j++) if (start[j] !== 0 || rho[j] >= 2 * lambda - lambdaStart) inSet[j] = 1;
  const code = new Float64Array(count);
  let iterations = 0;
  for (;;) {
    const set: number[] = [];
    for (let j = 0; j < count; j++) if (inSet[j]) set.push(j);
    const s = set.length;
    const sub = new Float64Array(s * s);
    let rowSum = 0; // Gershgorin: the largest absolute row sum bounds the set's largest eigenvalue
    for (let a = 0; a < s; a++) {
      let r = 0;
      for (let b = 0; b < s; b++) { sub[a * s + b] = g[set[a] * count + set[b]]; r += Math.abs(sub[a * s + b]); }
      rowSum = Math.max(rowSum, r);
    }
    const r = fistaFromGram(sub, Float64Array.from(set, (j) => alpha[j]), s, lambda, { ...options,
      lipschitz: Math.min(lipschitz, rowSum), start: Float64Array.from(set, (j) => start[j]) });
    iterations += r.iterations;
    code.fill(0);
    set.forEach((j, a) => { code[j] = r.code[a]; });
    rho = slack(code);
    let added = 0;
    for (let j = 0; j < count; j++) if (!inSet[j] && rho[j] > lambda * (1 + 1e-9)) { inSet[j] = 1; added += 1; }
    if (added === 0) return { code, iterations };
  }
}

/**
 * The least-squares coefficients of `code`'s support S: G_SS c_S = alpha_S, 0 off S; [count].
 * With nonNegative, a refit with a negative coefficient is redone as non-negative least squares
 * (FISTA at lambda 0 on S, from the lasso code), which may zero some of S. A singular G_SS
 * (dependent atoms) keeps the lasso code.
 */
export function refitSupport(g: Float64Array, alpha: Float64Array, count: number, code: Float64Array, nonNegative: boolean,
  options: Omit<FistaOptions, 'start' | 'lipschitz' | 'nonNegative'> = {}): Float64Array {
  const support: number[] = [];
  for (let j = 0; j < count; j++) if (code[j] !== 0) support.push(j);
  const s = support.length;
  const out = new Float64Array(count);
  if (s === 0) return out;
  const sub = new Float64Array(s * s);
  for (let a = 0; a < s; a++) for (let b = 0; b < s; b++) sub[a * s + b] = g[support[a] * count + support[b]];
  const rhs = support.map((j) => alpha[j]);
  const solved = choleskySolve(sub, rhs, s);
  if (solved === null) return Float64Array.from(code);
  if (nonNegative && solved.some((v) => v < 0)) {
    const start = Float64Array.from(support, (j) => code[j]);
    const nnls = fistaFromGram(sub, Float64Array.from(rhs), s, 0, { ...options, nonNegative: true, start,
      maxIterations: Math.max(options.maxIterations ?? 500, 2000) });
    support.forEach((j, a) => { out[j] = nnls.code[a]; });
    return out;
  }
  support.forEach((j, a) => { out[j] = solved[a]; });
  return out;
}
