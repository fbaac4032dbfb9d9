/**
 * Recovery scores on the codes: does each latent fire where its matched true feature fires
 * (precision, recall, F1), does it carry the feature's full magnitude (shrinkage), which latents
 * never fire and how many fire per sample (against the true L0). Absorption is in absorption.ts.
 * The matching is `mcc`'s (recovery.ts) unless one is given.
 *
 * A latent fires where its code is > threshold (0 unless given); a true feature fires where its
 * coefficient is > 0.
 */
import { checkedData, matchingFor, meanDefined, RecoveryData } from './recovery-data';

export type { RecoveryData } from './recovery-data';

export interface FiringScores {
  /** per true feature i, against its matched latent: TP / (TP + FP), [n] */
  precision: Float64Array;
  /** TP / (TP + FN), [n] */
  recall: Float64Array;
  /** 2 TP / (2 TP + FP + FN), [n] */
  f1: Float64Array;
  /** the means over the features where each is defined */
  meanPrecision: number;
  meanRecall: number;
  meanF1: number;
}

/**
 * For each matched pair (true feature i, latent j = latentOf[i]), counted over the samples: TP
 * both fire, FP the latent fires alone, FN the feature fires alone. An entry with a zero
 * denominator is NaN (a latent that never fires has no precision; a feature that never fires, no
 * recall) and so is every entry of an unmatched feature; the means leave NaN out.
 */
export function firingScores(data: RecoveryData, latentOf?: Int32Array): FiringScores {
  const { codes, coefficients, threshold } = checkedData(data);
  const match = matchingFor(data, latentOf);
  const n = coefficients.cols;
  const [precision, recall, f1] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)].map((a) => a.fill(NaN));
  for (let i = 0; i < n; i++) {
    const j = match[i];
    if (j < 0) continue;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let s = 0; s < codes.rows; s++) {
      const latent = codes.data[s * codes.cols + j] > threshold;
      const feature = coefficients.data[s * n + i] > 0;
      if (latent && feature) tp += 1;
      else if (latent) fp += 1;
      else if (feature) fn += 1;
    }
    precision[i] = tp + fp > 0 ? tp / (tp + fp) : NaN;
    recall[i] = tp + fn > 0 ? tp / (tp + fn) : NaN;
    f1[i] = tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : NaN;
  }
  return { precision, recall, f1, meanPrecision: meanDefined(precision), meanRecall: meanDefined(recall), meanF1: meanDefined(f1) };
}

export interface Shrinkage {
  /** per true feature, the least-squares slope of the reconstructed against the true magnitude, [n] */
  slope: Float64Array;
  /** the mean slope over the features where it is defined */
  mean: number;
}

/**
 * How much of a true feature's magnitude its matched latent carries. For true feature i (a unit
 * row f_i) and latent j = latentOf[i] (decoder row w_j), the magnitude the latent reconstructs
 * along f_i in sample s is r_s = code_sj (w_j . f_i); over the samples where feature i fires
 * (c_s = its coefficient > 0), the slope is the least-squares fit through 0 of r on c,
 * sum r_s c_s / sum c_s^2. 1: full magnitude; below 1: shrunk (as an L1 penalty does); negative:
 * the row points against the feature. NaN for an unmatched feature or one that never fires.
 */
export function shrinkage(data: RecoveryData, latentOf?: Int32Array): Shrinkage {
  const { decoder, truth, codes, coefficients } = checkedData(data);
  const match = matchingFor(data, latentOf);
  const n = truth.rows;
  const d = truth.cols;
  const slope = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const j = match[i];
    if (j < 0) continue;
    let along = 0;
    for (let t = 0; t < d; t++) along += decoder.data[j * d + t] * truth.data[i * d + t];
    let rc = 0;
    let cc = 0;
    for (let s = 0; s < codes.rows; s++) {
      const c = coefficients.data[s * n + i];
      if (!(c > 0)) continue;
      rc += codes.data[s * codes.cols + j] * along * c;
      cc += c * c;
    }
    if (cc > 0) slope[i] = rc / cc;
  }
  return { slope, mean: meanDefined(slope) };
}

export interface CodeDensity {
  /** per latent, the fraction of samples where it fires, [latents] */
  firingRates: Float64Array;
  /** the latents that never fire on these samples */
  dead: number[];
  deadFraction: number;
  /** the codes' mean number of firing latents per sample */
  l0: number;
  /** the truth's mean number of firing features per sample */
  trueL0: number;
}

/** Dead latents and the codes' L0 against the true L0, on these samples. */
export function codeDensity(data: RecoveryData): CodeDensity {
  const { codes, coefficients, threshold } = checkedData(data);
  const firingRates = new Float64Array(codes.cols);
  for (let k = 0; k < codes.data.length; k++) if (codes.data[k] > threshold) firingRates[k % codes.cols] += 1;
  let trueFiring = 0;
  for (let k = 0; k < coefficients.data.length; k++) if (coefficients.data[k] > 0) trueFiring += 1;
  const l0 = firingRates.reduce((s, v) => s + v, 0) / codes.rows;
  for (let j = 0; j < codes.cols; j++) firingRates[j] /= codes.rows;
  const dead = Array.from(firingRates.keys()).filter((j) => firingRates[j] === 0);
  return { firingRates, dead, deadFraction: dead.length / codes.cols, l0, trueL0: trueFiring / codes.rows };
}
