/**
 * A small MLP classifier for MNIST (784 -> hidden (ReLU) -> 10), whose hidden layer is the
 * "real network" that notebook 13 opens up with a sparse autoencoder.
 */
import { Checks, anInteger, checkConfig, integerIn } from '../core/checks';
import * as tf from '../runtime/tf';
import { floatsOf, valuesOf } from '../runtime/values';
import { Dataset, batches } from '../data/mnist';
import { Dense, applyDense, createDense, modelPrefix } from '../core/dense';
import { Rng } from '../runtime/random';
import { FitOptions, LossParts, fit as fitModel } from '../core/train';
import { datasetFromMatrix } from '../data/matrix';

interface MlpConfig { inputDim: number; hiddenDim: number; classes: number; seed: number }

const MLP_DEFAULTS: Readonly<MlpConfig> = Object.freeze({ inputDim: 784, hiddenDim: 256, classes: 10, seed: 42 });

const MLP_CHECKS: Checks<MlpConfig> = {
  inputDim: integerIn(1, 1_000_000),
  hiddenDim: integerIn(1, 100_000),
  classes: integerIn(2, 100_000),
  seed: anInteger,
};

export class MlpClassifier {
  readonly hidden: Dense;
  readonly out: Dense;

  constructor(readonly inputDim = 784, readonly hiddenDim = 256, readonly classes = 10, seed = 42) {
    checkConfig('MlpConfig', MLP_CHECKS, MLP_DEFAULTS, { inputDim, hiddenDim, classes, seed });
    const rng = new Rng(seed);
    // Variable names are global in tfjs, so each MLP gets its own prefix (modelPrefix) to keep two of the same seed apart of the same seed apart. The
    // two draws stay (they once named the layers) so that a seed gives the weights it always gave.
    const name = modelPrefix('mlp');
    rng.next();
    this.hidden = createDense(inputDim, hiddenDim, 'relu', rng, `${name}/hidden`, false);
    rng.next();
    this.out = createDense(hiddenDim, classes, 'linear', rng, `${name}/out`);
  }

  /** The widths, for the trainer's check that the data's rows have inputDim values. */
  get config(): { inputDim: number; hiddenDim: number; classes: number } {
    return { inputDim: this.inputDim, hiddenDim: this.hiddenDim, classes: this.classes };
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

  /**
   * The mean softmax cross-entropy of the batch (the trainer's contract; `total` is the same
   * scalar, recorded under its own name so the history reads `crossEntropy`).
   */
  losses(x: tf.Tensor2D, labels: tf.Tensor1D): LossParts {
    return tf.tidy(() => {
      const crossEntropy = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, this.classes), this.logits(x)) as tf.Scalar;
      return { total: crossEntropy, crossEntropy };
    });
  }

  /**
   * Trains with the kit's `fit` (Adam, its shuffle seeds, 5 epochs unless told); resolves to the
   * mean training cross-entropy of each epoch. Use `fit(mlp, data)` directly for the full history.
   */
  async fit(data: Dataset, options: FitOptions = {}): Promise<number[]> {
    const history = await fitModel(this, data, { epochs: 5, title: 'MLP classifier', ...options });
    return history.map((r) => r.crossEntropy);
  }

  /** Fraction of `data` classified correctly. */
  accuracy(data: Dataset): number {
    let right = 0;
    for (const b of batches(data, { batchSize: 1000 })) {
      const pred = valuesOf(() => tf.argMax(this.logits(tf.tensor2d(b.images, [b.size, data.dim])), 1));
      for (let i = 0; i < b.size; i++) if (pred[i] === b.labels[i]) right += 1;
    }
    return right / data.count;
  }

  /** Hidden activations of every image, as a Dataset of dimension hiddenDim (labels kept). */
  activationDataset(data: Dataset): Dataset {
    const out = new Float32Array(data.count * this.hiddenDim);
    let row = 0;
    for (const b of batches(data, { batchSize: 1000 })) {
      out.set(floatsOf(() => this.activations(tf.tensor2d(b.images, [b.size, data.dim]))), row * this.hiddenDim);
      row += b.size;
    }
    return datasetFromMatrix(out, data.labels, this.hiddenDim, `${data.source} (MLP hidden layer)`);
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
