/**
 * The sentences of Exercises 1-3 (notebooks 07-09) about the models' features, each printed from the
 * numbers it states: the mean-image baseline, how local and selective the live features are, and
 * what an inactive unit does.
 */
import { meanImageMse } from '../core/evaluate';
import { datasetFromMatrix } from '../data/matrix';
import type { Dataset } from '../data/mnist';
import type { FeatureQuality } from '../exercises/locality';
import { meanImage } from '../exercises/locality';
import { fixed } from './format';
import type { WeightRun } from './runs';

/** "more" when `y` is larger than `x` by more than `tol`, "less" when smaller, "about as" otherwise. */
export function compareLevel(x: number, y: number, tol: number): 'more' | 'less' | 'about as' {
  return y - x > tol ? 'more' : x - y > tol ? 'less' : 'about as';
}

/** Whether `values` never rise or never fall. */
export function isSteady(values: readonly number[]): boolean {
  return values.every((x, i) => i === 0 || x <= values[i - 1]) || values.every((x, i) => i === 0 || x >= values[i - 1]);
}

const runName = (r: WeightRun): string => `${r.kind.toUpperCase()} ${r.weight}`;

/** Exercise 1's table: test MSE, population sparsity and inactive units per model. */
export function weightTable(runs: readonly WeightRun[]): Record<string, string | number>[] {
  return runs.map(({ kind, weight, summary: s }) => ({
    penalty: kind.toUpperCase(), weight, 'test MSE': fixed(s.testMse, 5),
    'population sparsity': fixed(s.populationSparsity, 4), 'inactive units': s.inactive,
  }));
}

/** Relative gap under which two errors count as the same (0.5%: what the 4th significant digit can show). */
export const SAME_MSE = 0.005;

/** Whether `mse` is clearly below the mean image's `baseline` (by more than SAME_MSE of it). */
export function beatsBaseline(mse: number, baseline: number): boolean {
  return mse < baseline * (1 - SAME_MSE);
}

/** How many models do not clearly beat the mean-image baseline (above it or within 0.5%), which, and which beat it by under 2%. */
export function meanImageBaselineLine(runs: readonly WeightRun[], baseline: number): string {
  const losing = runs.filter((r) => !beatsBaseline(r.summary.testMse, baseline));
  const close = runs.filter((r) => beatsBaseline(r.summary.testMse, baseline) && r.summary.testMse > 0.98 * baseline);
  const names = (rs: WeightRun[]) => rs.map(runName).join(', ');
  return 'Mean-image baseline (a model that ignores its input): ' +
    `test MSE ${baseline.toFixed(5)}; ` +
    `${losing.length} of ${runs.length} models do not clearly beat it (above it or within 0.5%)` +
    (losing.length ? `: ${names(losing)}` : '') +
    (close.length ? `; ${names(close)} ${close.length > 1 ? 'beat' : 'beats'} it by less than 2%.` : '.');
}

/** Exercise 1's feature table: live units and the medians of locality and selectivity ('-' when none is live). */
export function featureQualityTable(runs: readonly WeightRun[]): Record<string, string | number>[] {
  const med = (v: number) => (Number.isNaN(v) ? '-' : fixed(v, 3));
  return runs.map(({ kind, weight, quality: q }) => ({
    penalty: kind.toUpperCase(), weight, 'live units': q.live.length,
    'pixels holding 80% (median)': med(q.medianMassPixels),
    'selectivity (median)': med(q.medianSelectivity),
  }));
}

/**
 * The fewest live units whose medians a trend compares (a row of the course's feature grids): a
 * median over fewer stands for a handful of units, not for the model's code.
 */
export const MIN_LIVE = 16;

/**
 * One penalty's curve (`runs` in weight order), read off the table: each model's live units and
 * medians, those under the MIN_LIVE rule marked, and the weights with no live unit. The trend
 * itself is qualityTrendFinding's.
 */
export function featureTrendLines(name: string, runs: readonly WeightRun[]): string[] {
  const withLive = runs.filter((r) => r.quality.live.length > 0);
  const none = runs.filter((r) => r.quality.live.length === 0).map((r) => r.weight);
  const lines: string[] = [];
  if (withLive.length) {
    lines.push(`${name}, weight by weight (live units: median pixels holding 80%, median selectivity): ` +
      withLive.map(({ weight, quality: q }) => `${weight} (${q.live.length}: ${q.medianMassPixels}, ` +
        `${q.medianSelectivity.toFixed(2)}${q.live.length < MIN_LIVE ? `; fewer than ${MIN_LIVE} live` : ''})`).join(', ') + '.');
  }
  if (none.length) {
    lines.push(`   At weight ${none.join(' and ')} no unit is live: ` +
      'the penalty leaves no feature to interpret.');
  }
  return lines;
}

