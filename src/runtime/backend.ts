/**
 * Picks the TensorFlow.js backend that is fastest for this kit on this machine, by rule where the
 * numbers are known and by a short measured probe where they are not:
 *
 *   1. `@tensorflow/tfjs-node-gpu` when it loads and sees a CUDA device -> 'tensorflow' on the GPU.
 *   2. On a CPU with the kit's native addon: `@tensorflow/tfjs-backend-wasm` + the addon. The rule's
 *      numbers: one epoch of the lesson's KL model (full MNIST, batch 128) takes 1.8-2.0 s there
 *      against 12.5-14.6 s on tfjs-node's libtensorflow 2.9.1 (2 cores, 2026-12-07; environment.md,
 *      "TensorFlow.js backends"). tfjs-node is then not even loaded (~400 MB of libtensorflow).
 *   3. On a CPU without the addon, where tfjs-node loads: wasm and 'tensorflow' each run a few of
 *      the lesson's training steps (backend-probe.ts) and the faster is kept.
 *   4. `@tensorflow/tfjs-backend-wasm`, else `@tensorflow/tfjs-backend-cpu` (plain JavaScript).
 * The two tfjs-node packages are optional dependencies: they download libtensorflow when
 * installed, which fails on an offline machine, and then they are simply absent.
 * `SAE_BACKEND=tensorflow|wasm|cpu` forces one rung (and fails loudly if it cannot load). The
 * backend line says what was chosen and why.
 */
import * as tf from './tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { nativeEngine } from './native';
import { engine, engineSummary, EngineName } from './engine';
import { isQuick, quickModeNotice } from './settings';
import { showQuickBanner } from './progress';
import { timeSteps } from './backend-probe';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The tfjs backend now active. */
  name: BackendName;
  /** The npm package that provides it. */
  package: string;
  /** Faster rungs that were skipped, each with the reason. */
  skipped: string[];
  /** The engine the models run on (runtime/engine.ts): 'native' (the OpenBLAS addon's kernels) or 'reference'. */
  engine: EngineName;
  /** True when the engine is the native one. */
  native: boolean;
  /** True when 'tensorflow' runs on a CUDA device (tfjs-node-gpu). */
  gpu: boolean;
  /** Why this rung was chosen: forced, a rule, or the probe's numbers. */
  reason: string;
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

/** Whether a package is installed, without loading it. */
function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Whether the active 'tensorflow' backend runs on a CUDA device (tfjs-node's binding says). */
function tensorflowOnGpu(): boolean {
  const binding = (tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } }).binding;
  return binding?.isUsingGpuDevice?.() === true;
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

const GPU_PKG = '@tensorflow/tfjs-node-gpu';
const NODE_PKG = '@tensorflow/tfjs-node';

function made(name: BackendName, pkg: string, skipped: string[], reason: string, gpu = false): BackendInfo {
  return { name, package: pkg, skipped, engine: 'reference', native: false, gpu, reason, summary: '' };
}

/** SAE_BACKEND=name: that rung or a loud error. */
async function forcedRung(forced: BackendName, skipped: string[]): Promise<BackendInfo> {
  const reason = `forced by SAE_BACKEND=${forced}`;
  if (forced === 'tensorflow') {
    for (const pkg of [GPU_PKG, NODE_PKG]) {
      const why = tryNode(pkg);
      if (why === null && (await activate('tensorflow'))) return made('tensorflow', pkg, skipped, reason, tensorflowOnGpu());
      skipped.push(why ?? `${pkg}: loaded but the 'tensorflow' backend did not start`);
    }
    throw new Error(`SAE_BACKEND=tensorflow, but neither tfjs-node package loads: ${skipped.join('; ')}`);
  }
  if (await activate(forced)) return made(forced, forced === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs-backend-cpu', skipped, reason);
  throw new Error(`SAE_BACKEND=${forced}, but the ${forced} backend failed to start`);
}

/** The ladder (see the file's comment): the first rung that loads and wins. */
async function fastestRung(skipped: string[]): Promise<BackendInfo> {
  if (installed(GPU_PKG)) {
    const why = tryNode(GPU_PKG);
    if (why === null && (await activate('tensorflow')) && tensorflowOnGpu()) return made('tensorflow', GPU_PKG, skipped, 'it sees a CUDA device', true);
    skipped.push(why ?? `${GPU_PKG}: loaded, but sees no CUDA device`);
  }
  const wasmUp = await activate('wasm');
  if (wasmUp && nativeEngine.runsOn('wasm')) {
    if (installed(NODE_PKG)) skipped.push(`${NODE_PKG}: installed, but on a CPU wasm + the native addon is faster for this kit (1.8-2.0 s an epoch against 12.5-14.6 s, measured: environment.md)`);
    return made('wasm', '@tensorflow/tfjs-backend-wasm', skipped, 'the native addon is built: the fastest on a CPU');
  }
  if (installed(NODE_PKG)) {
    const why = tryNode(NODE_PKG);
    if (why !== null) skipped.push(why);
    else if (wasmUp && (await activate('tensorflow'))) {
      // No addon: neither is known to win here, so measure both.
      const tfMs = await timeSteps();
      await activate('wasm');
      const wasmMs = await timeSteps();
      const probe = `${wasmMs.toFixed(1)} ms a training step on wasm, ${tfMs.toFixed(1)} on tensorflow`;
      if (tfMs < wasmMs) {
        await activate('tensorflow');
        return made('tensorflow', NODE_PKG, skipped, `measured the faster here, without the native addon: ${probe}`);
      }
      skipped.push(`${NODE_PKG}: measured slower here (${probe})`);
      return made('wasm', '@tensorflow/tfjs-backend-wasm', skipped, `measured the faster here, without the native addon: ${probe}`);
    } else if (!wasmUp && (await activate('tensorflow'))) {
      skipped.push('@tensorflow/tfjs-backend-wasm: failed to start');
      return made('tensorflow', NODE_PKG, skipped, 'wasm does not start');
    }
  }
  if (wasmUp && (await activate('wasm'))) return made('wasm', '@tensorflow/tfjs-backend-wasm', skipped, 'the fastest that loads');
  if (!wasmUp) skipped.push('@tensorflow/tfjs-backend-wasm: failed to start');
  if (!(await activate('cpu'))) throw new Error('the cpu backend of TensorFlow.js failed to start');
  return made('cpu', '@tensorflow/tfjs-backend-cpu', skipped, 'the only one that loads');
}

async function choose(log: boolean): Promise<BackendInfo> {
  const forced = requestedBackend();
  const skipped: string[] = [];
  const info = forced !== null ? await forcedRung(forced, skipped) : await fastestRung(skipped);
  let native = '';
  if (info.name === 'wasm' || info.name === 'cpu') {
    // Both plain backends get the native kernels, so switching between them keeps them.
    native = `; ${engineSummary()}`;
  } else {
    native = `${info.gpu ? '; on a CUDA device' : '; on the CPU (libtensorflow)'}; ${engineSummary()}`;
  }
  info.engine = engine().name;
  info.native = info.engine === 'native';
  const why = skipped.length ? `; skipped ${skipped.join('; ')}` : '';
  info.summary = `sae-lab: TensorFlow.js backend '${info.name}' from ${info.package} ${tf.version_core} (${info.reason})${native}${why}`;
  if (log) console.log(info.summary);
  return info;
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
  if (log && isQuick()) return chosen.then((info) => { showQuickBanner(quickModeNotice()); return info; });
  return chosen;
}

export { tf };
