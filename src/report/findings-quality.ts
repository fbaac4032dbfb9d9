/**
 * The findings on feature quality and on the code's width (notebooks 07 and 09), as findings.ts
 * words the others: one "Finding:" line each, decided from this run's numbers. A model's medians
 * enter a trend only when it has at least MIN_LIVE live units, and the line says which models the
 * rule leaves out, with their numbers, so that a verdict never rests on a handful of units.
 */
import { compareLevel, isSteady, MIN_LIVE } from './features';
import type { FeatureQuality } from '../exercises/locality';
import { finding, pct } from './format';

/** One model's feature measures: its live units and their medians (pixels holding 80%, selectivity). */
export interface QualityPoint { label: string; live: number; pixels: number; selectivity: number }

/** A model's feature measures as a QualityPoint. */
export function qualityPoint(label: string, q: FeatureQuality): QualityPoint {
  return { label, live: q.live.length, pixels: q.medianMassPixels, selectivity: q.medianSelectivity };
}

export { MIN_LIVE };

/** "more local (184 -> 230 pixels) and less selective (0.38 -> 0.11)" from a to b, with each direction. */
function qualityChange(a: QualityPoint, b: QualityPoint): { local: string; selective: string; phrase: string } {
  const local = compareLevel(b.pixels, a.pixels, 10); // fewer pixels: more local
  const selective = compareLevel(a.selectivity, b.selectivity, 0.02);
  return {
    local, selective,
    phrase: `${local} local (${a.pixels} -> ${b.pixels} pixels) and ${selective} selective ` +
      `(${a.selectivity.toFixed(2)} -> ${b.selectivity.toFixed(2)})`,
  };
}

/** yes / no / partly / no change, from the two directions of a quality change. */
function verdictOf(local: string, selective: string): string {
  const better = [local, selective].filter((d) => d === 'more').length;
  const worse = [local, selective].filter((d) => d === 'less').length;
  if (better > 0 && worse > 0) return 'mixed';
  if (better > 0) return better === 2 ? 'yes' : 'partly';
  if (worse > 0) return 'no';
  return 'no change either way';
}

/** The models the MIN_LIVE rule leaves out (some live units, too few) and those with none, as one phrase. */
function leftOutPhrase(knob: string, points: readonly QualityPoint[], minLive: number): string {
  const few = points.filter((p) => p.live > 0 && p.live < minLive)
    .map((p) => `${p.label} (${p.live} live: ${p.pixels} pixels, ${p.selectivity.toFixed(2)})`);
  const none = points.filter((p) => p.live === 0).map((p) => p.label);
  return (few.length ? `; left out, with fewer than ${minLive} live units (the rule): ${knob} ${few.join(', ')}` : '') +
    (none.length ? `; at ${knob} ${none.join(', ')} no unit is live, so there is nothing to interpret` : '');
}

/** Options of qualityTrendFinding: the live-unit rule, and a clause on the last step (with a note on it). */
export interface TrendOptions { minLive?: number; lastStep?: boolean; lastStepNote?: string }

/**
 * Exercise 1, question 3 (and Exercise 3's): do the medians get better from the first model with at
 * least `minLive` live units to the last, in `points` order (weight or width)? `knob` names the order.
 */
export function qualityTrendFinding(name: string, knob: string, points: readonly QualityPoint[], quick: boolean,
  options: TrendOptions = {}): string {
  const minLive = options.minLive ?? MIN_LIVE;
  const used = points.filter((p) => p.live >= minLive);
  const leftOut = leftOutPhrase(knob, points, minLive);
  if (used.length < 2) {
    return finding(`${name}: fewer than two models have ${minLive} or more live units, so there is no trend${leftOut}.`, quick);
  }
  const [a, b] = [used[0], used[used.length - 1]];
  const c = qualityChange(a, b);
  // a measure that turns back in between is given in full, so the end points cannot mislead; judged
  // on the values as printed, so a turn hidden by the rounding is not called one
  const unsteady = ([['locality', (p: QualityPoint) => String(p.pixels)], ['selectivity', (p: QualityPoint) => p.selectivity.toFixed(2)]] as const)
    .filter(([, show]) => !isSteady(used.map((p) => Number(show(p)))))
    .map(([what, show]) => `${what} ${used.map(show).join(', ')}`);
  const between = unsteady.length ? `; not steadily in between (${unsteady.join('; ')})` : '';
  const scope = unsteady.length ? ' from the first model compared to the last, not steadily' : '';
  const prev = used[used.length - 2];
  const last = options.lastStep && used.length > 2
    ? `; over the last step, ${knob} ${prev.label} -> ${b.label}${options.lastStepNote ? ` (${options.lastStepNote})` : ''}, ` +
      `it gets ${qualityChange(prev, b).phrase}` : '';
  return finding(`${name}: ${verdictOf(c.local, c.selective)}${scope}. From ${knob} ${a.label} (${a.live} live units) ` +
    `to ${b.label} (${b.live}) the median live feature gets ${c.phrase}${between}${last}${leftOut}.`, quick);
}

/** ' (the only step past the input's 784 values: ...)' when the step prev -> last is the one that makes the code overcomplete. */
export function overcompleteNote(prev: number, last: number, inputWidth: number): string {
  return prev <= inputWidth && last > inputWidth
    ? `the only step past the input's ${inputWidth} values, into an overcomplete code` : '';
}

/** Exercise 3, question 1: the share of units active per image and their count, narrowest to widest, and over the last step. */
export function widthSparsityFinding(points: readonly { width: number; share: number }[], quick: boolean, inputWidth?: number): string {
  const [a, z] = [points[0], points[points.length - 1]];
  const shares = points.map((p) => p.share);
  const [c0, c1] = [a.share * a.width, z.share * z.width];
  const asShare = (x: number, y: number) => (Math.abs(y - x) <= 0.005 ? 'about as sparse' : y < x ? 'sparser' : 'denser');
  const steady = isSteady(shares) ? '' : ` (not steadily: ${shares.map((v) => pct(v)).join(', ')})`;
  const asCount = c1 > c0 ? 'more' : c1 < c0 ? 'fewer' : 'as many';
  const y = points[points.length - 2];
  const note = inputWidth === undefined ? '' : overcompleteNote(y.width, z.width, inputWidth);
  const last = points.length > 2
    ? `. Over the last step, ${y.width} -> ${z.width} units${note ? ` (${note})` : ''}, the code gets ` +
      `${asShare(y.share, z.share)} as a share (${pct(y.share)} -> ${pct(z.share)}) and uses ` +
      `${(y.share * y.width).toFixed(1)} -> ${(z.share * z.width).toFixed(1)} units per image` : '';
  return finding(`the widest code is ${asShare(a.share, z.share)} as a share: the fraction of units active per image goes from ` +
    `${pct(a.share)} at ${a.width} units to ${pct(z.share)} at ${z.width}${steady}; ` +
    `and each image uses ${asCount} units: ${c0.toFixed(1)} -> ${c1.toFixed(1)} active per image${last}.`, quick);
}
