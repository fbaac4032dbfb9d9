/**
 * The toy model's data: n features, each present independently with probability p (sparsity
 * S = 1 - p) and then uniform in [0, 1), else exactly 0. Seeded: instance k of a run draws from
 * its own Rng (toyRng(seed, k, 'data')), so its batches do not depend on how many instances run
 * beside it, and an instance trained alone with seed + k sees the very same data.
 */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { ToyConfig, probabilitiesOf } from './config';

/** The two streams of an instance: its initial weights and its data. */
export type ToyStream = 'init' | 'data';

/** Instance k's Rng for `stream`: seeded from seed + k, so it is the same Rng whatever the instance count. */
export function toyRng(seed: number, instance: number, stream: ToyStream): Rng {
  return new Rng(2 * (seed + instance) + (stream === 'data' ? 1 : 0));
}

/**
 * Writes `rows` samples of `inputDim` features with probability p into out[offset ...], in row
 * order, from one draw u ~ U[0, 1) per feature: present when u < p, and then u / p, which given
 * u < p is uniform in [0, 1). The same distribution as ARENA's two draws (a value, a coin) from
 * half the draws, which were half of a step's time (n = 5, 8 instances, batch 1024).
 */
export function sampleFeatures(rng: Rng, p: number, rows: number, inputDim: number, out: Float32Array, offset = 0): void {
  const end = offset + rows * inputDim;
  for (let i = offset; i < end; i++) {
    const u = rng.next();
    out[i] = u < p ? u / p : 0;
  }
}

/** An endless source of batches for every instance of a config: x [instances, batchSize, inputDim]. */
export class ToyData {
  private readonly rngs: Rng[];
  private readonly probabilities: Float32Array;

  constructor(readonly config: ToyConfig) {
    this.rngs = Array.from({ length: config.instances }, (_, k) => toyRng(config.seed, k, 'data'));
    this.probabilities = probabilitiesOf(config);
  }

  /** The next batch's values, [instances, rows, inputDim] row-major. */
  nextValues(rows = this.config.batchSize): Float32Array {
    const n = this.config.inputDim;
    const out = new Float32Array(this.config.instances * rows * n);
    this.rngs.forEach((rng, k) => sampleFeatures(rng, this.probabilities[k], rows, n, out, k * rows * n));
    return out;
  }

  /** The next batch as a tensor [instances, rows, inputDim]. */
  next(rows = this.config.batchSize): tf.Tensor3D {
    return tf.tensor3d(this.nextValues(rows), [this.config.instances, rows, this.config.inputDim]);
  }
}
