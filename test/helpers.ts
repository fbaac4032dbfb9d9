/** Shared helpers for the tests. */
import * as assert from 'node:assert/strict';
import { initBackend, tf } from '../src/runtime/backend';
import { nativeEnabled, useNative } from '../src/runtime/native';

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
 * Every way the kit can compute here, as [label, backend, native kernels on?]: the kit's backend
 * with and without the native addon (when built), and the plain cpu backend.
 */
export async function computeModes(): Promise<[string, string, boolean][]> {
  const main = await setup();
  const modes: [string, string, boolean][] = [];
  if (nativeEnabled()) modes.push([`${main}+native`, main, true]);
  modes.push([main, main, false]);
  if (main !== 'cpu') modes.push(['cpu', 'cpu', false]);
  return modes;
}

/** Runs `f` on `backend` with the native kernels on or off, then restores both. */
export async function withMode<T>(backend: string, native: boolean, f: () => T | Promise<T>): Promise<T> {
  const was = nativeEnabled();
  useNative(native);
  try {
    return await withBackend(backend, f);
  } finally {
    useNative(was);
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
