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

/** What a reconstruction term sees (Matryoshka's). Shapes: x, xHat [batch, inputDim]; f [batch, latentDim]. */
export interface ReconstructionInput {
  x: tf.Tensor2D;
  /** the training codes */
  f: tf.Tensor2D;
  /** f W_dec + b_dec, the whole code decoded */
  xHat: tf.Tensor2D;
  /** the decoder matrix [latentDim, inputDim] (W_enc^T when tied), built afresh on each call */
  decoder: () => tf.Tensor2D;
  /** b_dec [inputDim] */
  bias: tf.Tensor1D;
}

/**
 * An activation bound to its config: how codes are made, what they cost, when a latent fires.
 * The optional members are for kinds with more than a function of `pre`: a trained parameter
 * (JumpReLU's thresholds), state kept across steps (BatchTopK's running threshold), a training
 * code other than the inference code, a reconstruction term other than the MSE (Matryoshka).
 * A kind without them (ReLU, TopK, sigmoid) trains exactly as it did before they existed.
 */
export interface ActivationRule {
  /** codes f = act(pre) of a trained model (DictSae.encode): pre [batch, latentDim] -> f [batch, latentDim] */
  encode(pre: tf.Tensor2D): tf.Tensor2D;
  /** the codes while training (DictSae.losses), when they differ from encode's (BatchTopK keeps the batch's top k·B) */
  trainingEncode?(pre: tf.Tensor2D): tf.Tensor2D;
  /** the sparsity term of this batch's loss; null for none (the loss is the reconstruction alone) */
  penalty(input: PenaltyInput): Penalty | null;
  /** the reconstruction term of the loss, in place of the MSE of x and xHat (Matryoshka: one per prefix) */
  reconstruction?(input: ReconstructionInput): tf.Scalar;
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
  /**
   * Trained with the SAE's weights (they join DictSae.variables, after them) and saved with them.
   * Each is named `<the SAE's name>/<its own name>` (see ActivationKind.create).
   */
  readonly variables?: readonly tf.Variable[];
  /** Not trained, changed by afterStep, saved and loaded with the weights: what encode needs besides them. */
  readonly buffers?: readonly tf.Variable[];
  /** Sees each training batch's codes (inside DictSae.losses' tidy) and keeps, with tf.keep, what afterStep needs. */
  record?(f: tf.Tensor2D): void;
  /** After each optimizer step (DictSae.afterStep): updates the buffers from what record kept, or projects a parameter. */
  afterStep?(): void;
  /** Frees the variables, buffers and anything kept. */
  dispose?(): void;
}

/** The fields a kind adds to the base config (not `activation`, which names the kind). */
export type OwnFields<C> = Omit<C, keyof DictSaeBase | 'activation'>;

/** One activation kind: its config's own fields with their defaults and checks, and its rule. */
export interface ActivationKind<C extends DictSaeBase> {
  /** its own fields' defaults, and any base default the kind overrides (sigmoid: unitNormDecoder) */
  defaults: Readonly<OwnFields<C> & Partial<DictSaeBase>>;
  /** one check per own field (see core/checks.ts); each sees the whole config */
  checks: { readonly [K in keyof OwnFields<C>]-?: Check<C> };
  /**
   * The activation bound to a checked config; `name` is the SAE's variable prefix, under which it
   * names its own variables and buffers (`${name}/threshold`).
   */
  create(config: C, name: string): ActivationRule;
}
