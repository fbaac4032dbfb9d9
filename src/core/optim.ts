/**
 * Adam as PyTorch and tf.train.adam define it, with the whole update of one parameter tensor
 * done by one kernel ('SaeAdam', all tensors at once) instead of ~12 tfjs ops per tensor:
 *   m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2,
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * On the wasm and cpu backends one kernel updates every tensor of a step: one loop over their
 * memory, in C split over the addon's threads when the native addon is built (the JavaScript
 * loop runs ~8 ns per number, too slow to hide), else in JavaScript; the moments are plain
 * arrays that only this class reads. On any other backend this class uses tf.train.adam itself.
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

/** One tensor's moments, twice: a step reads one pair and writes the other, which it keeps only if it is accepted. */
interface Moments { m: [Float32Array, Float32Array]; v: [Float32Array, Float32Array]; current: 0 | 1 }

/**
 * The kernel: inputs p0, g0, p1, g1, ... (every parameter tensor of a step and its gradient),
 * attrs.moments the tensors' moments in the same order; outputs the new p of each. The moments
 * live in plain arrays, not tensors (nothing else reads them), and are written to the spare half.
 * One call per step: the native addon updates every tensor in one loop split over its threads;
 * without it, the JavaScript loop runs per tensor.
 */
function registerFor(backendName: 'wasm' | 'cpu'): void {
  if (tf.getKernel(KERNEL, backendName) !== undefined) return;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName,
    kernelFunc: (args) => {
      const inputs = args.inputs as Record<string, tf.TensorInfo>;
      const attrs = args.attrs as unknown as AdamAttrs & { moments: Moments[] };
      const backend = args.backend as unknown as Backend;
      const ins = attrs.moments.map((_, i) => [inputs[`p${i}`], inputs[`g${i}`]]);
      let outs: tf.TensorInfo[];
      let views: Float32Array[][]; // p, g, pOut
      if (backendName === 'wasm') {
        outs = ins.map(([p]) => backend.makeOutput!(p.shape, 'float32') as tf.TensorInfo);
        // Views taken after every output is made: allocating may grow (and so replace) the heap.
        const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap!(t) as Float32Array;
        views = ins.map(([p, g], i) => [view(p), view(g), view(outs[i])]);
      } else {
        const values = (t: tf.TensorInfo) => backend.data!.get(t.dataId).values as Float32Array;
        views = ins.map(([p, g]) => [values(p), values(g), new Float32Array(values(p).length)]);
        outs = ins.map(([p], i) => backend.makeTensorInfo!(p.shape, 'float32', views[i][2]) as tf.TensorInfo);
      }
      const arrays = views.map(([p, g, pOut], i) => {
        const { m, v, current: c } = attrs.moments[i];
        return [p, m[c], v[c], g, pOut, m[1 - c], v[1 - c]];
      });
      const native = nativeEnabled() ? loadNative() : null;
      if (native?.adamMany !== undefined) {
        lastNonFinite = native.adamMany(arrays.flat(), attrs.lr, attrs.beta1, attrs.beta2, attrs.epsilon, attrs.step);
      } else if (native !== null) {
        lastNonFinite = arrays.reduce((n, a) => n + native.adam(a[0], a[1], a[2], a[3], a[4], a[5], a[6],
          attrs.lr, attrs.beta1, attrs.beta2, attrs.epsilon, attrs.step), 0);
      } else {
        lastNonFinite = arrays.reduce((n, a) => n + adamUpdate(a[0], a[1], a[2], a[3], a[4], a[5], a[6], attrs), 0);
      }
      return outs;
    },
  });
}

/** Adam with PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8). */
export class Adam {
  private readonly state = new Map<string, Moments>();
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
    const registry = tf.engine().registeredVariables;
    const names = Object.keys(grads);
    const inputs: Record<string, tf.Tensor> = {};
    const moments = names.map((name, i) => {
      const p = registry[name];
      if (p === undefined) throw new Error(`Adam: no variable named ${name}`);
      inputs[`p${i}`] = p;
      inputs[`g${i}`] = grads[name];
      let s = this.state.get(name);
      if (s === undefined || s.m[0].length !== p.size) {
        const zeros = () => new Float32Array(p.size);
        s = { m: [zeros(), zeros()], v: [zeros(), zeros()], current: 0 };
        this.state.set(name, s);
      }
      return s;
    });
    if (names.length === 0) return true;
    const attrs = { lr: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, step: this.step + 1, moments };
    lastNonFinite = 0;
    const outs = tf.engine().runKernel(KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    if (lastNonFinite > 0) {
      tf.dispose(outs);
      return false;
    }
    this.step += 1;
    names.forEach((name, i) => {
      registry[name].assign(outs[i]);
      outs[i].dispose();
      moments[i].current = moments[i].current === 0 ? 1 : 0;
    });
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
    this.state.clear();
    this.fallback?.dispose();
  }
}
