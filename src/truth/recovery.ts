/**
 * Does a learned dictionary hold the true features? Scores on directions alone: the |cosine|
 * matrix, the mean correlation coefficient (MCC) under the best one-to-one matching, and how
 * uniquely latents cover the features. Scores on the codes (firing, shrinkage, absorption) are in
 * recovery-codes.ts. Decoder rows are [latents, d] and true features [n, d], row-major.
 */
import { asMatrix, Matrix } from '../data/matrix';
import { assignMax } from './hungarian';

/** The Euclidean norm of each row of m. */
function rowNorms(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let t = 0; t < m.cols; t++) s += m.data[r * m.cols + t] ** 2;
    out[r] = Math.sqrt(s);
  }
  return out;
}

/**
 * cos(a_r, b_k) = a_r . b_k / (|a_r| |b_k|) for each row r of a and k of b (same width): an
 * [a.rows, b.rows] matrix, 0 where either row is all zeros. Summed in float64.
 */
export function cosines(a: Matrix, b: Matrix): Matrix<Float64Array> {
  if (a.cols !== b.cols) throw new Error(`cosines: rows of ${a.cols} values against rows of ${b.cols}; expected the same width`);
  const na = rowNorms(a);
  const nb = rowNorms(b);
  const d = a.cols;
  const out = new Float64Array(a.rows * b.rows);
  for (let r = 0; r < a.rows; r++) {
    for (let k = 0; k < b.rows; k++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += a.data[r * d + t] * b.data[k * d + t];
      const norms = na[r] * nb[k];
      out[r * b.rows + k] = norms > 0 ? s / norms : 0;
    }
  }
  return { data: out, rows: a.rows, cols: b.rows };
}

/** The decoder rows and true features as matrices of width d, named in errors. */
export function directions(decoderRows: ArrayLike<number>, trueFeatures: ArrayLike<number>, d: number): { decoder: Matrix; truth: Matrix } {
  return { decoder: asMatrix(decoderRows, d, 'the decoder rows'), truth: asMatrix(trueFeatures, d, 'the true features') };
}

/** |cos(true feature i, decoder row j)|: [n, latents], row i for true feature i. */
export function absCosines(decoderRows: ArrayLike<number>, trueFeatures: ArrayLike<number>, d: number): Matrix<Float64Array> {
  const { decoder, truth } = directions(decoderRows, trueFeatures, d);
  const c = cosines(truth, decoder);
  for (let k = 0; k < c.data.length; k++) c.data[k] = Math.abs(c.data[k]);
  return c;
}

export interface Matching {
  /** the mean over all n true features of |cos| with the matched latent, an unmatched feature counting 0 */
  mcc: number;
  /** latentOf[i]: the latent matched to true feature i, -1 when it has none (only when latents < n), [n] */
  latentOf: Int32Array;
  /** featureOf[j]: the true feature matched to latent j, -1 when it has none (when latents > n), [latents] */
  featureOf: Int32Array;
  /** |cos| of each true feature with its matched latent, 0 when unmatched, [n] */
  matchedCos: Float64Array;
}

/**
 * The mean correlation coefficient: the |cos| matrix of true features against decoder rows,
 * the one-to-one matching with the largest total |cos| (assignMax), and the mean |cos| over the
 * n true features. The sign of a row does not matter (|cos|). With fewer latents than features,
 * n - latents features go unmatched and count 0, so the MCC is at most latents / n; with more
 * latents, the extra latents are unmatched and do not count.
 */
export function mcc(decoderRows: ArrayLike<number>, trueFeatures: ArrayLike<number>, d: number): Matching {
  const c = absCosines(decoderRows, trueFeatures, d);
  const n = c.rows;
  const latents = c.cols;
  const latentOf = assignMax(c.data, n, latents);
  const featureOf = new Int32Array(latents).fill(-1);
  const matchedCos = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const j = latentOf[i];
    if (j < 0) continue;
    featureOf[j] = i;
    matchedCos[i] = c.data[i * latents + j];
    sum += matchedCos[i];
  }
  return { mcc: sum / n, latentOf, featureOf, matchedCos };
}

export interface Uniqueness {
  /** bestFeature[j]: the true feature with latent j's largest |cos| (the first on a tie), -1 when that |cos| <= minCos, [latents] */
  bestFeature: Int32Array;
  /** latentsPerFeature[i]: how many latents have true feature i as their best feature, [n] */
  latentsPerFeature: Int32Array;
  /** the fraction of true features that are the best feature of exactly one latent */
  uniqueFraction: number;
  /** the fraction of true features that are the best feature of at least one latent */
  coveredFraction: number;
  /** the mean of latentsPerFeature over the covered features (NaN when none is covered); 1 when none is split */
  latentsPerCovered: number;
}

/**
 * How uniquely latents stand for true features, without a one-to-one matching: each latent
 * picks its best true feature (largest |cos|) when that |cos| is above minCos (by default 0: every
 * latent with a non-zero decoder row picks one). A feature picked by two latents is split between
 * them (or duplicated); a feature picked by none is missed.
 */
export function uniqueness(decoderRows: ArrayLike<number>, trueFeatures: ArrayLike<number>, d: number, minCos = 0): Uniqueness {
  if (!(minCos >= 0 && minCos < 1)) throw new Error(`uniqueness: minCos = ${minCos} is invalid: expected a number in [0, 1)`);
  const c = absCosines(decoderRows, trueFeatures, d);
  const n = c.rows;
  const latents = c.cols;
  const bestFeature = new Int32Array(latents).fill(-1);
  const latentsPerFeature = new Int32Array(n);
  for (let j = 0; j < latents; j++) {
    let best = minCos;
    for (let i = 0; i < n; i++) {
      if (c.data[i * latents + j] > best) { best = c.data[i * latents + j]; bestFeature[j] = i; }
    }
    if (bestFeature[j] >= 0) latentsPerFeature[bestFeature[j]] += 1;
  }
  const counts = Array.from(latentsPerFeature);
  const covered = counts.filter((k) => k > 0);
  return {
    bestFeature,
    latentsPerFeature,
    uniqueFraction: counts.filter((k) => k === 1).length / n,
    coveredFraction: covered.length / n,
    latentsPerCovered: covered.length > 0 ? covered.reduce((s, k) => s + k, 0) / covered.length : NaN,
  };
}
