/**
 * When to stop training before the epoch cap: `fit`'s `until` option asks a rule after each epoch.
 * Notebook 14 trains every compared model until its loss has flattened, so no method is compared
 * before it has learned what it can at the same cap.
 */
import type { History } from './train';

/**
 * A stopping rule for `until`: the loss has flattened when an epoch changed the mean total loss by
 * less than `minGain` of the epoch before's, either way (0.01: under 1%). A loss that rose by more
 * has not settled (TopK's AuxK term can grow while latents die), so training goes on. Never true
 * after the first epoch.
 */
export function lossFlattened(minGain: number): (history: History) => boolean {
  if (!(Number.isFinite(minGain) && minGain >= 0)) {
    throw new Error(`lossFlattened: minGain = ${minGain} is invalid: expected a finite number >= 0`);
  }
  return (history) => history.length >= 2 && Math.abs(epochGain(history)) < minGain;
}

/** How much the last epoch lowered the mean total loss, as a fraction of the one before's (NaN before two epochs). */
export function epochGain(history: History): number {
  if (history.length < 2) return NaN;
  const [before, last] = [history[history.length - 2].total, history[history.length - 1].total];
  return (before - last) / Math.abs(before);
}