/** A feature grid's label for unit `j` of `run`: live (with its locality) or inactive. */
export function featureLabel(run: WeightRun, j: number): string {
  return `weight ${run.weight}, unit ${j}: ` + (run.quality.live.includes(j)
    ? `live, 80% of its change in ${run.quality.massPixels[j]} pixels`
    : 'inactive');
}

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

/**
 * What `run`'s inactive units do: how many are exactly 0 on every test image, how much switching one on
 * changes a pixel; and when all are silent, what answering the zero-code image for every test image scores
 * against the mean training image's `baseline`. No lines for a model without inactive units.
 */
export function inactiveUnitLines(run: WeightRun, train: Dataset, test: Dataset, baseline: number): string[] {
  const q = run.quality;
  if (q.inactive.length === 0) return [];
  const name = runName(run);
  const silent = q.inactive.filter((j) => q.peak[j] <= 0).length;
  const change = (units: number[]) => mean(units.map((j) => q.change[j])).toFixed(4);
  const live = q.live.length ? ` (a live unit's: ${change(q.live)})` : '';
  const lines = [`${name}: ${q.inactive.length} inactive units, ` +
    `${silent} of them exactly 0 on all ${q.samples} test images; ` +
    `switching one on changes a pixel by ${change(q.inactive)} on average${live}, ` +
    `on a zero-code image whose mean pixel is ${mean(q.zeroImage).toFixed(3)}.`];
  if (silent === q.latentDim) {
    const zeroMse = meanImageMse(datasetFromMatrix(q.zeroImage, [0], 784), test);
    // the table's test MSE is over every test image (summed in float32), these lines over the first q.samples
    const others = ` (The table's test MSE, ${run.summary.testMse.toFixed(5)}, covers all ${test.count} test images, ` +
      `summed in float32; the units were checked on the first ${q.samples}.)`;
    lines.push(`   So ${name} reconstructs each of those ${q.samples} images as its zero-code image. ` +
      `Answering that image for every test image scores MSE ${zeroMse.toFixed(5)}; ` +
      'answering the mean training image ' +
      `(mean pixel ${mean(meanImage(train)).toFixed(3)}) scores ${baseline.toFixed(5)}.${others}`);
  }
  return lines;
}

/** Exercise 2: which model's features are more `what`, when the gap is larger than `tol`. */
export function aheadPhrase(l1Value: number, klValue: number, tol: number, what: string): string {
  return Math.abs(l1Value - klValue) <= tol ? `the two models' features are about equally ${what}`
    : `the ${l1Value > klValue ? 'L1' : 'KL'} model's features are more ${what}`;
}

/** Exercise 2's comparison of the L1 and KL models' live features: locality and selectivity. */
export function l1VsKlFeaturesLine(q1: FeatureQuality, q2: FeatureQuality): string {
  return `Measured on their live units (${q1.live.length} L1, ${q2.live.length} KL): ` +
    'pixels holding 80% of a ' +
    `feature's change, median ${q1.medianMassPixels} (L1) vs ${q2.medianMassPixels} (KL), so ` +
    `${aheadPhrase(-q1.medianMassPixels, -q2.medianMassPixels, 10, 'local')}; median contrast ` +
    `${q1.medianSelectivity.toFixed(2)} (L1) vs ${q2.medianSelectivity.toFixed(2)} (KL), so ` +
    `${aheadPhrase(q1.medianSelectivity, q2.medianSelectivity, 0.02, 'selective')}.`;
}

/** Exercise 3: how the median live feature's locality and selectivity move from the narrowest to the widest model. */
export function widthTrendLine(runs: readonly { latentDim: number; quality: FeatureQuality }[]): string {
  const [a, z] = [runs[0], runs[runs.length - 1]];
  const [qa, qz] = [a.quality, z.quality];
  const steady = isSteady(runs.map((r) => r.quality.medianMassPixels));
  return `From ${a.latentDim} to ${z.latentDim} units ` +
    'the median live feature\'s change is held by ' +
    `${qa.medianMassPixels} -> ${qz.medianMassPixels} pixels ` +
    `(${compareLevel(qz.medianMassPixels, qa.medianMassPixels, 10)} ` +
    `local${steady ? '' : ', not steadily'}), ` +
    'and the median selectivity goes ' +
    `${qa.medianSelectivity.toFixed(2)} -> ${qz.medianSelectivity.toFixed(2)} ` +
    `(${compareLevel(qa.medianSelectivity, qz.medianSelectivity, 0.02)} selective).`;
}
