/**
 * The native engine's TopK as kernels (native/topk.c): the mask ('SaeTopkMask': 1 where an entry
 * is at least its row's k-th largest value, else 0, the same as comparing with the k-th of
 * tf.topk's values; a constant for gradients, so it has none: the engine's caller wraps it), the
 * code relu(z) * mask in the same pass ('SaeTopk', with its gradient 'SaeSupportGrad'), and which
 * latents fired on a batch ('SaeFired'). They replace tf.topk, a slice, comparisons, products and
 * a reduction over the batch with one pass each.
 */
import * as tf from '../tf';
import { KernelGroup, run } from './kernels';

export const TOPK: KernelGroup = {
  needs: ['topkMask', 'supportGrad', 'firedColumns'],
  kernels: {
    SaeTopkMask: ({ x }, { k: count }: { k: number }, k, addon) => {
      const [rows, cols] = x.shape;
      const mask = k.out([rows, cols]);
      addon.topkMask(k.view(x), k.view(mask), rows, cols, count, 0);
      return k.finish(mask);
    },
    // the code relu(x) * mask in the same pass
    SaeTopk: ({ x }, { k: count }: { k: number }, k, addon) => {
      const [rows, cols] = x.shape;
      const f = k.out([rows, cols]);
      addon.topkMask(k.view(x), k.view(f), rows, cols, count, 1);
      return k.finish(f);
    },
    // its gradient: dy where the code f is non-zero, else 0
    SaeSupportGrad: ({ dy, f }, _attrs, k, addon) => {
      const out = k.out(dy.shape);
      addon.supportGrad(k.view(dy), k.view(f), k.view(out));
      return k.finish(out);
    },
    SaeFired: ({ f }, { threshold }: { threshold: number }, k, addon) => {
      const [rows, cols] = f.shape;
      const out = k.out([cols]);
      addon.firedColumns(k.view(f), rows, cols, threshold, k.view(out));
      return k.finish(out);
    },
  },
  gradients: [{
    kernelName: 'SaeTopk',
    outputsToSave: [true],
    gradFunc: (dy, saved) => ({ x: () => run<tf.Tensor>('SaeSupportGrad', { dy: dy as tf.Tensor, f: saved[0] }) }),
  }],
};

const plainMatrix = (z: tf.Tensor) => z.rank === 2 && z.dtype === 'float32';

/** relu(z) * topkMask(z, k) as one kernel, its gradient dz = df where the code is non-zero; `plain` for operands it does not take. */
export function topk(z: tf.Tensor2D, k: number, plain: () => tf.Tensor2D): tf.Tensor2D {
  if (!plainMatrix(z) || !(Number.isInteger(k) && k >= 1 && k <= z.shape[1])) return plain();
  return run<tf.Tensor2D>('SaeTopk', { x: z }, { k });
}

/** 1 (int32) for each column of f with an entry above `threshold`, else 0; `plain` for operands it does not take. */
export function firedLatents(f: tf.Tensor2D, threshold: number, plain: () => tf.Tensor1D): tf.Tensor1D {
  if (!plainMatrix(f) || !Number.isFinite(threshold)) return plain();
  return tf.tidy(() => tf.cast(run<tf.Tensor1D>('SaeFired', { f }, { threshold }), 'int32'));
}

/** The mask of each row's k largest entries of z [batch, n] (ties with the k-th kept); `plain` for operands the kernel does not take. */
export function topkMask(z: tf.Tensor2D, k: number, plain: () => tf.Tensor2D): tf.Tensor2D {
  if (z.rank !== 2 || z.dtype !== 'float32' || !(Number.isInteger(k) && k >= 1 && k <= z.shape[1])) return plain();
  return run<tf.Tensor2D>('SaeTopkMask', { x: z }, { k });
}
