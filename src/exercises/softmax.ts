/**
 * Multinomial logistic regression (softmax classifier) on fixed features, trained by the kit's
 * `fit` on the mean cross-entropy plus an L2 penalty. Features are standardised with the training
 * set's mean and std.
 */
import * as tf from '../runtime/tf';
import { floatsOf } from '../runtime/values';
import { EpochRecord, LossParts, fit } from '../core/train';
import { asMatrix, columnMeans, datasetFromMatrix } from '../data/matrix';
import { Checks, anInteger, checkConfig, finiteAbove, finiteAtLeast, integerAtLeast } from '../core/checks';
import type { ProgressReporter } from '../runtime/progress';
import { modelPrefix } from '../core/dense';

export interface ClassifierOptions {
  classes?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** weight of the L2 penalty sum W^2 on the weights (1e-4) */
  l2?: number;
  /** fixes the batch order (through the trainer's epochSeed) */
  seed?: number;
  /** a progress display; none by default */
  progress?: ProgressReporter | false;
  /** called after each epoch with its mean total, crossEntropy and squaredWeights */
  onEpoch?: (record: EpochRecord) => void;
}

type ClassifierSettings = Required<Omit<ClassifierOptions, 'progress' | 'onEpoch'>>;

const DEFAULT_CLASSIFIER: Readonly<ClassifierSettings> = Object.freeze({
  classes: 10, epochs: 20, batchSize: 256, learningRate: 0.01, l2: 1e-4, seed: 0,
});

const CLASSIFIER_CHECKS: Checks<ClassifierSettings> = {
  classes: integerAtLeast(2),
  epochs: integerAtLeast(1),
  batchSize: integerAtLeast(1),
  learningRate: finiteAbove(0),
  l2: finiteAtLeast(0),
  seed: anInteger,
};

export interface Classifier {
  /** [features, classes] */
  weights: Float32Array;
  bias: Float32Array;
  mean: Float32Array;
  std: Float32Array;
  features: number;
  classes: number;
}

function standardise(x: Float32Array, features: number, mean: Float32Array, std: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] - mean[i % features]) / std[i % features];
  return out;
}

/** Class probabilities [n, classes] for feature rows `x` ([n, features]). */
export function predictProba(model: Classifier, x: Float32Array): Float32Array {
  const n = x.length / model.features;
  return floatsOf(() => {
    const z = tf.add(tf.matMul(tf.tensor2d(standardise(x, model.features, model.mean, model.std), [n, model.features]),
      tf.tensor2d(model.weights, [model.features, model.classes])), tf.tensor1d(model.bias));
    return tf.softmax(z as tf.Tensor2D);
  });
}

/** Predicted class of each row. */
export function predict(model: Classifier, x: Float32Array): Uint8Array {
  const p = predictProba(model, x);
  const n = x.length / model.features;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < model.classes; c++) if (p[i * model.classes + c] > p[i * model.classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Fraction of rows whose predicted class is the label. */
export function accuracy(model: Classifier, x: Float32Array, labels: ArrayLike<number>): number {
  const pred = predict(model, x);
  let right = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) right += 1;
  return right / pred.length;
}

/**
 * The classifier while it trains: z = x W + b on standardised features, trained by the kit's `fit`
 * like every other model. total = crossEntropy + l2 * squaredWeights.
 */
class SoftmaxModel {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  readonly config: { inputDim: number };

  constructor(features: number, readonly classes: number, readonly l2: number) {
    const name = modelPrefix('softmax');
    this.w = tf.tidy(() => tf.variable(tf.zeros([features, classes]), true, `${name}/w`));
    this.b = tf.tidy(() => tf.variable(tf.zeros([classes]), true, `${name}/b`));
    this.config = { inputDim: features };
  }

  get variables(): tf.Variable[] {
    return [this.w, this.b];
  }

  /** crossEntropy: mean over the batch; squaredWeights: sum of W's squares (the bias is not penalised). */
  losses(x: tf.Tensor2D, labels: tf.Tensor1D): LossParts {
    return tf.tidy(() => {
      const logits = tf.add(tf.matMul(x, this.w), this.b) as tf.Tensor2D;
      const crossEntropy = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, this.classes), logits) as tf.Scalar;
      const squaredWeights = tf.sum(tf.square(this.w)) as tf.Scalar;
      const total = tf.add(crossEntropy, tf.mul(this.l2, squaredWeights)) as tf.Scalar;
      return { total, crossEntropy, squaredWeights };
    });
  }

  dispose(): void {
    this.w.dispose();
    this.b.dispose();
  }
}

/**
 * Trains the classifier on rows `x` ([n, features]) with integer `labels` through the kit's `fit`
 * (Adam, its shuffle seeds); `options.onEpoch` sees each epoch's crossEntropy and squaredWeights.
 */
export async function trainClassifier(x: Float32Array, labels: ArrayLike<number>, features: number, options: ClassifierOptions = {}): Promise<Classifier> {
  const { progress, onEpoch, ...rest } = options;
  const o = checkConfig('ClassifierOptions', CLASSIFIER_CHECKS, DEFAULT_CLASSIFIER, rest);
  const { classes, l2 } = o;
  const raw = datasetFromMatrix(x, labels, features, 'classifier features');
  const n = raw.count;
  for (let i = 0; i < n; i++) {
    if (raw.labels[i] >= classes) throw new Error(`labels[${i}] = ${raw.labels[i]} is invalid: expected a class in [0, ${classes - 1}]`);
  }
  const m = asMatrix(x, features, 'the classifier features');
  const mean64 = columnMeans(m);
  const mean = Float32Array.from(mean64);
  // var = E[x^2] - mean^2, in float64 (clamped at 0 against rounding); a constant column keeps std 1
  const meanSquares = columnMeans(m, (v) => v * v);
  const std = Float32Array.from(meanSquares, (v, j) => Math.sqrt(Math.max(0, v - mean64[j] * mean64[j])) || 1);
  const data = { ...raw, images: standardise(x, features, mean, std), source: 'classifier features (standardised)' };
  const model = new SoftmaxModel(features, classes, l2);
  try {
    await fit(model, data, {
      epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate,
      seed: o.seed, progress: progress ?? false, title: 'softmax classifier', onEpoch,
    });
    return { weights: model.w.dataSync().slice() as Float32Array, bias: model.b.dataSync().slice() as Float32Array, mean, std, features, classes };
  } finally {
    model.dispose();
  }
}
