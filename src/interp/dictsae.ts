/**
 * The single-layer sparse autoencoder of the interpretability literature (Anthropic's "Towards
 * Monosemanticity", OpenAI's "Scaling and evaluating sparse autoencoders"):
 *
 *   f = act((x - b_dec) W_enc + b_enc)      codes, [batch, latentDim]
 *   x_hat = f W_dec + b_dec                  W_dec rows (one per latent) kept at unit norm
 *
 * act, its penalty and its firing rule come from the activation's own file (activations/: ReLU
 * with an L1 penalty, TopK, sigmoid with the lesson's KL penalty, BatchTopK (and Matryoshka),
 * JumpReLU with an L0 penalty), and so do any parameter, state or reconstruction term of its own;
 * dead latents, AuxK and resampling live in deadlatents.ts; the config in dictsae-config.ts.
 * Tied weights use W_dec = W_enc^T.
 */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import type { SaeLossParts } from '../core/sae';
import { integerUpTo, showValue } from '../core/checks';
import { assertMatrix } from '../runtime/guards';
import { matrixOf } from '../data/matrix';
import { ActivationRule, DictSaeConfig, ruleFor } from './activations/index';
import { DictSaeOptions, makeDictSaeConfig } from './dictsae-config';
import { DeadLatents } from './deadlatents';
import { fvu, l0 } from './metrics';
import { mse } from '../core/losses';
import { modelPrefix } from '../core/dense';
import { engine } from '../runtime/engine';
import { floatsOf, valuesOf } from '../runtime/values';

export { makeDictSaeConfig, DEFAULT_DICT_SAE } from './dictsae-config';
export type { DictSaeOptions } from './dictsae-config';
export type { DictSaeConfig, ReluSaeConfig, TopKSaeConfig, SigmoidSaeConfig, BatchTopKSaeConfig, JumpReluSaeConfig } from './activations/index';
export { topK } from './activations/index';
export { resampleDeadLatents } from './deadlatents';

export class DictSae {
  /** checked once, here; never changed (the AuxK count in force is `auxK`) */
  readonly config: DictSaeConfig;
  readonly wEnc: tf.Variable<tf.Rank.R2>;
  readonly bEnc: tf.Variable<tf.Rank.R1>;
  readonly wDec: tf.Variable<tf.Rank.R2> | null;
  readonly bDec: tf.Variable<tf.Rank.R1>;
  /** encode, penalty and firing rule of config.activation, and its own parameters and state */
  readonly rule: ActivationRule;
  /** dead-latent counts and the AuxK count in force */
  readonly dead: DeadLatents;

  constructor(config: DictSaeOptions = {}, seed = 42) {
    this.config = makeDictSaeConfig(config);
    const { inputDim: d, latentDim: m } = this.config;
    const rng = new Rng(seed);
    // Decoder rows: random unit vectors; encoder starts as their transpose (a common init).
    const dec = new Float32Array(m * d);
    for (let j = 0; j < m; j++) {
      let norm = 0;
      for (let t = 0; t < d; t++) { const v = rng.uniform(-1, 1); dec[j * d + t] = v; norm += v * v; }
      for (let t = 0; t < d; t++) dec[j * d + t] /= Math.sqrt(norm);
    }
    const enc = new Float32Array(d * m);
    for (let j = 0; j < m; j++) for (let t = 0; t < d; t++) enc[t * m + j] = dec[j * d + t];
    const name = modelPrefix('dictsae');
    // tidy frees the initial-value tensors; variables and kept tensors survive it.
    this.wEnc = tf.tidy(() => tf.variable(tf.tensor2d(enc, [d, m]), true, `${name}/w_enc`));
    this.bEnc = tf.tidy(() => tf.variable(tf.zeros([m]) as tf.Tensor1D, true, `${name}/b_enc`));
    this.wDec = this.config.tied ? null : tf.tidy(() => tf.variable(tf.tensor2d(dec, [m, d]), true, `${name}/w_dec`));
    this.bDec = tf.tidy(() => tf.variable(tf.zeros([d]) as tf.Tensor1D, true, `${name}/b_dec`));
    this.rule = ruleFor(this.config, name);
    this.dead = new DeadLatents(m, this.config.deadAfter, 'auxK' in this.config ? this.config.auxK : 0);
  }

