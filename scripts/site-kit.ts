/**
 * The browser build of the kit and the site's TypeScript kernel (site/kernel/), bundled with
 * esbuild into a prebuilt JupyterLite extension folder:
 *   <dir>/package.json                  the extension's metadata (what `jupyter lite build` reads)
 *   <dir>/static/remoteEntry.<hash>.js  the extension (site/kernel/extension.ts): registers the kernel
 *   <dir>/static/kernel-worker.js       the kernel's worker: the kit, TensorFlow.js, the console
 *   <dir>/static/typescript.js          the TypeScript compiler the worker transpiles cells with
 *   <dir>/static/*.wasm                 TensorFlow.js's wasm backend
 * The kit's sources are bundled unchanged; what a browser lacks is swapped in by module name: Node's
 * fs, path, os, crypto, worker_threads, vm, zlib and util by site/kit/shims/, tslab's display hook
 * by site/kit/shims/tslab-jupyter.ts, src/runtime/backend.ts by site/kit/backend.ts (WebGPU, WebGL,
 * wasm, cpu), and the globals process and Buffer by site/kit/globals.ts.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Plugin } from 'esbuild';
import { writeFileAtomic } from '../src/store/files';

export const ROOT = path.resolve(__dirname, '..');
const SITE = path.join(ROOT, 'site');
export const EXTENSION_NAME = '@sae-lab/typescript-kernel';

const SHIMS: Record<string, string> = Object.fromEntries(['fs', 'path', 'os', 'crypto', 'worker_threads', 'vm', 'zlib', 'util']
  .map((m) => [m, path.join(SITE, 'kit', 'shims', `${m}.ts`)]));

/** Node's modules, tslab's hook and the kit's backend module, swapped for their browser versions. */
const browserModules: Plugin = {
  name: 'sae-lab-browser',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(fs|path|os|crypto|worker_threads|vm|zlib|util)$/ }, (args) => ({ path: SHIMS[args.path.replace(/^node:/, '')] }));
    build.onResolve({ filter: /^tslab(\/dist\/jupyter)?$/ }, () => ({ path: path.join(SITE, 'kit', 'shims', 'tslab-jupyter.ts') }));
    build.onResolve({ filter: /(^|\/)backend$/ }, (args) => {
      const resolved = path.resolve(args.resolveDir, args.path);
      return resolved === path.join(ROOT, 'src', 'runtime', 'backend') ? { path: path.join(SITE, 'kit', 'backend.ts') } : undefined;
    });
  },
};

export interface KitBuild { dir: string; files: Record<string, number>; seconds: number }

/** Builds the extension folder `dir` (replaced whole); returns each file's size. */
export async function buildKernelExtension(dir: string): Promise<KitBuild> {
  const esbuild = await import('esbuild');
  const t0 = Date.now();
  const staging = `${dir}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const stat = path.join(staging, 'static');
  fs.mkdirSync(stat, { recursive: true });
  const common = { bundle: true, platform: 'browser' as const, format: 'iife' as const, target: 'es2020', minify: true, legalComments: 'none' as const, logLevel: 'error' as const };
  await esbuild.build({
    ...common,
    entryPoints: [path.join(SITE, 'kernel', 'worker.ts')],
    outfile: path.join(stat, 'kernel-worker.js'),
    plugins: [browserModules],
    inject: [path.join(SITE, 'kit', 'globals.ts')],
    define: { global: 'globalThis', __dirname: JSON.stringify('/course/src'), __filename: JSON.stringify('/course/src/index.js') },
    // The kit's optional Node-only packages: never reached in the browser (their require throws and is caught).
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'tsx/cjs/api', 'plotly.js-dist-min/plotly.min.js'],
  });
  const ext = await esbuild.build({ ...common, entryPoints: [path.join(SITE, 'kernel', 'extension.ts')], write: false });
  const code = ext.outputFiles[0].contents;
  const remote = `remoteEntry.${createHash('sha256').update(code).digest('hex').slice(0, 20)}.js`;
  fs.writeFileSync(path.join(stat, remote), code);
  fs.copyFileSync(require.resolve('typescript/lib/typescript.js'), path.join(stat, 'typescript.js'));
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) fs.copyFileSync(path.join(wasmDir, f), path.join(stat, f));
  writeFileAtomic(path.join(staging, 'package.json'), `${JSON.stringify({
    name: EXTENSION_NAME, version: '0.1.0', description: 'sae-lab: the course kit and a TypeScript kernel for JupyterLite',
    license: 'MIT',
    jupyterlab: { extension: true, _build: { load: `static/${remote}`, extension: './extension' } },
    jupyterlite: { liteExtension: true },
  }, null, 1)}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.renameSync(staging, dir);
  const files: Record<string, number> = {};
  for (const f of fs.readdirSync(path.join(dir, 'static'))) files[f] = fs.statSync(path.join(dir, 'static', f)).size;
  return { dir, files, seconds: (Date.now() - t0) / 1000 };
}
