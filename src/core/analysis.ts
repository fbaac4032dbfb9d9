/**
 * Part 4: how sparse are the codes? Everything here works on plain activation matrices
 * ([samples, latentDim], row-major) so it can be checked by hand; `analyzeSparsity` gets
 * that matrix from a model.
 */
import { Dataset } from '../data/mnist';
import { asMatrix, columnMeans, rowMeans } from '../data/matrix';
import { encodeAll } from './evaluate';
import type { SparseAutoencoder } from './sae';

export interface SparsityOptions {
  /** a unit counts as active when its activation is strictly above this (0.1 in the lesson) */
  threshold?: number;
  /** a unit active on fewer than this fraction of samples is inactive ("dead"); 0.01 in the lesson */
  inactiveBelow?: number;
}

export interface SparsityReport {
  threshold: number;
  inactiveBelow: number;
  samples: number;
  latentDim: number;
  /** per sample: the fraction of units active on it */
  populationPerSample: Float64Array;
  /** mean of populationPerSample: the lesson's "population sparsity" */
  populationSparsity: number;
  /** per unit: the fraction of samples that activate it (the lesson's "lifetime sparsity") */
  lifetimePerUnit: Float64Array;
  /** mean of lifetimePerUnit */
  meanLifetime: number;
  /** units whose lifetime sparsity is below inactiveBelow */
  inactiveUnits: number[];
}

function checkOptions(options: SparsityOptions): { threshold: number; inactiveBelow: number } {
  const threshold = options.threshold ?? 0.1;
  const inactiveBelow = options.inactiveBelow ?? 0.01;
  if (!Number.isFinite(threshold)) throw new Error(`threshold must be a finite number, got ${threshold}`);
  if (!(inactiveBelow >= 0 && inactiveBelow <= 1)) throw new Error(`inactiveBelow must be in [0, 1], got ${inactiveBelow}`);
  return { threshold, inactiveBelow };
}

/** The lesson's sparsity measures of an activation matrix. */
export function sparsityReport(activations: ArrayLike<number>, latentDim: number, options: SparsityOptions = {}): SparsityReport {
  const { threshold, inactiveBelow } = checkOptions(options);
  const m = asMatrix(activations, latentDim, 'activations');
  const samples = m.rows;
  const active = (v: number) => (v > threshold ? 1 : 0);
  const populationPerSample = rowMeans(m, active);
  const lifetimePerUnit = columnMeans(m, active);
  const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
  const inactiveUnits: number[] = [];
  lifetimePerUnit.forEach((v, j) => { if (v < inactiveBelow) inactiveUnits.push(j); });
  return {
    threshold, inactiveBelow, samples, latentDim,
    populationPerSample, populationSparsity: mean(populationPerSample),
    lifetimePerUnit, meanLifetime: mean(lifetimePerUnit), inactiveUnits,
  };
}

export interface AnalyzeOptions extends SparsityOptions {
  /** how many images of `data` to encode (1000 in the lesson) */
  numSamples?: number;
}

/** Encodes the first numSamples images and measures the codes; returns the report and the codes. */
export function analyzeSparsity(model: SparseAutoencoder, data: Dataset, options: AnalyzeOptions = {}): SparsityReport & { activations: Float32Array } {
  const numSamples = Math.min(options.numSamples ?? 1000, data.count);
  if (!Number.isInteger(numSamples) || numSamples < 1) throw new Error(`numSamples must be a positive integer, got ${options.numSamples}`);
  const activations = encodeAll(model, data, numSamples);
  return { ...sparsityReport(activations, model.latentDim, options), activations };
}

/** The lesson's three summary lines. */
export function formatSparsity(r: SparsityReport): string[] {
  return [
    `Population sparsity: ${r.populationSparsity.toFixed(4)}`,
    `Lifetime sparsity (mean): ${r.meanLifetime.toFixed(4)}`,
    `Inactive neurons (<${Math.round(r.inactiveBelow * 100)}%): ${r.inactiveUnits.length}/${r.latentDim}`,
  ];
}

/**
 * The knee of a trade-off curve: the point farthest from the straight line through its two
 * ends, with both axes first scaled to [0, 1]. Returns its index (0 for fewer than 3 points).
 */
export function kneeIndex(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = xs.length;
  if (n !== ys.length) throw new Error(`kneeIndex: ${n} x values but ${ys.length} y values`);
  if (n < 3) return 0;
  const scale = (v: ArrayLike<number>) => {
    const lo = Math.min(...Array.from(v));
    const hi = Math.max(...Array.from(v));
    return Array.from(v, (a) => (hi > lo ? (a - lo) / (hi - lo) : 0));
  };
  const x = scale(xs);
  const y = scale(ys);
  const dx = x[n - 1] - x[0];
  const dy = y[n - 1] - y[0];
  const len = Math.hypot(dx, dy) || 1;
  let best = 0;
  let bestDist = -1;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(dy * (x[i] - x[0]) - dx * (y[i] - y[0])) / len;
    if (d > bestDist) { bestDist = d; best = i; }
  }
  return best;
}

/** Pearson correlation of two equally long lists (NaN when either is constant). */
export function correlation(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = xs.length;
  if (n !== ys.length) throw new Error(`correlation: ${n} x values but ${ys.length} y values`);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) { mx += xs[i] / n; my += ys[i] / n; }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks 0..n-1 (ties share their average rank). */
function ranks(v: ArrayLike<number>): number[] {
  const order = Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a] - v[b]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && v[order[j + 1]] === v[order[i]]) j++;
    for (let k = i; k <= j; k++) r[order[k]] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation: Pearson correlation of the ranks. */
export function rankCorrelation(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  return correlation(ranks(xs), ranks(ys));
}
