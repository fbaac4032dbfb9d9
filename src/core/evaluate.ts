/** Measures of a trained model on held-out data, computed in batches without leaking tensors. */
import * as tf from '../runtime/tf';
import { Dataset, batches } from '../data/mnist';
import type { SparseAutoencoder } from './sae';

/** Mean squared reconstruction error over all images and pixels of `data`. */
export function reconstructionMse(model: SparseAutoencoder, data: Dataset, batchSize = 1000): number {
  let se = 0;
  for (const b of batches(data, { batchSize })) {
    se += tf.tidy(() => {
      const x = tf.tensor2d(b.images, [b.size, data.dim]);
      return tf.sum(tf.squaredDifference(x, model.forward(x).reconstruction)).arraySync() as number;
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
  const mean = new Float64Array(train.dim);
  for (let i = 0; i < train.count * train.dim; i++) mean[i % train.dim] += train.images[i];
  for (let j = 0; j < train.dim; j++) mean[j] /= train.count;
  let se = 0;
  for (let i = 0; i < test.count * test.dim; i++) se += (test.images[i] - mean[i % test.dim]) ** 2;
  return se / (test.count * test.dim);
}

/** Latent codes of the first `limit` images, as a [limit, latentDim] row-major array. */
export function encodeAll(model: SparseAutoencoder, data: Dataset, limit = data.count, batchSize = 1000): Float32Array {
  const n = Math.min(limit, data.count);
  const out = new Float32Array(n * model.latentDim);
  let row = 0;
  for (const b of batches(data, { batchSize })) {
    if (row >= n) break;
    const take = Math.min(b.size, n - row);
    const codes = tf.tidy(() => model.encode(tf.tensor2d(b.images, [b.size, data.dim])).dataSync());
    out.set(codes.subarray(0, take * model.latentDim), row * model.latentDim);
    row += take;
  }
  return out;
}

/** Decodes the given codes ([n, latentDim] row-major) to images ([n, inputDim]). */
export function decodeCodes(model: SparseAutoencoder, codes: Float32Array): Float32Array {
  const n = codes.length / model.latentDim;
  if (!Number.isInteger(n)) throw new Error(`codes length ${codes.length} is not a multiple of latentDim ${model.latentDim}`);
  return tf.tidy(() => model.decode(tf.tensor2d(codes, [n, model.latentDim])).dataSync() as Float32Array);
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
export function decodeUnits(model: SparseAutoencoder, units: number[], value = 1): Float32Array[] {
  for (const j of units) {
    if (!Number.isInteger(j) || j < 0 || j >= model.latentDim) {
      throw new Error(`unit ${j} is not a latent unit; expected an integer in [0, ${model.latentDim - 1}]`);
    }
  }
  const codes = new Float32Array(units.length * model.latentDim);
  units.forEach((j, r) => { codes[r * model.latentDim + j] = value; });
  const images = decodeCodes(model, codes);
  const dim = model.config.inputDim;
  return units.map((_, r) => images.slice(r * dim, (r + 1) * dim));
}

/** Reconstructions of the first `n` images of `data`, one array per image. */
export function reconstruct(model: SparseAutoencoder, data: Dataset, n: number): Float32Array[] {
  const count = Math.min(n, data.count);
  const out = tf.tidy(() => {
    const x = tf.tensor2d(data.images.subarray(0, count * data.dim), [count, data.dim]);
    return model.forward(x).reconstruction.dataSync() as Float32Array;
  });
  return Array.from({ length: count }, (_, i) => out.slice(i * data.dim, (i + 1) * data.dim));
}
