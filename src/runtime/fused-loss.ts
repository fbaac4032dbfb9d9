/**
 * The lesson's loss terms as single native kernels (native/loss.c), with their gradients in
 * tfjs's registry: MSE ('SaeMse') replaces squaredDifference + mean and their ~8 gradient
 * kernels (among them a ones tensor of the batch's size made in JavaScript every step), the KL
 * penalty ('SaeKl') replaces ~12 ops and ~25 gradient kernels.
 *
 * Both return null where fusion is not in use (see fused.ts), and the caller computes the term
 * with plain ops; core/losses.ts holds the formulas and the clamp bounds it passes in.
 */
import * as tf from './tf';
import { loadNative } from './native';
import { Backend, fusedActive, io } from './fused';

interface KlAttrs { rho: number; lo: number; hi: number }

const registered = new Set<string>();

function register(name: 'wasm' | 'cpu'): boolean {
  if (registered.has(name)) return true;
  const blas = loadNative() as unknown as NativeLoss | null;
  if (blas === null || typeof blas.mse !== 'function') return false;
  const kernel = (kernelName: string, f: (inputs: Record<string, tf.TensorInfo>, attrs: KlAttrs & { sign: number },
    k: ReturnType<typeof io>) => tf.TensorInfo) => tf.registerKernel({
    kernelName,
    backendName: name,
    kernelFunc: ({ inputs, attrs, backend }) =>
      f(inputs as Record<string, tf.TensorInfo>, attrs as unknown as KlAttrs & { sign: number }, io(backend as unknown as Backend, name)),
  });
  kernel('SaeMse', ({ a, b }, _, k) => {
    const out = k.out([]);
    k.view(out)[0] = blas.mse(k.view(a), k.view(b));
    return k.finish(out);
  });
  kernel('SaeMseGrad', ({ a, b, dy }, { sign }, k) => {
    const out = k.out(a.shape);
    blas.mseGrad(k.view(a), k.view(b), k.view(dy)[0], k.view(out), sign);
    return k.finish(out);
  });
  kernel('SaeKl', ({ h }, { rho, lo, hi }, k) => {
    const out = k.out([]);
    k.view(out)[0] = blas.kl(k.view(h), h.shape[0], h.shape[1], rho, lo, hi);
    return k.finish(out);
  });
  kernel('SaeKlGrad', ({ h, dy }, { rho, lo, hi }, k) => {
    const out = k.out(h.shape);
    blas.klGrad(k.view(h), h.shape[0], h.shape[1], rho, lo, hi, k.view(dy)[0], k.view(out));
    return k.finish(out);
  });
  if (registered.size === 0) {
    const run = (kernelName: string, inputs: tf.NamedTensorMap, attrs: object) =>
      tf.engine().runKernel(kernelName, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
    tf.registerGradient({
      kernelName: 'SaeMse',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]) => ({
        a: () => run('SaeMseGrad', { a, b, dy: dy as tf.Tensor }, { sign: -1 }),
        b: () => run('SaeMseGrad', { a, b, dy: dy as tf.Tensor }, { sign: 1 }),
      }),
    });
    tf.registerGradient({
      kernelName: 'SaeKl',
      inputsToSave: ['h'],
      gradFunc: (dy, [h], attrs) => ({ h: () => run('SaeKlGrad', { h, dy: dy as tf.Tensor }, attrs as object) }),
    });
  }
  registered.add(name);
  return true;
}

interface NativeLoss {
  mse(a: Float32Array, b: Float32Array): number;
  mseGrad(a: Float32Array, b: Float32Array, dy: number, out: Float32Array, sign: number): void;
  kl(h: Float32Array, rows: number, cols: number, rho: number, lo: number, hi: number): number;
  klGrad(h: Float32Array, rows: number, cols: number, rho: number, lo: number, hi: number, dy: number, out: Float32Array): void;
}

function ready(...ts: tf.Tensor[]): boolean {
  const backend = tf.getBackend();
  return fusedActive() && register(backend as 'wasm' | 'cpu') && ts.every((t) => t.dtype === 'float32' && t.size > 0);
}

/** mean((x - xHat)^2) as one kernel, or null (the caller then uses plain ops). */
export function fusedMse(x: tf.Tensor, xHat: tf.Tensor): tf.Scalar | null {
  if (!ready(x, xHat) || !tf.util.arraysEqual(x.shape, xHat.shape)) return null;
  return tf.engine().runKernel('SaeMse', { a: x, b: xHat }, {}) as tf.Scalar;
}

/**
 * sum_j KL(rho || clamp(mean_i h_ij, lo, hi)) for h [batch, latentDim] as one kernel, or null.
 * The clamp's gradient passes where lo <= mean <= hi, as tf.clipByValue's does.
 */
export function fusedKlPenalty(h: tf.Tensor2D, rho: number, lo: number, hi: number): tf.Scalar | null {
  if (!ready(h) || h.rank !== 2) return null;
  const attrs: KlAttrs = { rho, lo, hi };
  return tf.engine().runKernel('SaeKl', { h }, attrs as unknown as tf.NamedAttrMap) as tf.Scalar;
}
