/**
 * The Jupyter side of the kit: which Python runs Jupyter (the kit's own .venv, made by
 * `npm install`), this project's tslab kernel (registered under .jupyter/, never globally), and
 * headless execution of notebooks through scripts/execute_notebook.py.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { envFlag, isQuick } from '../src/runtime/settings';

export const ROOT = path.resolve(__dirname, '..');
export const JUPYTER_PREFIX = path.join(ROOT, '.jupyter');
export const JUPYTER_PATH = path.join(JUPYTER_PREFIX, 'share', 'jupyter');
/** The kit's Python environment with Jupyter, made by scripts/setup-jupyter.mjs (npm install). */
export const VENV = path.join(ROOT, '.venv');
export const VENV_PYTHON = process.platform === 'win32' ? path.join(VENV, 'Scripts', 'python.exe') : path.join(VENV, 'bin', 'python');
/** Written by scripts/setup-jupyter.mjs once .venv's packages are installed. */
export const VENV_STAMP = path.join(VENV, 'sae-lab-jupyter.json');
/**
 * Where the HTML fallback of a chart finds Plotly in a page that never received it: the classic
 * notebook serves this folder at <base>nbextensions/ (it is on JUPYTER_PATH), and the servers
 * `npm start` starts also at <base>static/ (extra_static_paths).
 */
export const PLOTLY_ASSET_DIR = path.join(JUPYTER_PATH, 'nbextensions');
export const PLOTLY_ASSET = path.join(PLOTLY_ASSET_DIR, 'sae-lab', 'plotly.min.js');

/**
 * The Python that runs Jupyter, and where it came from: SAE_PYTHON when set; else the kit's .venv
 * when npm install set it up (and SAE_NO_VENV is not set); else /usr/bin/python3 (e.g. Debian's
 * jupyter-notebook, nbclient and nbconvert packages).
 */
export function jupyterPython(env: NodeJS.ProcessEnv = process.env): { python: string; source: 'SAE_PYTHON' | '.venv' | 'system' } {
  if (env.SAE_PYTHON) return { python: env.SAE_PYTHON, source: 'SAE_PYTHON' };
  if (!envFlag('SAE_NO_VENV', false, env) && fs.existsSync(VENV_STAMP) && fs.existsSync(VENV_PYTHON)) return { python: VENV_PYTHON, source: '.venv' };
  return { python: '/usr/bin/python3', source: 'system' };
}

export const PYTHON = jupyterPython().python;

/** Why Jupyter can't run here, or null when it can. */
export function jupyterMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import nbclient, nbconvert, jupyter_client'], { encoding: 'utf8' });
  if (r.status === 0) return null;
  const { source } = jupyterPython();
  if (source === 'SAE_PYTHON') {
    return `SAE_PYTHON=${PYTHON} cannot import nbclient/nbconvert/jupyter_client: ` +
      `${PYTHON} -m pip install -r scripts/jupyter-requirements.txt, or unset SAE_PYTHON and run npm run setup:jupyter.`;
  }
  return 'Jupyter is not set up: npm install creates it in .venv (it needs Python 3.10+ with venv: on Debian/Ubuntu ' +
    'apt-get install -y python3-venv), then npm run setup:jupyter; or set SAE_PYTHON to a Python that has nbclient and nbconvert.';
}

/** Package versions in PYTHON's Jupyter (null: not installed). */
export function jupyterVersions(python = PYTHON): Record<'jupyterlab' | 'notebook' | 'nbclient' | 'nbconvert' | 'plotly', string | null> {
  const code = 'import json, importlib.metadata as m\n' +
    'def v(p):\n  try: return m.version(p)\n  except Exception: return None\n' +
    'print(json.dumps({p: v(p) for p in ["jupyterlab", "notebook", "nbclient", "nbconvert", "plotly"]}))';
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  const none = { jupyterlab: null, notebook: null, nbclient: null, nbconvert: null, plotly: null };
  if (r.status !== 0) return none;
  return { ...none, ...JSON.parse(r.stdout) };
}

/**
 * The environment in which Jupyter finds this project's kernel spec (and, with the kit's .venv,
 * its `jupyter` commands first on PATH).
 */
export function jupyterEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const paths = [JUPYTER_PATH, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  const env: NodeJS.ProcessEnv = { ...process.env, JUPYTER_PATH: paths };
  if (PYTHON === VENV_PYTHON) env.PATH = [path.dirname(VENV_PYTHON), process.env.PATH].filter(Boolean).join(path.delimiter);
  return { ...env, ...extra };
}

