/**
 * The native engine's dense layer: y = act(x W + b) as one kernel ('SaeDense') and its whole
 * backward pass (dx, dW, db) as one more ('SaeDenseGrad'), with a gradient in tfjs's registry, so
 * tf.variableGrads sees one node per layer instead of a product, a bias add and an activation
 * with their ~10 gradient kernels. The addon splits each kernel over its threads (native/pool.c).
 */
import * as tf from '../tf';
import { KernelGroup, run } from './kernels';

export type DenseActivation = 'relu' | 'sigmoid' | 'linear';

const ACT_CODE: Record<DenseActivation, number> = { linear: 0, relu: 1, sigmoid: 2 };

interface DenseAttrs { activation: DenseActivation; inputGrad: boolean }

export const DENSE: KernelGroup = {
  needs: ['denseForward', 'denseBackward'],
  kernels: {
    SaeDense: ({ x, w, b }, { activation }: DenseAttrs, k, addon) => {
      const [rows, inDim] = x.shape;
      const outDim = w.shape[1];
      const y = k.out([rows, outDim]);
      addon.denseForward(k.view(x), k.view(w), k.view(b), k.view(y), rows, inDim, outDim, ACT_CODE[activation]);
      return k.finish(y);
    },
    SaeDenseGrad: ({ dy, x, w, y }, { activation, inputGrad }: DenseAttrs, k, addon) => {
      const [rows, inDim] = x.shape;
      const outDim = w.shape[1];
      const dw = k.out([inDim, outDim]);
      const db = k.out([outDim]);
      const dx = inputGrad ? k.out([rows, inDim]) : null;
      addon.denseBackward(k.view(dy), k.view(x), k.view(w), k.view(y), dx === null ? null : k.view(dx), k.view(dw), k.view(db),
        rows, inDim, outDim, ACT_CODE[activation]);
      return [dw, db, ...(dx === null ? [] : [dx])].map((t) => k.finish(t));
    },
  },
  gradients: [{
    kernelName: 'SaeDense',
    inputsToSave: ['x', 'w'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, w, y] = saved;
      const inputs = { dy: dy as tf.Tensor, x, w, y };
      // One kernel for all three gradients, run now; the engine then asks for each input's.
      const [dw, db, dx] = run<tf.Tensor[]>('SaeDenseGrad', inputs, attrs);
      // With inputGrad false the kernel skips dx (one product of three). The engine asks for
      // x's gradient only when x depends on what is differentiated (never for data), and then
      // gets it from one more run with the input gradient on.
      const inputGradient = () => run<tf.Tensor[]>('SaeDenseGrad', inputs, { ...attrs, inputGrad: true })[2];
      return { x: () => dx ?? inputGradient(), w: () => dw, b: () => db };
    },
  }],
};

/** Whether the kernels take these operands: a plain 2-D float32 layer. */
function plainLayer(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): boolean {
  return x.rank === 2 && w.rank === 2 && b.rank === 1 && x.shape[1] === w.shape[0] && b.shape[0] === w.shape[1] &&
    [x, w, b].every((t) => t.dtype === 'float32');
}

/** act(x W + b); tfjs's own ops for operands the kernel does not take. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: DenseActivation, inputGrad: boolean): tf.Tensor2D {
  if (plainLayer(x, w, b)) return run<tf.Tensor2D>('SaeDense', { x, w, b }, { activation, inputGrad });
  return tf.tidy(() => {
    const z = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
    return activation === 'relu' ? tf.relu(z) : activation === 'sigmoid' ? tf.sigmoid(z) : z;
  });
}

/**
 * (x - c) W + b for data x (no gradient to x): computed as x W + (b - c W), the same numbers up
 * to float32 rounding, without the [batch, inDim] difference x - c and its gradient.
 */
export function centeredDense(x: tf.Tensor2D, c: tf.Tensor1D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const shift = tf.reshape(tf.matMul(tf.reshape(c, [1, c.shape[0]]), w), [w.shape[1]]);
    return dense(x, w, tf.sub(b, shift) as tf.Tensor1D, 'linear', false);
  });
}

let wasmIdentity: tf.KernelConfig | null = null;

/**
 * The wasm backend's Identity copies its input, and the engine runs it for every tensor a
 * gradient saves (x, W and y of each layer: ~4 MB of copies per training step). Its kernels
 * never write into an input, so the copy can share the memory instead, as the cpu backend's
 * Identity does. On while the native engine is in use.
 */
export function shareIdentity(on: boolean): void {
  const current = tf.getKernel('Identity', 'wasm') as (tf.KernelConfig & { sae?: boolean }) | undefined;
  if (current === undefined || Boolean(current.sae) === on) return;
  tf.unregisterKernel('Identity', 'wasm');
  if (!on) {
    tf.registerKernel(wasmIdentity!);
    return;
  }
  wasmIdentity = current;
  tf.registerKernel({
    ...current,
    kernelFunc: ({ inputs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      if (x.dtype === 'string') return current.kernelFunc({ inputs, backend, attrs: {} });
      (backend as unknown as { incRef(id: unknown): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
    sae: true,
  } as tf.KernelConfig);
}
