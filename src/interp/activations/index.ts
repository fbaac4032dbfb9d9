/**
 * The dictionary SAE's activations, one file each. To add one: a file here with its config
 * interface (extending DictSaeBase, with its own `activation` name), its defaults and checks, and
 * `create` (encode, penalty, firing rule, and any parameter, state or loss term of its own: see
 * ActivationRule); then add it to the union and to ACTIVATIONS below. Nothing else in the SAE changes.
 */
import { modelPrefix } from '../../core/dense';
import { BATCHTOPK, BatchTopKSaeConfig } from './batchtopk';
import { JUMPRELU, JumpReluSaeConfig } from './jumprelu';
import { RELU, ReluSaeConfig } from './relu';
import { SIGMOID, SigmoidSaeConfig } from './sigmoid';
import { TOPK, TopKSaeConfig } from './topk';
import type { ActivationRule, ActivationKind } from './types';

/** A dictionary SAE's config: the base fields plus those of its activation, and nothing else. */
export type DictSaeConfig = ReluSaeConfig | TopKSaeConfig | SigmoidSaeConfig | BatchTopKSaeConfig | JumpReluSaeConfig;

export type ActivationName = DictSaeConfig['activation'];

/** Every activation kind by name. */
export const ACTIVATIONS: { readonly [A in ActivationName]: ActivationKind<Extract<DictSaeConfig, { activation: A }>> } = {
  relu: RELU,
  topk: TOPK,
  sigmoid: SIGMOID,
  batchtopk: BATCHTOPK,
  jumprelu: JUMPRELU,
};

export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];

/**
 * The activation of a checked `config`, bound to it; `name` prefixes the names of its own
 * variables (the SAE passes its own; a rule made alone gets a fresh one).
 */
export function ruleFor(config: DictSaeConfig, name = modelPrefix(config.activation)): ActivationRule {
  // The table pairs each name with its own config type; TypeScript can't follow that pairing.
  return (ACTIVATIONS[config.activation] as unknown as ActivationKind<DictSaeConfig>).create(config, name);
}

export type { ReluSaeConfig, SigmoidSaeConfig, TopKSaeConfig, BatchTopKSaeConfig, JumpReluSaeConfig };
export type { ActivationRule, ActivationKind, DictSaeBase, Penalty, PenaltyInput, ReconstructionInput } from './types';
export { topK, topKMask } from './topk';
export { batchTopK, thresholdCode, nextThreshold, UNSET_THRESHOLD } from './batchtopk';
export { jumpRelu, l0Penalty, rectangleKernel } from './jumprelu';
export { matryoshkaReconstruction } from './matryoshka';
