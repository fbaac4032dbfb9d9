/**
 * The sentences of notebooks 11-13 about codes, each printed from the numbers it states: how many units
 * a code needs (11), which representation classifies best (12), and the latents that never fire (13).
 */
import { median } from '../data/stats';
import type { SparseCodePoint } from '../exercises/sparsecode';
import { accuracy, trainClassifier } from '../exercises/softmax';
import type { ClassifierOptions } from '../exercises/softmax';
import { fixed, isAre, pct } from './format';

/** Exercise 5: the units a code keeps for 90% of its quality, next to how many are above 0.1 on average. */
export function unitsForQualityLine(k90: number, active: number, latentDim: number): string {
  return `Keeping each image's ${k90} largest of ${latentDim} activations ` +
    'gives 90% of the full code\'s quality; ' +
    `on average ${active.toFixed(1)} units are above 0.1 per image.`;
}

/** Exercise 5: the empty code (`curve[0]`) against the mean image's MSE, and which codes are worse than it. */
export function emptyCodeLine(curve: readonly SparseCodePoint[], meanMse: number): string {
  const worse = curve.filter((p) => p.mse > meanMse);
  return `The empty code (k = 0) decodes to MSE ${curve[0].mse.toFixed(5)}, ` +
    `${curve[0].mse > meanMse ? 'worse' : 'better'} than drawing the mean training image ` +
    `(${meanMse.toFixed(5)}); a sigmoid unit never outputs exactly 0, so zeroing it sets it below ` +
    'anything it outputs on a real image. ' +
    (worse.length === curve.length
      ? 'Every code, the full one included, is worse than the mean image.'
      : worse.length > 1
        ? `Codes with k <= ${worse[worse.length - 1].k} are worse than the mean image; ` +
          'quality counts from the empty code, so read it with that in mind.'
        : 'Every code with at least one unit kept beats the mean image.');
}

/** A representation to classify from: its name, train and test rows, and width. */
export type Representation = [name: string, train: Float32Array, test: Float32Array, width: number];

/** One row of the challenge's table. */
export interface RepresentationAccuracy {
  representation: string;
  'test accuracy': number;
}

/** The challenge: a softmax classifier trained on each representation (in order), its test accuracy to 4 digits. */
export async function representationAccuracies(
  representations: readonly Representation[], trainLabels: ArrayLike<number>, testLabels: ArrayLike<number>,
  options: ClassifierOptions,
): Promise<RepresentationAccuracy[]> {
  const results: RepresentationAccuracy[] = [];
  for (const [name, xTrain, xTest, width] of representations) {
    const clf = await trainClassifier(xTrain, trainLabels, width, options);
    results.push({ representation: name, 'test accuracy': fixed(accuracy(clf, xTest, testLabels), 4) });
  }
  return results;
}

/**
 * The challenge's verdicts (`results[0]` is the raw pixels): the best of the others, the standard error
 * of one accuracy near it on `testCount` images, and PCA against the raw pixels.
 */
export function representationLines(results: readonly RepresentationAccuracy[], testCount: number): string[] {
  const best = results.slice(1).reduce((a, b) => (b['test accuracy'] > a['test accuracy'] ? b : a));
  const acc = (prefix: string) => results.find((r) => r.representation.startsWith(prefix))!['test accuracy'];
  const top = best['test accuracy'];
  const se = 100 * Math.sqrt((top * (1 - top)) / testCount);
  return [
    `Best 128-number representation: ${best.representation} ` +
      `at ${pct(top)} (raw pixels: ${pct(results[0]['test accuracy'])}).`,
    `One accuracy near ${pct(top)} on ${testCount} test images ` +
      `has a standard error of ${se.toFixed(2)} points: gaps under about two of them ` +
      `(${(2 * se).toFixed(1)}) do not rank two representations.`,
    'PCA\'s projection, a linear map of the pixels, scores ' +
      `${pct(acc('PCA'))} against the raw pixels' ${pct(acc('raw'))}.`,
  ];
}

const BINS: [string, number, number][] = [['0', 0, 0], ['1', 1, 1], ['2-5', 2, 5], ['6-20', 6, 20],
  ['21-100', 21, 100], ['more than 100', 101, Infinity]];

/** Notebook 13's table: the `silent` latents, counted by how many training images they fire on. */
export function silentByTrainingCount(
  silent: readonly number[], trainCounts: ArrayLike<number>,
): { 'training images': string; latents: number }[] {
  return BINS.map(([range, lo, hi]) => ({ 'training images': range,
    latents: silent.filter((j) => trainCounts[j] >= lo && trainCounts[j] <= hi).length }));
}

