/**
 * The lesson's two sparse autoencoders (Parts 1 and 2), and the standard autoencoder they are
 * compared with (the first row of the lesson's table: the same layers, no penalty).
 *
 *   encoder: inputDim -> hiddenDim (ReLU) -> latentDim (ReLU for L1, Sigmoid for KL; either for none)
 *   decoder: latentDim -> hiddenDim (ReLU) -> inputDim (Sigmoid)
 *            (or, with config.decoder = 'linear', one linear layer latentDim -> inputDim)
 *
 * Each model brings its own sparsity penalty, so the trainer never asks which kind it has.
 */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { Activation, Dense, applyStack, createDense, modelPrefix } from './dense';
import { SaeConfig, Sparsity, makeConfig } from './config';
import { klPenalty, l1Penalty, mse } from './losses';
import { assertLive, assertMatrix } from '../runtime/guards';

/** The three numbers of the lesson's training loop, as scalar tensors. */
export type SaeLossParts = {
  /** reconstruction + sparsityWeight * sparsity */
  total: tf.Scalar;
  /** MSE between input and reconstruction */
  reconstruction: tf.Scalar;
  /** the penalty before weighting */
  sparsity: tf.Scalar;
};

export interface ForwardResult {
  /** [batch, inputDim] */
  reconstruction: tf.Tensor2D;
  /** [batch, latentDim] */
  latent: tf.Tensor2D;
}

export abstract class SparseAutoencoder {
  readonly config: SaeConfig;
  readonly encoder: Dense[];
  readonly decoder: Dense[];

  /** `seed` fixes the initial weights; `config` is checked here unless it already was (makeConfig). */
  constructor(config: Partial<SaeConfig>, seed: number, latentActivation: Activation) {
    this.config = makeConfig(config);
    const { inputDim, hiddenDim, latentDim } = this.config;
    const rng = new Rng(seed);
    const prefix = modelPrefix('sae');
    this.encoder = [
      // The first layer's input is the data: no gradient with respect to it is needed.
      createDense(inputDim, hiddenDim, 'relu', rng, `${prefix}/encoder/0`, false),
      createDense(hiddenDim, latentDim, latentActivation, rng, `${prefix}/encoder/1`),
    ];
    this.decoder = this.config.decoder === 'linear'
      ? [createDense(latentDim, inputDim, 'linear', rng, `${prefix}/decoder/0`)]
      : [
        createDense(latentDim, hiddenDim, 'relu', rng, `${prefix}/decoder/0`),
        createDense(hiddenDim, inputDim, 'sigmoid', rng, `${prefix}/decoder/1`),
      ];
  }

  /** The sparsity penalty on a batch of latent codes [batch, latentDim], before weighting. */
  abstract penalty(latent: tf.Tensor2D): tf.Scalar;

  get latentDim(): number {
    return this.config.latentDim;
  }

  /** Every trainable tensor, encoder first. */
  get variables(): tf.Variable[] {
    return [...this.encoder, ...this.decoder].flatMap((l) => [l.w, l.b]);
  }

  /** x [batch, inputDim] -> h [batch, latentDim] */
  encode(x: tf.Tensor2D): tf.Tensor2D {
    assertMatrix(x, 'the input x', this.config.inputDim, 'SaeConfig.inputDim');
    return applyStack(this.encoder, x);
  }

  /** h [batch, latentDim] -> reconstruction [batch, inputDim]; usable on its own (Part 5). */
  decode(h: tf.Tensor2D): tf.Tensor2D {
    assertMatrix(h, 'the code h', this.config.latentDim, 'SaeConfig.latentDim');
    return applyStack(this.decoder, h);
  }

  forward(x: tf.Tensor2D): ForwardResult {
    return tf.tidy(() => {
      const latent = this.encode(x);
      return { latent, reconstruction: this.decode(latent) };
    });
  }

