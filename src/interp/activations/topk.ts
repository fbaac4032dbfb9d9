/**
 * TopK codes (OpenAI, "Scaling and evaluating sparse autoencoders"): each input keeps its k
 * largest pre-activations (after a ReLU), the rest are 0. Sparsity is built in, so there is no
 * penalty; the loss's sparsity term is the AuxK loss when it is on (see deadlatents.ts).
 */
import * as tf from '../../runtime/tf';
import { finiteAtLeast, integerUpTo } from '../../core/checks';
import type { ActivationKind, DictSaeBase } from './types';
import { engine } from '../../runtime/engine';

export interface TopKSaeConfig extends DictSaeBase {
  activation: 'topk';
  /** active latents per input */
  k: number;
  /** how many dead latents the AuxK loss uses at the start (0: no AuxK); DictSae.setAuxK changes it while training */
  auxK: number;
  /** the weight of the AuxK loss */
  auxWeight: number;
}

/** 1 where an entry is among its row's k largest (ties with the k-th kept), else 0; a constant for gradients. z [batch, n] -> [batch, n] */
export function topKMask(z: tf.Tensor2D, k: number): tf.Tensor2D {
  return engine().topkMask(z, k);
}

/** Keeps each row's k largest entries of `z` (after ReLU) and zeroes the rest: relu(z) * topKMask(z, k). z [batch, n] -> [batch, n] */
export function topK(z: tf.Tensor2D, k: number): tf.Tensor2D {
  return engine().topk(z, k);
}

export const TOPK: ActivationKind<TopKSaeConfig> = {
  defaults: { k: 16, auxK: 0, auxWeight: 1 / 32 },
  checks: { k: integerUpTo(1, 'latentDim'), auxK: integerUpTo(0, 'latentDim'), auxWeight: finiteAtLeast(0) },
  create: (config) => ({
    encode: (pre) => topK(pre, config.k),
    penalty: (input) => input.dead.auxKPenalty(input, config.auxWeight),
    firingThreshold: 0,
    sparseCode: true,
  }),
};
