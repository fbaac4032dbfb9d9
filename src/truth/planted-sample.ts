/**
 * Samples of a planted model (planted.ts holds the model and the definitions): x, the true
 * coefficients, and x as a Dataset the kit's trainers take.
 */
import type { Dataset } from '../data/mnist';
import { datasetFromMatrix } from '../data/matrix';
import { Rng } from '../runtime/random';
import { normalQuantile, standardNormal } from './gaussian';
import type { FeatureTruth, PlantedModel } from './planted';

/** count samples of a planted model. */
export interface PlantedSample {
  /** the samples, sum_i c_i f_i + noise (the toy model's truth: + what its dropped features leak): [count, d] */
  readonly x: Float32Array;
  /** the true coefficients c_i, 0 where feature i does not fire: [count, n] */
  readonly coefficients: Float32Array;
  readonly count: number;
  /** the seed the sample was drawn with */
  readonly seed: number;
}

/** Mixed into the seed for the noise's own stream of random numbers. */
const NOISE_STREAM = 0x2545f491;

/** How each feature decides to fire, worked out once per sample set. */
interface FiringLaw {
  /** p_i: a root's firing probability */
  p: Float64Array;
  /** Phi^-1(p_i): a root's copula threshold (used when rho > 0) */
  threshold: Float64Array;
  /** p_child / p_parent: a child's probability of firing when its parent fires */
  conditional: Float64Array;
  parent: Int32Array;
  rho: number;
}

function firingLaw(model: PlantedModel): FiringLaw {
  const { probabilities: p, parent } = model;
  const rho = model.config.correlation;
  const threshold = Float64Array.from(p, (pi, i) => (rho > 0 && parent[i] < 0 ? normalQuantile(pi) : 0));
  const conditional = Float64Array.from(p, (pi, i) => (parent[i] >= 0 ? Math.min(1, pi / p[parent[i]]) : 0));
  return { p, threshold, conditional, parent, rho };
}

/**
 * Which features fire in one sample, into `fired` (1 or 0), in index order so that a parent is
 * decided before its child. A child whose parent is silent takes no draw.
 */
function drawFirings(law: FiringLaw, rng: Rng, fired: Uint8Array): void {
  const { p, parent, rho } = law;
  const shared = rho > 0 ? standardNormal(rng) : 0;
  const a = Math.sqrt(rho);
  const b = Math.sqrt(1 - rho);
  for (let i = 0; i < fired.length; i++) {
    const q = parent[i];
    if (q >= 0) fired[i] = fired[q] === 1 && rng.next() < law.conditional[i] ? 1 : 0;
    else if (rho > 0) fired[i] = a * shared + b * standardNormal(rng) < law.threshold[i] ? 1 : 0;
    else fired[i] = rng.next() < p[i] ? 1 : 0;
  }
}

/**
 * `count` samples of `model`, drawn from Rng(seed) (firings, then the magnitudes of the features
 * that fired, sample by sample) and, for the noise, from a second stream fixed by the same seed.
 * Each x row is summed in float64 from the float32 coefficients and features, then rounded.
 */
export function samplePlanted(model: PlantedModel, count: number, seed: number = model.config.seed + 1): PlantedSample {
  if (!Number.isInteger(count) || count < 1) throw new Error(`samplePlanted: count = ${count} is invalid: expected an integer >= 1`);
  if (!Number.isInteger(seed)) throw new Error(`samplePlanted: seed = ${seed} is invalid: expected an integer`);
  const { n, d, magnitudeStd, noiseStd } = model.config;
  const { features } = model;
  const law = firingLaw(model);
  const rng = new Rng(seed);
  const noiseRng = new Rng(seed ^ NOISE_STREAM);
  const x = new Float32Array(count * d);
  const coefficients = new Float32Array(count * n);
  const fired = new Uint8Array(n);
  const row = new Float64Array(d);
  for (let s = 0; s < count; s++) {
    drawFirings(law, rng, fired);
    row.fill(0);
    for (let i = 0; i < n; i++) {
      if (fired[i] === 0) continue;
      const c = Math.fround(magnitudeStd > 0 ? 1 + magnitudeStd * Math.abs(standardNormal(rng)) : 1);
      coefficients[s * n + i] = c;
      for (let t = 0; t < d; t++) row[t] += c * features[i * d + t];
    }
    for (let t = 0; t < d; t++) x[s * d + t] = noiseStd > 0 ? row[t] + noiseStd * standardNormal(noiseRng) : row[t];
  }
  return { x, coefficients, count, seed };
}

/**
 * The sample's x as the kit's Dataset (rows = 1, cols = dim = d, every label 0), checked by
 * `datasetFromMatrix`; x is shared, not copied. Its source names the truth and the sample. Any
 * FeatureTruth will do: a planted model, or the toy model's (toy-truth.ts).
 */
export function plantedDataset(model: FeatureTruth, sample: PlantedSample): Dataset {
  const c = model.config;
  const source = `${model.source}; sample seed=${sample.seed}, count=${sample.count}`;
  if (sample.x.length !== sample.count * c.d) {
    throw new Error(`plantedDataset: the sample's x holds ${sample.x.length} values, but count x d = ${sample.count} x ${c.d} = ${sample.count * c.d}`);
  }
  return datasetFromMatrix(sample.x, new Uint8Array(sample.count), c.d, source);
}
