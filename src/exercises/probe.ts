/**
 * A linear probe: how much of the digit label a code holds in a form one linear layer can read.
 * A softmax classifier (softmax.ts: standardised features, cross-entropy + small L2, Adam) is
 * trained on the codes of training images and scored on the codes of test images.
 *
 * It measures linear readability of the label, nothing more: a code can hold the label in a
 * non-linear form a probe misses, and a code that is good for the label need not be sparse,
 * local or interpretable. The label is one task among many a code could serve.
 */
import type { Dataset } from '../data/mnist';
import { encodeAll, Encoder } from '../core/evaluate';
import { ClassifierOptions, accuracy, trainClassifier } from './softmax';

export interface ProbeResult {
  /** values per row the probe reads */
  width: number;
  trainCount: number;
  testCount: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** the test share of the training set's most common class: what always guessing it scores */
  chance: number;
}

/** Rows [n, width] with their labels. */
export interface LabelledRows {
  rows: Float32Array;
  labels: ArrayLike<number>;
}

/** The share of `test` labels equal to the most common `train` label. */
function majorityShare(train: ArrayLike<number>, test: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < train.length; i++) counts.set(train[i], (counts.get(train[i]) ?? 0) + 1);
  let best = train[0];
  counts.forEach((c, k) => { if (c > (counts.get(best) ?? 0)) best = k; });
  let hits = 0;
  for (let i = 0; i < test.length; i++) if (test[i] === best) hits += 1;
  return test.length ? hits / test.length : NaN;
}

/** Trains a softmax probe on `train` rows and scores it on `test` rows (both [n, width]). */
export async function linearProbe(train: LabelledRows, test: LabelledRows, width: number,
  options: ClassifierOptions = {}): Promise<ProbeResult> {
  const probe = await trainClassifier(train.rows, train.labels, width, options);
  return {
    width,
    trainCount: train.labels.length,
    testCount: test.labels.length,
    trainAccuracy: accuracy(probe, train.rows, train.labels),
    testAccuracy: accuracy(probe, test.rows, test.labels),
    chance: majorityShare(train.labels, test.labels),
  };
}

export interface ProbeModelOptions extends ClassifierOptions {
  /** training images whose codes train the probe (all of `train` by default) */
  trainLimit?: number;
}

/** The probe on `model`'s codes: trained on the first trainLimit images of `train`, scored on all of `test`. */
export async function probeCodes(model: Encoder, train: Dataset, test: Dataset,
  options: ProbeModelOptions = {}): Promise<ProbeResult> {
  const { trainLimit, ...rest } = options;
  const n = Math.min(trainLimit ?? train.count, train.count);
  const width = model.config.latentDim;
  return linearProbe(
    { rows: encodeAll(model, train, n), labels: train.labels.subarray(0, n) },
    { rows: encodeAll(model, test), labels: test.labels },
    width, rest,
  );
}

/** The same probe on raw pixels: a reference for what a linear layer reads from the images themselves. */
export async function probePixels(train: Dataset, test: Dataset, options: ProbeModelOptions = {}): Promise<ProbeResult> {
  const { trainLimit, ...rest } = options;
  const n = Math.min(trainLimit ?? train.count, train.count);
  return linearProbe(
    { rows: train.images.subarray(0, n * train.dim), labels: train.labels.subarray(0, n) },
    { rows: test.images, labels: test.labels },
    train.dim, rest,
  );
}
