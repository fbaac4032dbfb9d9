/**
 * Data with planted features, to ask whether an SAE finds the features that are really there.
 * Each sample is x = sum_i c_i f_i + noise, with n true features f_i (unit-norm rows of a [n, d]
 * matrix, Gaussian directions normalised: nearly orthogonal when n is small next to d, never
 * exactly) and coefficients c_i that are 0 unless feature i fires. How they fire:
 *
 * - **Probabilities, Zipfian.** p_i = min(1, s / (i + 1)^zipfExponent), with the one scale s that
 *   makes sum_i p_i = l0: the mean number of features that fire per sample (the true L0) is l0.
 *   Feature 0 fires most often.
 * - **Magnitudes.** A feature that fires has c_i = 1 + magnitudeStd * |z|, z standard normal: always
 *   >= 1, mean 1 + magnitudeStd * sqrt(2 / pi). magnitudeStd = 0 makes every magnitude 1.
 * - **Correlation, a shared-latent Gaussian copula.** With correlation rho > 0, each sample draws one
 *   shared s and, per root feature (one without a parent), g_i = sqrt(rho) s + sqrt(1 - rho) e_i
 *   (s, e_i standard normal, so g_i is standard normal and any two have correlation rho); feature i
 *   fires when g_i < Phi^-1(p_i). Its firing rate stays p_i exactly; features fire together more
 *   often than independent ones would. rho = 0: independent Bernoulli(p_i) draws.
 * - **Hierarchy.** A pair [parent, child] (parent < child, so the parent fires at least as often)
 *   makes the child fire only when its parent fires, then with probability p_child / p_parent,
 *   independently of everything else: its firing rate stays p_child and the true L0 stays l0.
 *   Pairs chain into trees (a child may be the parent of another); a child has one parent.
 * - **Noise.** Gaussian noise of standard deviation noiseStd on every value of x, from its own
 *   stream of random numbers: changing noiseStd changes nothing else.
 *
 * The same options and seeds give the same arrays, bit for bit. Samples: planted-sample.ts.
 */
import { Checks, checkConfig, finiteAtLeast, integerAtLeast, anInteger, showValue } from '../core/checks';
import { Rng } from '../runtime/random';
import { standardNormal } from './gaussian';

export interface PlantedConfig {
  /** how many true features */
  n: number;
  /** the width of a sample: values per row of x (an SAE's inputDim) */
  d: number;
  /** the true L0: the mean number of features that fire per sample, in (0, n] */
  l0: number;
  /** p_i is proportional to 1 / (i + 1)^zipfExponent before the scaling to l0; 0 makes them all equal */
  zipfExponent: number;
  /** a feature that fires has magnitude 1 + magnitudeStd * |z|, z standard normal */
  magnitudeStd: number;
  /** rho in [0, 1]: the copula's correlation between the latent Gaussians of any two root features */
  correlation: number;
  /** [parent, child] pairs of feature indices, parent < child, no child twice */
  hierarchy: readonly (readonly [number, number])[];
  /** the standard deviation of the Gaussian noise added to every value of x */
  noiseStd: number;
  /** the seed of the feature directions (a sample's default seed is seed + 1) */
  seed: number;
}

export type PlantedOptions = Partial<PlantedConfig>;

export const DEFAULT_PLANTED: Readonly<PlantedConfig> = Object.freeze({
  n: 64, d: 32, l0: 3, zipfExponent: 1, magnitudeStd: 0.5, correlation: 0, hierarchy: [], noiseStd: 0, seed: 0,
});

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** [parent, child] pairs with 0 <= parent < child < n, each child once; the message names the first bad pair. */
function hierarchyCheck(v: unknown, config: PlantedConfig): string | null {
  const expected = `an array of [parent, child] pairs of feature indices in [0, n - 1 = ${config.n - 1}], parent < child, no child twice`;
  if (!Array.isArray(v)) return expected;
  const children = new Set<number>();
  for (let k = 0; k < v.length; k++) {
    const pair: unknown = v[k];
    const ok = Array.isArray(pair) && pair.length === 2 && pair.every((i) => isInt(i) && i >= 0 && i < config.n) &&
      pair[0] < pair[1] && !children.has(pair[1]);
    if (!ok) return `${expected} (hierarchy[${k}] = ${showValue(pair)} is not)`;
    children.add(pair[1]);
  }
  return null;
}

