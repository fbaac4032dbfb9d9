/**
 * Exercise 4: which units prefer which digit? Works on an activation matrix [samples, width]
 * (row-major; the units are its columns: MLP neurons or latents) and the samples' labels.
 */
import { asMatrix } from '../data/matrix';

/** Mean activation of each unit for each class: [numClasses, width] row-major, plus class counts. */
export function classMeans(activations: ArrayLike<number>, width: number, labels: ArrayLike<number>, numClasses = 10): { means: Float64Array; counts: number[] } {
  const samples = asMatrix(activations, width, 'activations', 0).rows;
  if (samples !== labels.length) throw new Error(`activations hold ${samples} rows of ${width} but there are ${labels.length} labels`);
  const means = new Float64Array(numClasses * width);
  const counts = new Array(numClasses).fill(0);
  for (let s = 0; s < samples; s++) {
    const c = labels[s];
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) throw new Error(`label ${c} of sample ${s} is not in [0, ${numClasses - 1}]`);
    counts[c] += 1;
    for (let j = 0; j < width; j++) means[c * width + j] += activations[s * width + j];
  }
  for (let c = 0; c < numClasses; c++) {
    if (counts[c] === 0) continue;
    for (let j = 0; j < width; j++) means[c * width + j] /= counts[c];
  }
  return { means, counts };
}

export interface UnitSelectivity {
  unit: number;
  /** the class with the highest mean activation */
  preferred: number;
  /**
   * Contrast index: (top - rest) / (top + rest), where top is the preferred class's mean and rest
   * the average of the other classes' means. 0: the same response to every class; 1: responds to
   * one class only. Defined as 0 for a unit that never responds.
   */
  index: number;
  /** 1 - H(p) / log(numClasses), with p the unit's class means normalised to sum 1 (0 = flat, 1 = one class). */
  entropyIndex: number;
  /** the unit's mean activation per class */
  profile: number[];
}

/** Selectivity of every unit from class means (non-negative activations, as ReLU and sigmoid give). */
export function selectivity(means: Float64Array, width: number, numClasses = 10): UnitSelectivity[] {
  const out: UnitSelectivity[] = [];
  for (let j = 0; j < width; j++) {
    const profile = Array.from({ length: numClasses }, (_, c) => means[c * width + j]);
    if (profile.some((v) => v < 0)) throw new Error(`unit ${j} has a negative class mean; the indices assume activations >= 0`);
    let preferred = 0;
    profile.forEach((v, c) => { if (v > profile[preferred]) preferred = c; });
    const top = profile[preferred];
    const rest = (profile.reduce((a, b) => a + b, 0) - top) / (numClasses - 1);
    const total = profile.reduce((a, b) => a + b, 0);
    let entropy = 0;
    if (total > 0) for (const v of profile) if (v > 0) entropy -= (v / total) * Math.log(v / total);
    out.push({
      unit: j,
      preferred,
      index: top + rest > 0 ? (top - rest) / (top + rest) : 0,
      entropyIndex: total > 0 ? 1 - entropy / Math.log(numClasses) : 0,
      profile,
    });
  }
  return out;
}
