/**
 * The kit's native addon: `native/` is a small N-API addon over OpenBLAS. `npm install` tries to
 * build it (scripts/build-native.mjs) and carries on without it where it cannot (no compiler, no
 * libopenblas-dev); the kit then uses the reference engine. This file loads it and sets its threads:
 * the kernels split their work over SAE_BLAS_THREADS threads (default 2 where there are 2 cores).
 * SAE_NATIVE=0 leaves it unloaded.
 */
import { isMainThread } from 'worker_threads';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { envFlag, envInteger } from '../settings';

export interface NativeBlas {
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, b: Float32Array, c: Float32Array, batch: number, strideA: number, strideB: number, strideC: number): void;
  /** Threads of every kernel here (native/pool.c; OpenBLAS then runs one per part). */
  setThreads(n: number): void;
  threads(): number;
  /** How many parts a product is split into whatever the thread count (the same numbers on any); absent in older builds. */
  setPartition?(n: number): void;
  partition?(): number;
  /** OpenBLAS's own threads instead (the pool then runs one); absent in older builds. */
  setBlasThreads?(n: number): void;
  blasThreads?(): number;
  /** The fused kernels (native/fused.c); absent in an addon built before them. flags: 1 x is a sparse code, 2 dz may be sparse (native/sparse.c). */
  denseForward?(x: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array, rows: number, inDim: number, outDim: number, act: number, flags?: number): void;
  denseBackward?(dy: Float32Array, x: Float32Array, w: Float32Array, y: Float32Array, dx: Float32Array | null, dw: Float32Array,
    db: Float32Array, rows: number, inDim: number, outDim: number, act: number, flags?: number): void;
  /** The dictionary SAE's encoder (native/centered.c); absent in an addon built before it. */
  centeredForward?(x: Float32Array, c: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array, rows: number, inDim: number, outDim: number): void;
  centeredBackward?(dy: Float32Array, x: Float32Array, c: Float32Array, w: Float32Array, dw: Float32Array, db: Float32Array, dc: Float32Array,
    rows: number, inDim: number, outDim: number): void;
  /** Adam (native/adam.c; see adam-bound.ts's AdamKernels); absent in an addon built before them. */
  adamStep?(arrays: Float32Array[], lr: number, beta1: number, beta2: number, epsilon: number, step: number, maxima: Uint32Array | null): number;
  absMaxBits?(arrays: Float32Array[]): number;
}

/**
 * The built addon, found from this file upwards: src/runtime/ in the sources, .kit/<hash>/runtime/
 * in the notebooks' compiled kit (scripts/build-kit.mjs).
 */
export const NATIVE_ADDON = findAddon(__dirname);

function findAddon(from: string): string {
  const at = (dir: string) => path.join(dir, 'native', 'build', 'Release', 'sae_blas.node');
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(at(dir)) || fs.existsSync(path.join(dir, 'package.json'))) return at(dir);
    if (path.dirname(dir) === dir) return at(path.join(from, '..', '..'));
  }
}

let addon: NativeBlas | null | undefined;
let loadError = '';
let enabled = true;

/** Whether native kernels are in use (the addon is built and not switched off). */
export function nativeEnabled(): boolean {
  return enabled && loadNative() !== null;
}

/** Switches the addon on or off (the engine then follows: runtime/engine.ts); returns whether it is in use. */
export function useNative(on: boolean): boolean {
  enabled = on;
  return nativeEnabled();
}

/** Most threads the addon runs (native/pool.h's POOL_MAX). */
const MAX_THREADS = 8;

/**
 * SAE_BLAS_THREADS, the native kernels' threads: by default 2 where there are 2 cores or more
 * (the lesson's products gain ~1.4x from a second core; a third adds little at batch 128), else 1.
 */
export function threadsSetting(env: NodeJS.ProcessEnv = process.env): number {
  const fallback = Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
  return Math.min(envInteger('SAE_BLAS_THREADS', fallback, 1, env), MAX_THREADS);
}

