/**
 * What the code-based recovery scores (recovery-codes.ts, absorption.ts) read: a dictionary's
 * codes on some samples with the truth behind them, checked once per call, and the matching of
 * true features to latents they score.
 */
import { asMatrix, matrixOf, Matrix } from '../data/matrix';
import { directions, mcc } from './recovery';

/** A dictionary's codes on some samples, with the truth behind those samples. */
export interface RecoveryData {
  /** the learned decoder rows (atoms), [latents, d] */
  decoderRows: ArrayLike<number>;
  /** the codes of the samples, [count, latents] */
  codes: ArrayLike<number>;
  /** the true features, [n, d] */
  features: ArrayLike<number>;
  /** the true coefficients of the same samples, [count, n] */
  coefficients: ArrayLike<number>;
  /** the width of a sample */
  d: number;
  /** a latent fires where its code is > threshold; 0 by default (ReLU, TopK) */
  threshold?: number;
}

/** RecoveryData as matrices whose shapes agree. */
export interface CheckedData {
  /** [latents, d] */
  decoder: Matrix;
  /** [n, d] */
  truth: Matrix;
  /** [count, latents] */
  codes: Matrix;
  /** [count, n] */
  coefficients: Matrix;
  threshold: number;
}

/** The matrices of `data`; throws, naming rows and cols, where the shapes disagree. */
export function checkedData(data: RecoveryData): CheckedData {
  const { decoder, truth } = directions(data.decoderRows, data.features, data.d);
  const codes = asMatrix(data.codes, decoder.rows, 'the codes');
  const coefficients = matrixOf(data.coefficients, codes.rows, truth.rows, 'the true coefficients');
  const threshold = data.threshold ?? 0;
  if (!Number.isFinite(threshold)) throw new Error(`RecoveryData.threshold = ${threshold} is invalid: expected a finite number`);
  return { decoder, truth, codes, coefficients, threshold };
}

/**
 * latentOf[i], the latent matched to true feature i or -1: the given one, checked (one entry per
 * true feature, each -1 or a latent), else mcc's matching of the decoder rows to the features.
 */
export function matchingFor(data: RecoveryData, latentOf?: Int32Array): Int32Array {
  if (latentOf === undefined) return mcc(data.decoderRows, data.features, data.d).latentOf;
  const { decoder, truth } = directions(data.decoderRows, data.features, data.d);
  if (latentOf.length !== truth.rows) {
    throw new Error(`latentOf holds ${latentOf.length} values; expected one per true feature (n = ${truth.rows})`);
  }
  latentOf.forEach((j, i) => {
    if (!(j >= -1 && j < decoder.rows)) throw new Error(`latentOf[${i}] = ${j} is invalid: expected -1 or a latent in [0, ${decoder.rows - 1}]`);
  });
  return latentOf;
}

/** The mean of the entries that are not NaN (NaN when all are). */
export function meanDefined(values: Float64Array): number {
  let s = 0;
  let k = 0;
  for (const v of values) if (!Number.isNaN(v)) { s += v; k += 1; }
  return k > 0 ? s / k : NaN;
}
