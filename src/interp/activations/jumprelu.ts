/**
 * JumpReLU codes with an L0 penalty (Rajamanoharan et al., "Jumping Ahead: Improving Reconstruction
 * Fidelity with JumpReLU Sparse Autoencoders", arXiv:2407.14435; Gemma Scope, arXiv:2408.05147).
 * Each latent j has a trained threshold θ_j; with a = pre and H the step (H(u) = 1 for u > 0):
 *
 *   f = a * H(a - θ)                                        codes, [batch, latentDim]
 *   sparsity = mean over the batch of sum_j H(a_j - θ_j)    the batch's L0
 *   total = reconstruction + sparsityWeight * sparsity
 *
 * H has no useful gradient, so the backward pass uses straight-through pseudo-derivatives: with
 * K the rectangle on (-1/2, 1/2), ε = bandwidth and k = (1/ε) K((a - θ)/ε),
 *
 *   ∂f/∂θ = -θ k              ∂f/∂a = H(a - θ) + θ k
 *   ∂H/∂θ = -k                ∂H/∂a = k
 *
 * The θ terms are the paper's (its eqs. 11 and 12; SAELens `jumprelu_sae.py`, dictionary_learning).
 * The paper gives a no gradient through the jump; here the kernel term reaches a too, with the
 * opposite sign, since the jump sits at a - θ = 0 and moving a moves it as moving θ would (the
 * expected-loss argument of the paper's Appendix B, applied to a; Anthropic's January 2025
 * circuits update also passes the straight-through gradient on to the encoder). Both are then
 * the exact derivatives of the jump spread over the kernel's window: the L0's H by
 * H_ε(u) = clamp(u/ε + 1/2, 0, 1), the code's jump of height θ by θ H_ε (see the tests). Why:
 * under Adam θ moves about lr per step whatever λ is, so with the θ terms alone L0 hardly
 * follows λ in a short run (3 epochs of 10000 MNIST images, 256 latents: L0 195 at λ = 1e-4,
 * 186 at 3e-3); with the L0's push reaching the encoder it does (65 at 1e-4, 25 at 3e-4, 5.5 at 1e-3).
 *
 * θ is stored as it is, in float32, not as log θ: under Adam a log threshold moves by about
 * θ·lr per step and a small one never moves, so L0 would not go down (SAELens issue 494, PR 718;
 * dictionary_learning stores θ too). After each step θ is clamped at 0 (SAELens clamps it inside
 * the forward pass with relu, which leaves a θ below 0 no gradient), so a code is never negative.
 * The bandwidth default, 0.05, is SAELens' (Gemma Scope's 0.001 is for inputs scaled to a norm of
 * sqrt(inputDim) and billions of tokens; at MNIST's scale and a few thousand steps so narrow a
 * window holds almost no pre-activation, and θ hardly learns).
 */
import * as tf from '../../runtime/tf';
import { finiteAbove, finiteAtLeast } from '../../core/checks';
import type { ActivationKind, ActivationRule, DictSaeBase } from './types';

export interface JumpReluSaeConfig extends DictSaeBase {
  activation: 'jumprelu';
  /**
   * lambda: the weight of the L0 penalty mean over the batch of sum_j H(a_j - θ_j). The default
   * 1e-4 gives L0 65 on MNIST pixels (see above); above 5e-4 half the latents die.
   */
  sparsityWeight: number;
  /** ε: the width of the rectangle kernel of the straight-through gradients */
  bandwidth: number;
  /** every latent's θ before training */
  initialThreshold: number;
}

type CustomOp = Parameters<typeof tf.customGrad>[0];

/** k = (1/ε) K((a - θ)/ε): 1/ε where |a - θ| < ε/2, else 0. a [batch, m], θ [m] -> [batch, m] */
export function rectangleKernel(a: tf.Tensor, theta: tf.Tensor, bandwidth: number): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.cast(tf.less(tf.abs(tf.sub(a, theta)), bandwidth / 2), 'float32'), 1 / bandwidth) as tf.Tensor2D);
}

