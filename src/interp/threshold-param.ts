/**
 * Why the kit stores JumpReLU's threshold θ as it is and not as log θ (activations/jumprelu.ts;
 * SAELens issue 494): a small, self-contained demonstration for notebook 18. The dictionary is
 * frozen (the encoder and decoder are fixed rows, e.g. the planted features), so only the
 * thresholds train, against the JumpReLU loss of jumprelu.ts:
 *
 *   pre = x D^T,  f = pre * H(pre - θ),  x_hat = f D,  total = mse(x, x_hat) + λ L0
 *
 * Stored as log θ, the chain rule gives the stored value the gradient θ ∂L/∂θ, and Adam, which
 * divides a gradient by its own running size, then moves log θ by about lr a step: θ moves by
 * about θ·lr, a hundredth of what θ stored as it is moves when θ = 0.01.
 */
import * as tf from '../runtime/tf';
import { floatsOf } from '../runtime/values';
import type { Dataset } from '../data/mnist';
import { fit, FitOptions } from '../core/train';
import { mse } from '../core/losses';
import { modelPrefix } from '../core/dense';
import { jumpRelu, l0Penalty } from './activations/jumprelu';

/** How the threshold is stored: θ itself (the kit's choice) or log θ. */
export type ThresholdParam = 'theta' | 'logTheta';

export interface FrozenJumpReluOptions {
  /** how θ is stored */
  param: ThresholdParam;
  /** every latent's θ before training */
  initialThreshold: number;
  /** λ: the weight of the L0 penalty */
  sparsityWeight: number;
  /** ε: the width of the straight-through kernel */
  bandwidth: number;
}

/** A JumpReLU on a frozen dictionary [latents, d]: only the thresholds train. */
export class FrozenJumpRelu {
  readonly config: { inputDim: number };
  readonly variables: tf.Variable[];
  private readonly dictionary: tf.Tensor2D;
  private readonly stored: tf.Variable<tf.Rank.R1>;

  constructor(rows: Float32Array, d: number, readonly options: FrozenJumpReluOptions) {
    const latents = rows.length / d;
    this.config = { inputDim: d };
    this.dictionary = tf.keep(tf.tensor2d(rows, [latents, d]));
    const start = options.param === 'logTheta' ? Math.log(options.initialThreshold) : options.initialThreshold;
    this.stored = tf.tidy(() => tf.variable(tf.fill([latents], start) as tf.Tensor1D, true, `${modelPrefix('frozen-jumprelu')}/threshold`));
    this.variables = [this.stored];
  }

  /** θ [latents], from what is stored. */
  threshold(): tf.Tensor1D {
    return this.options.param === 'logTheta' ? tf.exp(this.stored) : this.stored;
  }

  losses(x: tf.Tensor2D): { total: tf.Scalar; reconstruction: tf.Scalar; sparsity: tf.Scalar } {
    return tf.tidy(() => {
      const pre = tf.matMul(x, this.dictionary, false, true) as tf.Tensor2D;
      const theta = this.threshold();
      const f = jumpRelu(pre, theta, this.options.bandwidth);
      const reconstruction = mse(x, tf.matMul(f, this.dictionary));
      const sparsity = l0Penalty(pre, theta, this.options.bandwidth);
      const total = tf.add(reconstruction, tf.mul(this.options.sparsityWeight, sparsity)) as tf.Scalar;
      return { total, reconstruction, sparsity };
    });
  }

  /** θ stored as it is is clamped at 0, as in the kit; exp keeps log θ's positive. */
  afterStep(): void {
    if (this.options.param === 'theta') tf.tidy(() => { this.stored.assign(tf.relu(this.stored)); });
  }

  /** The mean θ now. */
  meanThreshold(): number {
    const theta = floatsOf(() => tf.clone(this.threshold()));
    return theta.reduce((a, b) => a + b, 0) / theta.length;
  }

  /** The gradient of the total loss on `x` with respect to what is stored, [latents]. */
  storedGradient(x: tf.Tensor2D): Float32Array {
    return floatsOf(() => tf.variableGrads(() => this.losses(x).total, [this.stored]).grads[this.stored.name]);
  }

  dispose(): void {
    this.dictionary.dispose();
    this.stored.dispose();
  }
}

/** One epoch of a threshold run: the mean θ after it and the epoch's mean training L0 (its sparsity term). */
export interface ThresholdEpoch { epoch: number; theta: number; l0: number }

/** Trains `model` with `fit`; returns epoch 0 (before training: θ, and L0 on `data`) and every epoch after. */
export async function thresholdTrace(model: FrozenJumpRelu, data: Dataset,
  options: Omit<FitOptions, 'onEpoch'> = {}): Promise<ThresholdEpoch[]> {
  const l0Now = () => floatsOf(() => model.losses(tf.tensor2d(data.images, [data.count, data.dim])).sparsity)[0];
  const trace: ThresholdEpoch[] = [{ epoch: 0, theta: model.meanThreshold(), l0: l0Now() }];
  await fit(model, data, { ...options, onEpoch: (r) => trace.push({ epoch: r.epoch, theta: model.meanThreshold(), l0: r.sparsity }) });
  return trace;
}
