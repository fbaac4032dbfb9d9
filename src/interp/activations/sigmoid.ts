/**
 * Sigmoid codes with the lesson's KL penalty toward a target firing rate rho (Part 2), so the
 * dictionary SAE can be compared with the lesson's model at matched L0: f = sigmoid(pre).
 */
import * as tf from '../../runtime/tf';
import { finiteAtLeast, strictlyBetween } from '../../core/checks';
import { klPenalty } from '../../core/losses';
import type { ActivationKind, DictSaeBase } from './types';

export interface SigmoidSaeConfig extends DictSaeBase {
  activation: 'sigmoid';
  /** beta: the weight of the KL penalty sum_j KL(rho || rhoHat_j) */
  sparsityWeight: number;
  /** the target mean activation rho of each latent */
  rho: number;
}

export const SIGMOID: ActivationKind<SigmoidSaeConfig> = {
  defaults: { sparsityWeight: 0.01, rho: 0.05, unitNormDecoder: false },
  checks: { sparsityWeight: finiteAtLeast(0), rho: strictlyBetween(0, 1) },
  create: (config) => ({
    encode: (pre) => tf.sigmoid(pre),
    penalty: ({ f }) => ({ value: klPenalty(f, config.rho), weight: config.sparsityWeight }),
    firingThreshold: 0.1,
    sparseCode: false,
  }),
};
