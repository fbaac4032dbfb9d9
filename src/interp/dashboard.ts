/**
 * Notebook 13's feature dashboards: what a dictionary-SAE feature responds to and what it does to
 * the classifier it was trained inside.
 */
import * as tf from '../runtime/tf';
import { valuesOf } from '../runtime/values';
import { Dataset } from '../data/mnist';
import type { Decoder } from '../core/evaluate';
import { MlpClassifier } from './mlp';
import { histogram, Histogram } from '../data/histogram';

/** Indices of the `count` rows with the largest value in column `unit` of codes [n, width]. */
export function topActivating(codes: ArrayLike<number>, width: number, unit: number, count: number): number[] {
  const n = codes.length / width;
  return Array.from({ length: n }, (_, i) => i)
    .filter((i) => codes[i * width + unit] > 0)
    .sort((a, b) => codes[b * width + unit] - codes[a * width + unit])
    .slice(0, count);
}

export interface FeatureDashboard {
  unit: number;
  /** images (indices into the data set) that drive the feature hardest */
  top: number[];
  /** fraction of images on which it fires */
  density: number;
  /** distribution of its non-zero activations */
  activations: Histogram;
  /** mean activation per class */
  classProfile: number[];
  /**
   * Mean change of each class logit when the feature is removed from the reconstruction
   * (logits(decode(f)) - logits(decode(f with f_j = 0)); for a linear decoder that is
   * logits(x_hat) - logits(x_hat - f_j d_j)), over the images where it fires.
   */
  logitEffect: number[];
}

/**
 * Builds the dashboard of feature `unit` from the codes [n, latentDim] that `sae` gives the MLP's
 * hidden activations `acts`. Any model with a decoder fits (a dictionary SAE of any activation,
 * a lesson autoencoder trained on the activations).
 */
export function featureDashboard(sae: Decoder, mlp: MlpClassifier, acts: Dataset, codes: Float32Array, unit: number, topCount = 12): FeatureDashboard {
  const latentDim = sae.config.latentDim;
  if (sae.config.inputDim !== mlp.hiddenDim) {
    throw new Error(`the SAE's config.inputDim is ${sae.config.inputDim}, but the MLP's hidden layer has ${mlp.hiddenDim} units: ` +
      'train the SAE on this MLP\'s activations');
  }
  if (codes.length !== acts.count * latentDim) {
    throw new Error(`codes hold ${codes.length} values; expected acts.count x latentDim = ${acts.count} x ${latentDim} = ${acts.count * latentDim}`);
  }
  if (!(Number.isInteger(unit) && unit >= 0 && unit < latentDim)) {
    throw new Error(`unit ${unit} is not a latent unit; expected an integer in [0, ${latentDim - 1}]`);
  }
  const n = acts.count;
  const firing: number[] = [];
  const values: number[] = [];
  const profile = new Array(mlp.classes).fill(0);
  const perClass = new Array(mlp.classes).fill(0);
  for (let i = 0; i < n; i++) {
    const v = codes[i * latentDim + unit];
    profile[acts.labels[i]] += v;
    perClass[acts.labels[i]] += 1;
    if (v > 0) { firing.push(i); values.push(v); }
  }
  const logitEffect = new Array(mlp.classes).fill(0);
  if (firing.length > 0) {
    const effect = valuesOf(() => {
      const c = tf.tensor2d(Float32Array.from(firing.flatMap((i) => Array.from(codes.subarray(i * latentDim, (i + 1) * latentDim)))), [firing.length, latentDim]);
      const xHat = sae.decode(c);
      // Zeroing the feature's code (rather than subtracting f_j d_j) needs no decoder matrix, so
      // a non-linear decoder works too.
      const keep = new Float32Array(latentDim).fill(1);
      keep[unit] = 0;
      const without = sae.decode(tf.mul(c, tf.tensor2d(keep, [1, latentDim])) as tf.Tensor2D);
      return tf.mean(tf.sub(mlp.logitsFromHidden(xHat), mlp.logitsFromHidden(without)), 0);
    });
    effect.forEach((v, c) => { logitEffect[c] = v; });
  }
  return {
    unit,
    top: topActivating(codes, latentDim, unit, topCount),
    density: firing.length / n,
    activations: histogram(values.length ? values : [0], 30),
    classProfile: profile.map((s, c) => (perClass[c] ? s / perClass[c] : 0)),
    logitEffect,
  };
}
