/**
 * "Robustness to noise: sparse codes are more stable" (the lesson's Why Sparsity?, point 3), as
 * two numbers per noise level sigma, with Gaussian noise N(0, sigma^2) added to every pixel (not
 * clipped, so the inputs leave [0, 1]):
 *
 * - **noisy MSE**: mean over images and pixels of (decode(encode(x + noise)) - x)^2, the error
 *   against the CLEAN image. At sigma 0 it is reconstructionMse. A model that copied its input
 *   would score inputMse = mean(noise^2), about sigma^2; below that, the model removes noise.
 * - **code shift**: E||h(x + noise) - h(x)||^2 / E||h(x) - mean h||^2, how far noise moves a code,
 *   in units of how far codes of different images lie apart (0: not at all; 1: as far as a
 *   typical other image). Dividing by the spread makes sigmoid and ReLU codes comparable.
 *
 * Every model sees the same noise for a given seed (one stream, image by image, scaled by sigma),
 * so differences between models are not differences of luck. Neither number covers other
 * corruptions (blur, occlusion, shifts) or noise chosen to hurt (adversarial).
 */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { Dataset, batches } from '../data/mnist';
import type { Decoder, Encoder } from '../core/evaluate';

/** `count` draws from N(0, 1) (Box-Muller on the kit's seeded Rng), continuing `rng`'s stream. */
export function gaussianNoise(count: number, rng: Rng): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const a = 2 * Math.PI * rng.next();
    out[i] = r * Math.cos(a);
    if (i + 1 < count) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

export interface NoisePoint {
  /** the noise's standard deviation, in pixel units (pixels are in [0, 1]) */
  sigma: number;
  /** reconstruction of the noisy image against the clean one */
  mse: number;
  /** the noisy input against the clean one: what copying the input would score */
  inputMse: number;
  /** E||h(x + noise) - h(x)||^2 / E||h(x) - mean h||^2 */
  codeShift: number;
}

export interface NoiseOptions {
  /** fixes the noise (0) */
  seed?: number;
  /** images per batch (1000, as reconstructionMse) */
  batchSize?: number;
}

function checkSigma(sigma: number): void {
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw new Error(`sigma = ${sigma} is invalid: expected a finite number >= 0`);
}

/**
 * The noisy MSE, input MSE and code shift of `model` on all of `data` at noise level `sigma`.
 * At sigma 0 the inputs are the images themselves, batched as reconstructionMse batches them,
 * so `mse` is reconstructionMse(model, data) and codeShift is 0.
 */
export function noisePoint(model: Encoder & Decoder, data: Dataset, sigma: number, options: NoiseOptions = {}): NoisePoint {
  checkSigma(sigma);
  const rng = new Rng(options.seed ?? 0);
  const latentDim = model.config.latentDim;
  let se = 0;
  let inputSe = 0;
  let shift = 0;
  let squares = 0;
  const codeSum = new Float64Array(latentDim);
  for (const b of batches(data, { batchSize: options.batchSize ?? 1000 })) {
    const z = gaussianNoise(b.size * data.dim, rng);
    // The tidy returns tensors, read after it: tidy would walk a returned array of values
    // element by element (runtime/values.ts).
    const kept = tf.tidy(() => {
      const x = tf.tensor2d(b.images, [b.size, data.dim]);
      const noisy = tf.add(x, tf.mul(sigma, tf.tensor2d(z, [b.size, data.dim]))) as tf.Tensor2D;
      const hNoisy = model.encode(noisy);
      const h = model.encode(x);
      return [tf.sum(tf.squaredDifference(x, model.decode(hNoisy))), tf.sum(tf.squaredDifference(x, noisy)),
        tf.sum(tf.squaredDifference(h, hNoisy)), h];
    });
    const [s, inS, sh] = kept.slice(0, 3).map((t) => t.dataSync()[0]);
    const clean = kept[3].dataSync() as Float32Array;
    tf.dispose(kept);
    se += s;
    inputSe += inS;
    shift += sh;
    for (let i = 0; i < clean.length; i++) {
      squares += clean[i] * clean[i];
      codeSum[i % latentDim] += clean[i];
    }
  }
  const n = data.count;
  const spread = squares - codeSum.reduce((a, v) => a + v * v, 0) / n;
  return {
    sigma,
    mse: se / (n * data.dim),
    inputMse: inputSe / (n * data.dim),
    codeShift: spread > 0 ? shift / spread : NaN,
  };
}

/** noisePoint at each sigma, with the same noise (seed) scaled by each. */
export function noiseCurve(model: Encoder & Decoder, data: Dataset, sigmas: readonly number[], options: NoiseOptions = {}): NoisePoint[] {
  sigmas.forEach(checkSigma);
  return sigmas.map((sigma) => noisePoint(model, data, sigma, options));
}
