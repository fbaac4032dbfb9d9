/**
 * A small MLP classifier for MNIST (784 -> hidden (ReLU) -> 10), whose hidden layer is the
 * "real network" that notebook 13 opens up with a sparse autoencoder.
 */
import * as tf from '../runtime/tf';
import { Dataset, batches } from '../data/mnist';
import { Dense, applyDense, createDense } from '../core/dense';
import { Rng } from '../runtime/random';
import { createOptimizer } from '../core/train';
import { ProgressReporter, autoProgress, silentProgress, yieldToEventLoop } from '../runtime/progress';

export class MlpClassifier {
  readonly hidden: Dense;
  readonly out: Dense;

  constructor(readonly inputDim = 784, readonly hiddenDim = 256, readonly classes = 10, seed = 42) {
    const rng = new Rng(seed);
    this.hidden = createDense(inputDim, hiddenDim, 'relu', rng, `mlp${seed}-${Math.floor(rng.next() * 1e9)}/hidden`, false);
    this.out = createDense(hiddenDim, classes, 'linear', rng, `mlp${seed}-${Math.floor(rng.next() * 1e9)}/out`);
  }

  get variables(): tf.Variable[] {
    return [this.hidden.w, this.hidden.b, this.out.w, this.out.b];
  }

  /** Hidden-layer activations [n, hiddenDim]. */
  activations(x: tf.Tensor2D): tf.Tensor2D {
    return applyDense(this.hidden, x);
  }

  /** Logits from hidden activations (the part after the layer an SAE reads). */
  logitsFromHidden(h: tf.Tensor2D): tf.Tensor2D {
    return applyDense(this.out, h);
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.logitsFromHidden(this.activations(x)));
  }

  /** Trains with Adam on softmax cross-entropy; resolves to the training loss per epoch. */
  async fit(data: Dataset, options: { epochs?: number; batchSize?: number; learningRate?: number; seed?: number; progress?: ProgressReporter | false } = {}): Promise<number[]> {
    const epochs = options.epochs ?? 5;
    const batchSize = options.batchSize ?? 128;
    const reporter = options.progress === false ? silentProgress : options.progress ?? autoProgress('MLP classifier');
    const optimizer = createOptimizer(options.learningRate ?? 1e-3);
    const losses: number[] = [];
    try {
      for (let e = 1; e <= epochs; e++) {
        let sum = 0;
        let b = 0;
        const n = Math.ceil(data.count / batchSize);
        const start = Date.now();
        for (const batch of batches(data, { batchSize, seed: (options.seed ?? 42) * 1000 + e })) {
          b += 1;
          sum += tf.tidy(() => {
            const x = tf.tensor2d(batch.images, [batch.size, data.dim]);
            const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), this.classes);
            const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, this.logits(x)) as tf.Scalar, this.variables);
            optimizer.applyGradients(grads);
            return value.dataSync()[0];
          });
          reporter.batch({ epoch: e, epochs, batch: b, batches: n, loss: sum / b, seconds: (Date.now() - start) / 1000 });
          if (b % 20 === 0) await yieldToEventLoop();
        }
        losses.push(sum / b);
        reporter.epoch(`epoch ${e}: cross-entropy ${(sum / b).toFixed(4)} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
      }
    } finally {
      optimizer.dispose();
    }
    return losses;
  }

  /** Fraction of `data` classified correctly. */
  accuracy(data: Dataset): number {
    let right = 0;
    for (const b of batches(data, { batchSize: 1000 })) {
      const pred = tf.tidy(() => tf.argMax(this.logits(tf.tensor2d(b.images, [b.size, data.dim])), 1).dataSync());
      for (let i = 0; i < b.size; i++) if (pred[i] === b.labels[i]) right += 1;
    }
    return right / data.count;
  }

  /** Hidden activations of every image, as a Dataset of dimension hiddenDim (labels kept). */
  activationDataset(data: Dataset): Dataset {
    const out = new Float32Array(data.count * this.hiddenDim);
    let row = 0;
    for (const b of batches(data, { batchSize: 1000 })) {
      out.set(tf.tidy(() => this.activations(tf.tensor2d(b.images, [b.size, data.dim])).dataSync()), row * this.hiddenDim);
      row += b.size;
    }
    return { images: out, labels: data.labels, count: data.count, rows: 1, cols: this.hiddenDim, dim: this.hiddenDim, source: `${data.source} (MLP hidden layer)` };
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
