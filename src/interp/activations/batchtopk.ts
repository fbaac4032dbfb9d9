/**
 * BatchTopK codes (Bussmann, Leask and Nanda, "BatchTopK Sparse Autoencoders", arXiv:2412.06410;
 * SAELens `batchtopk_sae.py`, dictionary_learning `trainers/batch_top_k.py`). While training, the
 * batch as a whole keeps its k·B largest activations, B its count of inputs:
 *
 *   f = relu(pre) * [relu(pre) >= the (k·B)-th largest entry of relu(pre) over the whole batch]
 *
 * so an input has as many latents as it needs and the batch's mean L0 is k. A trained model
 * encodes one input at a time, as a JumpReLU with one threshold θ for every latent:
 *
 *   f = relu(pre) * [pre > θ]
 *
 * θ is a running mean of the smallest code the training batches kept (a buffer, not trained):
 *
 *   m_t = min { f_ij > 0 } of step t's training code
 *   θ_1 = m_1;  θ_t = (1 - r) θ_{t-1} + r m_t     r = thresholdRate (SAELens' topk_threshold_lr, 0.01)
 *
 * The first step sets θ outright, as dictionary_learning does (its θ starts at -1, "unset"), so a
 * short run's θ is not biased toward SAELens' start of 0; the rate is SAELens', which updates from
 * the first step on (dictionary_learning waits 1000 steps). A step whose code keeps nothing
 * positive leaves θ as it was (SAELens). Until the first step θ is -1 and encode is a plain ReLU.
 *
 * Ties: every entry equal to the batch's (k·B)-th value is kept, as topKMask keeps ties with a
 * row's k-th, so a batch with ties keeps more than k·B (the libraries' torch.topk keeps exactly k·B,
 * whichever of the tied entries its kernel returns). Entries <= 0 are never kept, so a batch with fewer than k·B
 * positive pre-activations keeps fewer. The sparsity term is TopK's AuxK (deadlatents.ts); with
 * `prefixes` the reconstruction is Matryoshka's (matryoshka.ts).
 */
import * as tf from '../../runtime/tf';
import { Check, finiteAtLeast, integerUpTo } from '../../core/checks';
import { engine } from '../../runtime/engine';
import { matryoshkaReconstruction, prefixesCheck } from './matryoshka';
import type { ActivationKind, ActivationRule, DictSaeBase } from './types';

export interface BatchTopKSaeConfig extends DictSaeBase {
  activation: 'batchtopk';
  /** mean active latents per input: a training batch of B inputs keeps its k·B largest codes */
  k: number;
  /** how many dead latents the AuxK loss uses at the start (0: no AuxK); DictSae.setAuxK changes it while training */
  auxK: number;
  /** the weight of the AuxK loss */
  auxWeight: number;
  /** r of the running threshold θ <- (1 - r) θ + r (smallest kept code) */
  thresholdRate: number;
  /**
   * Matryoshka (matryoshka.ts): latent counts m_1 < ... < m_n = latentDim, one reconstruction loss
   * each, from the first m_i latents alone; [] for plain BatchTopK.
   */
  prefixes: readonly number[];
}

/** θ before the first training step: below every ReLU code, so encode is a ReLU. */
export const UNSET_THRESHOLD = -1;

const aRate: Check<unknown> = (v) => (typeof v === 'number' && v > 0 && v <= 1 ? null : 'a number in (0, 1]');

/** The batch's k·B largest entries of relu(pre) kept, ties with the (k·B)-th kept. pre [batch, latentDim] -> [batch, latentDim] */
export function batchTopK(pre: tf.Tensor2D, k: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [rows, cols] = pre.shape;
    // One row of rows·cols entries: TopK's kernel over the whole batch (its gradient: the kept entries).
    const flat = tf.reshape(pre, [1, rows * cols]) as tf.Tensor2D;
    return tf.reshape(engine().topk(flat, k * rows), [rows, cols]) as tf.Tensor2D;
  });
}

/** The JumpReLU of a trained BatchTopK SAE: relu(pre) * [pre > θ], θ a scalar. pre [batch, latentDim] -> [batch, latentDim] */
export function thresholdCode(pre: tf.Tensor2D, threshold: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.relu(pre), tf.cast(tf.greater(pre, threshold), 'float32')) as tf.Tensor2D);
}

/** The smallest positive entry of f (a scalar), Infinity where it has none. */
function smallestPositive(f: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.min(tf.where(tf.greater(f, 0), f, tf.fill(f.shape, Infinity))) as tf.Scalar);
}

/** θ after one step that kept codes down to `smallest` (Infinity: none kept, θ unchanged). */
export function nextThreshold(threshold: tf.Tensor, smallest: tf.Tensor, rate: number): tf.Tensor {
  return tf.tidy(() => {
    const ema = tf.add(tf.mul(1 - rate, threshold), tf.mul(rate, smallest));
    const started = tf.greaterEqual(threshold, 0);
    return tf.where(tf.isFinite(smallest), tf.where(started, ema, smallest), threshold);
  });
}

function create(config: BatchTopKSaeConfig, name: string): ActivationRule {
  const threshold = tf.tidy(() => tf.variable(tf.scalar(UNSET_THRESHOLD), false, `${name}/threshold`));
  const prefixes = config.prefixes.slice();
  let smallest: tf.Scalar | null = null;
  return {
    encode: (pre) => thresholdCode(pre, threshold),
    trainingEncode: (pre) => batchTopK(pre, config.k),
    penalty: (input) => input.dead.auxKPenalty(input, config.auxWeight),
    ...(prefixes.length > 0 ? { reconstruction: (input) => matryoshkaReconstruction(input, prefixes) } : {}),
    firingThreshold: 0,
    sparseCode: true,
    buffers: [threshold],
    record(f) {
      smallest?.dispose();
      smallest = tf.keep(smallestPositive(f));
    },
    afterStep() {
      if (!smallest) return;
      const kept = smallest;
      tf.tidy(() => threshold.assign(nextThreshold(threshold, kept, config.thresholdRate) as tf.Scalar));
      kept.dispose();
      smallest = null;
    },
    dispose() {
      threshold.dispose();
      smallest?.dispose();
      smallest = null;
    },
  };
}

export const BATCHTOPK: ActivationKind<BatchTopKSaeConfig> = {
  defaults: { k: 16, auxK: 0, auxWeight: 1 / 32, thresholdRate: 0.01, prefixes: Object.freeze([]) as readonly number[] },
  checks: {
    k: integerUpTo(1, 'latentDim'), auxK: integerUpTo(0, 'latentDim'), auxWeight: finiteAtLeast(0),
    thresholdRate: aRate, prefixes: prefixesCheck,
  },
  create,
};
