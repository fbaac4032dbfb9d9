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

/** True when SAE_QUICK is set to 1/true/yes. */
export function isQuick(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.SAE_QUICK ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false' || v === 'no') return false;
  if (v === '1' || v === 'true' || v === 'yes') return true;
  throw new Error(`SAE_QUICK=${JSON.stringify(env.SAE_QUICK)} is not understood; expected 1 (quick) or 0 (full)`);
}

export function runSizes(env: NodeJS.ProcessEnv = process.env): RunSizes {
  return isQuick(env)
    ? { quick: true, trainLimit: 3000, testLimit: 500, epochs: 2, shortEpochs: 2 }
    : { quick: false, trainLimit: 60000, testLimit: 10000, epochs: 15, shortEpochs: 5 };
}