/**
 * The OpenBLAS core type for the CPU flags of /proc/cpuinfo: 'SkylakeX' with AVX-512 (F, BW, DQ,
 * VL), 'Haswell' with AVX2 and FMA, else null (leave OpenBLAS's own choice).
 */
export function coretypeFor(cpuinfo: string): 'SkylakeX' | 'Haswell' | null {
  const line = /^flags\s*:(.*)$/m.exec(cpuinfo);
  if (line === null) return null;
  const flags = new Set(line[1].trim().split(/\s+/));
  if (['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'].every((f) => flags.has(f))) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return null;
}

let coreChoice = '';

/**
 * Debian's OpenBLAS (0.3.21) picks its kernels from a table of CPU models; on a CPU newer than
 * the table (seen on this project's cloud machines: AVX-512 present, OpenBLAS reports 'Prescott')
 * it falls back to its slowest SSE3 kernels, three times slower here. Where OPENBLAS_CORETYPE is
 * unset, the kit sets it from the CPU's flags before OpenBLAS loads; a value the user set is kept.
 * Returns what happened, for the backend line.
 */
export function chooseOpenblasCore(env: NodeJS.ProcessEnv = process.env, readCpuinfo = (): string => {
  try { return require('fs').readFileSync('/proc/cpuinfo', 'utf8') as string; } catch { return ''; }
}): string {
  if ((env.OPENBLAS_CORETYPE ?? '') !== '') return `OpenBLAS core ${env.OPENBLAS_CORETYPE} (OPENBLAS_CORETYPE)`;
  const core = coretypeFor(readCpuinfo());
  if (core === null) return 'OpenBLAS core: its own choice';
  env.OPENBLAS_CORETYPE = core;
  return `OpenBLAS core ${core} (from the CPU's flags; set OPENBLAS_CORETYPE to choose another)`;
}

/** What chooseOpenblasCore did when the addon loaded ('' before). */
export function openblasCoreChoice(): string {
  return coreChoice;
}

/** The addon, or null (with `nativeLoadError()` saying why). */
export function loadNative(): NativeBlas | null {
  if (addon === undefined) {
    if (!envFlag('SAE_NATIVE', true)) {
      addon = null;
      loadError = `turned off by SAE_NATIVE=${process.env.SAE_NATIVE}`;
      return addon;
    }
    // A bad setting is the user's error to see, like a bad SAE_NATIVE: read it outside the
    // try below, which turns the addon off when it can't load.
    const threads = threadsSetting();
    try {
      coreChoice = chooseOpenblasCore();
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      addon = require(NATIVE_ADDON) as NativeBlas;
      addon.setThreads(threads);
      // Products are split for the main thread's SAE_BLAS_THREADS threads even where fewer run
      // them (a pool's workers, started with SAE_BLAS_THREADS=1, share this addon and leave the
      // split alone), so a model trained in a worker is bitwise the one trained here.
      if (isMainThread) addon.setPartition?.(threads);
    } catch (err) {
      addon = null;
      const e = err as NodeJS.ErrnoException;
      loadError = e.code === 'MODULE_NOT_FOUND' ? 'not built (npm run build:native; needs g++ and libopenblas-dev)' : String(e.message).split('\n')[0];
    }
  }
  return addon;
}

/** How the native kernels use the cores: `threads` of their own, or OpenBLAS's threads inside one. */
export interface NativeThreads { threads: number; openblas: number }

/**
 * Sets the native kernels' threads: `threads` of the kit's own (each part of a product one
 * single-threaded OpenBLAS call), or, with `openblas` > 1, one kit thread and OpenBLAS's own.
 */
export function setNativeThreads(threads: number, openblas = 1): void {
  const blas = loadNative();
  if (blas === null) return;
  if (openblas > 1 && blas.setBlasThreads !== undefined) blas.setBlasThreads(openblas);
  else blas.setThreads(threads);
}

export function nativeThreads(): NativeThreads {
  const blas = loadNative();
  return { threads: blas?.threads() ?? 1, openblas: blas?.blasThreads?.() ?? 1 };
}

export function nativeLoadError(): string {
  return loadError;
}
