/**
 * The reference engine: every operation of runtime/engine.ts as the lesson's equations in plain
 * TensorFlow.js ops, on any backend. The native engine (runtime/native/) computes the same things
 * with fused kernels; the tests run the models on both and compare.
 */
import * as tf from './tf';
import type { DenseActivation, Engine } from './engine';
import { ReferenceAdam } from './reference-adam';

/** The activation applied to z. */
function activate(z: tf.Tensor2D, activation: DenseActivation): tf.Tensor2D {
  if (activation === 'relu') return tf.relu(z);
  if (activation === 'sigmoid') return tf.sigmoid(z);
  return z;
}

/** dL/dz from dL/dy and the layer's output y (both activations' derivatives are functions of y). */
function activationGrad(dy: tf.Tensor2D, y: tf.Tensor2D, activation: DenseActivation): tf.Tensor2D {
  if (activation === 'relu') return tf.mul(dy, tf.step(y)) as tf.Tensor2D; // step(y) = 1 where y > 0
  if (activation === 'sigmoid') return tf.mul(dy, tf.mul(y, tf.sub(1, y))) as tf.Tensor2D;
  return dy;
}

type DenseOp = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
const denseOps = new Map<string, DenseOp>();

/**
 * y = act(x W + b) with its backward pass written out:
 *   dz = dy * act'(.),  dx = dz W^T,  dW = x^T dz,  db = sum over rows of dz
 * (dx is zeros for a layer whose input is data, `inputGrad` false). The products multiply
 * explicit transposes: tfjs's own gradient of matMul sets transpose flags, which the wasm backend
 * runs about ten times slower than a plain product.
 */
function denseOp(activation: DenseActivation, inputGrad: boolean): DenseOp {
  const key = `${activation}/${inputGrad}`;
  if (denseOps.has(key)) return denseOps.get(key)!;
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
  denseOps.set(key, (x, w, b) => op(x, w, b) as tf.Tensor2D);
  return denseOps.get(key)!;
}

/**
 * f W + b, with the gradient to f written out and kept where f is non-zero:
 *   df = (dy W^T) * [f != 0],  dW = f^T dy,  db = sum over rows of dy
 */
const sparseDecodeOp = tf.customGrad(((f: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([f, w]);
  return {
    value: tf.add(tf.matMul(f, w), b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sf, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      const support = tf.cast(tf.notEqual(sf, 0), 'float32');
      return [tf.mul(tf.matMul(dy, tf.transpose(sw)), support), tf.matMul(tf.transpose(sf), dy), tf.sum(dy, 0)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** f(x) with a zero gradient: for masks, which select entries and are not differentiated. */
export function constantForGradients(f: (x: tf.Tensor2D) => tf.Tensor2D): (x: tf.Tensor2D) => tf.Tensor2D {
  const op = tf.customGrad(((x: tf.Tensor2D, save: tf.GradSaveFunc) => {
    void save;
    return { value: f(x), gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)] };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (x) => op(x) as tf.Tensor2D;
}

/** 1 where z is at least its row's k-th largest value (tf.topk's k-th value), else 0. */
export function topkMaskOps(z: tf.Tensor2D, k: number): tf.Tensor2D {
  return tf.tidy(() => {
    const { values } = tf.topk(z, k);
    const kth = tf.slice(values, [0, k - 1], [-1, 1]); // [batch, 1]
    // kth times a row of ones is kth exactly: comparing two [batch, n] tensors is ~10x faster on
    // wasm than comparing with a broadcast [batch, 1] column.
    const wide = tf.matMul(kth, tf.ones([1, z.shape[1]]));
    return tf.cast(tf.greaterEqual(z, wide), 'float32') as tf.Tensor2D;
  });
}

export const referenceEngine: Engine = {
  name: 'reference',
  dense: (x, w, b, activation, inputGrad = true) => denseOp(activation, inputGrad)(x, w, b),
  centeredDense: (x, c, w, b) => tf.tidy(() => tf.add(tf.matMul(tf.sub(x, c), w), b) as tf.Tensor2D),
  sparseDecode: (f, w, b) => sparseDecodeOp(f, w, b) as tf.Tensor2D,
  mse: (x, xHat) => tf.tidy(() => tf.mean(tf.squaredDifference(x, xHat)) as tf.Scalar),
  klPenalty: (h, rho, lo, hi) => tf.tidy(() => {
    const rhoHat = tf.clipByValue(tf.mean(h, 0), lo, hi);
    const a = tf.mul(rho, tf.log(tf.div(rho, rhoHat)));
    const b = tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, rhoHat))));
    return tf.sum(tf.add(a, b)) as tf.Scalar;
  }),
  topkMask: (z, k) => constantForGradients((x) => topkMaskOps(x, k))(z),
  topk: (z, k) => tf.tidy(() => tf.mul(tf.relu(z), referenceEngine.topkMask(z, k)) as tf.Tensor2D),
  firedLatents: (f, threshold) => tf.tidy(() => tf.cast(tf.greater(tf.max(f, 0), threshold), 'int32') as tf.Tensor1D),
  unitNorm: (w, axis) => tf.tidy(() =>
    // sqrt(sum of squares): tf.norm's pow(|w|, 2) is ~20x slower on wasm.
    tf.div(w, tf.maximum(tf.sqrt(tf.sum(tf.square(w), axis, true)), 1e-12)) as tf.Tensor2D),
  adam: (settings) => new ReferenceAdam(settings),
};
