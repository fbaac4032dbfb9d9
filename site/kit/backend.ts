/**
 * The browser build's backend choice, in place of src/runtime/backend.ts (scripts/site-kit.ts swaps
 * the module): the same initBackend() and BackendInfo, with the rungs a browser has.
 *
 *   1. 'webgpu' where the browser gives an adapter, 2. 'webgl' where the worker gets a WebGL 2
 *   context on a hardware renderer: each runs a few of the lesson's training steps (the probe of
 *   src/runtime/backend-probe.ts) beside wasm, and the fastest is kept; a GPU backend that fails the
 *   probe (or cannot read values back synchronously, which the kit's dataSync calls need) is skipped.
 *   3. 'wasm' (no threads unless the page is cross-origin isolated), else 4. 'cpu' (plain JavaScript).
 * WebGL on a software renderer (SwiftShader: a browser with no GPU) is skipped without a probe: it
 * was slower than wasm for this model (234-273 ms a step against 128-189 ms, issue 27).
 * SAE_BACKEND=webgpu|webgl|wasm|cpu (the site's settings, site/kernel/env.ts) forces one rung.
 */
import * as tf from '../../src/runtime/tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { engine, engineSummary, EngineName } from '../../src/runtime/engine';
import { isQuick, quickModeNotice } from '../../src/runtime/settings';
import { showQuickBanner } from '../../src/runtime/progress';
import { timeSteps } from '../../src/runtime/backend-probe';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

const PACKAGES: Record<BackendName, string> = {
  webgpu: '@tensorflow/tfjs-backend-webgpu', webgl: '@tensorflow/tfjs-backend-webgl',
  wasm: '@tensorflow/tfjs-backend-wasm', cpu: '@tensorflow/tfjs-backend-cpu',
};

export interface BackendInfo {
  name: BackendName;
  package: string;
  skipped: string[];
  engine: EngineName;
  native: boolean;
  /** True on webgpu and on webgl with a hardware renderer. */
  gpu: boolean;
  reason: string;
  summary: string;
  /** The probe's ms per training step on each backend it measured (empty when none ran). */
  probe: Partial<Record<BackendName, number>>;
}

let chosen: Promise<BackendInfo> | null = null;

/** Where the wasm binaries are: the site's folder, set by the kernel before the first cell. */
export function useWasmFolder(url: string): void {
  setWasmPaths(url.replace(/\/?$/, '/'));
}

async function activate(name: BackendName): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

export function requestedBackend(env: Record<string, string | undefined> = process.env): BackendName | null {
  const raw = env.SAE_BACKEND;
  if (raw === undefined || raw === '') return null;
  const want = raw.trim().toLowerCase();
  if (!(BACKEND_NAMES as readonly string[]).includes(want)) {
    throw new Error(`SAE_BACKEND=${JSON.stringify(raw)} is not a backend in the browser; expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  return want as BackendName;
}

interface Gpu { requestAdapter(): Promise<unknown | null> }

/** Why a GPU rung cannot run here, or null when it may. */
async function gpuMissing(name: 'webgpu' | 'webgl'): Promise<string | null> {
  if (name === 'webgpu') {
    const gpu = (globalThis.navigator as unknown as { gpu?: Gpu } | undefined)?.gpu;
    if (!gpu) return 'no navigator.gpu in this browser';
    try {
      return (await gpu.requestAdapter()) ? null : 'the browser gives no WebGPU adapter';
    } catch (err) {
      return `requestAdapter failed (${String(err)})`;
    }
  }
  if (typeof OffscreenCanvas === 'undefined') return 'no OffscreenCanvas in the kernel\'s worker';
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
  if (gl === null) return 'no WebGL 2 context in the kernel\'s worker';
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  if (/swiftshader|llvmpipe|software/i.test(renderer)) return `software renderer (${renderer}): slower than wasm for this model`;
  return null;
}

/** ms per training step on `name`, after checking that values read back synchronously there. */
async function probe(name: BackendName): Promise<number> {
  if (!(await activate(name))) throw new Error('did not start');
  const x = tf.tensor1d([1, 2, 3]);
  try {
    tf.tidy(() => tf.mul(x, 2)).dataSync();
  } finally {
    tf.dispose(x);
  }
  return timeSteps(3, 2);
}

function made(name: BackendName, skipped: string[], reason: string, gpu: boolean, measured: BackendInfo['probe']): BackendInfo {
  return { name, package: PACKAGES[name], skipped, engine: 'reference', native: false, gpu, reason, summary: '', probe: measured };
}

async function fastestRung(skipped: string[]): Promise<BackendInfo> {
  const measured: BackendInfo['probe'] = {};
  for (const name of ['webgpu', 'webgl'] as const) {
    const missing = await gpuMissing(name);
    if (missing !== null) { skipped.push(`${name}: ${missing}`); continue; }
    try {
      measured[name] = await probe(name);
    } catch (err) {
      skipped.push(`${name}: failed the probe (${String((err as Error).message ?? err).split('\n')[0]})`);
    }
  }
  const gpus = Object.keys(measured) as BackendName[];
  if (gpus.length > 0) {
    try { measured.wasm = await probe('wasm'); } catch (err) { skipped.push(`wasm: ${String(err)}`); }
    const order = (Object.keys(measured) as BackendName[]).sort((a, b) => measured[a]! - measured[b]!);
    const best = order[0];
    const line = order.map((n) => `${n} ${measured[n]!.toFixed(1)}`).join(', ');
    for (const n of order.slice(1)) skipped.push(`${n}: measured slower here`);
    await activate(best);
    return made(best, skipped, `measured the fastest here (ms a training step: ${line})`, best !== 'wasm', measured);
  }
  if (await activate('wasm')) return made('wasm', skipped, 'the fastest that runs here', false, measured);
  skipped.push('wasm: failed to start');
  if (!(await activate('cpu'))) throw new Error('the cpu backend of TensorFlow.js failed to start');
  return made('cpu', skipped, 'the only one that starts', false, measured);
}

async function choose(log: boolean): Promise<BackendInfo> {
  const forced = requestedBackend();
  const skipped: string[] = [];
  let info: BackendInfo;
  if (forced !== null) {
    if (!(await activate(forced))) throw new Error(`SAE_BACKEND=${forced}, but the ${forced} backend failed to start in this browser`);
    info = made(forced, skipped, `forced by SAE_BACKEND=${forced}`, forced === 'webgpu' || forced === 'webgl', {});
  } else info = await fastestRung(skipped);
  info.engine = engine().name;
  info.native = false;
  const why = skipped.length ? `; skipped ${skipped.join('; ')}` : '';
  info.summary = `sae-lab: TensorFlow.js backend '${info.name}' from ${info.package} ${tf.version_core} in the browser ` +
    `(${info.reason}); ${engineSummary()}${why}`;
  if (log) console.log(info.summary);
  return info;
}

/** As src/runtime/backend.ts's: starts the backend once per kernel and returns what was chosen. */
export function initBackend(options: { log?: boolean } = {}): Promise<BackendInfo> {
  const log = options.log ?? true;
  if (chosen === null) {
    chosen = choose(log);
    chosen.catch(() => { chosen = null; });
  }
  if (log && isQuick()) return chosen.then((info) => { showQuickBanner(quickModeNotice()); return info; });
  return chosen;
}

export { tf };
