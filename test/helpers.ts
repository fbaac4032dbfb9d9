/** Shared helpers for the tests. */
import * as assert from 'node:assert/strict';
import { initBackend, tf } from '../src/runtime/backend';
import { engine, engineWanted, EngineName, useEngine } from '../src/runtime/engine';
import { nativeEngine } from '../src/runtime/native';

/** Starts the kit's backend (quietly) and returns its name. */
export async function setup(): Promise<string> {
  const info = await initBackend({ log: false });
  return info.name;
}

/** The backends a test can switch between here: the kit's choice plus the always-present cpu. */
export async function availableBackends(): Promise<string[]> {
  const main = await setup();
  return main === 'cpu' ? ['cpu'] : [main, 'cpu'];
}

/**
 * Every way the kit can compute here, as [label, backend, engine]: the kit's backend on the
 * native engine (where it runs) and on the reference engine, and the plain cpu backend (on the
 * reference engine).
 */
export async function computeModes(): Promise<[string, string, EngineName][]> {
  const main = await setup();
  const modes: [string, string, EngineName][] = [];
  if (nativeEngine.runsOn(main)) modes.push([`${main}+native`, main, 'native']);
  modes.push([main, main, 'reference']);
  if (main !== 'cpu') modes.push(['cpu', 'cpu', 'reference']);
  return modes;
}

/** Runs `f` on `backend` with engine `name` wanted (the native one falls back where it cannot run), then restores both. */
export async function withMode<T>(backend: string, name: EngineName, f: () => T | Promise<T>): Promise<T> {
  const was = engineWanted();
  useEngine(name);
  try {
    return await withBackend(backend, () => {
      engine(); // installs or removes the native engine's kernels for this backend
      return f();
    });
  } finally {
    useEngine(was);
  }
}

/** Runs `f` with `name` active, then switches back. */
export async function withBackend<T>(name: string, f: () => T | Promise<T>): Promise<T> {
  const previous = tf.getBackend();
  await tf.setBackend(name);
  try {
    return await f();
  } finally {
    await tf.setBackend(previous);
  }
}

export function assertClose(actual: number, expected: number, tol: number, what = 'value'): void {
  const err = Math.abs(actual - expected);
  assert.ok(err <= tol * Math.max(1, Math.abs(expected)),
    `${what}: got ${actual}, expected ${expected} (|diff| ${err.toExponential(2)} > tol ${tol})`);
}

export function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = 'array'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) assertClose(actual[i], expected[i], tol, `${what}[${i}]`);
}

/** The bytes of a typed array's own elements (tfjs-node's dataSync() hands out a view into a larger buffer). */
export function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}
