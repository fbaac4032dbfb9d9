/**
 * The single-layer sparse autoencoder of the interpretability literature (Anthropic's "Towards
 * Monosemanticity", OpenAI's "Scaling and evaluating sparse autoencoders"):
 *
 *   f = act((x - b_dec) W_enc + b_enc)      codes, [batch, latentDim]
 *   x_hat = f W_dec + b_dec                  W_dec rows (one per latent) kept at unit norm
 *
 * act is ReLU with an L1 penalty on f, TopK (the k largest pre-activations per input pass,
 * the rest are 0), or a sigmoid with the lesson's KL penalty toward a target rate rho. Latents that have not fired for `deadAfter` steps count as dead; with auxK > 0
 * an auxiliary loss asks the dead latents' top auxK to reconstruct the residual, which gives them
 * gradient again (OpenAI's AuxK, normalised by the residual's mean square). Tied weights use W_dec = W_enc^T.
 */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import type { SaeLossParts } from '../core/sae';
import { klPenalty } from '../core/losses';
import { assertMatrix } from '../runtime/guards';

export interface DictSaeConfig {
  inputDim: number;
  latentDim: number;
  /** 'relu' (with an L1 penalty), 'topk', or 'sigmoid' (with the lesson's KL penalty) */
  activation: 'relu' | 'topk' | 'sigmoid';
  /** active latents per input for TopK */
  k: number;
  /** weight of the L1 penalty sum_j |f_j| (ReLU only) */
  l1Weight: number;
  /** weight beta of the KL penalty (sigmoid only) */
  klWeight: number;
  /** target firing rate of the KL penalty (sigmoid only) */
  rho: number;
  /** share one matrix between encoder and decoder */
  tied: boolean;
  /** how many dead latents the auxiliary loss uses (0: no AuxK) */
  auxK: number;
  /** weight of the auxiliary loss */
  auxWeight: number;
  /** steps without firing after which a latent counts as dead */
  deadAfter: number;
}

export const DEFAULT_DICT_SAE: Readonly<DictSaeConfig> = Object.freeze({
  inputDim: 784, latentDim: 256, activation: 'topk', k: 16, l1Weight: 1e-3, klWeight: 0.01, rho: 0.05, tied: false, auxK: 0, auxWeight: 1 / 32, deadAfter: 200,
});

export function makeDictSaeConfig(partial: Partial<DictSaeConfig> = {}): DictSaeConfig {
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_DICT_SAE)) throw new Error(`unknown DictSaeConfig field '${key}'; the fields are ${Object.keys(DEFAULT_DICT_SAE).join(', ')}`);
  }
  const c = { ...DEFAULT_DICT_SAE, ...partial };
  const bad = (field: string, value: unknown, expected: string) => new Error(`DictSaeConfig.${field} = ${JSON.stringify(value)} is invalid: expected ${expected}`);
  const int = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!int(c.inputDim, 1, 1e6)) throw bad('inputDim', c.inputDim, 'an integer in [1, 1000000]');
  if (!int(c.latentDim, 1, 1e5)) throw bad('latentDim', c.latentDim, 'an integer in [1, 100000]');
  if (c.activation !== 'relu' && c.activation !== 'topk' && c.activation !== 'sigmoid') {
    throw bad('activation', c.activation, "'relu', 'topk' or 'sigmoid'");
  }
  if (!(c.klWeight >= 0 && Number.isFinite(c.klWeight))) throw bad('klWeight', c.klWeight, 'a finite number >= 0');
  if (!(c.rho > 0 && c.rho < 1)) throw bad('rho', c.rho, 'a number strictly between 0 and 1');
  if (!int(c.k, 1, c.latentDim)) throw bad('k', c.k, `an integer in [1, latentDim = ${c.latentDim}]`);
  if (!(c.l1Weight >= 0 && Number.isFinite(c.l1Weight))) throw bad('l1Weight', c.l1Weight, 'a finite number >= 0');
  if (!int(c.auxK, 0, c.latentDim)) throw bad('auxK', c.auxK, `an integer in [0, ${c.latentDim}]`);
  if (!(c.auxWeight >= 0 && Number.isFinite(c.auxWeight))) throw bad('auxWeight', c.auxWeight, 'a finite number >= 0');
  if (!int(c.deadAfter, 1, 1e9)) throw bad('deadAfter', c.deadAfter, 'a positive integer');
  if (typeof c.tied !== 'boolean') throw bad('tied', c.tied, 'true or false');
  return c;
}

