/**
 * Fused dense layers through the native addon: y = act(x W + b) as one kernel ('SaeDense') and
 * its whole backward pass (dx, dW, db) as one more ('SaeDenseGrad'), registered for the wasm and
 * cpu backends with a gradient in tfjs's registry, so tf.variableGrads and friends see one node
 * per layer instead of a product, a bias add and an activation with their ~10 gradient kernels.
 * The addon splits each kernel over its threads (native/pool.c).
 *
 * `fusedDense` returns null when fusion is off (SAE_FUSED=0, useFused(false)), the addon is
 * missing or switched off, the backend is another, or the shapes are not a plain 2-D layer; the
 * caller then uses plain tfjs ops (src/core/dense.ts).
 */
import * as tf from './tf';
import { loadNative, nativeEnabled, nativeLoadError, nativeThreads, openblasCoreChoice } from './native';
import { envFlag } from './settings';

export type FusedActivation = 'relu' | 'sigmoid' | 'linear';

const FORWARD = 'SaeDense';
const BACKWARD = 'SaeDenseGrad';
const ACT_CODE: Record<FusedActivation, number> = { linear: 0, relu: 1, sigmoid: 2 };

interface DenseAttrs { activation: FusedActivation; inputGrad: boolean }
export type Backend = {
  makeOutput?: (shape: number[], dtype: 'float32') => tf.TensorInfo;
  typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array;
  data?: { get(id: unknown): { values: unknown } };
  makeTensorInfo?: (shape: number[], dtype: 'float32', values: Float32Array) => tf.TensorInfo;
};

let enabled: boolean | undefined;

/** Whether fusion is wanted: SAE_FUSED (default on), unless useFused changed it. */
export function fusionWanted(): boolean {
  if (enabled === undefined) enabled = envFlag('SAE_FUSED', true);
  return enabled;
}

/** Turns fused dense layers on or off; returns whether they are now in use on the active backend. */
export function useFused(on: boolean): boolean {
  enabled = on;
  const active = fusedActive();
  if (!active) shareIdentity(false);
  return active;
}

/** True when `fusedDense` runs fused kernels on the active backend. */
export function fusedActive(): boolean {
  const backend = tf.getBackend();
  const active = fusionWanted() && (backend === 'wasm' || backend === 'cpu') && nativeEnabled() && register(backend);
  if (backend === 'wasm') shareIdentity(active);
  return active;
}

let wasmIdentity: tf.KernelConfig | null = null;

/**
 * The wasm backend's Identity copies its input, and the engine runs it for every tensor a
 * gradient saves (x, W and y of each layer: ~4 MB of copies per training step). Its kernels
 * never write into an input, so the copy can share the memory instead, as the cpu backend's
 * Identity does; turned back with fusion.
 */
