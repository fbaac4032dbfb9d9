/** A fully connected layer y = act(x W + b), with PyTorch's default initialisation. */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { DenseActivation, engine } from '../runtime/engine';

export type Activation = DenseActivation;

const modelsMade = new Map<string, number>();

/**
 * tfjs variable names are global: each model's variables get a prefix of their own, the kind and
 * how many models of that kind were made before (`sae1`, `sae2`, `mlp1`, ...).
 */
export function modelPrefix(kind: string): string {
  const n = (modelsMade.get(kind) ?? 0) + 1;
  modelsMade.set(kind, n);
  return `${kind}${n}`;
}

export interface Dense {
  /** [inDim, outDim] */
  w: tf.Variable<tf.Rank.R2>;
  /** [outDim] */
  b: tf.Variable<tf.Rank.R1>;
  activation: Activation;
  /**
   * false for a layer whose input is data (the encoder's first layer): a training step then skips
   * the gradient with respect to the input, 1 of the 12 products of a step. Set it to true to
   * differentiate with respect to the input images.
   */
  inputGrad: boolean;
}

/**
 * Weights and biases drawn from U(-1/sqrt(inDim), 1/sqrt(inDim)), as nn.Linear does,
 * from the kit's seeded generator so the start is the same on every backend.
 */
export function createDense(inDim: number, outDim: number, activation: Activation, rng: Rng, name: string, inputGrad = true): Dense {
  const bound = 1 / Math.sqrt(inDim);
  const w = new Float32Array(inDim * outDim);
  for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-bound, bound);
  const b = new Float32Array(outDim);
  for (let i = 0; i < b.length; i++) b[i] = rng.uniform(-bound, bound);
  // tidy frees the initial-value tensors; the variables (not tracked by tidy) stay.
  return tf.tidy(() => ({
    w: tf.variable(tf.tensor2d(w, [inDim, outDim]), true, `${name}/w`),
    b: tf.variable(tf.tensor1d(b), true, `${name}/b`),
    activation,
    inputGrad,
  }));
}

/** Applies one layer: act(x W + b). */
export function applyDense(layer: Dense, x: tf.Tensor2D): tf.Tensor2D {
  return engine().dense(x, layer.w, layer.b, layer.activation, layer.inputGrad);
}

/** Applies layers in order. */
export function applyStack(layers: Dense[], x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => layers.reduce((h, layer) => applyDense(layer, h), x));
}