  /** The lesson's loss: total = MSE(x, f(x)) + sparsityWeight * penalty(h). */
  losses(x: tf.Tensor2D): SaeLossParts {
    return tf.tidy(() => {
      const { latent, reconstruction } = this.forward(x);
      const rec = mse(x, reconstruction);
      const sparsity = this.penalty(latent);
      const total = tf.add(rec, tf.mul(this.config.sparsityWeight, sparsity)) as tf.Scalar;
      return { total, reconstruction: rec, sparsity };
    });
  }

  /** Number of trainable numbers. */
  parameterCount(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/**
 * A model class fixes its penalty: a config that names another one is a mistake, not a wish.
 * A config that already names one of `own` (such as createModel's checked one) is passed on
 * unchanged, so it is not checked a second time; a config without the field gets `own[0]`.
 */
function ownSparsity(config: Partial<SaeConfig>, cls: string, own: readonly Sparsity[]): Partial<SaeConfig> {
  const given = (config as { sparsity?: unknown }).sparsity;
  if (own.includes(given as Sparsity)) return config;
  if (given !== undefined) {
    const allowed = own.map((s) => `'${s}'`).join(' or ');
    throw new Error(`SaeConfig.sparsity = ${JSON.stringify(given)} is invalid for ${cls}: expected ${allowed} ` +
      'or no sparsity field (createModel picks the class from the sparsity field)');
  }
  return { ...config, sparsity: own[0] };
}

/** Part 1: ReLU latent, penalty mean |h|. */
export class L1SparseAutoencoder extends SparseAutoencoder {
  constructor(config: Partial<SaeConfig> = {}, seed = 42) {
    super(ownSparsity(config, 'L1SparseAutoencoder', ['l1']), seed, 'relu');
  }

  penalty(latent: tf.Tensor2D): tf.Scalar {
    return l1Penalty(latent);
  }
}

/** Part 2: sigmoid latent (so activations are in (0, 1)), penalty sum_j KL(rho || rhoHat_j). */
export class KLSparseAutoencoder extends SparseAutoencoder {
  constructor(config: Partial<SaeConfig> = {}, seed = 42) {
    super(ownSparsity(config, 'KLSparseAutoencoder', ['kl']), seed, 'sigmoid');
  }

  penalty(latent: tf.Tensor2D): tf.Scalar {
    return klPenalty(latent, this.config.rho);
  }
}

/**
 * The standard autoencoder (the lesson's table, first row): the same layers, loss = MSE alone.
 * `sparsity: 'none-relu'` (the default here) gives the L1 model's ReLU latent, 'none-sigmoid' the
 * KL model's sigmoid latent. Its penalty is the constant 0, so total = reconstruction exactly and
 * no gradient comes from it; the history's `sparsity` column reads 0.
 */
export class StandardAutoencoder extends SparseAutoencoder {
  constructor(config: Partial<SaeConfig> = {}, seed = 42) {
    const checked = ownSparsity(config, 'StandardAutoencoder', ['none-relu', 'none-sigmoid']);
    super(checked, seed, (checked as { sparsity: Sparsity }).sparsity === 'none-sigmoid' ? 'sigmoid' : 'relu');
  }

  penalty(latent: tf.Tensor2D): tf.Scalar {
    assertLive(latent, 'the code h');
    return tf.scalar(0);
  }
}

/** The class of each `sparsity` value. */
const MODEL_CLASSES: Record<Sparsity, new (config: SaeConfig, seed: number) => SparseAutoencoder> = {
  l1: L1SparseAutoencoder,
  kl: KLSparseAutoencoder,
  'none-relu': StandardAutoencoder,
  'none-sigmoid': StandardAutoencoder,
};

/**
 * The model that `config.sparsity` names ('kl' by default, as in the lesson's main run). The config
 * is checked here once; the class's constructor receives the checked one and does not check again.
 */
export function createModel(config: Partial<SaeConfig> = {}, seed = 42): SparseAutoencoder {
  const full = makeConfig(config);
  return new MODEL_CLASSES[full.sparsity](full, seed);
}
