/**
 * Adam as PyTorch and tf.train.adam define it, the whole update of every parameter tensor in one
 * loop over their memory instead of ~12 tfjs ops per tensor:
 *   m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2,
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * On the wasm and cpu backends the loop is the native addon's (native/adam.c, in C, split over the
 * addon's threads), else the same in JavaScript (~8 ns per number, too slow to hide). The moments
 * are plain arrays that only this class reads, updated in place. On the wasm backend p is updated
 * in place too, unless another tensor shares its memory (a clone, a reshape); on cpu, where
 * dataSync() hands out a tensor's own array, each step writes a new one. In place, a step reads
 * and writes about half the memory it otherwise would (0.46 against 0.7-0.8 ms for the lesson's
 * KL model on one thread of this machine). On any other backend this class uses tf.train.adam itself.
 *
 * A step is all or nothing: when the update would make any parameter NaN or infinite (a
 * learning rate of 3e38 does, while the loss before it is still finite), no tensor and no Adam
 * state changes and `applyGradients` returns false, so the model keeps weights whose loss is known.
 * Most steps prove it from the largest |p| and |g| (one read of each) and the largest |m| and v
 * (kept from the step before) with `stepSurelyFinite`; a step it cannot prove computes every
 * new p once without writing, and is refused if any is not finite.
 */
import * as tf from '../runtime/tf';
import { AdamOps } from './adam-ops';
import { loadNative, nativeEnabled } from '../runtime/native';
import { Backend as KernelBackend, io } from '../runtime/fused';

export interface AdamAttrs { lr: number; beta1: number; beta2: number; epsilon: number; step: number }

/** Adam's arithmetic over lists of flat arrays: the native addon's (native/adam.c), or `jsAdam`. */
export interface AdamKernels {
  /**
   * arrays: 5 per tensor (p, m, v, g, pOut; pOut is p or apart from the others). Returns how many
   * new p are not finite. maxima null: writes nothing. Else m and v are updated in place, the new p
   * written to pOut, and maxima[2t], maxima[2t + 1] set to the float bits of tensor t's largest |m| and v.
   */
  adamStep(arrays: Float32Array[], lr: number, beta1: number, beta2: number, epsilon: number, step: number, maxima: Uint32Array | null): number;
  /** The float bits of the largest |x| over the arrays (above 0x7f7fffff: an infinity or a NaN). */
  absMaxBits(arrays: Float32Array[]): number;
}

const bits = new Uint32Array(1);
const bitsAsFloat = new Float32Array(bits.buffer);

/** The float32 whose bits are `b`. */
export function floatOfBits(b: number): number {
  bits[0] = b;
  return bitsAsFloat[0];
}

function bitsOfFloat(x: number): number {
  bitsAsFloat[0] = x;
  return bits[0];
}

/** The same arithmetic in JavaScript (in float64, each stored value rounded to float32). */
export const jsAdam: AdamKernels = {
  adamStep(arrays, lr, b1, b2, eps, step, maxima) {
    // lr * (m / c1) / (sqrt(v / c2) + eps) = stepSize * m / (sqrt(v) * invSqrtC2 + eps)
    const stepSize = lr / (1 - Math.pow(b1, step));
    const invSqrtC2 = 1 / Math.sqrt(1 - Math.pow(b2, step));
    let bad = 0;
    for (let t = 0; t < arrays.length / 5; t++) {
      const [p, m, v, g, pOut] = arrays.slice(5 * t, 5 * t + 5);
      let mMax = 0;
      let vMax = 0;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = Math.fround(b1 * m[i] + (1 - b1) * gi);
        const vi = Math.fround(b2 * v[i] + (1 - b2) * gi * gi);
        const pi = Math.fround(p[i] - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps));
        if (!Number.isFinite(pi)) bad += 1;
        if (maxima === null) continue;
        m[i] = mi;
        v[i] = vi;
        pOut[i] = pi;
        // NaN compares false: a NaN makes the maximum infinite, which no bound accepts
        mMax = Math.abs(mi) <= mMax ? mMax : Number.isNaN(mi) ? Infinity : Math.abs(mi);
        vMax = Math.abs(vi) <= vMax ? vMax : Number.isNaN(vi) ? Infinity : Math.abs(vi);
      }
      if (maxima !== null) {
        maxima[2 * t] = bitsOfFloat(mMax);
        maxima[2 * t + 1] = bitsOfFloat(vMax);
      }
    }
    return bad;
  },
  absMaxBits(arrays) {
    let max = 0;
    for (const x of arrays) {
      for (let i = 0; i < x.length; i++) {
        const a = Math.abs(x[i]);
        if (!(a <= max)) max = Number.isNaN(a) ? Infinity : a;
      }
    }
    return bitsOfFloat(max);
  },
};

