/**
 * `npm run lesson [NN ...]`: executes every notebook (or those whose names start with NN)
 * headless in this project's tslab kernel and writes, under out/lesson/, the executed
 * notebooks, one HTML page each, and index.html linking them in lesson order. The folder
 * works offline: plotly.js and MathJax 3 are copied into assets/ beside the pages.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  ROOT, cellTimeout, describeFailure, executeNotebook, jupyterMissing, lessonNotebooks, registerKernel, RunResult,
} from './jupyter';
import { writeFileAtomic } from '../src/store/files';
import { escapeHtml } from '../src/runtime/progress';
import { isQuick } from '../src/runtime/settings';

export const LESSON_OUT = path.join(ROOT, 'out', 'lesson');
/** The parts of MathJax 3 (npm package `mathjax`) the pages use: TeX input, CommonHTML output and its fonts. */
const MATHJAX_PARTS = ['tex-chtml-full.js', 'output/chtml/fonts/woff-v2'];

/** Copies plotly.js and the parts of MathJax 3 the pages use beside them; returns their URLs. */
function copyAssets(out: string): { mathjaxUrl: string; plotlyUrl: string } {
  const assets = path.join(out, 'assets');
  const mathjax = path.join(path.dirname(require.resolve('mathjax/package.json')), 'es5');
  for (const part of MATHJAX_PARTS) {
    fs.cpSync(path.join(mathjax, part), path.join(assets, 'mathjax', part), { recursive: true, dereference: true });
  }
  fs.copyFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), path.join(assets, 'plotly.min.js'));
  return { mathjaxUrl: 'assets/mathjax/tex-chtml-full.js', plotlyUrl: 'assets/plotly.min.js' };
}

/** The first markdown heading of a notebook. */
function title(notebook: string): string {
  const nb = JSON.parse(fs.readFileSync(notebook, 'utf8'));
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'markdown') continue;
    const m = /^#\s+(.+)$/m.exec([].concat(cell.source).join(''));
    if (m) return m[1].trim();
  }
  return path.basename(notebook, '.ipynb');
}

/** "quick, 2026-11-25 14:39 UTC": which run a page is from. */
function runLabel(quick: boolean, at: string): string {
  return `${quick ? 'quick' : 'full'}, ${at}`;
}

