/**
 * The toy model of superposition, many instances in one batched graph. For instance k, with
 * W_k [m, n] (hiddenDim x inputDim: column i is feature i's direction in the hidden space) and
 * b_k [n]:
 *
 *   h  = W_k x                      [m]   the hidden layer: n features squeezed into m < n dims
 *   x' = ReLU(W_k^T h + b_k)        [n]   the read-out, with the same (tied) weights
 *
 *   loss_k = mean over the batch and the n features of I_ki (x_i - x'_i)^2
 *   loss   = sum over instances k of loss_k
 *
 * The per-instance loss is ARENA's (chapter 1.5.4: `reduce(I * (x - x')^2, "batch inst feats ->
 * inst", "mean")`, then summed over instances); the paper's sum_i I_i (x_i - x'_i)^2 is n times it,
 * which changes Adam's steps not at all (Adam is invariant to a constant scale of the loss, up to
 * its epsilon). Summing, not averaging, over instances gives each instance exactly the gradient it
 * would have alone: the batched graph is `instances` independent models (test/toy/model.test.ts).
 */
import * as tf from '../runtime/tf';
import { gaussianNoise } from '../exercises/robustness';
import { ToyConfig, importancesOf, makeToyConfig } from './config';
import { toyRng } from './data';

export class ToyModel {
  /** [instances, hiddenDim, inputDim]: W[k] is instance k's W, its column i feature i's direction */
  readonly W: tf.Variable<tf.Rank.R3>;
  /** [instances, inputDim]: the read-out's bias */
  readonly b: tf.Variable<tf.Rank.R2>;
  /** [instances, 1, inputDim]: each instance's importances, broadcast over the batch */
  readonly importance: tf.Tensor3D;

  /** Use createToyModel, which checks the config. */
  constructor(readonly config: ToyConfig) {
    const { instances, hiddenDim: m, inputDim: n } = config;
    // tidy frees the initial-value tensors; the variables survive it.
    this.W = tf.tidy(() => tf.variable(tf.tensor3d(initialWeights(config), [instances, m, n])));
    this.b = tf.tidy(() => tf.variable(tf.zeros([instances, n])));
    this.importance = tf.tensor3d(importancesOf(config), [instances, 1, n]);
  }

  get variables(): tf.Variable[] {
    return [this.W, this.b];
  }

  /** h = W x per instance: x [instances, batch, n] -> [instances, batch, m] */
  hidden(x: tf.Tensor3D): tf.Tensor3D {
    return tf.matMul(x, this.W, false, true);
  }

  /** x' = ReLU(W^T W x + b) per instance: x [instances, batch, n] -> [instances, batch, n] */
  forward(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => tf.relu(tf.add(tf.matMul(this.hidden(x), this.W), tf.expandDims(this.b, 1)) as tf.Tensor3D));
  }

  /** loss_k: the mean over batch and features of I_ki (x_i - x'_i)^2; x [instances, batch, n] -> [instances] */
  instanceLosses(x: tf.Tensor3D): tf.Tensor1D {
    return tf.tidy(() => tf.mean(tf.mul(this.importance, tf.squaredDifference(x, this.forward(x))), [1, 2]));
  }

  /** The loss trained on: the sum of the instances' losses -> scalar */
  loss(x: tf.Tensor3D): tf.Scalar {
    return tf.tidy(() => tf.sum(this.instanceLosses(x)));
  }

  dispose(): void {
    tf.dispose([this.W, this.b, this.importance]);
  }
}

/**
 * Xavier-normal initial weights, [instances, m, n] row-major: every entry of W_k drawn from
 * N(0, 2 / (m + n)), fan-in n and fan-out m of the map x -> W_k x, from instance k's own Rng.
 * (ARENA calls torch's xavier_normal_ on the whole [inst, m, n] tensor, whose fans then count
 * the instances too; per instance is what the maths means and keeps instances independent.)
 */
export function initialWeights(config: ToyConfig): Float32Array {
  const { instances, hiddenDim: m, inputDim: n } = config;
  const std = Math.sqrt(2 / (m + n));
  const out = new Float32Array(instances * m * n);
  for (let k = 0; k < instances; k++) {
    const z = gaussianNoise(m * n, toyRng(config.seed, k, 'init'));
    for (let i = 0; i < m * n; i++) out[k * m * n + i] = std * z[i];
  }
  return out;
}

/** A toy model with seeded initial weights and a zero bias; `config` is checked here. */
export function createToyModel(config: Partial<ToyConfig> = {}): ToyModel {
  return new ToyModel(makeToyConfig(config));
}
