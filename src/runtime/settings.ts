/**
 * Run sizes for the notebooks. `SAE_QUICK=1` (tests, CI) shrinks data and epochs so every
 * notebook runs in seconds; without it the notebooks use the lesson's sizes.
 */

export interface RunSizes {
  /** true when SAE_QUICK=1 */
  quick: boolean;
  /** training images to load */
  trainLimit: number;
  /** test images to load */
  testLimit: number;
  /** epochs of the lesson's main run (Part 6) */
  epochs: number;
  /** epochs of a demonstration run (Part 3) */
  shortEpochs: number;
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/**
 * Reads a yes/no environment variable (SAE_QUICK, SAE_NATIVE, SAE_RETRAIN): 1/true/yes/on or
 * 0/false/no/off, any case; unset or empty gives `fallback`. Any other value is an error naming
 * the variable, so that no part of the kit reads `SAE_NATIVE=no` as "on".
 */
export function envFlag(name: string, fallback: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[name];
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '') return fallback;
  if (TRUE_WORDS.includes(v)) return true;
  if (FALSE_WORDS.includes(v)) return false;
  throw new Error(`${name}=${JSON.stringify(raw)} is not understood; expected one of ` +
    `${TRUE_WORDS.join('/')} (on) or ${FALSE_WORDS.join('/')} (off)`);
}

/**
 * Reads a whole-number environment variable (SAE_BLAS_THREADS): decimal digits only, at least
 * `min`; unset or empty gives `fallback`. Anything else (`0`, `-1`, `1.5`, `abc`, `0x4`, `1e1`)
 * is an error naming the variable and its value, so that no setting is dropped in silence.
 */
export function envInteger(name: string, fallback: number, min = 1, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  const v = (raw ?? '').trim();
  if (v === '') return fallback;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(Number.isSafeInteger(n) && n >= min)) {
    throw new Error(`${name}=${JSON.stringify(raw)} is invalid: expected an integer >= ${min} in decimal digits ` +
      `(e.g. ${Math.max(min, 2)}), or unset for the default`);
  }
  return n;
}

/**
 * Reads an environment variable that names one of `choices` (SAE_ENGINE), any case; unset or
 * empty gives `fallback`. Anything else is an error naming the variable and the choices.
 */
export function envChoice<T extends string>(name: string, choices: readonly T[], fallback: T, env: NodeJS.ProcessEnv = process.env): T {
  const raw = env[name];
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '') return fallback;
  if (!(choices as readonly string[]).includes(v)) {
    throw new Error(`${name}=${JSON.stringify(raw)} is not understood; expected one of ${choices.join(', ')}, or unset for ${fallback}`);
  }
  return v as T;
}

/** True when SAE_QUICK is on (1/true/yes/on). */
export function isQuick(env: NodeJS.ProcessEnv = process.env): boolean {
  return envFlag('SAE_QUICK', false, env);
}

export function runSizes(env: NodeJS.ProcessEnv = process.env): RunSizes {
  return isQuick(env)
    ? { quick: true, trainLimit: 3000, testLimit: 500, epochs: 2, shortEpochs: 2 }
    : { quick: false, trainLimit: 60000, testLimit: 10000, epochs: 15, shortEpochs: 5 };
}

/** The line every notebook shows at its top in quick mode, so no one reads its numbers as the lesson's. */
export function quickModeNotice(sizes: RunSizes = runSizes()): string {
  return `QUICK MODE (SAE_QUICK=1): ${sizes.trainLimit} training images, ${sizes.epochs} epochs. ` +
    'The models on this page learned little, and its numbers are not the lesson\'s; ' +
    'run without SAE_QUICK for the full course.';
}
