/** The configuration of a sparse autoencoder, validated once where it enters the kit. */
import { Checks, checkConfig, finiteAtLeast, integerIn, oneOf, strictlyBetween } from './checks';

/**
 * Which penalty, and with it which latent activation: 'l1' (ReLU latent, mean |h|), 'kl' (sigmoid
 * latent, sum_j KL(rho || rhoHat_j)), or no penalty at all: the lesson's "standard" autoencoder,
 * the baseline the sparse ones are compared with, with a ReLU ('none-relu') or a sigmoid
 * ('none-sigmoid') latent so that each sparse model has a dense twin of the same architecture.
 */
export type Sparsity = 'l1' | 'kl' | 'none-relu' | 'none-sigmoid';

/** The sparsity values without a penalty (the standard autoencoder). */
export const NO_PENALTY: readonly Sparsity[] = Object.freeze(['none-relu', 'none-sigmoid'] as Sparsity[]);

/** True when `sparsity` names a model with a penalty ('l1' or 'kl'). */
export function hasPenalty(sparsity: Sparsity): boolean {
  return !NO_PENALTY.includes(sparsity);
}

export interface SaeConfig {
  /** Pixels per input image (784 for 28x28 MNIST). */
  inputDim: number;
  /** Width of the hidden layer on both sides of the latent layer (256 in the lesson). */
  hiddenDim: number;
  /** Number of latent units h_j (128 in the lesson's main run). */
  latentDim: number;
  /**
   * 'l1': ReLU latent with penalty mean|h|; 'kl': sigmoid latent with penalty sum_j KL(rho || rhoHat_j);
   * 'none-relu' / 'none-sigmoid': no penalty (the standard autoencoder), ReLU or sigmoid latent.
   */
  sparsity: Sparsity;
  /**
   * lambda (L1) or beta (KL): the weight of the sparsity penalty in the total loss. A 'none-...'
   * model's penalty is the constant 0, so its weight changes nothing (the lesson's specs set it to 0).
   */
  sparsityWeight: number;
  /** Target mean activation of each latent unit (KL only; 0.05 in the lesson). */
  rho: number;
  /**
   * 'mlp': the lesson's decoder latent -> hiddenDim (ReLU) -> inputDim (sigmoid).
   * 'linear': one linear layer latent -> inputDim, whose weight rows are dictionary atoms
   * (used in the dictionary-learning challenge).
   */
  decoder: DecoderKind;
}

export type DecoderKind = 'mlp' | 'linear';

/** The lesson's model (Part 6): part6.ts reads its numbers from here and from DEFAULT_TRAIN_CONFIG. */
export const DEFAULT_SAE_CONFIG: Readonly<SaeConfig> = Object.freeze({
  inputDim: 784,
  hiddenDim: 256,
  latentDim: 128,
  sparsity: 'kl',
  sparsityWeight: 0.01,
  rho: 0.05,
  decoder: 'mlp',
});

/** One check per field, in the order errors report them (see checks.ts). */
const CHECKS: Checks<SaeConfig> = {
  inputDim: integerIn(1, 1_000_000),
  hiddenDim: integerIn(1, 100_000),
  latentDim: integerIn(1, 100_000),
  sparsity: oneOf('l1', 'kl', 'none-relu', 'none-sigmoid'),
  sparsityWeight: finiteAtLeast(0),
  rho: strictlyBetween(0, 1),
  decoder: oneOf('mlp', 'linear'),
};

/**
 * Merges `partial` into the defaults and checks every field; throws an error naming the field,
 * the bad value and what is allowed. Unknown fields (typos) are errors too. A config that came
 * out of makeConfig is returned as it is: checked once, then passed down.
 */
export function makeConfig(partial: Partial<SaeConfig> = {}): SaeConfig {
  return checkConfig('SaeConfig', CHECKS, DEFAULT_SAE_CONFIG, partial);
}
