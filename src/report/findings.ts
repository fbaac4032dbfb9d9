/**
 * The answers to the lesson's open questions (notebooks 07-09), each one printed line that starts
 * with "Finding:" and states what this run's numbers say: yes, no, partly, which, how many, with
 * the numbers. The wording is decided here from the numbers, so it is true on every run; in quick
 * mode the line says the run is too short to stand for the lesson's. The markdown under a finding
 * explains why, in words that hold whichever way the finding goes. Feature quality and the code's
 * width: findings-quality.ts.
 */
import { beatsBaseline, SAME_MSE } from './features';
import { finding, pct } from './format';
import type { QualityPoint } from './findings-quality';

export { beatsBaseline, SAME_MSE, finding };
export { qualityPoint, qualityTrendFinding, widthSparsityFinding, overcompleteNote, MIN_LIVE } from './findings-quality';
export type { QualityPoint, TrendOptions } from './findings-quality';

/** One model of a weight sweep, in the order of its weight. */
export interface SweepPoint { weight: number; mse: number; active: number }

function rises(values: readonly number[]): { every: boolean; against: number[] } {
  const against: number[] = [];
  for (let i = 1; i < values.length; i++) if (values[i] < values[i - 1]) against.push(i);
  return { every: against.length === 0, against };
}

/** Which weights give a model no better than the mean image (within SAME_MSE), as a phrase; '' for none. */
function noBetterPhrase(points: readonly SweepPoint[], baseline: number): string {
  const worse = points.filter((p) => !beatsBaseline(p.mse, baseline));
  if (worse.length === 0) return '';
  const list = worse.map((p) => `${p.weight} (${p.mse.toFixed(5)})`).join(', ');
  return `; at weight ${list} it is no better than the mean image (${baseline.toFixed(5)}, within ${pct(SAME_MSE)})`;
}

/** Exercise 1, question 1: how the weight moves the test MSE, and where the model stops beating the mean image. */
export function weightEffectFinding(name: string, points: readonly SweepPoint[], baseline: number, quick: boolean): string {
  const [a, z] = [points[0], points[points.length - 1]];
  const span = `from ${a.mse.toFixed(5)} at weight ${a.weight} to ${z.mse.toFixed(5)} at ${z.weight}`;
  const trend = rises(points.map((p) => p.mse));
  let verdict: string;
  if (Math.abs(z.mse - a.mse) <= SAME_MSE * a.mse) verdict = `${name}: the weight barely moves the test MSE (${span})`;
  else if (z.mse < a.mse) verdict = `${name}: a larger weight lowers the test MSE here, ${span}`;
  else if (trend.every) verdict = `${name}: a larger weight costs reconstruction at every step: the test MSE rises ${span}`;
  else {
    const dips = trend.against.map((i) => `${points[i - 1].weight} -> ${points[i].weight}`).join(', ');
    verdict = `${name}: a larger weight costs reconstruction overall, ${span}, but not at every step (it falls at ${dips})`;
  }
  return finding(verdict + noBetterPhrase(points, baseline) + '.', quick);
}

/** Exercise 1, question 2: the knee, and the sparsest model that clearly beats the mean image. */
export function tradeoffFinding(name: string, points: readonly SweepPoint[], knee: number, baseline: number, quick: boolean): string {
  const k = points[knee];
  const useful = points.filter((p) => beatsBaseline(p.mse, baseline));
  const sparsest = useful.reduce<SweepPoint | null>((s, p) => (s === null || p.active < s.active ? p : s), null);
  const tail = sparsest === null
    ? 'no model of the sweep clearly beats the mean image, so none is a useful trade-off'
    : `the sparsest model that clearly beats the mean image is weight ${sparsest.weight} ` +
      `(${pct(sparsest.active)} active, MSE ${sparsest.mse.toFixed(5)})`;
  // dominated: another model of the sweep is both sparser and more accurate
  const dominated = points.filter((p) => points.some((q) => q !== p && q.active < p.active && q.mse < p.mse)).map((p) => p.weight);
  const beaten = dominated.length ? `; weight ${dominated.join(', ')} ${dominated.length > 1 ? 'are' : 'is'} beaten on both counts ` +
    'by another weight (sparser and more accurate), so no price makes ' + (dominated.length > 1 ? 'them' : 'it') + ' the best' : '';
  return finding(`${name}: no single optimum; the knee is at weight ${k.weight} (MSE ${k.mse.toFixed(5)}, ` +
    `${pct(k.active)} active), and ${tail}${beaten}.`, quick);
}

/** The first epoch (1-based) whose reconstruction has made `share` of the run's gain from epoch 1 to the last. */
export function epochOfGain(reconstruction: readonly number[], share = 0.9): number {
  const [first, last] = [reconstruction[0], reconstruction[reconstruction.length - 1]];
  const target = first - share * (first - last);
  return reconstruction.findIndex((r) => r <= target) + 1;
}

/** How close to the mean image's error an epoch's error must be to count as stalled there (20% of it). */
export const STALL_WITHIN = 0.2;