function indexPage(rows: LessonRow[]): string {
  const items = rows.map((row) => {
    const { name, title: t, result, quick, at } = row;
    if (result === null) return `<tr><td>${escapeHtml(t)}</td><td></td><td></td><td>not run yet</td><td></td></tr>`;
    const good = goodRun(row);
    // The title links the last good page; a failed run's own page lies beside it.
    const link = good ? `<a href="${encodeURI(name)}.html">${escapeHtml(t)}</a>` : escapeHtml(t);
    let status = 'ok';
    if (result.errors) {
      status = `<b style="color:#b00">failed at ${escapeHtml(describeFailure(result))}</b>`;
      if (row.failedPage) status += `: <a href="${encodeURI(row.failedPage)}">the failed run</a>`;
      status += good
        ? `<br><small>the notebook's link shows the last good run (${escapeHtml(runLabel(good.quick, good.at))})</small>`
        : '<br><small>no earlier run succeeded</small>';
    }
    return `<tr><td>${link}</td><td>${result.cells}</td>` +
      `<td>${result.seconds.toFixed(1)} s</td><td>${status}</td><td>${escapeHtml(runLabel(quick, at))}</td></tr>`;
  }).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>sae-lab: the executed lesson</title>
<style>body{font-family:sans-serif;max-width:52em;margin:2em auto}td,th{padding:.3em .8em;text-align:left}</style></head>
<body><h1>Sparse autoencoders, executed</h1>
<p>Each page is a notebook run top to bottom on a fresh tslab kernel, in full mode or in quick mode
(SAE_QUICK=1: small data, few epochs). The pages need no network. When a run fails, the notebook's
link keeps showing its last good run and the failed run gets its own page beside it.</p>
<table><tr><th>notebook</th><th>code cells</th><th>time</th><th>status</th><th>run</th></tr>
${items}
</table></body></html>
`;
}

export interface LessonOptions {
  /** where the pages go (out/lesson by default) */
  out?: string;
  /** only notebooks whose names start with one of these */
  only?: string[];
  /** the notebooks to run and list in index.html (default: the lesson's, notebooks/NN-*.ipynb) */
  notebooks?: string[];
  /** extra environment for the kernels (e.g. SAE_QUICK, SAE_CACHE_DIR, SAE_CELL_TIMEOUT) */
  env?: NodeJS.ProcessEnv;
  /** seconds a cell may run (default: SAE_CELL_TIMEOUT, else 300 in quick mode and 1800 in full mode) */
  timeout?: number;
  /** print a line per notebook (default true) */
  log?: boolean;
}

/** A successful run, whose pages are NN.html and NN.ipynb. */
export interface GoodRun { at: string; quick: boolean; seconds: number; cells: number }

export interface LessonRow {
  name: string;
  title: string;
  /** this (latest) run */
  result: RunResult | null;
  quick: boolean;
  at: string;
  /** the run NN.html shows: this one when it succeeded, else the last that did (null: none) */
  good?: GoodRun | null;
  /** when this run failed: its page (NN.failed.html), beside the good one */
  failedPage?: string | null;
}

/** The good run behind NN.html (rows written before `good` existed: the row itself if it succeeded). */
function goodRun(row: LessonRow | undefined): GoodRun | null {
  if (!row) return null;
  if (row.good !== undefined) return row.good;
  if (row.result && !row.result.errors) return { at: row.at, quick: row.quick, seconds: row.result.seconds, cells: row.result.cells };
  return null;
}

/** Executes the notebooks into `out` and writes index.html; returns this run's rows. */
export function runLesson(options: LessonOptions = {}): LessonRow[] {
  const out = options.out ?? LESSON_OUT;
  const only = options.only ?? [];
  const log = options.log ?? true;
  const env = { ...process.env, ...options.env };
  const quick = isQuick(env);
  const timeout = options.timeout ?? cellTimeout(env);
  const missing = jupyterMissing();
  if (missing) throw new Error(missing);
  registerKernel();
  const listed = options.notebooks ?? lessonNotebooks();
  const notebooks = listed.filter((nb) => only.length === 0 || only.some((p) => path.basename(nb).startsWith(p)));
  if (notebooks.length === 0) {
    throw new Error(`no notebook ${options.notebooks ? 'given' : 'in notebooks/'} matches ${only.join(', ')}`);
  }
  fs.mkdirSync(out, { recursive: true });
  const assets = copyAssets(out);
  if (log) {
    console.log(`executing ${notebooks.length} notebooks into ${path.relative(process.cwd(), out) || out}` +
      `${quick ? ' (quick mode)' : ''}, at most ${timeout} s per cell`);
  }
  // Results of earlier runs stay in the index when only some notebooks are run now.
  const summaryFile = path.join(out, 'summary.json');
  const previous: Record<string, LessonRow> = fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, 'utf8')) : {};
  const rows: LessonRow[] = [];
  for (const nb of notebooks) {
    const name = path.basename(nb, '.ipynb');
    const page = (suffix: string) => path.join(out, `${name}${suffix}`);
    // Run into a scratch folder beside the pages, then rename into place (atomic, same file system):
    // a good run replaces NN.html / NN.ipynb, a failed one goes beside them as NN.failed.*.
    const scratch = fs.mkdtempSync(path.join(out, '.running-'));
    let result: RunResult;
    let good: GoodRun | null;
    let failedPage: string | null = null;
    const at = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
    try {
      const ipynb = path.join(scratch, `${name}.ipynb`);
      const html = path.join(scratch, `${name}.html`);
      result = executeNotebook(nb, ipynb, { html, env: options.env, timeout, ...assets });
      if (result.errors) {
        fs.renameSync(ipynb, page('.failed.ipynb'));
        fs.renameSync(html, page('.failed.html'));
        failedPage = `${name}.failed.html`;
        good = fs.existsSync(page('.html')) ? goodRun(previous[name]) : null;
      } else {
        fs.renameSync(ipynb, page('.ipynb'));
        fs.renameSync(html, page('.html'));
        fs.rmSync(page('.failed.ipynb'), { force: true });
        fs.rmSync(page('.failed.html'), { force: true });
        good = { at, quick, seconds: result.seconds, cells: result.cells };
      }
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
    const row: LessonRow = { name, title: title(nb), result, quick, at, good, failedPage };
    rows.push(row);
    previous[name] = row;
    writeFileAtomic(summaryFile, JSON.stringify(previous, null, 1));
    if (log) {
      console.log(`${name.padEnd(28)} ${String(result.seconds.toFixed(1)).padStart(7)} s  ${String(result.cells).padStart(3)} cells  ` +
        `${result.errors ? `FAILED at ${describeFailure(result)}` : '0 errors'}`);
      if (result.errors) {
        console.log(`${''.padEnd(28)} this run: ${failedPage}; ` +
          (good ? `${name}.html keeps the last good run (${runLabel(good.quick, good.at)})` : 'no earlier good run'));
        process.stderr.write(result.stderr);
      }
    }
  }
  const all = listed.map((nb) => {
    const name = path.basename(nb, '.ipynb');
    return previous[name] ?? { name, title: title(nb), result: null, quick, at: '' };
  });
  writeFileAtomic(path.join(out, 'index.html'), indexPage(all));
  return rows;
}

function main(): void {
  let rows: LessonRow[];
  try {
    rows = runLesson({ only: process.argv.slice(2) });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const failed = rows.filter((r) => r.result?.errors).length;
  console.log(`${rows.length - failed} notebooks ok, ${failed} failed; open ${path.join(LESSON_OUT, 'index.html')}`);
  process.exit(failed ? 1 : 0);
}

if (require.main === module) main();
