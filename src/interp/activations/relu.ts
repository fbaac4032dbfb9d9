/** ReLU codes with an L1 penalty (Anthropic, "Towards Monosemanticity"): f = ReLU(pre). */
import * as tf from '../../runtime/tf';
import { finiteAtLeast } from '../../core/checks';
import { l1SumPenalty } from '../../core/losses';
import type { ActivationKind, DictSaeBase } from './types';

export interface ReluSaeConfig extends DictSaeBase {
  activation: 'relu';
  /** lambda: the weight of the L1 penalty mean over the batch of sum_j |f_j| */
  sparsityWeight: number;
}

export const RELU: ActivationKind<ReluSaeConfig> = {
  defaults: { sparsityWeight: 1e-3 },
  checks: { sparsityWeight: finiteAtLeast(0) },
  create: (config) => ({
    encode: (pre) => tf.relu(pre),
    penalty: ({ f }) => ({ value: l1SumPenalty(f), weight: config.sparsityWeight }),
    firingThreshold: 0,
    sparseCode: true,
  }),
};
