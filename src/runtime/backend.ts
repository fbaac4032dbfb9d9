/**
 * Picks the fastest TensorFlow.js backend that loads on this machine.
 *
 * The ladder, fastest first:
 *   1. `@tensorflow/tfjs-node-gpu` (libtensorflow with CUDA)  -> backend name 'tensorflow'
 *   2. `@tensorflow/tfjs-node`     (libtensorflow, CPU)        -> backend name 'tensorflow'
 *   3. `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD)          -> 'wasm'
 *   4. `@tensorflow/tfjs-backend-cpu`  (plain JavaScript)       -> 'cpu'
 * The two tfjs-node packages are optional dependencies: they download libtensorflow when
 * installed, which fails on an offline machine, and then they are simply absent.
 * `SAE_BACKEND=tensorflow|wasm|cpu` forces one rung (and fails loudly if it cannot load).
 */
import * as tf from './tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { nativeLoadError, useNative } from './native';
import { nativeSummary } from './fused';
import { isQuick, quickModeNotice } from './settings';
import { escapeHtml, tslabDisplay } from './progress';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The tfjs backend now active. */
  name: BackendName;
  /** The npm package that provides it. */
  package: string;
  /** Faster rungs that were skipped, each with the reason. */
  skipped: string[];
  /** True when matrix products (and Adam) run in the native OpenBLAS addon. */
  native: boolean;
  /** The one line the kit prints about it. */
  summary: string;
}

let chosen: Promise<BackendInfo> | null = null;

/** Why a `require` failed, in a few words. */
function loadFailure(pkg: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const msg = String(e && e.message ? e.message : err).split('\n')[0];
  if (e && e.code === 'MODULE_NOT_FOUND' && msg.includes(pkg)) return `${pkg}: not installed`;
  if (/libcud|cuda|cudnn/i.test(msg)) return `${pkg}: no CUDA (${msg})`;
  return `${pkg}: failed to load (${msg})`;
}

/** Tries to load one tfjs-node flavour; returns null on success, or why it failed. */
function tryNode(pkg: string): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require(pkg);
    return null;
  } catch (err) {
    return loadFailure(pkg, err);
  }
}

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
const PROCESS_EVENTS: ProcessEvent[] = ['uncaughtException', 'unhandledRejection'];

async function activate(name: BackendName): Promise<boolean> {
  // The wasm module (Emscripten) adds process handlers that rethrow every uncaught error
  // and print the whole minified module with it; in a notebook kernel that is fatal.
  // Remove whatever handlers starting a backend added.
  const emitter = process as NodeJS.EventEmitter;
  const before = new Map(PROCESS_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
  try {
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  } finally {
    for (const e of PROCESS_EVENTS) {
      for (const l of emitter.listeners(e)) {
        if (!before.get(e)!.has(l)) emitter.removeListener(e, l as (...args: unknown[]) => void);
      }
    }
  }
}

/** Reads and checks SAE_BACKEND. */
export function requestedBackend(env: NodeJS.ProcessEnv = process.env): BackendName | null {
  const raw = env.SAE_BACKEND;
  if (raw === undefined || raw === '') return null;
  const want = raw.trim().toLowerCase();
  if (!(BACKEND_NAMES as readonly string[]).includes(want)) {
    throw new Error(`SAE_BACKEND=${JSON.stringify(raw)} is not a backend; expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  return want as BackendName;
}

async function choose(log: boolean): Promise<BackendInfo> {
  const forced = requestedBackend();
  const skipped: string[] = [];
  let info: BackendInfo | null = null;

  if (forced === null || forced === 'tensorflow') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      const why = tryNode(pkg);
      if (why === null && (await activate('tensorflow'))) {
        info = { name: 'tensorflow', package: pkg, skipped, native: false, summary: '' };
        break;
      }
      skipped.push(why ?? `${pkg}: loaded but the 'tensorflow' backend did not start`);
    }
    if (info === null && forced === 'tensorflow') {
      throw new Error(`SAE_BACKEND=tensorflow, but neither tfjs-node package loads: ${skipped.join('; ')}`);
    }
  }
  if (info === null && (forced === null || forced === 'wasm')) {
    if (await activate('wasm')) {
      info = { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', skipped, native: false, summary: '' };
    } else if (forced === 'wasm') {
      throw new Error('SAE_BACKEND=wasm, but the wasm backend failed to start');
    } else {
      skipped.push('@tensorflow/tfjs-backend-wasm: failed to start');
    }
  }
  if (info === null) {
    if (!(await activate('cpu'))) throw new Error('the cpu backend of TensorFlow.js failed to start');
    info = { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', skipped, native: false, summary: '' };
  }
  let native = '';
  if (info.name === 'wasm' || info.name === 'cpu') {
    // Both plain backends get the native kernels, so switching between them keeps them.
    info.native = useNative(true) && tf.getKernel('BatchMatMul', info.name) !== undefined;
    native = info.native ? `; ${nativeSummary()}` : `; native addon: ${nativeLoadError()}`;
  }
  const how = forced ? ` (forced by SAE_BACKEND=${forced})` : '';
  const why = skipped.length ? `; skipped ${skipped.join('; ')}` : '';
  info.summary = `sae-lab: TensorFlow.js backend '${info.name}' from ${info.package} ${tf.version_core}${how}${native}${why}`;
  if (log) console.log(info.summary);
  return info;
}

/** A banner at the top of a notebook run in quick mode (a plain line outside a notebook). */
function announceQuickMode(): void {
  const notice = quickModeNotice();
  const display = tslabDisplay();
  if (display === null) {
    console.log(notice);
    return;
  }
  display.html(`<div class="sae-quick-banner" style="border:2px solid #b35900;background:#fff3e0;color:#5a2d00;` +
    `padding:.6em 1em;margin:.3em 0;font-weight:bold">${escapeHtml(notice)}</div>`);
}

/**
 * Starts the backend once per process and returns what was chosen.
 * Later calls return the same answer without printing again.
 */
export function initBackend(options: { log?: boolean } = {}): Promise<BackendInfo> {
  const log = options.log ?? true;
  if (chosen === null) {
    chosen = choose(log);
    chosen.catch(() => { chosen = null; });
  }
  // Every call, not only the first: a notebook re-run in the same kernel (after a page reload,
  // in a second tab) shows the quick-mode banner at its top again.
  if (log && isQuick()) return chosen.then((info) => { announceQuickMode(); return info; });
  return chosen;
}

export { tf };
