/**
 * The site's TypeScript kernel, in a Web Worker: the browser build of the kit (`./sae-lab`), the
 * TypeScript compiler (typescript.js, beside this file) and a Node-like console. Each cell is
 * compiled by transform.ts and run in this worker's global scope; what it prints, displays and
 * returns goes to the page (extension.ts) as Jupyter messages of that cell. Cells run one at a time.
 */
import type * as TS from 'typescript';
import * as kit from '../../src/index';
import * as fsShim from '../kit/shims/fs';
import * as pathShim from '../kit/shims/path';
import * as osShim from '../kit/shims/os';
import * as cryptoShim from '../kit/shims/crypto';
import * as utilShim from '../kit/shims/util';
import { process as processShim, Buffer as BufferShim, setImmediate as setImmediateShim } from '../kit/globals';
import { setDisplayHook } from '../kit/shims/tslab-jupyter';
import { useWasmFolder } from '../kit/backend';
import { defaultCacheDir } from '../../src/store/cache-entry';
import { compileCell } from './transform';
import { format, inspect, table } from './format';
import type { FromWorker, IopubType, ToWorker } from './protocol';

declare function importScripts(...urls: string[]): void;

/** The files the site serves beside this worker (written by scripts/site.ts). */
export interface SiteFiles { mnist: Record<string, number>; cache: Record<string, number> }

const here = new URL('./', self.location.href).href;
const post = (m: FromWorker) => (self as unknown as { postMessage(m: FromWorker): void }).postMessage(m);
let current = 0;
const send = (msgType: IopubType, content: Record<string, unknown>) => post({ type: 'iopub', id: current, msgType, content });

const modules: Record<string, unknown> = {
  './sae-lab': kit, 'sae-lab': kit, './sae-lab.js': kit, fs: fsShim, path: pathShim, os: osShim, crypto: cryptoShim, util: utilShim,
  '@tensorflow/tfjs': kit.tf, '@tensorflow/tfjs-core': kit.tf,
};

function saeImport(name: string): unknown {
  const m = modules[name.replace(/^node:/, '')];
  if (m === undefined) {
    throw new Error(`Cannot find module '${name}' in the browser edition of the course: ` +
      `the modules here are ${Object.keys(modules).join(', ')}`);
  }
  return m;
}

const g = globalThis as unknown as Record<string, unknown>;
g.__saeImport = saeImport;
g.__saeDefault = (m: { default?: unknown }) => (m && m.default !== undefined ? m.default : m);
g.require = (name: string): unknown => {
  if (name.endsWith('.node')) throw new Error('the browser runs no native addon');
  return saeImport(name);
};
g.process = processShim;
g.Buffer = BufferShim;
g.setImmediate = setImmediateShim;

function stream(name: 'stdout' | 'stderr', text: string): void {
  send('stream', { name, text: text.endsWith('\n') ? text : `${text}\n` });
}

const out = (...a: unknown[]) => stream('stdout', format(...a));
const err = (...a: unknown[]) => stream('stderr', format(...a));
Object.assign(console, {
  log: out, info: out, debug: out, warn: err, error: err,
  table: (data: unknown, cols?: string[]) => stream('stdout', table(data, cols)),
  dir: (v: unknown) => stream('stdout', inspect(v)),
});

setDisplayHook((data, update) => send(update ? 'update_display_data' : 'display_data', data));

function errorContent(e: unknown): { ename: string; evalue: string; traceback: string[] } {
  if (e instanceof Error) {
    const stack = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l) && !/kernel-worker\.js/.test(l));
    return { ename: e.name, evalue: e.message, traceback: [`${e.name}: ${e.message}`, ...stack] };
  }
  return { ename: 'Error', evalue: String(e), traceback: [`Uncaught ${inspect(e)}`] };
}

async function execute(id: number, code: string): Promise<void> {
  current = id;
  try {
    const script = compileCell((g.ts as typeof TS), code);
    // Indirect eval: the cell runs in the worker's global scope, where its declarations live on.
    const value = await (0, eval)(script);
    if (value !== undefined) {
      const text = inspect(value);
      if (text !== '') send('execute_result', { data: { 'text/plain': text }, metadata: {} });
    }
    post({ type: 'reply', id, content: { status: 'ok', user_expressions: {}, payload: [] } });
  } catch (e) {
    const content = errorContent(e);
    send('error', content);
    post({ type: 'reply', id, content: { status: 'error', ...content } });
  }
}

self.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  err(`Unhandled promise rejection: ${inspect(event.reason)}`);
  event.preventDefault();
});

async function init(env: Record<string, string>): Promise<void> {
  Object.assign(processShim.env, env);
  importScripts(`${here}typescript.js`);
  const files = (await (await fetch(`${here}site-files.json`)).json()) as SiteFiles;
  fsShim.mount(kit.MNIST_DIR, `${here}mnist/`, files.mnist);
  fsShim.mount(defaultCacheDir(), `${here}cache/`, files.cache);
  useWasmFolder(here);
}

let queue: Promise<void> = Promise.resolve();
self.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  if (m.type === 'init') {
    queue = queue.then(() => init(m.env)).then(() => post({ type: 'ready' }), (e) => post({ type: 'ready', error: String((e as Error).stack ?? e) }));
  } else if (m.type === 'execute') {
    queue = queue.then(() => execute(m.id, m.code));
  }
});
