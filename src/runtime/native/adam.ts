/**
 * The native engine's Adam: the whole update of every parameter tensor in one loop over their
 * memory (native/adam.c, split over the addon's threads) instead of ~12 tfjs ops per tensor. The
 * moments are plain arrays that only this class reads, updated in place. On the wasm backend p is
 * updated in place too, unless another tensor shares its memory (a clone, a reshape); on cpu, where
 * dataSync() hands out a tensor's own array, each step writes a new one. In place, a step reads
 * and writes about half the memory it otherwise would.
 *
 * All or nothing (as the reference engine's Adam): most steps prove that no new p overflows from
 * the largest |p| and |g| (one read of each) and the largest |m| and v (kept from the step before)
 * with `stepSurelyFinite`; a step it cannot prove computes every new p once without writing, and
 * is refused if any is not finite.
 */
import * as tf from '../tf';
import type { AdamSettings, AdamUpdate } from '../engine';
import { loadNative } from './addon';
import { AdamAttrs, AdamKernels, floatOfBits, stepSurelyFinite } from './adam-bound';
import { Backend as KernelBackend, io, KernelIo, NativeBackendName } from './kernels';

/** The kernels' view of a backend, and what Adam also uses of the wasm one. */
type Backend = KernelBackend & {
  wasm?: { tfjs?: { disposeData?(id: number): void; registerTensor?(id: number, size: number, offset: number): void } };
  dataIdMap?: { get(dataId: unknown): { id: number; memoryOffset: number } };
  refCount(dataId: unknown): number;
  disposeData(dataId: unknown): void;
};

/**
 * The wasm backend's C++ side keeps things made from a tensor under the tensor's id (XNNPACK's
 * products keep their weights packed, for one) and drops them when the tensor is disposed, as
 * tensors never change. A tensor changed in place is given that disposal and registered again at
 * the same memory, as tfjs-backend-wasm 4.22 itself registers and disposes tensors; without these
 * functions p is not changed in place.
 */
function canRenew(backend: Backend): boolean {
  const t = backend.wasm?.tfjs;
  return typeof t?.disposeData === 'function' && typeof t.registerTensor === 'function' && backend.dataIdMap !== undefined;
}

function renew(backend: Backend, p: tf.Tensor): void {
  const { id, memoryOffset } = backend.dataIdMap!.get(p.dataId);
  backend.wasm!.tfjs!.disposeData!(id);
  backend.wasm!.tfjs!.registerTensor!(id, p.size, memoryOffset);
}

/** One tensor's moments, and the largest |m| and v in them. */
interface Moments { m: Float32Array; v: Float32Array; mMax: number; vMax: number }

/** The tensors of one step and where their memory is. */
interface StepInput { backend: Backend; wasm: boolean; k: KernelIo; gs: tf.Tensor[]; moments: Moments[] }

export class NativeAdam implements AdamUpdate {
  private readonly state = new Map<string, Moments>();

  constructor(private readonly settings: AdamSettings) {}

  apply(step: number, names: string[], params: tf.Variable[], grads: Record<string, tf.Tensor>): boolean {
    const s = this.prepare(names, params, grads);
    const view = s.k.view;
    const arrays = (pOut: (i: number) => Float32Array) =>
      params.flatMap((p, i) => [view(p), s.moments[i].m, s.moments[i].v, view(s.gs[i]), pOut(i)]);
    const { learningRate: lr, beta1, beta2, epsilon } = this.settings;
    const a: AdamAttrs = { lr, beta1, beta2, epsilon, step };
    const kernels = loadNative() as unknown as AdamKernels;
    const P = floatOfBits(kernels.absMaxBits(params.map(view)));
    const G = floatOfBits(kernels.absMaxBits(s.gs.map(view)));
    const M = Math.max(...s.moments.map((x) => x.mMax));
    const V = Math.max(...s.moments.map((x) => x.vMax));
    if (!stepSurelyFinite(P, G, M, V, a)) {
      if (kernels.adamStep(arrays((i) => view(params[i])), lr, beta1, beta2, epsilon, step, null) > 0) return false;
    }
    // p in place only where no other tensor shares its memory (a gradient may be the variable
    // itself); cpu's dataSync() hands out the array itself.
    const gradIds = new Set(s.gs.map((g) => g.dataId));
    const outs = params.map((p) =>
      s.wasm && s.backend.refCount(p.dataId) === 1 && !gradIds.has(p.dataId) && canRenew(s.backend) ? null : s.k.out(p.shape));
    const maxima = new Uint32Array(2 * names.length);
    let bad: number;
    try {
      // Views taken after every output is made: allocating may grow (and so replace) the wasm heap.
      bad = kernels.adamStep(arrays((i) => view(outs[i] ?? params[i])), lr, beta1, beta2, epsilon, step, maxima);
    } catch (err) {
      // wasm's outputs hold heap memory already; cpu's are plain arrays until k.finish
      if (s.wasm) for (const out of outs) if (out !== null) s.backend.disposeData(out.dataId);
      throw err;
    }
    this.finish(s, params, outs, maxima);
    if (bad > 0) {
      // stepSurelyFinite or the check said otherwise: a bug, not a learning rate to lower
      throw new Error(`Adam: step ${step} made ${bad} parameters non-finite after its check passed (a bug in runtime/native/adam.ts)`);
    }
    return true;
  }

  /** The moments of each tensor (new ones at first), and the backend's memory. */
  private prepare(names: string[], params: tf.Variable[], grads: Record<string, tf.Tensor>): StepInput {
    const backendName = tf.getBackend() as NativeBackendName;
    const backend = tf.engine().backend as unknown as Backend;
    const moments = names.map((name, i) => {
      let s = this.state.get(name);
      if (s === undefined || s.m.length !== params[i].size) {
        s = { m: new Float32Array(params[i].size), v: new Float32Array(params[i].size), mMax: 0, vMax: 0 };
        this.state.set(name, s);
      }
      return s;
    });
    const gs = names.map((n) => grads[n]);
    const wasm = backendName === 'wasm';
    // Data made on another backend moves here when first looked up, which may grow the wasm heap:
    // every lookup before the first view.
    if (wasm) for (const t of [...params, ...gs]) backend.dataIdMap!.get(t.dataId);
    return { backend, wasm, k: io(backend, backendName), gs, moments };
  }

  /** Keeps the new maxima and gives each variable its new values (in place: registered again). */
  private finish(s: StepInput, params: tf.Variable[], outs: (tf.TensorInfo | null)[], maxima: Uint32Array): void {
    s.moments.forEach((x, i) => {
      x.mMax = floatOfBits(maxima[2 * i]);
      x.vMax = floatOfBits(maxima[2 * i + 1]);
    });
    outs.forEach((out, i) => {
      if (out === null) return renew(s.backend, params[i]);
      const t = tf.engine().makeTensorFromTensorInfo(s.k.finish(out));
      params[i].assign(t);
      t.dispose();
    });
  }

  dispose(): void {
    this.state.clear();
  }
}
