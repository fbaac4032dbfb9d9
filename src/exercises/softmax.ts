/**
 * Multinomial logistic regression (softmax classifier) on fixed features, trained with Adam on
 * the mean cross-entropy. Features are standardised with the training set's mean and std.
 */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { yieldToEventLoop } from '../runtime/progress';

export interface ClassifierOptions {
  classes?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** L2 penalty on the weights */
  l2?: number;
  seed?: number;
}

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
  return tf.tidy(() => {
    const z = tf.add(tf.matMul(tf.tensor2d(standardise(x, model.features, model.mean, model.std), [n, model.features]),
      tf.tensor2d(model.weights, [model.features, model.classes])), tf.tensor1d(model.bias));
    return tf.softmax(z as tf.Tensor2D).dataSync() as Float32Array;
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

/** Trains the classifier on rows `x` ([n, features]) with integer `labels`. */
export async function trainClassifier(x: Float32Array, labels: ArrayLike<number>, features: number, options: ClassifierOptions = {}): Promise<Classifier> {
  const classes = options.classes ?? 10;
  const epochs = options.epochs ?? 20;
  const batchSize = options.batchSize ?? 256;
  const l2 = options.l2 ?? 1e-4;
  const n = x.length / features;
  if (!Number.isInteger(n) || n !== labels.length) throw new Error(`${x.length / features} feature rows but ${labels.length} labels`);
  const mean = new Float32Array(features);
  const sq = new Float32Array(features);
  for (let i = 0; i < x.length; i++) { mean[i % features] += x[i] / n; }
  for (let i = 0; i < x.length; i++) { const d = x[i] - mean[i % features]; sq[i % features] += (d * d) / n; }
  const std = sq.map((v) => Math.sqrt(v) || 1);
  const xs = standardise(x, features, mean, std);
  const rng = new Rng(options.seed ?? 0);
  const w = tf.tidy(() => tf.variable(tf.zeros([features, classes]), true, `clf-w-${rng.int(1e9)}`));
  const b = tf.tidy(() => tf.variable(tf.zeros([classes]), true, `clf-b-${rng.int(1e9)}`));
  const optimizer = tf.train.adam(options.learningRate ?? 0.01);
  const oneHot = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) oneHot[i * classes + labels[i]] = 1;
  try {
    for (let e = 0; e < epochs; e++) {
      const order = rng.permutation(n);
      for (let start = 0; start < n; start += batchSize) {
        const idx = order.subarray(start, Math.min(n, start + batchSize));
        const bx = new Float32Array(idx.length * features);
        const by = new Float32Array(idx.length * classes);
        idx.forEach((r, k) => {
          bx.set(xs.subarray(r * features, (r + 1) * features), k * features);
          by.set(oneHot.subarray(r * classes, (r + 1) * classes), k * classes);
        });
        tf.tidy(() => {
          const tx = tf.tensor2d(bx, [idx.length, features]);
          const ty = tf.tensor2d(by, [idx.length, classes]);
          optimizer.minimize(() => tf.add(
            tf.losses.softmaxCrossEntropy(ty, tf.add(tf.matMul(tx, w), b)),
            tf.mul(l2, tf.sum(tf.square(w)))) as tf.Scalar);
        });
      }
      await yieldToEventLoop();
    }
    return { weights: w.dataSync().slice() as Float32Array, bias: b.dataSync().slice() as Float32Array, mean, std, features, classes };
  } finally {
    optimizer.dispose();
    w.dispose();
    b.dispose();
  }
}
