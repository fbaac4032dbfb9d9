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

/**
 * sparse: 'code' for a decoder's sparse code x (the products run over its non-zeros, and dx is
 * kept only there: sparseDecode), 'dz' where dW may run over the non-zeros of dz (centeredDense,
 * for ReLU and TopK codes); either falls back to OpenBLAS when the operand is over 1/8 non-zero.
 */
interface DenseAttrs { activation: DenseActivation; inputGrad: boolean; sparse?: 'code' | 'dz' }

const SPARSE_FLAG = { code: 1, dz: 2 } as const;
const flagsOf = (sparse: DenseAttrs['sparse']) => (sparse === undefined ? 0 : SPARSE_FLAG[sparse]);

export const DENSE: KernelGroup = {
  needs: ['denseForward', 'denseBackward', 'centeredForward', 'centeredBackward'],
  kernels: {
    SaeDense: ({ x, w, b }, { activation, sparse }: DenseAttrs, k, addon) => {
      const [rows, inDim] = x.shape;
      const outDim = w.shape[1];
      const y = k.out([rows, outDim]);
      addon.denseForward(k.view(x), k.view(w), k.view(b), k.view(y), rows, inDim, outDim, ACT_CODE[activation], flagsOf(sparse));
      return k.finish(y);
    },
    SaeDenseGrad: ({ dy, x, w, y }, { activation, inputGrad, sparse }: DenseAttrs, k, addon) => {
      const [rows, inDim] = x.shape;
      const outDim = w.shape[1];
      const dw = k.out([inDim, outDim]);
      const db = k.out([outDim]);
      const dx = inputGrad ? k.out([rows, inDim]) : null;
      addon.denseBackward(k.view(dy), k.view(x), k.view(w), k.view(y), dx === null ? null : k.view(dx), k.view(dw), k.view(db),
        rows, inDim, outDim, ACT_CODE[activation], flagsOf(sparse));
      return [dw, db, ...(dx === null ? [] : [dx])].map((t) => k.finish(t));
    },
    SaeCenteredDense: ({ x, c, w, b }, _attrs, k, addon) => {
      const [rows, inDim] = x.shape;
      const outDim = w.shape[1];
      const y = k.out([rows, outDim]);
      addon.centeredForward(k.view(x), k.view(c), k.view(w), k.view(b), k.view(y), rows, inDim, outDim);
      return k.finish(y);
    },
    SaeCenteredDenseGrad: ({ dy, x, c, w }, _attrs, k, addon) => {
      const [rows, inDim] = x.shape;
      const outDim = w.shape[1];
      const dw = k.out([inDim, outDim]);
      const db = k.out([outDim]);
      const dc = k.out([inDim]);
      addon.centeredBackward(k.view(dy), k.view(x), k.view(c), k.view(w), k.view(dw), k.view(db), k.view(dc), rows, inDim, outDim);
      return [dw, db, dc].map((t) => k.finish(t));
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
  }, {
    kernelName: 'SaeCenteredDense',
    inputsToSave: ['x', 'c', 'w'],
    gradFunc: (dy, saved) => {
      const [x, c, w] = saved;
      const [dw, db, dc] = run<tf.Tensor[]>('SaeCenteredDenseGrad', { dy: dy as tf.Tensor, x, c, w }, {});
      // x is data (no gradient is asked of it); should one be, it is dy W^T, as for x - c.
      return { x: () => tf.matMul(dy as tf.Tensor2D, w as tf.Tensor2D, false, true), c: () => dc, w: () => dw, b: () => db };
    },
  }],
};

/** Whether the kernels take these operands: a plain 2-D float32 layer. */
function plainLayer(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): boolean {
  return x.rank === 2 && w.rank === 2 && b.rank === 1 && x.shape[1] === w.shape[0] && b.shape[0] === w.shape[1] &&
    [x, w, b].every((t) => t.dtype === 'float32');
}

/** act(x W + b); tfjs's own ops for operands the kernel does not take. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: DenseActivation, inputGrad = true,
  sparse?: DenseAttrs['sparse']): tf.Tensor2D {
  if (plainLayer(x, w, b)) return run<tf.Tensor2D>('SaeDense', { x, w, b }, { activation, inputGrad, sparse });
  return tf.tidy(() => {
    const z = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
    return activation === 'relu' ? tf.relu(z) : activation === 'sigmoid' ? tf.sigmoid(z) : z;
  });
}

/**
 * f W + b for a sparse code f, its gradient to f kept where f is non-zero (engine.sparseDecode);
 * `plain` (the reference op) for operands the kernel does not take.
 */
export function sparseDecode(f: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, plain: () => tf.Tensor2D): tf.Tensor2D {
  if (!plainLayer(f, w, b)) return plain();
  return run<tf.Tensor2D>('SaeDense', { x: f, w, b }, { activation: 'linear', inputGrad: true, sparse: 'code' });
}

/**
 * (x - c) W + b for data x as one kernel and one gradient kernel (native/centered.c): x W + (b - c W),
 * the same numbers up to float32 rounding, without the [batch, inDim] difference x - c; dW by
 * dz's non-zeros where dz is sparse (ReLU and TopK codes). `plain` for operands it does not take.
 */
export function centeredDense(x: tf.Tensor2D, c: tf.Tensor1D, w: tf.Tensor2D, b: tf.Tensor1D, plain: () => tf.Tensor2D): tf.Tensor2D {
  if (!plainLayer(x, w, b) || c.rank !== 1 || c.shape[0] !== x.shape[1] || c.dtype !== 'float32') return plain();
  return run<tf.Tensor2D>('SaeCenteredDense', { x, c, w, b }, {});
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