/** Epochs (1-based, consecutive, at least two) whose reconstruction stays within `within` of `baseline`: a stall near the mean image. */
export function stallNear(reconstruction: readonly number[], baseline: number, within = STALL_WITHIN): [number, number] | null {
  let best: [number, number] | null = null;
  let start = -1;
  for (let i = 0; i <= reconstruction.length; i++) {
    const near = i < reconstruction.length && Math.abs(reconstruction[i] - baseline) <= within * baseline;
    if (near && start < 0) start = i;
    if (!near && start >= 0) {
      if (i - start >= 2 && (best === null || i - start > best[1] - best[0] + 1)) best = [start + 1, i];
      start = -1;
    }
  }
  return best;
}

/** Exercise 2, question 1: which model makes 90% of its reconstruction gain sooner, and any stall near the mean image. */
export function dynamicsFinding(runs: readonly { name: string; reconstruction: readonly number[] }[], baseline: number, quick: boolean): string {
  const at = runs.map((r) => ({ ...r, epoch: epochOfGain(r.reconstruction) }));
  const order = at.slice().sort((a, b) => a.epoch - b.epoch);
  const lead = order[0].epoch === order[order.length - 1].epoch
    ? `both make 90% of their reconstruction gain by epoch ${order[0].epoch}`
    : `${order[0].name} learns faster: 90% of its reconstruction gain by epoch ${order[0].epoch}, ` +
      order.slice(1).map((r) => `${r.name} by epoch ${r.epoch}`).join(', ');
  const stalls = runs.map((r) => ({ name: r.name, s: stallNear(r.reconstruction, baseline), rec: r.reconstruction }))
    .filter((r) => r.s !== null)
    .map(({ name, s, rec }) => {
      const span = rec.slice(s![0] - 1, s![1]);
      return `${name}'s error stays within ${pct(STALL_WITHIN, 0)} of the mean image's ${baseline.toFixed(4)} for epochs ${s![0]}-${s![1]} ` +
        `(${Math.min(...span).toFixed(4)}-${Math.max(...span).toFixed(4)})`;
    });
  return finding(lead + (stalls.length ? `; ${stalls.join('; ')}` : '') + '.', quick);
}

/** The fraction of `values` (codes of any shape) above `threshold`. */
export function activeFraction(values: ArrayLike<number>, threshold: number): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > threshold) n++;
  return n / values.length;
}

/** A model's active fraction at one activity threshold. */
export interface ActiveAt { threshold: number; fractions: Record<string, number> }

/** Exercise 2, question 2: which model is sparser at the lesson's threshold, and whether the order holds at the others. */
export function sparserFinding(a: string, b: string, rows: readonly ActiveAt[], lessonThreshold: number, quick: boolean): string {
  const order = (r: ActiveAt) => {
    const [fa, fb] = [r.fractions[a], r.fractions[b]];
    return Math.abs(fa - fb) <= 0.01 ? 'tie' : fa < fb ? a : b;
  };
  const main = rows.find((r) => r.threshold === lessonThreshold)!;
  const winner = order(main);
  const head = winner === 'tie'
    ? `at the lesson's threshold ${lessonThreshold} the two are equally sparse (${pct(main.fractions[a])} vs ${pct(main.fractions[b])} active)`
    : `the ${winner} model is sparser at the lesson's threshold ${lessonThreshold} ` +
      `(${pct(main.fractions[winner])} vs ${pct(main.fractions[winner === a ? b : a])} of units active per image)`;
  const others = rows.filter((r) => r !== main).map((r) => {
    const o = order(r);
    return { what: o === winner ? 'holds' : o === 'tie' ? 'ties' : 'reverses', at: `${r.threshold} (${pct(r.fractions[a])} ${a}, ${pct(r.fractions[b])} ${b})` };
  });
  const groups = ['holds', 'ties', 'reverses'].map((what) => ({ what, at: others.filter((o) => o.what === what).map((o) => o.at) }))
    .filter((g) => g.at.length > 0).map((g) => `${g.what} at ${g.at.join(' and ')}`);
  return finding(head + (groups.length ? `; the order ${groups.join('; it ')}` : '') + '.', quick);
}

/** Exercise 2, question 3: which model's live features are more local and which more selective. */
export function featuresCompareFinding(a: QualityPoint, b: QualityPoint, quick: boolean): string {
  const side = (va: number, vb: number, tol: number, lowerWins: boolean) => {
    if (Math.abs(va - vb) <= tol) return 'neither';
    return (lowerWins ? va < vb : va > vb) ? a.label : b.label;
  };
  const local = side(a.pixels, b.pixels, 10, true);
  const selective = side(a.selectivity, b.selectivity, 0.02, false);
  const part = (who: string, what: string) => (who === 'neither' ? `neither model's features are clearly more ${what}` : `${who}'s features are more ${what}`);
  return finding(`${part(local, 'local')} (median ${a.pixels} pixels ${a.label}, ${b.pixels} ${b.label}) and ` +
    `${part(selective, 'selective')} (median contrast ${a.selectivity.toFixed(2)} ${a.label}, ` +
    `${b.selectivity.toFixed(2)} ${b.label}), over ${a.live} and ${b.live} live units.`, quick);
}
