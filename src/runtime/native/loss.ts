/**
 * The native engine's loss terms, one kernel each (native/loss.c) with their gradients: the MSE
 * ('SaeMse') in place of squaredDifference + mean and their ~8 gradient kernels, the KL penalty
 * ('SaeKl') in place of ~12 ops and ~25 gradient kernels. The formulas and clamp bounds are the
 * reference engine's (runtime/reference.ts); core/losses.ts passes the bounds in.
 */
import * as tf from '../tf';
import { KernelGroup, run } from './kernels';

interface KlAttrs { rho: number; lo: number; hi: number }

export const LOSS: KernelGroup = {
  needs: ['mse', 'mseGrad', 'kl', 'klGrad'],
  kernels: {
    SaeMse: ({ a, b }, _: object, k, addon) => {
      const out = k.out([]);
      k.view(out)[0] = addon.mse(k.view(a), k.view(b));
      return k.finish(out);
    },
    SaeMseGrad: ({ a, b, dy }, { sign }: { sign: number }, k, addon) => {
      const out = k.out(a.shape);
      addon.mseGrad(k.view(a), k.view(b), k.view(dy)[0], k.view(out), sign);
      return k.finish(out);
    },
    SaeKl: ({ h }, { rho, lo, hi }: KlAttrs, k, addon) => {
      const out = k.out([]);
      k.view(out)[0] = addon.kl(k.view(h), h.shape[0], h.shape[1], rho, lo, hi);
      return k.finish(out);
    },
    SaeKlGrad: ({ h, dy }, { rho, lo, hi }: KlAttrs, k, addon) => {
      const out = k.out(h.shape);
      addon.klGrad(k.view(h), h.shape[0], h.shape[1], rho, lo, hi, k.view(dy)[0], k.view(out));
      return k.finish(out);
    },
  },
  gradients: [
    {
      kernelName: 'SaeMse',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]) => ({
        a: () => run<tf.Tensor>('SaeMseGrad', { a, b, dy: dy as tf.Tensor }, { sign: -1 }),
        b: () => run<tf.Tensor>('SaeMseGrad', { a, b, dy: dy as tf.Tensor }, { sign: 1 }),
      }),
    },
    {
      kernelName: 'SaeKl',
      inputsToSave: ['h'],
      gradFunc: (dy, [h], attrs) => ({ h: () => run<tf.Tensor>('SaeKlGrad', { h, dy: dy as tf.Tensor }, attrs) }),
    },
  ],
};

const floats = (...ts: tf.Tensor[]) => ts.every((t) => t.dtype === 'float32' && t.size > 0);

/** mean((x - xHat)^2) as one kernel; `plain` for operands it does not take. */
export function mse(x: tf.Tensor, xHat: tf.Tensor, plain: () => tf.Scalar): tf.Scalar {
  if (!floats(x, xHat) || !tf.util.arraysEqual(x.shape, xHat.shape)) return plain();
  return run<tf.Scalar>('SaeMse', { a: x, b: xHat });
}

/**
 * sum_j KL(rho || clamp(mean_i h_ij, lo, hi)) for h [batch, latentDim] as one kernel. The
 * clamp's gradient passes where lo <= mean <= hi, as tf.clipByValue's does.
 */
export function klPenalty(h: tf.Tensor2D, rho: number, lo: number, hi: number, plain: () => tf.Scalar): tf.Scalar {
  if (!floats(h) || h.rank !== 2) return plain();
  return run<tf.Scalar>('SaeKl', { h }, { rho, lo, hi });
}
