/**
 * The dictionary SAE's config: a discriminated union on `activation`, so each kind holds its own
 * fields (a TopK field never blocks a ReLU SAE), checked once by the kit's one checker where it
 * enters (`new DictSae(options)` or makeDictSaeConfig).
 */
import { Checks, aBoolean, checkConfig, integerAtLeast, integerIn, invalidField, isChecked, oneOf } from '../core/checks';
import {
  ACTIVATIONS, ACTIVATION_NAMES, ActivationName, BatchTopKSaeConfig, DictSaeConfig, DictSaeBase, JumpReluSaeConfig, ReluSaeConfig,
  SigmoidSaeConfig, TopKSaeConfig,
} from './activations/index';

/** What `new DictSae(...)` takes: some fields of one kind; `activation` may be left out for TopK (the default). */
export type DictSaeOptions =
  | (Partial<Omit<TopKSaeConfig, 'activation'>> & { activation?: 'topk' })
  | (Partial<Omit<ReluSaeConfig, 'activation'>> & { activation: 'relu' })
  | (Partial<Omit<SigmoidSaeConfig, 'activation'>> & { activation: 'sigmoid' })
  | (Partial<Omit<BatchTopKSaeConfig, 'activation'>> & { activation: 'batchtopk' })
  | (Partial<Omit<JumpReluSaeConfig, 'activation'>> & { activation: 'jumprelu' });

const NAME = 'DictSaeConfig';

export const DEFAULT_ACTIVATION: ActivationName = 'topk';

const BASE_DEFAULTS: Readonly<DictSaeBase> = Object.freeze({ inputDim: 784, latentDim: 256, tied: false, deadAfter: 200, unitNormDecoder: true });

/** Checked first, in this order (latentDim before the kind's fields, which may depend on it). */
const BASE_CHECKS: Checks<DictSaeBase & { activation: string }> = {
  inputDim: integerIn(1, 1_000_000),
  latentDim: integerIn(1, 100_000),
  activation: oneOf(...ACTIVATION_NAMES),
  tied: aBoolean,
  deadAfter: integerAtLeast(1),
  unitNormDecoder: aBoolean,
};

/** Every field some kind has, for telling another kind's field (ignored) from a typo (an error). */
const KIND_FIELDS = Array.from(new Set(Object.values(ACTIVATIONS).flatMap((kind) => Object.keys(kind.checks))));

/**
 * `options` merged into the defaults of its activation and checked: errors name the field, the
 * value and what is allowed. Fields of another activation (k for a ReLU SAE) are dropped, not
 * checked; unknown fields are errors. A config that came out of here is returned as it is.
 */
export function makeDictSaeConfig(options: DictSaeOptions = {}): DictSaeConfig {
  if (isChecked(options, NAME)) return options as DictSaeConfig;
  const activation = (options as { activation?: unknown })?.activation ?? DEFAULT_ACTIVATION;
  const expected = BASE_CHECKS.activation(activation, {} as never);
  if (expected !== null) throw invalidField(NAME, 'activation', activation, expected);
  const kind = ACTIVATIONS[activation as ActivationName];
  const own = Object.keys(kind.checks);
  const checks = { ...BASE_CHECKS, ...kind.checks } as unknown as Checks<DictSaeConfig>;
  const defaults = { ...BASE_DEFAULTS, activation, ...kind.defaults } as DictSaeConfig;
  return checkConfig(NAME, checks, defaults, options as Partial<DictSaeConfig>, { ignore: KIND_FIELDS.filter((f) => !own.includes(f)) });
}

/** The default dictionary SAE: TopK with k = 16 of 256 latents on 784 inputs, no AuxK. */
export const DEFAULT_DICT_SAE = makeDictSaeConfig() as TopKSaeConfig;
