/**
 * The Jupyter side of the kit: registers this project's tslab kernel (never a global one)
 * under .jupyter/, and executes notebooks headless through scripts/execute_notebook.py.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..');
export const JUPYTER_PREFIX = path.join(ROOT, '.jupyter');
export const JUPYTER_PATH = path.join(JUPYTER_PREFIX, 'share', 'jupyter');
export const PYTHON = process.env.SAE_PYTHON ?? '/usr/bin/python3';
export const APT_PACKAGES = 'jupyter-notebook jupyter-nbconvert python3-nbclient python3-ipykernel';

/** Why Jupyter can't run here, or null when it can. */
export function jupyterMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import nbclient, nbconvert, jupyter_client'], { encoding: 'utf8' });
  if (r.status === 0) return null;
  return `${PYTHON} cannot import nbclient/nbconvert/jupyter_client. ` +
    `Install them with: apt-get update && apt-get install -y ${APT_PACKAGES} (or pip install jupyterlab nbclient).`;
}

/** The environment in which Jupyter finds this project's kernel spec. */
export function jupyterEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const paths = [JUPYTER_PATH, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  return { ...process.env, JUPYTER_PATH: paths, ...extra };
}

/**
 * Writes the kernel spec `tslab` into .jupyter/. It starts scripts/tslab-kernel, which runs this
 * project's node_modules/.bin/tslab from the project root (so notebooks import './src/index').
 */
export function registerKernel(): string {
  const tslab = path.join(ROOT, 'node_modules', '.bin', 'tslab');
  if (!fs.existsSync(tslab)) throw new Error(`${tslab} is missing: run npm install first`);
  const binary = path.join(ROOT, 'scripts', 'tslab-kernel');
  const r = spawnSync(tslab, ['install', `--python=${PYTHON}`, `--prefix=${JUPYTER_PREFIX}`, `--binary=${binary}`], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`tslab install failed (${r.status}): ${r.stderr || r.stdout}`);
  const spec = path.join(JUPYTER_PATH, 'kernels', 'tslab', 'kernel.json');
  const argv = JSON.parse(fs.readFileSync(spec, 'utf8')).argv as string[];
  if (argv[0] !== binary) throw new Error(`${spec} starts ${argv[0]}, expected ${binary}`);
  return spec;
}

/** The notebooks of the lesson, in order. */
export function lessonNotebooks(): string[] {
  const dir = path.join(ROOT, 'notebooks');
  return fs.readdirSync(dir).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort().map((f) => path.join(dir, f));
}

export interface RunResult {
  notebook: string;
  cells: number;
  seconds: number;
  errors: number;
  failed_cell: number | null;
  /** what the runner printed on stderr (the failing cell's source and messages) */
  stderr: string;
}

/** Executes `notebook` into `outIpynb` (and `outHtml`), returning the runner's summary. */
export interface ExecuteOptions {
  /** also write an HTML page here */
  html?: string;
  /** extra environment for the kernel (e.g. SAE_QUICK) */
  env?: NodeJS.ProcessEnv;
  /** script URLs for the HTML page, e.g. relative copies for an offline folder */
  mathjaxUrl?: string;
  requireUrl?: string;
}

export function executeNotebook(notebook: string, outIpynb: string, options: ExecuteOptions = {}): RunResult {
  const args = [path.join(ROOT, 'scripts', 'execute_notebook.py'), notebook, outIpynb];
  if (options.html) args.push('--html', options.html);
  if (options.mathjaxUrl) args.push('--mathjax-url', options.mathjaxUrl);
  if (options.requireUrl) args.push('--require-url', options.requireUrl);
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env: jupyterEnv(options.env), maxBuffer: 64 * 1024 * 1024 });
  const lines = (r.stdout || '').trim().split('\n');
  let summary: Omit<RunResult, 'stderr'>;
  try {
    summary = JSON.parse(lines[lines.length - 1]);
  } catch {
    throw new Error(`notebook runner failed on ${notebook} (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  }
  return { ...summary, stderr: r.stderr || '' };
}
