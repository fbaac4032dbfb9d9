/** A fully connected layer y = act(x W + b), with PyTorch's default initialisation. */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { nativeMatMulActive } from '../runtime/native';
import { fusedDense } from '../runtime/fused';

export type Activation = 'relu' | 'sigmoid' | 'linear';

export interface Dense {
  /** [inDim, outDim] */
  w: tf.Variable<tf.Rank.R2>;
  /** [outDim] */
  b: tf.Variable<tf.Rank.R1>;
  activation: Activation;
  /**
   * false for a layer whose input is data (the encoder's first layer): a training step then skips
   * the gradient with respect to the input, saving 1 of the 12 products of a step. Through the
   * native addon (runtime/fused.ts) that gradient still comes when something asks for it; on the
   * plain tfjs path it is returned as zeros. Set it to true to differentiate with respect to the
   * input images.
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

/** The activation applied to z. */
function activate(z: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  if (activation === 'relu') return tf.relu(z);
  if (activation === 'sigmoid') return tf.sigmoid(z);
  return z;
}

/** dL/dz from dL/dy and the layer's output y (both activations' derivatives are functions of y). */
function activationGrad(dy: tf.Tensor2D, y: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  if (activation === 'relu') return tf.mul(dy, tf.step(y)) as tf.Tensor2D; // step(y) = 1 where y > 0
  if (activation === 'sigmoid') return tf.mul(dy, tf.mul(y, tf.sub(1, y))) as tf.Tensor2D;
  return dy;
}

/**
 * y = act(x W + b) with a hand-written gradient:
 *   dz = dy * act'(.),  dx = dz W^T,  dW = x^T dz,  db = sum over rows of dz.
 * tfjs's own gradient of matMul multiplies with transpose flags set, which the wasm backend
 * runs about 10x slower than a plain product (measured: 2.3 vs 21-30 GFLOP/s on 128x784x256);
 * transposing explicitly first keeps every product on the fast path. With the native OpenBLAS
 * product (native.ts) the flags are free, and applyDense uses plain ops instead.
 */
type DenseOp = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
const denseOps = new Map<string, DenseOp>();

function denseOp(activation: Activation, inputGrad: boolean): DenseOp {
  const key = `${activation}/${inputGrad}`;
  if (!denseOps.has(key)) denseOps.set(key, makeDenseOp(activation, inputGrad));
  return denseOps.get(key)!;
}

function makeDenseOp(activation: Activation, inputGrad: boolean): DenseOp {
  const forward = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const y = activate(tf.add(tf.matMul(x, w), b) as tf.Tensor2D, activation);
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sx, sw, sy] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const dz = activationGrad(dy, sy, activation);
        const dx = inputGrad ? tf.matMul(dz, tf.transpose(sw)) : tf.zerosLike(sx);
        return [dx, tf.matMul(tf.transpose(sx), dz), tf.sum(dz, 0)];
      },
    };
  };
  // customGrad's typing wants (...inputs: Tensor[]); the save function arrives last.
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return (x, w, b) => op(x, w, b) as tf.Tensor2D;
}

/** Applies one layer. */
export function applyDense(layer: Dense, x: tf.Tensor2D): tf.Tensor2D {
  // One native kernel forward and one backward where the addon is built (runtime/fused.ts).
  const fused = fusedDense(x, layer.w, layer.b, layer.activation, layer.inputGrad);
  if (fused !== null) return fused;
  // With OpenBLAS products, transposes are free and tfjs's own gradients (which also skip the
  // unneeded input gradient by themselves) beat the custom op: 3.8 vs 4.3 s per epoch measured.
  if (nativeMatMulActive()) return tf.tidy(() => activate(tf.add(tf.matMul(x, layer.w), layer.b) as tf.Tensor2D, layer.activation));
  return denseOp(layer.activation, layer.inputGrad)(x, layer.w, layer.b);
}

/** Applies layers in order. */
export function applyStack(layers: Dense[], x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => layers.reduce((h, layer) => applyDense(layer, h), x));
}
