/**
 * The dictionary SAE's activations, one file each. To add one (BatchTopK, JumpReLU, ...): a file
 * here with its config interface (extending DictSaeBase, with its own `activation` name), its
 * defaults and checks, and `create` (encode, penalty, firing rule); then add it to the union and
 * to ACTIVATIONS below. Nothing else in the SAE changes.
 */
import { RELU, ReluSaeConfig } from './relu';
import { SIGMOID, SigmoidSaeConfig } from './sigmoid';
import { TOPK, TopKSaeConfig } from './topk';
import type { ActivationRule, ActivationKind } from './types';

/** A dictionary SAE's config: the base fields plus those of its activation, and nothing else. */
export type DictSaeConfig = ReluSaeConfig | TopKSaeConfig | SigmoidSaeConfig;

export type ActivationName = DictSaeConfig['activation'];

/** Every activation kind by name. */
export const ACTIVATIONS: { readonly [A in ActivationName]: ActivationKind<Extract<DictSaeConfig, { activation: A }>> } = {
  relu: RELU,
  topk: TOPK,
  sigmoid: SIGMOID,
};

export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];

/** The activation of a checked `config`, bound to it. */
export function ruleFor(config: DictSaeConfig): ActivationRule {
  // The table pairs each name with its own config type; TypeScript can't follow that pairing.
  return (ACTIVATIONS[config.activation] as unknown as ActivationKind<DictSaeConfig>).create(config);
}

export type { ReluSaeConfig, SigmoidSaeConfig, TopKSaeConfig };
export type { ActivationRule, ActivationKind, DictSaeBase, Penalty, PenaltyInput } from './types';
export { topK, topKMask } from './topk';
