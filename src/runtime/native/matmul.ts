/**
 * The native engine's matrix product: the BatchMatMul kernel of the wasm and cpu backends replaced
 * by one that hands the operands, in place, to OpenBLAS (native/blas.c), so every tf.matMul of the
 * kit, transposed or not, runs there while the native engine is in use.
 */
import * as tf from '../tf';
import { loadNative } from './addon';

interface MatMulShapes { m: number; n: number; k: number; batch: number; strideA: number; strideB: number; outShape: number[] }

/** Shapes of a BatchMatMul that the addon handles (same rank, batch equal or 1 on a side), or null. */
export function matMulShapes(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): MatMulShapes | null {
  const r = aShape.length;
  if (r < 2 || bShape.length !== r) return null;
  const m = transposeA ? aShape[r - 1] : aShape[r - 2];
  const k = transposeA ? aShape[r - 2] : aShape[r - 1];
  const kb = transposeB ? bShape[r - 1] : bShape[r - 2];
  const n = transposeB ? bShape[r - 2] : bShape[r - 1];
  if (k !== kb) return null;
  const batchA = aShape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batchB = bShape.slice(0, -2).reduce((x, y) => x * y, 1);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  if (batchA !== batchB && r > 3) return null; // broadcasting over several batch dims: leave it to tfjs
  const outer = (batchA >= batchB ? aShape : bShape).slice(0, -2);
  return {
    m, n, k, batch: Math.max(batchA, batchB),
    strideA: batchA === 1 ? 0 : m * k, strideB: batchB === 1 ? 0 : k * n, outShape: [...outer, m, n],
  };
}

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Backend = { makeOutput?: Function; typedArrayFromHeap?: Function; data?: { get(id: unknown): { values: unknown } }; makeTensorInfo?: Function };

/** True when the active backend's BatchMatMul is the OpenBLAS one (transposes then cost nothing). */
export function nativeMatMulActive(): boolean {
  const k = tf.getKernel('BatchMatMul', tf.getBackend()) as { sae?: boolean } | undefined;
  return Boolean(k?.sae);
}

const originals = new Map<string, tf.KernelConfig>();

/**
 * Switches the OpenBLAS BatchMatMul of `backendName` ('wasm' or 'cpu') on or off (restoring
 * TensorFlow.js's own kernel). Returns whether it is on afterwards.
 */
export function useNativeMatMul(backendName: 'wasm' | 'cpu', on = true): boolean {
  const current = tf.getKernel('BatchMatMul', backendName) as (tf.KernelConfig & { sae?: boolean }) | undefined;
  if (current === undefined) return false;
  if (!on) {
    if (current.sae) {
      tf.unregisterKernel('BatchMatMul', backendName);
      tf.registerKernel(originals.get(backendName)!);
    }
    return false;
  }
  if (current.sae) return true;
  const blas = loadNative();
  if (blas === null) return false;
  const original = current;
  originals.set(backendName, original);
  const kernelFunc = (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const s = matMulShapes(a.shape, b.shape, transposeA, transposeB);
    if (s === null || a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(args);
    const backend = args.backend as Backend;
    const size = s.batch * s.m * s.n;
    if (backendName === 'wasm') {
      const out = backend.makeOutput!(s.outShape, 'float32') as tf.TensorInfo;
      if (size === 0) return out;
      // Views taken after makeOutput: allocating may grow (and so replace) the wasm heap.
      const va = backend.typedArrayFromHeap!(a) as Float32Array;
      const vb = backend.typedArrayFromHeap!(b) as Float32Array;
      const vc = backend.typedArrayFromHeap!(out) as Float32Array;
      blas.sgemm(transposeA, transposeB, s.m, s.n, s.k, va, vb, vc, s.batch, s.strideA, s.strideB, s.m * s.n);
      return out;
    }
    const va = backend.data!.get(a.dataId).values as Float32Array;
    const vb = backend.data!.get(b.dataId).values as Float32Array;
    const vc = new Float32Array(size);
    if (size > 0) blas.sgemm(transposeA, transposeB, s.m, s.n, s.k, va, vb, vc, s.batch, s.strideA, s.strideB, s.m * s.n);
    return backend.makeTensorInfo!(s.outShape, 'float32', vc) as tf.TensorInfo;
  };
  tf.unregisterKernel('BatchMatMul', backendName);
  tf.registerKernel({ ...original, kernelFunc: kernelFunc as tf.KernelFunc, sae: true } as tf.KernelConfig);
  return true;
}
