/**
 * Notebook 16's sentences on the toy model's hidden layer as data (truth/toy-truth.ts): what the
 * truth is, and whether the SAEs trained on h recover the directions the toy model stores in
 * superposition, each decided from the run's numbers.
 */
import { cosines } from '../truth/recovery';
import { FOUND_COS } from '../truth/score';
import type { PlantedRow } from '../truth/sweep';
import type { ToyTruthData } from '../truth/toy-truth';
import { finding } from './findings';
import { pct } from './format';
import { probabilityLabel } from './toy';

/** The closest two true features: the largest |cos| between two of them and that cos (0 with fewer than two). */
export function closestPair(features: Float32Array, n: number, d: number): { absCos: number; cos: number } {
  const c = cosines({ data: features, rows: n, cols: d }, { data: features, rows: n, cols: d });
  let best = { absCos: 0, cos: 0 };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = c.data[i * n + j];
      if (Math.abs(v) > best.absCos) best = { absCos: Math.abs(v), cos: v };
    }
  }
  return best;
}

const span = (v: number[]) => `${Math.min(...v).toFixed(2)} to ${Math.max(...v).toFixed(2)}`;

/**
 * What the toy truth is: the instance, how many features are represented in how many dimensions,
 * what the dropped ones leave in h, how close two true directions come, and the true L0.
 */
export function toyTruthLine(data: ToyTruthData, trueL0: number): string {
  const { truth, leak } = data;
  const { n, d: m } = truth.config;
  const kept = Array.from(truth.toyFeature, (k) => truth.norms[k]);
  const dropped = Array.from(truth.norms).filter((_, k) => !truth.toyFeature.includes(k));
  const close = closestPair(truth.features, n, m);
  const where = n > m ? `, ${(n / m).toFixed(1)} per dimension: more than h has dimensions, so in superposition`
    : `: no more than h has dimensions`;
  const droppedPart = dropped.length === 0 ? 'none is dropped'
    : `the ${dropped.length} dropped ${dropped.length === 1 ? 'one' : 'ones'} (||W_i|| up to ${Math.max(...dropped).toFixed(2)}) ` +
      `${dropped.length === 1 ? 'puts' : 'put'} ${pct(leak, 2)} of h's squared norm there, left out of the truth`;
  const pair = `|cos| ${close.absCos.toFixed(2)} (cos ${close.cos.toFixed(2)})`;
  const closePart = close.absCos > FOUND_COS
    ? `two true directions have ${pair}, above the ${FOUND_COS} that counts as found, so a latent along one ` +
      'also counts as finding the other (|cos| ignores the sign): the found counts can overstate'
    : `the closest two true directions have ${pair}, under the ${FOUND_COS} that counts as found, so a latent ` +
      'along one of them does not count as finding another';
  return `Notebook 15's instance at ${probabilityLabel(truth.featureProbability)}: ${n} of its ${truth.toyFeatures} ` +
    `features are represented (||W_i|| ${span(kept)}) in ${m} hidden dimensions${where}; ${droppedPart}; ` +
    `${closePart}; ${trueL0.toFixed(2)} represented features are present per sample (the true L0).`;
}

/** How many of the n true features a row found (matched |cos| above FOUND_COS). */
export const foundCount = (row: PlantedRow, n: number): number => Math.round(row.found * n);

/**
 * Whether an SAE trained on h recovers the n represented directions stored in m < n dimensions:
 * yes when one finds all n, partly when the best finds more than m (which no dictionary of m
 * directions could, the matching being one-to-one) but not all, no otherwise; with each SAE's count and MCC.
 */
export function toySuperpositionFinding(rows: readonly PlantedRow[], n: number, m: number, quick: boolean): string {
  if (rows.length === 0) throw new Error('toySuperpositionFinding: no rows (expected one per trained SAE)');
  const count = (r: PlantedRow) => foundCount(r, n);
  const best = rows.reduce((a, b) => (count(b) > count(a) || (count(b) === count(a) && b.mcc > a.mcc) ? b : a));
  const name = (r: PlantedRow) => `${r.setting}, ${r.latents} latents`;
  const all = rows.filter((r) => count(r) === n);
  const every = all.length === rows.length ? `every SAE (${rows.length} of ${rows.length}) finds` : `${all.length} of ${rows.length} SAEs find`;
  const bound = `a dictionary of ${m} directions could match at most ${m}`;
  let verdict: string;
  if (all.length > 0) verdict = `yes: ${every} all ${n} represented directions in ${m} dimensions, where ${bound}`;
  else if (count(best) > m) {
    verdict = `partly: the best SAE (${name(best)}) finds ${count(best)} of the ${n} represented directions, more than ` +
      `the ${m} dimensions (${bound}), but not all`;
  } else {
    verdict = `no: no SAE finds more of the ${n} represented directions than h has dimensions (${m}); the best ` +
      `(${name(best)}) finds ${count(best)}`;
  }
  const each = rows.map((r) => `${name(r)}: ${count(r)} of ${n}, MCC ${r.mcc.toFixed(3)}`).join('; ');
  return finding(`${verdict} (found: matched |cos| above ${FOUND_COS}). By SAE: ${each}.`, quick);
}
