/**
 * The config of the toy model of superposition (Anthropic, "Toy Models of Superposition", 2022;
 * ARENA chapter 1.5.4): `instances` independent copies of one small model, trained at once, each
 * with its own feature probability and importances, so that a sweep over sparsity is one run.
 * Checked once, where it enters (createToyModel), by the kit's one checker (core/checks.ts).
 */
import { Check, Checks, anInteger, checkConfig, finiteAbove, integerIn, integerUpTo } from '../core/checks';

export interface ToyConfig {
  /** n: input and output width, one unit per feature (5 in the paper's first figure). */
  inputDim: number;
  /** m: width of the hidden layer h = W x, at most inputDim (2 in the paper's first figure). */
  hiddenDim: number;
  /** How many independent models are trained side by side in one batched graph. */
  instances: number;
  /**
   * p: the probability that a feature is present (sparsity S = 1 - p). One number for every
   * instance, or one per instance (length `instances`): featureProbabilities builds a sweep.
   */
  featureProbability: number | readonly number[];
  /**
   * I_i, the weight of feature i in the loss. A number d: I_i = d^i (1: all equal; the paper and
   * ARENA use 0.7 and 0.9). A list of inputDim numbers: the same importances for every instance.
   * A list of `instances` such lists: one importance vector per instance.
   */
  importance: number | readonly number[] | readonly (readonly number[])[];
  /** Instance k draws its initial weights and its data from seeds made of seed + k (model.ts, data.ts). */
  seed: number;
  /** Adam steps; every step draws a fresh batch. */
  steps: number;
  /** Samples per batch, per instance. */
  batchSize: number;
  /** Adam's learning rate (constant). */
  learningRate: number;
}

/** A number in (0, 1]. */
const isProbability = (v: unknown): boolean => typeof v === 'number' && v > 0 && v <= 1;
/** A finite number > 0. */
const isPositive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** `v` is a list of `length` values that each pass `ok`. */
function listOf(v: unknown, length: number, ok: (x: unknown) => boolean): boolean {
  return Array.isArray(v) && v.length === length && v.every(ok);
}

const featureProbabilityCheck: Check<ToyConfig> = (v, c) =>
  isProbability(v) || listOf(v, c.instances, isProbability) ? null
    : `a number in (0, 1] or a list of instances = ${c.instances} such numbers`;

const importanceCheck: Check<ToyConfig> = (v, c) => {
  const vector = (x: unknown) => listOf(x, c.inputDim, isPositive);
  return isPositive(v) || vector(v) || listOf(v, c.instances, vector) ? null
    : `a finite decay > 0, a list of inputDim = ${c.inputDim} finite numbers > 0, ` +
      `or a list of instances = ${c.instances} such lists`;
};

const TOY_CHECKS: Checks<ToyConfig> = {
  inputDim: integerIn(1, 10_000),
  hiddenDim: integerUpTo<ToyConfig>(1, 'inputDim'),
  instances: integerIn(1, 10_000),
  featureProbability: featureProbabilityCheck,
  importance: importanceCheck,
  seed: anInteger,
  steps: integerIn(0, 10_000_000),
  batchSize: integerIn(1, 1_000_000),
  learningRate: finiteAbove(0),
};

/**
 * The paper's first model (5 features, 2 hidden dimensions), one instance, sparse, importances
 * equal, with the step count and learning rate that make its pentagon within seconds
 * (test/toy/science.test.ts).
 */
export const DEFAULT_TOY: Readonly<ToyConfig> = Object.freeze({
  inputDim: 5,
  hiddenDim: 2,
  instances: 1,
  featureProbability: 0.05,
  importance: 1,
  seed: 0,
  steps: 2000,
  batchSize: 1024,
  learningRate: 0.01,
});

/** `given` merged into DEFAULT_TOY and checked; errors name the field, the value and what is allowed. */
export function makeToyConfig(given: Partial<ToyConfig> = {}): ToyConfig {
  return checkConfig('ToyConfig', TOY_CHECKS, DEFAULT_TOY, given);
}

/** Each instance's feature probability: Float32Array [instances]. */
export function probabilitiesOf(config: ToyConfig): Float32Array {
  const p = config.featureProbability;
  return typeof p === 'number' ? new Float32Array(config.instances).fill(p) : Float32Array.from(p);
}

/** Each instance's importances: Float32Array [instances, inputDim], row-major. */
export function importancesOf(config: ToyConfig): Float32Array {
  const { instances, inputDim: n } = config;
  const imp = config.importance;
  const out = new Float32Array(instances * n);
  for (let k = 0; k < instances; k++) {
    for (let i = 0; i < n; i++) {
      out[k * n + i] = typeof imp === 'number' ? Math.pow(imp, i)
        : typeof imp[0] === 'number' ? (imp as readonly number[])[i] : (imp as readonly (readonly number[])[])[k][i];
    }
  }
  return out;
}

/**
 * A sweep over sparsity: `count` feature probabilities from `highest` down to `lowest`, evenly
 * spaced in log p (ARENA's 50^-linspace(0, 1) is featureProbabilities(count, 1, 0.02)).
 */
export function featureProbabilities(count: number, highest = 1, lowest = 0.02): number[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`count = ${count} is invalid: expected an integer >= 1`);
  if (!isProbability(highest)) throw new Error(`highest = ${highest} is invalid: expected a number in (0, 1]`);
  if (!isProbability(lowest)) throw new Error(`lowest = ${lowest} is invalid: expected a number in (0, 1]`);
  if (count === 1) return [highest];
  const ratio = Math.log(lowest / highest);
  return Array.from({ length: count }, (_, k) => highest * Math.exp((ratio * k) / (count - 1)));
}