/** What notebook 13 knows of the run that `silentLatentLines` describes. */
export interface SilentLatentRun {
  /** per latent: training images it fires on */
  trainCounts: ArrayLike<number>;
  /** per latent: steps since it last fired in training */
  stepsSinceFired: ArrayLike<number>;
  deadAfter: number;
  trainCount: number;
  testCount: number;
}

/**
 * The `silent` latents (never firing on the test images): how many fire on no training image either,
 * how many were dead in training, how often the others fire, and how many should miss every test image
 * by chance: latent j misses all n test images with probability (1 - r_j)^n, r_j its training rate.
 */
export function silentLatentLines(silent: readonly number[], run: SilentLatentRun): string[] {
  const { trainCounts, stepsSinceFired, deadAfter, trainCount, testCount } = run;
  const noTrain = silent.filter((j) => trainCounts[j] === 0).length;
  const deadToo = silent.filter((j) => stepsSinceFired[j] >= deadAfter).length;
  const rare = silent.filter((j) => trainCounts[j] > 0).map((j) => trainCounts[j]);
  const deadAll = Array.from(stepsSinceFired).filter((s) => s >= deadAfter).length;
  // The dead count is kept during training (training batches, weights still moving); the firing counts use the final weights.
  const why = noTrain > deadToo || deadAll > deadToo
    ? ` The two counts need not agree: "dead" is counted while training, on its batches with weights still changing, ` +
      `the firing counts with the final weights${deadAll > deadToo ? `; the other ${deadAll - deadToo} latents dead during ` +
      'training do fire on test images' : ''}.` : '';
  const lines = [`${noTrain} of them ${noTrain === 1 ? 'fires' : 'fire'} on no training image either; ` +
    `${deadToo} ${isAre(deadToo)} dead during ` +
    `training (no firing in the last ${deadAfter} steps).${why}`];
  if (rare.length > 0) {
    const m = median(rare);
    const rate = m / trainCount;
    lines.push(`The other ${rare.length} fire on a median of ${m} ` +
      `training image${m === 1 ? '' : 's'}, a rate of ${rate.toExponential(1)}: ` +
      `${(rate * testCount).toFixed(2)} expected firings on ${testCount} test images.`);
  }
  let expected = 0;
  for (let j = 0; j < trainCounts.length; j++) expected += (1 - trainCounts[j] / trainCount) ** testCount;
  lines.push(`From the training rates, ${expected.toFixed(0)} latents should miss ` +
    `every test image by chance; ${silent.length} do.`);
  return lines;
}

/**
 * Notebook 13's feature-density chart, read: how many latents fire on no test image (left out of
 * the log axis), under 0.1%, 0.1-1%, 1-10% and over 10% of the `images`, and why the leftmost bars
 * have gaps (a latent fires on a whole number of images: 1, 2, 3 of n are log10 rates with nothing between).
 */
export function densityChartLines(rates: ArrayLike<number>, images: number): string[] {
  const r = Array.from(rates);
  const count = (lo: number, hi: number) => r.filter((v) => v > lo && v <= hi).length;
  const never = r.filter((v) => v === 0).length;
  const steps = [1, 2, 3].map((k) => Math.log10(k / images).toFixed(2)).join(', ');
  return [
    `Of ${r.length} latents, ${never} fire on none of the ${images} test images (left out: log10 0 has no place ` +
      `on the axis), ${count(0, 0.001)} on at most 0.1% of them, ${count(0.001, 0.01)} on 0.1-1%, ` +
      `${count(0.01, 0.1)} on 1-10% and ${count(0.1, 1)} on more than 10%.`,
    `A latent fires on a whole number of images, so the lowest rates are steps: 1, 2 and 3 of ${images} images ` +
      `are log10 rates ${steps}, and the bars between them stay empty.`,
  ];
}

/** Notebook 13's dashboard charts for one feature, read: the digit its mean activation peaks at, and the digit whose logit it feeds most. */
export function dashboardLine(unit: number, classProfile: ArrayLike<number>, logitEffect: ArrayLike<number>): string {
  const argmax = (a: ArrayLike<number>) => Array.from(a).reduce((best, v, i, all) => (v > all[best] ? i : best), 0);
  const [p, e] = [argmax(classProfile), argmax(logitEffect)];
  const head = `feature ${unit}: its mean activation peaks at digit ${p} (${classProfile[p].toFixed(3)}); `;
  if (!(logitEffect[e] > 0)) return head + 'removing it lowers no digit\'s logit.';
  return head + `removing it lowers digit ${e}'s logit most (by ${logitEffect[e].toFixed(3)})` +
    (p === e ? ', the same digit.' : `, not digit ${p}'s.`);
}
