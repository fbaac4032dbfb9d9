/**
 * `npm run lesson [NN ...]`: executes every notebook (or those whose names start with NN)
 * headless in this project's tslab kernel and writes, under out/lesson/, the executed
 * notebooks, one HTML page each, and index.html linking them in lesson order. The folder
 * works offline: Plotly is inlined in each page, MathJax and require.js are copied beside them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, executeNotebook, jupyterMissing, lessonNotebooks, registerKernel, RunResult } from './jupyter';
import { writeFileAtomic } from '../src/files';
import { escapeHtml } from '../src/progress';

export const LESSON_OUT = path.join(ROOT, 'out', 'lesson');
const DEBIAN_JS = '/usr/share/javascript';
const MATHJAX_PARTS = ['MathJax.js', 'config', 'extensions', 'jax/input/TeX', 'jax/output/CommonHTML', 'jax/element',
  'fonts/HTML-CSS/TeX/woff', 'localization/en'];

/** Copies the parts of Debian's MathJax and require.js the pages use; returns their URLs. */
function copyAssets(out: string): { mathjaxUrl?: string; requireUrl?: string } {
  const urls: { mathjaxUrl?: string; requireUrl?: string } = {};
  const mathjax = path.join(DEBIAN_JS, 'mathjax');
  if (fs.existsSync(path.join(mathjax, 'MathJax.js'))) {
    for (const part of MATHJAX_PARTS) {
      const from = path.join(mathjax, part);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(out, 'assets', 'mathjax', part), { recursive: true, dereference: true });
    }
    urls.mathjaxUrl = 'assets/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe';
  }
  const requirejs = path.join(DEBIAN_JS, 'requirejs', 'require.min.js');
  if (fs.existsSync(requirejs)) {
    fs.mkdirSync(path.join(out, 'assets'), { recursive: true });
    fs.copyFileSync(requirejs, path.join(out, 'assets', 'require.min.js'));
    urls.requireUrl = 'assets/require.min.js';
  }
  return urls;
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

function indexPage(rows: LessonRow[]): string {
  const items = rows.map(({ name, title: t, result, quick, at }) => {
    if (result === null) return `<tr><td>${escapeHtml(t)}</td><td></td><td></td><td>not run yet</td><td></td></tr>`;
    const status = result.errors ? `<b style="color:#b00">failed at cell ${result.failed_cell}</b>` : 'ok';
    return `<tr><td><a href="${encodeURI(name)}.html">${escapeHtml(t)}</a></td><td>${result.cells}</td>` +
      `<td>${result.seconds.toFixed(1)} s</td><td>${status}</td><td>${quick ? 'quick' : 'full'}, ${escapeHtml(at)}</td></tr>`;
  }).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>sae-lab: the executed lesson</title>
<style>body{font-family:sans-serif;max-width:52em;margin:2em auto}td,th{padding:.3em .8em;text-align:left}</style></head>
<body><h1>Sparse autoencoders, executed</h1>
<p>Each page is a notebook run top to bottom on a fresh tslab kernel, in full mode or in quick mode
(SAE_QUICK=1: small data, few epochs). The pages need no network.</p>
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
  /** extra environment for the kernels (e.g. SAE_QUICK, SAE_CACHE_DIR) */
  env?: NodeJS.ProcessEnv;
  /** print a line per notebook (default true) */
  log?: boolean;
}

export interface LessonRow { name: string; title: string; result: RunResult | null; quick: boolean; at: string }

/** Executes the notebooks into `out` and writes index.html; returns this run's rows. */
export function runLesson(options: LessonOptions = {}): LessonRow[] {
  const out = options.out ?? LESSON_OUT;
  const only = options.only ?? [];
  const log = options.log ?? true;
  const missing = jupyterMissing();
  if (missing) throw new Error(missing);
  registerKernel();
  const notebooks = lessonNotebooks().filter((nb) => only.length === 0 || only.some((p) => path.basename(nb).startsWith(p)));
  if (notebooks.length === 0) throw new Error(`no notebook in notebooks/ matches ${only.join(', ')}`);
  fs.mkdirSync(out, { recursive: true });
  const assets = copyAssets(out);
  const quick = (options.env?.SAE_QUICK ?? process.env.SAE_QUICK) === '1';
  if (log) console.log(`executing ${notebooks.length} notebooks into ${path.relative(process.cwd(), out) || out}${quick ? ' (quick mode)' : ''}`);
  // Results of earlier runs stay in the index when only some notebooks are run now.
  const summaryFile = path.join(out, 'summary.json');
  const previous: Record<string, LessonRow> = fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, 'utf8')) : {};
  const rows: LessonRow[] = [];
  for (const nb of notebooks) {
    const name = path.basename(nb, '.ipynb');
    const result = executeNotebook(nb, path.join(out, `${name}.ipynb`), { html: path.join(out, `${name}.html`), env: options.env, ...assets });
    const row = { name, title: title(nb), result, quick, at: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC' };
    rows.push(row);
    previous[name] = row;
    writeFileAtomic(summaryFile, JSON.stringify(previous, null, 1));
    if (log) {
      console.log(`${name.padEnd(28)} ${String(result.seconds.toFixed(1)).padStart(7)} s  ${String(result.cells).padStart(3)} cells  ` +
        `${result.errors ? `FAILED at cell ${result.failed_cell}` : '0 errors'}`);
      if (result.errors) process.stderr.write(result.stderr);
    }
  }
  const all = lessonNotebooks().map((nb) => {
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
