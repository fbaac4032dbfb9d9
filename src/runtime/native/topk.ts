/**
 * The native engine's TopK mask as one kernel ('SaeTopkMask', native/topk.c): 1 where an entry is
 * at least its row's k-th largest value, else 0, the same as comparing with the k-th of tf.topk's
 * values. It replaces tf.topk, a slice and a comparison (1-3 ms a call on wasm at 128 x 1024). The
 * mask is a constant for gradients, so the kernel has none (runtime/engine.ts's caller wraps it).
 */
import * as tf from '../tf';
import { KernelGroup, run } from './kernels';

export const TOPK: KernelGroup = {
  needs: ['topkMask'],
  kernels: {
    SaeTopkMask: ({ x }, { k: count }: { k: number }, k, addon) => {
      const [rows, cols] = x.shape;
      const mask = k.out([rows, cols]);
      addon.topkMask(k.view(x), k.view(mask), rows, cols, count);
      return k.finish(mask);
    },
  },
};

/** The mask of each row's k largest entries of z [batch, n] (ties with the k-th kept); `plain` for operands the kernel does not take. */
export function topkMask(z: tf.Tensor2D, k: number, plain: () => tf.Tensor2D): tf.Tensor2D {
  if (z.rank !== 2 || z.dtype !== 'float32' || !(Number.isInteger(k) && k >= 1 && k <= z.shape[1])) return plain();
  return run<tf.Tensor2D>('SaeTopkMask', { x: z }, { k });
}
