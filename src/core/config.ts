/** The configuration of a sparse autoencoder, validated once where it enters the kit. */

export type Sparsity = 'l1' | 'kl';

export interface SaeConfig {
  /** Pixels per input image (784 for 28x28 MNIST). */
  inputDim: number;
  /** Width of the hidden layer on both sides of the latent layer (256 in the lesson). */
  hiddenDim: number;
  /** Number of latent units h_j (128 in the lesson's main run). */
  latentDim: number;
  /** 'l1': ReLU latent with penalty mean|h|; 'kl': sigmoid latent with penalty sum_j KL(rho || rhoHat_j). */
  sparsity: Sparsity;
  /** lambda (L1) or beta (KL): the weight of the sparsity penalty in the total loss. */
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

export const DEFAULT_SAE_CONFIG: Readonly<SaeConfig> = Object.freeze({
  inputDim: 784,
  hiddenDim: 256,
  latentDim: 128,
  sparsity: 'kl',
  sparsityWeight: 0.01,
  rho: 0.05,
  decoder: 'mlp',
});

type Check = (v: unknown) => string | null;

const positiveInt = (max: number): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max ? null : `an integer in [1, ${max}]`;

const CHECKS: Record<keyof SaeConfig, Check> = {
  inputDim: positiveInt(1_000_000),
  hiddenDim: positiveInt(100_000),
  latentDim: positiveInt(100_000),
  sparsity: (v) => (v === 'l1' || v === 'kl' ? null : `'l1' or 'kl'`),
  sparsityWeight: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'a finite number >= 0'),
  rho: (v) => (typeof v === 'number' && v > 0 && v < 1 ? null : 'a number strictly between 0 and 1'),
  decoder: (v) => (v === 'mlp' || v === 'linear' ? null : `'mlp' or 'linear'`),
};

function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
}

/**
 * Merges `partial` into the defaults and checks every field; throws an error naming the field,
 * the bad value and what is allowed. Unknown fields (typos) are errors too.
 */
export function makeConfig(partial: Partial<SaeConfig> = {}): SaeConfig {
  for (const key of Object.keys(partial)) {
    if (!(key in CHECKS)) {
      throw new Error(`unknown SaeConfig field '${key}'; the fields are ${Object.keys(CHECKS).join(', ')}`);
    }
  }
  const config = { ...DEFAULT_SAE_CONFIG, ...partial } as SaeConfig;
  for (const key of Object.keys(CHECKS) as (keyof SaeConfig)[]) {
    const expected = CHECKS[key](config[key]);
    if (expected !== null) {
      throw new Error(`SaeConfig.${key} = ${show(config[key])} is invalid: expected ${expected}`);
    }
  }
  return config;
}