const PLANTED_CHECKS: Checks<PlantedConfig> = {
  n: integerAtLeast(1),
  d: integerAtLeast(1),
  l0: (v, c) => (typeof v === 'number' && v > 0 && v <= c.n ? null : `a finite number in (0, n = ${c.n}]`),
  zipfExponent: finiteAtLeast(0),
  magnitudeStd: finiteAtLeast(0),
  correlation: (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? null : 'a number in [0, 1]'),
  hierarchy: hierarchyCheck,
  noiseStd: finiteAtLeast(0),
  seed: anInteger,
};

/** `options` merged into DEFAULT_PLANTED and checked: errors name the field, the value and what is allowed. */
export function makePlantedConfig(options: PlantedOptions = {}): PlantedConfig {
  return checkConfig('PlantedOptions', PLANTED_CHECKS, DEFAULT_PLANTED, options);
}

/**
 * p_i = min(1, s / (i + 1)^exponent) for i < n, with s chosen so that sum_i p_i = l0 (0 < l0 <= n):
 * the largest weights are clipped at 1 one by one, and s spreads what is left over the rest.
 */
export function zipfProbabilities(n: number, exponent: number, l0: number): Float64Array {
  const w = Float64Array.from({ length: n }, (_, i) => (i + 1) ** -exponent);
  const tail = new Float64Array(n + 1); // tail[k] = sum of w[i] for i >= k
  for (let i = n - 1; i >= 0; i--) tail[i] = tail[i + 1] + w[i];
  const p = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // features 0..k-1 are clipped at 1; the rest share l0 - k in proportion to their weights
    const scale = (l0 - k) / tail[k];
    if (scale * w[k] <= 1) {
      for (let i = 0; i < n; i++) p[i] = i < k ? 1 : Math.min(1, scale * w[i]);
      return p;
    }
  }
  return p.fill(1);
}

/**
 * What scoring an SAE against a ground truth reads (score.ts, sweep.ts, plantedDataset): the true
 * features, their count n and width d, the parent/child pairs, and a name for how the data was
 * made. A PlantedModel is one; toy-truth.ts makes another from notebook 15's toy model.
 */
export interface FeatureTruth {
  readonly config: Pick<PlantedConfig, 'n' | 'd' | 'hierarchy'>;
  /** the true features: unit-norm rows, [n, d] */
  readonly features: Float32Array;
  /** how the data was made, as a Dataset's source names it ("planted(n=64, d=32, ...)") */
  readonly source: string;
}

/** The fixed part of a planted data set: features, firing probabilities and the hierarchy. */
export interface PlantedModel extends FeatureTruth {
  readonly config: PlantedConfig;
  /** p_i, each feature's firing probability (its marginal rate), [n] */
  readonly probabilities: Float64Array;
  /** parent[i]: feature i's parent, -1 for a root, [n] */
  readonly parent: Int32Array;
}

/** Draws the n unit-norm feature directions (row i: d standard normals over their norm) from Rng(config.seed). */
function drawFeatures(config: PlantedConfig): Float32Array {
  const { n, d } = config;
  const rng = new Rng(config.seed);
  const features = new Float32Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    while (norm === 0) {
      let squares = 0;
      for (let t = 0; t < d; t++) {
        z[t] = standardNormal(rng);
        squares += z[t] * z[t];
      }
      norm = Math.sqrt(squares);
    }
    for (let t = 0; t < d; t++) features[i * d + t] = z[t] / norm;
  }
  return features;
}

/** The features, probabilities and hierarchy of `options` (checked here, where they enter). */
export function plantedModel(options: PlantedOptions = {}): PlantedModel {
  const config = makePlantedConfig(options);
  const parent = new Int32Array(config.n).fill(-1);
  for (const [p, c] of config.hierarchy) parent[c] = p;
  const probabilities = zipfProbabilities(config.n, config.zipfExponent, config.l0);
  const { n, d, l0, zipfExponent, magnitudeStd, correlation, hierarchy, noiseStd, seed } = config;
  const source = `planted(n=${n}, d=${d}, l0=${l0}, zipfExponent=${zipfExponent}, magnitudeStd=${magnitudeStd}, ` +
    `correlation=${correlation}, hierarchy=${hierarchy.length} pairs, noiseStd=${noiseStd}, seed=${seed})`;
  return { config, features: drawFeatures(config), source, probabilities, parent };
}
