/** Shared by the engine suites (engines*.test.ts): the skip reason, and running code on one engine. */
import { tf } from '../../src/runtime/backend';
import { engine, engineWanted, EngineName, useEngine } from '../../src/runtime/engine';
import { loadNative, nativeLoadError, nativeThreads, setNativeThreads } from '../../src/runtime/native';

const addon = loadNative() as unknown as Record<string, unknown> | null;
const built = addon !== null && ['denseForward', 'mse', 'adamStep', 'absMaxBits'].every((f) => typeof addon[f] === 'function');

/** Why the engine suites skip here (false: they run). Under CI=true they run and fail instead, as CI builds the addon. */
export const skipNative: string | false = !built && process.env.CI !== 'true'
  ? `native engine unavailable (addon not built, or built without the fused kernels): ${nativeLoadError() || 'rebuild it: npm run build:native'}` : false;

export const ENGINES: readonly EngineName[] = ['reference', 'native'];

/** Runs f with engine `name` in use on the active backend (its kernels installed), then restores the choice. */
export function onEngine<T>(name: EngineName, f: () => T): T {
  const was = engineWanted();
  useEngine(name);
  try {
    if (engine().name !== name) throw new Error(`engine ${name} does not run on ${tf.getBackend()}`);
    return f();
  } finally {
    useEngine(was);
  }
}

/** Async onEngine. */
export async function onEngineAsync<T>(name: EngineName, f: () => Promise<T>): Promise<T> {
  const was = engineWanted();
  useEngine(name);
  try {
    if (engine().name !== name) throw new Error(`engine ${name} does not run on ${tf.getBackend()}`);
    return await f();
  } finally {
    useEngine(was);
  }
}

/** Runs f with the native kernels on `threads` threads, then restores the setting. */
export async function withThreads<T>(threads: number, f: () => T | Promise<T>): Promise<T> {
  const was = nativeThreads();
  setNativeThreads(threads);
  try {
    return await f();
  } finally {
    setNativeThreads(was.threads, was.openblas);
  }
}

/** Largest |a - b| / max(1, |b|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}
