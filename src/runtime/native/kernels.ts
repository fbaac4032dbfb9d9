/**
 * What every native kernel needs from a backend: new outputs and Float32Array views of tensors'
 * memory (`io`), and registration once per backend (`registerOnce`). The native engine's kernels
 * (dense.ts, loss.ts, topk.ts, norm.ts) are built on these two and nothing else of tfjs's internals.
 */
import * as tf from '../tf';
import { loadNative } from './addon';

/** The parts of the wasm and cpu backends the kernels use. */
export type Backend = {
  makeOutput?: (shape: number[], dtype: 'float32') => tf.TensorInfo;
  typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array;
  data?: { get(id: unknown): { values: unknown } };
  makeTensorInfo?: (shape: number[], dtype: 'float32', values: Float32Array) => tf.TensorInfo;
};

export type NativeBackendName = 'wasm' | 'cpu';

/** Output arrays for `shapes` on `backend`, and Float32Array views of inputs and outputs. */
export function io(backend: Backend, name: NativeBackendName) {
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

export type KernelIo = ReturnType<typeof io>;

/** A kernel's body: its inputs and attributes, the backend's io, and the addon (functions as `needs` names them). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KernelBody<A> = (inputs: Record<string, tf.TensorInfo>, attrs: A, k: KernelIo, addon: any) => tf.TensorInfo | tf.TensorInfo[];

/** One group of kernels: the addon functions they need, their bodies, and their gradients (registered once for all backends). */
export interface KernelGroup {
  /** the addon's functions the kernels call; the group is not registered where one is missing */
  needs: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  kernels: Record<string, KernelBody<any>>;
  gradients?: tf.GradConfig[];
}

const registered = new Map<KernelGroup, Set<NativeBackendName>>();

/** Registers `group`'s kernels for `backend` (once) and its gradients (once); false without the addon's functions. */
export function registerOnce(group: KernelGroup, backend: NativeBackendName): boolean {
  const done = registered.get(group) ?? new Set<NativeBackendName>();
  if (done.has(backend)) return true;
  const addon = loadNative() as unknown as Record<string, unknown> | null;
  if (addon === null || !group.needs.every((f) => typeof addon[f as string] === 'function')) return false;
  for (const [kernelName, body] of Object.entries(group.kernels)) {
    tf.registerKernel({
      kernelName,
      backendName: backend,
      kernelFunc: ({ inputs, attrs, backend: b }) =>
        body(inputs as Record<string, tf.TensorInfo>, attrs, io(b as unknown as Backend, backend), addon),
    });
  }
  if (!registered.has(group)) for (const g of group.gradients ?? []) tf.registerGradient(g);
  done.add(backend);
  registered.set(group, done);
  return true;
}

/** Runs a registered kernel. */
export function run<T extends tf.Tensor | tf.Tensor[]>(kernelName: string, inputs: tf.NamedTensorMap, attrs: object = {}): T {
  return tf.engine().runKernel(kernelName, inputs, attrs as tf.NamedAttrMap) as T;
}
