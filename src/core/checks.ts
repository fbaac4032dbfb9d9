/**
 * The one config checker of the kit. Every config (the lesson's SaeConfig, the dictionary SAE's
 * per activation, TrainConfig, the classifiers' options) is a table of checks, one per field,
 * and goes through `checkConfig` once, where it enters the kit. Errors read the same everywhere:
 *
 *   SaeConfig.latentDim = 0 is invalid: expected an integer in [1, 100000]
 *   unknown TrainConfig field 'lr'; the fields are epochs, batchSize, learningRate, seed
 *
 * A checked config is frozen and remembered, so passing it down (cache key -> createModel -> the
 * model's constructor) never checks it again.
 */

/**
 * The check of one field: null when `value` is fine, else what was expected ("an integer >= 1").
 * `config` is the whole merged config, for limits that depend on another field (k <= latentDim).
 */
export type Check<T = Record<string, unknown>> = (value: unknown, config: T) => string | null;

/** A check for every field of T, in the order the fields are checked (and listed in errors). */
export type Checks<T> = { readonly [K in keyof T]-?: Check<T> };

/** A value as the errors show it: numbers as they print (NaN, Infinity, 1e-8), strings quoted. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || typeof v !== 'object') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The error for one bad field, in the kit's wording. */
export function invalidField(config: string, field: string, value: unknown, expected: string): Error {
  return new Error(`${config}.${field} = ${showValue(value)} is invalid: expected ${expected}`);
}

/** Checked configs, each with the name it was checked as. */
const checkedAs = new WeakMap<object, string>();

/** True when `config` came out of checkConfig under `name` (so it needs no second check). */
export function isChecked(config: unknown, name: string): boolean {
  return config !== null && typeof config === 'object' && checkedAs.get(config) === name;
}

export interface CheckOptions {
  /**
   * Fields that are known but do not apply here (a TopK field given to a ReLU SAE): dropped
   * without a check, never an error.
   */
  ignore?: readonly string[];
}

/**
 * `given` merged into `defaults`, every field checked in table order. Throws on an unknown field
 * (a typo) and on the first bad value, naming the field, the value and what is allowed. Returns
 * a frozen config; a config this function already returned for `name` is returned as it is.
 */
export function checkConfig<T extends object>(name: string, checks: Checks<T>, defaults: Readonly<T>,
  given: Partial<T> = {}, options: CheckOptions = {}): T {
  if (isChecked(given, name)) return given as T;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new Error(`${name} must be an object of fields, got ${showValue(given)}`);
  }
  const fields = Object.keys(checks);
  const ignore = new Set(options.ignore ?? []);
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    if (ignore.has(key)) continue;
    if (!fields.includes(key)) throw new Error(`unknown ${name} field '${key}'; the fields are ${fields.join(', ')}`);
    kept[key] = value;
  }
  const config = { ...defaults, ...kept } as T;
  for (const key of fields as (keyof T & string)[]) {
    const expected = checks[key](config[key], config);
    if (expected !== null) throw invalidField(name, key, config[key], expected);
  }
  Object.freeze(config);
  checkedAs.set(config, name);
  return config;
}

// ---------------------------------------------------------------------------------------------
// The checks the configs are built from

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** An integer in [lo, hi]. */
export const integerIn = (lo: number, hi: number): Check<unknown> => (v) =>
  isInteger(v) && v >= lo && v <= hi ? null : `an integer in [${lo}, ${hi}]`;

/** An integer >= lo. */
export const integerAtLeast = (lo: number): Check<unknown> => (v) => (isInteger(v) && v >= lo ? null : `an integer >= ${lo}`);

/** Any integer. */
export const anInteger: Check<unknown> = (v) => (isInteger(v) ? null : 'an integer');

/** An integer in [lo, config[field]]: a count that can't exceed another field (k <= latentDim). */
export function integerUpTo<T>(lo: number, field: keyof T & string): Check<T> {
  return (v, config) => {
    const hi = config[field] as unknown as number;
    return isInteger(v) && v >= lo && v <= hi ? null : `an integer in [${lo}, ${field} = ${hi}]`;
  };
}

/** A finite number >= lo. */
export const finiteAtLeast = (lo: number): Check<unknown> => (v) => (isFinite(v) && v >= lo ? null : `a finite number >= ${lo}`);

/** A finite number > lo. */
export const finiteAbove = (lo: number): Check<unknown> => (v) => (isFinite(v) && v > lo ? null : `a finite number > ${lo}`);

/** A number strictly between lo and hi. */
export const strictlyBetween = (lo: number, hi: number): Check<unknown> => (v) =>
  typeof v === 'number' && v > lo && v < hi ? null : `a number strictly between ${lo} and ${hi}`;

/** One of the given strings: 'a' or 'b'; 'a', 'b' or 'c'. */
export function oneOf(...values: readonly string[]): Check<unknown> {
  const quoted = values.map((s) => `'${s}'`);
  const text = quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
  return (v) => (typeof v === 'string' && values.includes(v) ? null : text);
}

/** true or false. */
export const aBoolean: Check<unknown> = (v) => (typeof v === 'boolean' ? null : 'true or false');
