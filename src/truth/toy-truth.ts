/**
 * Notebook 15's toy model as ground truth for an SAE (notebook 16). The data is one instance's
 * hidden layer,
 *
 *   h = W x = sum_i x_i W_i = sum_i (x_i ||W_i||) W^_i,      W^_i = W_i / ||W_i||,
 *
 * so its true features are the unit directions W^_i and a sample's coefficients are
 * c_i = x_i ||W_i|| (h = sum_i c_i f_i exactly, as a planted sample is sum_i c_i f_i). Only the
 * represented features (||W_i|| > REPRESENTED_NORM) are part of the truth: the toy model has all
 * but dropped the others, and what little of them reaches h (x_i W_i with a short W_i) stays in
 * h, as noise would, where no SAE could tell it apart; `leak` measures how much of h it is.
 * Each feature is present with the instance's probability p, independently, then uniform in
 * [0, 1): no parent/child pairs. The result goes to plantedDataset, scoreSae and trainPlanted.
 */
import { probabilitiesOf } from '../toy/config';
import { featureNorms, instanceWeights, REPRESENTED_NORM, toyActivations } from '../toy/analysis';
import type { ToyModel } from '../toy/model';
import type { FeatureTruth } from './planted';
import type { PlantedSample } from './planted-sample';

/** One toy instance's represented features as a FeatureTruth: n = how many, d = the hidden width m. */
export interface ToyTruth extends FeatureTruth {
  /** the instance of the toy model */
  readonly instance: number;
  /** p: the probability that any one feature is present */
  readonly featureProbability: number;
  /** the toy model's feature count (its inputDim), represented or not */
  readonly toyFeatures: number;
  /** toyFeature[i]: which toy feature true feature i is (the represented ones in index order), [n] */
  readonly toyFeature: Int32Array;
  /** ||W_i|| of every toy feature, [toyFeatures] */
  readonly norms: Float64Array;
  /** the norm a represented feature is above */
  readonly threshold: number;
}

/** The truth and a sample of it, with how much of h the truth leaves out. */
export interface ToyTruthData {
  readonly truth: ToyTruth;
  /** x = h [count, m]; coefficients = x_i ||W_i|| of the represented features [count, n] */
  readonly sample: PlantedSample;
  /**
   * sum over the samples of ||h - sum_i c_i f_i||^2 over sum of ||h||^2: the share of h's squared
   * norm that the dropped features put there (0 when every feature is represented)
   */
  readonly leak: number;
}

/** The indices of `norms` above `threshold`; throws when there are none (nothing to recover). */
function representedOf(norms: Float64Array, threshold: number, instance: number): Int32Array {
  const kept = Int32Array.from(Array.from(norms.keys()).filter((i) => norms[i] > threshold));
  if (kept.length === 0) {
    throw new Error(`toyTruth: no feature of instance ${instance} has ||W_i|| above ${threshold} ` +
      `(the largest is ${Math.max(...norms).toFixed(3)}), so there is no truth to recover`);
  }
  return kept;
}

/**
 * `count` fresh samples of instance `instance` of a trained toy model (toyActivations, from
 * Rng(seed)) as a planted sample of its represented features; `threshold` decides which features
 * are represented (REPRESENTED_NORM, notebook 15's "kept").
 */
export function toyTruth(model: ToyModel, instance: number, count: number, seed: number,
  threshold = REPRESENTED_NORM): ToyTruthData {
  const acts = toyActivations(model, instance, count, seed);
  const { inputDim: toyFeatures, hiddenDim: m } = model.config;
  const norms = featureNorms(instanceWeights(model)[instance]);
  const kept = representedOf(norms, threshold, instance);
  const n = kept.length;
  const features = new Float32Array(n * m);
  kept.forEach((k, i) => {
    for (let t = 0; t < m; t++) features[i * m + t] = acts.directions.data[k * m + t] / norms[k];
  });
  const x = acts.features.data;
  const coefficients = new Float32Array(count * n);
  let [left, total] = [0, 0];
  for (let s = 0; s < count; s++) {
    kept.forEach((k, i) => { coefficients[s * n + i] = x[s * toyFeatures + k] * norms[k]; });
    for (let t = 0; t < m; t++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += coefficients[s * n + i] * features[i * m + t];
      const h = acts.hidden.data[s * m + t];
      left += (h - sum) ** 2;
      total += h * h;
    }
  }
  const p = probabilitiesOf(model.config)[instance];
  const source = `toy(instance ${instance}, p=${p.toPrecision(3)}, ${n} of ${toyFeatures} features with ` +
    `||W_i|| > ${threshold}, in m=${m} hidden dimensions, seed=${model.config.seed})`;
  const truth: ToyTruth = { config: { n, d: m, hierarchy: [] }, features, source, instance, featureProbability: p,
    toyFeatures, toyFeature: kept, norms, threshold };
  return { truth, sample: { x: acts.hidden.data, coefficients, count, seed }, leak: total > 0 ? left / total : 0 };
}