/** Identity forward, zero gradient: the residual target of AuxK must not train the main path. */
const stopGradient = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  void save;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)] };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

/** 1 where an entry is among its row's k largest, else 0; a constant for gradients. */
function topKMask(z: tf.Tensor2D, k: number): tf.Tensor2D {
  // Built inside customGrad so the tape never sees TopK (which has no gradient in tfjs).
  const op = tf.customGrad(((x: tf.Tensor2D, save: tf.GradSaveFunc) => {
    void save;
    const { values } = tf.topk(x, k);
    const kth = tf.slice(values, [0, k - 1], [-1, 1]); // [batch, 1]
    return { value: tf.cast(tf.greaterEqual(x, kth), 'float32'), gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)] };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(z) as tf.Tensor2D;
}

/** Keeps each row's k largest entries of `z` (after ReLU) and zeroes the rest. */
export function topK(z: tf.Tensor2D, k: number): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.relu(z), topKMask(z, k)) as tf.Tensor2D);
}

let count = 0;

export class DictSae {
  readonly config: DictSaeConfig;
  readonly wEnc: tf.Variable<tf.Rank.R2>;
  readonly bEnc: tf.Variable<tf.Rank.R1>;
  readonly wDec: tf.Variable<tf.Rank.R2> | null;
  readonly bDec: tf.Variable<tf.Rank.R1>;
  /** optimizer steps since each latent last fired */
  readonly stepsSinceFired: Int32Array;
  private fired: tf.Tensor | null = null;
  private deadMask: tf.Tensor1D;

  constructor(config: Partial<DictSaeConfig> = {}, seed = 42) {
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
    const name = `dictsae${++count}`;
    // tidy frees the initial-value tensors; variables and kept tensors survive it.
    this.wEnc = tf.tidy(() => tf.variable(tf.tensor2d(enc, [d, m]), true, `${name}/w_enc`));
    this.bEnc = tf.tidy(() => tf.variable(tf.zeros([m]) as tf.Tensor1D, true, `${name}/b_enc`));
    this.wDec = this.config.tied ? null : tf.tidy(() => tf.variable(tf.tensor2d(dec, [m, d]), true, `${name}/w_dec`));
    this.bDec = tf.tidy(() => tf.variable(tf.zeros([d]) as tf.Tensor1D, true, `${name}/b_dec`));
    this.deadMask = tf.zeros([m]) as tf.Tensor1D;
    this.stepsSinceFired = new Int32Array(m);
  }

  get latentDim(): number {
    return this.config.latentDim;
  }

  get variables(): tf.Variable[] {
    return [this.wEnc, this.bEnc, ...(this.wDec ? [this.wDec] : []), this.bDec];
  }

  /** Decoder matrix [latentDim, inputDim] (W_enc^T when tied). */
  decoderMatrix(): tf.Tensor2D {
    return this.wDec ?? (tf.transpose(this.wEnc) as tf.Tensor2D);
  }

  /** Pre-activations (x - b_dec) W_enc + b_enc. */
  preActivations(x: tf.Tensor2D): tf.Tensor2D {
    assertMatrix(x, 'the input x', this.config.inputDim, 'DictSaeConfig.inputDim');
    return tf.tidy(() => tf.add(tf.matMul(tf.sub(x, this.bDec), this.wEnc), this.bEnc) as tf.Tensor2D);
  }

  /** The activation applied to pre-activations. */
  private activate(pre: tf.Tensor2D): tf.Tensor2D {
    if (this.config.activation === 'topk') return topK(pre, this.config.k);
    if (this.config.activation === 'sigmoid') return tf.sigmoid(pre);
    return tf.relu(pre);
  }

