/**
 * The Jupyter side of the kit: registers this project's tslab kernel (never a global one)
 * under .jupyter/, and executes notebooks headless through scripts/execute_notebook.py.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { isQuick } from '../src/runtime/settings';

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

/**
 * Seconds a single cell may run before the runner stops the kernel and reports that cell.
 * The lesson's longest full-mode cells train 10 models of 15 epochs each (notebook 07's sweeps,
 * about 10 minutes with the native addon and 25 without), so full mode allows 30 minutes; quick mode
 * (SAE_QUICK=1, tests and CI) cells take seconds, so a hang there is caught after 5 minutes.
 */
export const DEFAULT_CELL_TIMEOUT = Object.freeze({ quick: 300, full: 1800 });

/** Checks a per-cell timeout: a whole number of seconds > 0. */
function checkTimeout(value: unknown, what: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new Error(`${what}=${JSON.stringify(value)} is not a valid per-cell timeout; expected a whole number of seconds > 0 (e.g. 600)`);
  }
  return n;
}

/**
 * The per-cell timeout in seconds: `SAE_CELL_TIMEOUT` when set (validated), otherwise
 * DEFAULT_CELL_TIMEOUT for quick or full mode (SAE_QUICK).
 */
export function cellTimeout(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SAE_CELL_TIMEOUT;
  if (raw !== undefined && raw.trim() !== '') return checkTimeout(raw, 'SAE_CELL_TIMEOUT');
  return isQuick(env) ? DEFAULT_CELL_TIMEOUT.quick : DEFAULT_CELL_TIMEOUT.full;
}

export interface RunResult {
  notebook: string;
  /** code cells in the notebook */
  cells: number;
  seconds: number;
  errors: number;
  /**
   * the cell that failed (the one running when the run stopped), as an index into the notebook's
   * cells counting from 0, markdown included; -1 when the kernel failed before any cell ran
   */
  failed_cell: number | null;
  /** the failed cell's ordinal among the code cells, from 1 (null when none failed) */
  code_cell?: number | null;
  /** why the run failed: "error", "timeout", "kernel died" or "not run" (null when it didn't) */
  reason?: string | null;
  /** the per-cell timeout the run had, in seconds */
  timeout?: number;
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
  /** seconds a cell may run (default: SAE_CELL_TIMEOUT, else DEFAULT_CELL_TIMEOUT for the mode) */
  timeout?: number;
}

/** "cell 5 (3rd code cell), timed out after 300 s": how a failed run is named in logs and the lesson's index. */
export function describeFailure(result: Pick<RunResult, 'failed_cell' | 'code_cell' | 'reason' | 'timeout'>): string {
  const reason = result.reason === 'timeout' && result.timeout ? `timed out after ${result.timeout} s` : result.reason;
  if (result.failed_cell === null || result.failed_cell < 0) return reason ? `before any cell ran (${reason})` : 'before any cell ran';
  const ord = (n: number) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
  const code = result.code_cell ? ` (${ord(result.code_cell)} code cell)` : '';
  return `cell ${result.failed_cell}${code}${reason ? `, ${reason}` : ''}`;
}

export function executeNotebook(notebook: string, outIpynb: string, options: ExecuteOptions = {}): RunResult {
  const timeout = options.timeout !== undefined ? checkTimeout(options.timeout, 'timeout') : cellTimeout({ ...process.env, ...options.env });
  const args = [path.join(ROOT, 'scripts', 'execute_notebook.py'), notebook, outIpynb, '--timeout', String(timeout)];
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
  return { ...summary, timeout, stderr: r.stderr || '' };
}
