/**
 * Exercises 1-3 ask whether a model's features are "more interpretable" or "better". Two numbers
 * stand in for the eye, both computed per live unit from what the notebooks draw:
 *
 * - **stroke locality**: how few pixels hold most of what switching unit j on changes in the
 *   decoded image, |decode(e_j) - decode(0)|. A pen stroke changes a few dozen pixels; a whole
 *   blurred digit, or a faint change spread over the image, hundreds.
 * - **class selectivity**: Exercise 4's contrast index of the unit's mean code per digit (0: every
 *   digit drives it equally, 1: only one does).
 *
 * Neither says whether a picture means something to a person: a blob of noise in one corner is
 * "local", and a stroke shared by many digits (a part, which is what one hopes for) is not selective.
 */
import type { Dataset } from '../data/mnist';
import { median } from '../data/stats';
import { decodeCodes, decodeUnits, encodeAll, Decoder, Encoder } from '../core/evaluate';
import { sparsityReport } from '../core/analysis';
import { classMeans, selectivity } from './selectivity';

/**
 * The fewest pixels that hold `share` of an image's mass sum |v|: the largest |v| first, counted
 * until their sum reaches share x mass. A stroke of 10 equal pixels needs 8 for share 0.8, a
 * uniform image of 784 pixels needs 628. An all-zero image needs 0.
 */
export function massPixels(values: ArrayLike<number>, share = 0.8): number {
  if (!(share > 0 && share <= 1)) throw new Error(`share = ${share} is invalid: expected a number in (0, 1]`);
  const mags = Float64Array.from(values, Math.abs);
  const bad = mags.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`massPixels: values[${bad}] = ${values[bad]} is not a finite number`);
  mags.sort().reverse();
  const mass = mags.reduce((a, b) => a + b, 0);
  if (mass === 0) return 0;
  // Relative slack so that rounding in the running sum cannot demand one pixel more than exact sums would.
  const target = share * mass * (1 - 1e-12);
  let held = 0;
  for (let i = 0; i < mags.length; i++) {
    held += mags[i];
    if (held >= target) return i + 1;
  }
  return mags.length;
}

/** The mean of `data`'s images, pixel by pixel: what a model that ignores its input would draw. */
export function meanImage(data: Dataset): Float32Array {
  const sum = new Float64Array(data.dim);
  for (let i = 0; i < data.count * data.dim; i++) sum[i % data.dim] += data.images[i];
  return Float32Array.from(sum, (s) => s / data.count);
}

export interface FeatureQualityOptions {
  /** test images whose codes decide which units are live and how selective they are (1000) */
  numSamples?: number;
  /** the share of a feature's mass its pixel count must hold (0.8) */
  share?: number;
  /** a unit is active on an image above this activation (0.1, the lesson's) */
  threshold?: number;
  /** a unit active on fewer than this fraction of the images is inactive and not measured (0.01) */
  inactiveBelow?: number;
}

export interface FeatureQuality {
  latentDim: number;
  /** images encoded */
  samples: number;
  share: number;
  /** units active on at least `inactiveBelow` of the images: the ones the medians describe */
  live: number[];
  /** the other units */
  inactive: number[];
  /** decode(0): the image every feature is drawn on top of */
  zeroImage: Float32Array;
  /** per unit: pixels holding `share` of |decode(e_j) - decode(0)| */
  massPixels: Float64Array;
  /** per unit: mean over pixels of |decode(e_j) - decode(0)|, how much the one-hot code changes the image */
  change: Float64Array;
  /** per unit: its largest activation on the images (0 for a ReLU unit that is off on all of them) */
  peak: Float64Array;
  /** per unit: contrast index of its class means (0 for a unit that never responds) */
  selectivity: Float64Array;
  /** medians over the live units; NaN when no unit is live */
  medianMassPixels: number;
  medianSelectivity: number;
}

/**
 * Stroke locality and class selectivity of every unit of `model`, on the first `numSamples`
 * images of `data` (which need labels), with medians over the live units.
 */
export function featureQuality(
  model: Encoder & Decoder, data: Dataset, options: FeatureQualityOptions = {},
): FeatureQuality {
  const share = options.share ?? 0.8;
  const numSamples = Math.min(options.numSamples ?? 1000, data.count);
  if (!(Number.isInteger(numSamples) && numSamples >= 1)) {
    throw new Error(`numSamples = ${options.numSamples} is invalid: expected an integer >= 1`);
  }
  const latentDim = model.config.latentDim;
  const codes = encodeAll(model, data, numSamples);
  const inactive = sparsityReport(codes, latentDim, {
    threshold: options.threshold ?? 0.1, inactiveBelow: options.inactiveBelow ?? 0.01,
  }).inactiveUnits;
  const dead = new Set(inactive);
  const live = Array.from({ length: latentDim }, (_, j) => j).filter((j) => !dead.has(j));
  const zeroImage = decodeCodes(model, new Float32Array(latentDim));
  const features = decodeUnits(model, Array.from({ length: latentDim }, (_, j) => j));
  const pixels = new Float64Array(latentDim);
  const change = new Float64Array(latentDim);
  features.forEach((f, j) => {
    const diff = f.map((v, i) => v - zeroImage[i]);
    pixels[j] = massPixels(diff, share);
    change[j] = diff.reduce((a, v) => a + Math.abs(v), 0) / diff.length;
  });
  const peak = new Float64Array(latentDim).fill(-Infinity);
  codes.forEach((v, i) => { const j = i % latentDim; if (v > peak[j]) peak[j] = v; });
  const { means } = classMeans(codes, latentDim, data.labels.subarray(0, numSamples));
  const sel = Float64Array.from(selectivity(means, latentDim), (u) => u.index);
  const liveMedian = (v: Float64Array) => (live.length ? median(live.map((j) => v[j])) : NaN);
  return {
    latentDim, samples: numSamples, share, live, inactive, zeroImage,
    massPixels: pixels, change, peak, selectivity: sel,
    medianMassPixels: liveMedian(pixels), medianSelectivity: liveMedian(sel),
  };
}
