/**
 * Reading superposition off a trained toy model, per instance, from its W [m, n] (hiddenDim rows,
 * inputDim cols; column i, W_i, is feature i's direction in the hidden space), in float64. With
 * the unit column W^_i = W_i / max(||W_i||, 1e-12) (a zero column gives zeros, not NaN):
 *
 *   norm_i          ||W_i||: about 1 when feature i is represented, about 0 when it is dropped
 *   interference_i  sum_{j != i} (W^_i . W_j)^2: how much of the other features leaks into i's
 *                   direction; 0 when i has a dimension of its own (the paper's "superposition")
 *   D_i             ||W_i||^2 / sum_j (W^_i . W_j)^2: the share of a hidden dimension feature i
 *                   holds (1: its own dimension, 1/2: an antipodal pair, 2/5: a pentagon, 0: dropped)
 *   D*              m / ||W||_F^2: the paper's dimensions per feature (1 / features per dimension)
 *
 * All of them come from the Gram matrix G = W^T W [n, n], G_ij = W_i . W_j.
 */
import { Matrix, matrixOf } from '../data/matrix';
import { probabilitiesOf } from './config';
import { sampleFeatures } from './data';
import { ToyModel } from './model';
import { Rng } from '../runtime/random';

/**
 * A feature counts as represented when ||W_i|| > 0.5: trained features sit near 1 (or above it,
 * up to ~1.2 in superposition, where the bias takes interference off) and dropped ones near 0.
 */
export const REPRESENTED_NORM = 0.5;

/** Every instance's W as a [hiddenDim, inputDim] matrix (values copied out of the model). */
export function instanceWeights(model: ToyModel): Matrix<Float32Array>[] {
  const { instances, hiddenDim: m, inputDim: n } = model.config;
  const all = new Float32Array(model.W.dataSync());
  return Array.from({ length: instances }, (_, k) => matrixOf(all.subarray(k * m * n, (k + 1) * m * n), m, n, `W[${k}]`));
}

/** G = W^T W: [n, n], G_ij = W_i . W_j, for W [m, n]. */
export function gramMatrix(w: Matrix): Matrix<Float64Array> {
  const { data, rows: m, cols: n } = w;
  const g = new Float64Array(n * n);
  for (let r = 0; r < m; r++) {
    const o = r * n;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j] += data[o + i] * data[o + j];
  }
  return matrixOf(g, n, n, 'W^T W');
}

/** ||W_i|| for every column i of W [m, n]: [n]. */
export function featureNorms(w: Matrix): Float64Array {
  const g = gramMatrix(w);
  return Float64Array.from({ length: g.cols }, (_, i) => Math.sqrt(g.data[i * g.cols + i]));
}

/** (sum_{j != i} G_ij^2, sum_j G_ij^2) / max(G_ii, 1e-24): the squared projections on W^_i, without and with j = i. */
function projections(g: Matrix<Float64Array>, i: number): { others: number; all: number } {
  const n = g.cols;
  const gii = g.data[i * n + i];
  let others = 0;
  for (let j = 0; j < n; j++) if (j !== i) others += g.data[i * n + j] ** 2;
  const scale = Math.max(gii, 1e-24);
  return { others: others / scale, all: (others + gii * gii) / scale };
}

/** interference_i = sum_{j != i} (W^_i . W_j)^2 for every feature: [n]. */
export function interference(w: Matrix): Float64Array {
  const g = gramMatrix(w);
  return Float64Array.from({ length: g.cols }, (_, i) => projections(g, i).others);
}

/** D_i = ||W_i||^2 / sum_j (W^_i . W_j)^2 for every feature (0 for a zero column): [n]. */
export function featureDimensionality(w: Matrix): Float64Array {
  const g = gramMatrix(w);
  return Float64Array.from({ length: g.cols }, (_, i) => {
    const { all } = projections(g, i);
    return all > 0 ? g.data[i * g.cols + i] / all : 0;
  });
}

/** D* = m / ||W||_F^2, the paper's dimensions per feature (Infinity for W = 0). */
export function dimensionsPerFeature(w: Matrix): number {
  let frobenius = 0;
  for (let t = 0; t < w.data.length; t++) frobenius += w.data[t] ** 2;
  return w.rows / frobenius;
}

/** How many features have ||W_i|| > threshold (REPRESENTED_NORM = 0.5). */
export function representedFeatures(w: Matrix, threshold = REPRESENTED_NORM): number {
  return featureNorms(w).filter((v) => v > threshold).length;
}

/** One instance's numbers, for a table or a plot. */
export interface SuperpositionSummary {
  featureProbability: number;
  /** [n] each */
  norms: Float64Array;
  interference: Float64Array;
  dimensionality: Float64Array;
  /** D* = m / ||W||_F^2 */
  dimensionsPerFeature: number;
  /** features with norm > REPRESENTED_NORM */
  represented: number;
}

/** Every instance's summary, in instance order. */
export function superpositionSummaries(model: ToyModel): SuperpositionSummary[] {
  const p = probabilitiesOf(model.config);
  return instanceWeights(model).map((w, k) => ({
    featureProbability: p[k],
    norms: featureNorms(w),
    interference: interference(w),
    dimensionality: featureDimensionality(w),
    dimensionsPerFeature: dimensionsPerFeature(w),
    represented: representedFeatures(w),
  }));
}

/** Fresh samples of one instance's data and what its hidden layer makes of them. */
export interface ToyActivations {
  /** the true features x: [count, n] */
  features: Matrix<Float32Array>;
  /** h = W x: [count, m] */
  hidden: Matrix<Float32Array>;
  /** the true feature directions in the hidden space, W's columns as rows: [n, m] */
  directions: Matrix<Float32Array>;
}

/**
 * `count` fresh samples x of instance `instance`'s data (its feature probability, drawn from
 * Rng(seed), not the training streams) with h = W x: the data, and the answer (the directions),
 * for an SAE that should recover the toy model's features from its hidden layer.
 */
export function toyActivations(model: ToyModel, instance: number, count: number, seed: number): ToyActivations {
  const { instances, hiddenDim: m, inputDim: n } = model.config;
  if (!Number.isInteger(instance) || instance < 0 || instance >= instances) {
    throw new Error(`instance = ${instance} is invalid: expected an integer in [0, ${instances - 1}]`);
  }
  if (!Number.isInteger(count) || count < 1) throw new Error(`count = ${count} is invalid: expected an integer >= 1`);
  const w = instanceWeights(model)[instance].data;
  const x = new Float32Array(count * n);
  sampleFeatures(new Rng(seed), probabilitiesOf(model.config)[instance], count, n, x);
  const h = new Float32Array(count * m);
  for (let s = 0; s < count; s++) {
    for (let r = 0; r < m; r++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += w[r * n + i] * x[s * n + i];
      h[s * m + r] = sum;
    }
  }
  const directions = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let r = 0; r < m; r++) directions[i * m + r] = w[r * n + i];
  return { features: matrixOf(x, count, n, 'features'), hidden: matrixOf(h, count, m, 'hidden'), directions: matrixOf(directions, n, m, 'directions') };
}