/**
 * Whether every new p of an Adam step is surely finite, from the largest |p| (P), |g| (G), |m| (M)
 * and v (V) before it. Each float32 operation of the update (native/adam.c, in this order) is
 * bounded with its rounding, 1 + 2^-24, taken as 1 + 2^-20; every bound must stay below 1e38
 * (float32 overflows at 3.4e38). The denominator is at least eps > 0, so nothing divides by zero.
 * False for anything it cannot bound (a non-finite input, eps below 1.2e-38, beta2 outside [0, 1)).
 */
export function stepSurelyFinite(P: number, G: number, M: number, V: number, a: AdamAttrs): boolean {
  const f = Math.fround;
  const s = Math.abs(f(a.lr / (1 - Math.pow(a.beta1, a.step))));
  const k = f(1 / Math.sqrt(1 - Math.pow(a.beta2, a.step)));
  const b1 = Math.abs(f(a.beta1));
  const c1 = Math.abs(f(1 - a.beta1));
  const b2 = f(a.beta2);
  const c2 = f(1 - a.beta2);
  const eps = f(a.epsilon);
  if (![P, G, M, V, s, k, b1, c1, b2, c2, eps].every(Number.isFinite)) return false;
  // eps is read as 0 below float32's smallest normal (native/adam.c); beta2 is checked unrounded,
  // as the JavaScript loop uses it (a beta2 of -1e-50 rounds to -0 in float32)
  if (!(a.beta2 >= 0 && b2 >= 0 && c2 >= 0 && k >= 0 && eps >= 2 ** -126)) return false;
  const r = 1 + 2 ** -20;
  const LIMIT = 1e38;
  const mNew = (b1 * M + c1 * G) * r ** 2; // b1 m + c1 g
  const vNew = (b2 * V + c2 * G * G) * r ** 3; // b2 v + (c2 g) g
  const den = (Math.sqrt(vNew) * r * k * r + eps) * r; // sqrt(v) k + eps, at least eps
  const num = s * mNew * r; // step size times m
  const pNew = (P + (num / eps) * r) * r; // p - num / den
  return mNew < LIMIT && vNew < LIMIT && den < LIMIT && num < LIMIT && pNew < LIMIT;
}

/** The native kernels where the addon has them, else JavaScript's. */
function adamKernels(): AdamKernels {
  const native = nativeEnabled() ? loadNative() : null;
  return native?.adamStep !== undefined && native.absMaxBits !== undefined ? (native as AdamKernels) : jsAdam;
}

/** The kernels' view of a backend (runtime/fused.ts), and what Adam also uses of the wasm one. */
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

/** float32's smallest normal number, 2^-126: below it the native loop reads a number as 0. */
export const FLOAT32_MIN_NORMAL = 2 ** -126;

/** One tensor's moments, and the largest |m| and v in them. */
interface Moments { m: Float32Array; v: Float32Array; mMax: number; vMax: number }

/** Adam with PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8). */
export class Adam {
  private readonly state = new Map<string, Moments>();
  private step = 0;
  private ops: AdamOps | null = null;

  /**
   * Throws, naming the value, for what PyTorch's Adam refuses too (a learning rate below 0, a beta
   * outside [0, 1)) and for an epsilon below float32's smallest normal number (1.2e-38), which the
   * native loop reads as 0 (see native/adam.c).
   */
  constructor(readonly learningRate: number, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly epsilon = 1e-8) {
    const want = (what: string, value: number, ok: boolean, expected: string) => {
      if (!ok) throw new RangeError(`Adam.${what} = ${value} is invalid: expected ${expected}`);
    };
    want('learningRate', learningRate, Number.isFinite(learningRate) && learningRate >= 0, 'a finite number >= 0');
    want('beta1', beta1, beta1 >= 0 && beta1 < 1, '0 <= beta1 < 1');
    want('beta2', beta2, beta2 >= 0 && beta2 < 1, '0 <= beta2 < 1');
    want('epsilon', epsilon, Number.isFinite(epsilon) && epsilon >= FLOAT32_MIN_NORMAL, `a finite number >= ${FLOAT32_MIN_NORMAL} (float32's smallest normal)`);
  }

