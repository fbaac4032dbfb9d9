/**
 * The native engine's unit norm ('SaeUnitNorm', native/norm.c): w with each row (axis 1) or
 * column (axis 0) divided by max(its Euclidean norm, 1e-12), in one pass instead of five wasm
 * kernels, with the same bits as those kernels. The dictionary SAE's decoder renormalisation
 * after each step; it is not differentiated, so it has no gradient (differentiating it throws).
 */
import * as tf from '../tf';
import { KernelGroup, run } from './kernels';

export const NORM: KernelGroup = {
  needs: ['unitNorm'],
  kernels: {
    SaeUnitNorm: ({ w }, { axis }: { axis: number }, k, addon) => {
      const [rows, cols] = w.shape;
      const out = k.out([rows, cols]);
      addon.unitNorm(k.view(w), k.view(out), rows, cols, axis);
      return k.finish(out);
    },
  },
};

/** w divided by its norms along `axis`; `plain` for operands the kernel does not take. */
export function unitNorm(w: tf.Tensor2D, axis: 0 | 1, plain: () => tf.Tensor2D): tf.Tensor2D {
  if (w.rank !== 2 || w.dtype !== 'float32' || (axis !== 0 && axis !== 1)) return plain();
  return run<tf.Tensor2D>('SaeUnitNorm', { w }, { axis });
}
