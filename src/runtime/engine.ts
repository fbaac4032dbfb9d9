/**
 * The one seam for speed. The models (core/, interp/) write their maths with these operations;
 * two engines implement them:
 *
 *   reference  plain TensorFlow.js ops, the lesson's equations (runtime/reference.ts), on any backend;
 *   native     the same operations as fused kernels over the kit's OpenBLAS addon, with Adam in
 *              place (runtime/native/), on the wasm and cpu backends where the addon is built.
 *
 * `engine()` is the native engine where it can run and is wanted (SAE_ENGINE, default 'native';
 * `useEngine`), else the reference engine. Both give the same numbers to float32 rounding (the
 * tests run every model on both); the results cache keys a model by the engine that trained it.
 */
import * as tf from './tf';
import { envChoice } from './settings';
import { referenceEngine } from './reference';
import { nativeEngine } from './native/engine';

export type EngineName = 'reference' | 'native';
export const ENGINE_NAMES: readonly EngineName[] = ['reference', 'native'];

export type DenseActivation = 'relu' | 'sigmoid' | 'linear';

/** Adam's constants (PyTorch's names and defaults: core/optim.ts). */
export interface AdamSettings { learningRate: number; beta1: number; beta2: number; epsilon: number }

/** One Adam's update and its moments, on one engine. */
export interface AdamUpdate {
  /**
   * Step `step` (1, 2, ...) on `params`, whose gradients are grads[names[i]]. All or nothing:
   * returns false, changing nothing, when any new value would not be finite.
   */
  apply(step: number, names: string[], params: tf.Variable[], grads: Record<string, tf.Tensor>): boolean;
  dispose(): void;
}

/** What the models need from an engine. Shapes: x [batch, in], w [in, out], b [out]. */
export interface Engine {
  readonly name: EngineName;
  /** act(x W + b) -> [batch, out]; `inputGrad` false for data x (no gradient to x is needed) */
  dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: DenseActivation, inputGrad?: boolean): tf.Tensor2D;
  /** (x - c) W + b for data x, c [in] -> [batch, out] */
  centeredDense(x: tf.Tensor2D, c: tf.Tensor1D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D;
  /**
   * f W + b for a code f [batch, in] that is mostly 0 (a ReLU or TopK dictionary code) -> [batch, out].
   * Its gradient to f is kept only where f is non-zero and is 0 elsewhere: right for an activation
   * whose own gradient is 0 wherever its output is 0 (ReLU, TopK), which would zero it there anyway.
   */
  sparseDecode(f: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D;
  /** mean over all elements of (x - xHat)^2 -> scalar */
  mse(x: tf.Tensor, xHat: tf.Tensor): tf.Scalar;
  /** sum over units j of KL(rho || rhoHat_j), rhoHat_j = mean_i h_ij clamped to [lo, hi]; h [batch, units] -> scalar */
  klPenalty(h: tf.Tensor2D, rho: number, lo: number, hi: number): tf.Scalar;
  /** 1 where z is among its row's k largest (ties with the k-th kept), else 0; a constant for gradients. z [batch, n] -> [batch, n] */
  topkMask(z: tf.Tensor2D, k: number): tf.Tensor2D;
  /** TopK's code relu(z) * topkMask(z, k): each row's k largest entries above 0 kept, the rest 0. z [batch, n] -> [batch, n] */
  topk(z: tf.Tensor2D, k: number): tf.Tensor2D;
  /** which columns (latents) of f [batch, n] have an entry above `threshold`: int32 [n] of 1 and 0; not differentiated */
  firedLatents(f: tf.Tensor2D, threshold: number): tf.Tensor1D;
  /** w with each row (axis 1) or column (axis 0) divided by its Euclidean norm (at least 1e-12) */
  unitNorm(w: tf.Tensor2D, axis: 0 | 1): tf.Tensor2D;
  /** A new Adam update with its own moments. */
  adam(settings: AdamSettings): AdamUpdate;
}

/** The native engine's side: whether it runs on a backend, and turning its kernels on and off. */
export interface NativeEngine extends Engine {
  /** Whether the engine can run on `backend` (the addon is built and on, the backend is wasm or cpu). */
  runsOn(backend: string): boolean;
  /** Installs (on) or removes (off) what the engine replaces in the backends: the product and wasm's Identity. */
  install(on: boolean): void;
  /** threads, OpenBLAS core: for the backend line */
  summary(): string;
}

let wanted: EngineName | undefined;
let installed = false;

/** The engine wanted: useEngine's choice, else SAE_ENGINE, else 'native'. */
export function engineWanted(): EngineName {
  wanted ??= envChoice('SAE_ENGINE', ENGINE_NAMES, 'native');
  return wanted;
}

/** The engine the models use now, on the active backend. */
export function engine(): Engine {
  const native = engineWanted() === 'native' && nativeEngine.runsOn(tf.getBackend());
  if (native !== installed) {
    nativeEngine.install(native);
    installed = native;
  }
  return native ? nativeEngine : referenceEngine;
}

/** Chooses the engine from now on ('native' falls back to 'reference' where it cannot run); returns the engine in use. */
export function useEngine(name: EngineName): EngineName {
  if (!ENGINE_NAMES.includes(name)) throw new Error(`useEngine: '${String(name)}' is invalid: expected one of ${ENGINE_NAMES.join(', ')}`);
  wanted = name;
  return engine().name;
}

/** Which arithmetic trains a model here: the backend and the engine, e.g. 'wasm+native' (the results cache's key). */
export function numericsName(): string {
  return `${tf.getBackend()}+${engine().name}`;
}

/** One line on the engine in use, for the backend line. */
export function engineSummary(): string {
  const e = engine();
  if (e.name === 'native') return `native engine: ${nativeEngine.summary()}`;
  return `reference engine (plain TensorFlow.js ops): ${engineWanted() === 'reference' ? 'chosen (SAE_ENGINE=reference)' : nativeEngine.whyNot()}`;
}
