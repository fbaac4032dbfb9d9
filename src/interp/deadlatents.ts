/**
 * The dictionary SAE's dead-latent machinery: which latents have stopped firing, the AuxK loss
 * that gives them gradient again (OpenAI, Gao et al. 2024), and resampling (Anthropic, "Towards
 * Monosemanticity"). A latent that has not fired for `deadAfter` optimizer steps counts as dead.
 */
import * as tf from '../runtime/tf';
import { floatsOf } from '../runtime/values';
import { Rng } from '../runtime/random';
import { auxKLoss } from '../core/losses';
import { topKMask } from './activations/topk';
import type { Penalty, PenaltyInput } from './activations/types';
import type { DictSae } from './dictsae';

/** Identity forward, zero gradient: the residual target of AuxK must not train the main path. */
const stopGradient = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  void save;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)] };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

/** Per-latent firing counts of one SAE, and the AuxK count in force (a training option, not config). */
export class DeadLatents {
  /** optimizer steps since each latent last fired */
  readonly stepsSinceFired: Int32Array;
  /** how many dead latents the AuxK loss uses (0: off) */
  auxK: number;
  /** this step's firing vector [latentDim], 1 where a latent fired on some input of the batch */
  private fired: tf.Tensor | null = null;
  /** [latentDim], 1 for a dead latent: what AuxK reads */
  private deadMask: tf.Tensor1D;

  constructor(readonly latentDim: number, readonly deadAfter: number, auxK: number) {
    this.stepsSinceFired = new Int32Array(latentDim);
    this.deadMask = tf.zeros([latentDim]) as tf.Tensor1D;
    this.auxK = auxK;
  }

  /** Keeps the batch's firing vector (int32 [latentDim], kept out of tidy) until afterStep. */
  record(fired: tf.Tensor): void {
    this.fired?.dispose();
    this.fired = fired;
  }

  /** After each optimizer step: advance the counts with the recorded firing, refresh the dead mask. */
  afterStep(): void {
    if (!this.fired) return;
    const fired = this.fired.dataSync();
    for (let j = 0; j < fired.length; j++) this.stepsSinceFired[j] = fired[j] ? 0 : this.stepsSinceFired[j] + 1;
    this.fired.dispose();
    this.fired = null;
    this.refreshMask();
  }

  /** Sets the counts (a checkpoint's) and the dead mask from them, as after a step. */
  restore(stepsSinceFired: ArrayLike<number>): void {
    if (stepsSinceFired.length !== this.latentDim) throw new Error(`restore: ${stepsSinceFired.length} counts for ${this.latentDim} latents`);
    this.stepsSinceFired.set(stepsSinceFired);
    this.refreshMask();
  }

  private refreshMask(): void {
    const dead = Float32Array.from(this.stepsSinceFired, (s) => (s >= this.deadAfter ? 1 : 0));
    this.deadMask.dispose();
    this.deadMask = tf.keep(tf.tensor1d(dead));
  }

  /** How many latents are dead now. */
  count(): number {
    return this.stepsSinceFired.reduce((n, s) => n + (s >= this.deadAfter ? 1 : 0), 0);
  }

  /** The fraction of latents that are dead now. */
  fraction(): number {
    return this.count() / this.latentDim;
  }

  /**
   * The AuxK term of this batch, or null when AuxK is off or no latent is dead: the dead latents'
   * top auxK pre-activations, decoded, reconstruct the (fixed) residual x - xHat (see auxKLoss).
   */
  auxKPenalty(input: PenaltyInput, weight: number): Penalty | null {
    if (!(this.auxK > 0 && this.count() > 0)) return null;
    const mask = this.deadMask;
    const residual = stopGradient(tf.sub(input.x, input.xHat)) as tf.Tensor2D;
    // The dead latents' largest pre-activations, kept as they are (not through the ReLU):
    // a dead latent usually has a negative pre-activation everywhere, and a ReLU would give
    // it no gradient at all. Living latents are pushed far below by the mask.
    const deadPre = tf.add(tf.mul(input.pre, mask), tf.mul(tf.sub(mask, 1), 1e4)) as tf.Tensor2D;
    const chosen = tf.mul(topKMask(deadPre, Math.min(this.auxK, this.latentDim)), mask);
    const fDead = tf.mul(input.pre, chosen) as tf.Tensor2D;
    const eHat = tf.matMul(fDead, input.decoder()) as tf.Tensor2D;
    return { value: auxKLoss(residual, eHat), weight };
  }

  dispose(): void {
    this.deadMask.dispose();
    this.fired?.dispose();
    this.fired = null;
  }
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
  const residual = floatsOf(() => {
    const xt = tf.tensor2d(x, [rows.length, d]);
    return tf.sub(xt, sae.decode(sae.encode(xt)));
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
