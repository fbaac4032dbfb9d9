/**
 * TopK's mask as one native kernel ('SaeTopkMask', native/topk.c): 1 where an entry is at least
 * its row's k-th largest value, else 0, the same as comparing with the k-th of tf.topk's values.
 * It replaces tf.topk, a slice and a comparison (1-3 ms a call on wasm at 128 x 1024). The mask is
 * a constant for gradients, so the kernel has none; the caller wraps it (activations/topk.ts).
 * Returns null where fusion is not in use (see fused.ts); the caller then uses tf.topk.
 */
import * as tf from './tf';
import { loadNative } from './native';
import { Backend, fusedActive, io } from './fused';

interface NativeTopk {
  topkMask(x: Float32Array, mask: Float32Array, rows: number, cols: number, k: number): void;
}

const registered = new Set<string>();

function register(name: 'wasm' | 'cpu'): boolean {
  if (registered.has(name)) return true;
  const blas = loadNative() as unknown as NativeTopk | null;
  if (blas === null || typeof blas.topkMask !== 'function') return false;
  tf.registerKernel({
    kernelName: 'SaeTopkMask',
    backendName: name,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const [rows, cols] = x.shape;
      const k = io(backend as unknown as Backend, name);
      const mask = k.out([rows, cols]);
      blas.topkMask(k.view(x), k.view(mask), rows, cols, (attrs as unknown as { k: number }).k);
      return k.finish(mask);
    },
  });
  registered.add(name);
  return true;
}

/** The mask of each row's k largest entries of z [batch, n] (ties with the k-th kept), or null. */
export function fusedTopkMask(z: tf.Tensor2D, k: number): tf.Tensor2D | null {
  const backend = tf.getBackend();
  if (!fusedActive() || !register(backend as 'wasm' | 'cpu') || z.rank !== 2 || z.dtype !== 'float32') return null;
  if (!(Number.isInteger(k) && k >= 1 && k <= z.shape[1])) return null;
  return tf.engine().runKernel('SaeTopkMask', { x: z }, { k } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}