  get latentDim(): number {
    return this.config.latentDim;
  }

  /** What training changes: the weights, then the activation's own parameters (JumpReLU's thresholds). */
  get variables(): tf.Variable[] {
    return [this.wEnc, this.bEnc, ...(this.wDec ? [this.wDec] : []), this.bDec, ...(this.rule.variables ?? [])];
  }

  /**
   * Everything a saved model needs, by name without the model's prefix (w_enc, b_enc, w_dec,
   * b_dec, then the activation's: JumpReLU's trained `threshold`, BatchTopK's running `threshold`).
   */
  namedTensors(): [string, tf.Variable][] {
    return [...this.variables, ...(this.rule.buffers ?? [])].map((v) => [v.name.slice(v.name.indexOf('/') + 1), v]);
  }

  /** optimizer steps since each latent last fired */
  get stepsSinceFired(): Int32Array {
    return this.dead.stepsSinceFired;
  }

  /** Decoder matrix [latentDim, inputDim] (W_enc^T when tied). */
  decoderMatrix(): tf.Tensor2D {
    return this.wDec ?? (tf.transpose(this.wEnc) as tf.Tensor2D);
  }

  /** Pre-activations (x - b_dec) W_enc + b_enc. */
  preActivations(x: tf.Tensor2D): tf.Tensor2D {
    assertMatrix(x, 'the input x', this.config.inputDim, 'DictSaeConfig.inputDim');
    return engine().centeredDense(x, this.bDec, this.wEnc, this.bEnc);
  }

  /** The codes of a trained model (BatchTopK: by its threshold, one input at a time; training uses the batch's top k·B). */
  encode(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.rule.encode(this.preActivations(x)));
  }

  decode(f: tf.Tensor2D): tf.Tensor2D {
    assertMatrix(f, 'the code f', this.config.latentDim, 'DictSaeConfig.latentDim');
    return tf.tidy(() => engine().dense(f, this.decoderMatrix(), this.bDec, 'linear', true));
  }

  /**
   * reconstruction: mean over batch of |x - x_hat|^2 / inputDim (an MSE); sparsity: the
   * activation's penalty before weighting (ReLU: mean over the batch of sum_j |f_j|; sigmoid: the
   * KL penalty; TopK and BatchTopK: the AuxK loss, 0 without AuxK; JumpReLU: the batch's L0);
   * total = reconstruction + weight * sparsity. The codes are the training codes
   * (rule.trainingEncode), and a Matryoshka SAE's reconstruction is the sum over its prefixes.
   */
  losses(x: tf.Tensor2D): SaeLossParts {
    const out = tf.tidy(() => {
      const pre = this.preActivations(x);
      const f = this.rule.trainingEncode ? this.rule.trainingEncode(pre) : this.rule.encode(pre);
      // x_hat = f W_dec + b_dec; a ReLU or TopK code (rule.sparseCode) is decoded by its non-zeros.
      const xHat = this.rule.sparseCode ? engine().sparseDecode(f, this.decoderMatrix(), this.bDec) : this.decode(f);
      const reconstruction = this.rule.reconstruction
        ? this.rule.reconstruction({ x, f, xHat, decoder: () => this.decoderMatrix(), bias: this.bDec }) : mse(x, xHat);
      const penalty = this.rule.penalty({ x, pre, f, xHat, decoder: () => this.decoderMatrix(), dead: this.dead });
      const sparsity = penalty ? penalty.value : tf.scalar(0);
      const total = penalty ? tf.add(reconstruction, tf.mul(penalty.weight, penalty.value)) as tf.Scalar : reconstruction;
      // A latent fired on the batch when its largest code over the batch is above the threshold.
      const fired = tf.keep(engine().firedLatents(f, this.rule.firingThreshold));
      this.rule.record?.(f);
      return { total, reconstruction, sparsity, fired };
    });
    this.dead.record(out.fired);
    return { total: out.total, reconstruction: out.reconstruction, sparsity: out.sparsity };
  }

  /** After each step: decoder rows back to unit norm (config.unitNormDecoder); dead-latent bookkeeping; the activation's own. */
  afterStep(): void {
    if (this.config.unitNormDecoder) {
      tf.tidy(() => {
        if (this.wDec) this.wDec.assign(engine().unitNorm(this.wDec, 1));
        else this.wEnc.assign(engine().unitNorm(this.wEnc, 0));
      });
    }
    this.dead.afterStep();
    this.rule.afterStep?.();
  }

  /** How many dead latents the AuxK loss uses now (config.auxK until setAuxK; 0 for activations without AuxK). */
  get auxK(): number {
    return this.dead.auxK;
  }

  /**
   * Turns the AuxK loss on (auxK > 0) or off (0) from the next step on: a training option, so
   * the config keeps the value the SAE was built with. Only a config with an auxK field (TopK, BatchTopK) has one.
   */
  setAuxK(auxK: number): void {
    if (!('auxK' in this.config)) {
      throw new Error(`setAuxK: a '${this.config.activation}' SAE has no AuxK loss (auxK is a field of 'topk' and 'batchtopk' configs)`);
    }
    const expected = integerUpTo<DictSaeConfig>(0, 'latentDim')(auxK, this.config);
    if (expected !== null) throw new Error(`setAuxK: auxK = ${showValue(auxK)} is invalid: expected ${expected}`);
    this.dead.auxK = auxK;
  }

  /** Fraction of latents that have not fired for deadAfter steps. */
  deadFraction(): number {
    return this.dead.fraction();
  }

  dispose(): void {
    for (const v of [this.wEnc, this.bEnc, ...(this.wDec ? [this.wDec] : []), this.bDec]) v.dispose();
    this.rule.dispose?.();
    this.dead.dispose();
  }
}