/** Copies plotly.js where a chart's HTML fallback can load it (see PLOTLY_ASSET). */
export function installPlotlyAsset(): string {
  const from = require.resolve('plotly.js-dist-min/plotly.min.js');
  const stat = fs.statSync(from);
  const have = fs.existsSync(PLOTLY_ASSET) ? fs.statSync(PLOTLY_ASSET) : null;
  if (!have || have.size !== stat.size || have.mtimeMs < stat.mtimeMs) {
    fs.mkdirSync(path.dirname(PLOTLY_ASSET), { recursive: true });
    const tmp = `${PLOTLY_ASSET}.${process.pid}.tmp`;
    fs.copyFileSync(from, tmp);
    fs.renameSync(tmp, PLOTLY_ASSET);
  }
  return PLOTLY_ASSET;
}

/**
 * Writes the kernel spec `tslab` into .jupyter/. It starts scripts/tslab-kernel, which runs this
 * project's node_modules/.bin/tslab from the project root (so notebooks import './sae-lab', the kit compiled by scripts/build-kit.mjs).
 * Also puts plotly.js where charts' HTML fallback finds it (installPlotlyAsset).
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
  installPlotlyAsset();
  return spec;
}

/** The notebooks of the lesson (NN-*.ipynb in `dir`, notebooks/ by default), in order. */
export function lessonNotebooks(dir = path.join(ROOT, 'notebooks')): string[] {
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
  /** why the run failed: "error", "timeout", "kernel died", "not run" or "unreadable" (null when it didn't) */
  reason?: string | null;
  /** for "unreadable": the file and why it is not a notebook, in one line */
  message?: string | null;
  /** the per-cell timeout the run had, in seconds */
  timeout?: number;
  /** what the runner printed on stderr (the failing cell's source and messages) */
  stderr: string;
}

/** How executeNotebook runs a notebook: its HTML page, the kernel's environment, the per-cell timeout. */
export interface ExecuteOptions {
  /** also write an HTML page here */
  html?: string;
  /** extra environment for the kernel (e.g. SAE_QUICK) */
  env?: NodeJS.ProcessEnv;
  /**
   * script URLs for the HTML page, e.g. relative copies for an offline folder: MathJax 3
   * (tex-chtml-full.js) and plotly.js; without plotlyUrl, plotly.js is inlined into the page
   */
  mathjaxUrl?: string;
  plotlyUrl?: string;
  /** seconds a cell may run (default: SAE_CELL_TIMEOUT, else DEFAULT_CELL_TIMEOUT for the mode) */
  timeout?: number;
}

/** "cell 5 (3rd code cell), timed out after 300 s": how a failed run is named in logs and the lesson's index. */
export function describeFailure(result: Pick<RunResult, 'failed_cell' | 'code_cell' | 'reason' | 'timeout' | 'message'>): string {
  if (result.reason === 'unreadable') return `reading the notebook: ${result.message ?? 'the file is not a notebook'}`;
  const reason = result.reason === 'timeout' && result.timeout ? `timed out after ${result.timeout} s` : result.reason;
  if (result.failed_cell === null || result.failed_cell < 0) return reason ? `before any cell ran (${reason})` : 'before any cell ran';
  const ord = (n: number) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
  const code = result.code_cell ? ` (${ord(result.code_cell)} code cell)` : '';
  return `cell ${result.failed_cell}${code}${reason ? `, ${reason}` : ''}`;
}

/**
 * Why `file` is not a notebook, in one line naming it (`x.ipynb is not a notebook: invalid JSON
 * (Expected ',' or '}' ...)`), or null when it is JSON with a list of cells.
 */
export function notebookProblem(file: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return `${file} cannot be read (${(err as Error).message})`;
  }
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (err) {
    return `${file} is not a notebook: invalid JSON (${(err as Error).message})`;
  }
  const cells = nb !== null && typeof nb === 'object' ? (nb as { cells?: unknown }).cells : undefined;
  return Array.isArray(cells) ? null : `${file} is not a notebook: it has no list of cells`;
}

/**
 * Runs `notebook` into `outIpynb`. A file that is not a notebook (notebookProblem) is a failed
 * run with reason "unreadable" and that line as its message: no kernel starts, nothing is written.
 */
export function executeNotebook(notebook: string, outIpynb: string, options: ExecuteOptions = {}): RunResult {
  const timeout = options.timeout !== undefined ? checkTimeout(options.timeout, 'timeout') : cellTimeout({ ...process.env, ...options.env });
  const problem = notebookProblem(notebook);
  if (problem !== null) {
    return { notebook, cells: 0, seconds: 0, errors: 1, failed_cell: -1, code_cell: null, reason: 'unreadable', message: problem, timeout, stderr: '' };
  }
  const args = [path.join(ROOT, 'scripts', 'execute_notebook.py'), notebook, outIpynb, '--timeout', String(timeout)];
  if (options.html) args.push('--html', options.html);
  if (options.mathjaxUrl) args.push('--mathjax-url', options.mathjaxUrl);
  if (options.plotlyUrl) args.push('--plotly-url', options.plotlyUrl);
  else if (options.html) args.push('--plotly-file', require.resolve('plotly.js-dist-min/plotly.min.js'));
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
