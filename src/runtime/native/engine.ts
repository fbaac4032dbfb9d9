/**
 * The native engine: runtime/engine.ts's operations as the addon's kernels (dense.ts, loss.ts,
 * topk.ts, norm.ts; Adam in adam.ts), with the product of every tf.matMul handed to OpenBLAS (matmul.ts).
 * Operands a kernel does not take (not 2-D, not float32) go to the reference engine's ops.
 *
 * Its own rules, besides the kit's:
 *   1. A kernel writes only new outputs, made with `io` (kernels.ts): the cpu backend's
 *      dataSync() hands out a tensor's own array, and tfjs assumes a tensor never changes.
 *   2. Only Adam writes into a tensor's memory, and only where nothing else can see it: on wasm, a
 *      variable whose memory no other tensor shares (refCount 1), registered again afterwards so
 *      the backend's C++ side drops what it packed from the old values (adam.ts).
 *   3. Views of wasm memory are taken after every output is made: allocating may grow the heap.
 *   4. A kernel computes what the reference op does, to float32 rounding, and a test says so.
 */
import type { NativeEngine } from '../engine';
import { constantForGradients, referenceEngine as reference, topkMaskOps } from '../reference';
import { loadNative, nativeEnabled, nativeLoadError, nativeThreads, openblasCoreChoice } from './addon';
import { centeredDense, dense, DENSE, shareIdentity, sparseDecode } from './dense';
import { klPenalty, LOSS, mse } from './loss';
import { firedLatents, TOPK, topk, topkMask } from './topk';
import { NORM, unitNorm } from './norm';
import { NativeAdam } from './adam';
import { NativeBackendName, registerOnce } from './kernels';
import { useNativeMatMul } from './matmul';

const GROUPS = [DENSE, LOSS, TOPK, NORM];
const ADAM_NEEDS = ['adamStep', 'absMaxBits'];

function runsOn(backend: string): boolean {
  if ((backend !== 'wasm' && backend !== 'cpu') || !nativeEnabled()) return false;
  const addon = loadNative() as unknown as Record<string, unknown>;
  if (!ADAM_NEEDS.every((f) => typeof addon[f] === 'function')) return false;
  return GROUPS.every((g) => registerOnce(g, backend as NativeBackendName));
}

function whyNot(): string {
  if (!nativeEnabled()) return `native addon: ${nativeLoadError()}`;
  return 'the native engine runs on the wasm and cpu backends only';
}

export const nativeEngine: NativeEngine & { whyNot(): string } = {
  name: 'native',
  dense,
  centeredDense: (x, c, w, b) => centeredDense(x, c, w, b, () => reference.centeredDense(x, c, w, b)),
  sparseDecode: (f, w, b) => sparseDecode(f, w, b, () => reference.sparseDecode(f, w, b)),
  mse: (x, xHat) => mse(x, xHat, () => reference.mse(x, xHat)),
  klPenalty: (h, rho, lo, hi) => klPenalty(h, rho, lo, hi, () => reference.klPenalty(h, rho, lo, hi)),
  topkMask: (z, k) => constantForGradients((x) => topkMask(x, k, () => topkMaskOps(x, k)))(z),
  topk: (z, k) => topk(z, k, () => reference.topk(z, k)),
  firedLatents: (f, threshold) => firedLatents(f, threshold, () => reference.firedLatents(f, threshold)),
  unitNorm: (w, axis) => unitNorm(w, axis, () => reference.unitNorm(w, axis)),
  adam: (settings) => new NativeAdam(settings),
  runsOn,
  install(on) {
    useNativeMatMul('wasm', on);
    useNativeMatMul('cpu', on);
    shareIdentity(on);
  },
  summary() {
    const t = nativeThreads();
    const threads = t.openblas > 1 ? `1 thread with OpenBLAS's ${t.openblas}` : `${t.threads} thread${t.threads > 1 ? 's' : ''}`;
    return `fused dense layers (sparse codes by their non-zeros), losses, TopK, firing and unit norms, OpenBLAS products, Adam in place; ${threads}; ${openblasCoreChoice()}`;
  },
  whyNot,
};