const ops = new Map<string, { jump: (a: tf.Tensor, t: tf.Tensor) => tf.Tensor; step: (a: tf.Tensor, t: tf.Tensor) => tf.Tensor }>();

/** The JumpReLU and the step H(a - θ) with the pseudo-derivatives of bandwidth ε, made once per ε. */
function jumpOps(bandwidth: number) {
  const key = String(bandwidth);
  if (ops.has(key)) return ops.get(key)!;
  const jump = tf.customGrad(((a: tf.Tensor, theta: tf.Tensor, save: tf.GradSaveFunc) => {
    const above = tf.greater(a, theta);
    const gate = tf.cast(above, 'float32');
    save([a, theta, gate]);
    return {
      // a where it is above θ, else +0 (a * gate would give -0 for a negative a)
      value: tf.where(above, a, tf.zerosLike(a)),
      gradFunc: (dy: tf.Tensor, [sa, st, sg]: tf.Tensor[]) => {
        const atJump = tf.mul(tf.mul(dy, rectangleKernel(sa, st, bandwidth)), st); // dy θ k
        return [tf.add(tf.mul(dy, sg), atJump), tf.neg(tf.sum(atJump, 0))];
      },
    };
  }) as unknown as CustomOp) as unknown as (a: tf.Tensor, t: tf.Tensor) => tf.Tensor;
  const step = tf.customGrad(((a: tf.Tensor, theta: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, theta]);
    return {
      value: tf.cast(tf.greater(a, theta), 'float32'),
      gradFunc: (dy: tf.Tensor, [sa, st]: tf.Tensor[]) => {
        const atJump = tf.mul(dy, rectangleKernel(sa, st, bandwidth)); // dy k
        return [atJump, tf.neg(tf.sum(atJump, 0))];
      },
    };
  }) as unknown as CustomOp) as unknown as (a: tf.Tensor, t: tf.Tensor) => tf.Tensor;
  ops.set(key, { jump, step });
  return ops.get(key)!;
}

/** f = a H(a - θ) with the pseudo-derivatives above. a [batch, m], θ [m] -> [batch, m] */
export function jumpRelu(a: tf.Tensor2D, theta: tf.Tensor1D, bandwidth: number): tf.Tensor2D {
  return jumpOps(bandwidth).jump(a, theta) as tf.Tensor2D;
}

/** mean over the batch of sum_j H(a_j - θ_j), with the pseudo-derivatives above. a [batch, m], θ [m] -> scalar */
export function l0Penalty(a: tf.Tensor2D, theta: tf.Tensor1D, bandwidth: number): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(jumpOps(bandwidth).step(a, theta), 1)) as tf.Scalar);
}

function create(config: JumpReluSaeConfig, name: string): ActivationRule {
  const theta = tf.tidy(() => tf.variable(tf.fill([config.latentDim], config.initialThreshold) as tf.Tensor1D, true, `${name}/threshold`));
  return {
    encode: (pre) => jumpRelu(pre, theta, config.bandwidth),
    penalty: ({ pre }) => ({ value: l0Penalty(pre, theta, config.bandwidth), weight: config.sparsityWeight }),
    firingThreshold: 0,
    // The pseudo-derivatives need the code's gradient where the code is 0 (just below θ).
    sparseCode: false,
    variables: [theta],
    afterStep: () => tf.tidy(() => { theta.assign(tf.relu(theta)); }),
    dispose: () => theta.dispose(),
  };
}

export const JUMPRELU: ActivationKind<JumpReluSaeConfig> = {
  defaults: { sparsityWeight: 1e-4, bandwidth: 0.05, initialThreshold: 0.01 },
  checks: { sparsityWeight: finiteAtLeast(0), bandwidth: finiteAbove(0), initialThreshold: finiteAtLeast(0) },
  create,
};
