/**
 * The two Node globals the kit uses, for the browser build (esbuild's inject: scripts/site-kit.ts):
 * `process` (env, pid, cwd; the kernel fills env from the site's settings, site/kernel/env.ts) and
 * `Buffer` (site/kit/shims/buffer.ts).
 */
import { Buffer as BrowserBuffer } from './shims/buffer';

const env: Record<string, string | undefined> = {};

export const process = {
  env,
  pid: 1,
  platform: 'browser',
  browser: true,
  versions: {} as Record<string, string>,
  argv: [] as string[],
  cwd: (): string => '/course',
  hrtime: Object.assign((): [number, number] => { const t = performance.now(); return [Math.floor(t / 1000), Math.round((t % 1000) * 1e6)]; },
    { bigint: (): bigint => BigInt(Math.round(performance.now() * 1e6)) }),
  memoryUsage: (): { rss: number; heapUsed: number } => ({ rss: 0, heapUsed: 0 }),
  on: (): void => {},
  removeListener: (): void => {},
  listeners: (): unknown[] => [],
  nextTick: (f: (...args: unknown[]) => void, ...args: unknown[]): void => { queueMicrotask(() => f(...args)); },
};

export const Buffer = BrowserBuffer;

/** setImmediate (src/runtime/progress.ts yields with it): a task after the current one, through a MessageChannel (setTimeout is clamped to 4 ms when nested). */
const queue: (() => void)[] = [];
const channel = new MessageChannel();
channel.port1.onmessage = () => { const f = queue.shift(); if (f) f(); };
export function setImmediate(f: (...args: unknown[]) => void, ...args: unknown[]): number {
  queue.push(() => f(...args));
  channel.port2.postMessage(0);
  return queue.length;
}
