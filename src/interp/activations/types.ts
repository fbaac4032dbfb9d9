/**
 * What an activation of the dictionary SAE is: a small object with its encode, its penalty and
 * its firing rule (openai/sparse_autoencoder passes its activation in; SAELens keeps one file per
 * architecture). The SAE asks its activation, it never switches on the kind.
 */
import * as tf from '../../runtime/tf';
import type { Check } from '../../core/checks';
import type { DeadLatents } from '../deadlatents';

/** What every dictionary SAE config holds, whatever its activation. */
export interface DictSaeBase {
  /** values per input x (784 for MNIST pixels, 256 for the MLP's hidden layer) */
  inputDim: number;
  /** latents: the width of the code f */
  latentDim: number;
  /** share one matrix between encoder and decoder (W_dec = W_enc^T) */
  tied: boolean;
  /** optimizer steps without firing after which a latent counts as dead */
  deadAfter: number;
  /**
   * Rescale every decoder row to unit norm after each step. On for ReLU + L1 and TopK: an L1 penalty
   * could otherwise be cut by shrinking codes and growing rows. Off by default for sigmoid + KL:
   * the KL penalty is not lowered by rescaling (it punishes a mean below rho as well as above), and
   * a sigmoid code is below 1, so a unit-norm row caps what one latent adds to an image (the lesson's
   * KL model has no such cap).
   */
  unitNormDecoder: boolean;
}

/** One batch as a penalty sees it. Shapes: x, xHat [batch, inputDim]; pre, f [batch, latentDim]. */
export interface PenaltyInput {
  x: tf.Tensor2D;
  /** pre-activations (x - b_dec) W_enc + b_enc */
  pre: tf.Tensor2D;
  /** codes act(pre) */
  f: tf.Tensor2D;
  xHat: tf.Tensor2D;
  /** the decoder matrix [latentDim, inputDim] (W_enc^T when tied), built afresh on each call */
  decoder: () => tf.Tensor2D;
  /** which latents are dead, and the AuxK count in force */
  dead: DeadLatents;
}

/** A weighted term of the loss: total = reconstruction + weight * value; `value` is reported as `sparsity`. */
export interface Penalty {
  value: tf.Scalar;
  weight: number;
}

/** An activation bound to its config: how codes are made, what they cost, when a latent fires. */
export interface ActivationRule {
  /** codes f = act(pre): pre [batch, latentDim] -> f [batch, latentDim] */
  encode(pre: tf.Tensor2D): tf.Tensor2D;
  /** the sparsity term of this batch's loss; null for none (the loss is the reconstruction alone) */
  penalty(input: PenaltyInput): Penalty | null;
  /**
   * A latent fires on an input when its code is above this: 0 for ReLU and TopK; a sigmoid never
   * outputs 0, so 0.1 (Part 4's "active"). Dead-latent counts and evaluateDictSae's L0 use it.
   */
  readonly firingThreshold: number;
  /**
   * Whether the activation's gradient is 0 wherever its code is 0 (ReLU, TopK; not the sigmoid):
   * then the loss needs the code's gradient only at its non-zeros, and the SAE decodes the code
   * by them (engine.sparseDecode), which costs a small fraction of a dense product.
   */
  readonly sparseCode: boolean;
}

/** The fields a kind adds to the base config (not `activation`, which names the kind). */
export type OwnFields<C> = Omit<C, keyof DictSaeBase | 'activation'>;

/** One activation kind: its config's own fields with their defaults and checks, and its rule. */
export interface ActivationKind<C extends DictSaeBase> {
  /** its own fields' defaults, and any base default the kind overrides (sigmoid: unitNormDecoder) */
  defaults: Readonly<OwnFields<C> & Partial<DictSaeBase>>;
  /** one check per own field (see core/checks.ts); each sees the whole config */
  checks: { readonly [K in keyof OwnFields<C>]-?: Check<C> };
  /** the activation bound to a checked config */
  create(config: C): ActivationRule;
}