/**
 * L0 and FVU (metrics.ts) of `sae` on `data`. Codes at or below `threshold` (the activation's
 * firing threshold by default: 0.1 for sigmoid, Part 4's "active"; 0 otherwise) are set to 0
 * first, so a sigmoid's L0 counts real non-zeros and `fvu` is that sparse code's. `fvuRaw` is the
 * FVU of the code as the activation gives it (what training reconstructed from; for a sigmoid it
 * also uses the values at or below the threshold, which L0 does not count). For ReLU and TopK,
 * whose codes are >= 0, the two are the same number.
 */
export function evaluateDictSae(sae: DictSae, data: { images: Float32Array; count: number; dim: number },
  threshold = sae.rule.firingThreshold): { l0: number; fvu: number; fvuRaw: number } {
  const x = matrixOf(data.images, data.count, data.dim, 'data.images');
  const codes = floatsOf(() => sae.encode(tf.tensor2d(x.data, [x.rows, x.cols])));
  const kept = codes.map((v) => (v > threshold ? v : 0));
  const decoded = (c: Float32Array) => floatsOf(() => sae.decode(tf.tensor2d(c, [x.rows, sae.latentDim])));
  const fvuKept = fvu(x.data, decoded(kept), x.cols);
  const same = codes.every((v, i) => v === kept[i]);
  return { l0: l0(kept, sae.latentDim), fvu: fvuKept, fvuRaw: same ? fvuKept : fvu(x.data, decoded(codes), x.cols) };
}

/**
 * Per latent, on how many inputs of `data` it fires (its code is above the activation's firing
 * threshold), with the SAE as it is now. Encodes `batchSize` inputs at a time, so it never holds
 * the [count, latentDim] codes (60000 x 1024 floats for notebook 13's training set).
 */
export function firingCounts(sae: DictSae, data: { images: Float32Array; count: number; dim: number }, batchSize = 2048): Int32Array {
  const x = matrixOf(data.images, data.count, data.dim, 'data.images');
  const counts = new Int32Array(sae.latentDim);
  for (let start = 0; start < x.rows; start += batchSize) {
    const rows = Math.min(batchSize, x.rows - start);
    const batch = valuesOf(() => {
      const xb = tf.tensor2d(x.data.subarray(start * x.cols, (start + rows) * x.cols), [rows, x.cols]);
      return tf.sum(tf.cast(tf.greater(sae.encode(xb), sae.rule.firingThreshold), 'int32'), 0);
    });
    for (let j = 0; j < counts.length; j++) counts[j] += batch[j];
  }
  return counts;
}