function shareIdentity(on: boolean): void {
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

/** Output arrays for `shapes` on `backend`, and Float32Array views of inputs and outputs. */
export function io(backend: Backend, name: 'wasm' | 'cpu') {
  if (name === 'wasm') {
    return {
      out: (shape: number[]) => backend.makeOutput!(shape, 'float32'),
      // Views are taken after every output is made: allocating may grow (and so replace) the heap.
      view: (t: tf.TensorInfo) => backend.typedArrayFromHeap!(t),
      finish: (t: tf.TensorInfo) => t,
    };
  }
  const fresh = new Map<tf.TensorInfo, Float32Array>();
  return {
    out: (shape: number[]) => {
      const info = { dataId: {}, shape, dtype: 'float32' } as tf.TensorInfo;
      fresh.set(info, new Float32Array(shape.reduce((a, b) => a * b, 1)));
      return info;
    },
    view: (t: tf.TensorInfo) => fresh.get(t) ?? (backend.data!.get(t.dataId).values as Float32Array),
    finish: (t: tf.TensorInfo) => backend.makeTensorInfo!(t.shape, 'float32', fresh.get(t)!),
  };
}

const registered = new Set<string>();

/** Registers both kernels for `name` (once) and the gradient (once); false without the addon. */
function register(name: 'wasm' | 'cpu'): boolean {
  if (registered.has(name)) return true;
  const blas = loadNative();
  if (blas === null || blas.denseForward === undefined || blas.denseBackward === undefined) return false;
  const forward = blas.denseForward.bind(blas);
  const backward = blas.denseBackward.bind(blas);
  tf.registerKernel({
    kernelName: FORWARD,
    backendName: name,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, w, b } = inputs as Record<string, tf.TensorInfo>;
      const { activation } = attrs as unknown as DenseAttrs;
      const [rows, inDim] = x.shape;
      const outDim = w.shape[1];
      const k = io(backend as unknown as Backend, name);
      const y = k.out([rows, outDim]);
      forward(k.view(x), k.view(w), k.view(b), k.view(y), rows, inDim, outDim, ACT_CODE[activation]);
      return k.finish(y);
    },
  });
  tf.registerKernel({
    kernelName: BACKWARD,
    backendName: name,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { dy, x, w, y } = inputs as Record<string, tf.TensorInfo>;
      const { activation, inputGrad } = attrs as unknown as DenseAttrs;
      const [rows, inDim] = x.shape;
      const outDim = w.shape[1];
      const k = io(backend as unknown as Backend, name);
      const dw = k.out([inDim, outDim]);
      const db = k.out([outDim]);
      const dx = inputGrad ? k.out([rows, inDim]) : null;
      backward(k.view(dy), k.view(x), k.view(w), k.view(y), dx === null ? null : k.view(dx), k.view(dw), k.view(db),
        rows, inDim, outDim, ACT_CODE[activation]);
      return [dw, db, ...(dx === null ? [] : [dx])].map((t) => k.finish(t));
    },
  });
  if (registered.size === 0) {
    tf.registerGradient({
      kernelName: FORWARD,
      inputsToSave: ['x', 'w'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, w, y] = saved;
        const { inputGrad } = attrs as unknown as DenseAttrs;
        // One kernel for all three gradients, run now; the engine then asks for each input's.
        const [dw, db, dx] = tf.engine().runKernel(BACKWARD, { dy: dy as tf.Tensor, x, w, y },
          attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        // With inputGrad false the kernel skips dx (one product of three). The engine asks for
        // x's gradient only when x depends on what is differentiated (never for data), and then
        // gets it from one more run with the input gradient on.
        const inputGradient = () => (tf.engine().runKernel(BACKWARD, { dy: dy as tf.Tensor, x, w, y },
          { ...attrs, inputGrad: true } as unknown as tf.NamedAttrMap) as tf.Tensor[])[2];
        return { x: () => dx ?? inputGradient(), w: () => dw, b: () => db };
      },
    });
  }
  registered.add(name);
  return true;
}

/**
 * act(x W + b) as one fused kernel with a one-kernel gradient, or null when fusion is not in use
 * here (the caller then computes the layer with plain ops).
 */
export function fusedDense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: FusedActivation,
  inputGrad: boolean): tf.Tensor2D | null {
  if (!fusedActive()) return null;
  if (x.rank !== 2 || w.rank !== 2 || b.rank !== 1 || x.shape[1] !== w.shape[0] || b.shape[0] !== w.shape[1] ||
    x.dtype !== 'float32' || w.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const attrs: DenseAttrs = { activation, inputGrad };
  return tf.engine().runKernel(FORWARD, { x, w, b }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/** What the native addon does here, for the backend line: fusion, products, Adam, threads. */
export function nativeSummary(): string {
  if (!nativeEnabled()) return `native addon off: ${nativeLoadError()}`;
  const t = nativeThreads();
  const threads = t.openblas > 1 ? `1 thread with OpenBLAS's ${t.openblas}` : `${t.threads} thread${t.threads > 1 ? 's' : ''}`;
  const what = fusedActive() ? 'fused dense layers and losses, products and Adam' : 'products and Adam (fusion off)';
  return `native addon (OpenBLAS): ${what}, ${threads}; ${openblasCoreChoice()}`;
}
