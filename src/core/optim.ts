/**
 * Adam as PyTorch and tf.train.adam define it, with the whole update of one parameter tensor
 * done by one kernel ('SaeAdam') instead of ~12 separate tfjs ops:
 *   m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2,
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * On the wasm and cpu backends the kernel is one loop over the tensors' memory, in C when the
 * native addon is built (the JavaScript loop runs ~8 ns per number, too slow to hide), else in
 * JavaScript; on any other backend this class uses tf.train.adam itself.
 *
 * A step is all or nothing: when the update would make any parameter NaN or infinite (a
 * learning rate of 3e38 does, while the loss before it is still finite), no tensor and no Adam
 * state changes and `applyGradients` returns false, so the model keeps weights whose loss is known.
 */
import * as tf from '../runtime/tf';
import { loadNative, nativeEnabled } from '../runtime/native';

const KERNEL = 'SaeAdam';

interface AdamAttrs { lr: number; beta1: number; beta2: number; epsilon: number; step: number }

/**
 * One Adam update over flat arrays; writes the new values into pOut, mOut, vOut and returns how
 * many of the new parameters are not finite.
 */
export function adamUpdate(p: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array,
  pOut: Float32Array, mOut: Float32Array, vOut: Float32Array, a: AdamAttrs): number {
  const b1 = a.beta1;
  const b2 = a.beta2;
  const eps = a.epsilon;
  // lr * (m / c1) / (sqrt(v / c2) + eps) = stepSize * m / (sqrt(v) * invSqrtC2 + eps)
  const stepSize = a.lr / (1 - Math.pow(b1, a.step));
  const invSqrtC2 = 1 / Math.sqrt(1 - Math.pow(b2, a.step));
  const n = p.length;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = b1 * m[i] + (1 - b1) * gi;
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    mOut[i] = mi;
    vOut[i] = vi;
    pOut[i] = p[i] - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps);
    if (!Number.isFinite(pOut[i])) bad += 1;
  }
  return bad;
}

/**
 * Non-finite parameters produced by the last SaeAdam kernel call. The kernel runs synchronously
 * inside runKernel on wasm and cpu, so the caller reads this right after its call.
 */
let lastNonFinite = 0;

type Backend = { makeOutput?: Function; typedArrayFromHeap?: Function; data?: { get(id: unknown): { values: unknown } }; makeTensorInfo?: Function };

function registerFor(backendName: 'wasm' | 'cpu'): void {
  if (tf.getKernel(KERNEL, backendName) !== undefined) return;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName,
    kernelFunc: (args) => {
      const { p, m, v, g } = args.inputs as Record<string, tf.TensorInfo>;
      const attrs = args.attrs as unknown as AdamAttrs;
      const native = nativeEnabled() ? loadNative() : null;
      const update = native
        ? (p: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, po: Float32Array, mo: Float32Array, vo: Float32Array) => {
          lastNonFinite = native.adam(p, m, v, g, po, mo, vo, attrs.lr, attrs.beta1, attrs.beta2, attrs.epsilon, attrs.step);
        }
        : (p: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, po: Float32Array, mo: Float32Array, vo: Float32Array) => {
          lastNonFinite = adamUpdate(p, m, v, g, po, mo, vo, attrs);
        };
      const backend = args.backend as unknown as Backend;
      if (backendName === 'wasm') {
        const outs = [0, 1, 2].map(() => backend.makeOutput!(p.shape, 'float32') as tf.TensorInfo);
        const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap!(t) as Float32Array;
        update(view(p), view(m), view(v), view(g), view(outs[0]), view(outs[1]), view(outs[2]));
        return outs;
      }
      const values = (t: tf.TensorInfo) => backend.data!.get(t.dataId).values as Float32Array;
      const n = values(p).length;
      const outs = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      update(values(p), values(m), values(v), values(g), outs[0], outs[1], outs[2]);
      return outs.map((o) => backend.makeTensorInfo!(p.shape, 'float32', o) as tf.TensorInfo);
    },
  });
}

/** Adam with PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8). */
export class Adam {
  private readonly state = new Map<string, { m: tf.Tensor; v: tf.Tensor }>();
  private step = 0;
  private fallback: tf.Optimizer | null = null;

  constructor(readonly learningRate: number, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly epsilon = 1e-8) {
    registerFor('wasm');
    registerFor('cpu');
  }

  /**
   * Applies one step; `grads` maps variable names to gradients, as tf.variableGrads returns them.
   * Returns false, changing nothing, when the step would make a parameter non-finite.
   */
  applyGradients(grads: Record<string, tf.Tensor>): boolean {
    const backend = tf.getBackend();
    if (backend !== 'wasm' && backend !== 'cpu') return this.applyWithTfjs(grads);
    const attrs = { lr: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, step: this.step + 1 };
    const registry = tf.engine().registeredVariables;
    const results: { p: tf.Variable; name: string; outs: tf.Tensor[] }[] = [];
    let bad = 0;
    for (const [name, g] of Object.entries(grads)) {
      const p = registry[name];
      if (p === undefined) {
        tf.dispose(results.flatMap((r) => r.outs));
        throw new Error(`Adam: no variable named ${name}`);
      }
      const s = this.state.get(name);
      const m = s?.m ?? tf.zerosLike(p);
      const v = s?.v ?? tf.zerosLike(p);
      lastNonFinite = 0;
      const outs = tf.engine().runKernel(KERNEL, { p, m, v, g }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      bad += lastNonFinite;
      if (s === undefined) tf.dispose([m, v]);
      results.push({ p, name, outs });
    }
    if (bad > 0) {
      tf.dispose(results.flatMap((r) => r.outs));
      return false;
    }
    this.step += 1;
    for (const { p, name, outs: [pNew, mNew, vNew] } of results) {
      p.assign(pNew);
      pNew.dispose();
      const s = this.state.get(name);
      if (s !== undefined) tf.dispose([s.m, s.v]);
      this.state.set(name, { m: tf.keep(mNew), v: tf.keep(vNew) });
    }
    return true;
  }

  /**
   * tf.train.adam (on 'tensorflow' and other backends) with the same all-or-nothing rule: the
   * weights are restored when one stops being finite, and tf.train.adam's moments, which it
   * updates in place, are dropped (the next step starts them again from zero).
   */
  private applyWithTfjs(grads: Record<string, tf.Tensor>): boolean {
    this.fallback ??= tf.train.adam(this.learningRate, this.beta1, this.beta2, this.epsilon);
    const registry = tf.engine().registeredVariables;
    const names = Object.keys(grads);
    const before = names.map((n) => tf.keep(registry[n].clone()));
    try {
      this.fallback.applyGradients(grads as tf.NamedTensorMap);
      const finite = tf.tidy(() => names.every((n) => tf.all(tf.isFinite(registry[n])).dataSync()[0] === 1));
      if (finite) return true;
      names.forEach((n, i) => registry[n].assign(before[i]));
      this.fallback.dispose();
      this.fallback = null;
      return false;
    } finally {
      tf.dispose(before);
    }
  }

  dispose(): void {
    for (const s of this.state.values()) tf.dispose([s.m, s.v]);
    this.state.clear();
    this.fallback?.dispose();
  }
}
