/**
 * Measures of a trained model on held-out data, computed in batches without leaking tensors.
 * They ask only for an Encoder or Decoder, so the lesson's autoencoders and the dictionary SAEs
 * (every activation) are measured by the same functions.
 */
import { columnMeans, matrixOf } from '../data/matrix';
import * as tf from '../runtime/tf';
import { floatsOf } from '../runtime/values';
import { Dataset, batches } from '../data/mnist';
import type { SparseAutoencoder } from './sae';

/** The widths the measures need to lay codes out as [n, latentDim] rows. */
export interface CodeWidths {
  /** values per input */
  inputDim: number;
  /** values per code */
  latentDim: number;
}

/** A model that maps inputs [n, inputDim] to codes [n, latentDim]. */
export interface Encoder {
  config: CodeWidths;
  encode(x: tf.Tensor2D): tf.Tensor2D;
}

/** A model that maps codes [n, latentDim] back to inputs [n, inputDim]. */
export interface Decoder {
  config: CodeWidths;
  decode(code: tf.Tensor2D): tf.Tensor2D;
}

/** Mean squared reconstruction error decode(encode(x)) over all images and pixels of `data`. */
export function reconstructionMse(model: Encoder & Decoder, data: Dataset, batchSize = 1000): number {
  let se = 0;
  for (const b of batches(data, { batchSize })) {
    se += tf.tidy(() => {
      const x = tf.tensor2d(b.images, [b.size, data.dim]);
      return tf.sum(tf.squaredDifference(x, model.decode(model.encode(x)))).arraySync() as number;
    });
  }
  return se / (data.count * data.dim);
}

/**
 * MSE on `test` of always answering `train`'s mean image: what a model that ignores its
 * input can achieve at best, so the bar any autoencoder has to clear.
 */
export function meanImageMse(train: Dataset, test: Dataset): number {
  if (train.dim !== test.dim) throw new Error(`image sizes differ: ${train.dim} vs ${test.dim}`);
  const mean = columnMeans(matrixOf(train.images, train.count, train.dim, 'the training images'));
  let se = 0;
  for (let i = 0; i < test.count * test.dim; i++) se += (test.images[i] - mean[i % test.dim]) ** 2;
  return se / (test.count * test.dim);
}

/** Latent codes of the first `limit` images, as a [limit, latentDim] row-major array. */
export function encodeAll(model: Encoder, data: Dataset, limit = data.count, batchSize = 1000): Float32Array {
  const latentDim = model.config.latentDim;
  const n = Math.min(limit, data.count);
  const out = new Float32Array(n * latentDim);
  let row = 0;
  for (const b of batches(data, { batchSize })) {
    if (row >= n) break;
    const take = Math.min(b.size, n - row);
    const codes = floatsOf(() => model.encode(tf.tensor2d(b.images, [b.size, data.dim])));
    out.set(codes.subarray(0, take * latentDim), row * latentDim);
    row += take;
  }
  return out;
}

/** Decodes the given codes ([n, latentDim] row-major) to images ([n, inputDim]). */
export function decodeCodes(model: Decoder, codes: Float32Array): Float32Array {
  const latentDim = model.config.latentDim;
  const n = codes.length / latentDim;
  if (!Number.isInteger(n)) throw new Error(`codes length ${codes.length} is not a multiple of latentDim ${latentDim}`);
  return floatsOf(() => model.decode(tf.tensor2d(codes, [n, latentDim])));
}

/** One row per layer: name, weight shape, activation, parameter count. */
export function layerSummary(model: SparseAutoencoder): { layer: string; shape: string; activation: string; parameters: number }[] {
  const rows = [...model.encoder.map((l, i) => ({ l, name: `encoder.${i}` })), ...model.decoder.map((l, i) => ({ l, name: `decoder.${i}` }))];
  return rows.map(({ l, name }) => ({
    layer: name,
    shape: `${l.w.shape[0]} -> ${l.w.shape[1]}`,
    activation: l.activation,
    parameters: l.w.size + l.b.size,
  }));
}

/**
 * Part 5: what each latent unit draws. Decodes the one-hot codes e_j (unit j at `value`,
 * all others 0) for the given units; returns one image per unit.
 */
export function decodeUnits(model: Decoder, units: number[], value = 1): Float32Array[] {
  const latentDim = model.config.latentDim;
  for (const j of units) {
    if (!Number.isInteger(j) || j < 0 || j >= latentDim) {
      throw new Error(`unit ${j} is not a latent unit; expected an integer in [0, ${latentDim - 1}]`);
    }
  }
  const codes = new Float32Array(units.length * latentDim);
  units.forEach((j, r) => { codes[r * latentDim + j] = value; });
  const images = decodeCodes(model, codes);
  const dim = model.config.inputDim;
  return units.map((_, r) => images.slice(r * dim, (r + 1) * dim));
}

/** Reconstructions decode(encode(x)) of the first `n` images of `data`, one array per image. */
export function reconstruct(model: Encoder & Decoder, data: Dataset, n: number): Float32Array[] {
  const count = Math.min(n, data.count);
  const out = floatsOf(() => {
    const x = tf.tensor2d(data.images.subarray(0, count * data.dim), [count, data.dim]);
    return model.decode(model.encode(x));
  });
  return Array.from({ length: count }, (_, i) => out.slice(i * data.dim, (i + 1) * data.dim));
}