  /**
   * Applies one step; `grads` maps variable names to gradients, as tf.variableGrads returns them.
   * Returns false, changing nothing, when the step would make a parameter non-finite.
   */
  applyGradients(grads: Record<string, tf.Tensor>): boolean {
    const backendName = tf.getBackend();
    const registry = tf.engine().registeredVariables;
    const names = Object.keys(grads);
    if (names.length === 0) return true;
    const params = names.map((name) => {
      const p = registry[name];
      const g = grads[name];
      if (p === undefined) throw new Error(`Adam: no variable named ${name}`);
      if (p.dtype !== 'float32' || g.dtype !== 'float32' || g.size !== p.size) {
        throw new Error(`Adam: the gradient of ${name} is ${g.dtype} [${g.shape}], expected float32 [${p.shape}] as the variable`);
      }
      return p;
    });
    if (backendName !== 'wasm' && backendName !== 'cpu') {
      this.ops ??= new AdamOps(this.learningRate, this.beta1, this.beta2, this.epsilon);
      if (!this.ops.apply(this.step + 1, names, params, grads)) return false;
      this.step += 1;
      return true;
    }
    const backend = tf.engine().backend as unknown as Backend;
    const moments = names.map((name, i) => {
      let s = this.state.get(name);
      if (s === undefined || s.m.length !== params[i].size) {
        s = { m: new Float32Array(params[i].size), v: new Float32Array(params[i].size), mMax: 0, vMax: 0 };
        this.state.set(name, s);
      }
      return s;
    });
    const wasm = backendName === 'wasm';
    // Data made on another backend moves here when first looked up, which may grow the wasm heap:
    // every lookup before the first view.
    if (wasm) for (const t of [...params, ...names.map((n) => grads[n])]) backend.dataIdMap!.get(t.dataId);
    const k = io(backend, backendName); // views of tensors and new outputs, as the fused kernels make them
    const view = k.view;
    const arrays = (pOut: (i: number) => Float32Array) => names.flatMap((name, i) =>
      [view(params[i]), moments[i].m, moments[i].v, view(grads[name]), pOut(i)]);
    const a: AdamAttrs = { lr: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, step: this.step + 1 };
    const kernels = adamKernels();
    const P = floatOfBits(kernels.absMaxBits(params.map(view)));
    const G = floatOfBits(kernels.absMaxBits(names.map((name) => view(grads[name]))));
    const M = Math.max(...moments.map((s) => s.mMax));
    const V = Math.max(...moments.map((s) => s.vMax));
    if (!stepSurelyFinite(P, G, M, V, a)) {
      const check = arrays((i) => view(params[i]));
      if (kernels.adamStep(check, a.lr, a.beta1, a.beta2, a.epsilon, a.step, null) > 0) return false;
    }
    // p in place only where no other tensor shares its memory (a gradient may be the variable
    // itself); cpu's dataSync() hands out the array itself.
    const gradIds = new Set(names.map((n) => grads[n].dataId));
    const outs = params.map((p) =>
      wasm && backend.refCount(p.dataId) === 1 && !gradIds.has(p.dataId) && canRenew(backend) ? null : k.out(p.shape));
    const maxima = new Uint32Array(2 * names.length);
    let bad: number;
    try {
      // Views taken after every output is made: allocating may grow (and so replace) the wasm heap.
      bad = kernels.adamStep(arrays((i) => view(outs[i] ?? params[i])), a.lr, a.beta1, a.beta2, a.epsilon, a.step, maxima);
    } catch (err) {
      // wasm's outputs hold heap memory already; cpu's are plain arrays until k.finish
      if (wasm) for (const out of outs) if (out !== null) backend.disposeData(out.dataId);
      throw err;
    }
    this.step += 1;
    moments.forEach((s, i) => {
      s.mMax = floatOfBits(maxima[2 * i]);
      s.vMax = floatOfBits(maxima[2 * i + 1]);
    });
    outs.forEach((out, i) => {
      if (out === null) return renew(backend, params[i]);
      const t = tf.engine().makeTensorFromTensorInfo(k.finish(out));
      params[i].assign(t);
      t.dispose();
    });
    if (bad > 0) {
      // stepSurelyFinite or the check said otherwise: a bug, not a learning rate to lower
      throw new Error(`Adam: step ${a.step} made ${bad} parameters non-finite after its check passed (a bug in core/optim.ts)`);
    }
    return true;
  }

  dispose(): void {
    this.state.clear();
    this.ops?.dispose();
  }
}