  encode(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.activate(this.preActivations(x)));
  }

  decode(f: tf.Tensor2D): tf.Tensor2D {
    assertMatrix(f, 'the code f', this.config.latentDim, 'DictSaeConfig.latentDim');
    return tf.tidy(() => tf.add(tf.matMul(f, this.decoderMatrix()), this.bDec) as tf.Tensor2D);
  }

  /**
   * reconstruction: mean over batch of |x - x_hat|^2 / inputDim (an MSE); sparsity: for ReLU the
   * mean over the batch of sum_j |f_j|, for TopK the AuxK loss (0 without AuxK).
   */
  losses(x: tf.Tensor2D): SaeLossParts {
    const out = tf.tidy(() => {
      const pre = this.preActivations(x);
      const f = this.activate(pre);
      const xHat = tf.add(tf.matMul(f, this.decoderMatrix()), this.bDec);
      const reconstruction = tf.mean(tf.squaredDifference(x, xHat)) as tf.Scalar;
      let sparsity: tf.Scalar;
      let total: tf.Scalar;
      if (this.config.activation === 'relu') {
        sparsity = tf.mean(tf.sum(tf.abs(f), 1)) as tf.Scalar;
        total = tf.add(reconstruction, tf.mul(this.config.l1Weight, sparsity)) as tf.Scalar;
      } else if (this.config.activation === 'sigmoid') {
        sparsity = klPenalty(f, this.config.rho);
        total = tf.add(reconstruction, tf.mul(this.config.klWeight, sparsity)) as tf.Scalar;
      } else if (this.config.auxK > 0 && this.deadCount > 0) {
        // AuxK: the dead latents' top auxK pre-activations reconstruct the (fixed) residual.
        const residual = stopGradient(tf.sub(x, xHat));
        // The dead latents' largest pre-activations, kept as they are (not through the ReLU):
        // a dead latent usually has a negative pre-activation everywhere, and a ReLU would give
        // it no gradient at all. Living latents are pushed far below by the mask.
        const deadPre = tf.add(tf.mul(pre, this.deadMask), tf.mul(tf.sub(this.deadMask, 1), 1e4)) as tf.Tensor2D;
        const chosen = tf.mul(topKMask(deadPre, Math.min(this.config.auxK, this.config.latentDim)), this.deadMask);
        const fDead = tf.mul(pre, chosen) as tf.Tensor2D;
        const eHat = tf.matMul(fDead, this.decoderMatrix());
        // Normalised by the residual's own size (as in Gao et al.), so the aux term stays O(1)
        // even when the main reconstruction error is small.
        sparsity = tf.div(tf.mean(tf.squaredDifference(residual, eHat)), tf.add(tf.mean(tf.square(residual)), 1e-12)) as tf.Scalar;
        total = tf.add(reconstruction, tf.mul(this.config.auxWeight, sparsity)) as tf.Scalar;
      } else {
        sparsity = tf.scalar(0);
        total = reconstruction;
      }
      // A sigmoid never outputs exactly 0: it "fires" above Part 4's threshold 0.1.
      const fired = tf.keep(tf.cast(tf.any(tf.greater(f, this.config.activation === 'sigmoid' ? 0.1 : 0), 0), 'int32'));
      return { total, reconstruction, sparsity, fired };
    });
    this.fired?.dispose();
    this.fired = out.fired;
    return { total: out.total, reconstruction: out.reconstruction, sparsity: out.sparsity };
  }

  /** After each step: decoder rows back to unit norm; dead-latent bookkeeping. */
  afterStep(): void {
    tf.tidy(() => {
      if (this.wDec) {
        this.wDec.assign(tf.div(this.wDec, tf.maximum(tf.norm(this.wDec, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D);
      } else {
        this.wEnc.assign(tf.div(this.wEnc, tf.maximum(tf.norm(this.wEnc, 'euclidean', 0, true), 1e-12)) as tf.Tensor2D);
      }
    });
    if (this.fired) {
      const fired = this.fired.dataSync();
      for (let j = 0; j < fired.length; j++) this.stepsSinceFired[j] = fired[j] ? 0 : this.stepsSinceFired[j] + 1;
      this.fired.dispose();
      this.fired = null;
      const dead = Float32Array.from(this.stepsSinceFired, (s) => (s >= this.config.deadAfter ? 1 : 0));
      this.deadMask.dispose();
      this.deadMask = tf.keep(tf.tensor1d(dead));
    }
  }

  private get deadCount(): number {
    return this.stepsSinceFired.reduce((n, s) => n + (s >= this.config.deadAfter ? 1 : 0), 0);
  }

  /** Turns the AuxK loss on (auxK > 0) or off (0) from the next step on. */
  setAuxK(auxK: number): void {
    (this as { config: DictSaeConfig }).config = makeDictSaeConfig({ ...this.config, auxK });
  }

  /** Fraction of latents that have not fired for deadAfter steps. */
  deadFraction(): number {
    return this.stepsSinceFired.reduce((n, s) => n + (s >= this.config.deadAfter ? 1 : 0), 0) / this.latentDim;
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
    this.deadMask.dispose();
    this.fired?.dispose();
  }
}

/**
 * L0 and FVU of `sae` on `data`. Sigmoid codes are first thresholded (activations <= threshold set
 * to 0, Part 4's "active"), so their L0 counts real non-zeros and the FVU is that sparse code's.
 */
export function evaluateDictSae(sae: DictSae, data: { images: Float32Array; count: number; dim: number }, threshold = 0.1): { l0: number; fvu: number } {
  return tf.tidy(() => {
    const x = tf.tensor2d(data.images, [data.count, data.dim]);
    let f = sae.encode(x);
    if (sae.config.activation === 'sigmoid') f = tf.mul(f, tf.cast(tf.greater(f, threshold), 'float32')) as tf.Tensor2D;
    const xHat = sae.decode(f);
    const l0 = tf.mean(tf.sum(tf.cast(tf.notEqual(f, 0), 'float32'), 1)).dataSync()[0];
    const err = tf.sum(tf.squaredDifference(x, xHat)).dataSync()[0];
    const total = tf.sum(tf.squaredDifference(x, tf.mean(x, 0))).dataSync()[0];
    return { l0, fvu: err / total };
  });
}

/**
 * Resampling of dead latents (Anthropic, "Towards Monosemanticity"): each latent that has not
 * fired for deadAfter steps gets a new decoder row pointing at the residual of an input the model
 * reconstructs badly (drawn with probability proportional to its squared error), an encoder column
 * along the same direction scaled to `encoderScale` x the mean norm of the living columns (0.2 in
 * the paper's ReLU SAE; a TopK latent must beat the others to fire at all, so 1 is the default
 * here), and bias 0. Returns how many latents were resampled.
 */
export function resampleDeadLatents(sae: DictSae, data: { images: Float32Array; count: number; dim: number }, seed: number,
  options: { sample?: number; encoderScale?: number } = {}): number {
  const sample = options.sample ?? 2048;
  const { latentDim: m, inputDim: d, deadAfter } = sae.config;
  const dead = Array.from(sae.stepsSinceFired.keys()).filter((j) => sae.stepsSinceFired[j] >= deadAfter);
  if (dead.length === 0) return 0;
  const rng = new Rng(seed);
  const rows = Array.from(rng.permutation(data.count).subarray(0, Math.min(sample, data.count)));
  const x = new Float32Array(rows.length * d);
  rows.forEach((r, i) => x.set(data.images.subarray(r * d, (r + 1) * d), i * d));
  const residual = tf.tidy(() => {
    const xt = tf.tensor2d(x, [rows.length, d]);
    return tf.sub(xt, sae.decode(sae.encode(xt))).dataSync() as Float32Array;
  });
  const err = Array.from({ length: rows.length }, (_, i) => residual.subarray(i * d, (i + 1) * d).reduce((s, v) => s + v * v, 0));
  const total = err.reduce((a, b) => a + b, 0);
  const enc = sae.wEnc.dataSync().slice() as Float32Array; // [d, m]
  const aliveNorms: number[] = [];
  for (let j = 0; j < m; j++) {
    if (sae.stepsSinceFired[j] >= deadAfter) continue;
    let s = 0;
    for (let t = 0; t < d; t++) s += enc[t * m + j] ** 2;
    aliveNorms.push(Math.sqrt(s));
  }
  const scale = (options.encoderScale ?? 1) * (aliveNorms.length ? aliveNorms.reduce((a, b) => a + b, 0) / aliveNorms.length : 1);
  const dec = sae.wDec ? (sae.wDec.dataSync().slice() as Float32Array) : null; // [m, d]
  const bEnc = sae.bEnc.dataSync().slice() as Float32Array;
  for (const j of dead) {
    // draw an input with probability proportional to its squared error
    let u = rng.next() * total;
    let i = 0;
    while (i < err.length - 1 && u >= err[i]) { u -= err[i]; i++; }
    const v = residual.subarray(i * d, (i + 1) * d);
    const norm = Math.sqrt(v.reduce((s, a) => s + a * a, 0)) || 1;
    for (let t = 0; t < d; t++) {
      if (dec) dec[j * d + t] = v[t] / norm;
      enc[t * m + j] = (v[t] / norm) * (dec ? scale : 1);
    }
    bEnc[j] = 0;
    sae.stepsSinceFired[j] = 0;
  }
  tf.tidy(() => {
    sae.wEnc.assign(tf.tensor2d(enc, [d, m]));
    sae.bEnc.assign(tf.tensor1d(bEnc));
    if (sae.wDec && dec) sae.wDec.assign(tf.tensor2d(dec, [m, d]));
  });
  return dead.length;
}
