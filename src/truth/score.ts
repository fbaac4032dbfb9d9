/**
 * One row of notebook 16's table: a trained dictionary SAE scored against the planted truth of the
 * samples it is shown (fresh samples, not its training set). Every number comes from the recovery
 * functions of this folder; this file only reads the SAE's decoder rows and codes and gathers them.
 */
import * as tf from '../runtime/tf';
import { floatsOf } from '../runtime/values';
import { DictSae, evaluateDictSae } from '../interp/dictsae';
import type { FeatureTruth } from './planted';
import { plantedDataset, PlantedSample } from './planted-sample';
import { mcc, uniqueness } from './recovery';
import { codeDensity, firingScores, shrinkage } from './recovery-codes';
import { absorption } from './absorption';

/** How well one SAE recovered the planted features, on one sample set. */
export interface RecoveryScores {
  /** mean latents firing per sample, and the truth's (features firing per sample) */
  l0: number;
  trueL0: number;
  fvu: number;
  /** mean |cos| of the one-to-one matched (Hungarian) latent of each true feature */
  mcc: number;
  /** true features whose matched latent's |cos| is above 0.9 (a fraction) */
  found: number;
  /** firing of each true feature's matched latent: means over the features */
  precision: number;
  recall: number;
  f1: number;
  /** the least-squares slope of a matched latent's magnitude along its feature against the true one, mean */
  shrinkage: number;
  /** latents that never fire on the sample (a fraction) */
  dead: number;
  /** true features that are the best match (|cos| above UNIQUE_COS) of exactly one latent (a fraction) */
  unique: number;
  /** mean latents per true feature that has at least one */
  latentsPerCovered: number;
  /** over the hierarchy's pairs: how often the child fires but only the parent's latent does; NaN without pairs */
  absorption: number;
}

/** The share of matched |cos| values above this counts a true feature as found. */
export const FOUND_COS = 0.9;

/** A latent counts toward a true feature's uniqueness only when its best |cos| is above this (a dead latent's random row does not). */
export const UNIQUE_COS = 0.5;

/**
 * Scores `sae` on `sample` of `planted`, any FeatureTruth (a planted model, the toy model's truth); codes at or
 * below the activation's firing threshold count as silent.
 */
export function scoreSae(sae: DictSae, planted: FeatureTruth, sample: PlantedSample): RecoveryScores {
  const data = plantedDataset(planted, sample);
  const d = planted.config.d;
  const decoderRows = floatsOf(() => tf.clone(sae.decoderMatrix()));
  const codes = floatsOf(() => sae.encode(tf.tensor2d(data.images, [data.count, d])));
  const recovery = { decoderRows, codes, features: planted.features, coefficients: sample.coefficients, d,
    threshold: sae.rule.firingThreshold };
  const match = mcc(decoderRows, planted.features, d);
  const firing = firingScores(recovery, match.latentOf);
  const density = codeDensity(recovery);
  const unique = uniqueness(decoderRows, planted.features, d, UNIQUE_COS);
  const pairs = planted.config.hierarchy;
  return {
    l0: density.l0, trueL0: density.trueL0, fvu: evaluateDictSae(sae, data).fvu,
    mcc: match.mcc, found: Array.from(match.matchedCos).filter((c) => c > FOUND_COS).length / match.matchedCos.length,
    precision: firing.meanPrecision, recall: firing.meanRecall, f1: firing.meanF1,
    shrinkage: shrinkage(recovery, match.latentOf).mean, dead: density.deadFraction,
    unique: unique.uniqueFraction, latentsPerCovered: unique.latentsPerCovered,
    absorption: pairs.length ? absorption(recovery, pairs, match.latentOf).meanRate : NaN,
  };
}
