/**
 * Exercise 5: reconstruction from ever sparser codes. Keep only a unit's k largest activations,
 * decode, and measure how the reconstruction error grows as k shrinks.
 */
import * as tf from '../runtime/tf';
import type { SparseAutoencoder } from '../core/sae';
import { asMatrix } from '../data/matrix';

/** Copy of `codes` ([n, latentDim]) with all but the k largest (by magnitude) entries of each row zeroed. */
export function keepTopK(codes: Float32Array, latentDim: number, k: number): Float32Array {
  if (!Number.isInteger(k) || k < 0 || k > latentDim) throw new Error(`k must be an integer in [0, ${latentDim}], got ${k}`);
  const n = asMatrix(codes, latentDim, 'the codes', 0).rows;
  const out = new Float32Array(codes.length);
  const order = new Array<number>(latentDim);
  for (let r = 0; r < n; r++) {
    const row = codes.subarray(r * latentDim, (r + 1) * latentDim);
    for (let j = 0; j < latentDim; j++) order[j] = j;
    // Ties broken by unit index, so the result does not depend on the sort's stability.
    order.sort((a, b) => Math.abs(row[b]) - Math.abs(row[a]) || a - b);
    for (let i = 0; i < k; i++) out[r * latentDim + order[i]] = row[order[i]];
  }
  return out;
}

/** Mean squared error between `images` and the decoded `codes` (both row-major, n rows). */
export function decodeMse(model: SparseAutoencoder, codes: Float32Array, images: Float32Array): number {
  const n = asMatrix(codes, model.latentDim, 'the codes', 0).rows;
  return tf.tidy(() => {
    const x = tf.tensor2d(images, [n, model.config.inputDim]);
    const y = model.decode(tf.tensor2d(codes, [n, model.latentDim]));
    return tf.mean(tf.squaredDifference(x, y)).arraySync() as number;
  });
}

export interface SparseCodePoint {
  /** units kept per image */
  k: number;
  /** mean squared reconstruction error over the images */
  mse: number;
  /** (mse(0) - mse(k)) / (mse(0) - mse(all)): 0 at the empty code, 1 at the full code */
  quality: number;
}

/**
 * MSE against the number of units kept, for each k in `ks` (0 and the full code are always added).
 * `codes` are the images' latent codes [n, latentDim].
 */
export function sparseCodeCurve(model: SparseAutoencoder, codes: Float32Array, images: Float32Array, ks: number[]): SparseCodePoint[] {
  const latentDim = model.latentDim;
  const all = Array.from(new Set([0, ...ks, latentDim])).sort((a, b) => a - b);
  const mses = all.map((k) => decodeMse(model, keepTopK(codes, latentDim, k), images));
  const empty = mses[0];
  const full = mses[mses.length - 1];
  return all.map((k, i) => ({ k, mse: mses[i], quality: empty === full ? 1 : (empty - mses[i]) / (empty - full) }));
}

/** The smallest k whose quality reaches `fraction` (0.9: "90% of the full-code quality"). */
export function unitsForQuality(curve: SparseCodePoint[], fraction = 0.9): number {
  const hit = curve.find((p) => p.quality >= fraction);
  return hit ? hit.k : curve[curve.length - 1].k;
}

/** For each unit, how much the MSE rises when that unit alone is zeroed in every code. */
export function unitImportance(model: SparseAutoencoder, codes: Float32Array, images: Float32Array): Float64Array {
  const latentDim = model.latentDim;
  const base = decodeMse(model, codes, images);
  const out = new Float64Array(latentDim);
  const ablated = new Float32Array(codes);
  for (let j = 0; j < latentDim; j++) {
    for (let r = j; r < codes.length; r += latentDim) ablated[r] = 0;
    out[j] = decodeMse(model, ablated, images) - base;
    for (let r = j; r < codes.length; r += latentDim) ablated[r] = codes[r];
  }
  return out;
}
