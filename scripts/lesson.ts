/**
 * `npm run lesson [--notebooks DIR] [--out DIR] [NN ...]`: executes every notebook of notebooks/
 * (or DIR; only those whose names start with NN when given) headless in this project's tslab
 * kernel and writes, under out/lesson/ (or --out DIR), the executed notebooks, one HTML page each,
 * index.html (the course's overview, scripts/lesson-index.ts) and summary.json (times per
 * notebook, the last run's total, the course's). The folder works offline: plotly.js and
 * MathJax 3 are copied into assets/ beside the pages. A file that is not a notebook is a failed
 * row naming it and its parse error; the others still run.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  ROOT, cellTimeout, describeFailure, executeNotebook, jupyterMissing, lessonNotebooks, notebookProblem, registerKernel, RunResult,
} from './jupyter';
import { writeFileAtomic } from '../src/store/files';
import { isQuick } from '../src/runtime/settings';
import {
  countTasks, courseTotals, formatSeconds, goodRun, GoodRun, indexPage, LessonRow, LessonSummary, runLabel, summaryRows, totalsLine,
} from './lesson-index';

export type { GoodRun, LessonRow, LessonSummary } from './lesson-index';

export const LESSON_OUT = path.join(ROOT, 'out', 'lesson');
/** The parts of MathJax 3 (npm package `mathjax`) the pages use: TeX input, CommonHTML output and its fonts. */
const MATHJAX_PARTS = ['tex-chtml-full.js', 'output/chtml/fonts/woff-v2'];

/** What assets/ holds; anything else there is left from an older kit (MathJax 2, require.js) and removed. */
const ASSETS = ['mathjax', 'plotly.min.js'];

/**
 * Removes what `dir` holds beyond `keep` (relative paths, and the folders on the way to them), so files
 * of an older kit do not pile up (MathJax 2's 9 MB, require.js). Entry by entry, not the whole folder:
 * another lesson run may be copying into it.
 */
function prune(dir: string, keep: string[], prefix = ''): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir)) {
    const rel = prefix + entry;
    if (keep.includes(rel)) continue;
    if (keep.some((k) => k.startsWith(`${rel}/`))) prune(path.join(dir, entry), keep, `${rel}/`);
    else fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
}

/** Copies plotly.js and the parts of MathJax 3 the pages use beside them; returns their URLs. */
function copyAssets(out: string): { mathjaxUrl: string; plotlyUrl: string } {
  const assets = path.join(out, 'assets');
  const mathjax = path.join(path.dirname(require.resolve('mathjax/package.json')), 'es5');
  prune(assets, ASSETS);
  prune(path.join(assets, 'mathjax'), MATHJAX_PARTS);
  for (const part of MATHJAX_PARTS) {
    fs.cpSync(path.join(mathjax, part), path.join(assets, 'mathjax', part), { recursive: true, dereference: true });
  }
  fs.copyFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), path.join(assets, 'plotly.min.js'));
  return { mathjaxUrl: 'assets/mathjax/tex-chtml-full.js', plotlyUrl: 'assets/plotly.min.js' };
}

/** The first markdown heading of a notebook; its file name when it has none or is not a notebook. */
function title(notebook: string): string {
  if (notebookProblem(notebook) !== null) return path.basename(notebook, '.ipynb');
  const nb = JSON.parse(fs.readFileSync(notebook, 'utf8'));
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'markdown') continue;
    const m = /^#\s+(.+)$/m.exec([].concat(cell.source).join(''));
    if (m) return m[1].trim();
  }
  return path.basename(notebook, '.ipynb');
}

export interface LessonOptions {
  /** where the pages go (out/lesson by default) */
  out?: string;
  /** only notebooks whose names start with one of these */
  only?: string[];
  /** the notebooks to run and list in index.html (default: the lesson's, NN-*.ipynb in `dir`) */
  notebooks?: string[];
  /** the folder of the lesson's notebooks (notebooks/ by default) */
  dir?: string;
  /** extra environment for the kernels (e.g. SAE_QUICK, SAE_CACHE_DIR, SAE_CELL_TIMEOUT) */
  env?: NodeJS.ProcessEnv;
  /** seconds a cell may run (default: SAE_CELL_TIMEOUT, else 300 in quick mode and 1800 in full mode) */
  timeout?: number;
  /** print a line per notebook (default true) */
  log?: boolean;
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
  const listed = options.notebooks ?? lessonNotebooks(options.dir);
  const notebooks = listed.filter((nb) => only.length === 0 || only.some((p) => path.basename(nb).startsWith(p)));
  if (notebooks.length === 0) {
    throw new Error(`no notebook ${options.notebooks ? 'given' : `in ${options.dir ?? 'notebooks/'}`} matches ${only.join(', ')}`);
  }
  fs.mkdirSync(out, { recursive: true });
  const assets = copyAssets(out);
  if (log) {
    console.log(`executing ${notebooks.length} notebooks into ${path.relative(process.cwd(), out) || out}` +
      `${quick ? ' (quick mode)' : ''}, at most ${timeout} s per cell`);
  }
  // Results of earlier runs stay in the index when only some notebooks are run now.
  const summaryFile = path.join(out, 'summary.json');
  const readRows = () => summaryRows(fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, 'utf8')) : {});
  const previous = readRows();
  const tasks = Object.fromEntries(listed.map((nb) => [path.basename(nb, '.ipynb'), countTasks(nb)]));
  const started = Date.now();
  const startedAt = new Date(started).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const rows: LessonRow[] = [];
  const allRows = () => listed.map((nb) => {
    const name = path.basename(nb, '.ipynb');
    return previous[name] ?? { name, title: title(nb), result: null, quick, at: '' };
  });
  // Before each write: the rows on disk now (another lesson run may have finished notebooks into the
  // same folder meanwhile), then this run's.
  const refresh = () => Object.assign(previous, readRows(), Object.fromEntries(rows.map((r) => [r.name, r])));
  const summary = (): LessonSummary => ({
    lastRun: {
      at: startedAt, quick, notebooks: rows.map((r) => r.name),
      seconds: Math.round(10 * rows.reduce((s, r) => s + (r.result?.seconds ?? 0), 0)) / 10,
      wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    },
    course: courseTotals(allRows(), tasks),
    notebooks: previous,
  });
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
        // A file that is not a notebook gives no page: an older failed page would not be this run's.
        const pages = fs.existsSync(ipynb) && fs.existsSync(html);
        for (const [from, suffix] of [[ipynb, '.failed.ipynb'], [html, '.failed.html']]) {
          if (pages) fs.renameSync(from, page(suffix));
          else fs.rmSync(page(suffix), { force: true });
        }
        failedPage = pages ? `${name}.failed.html` : null;
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
    refresh();
    writeFileAtomic(summaryFile, JSON.stringify(summary(), null, 1));
    if (log) {
      console.log(`${name.padEnd(28)} ${String(result.seconds.toFixed(1)).padStart(7)} s  ${String(result.cells).padStart(3)} cells  ` +
        `${result.errors ? `FAILED at ${describeFailure(result)}` : '0 errors'}`);
      if (result.errors) {
        console.log(`${''.padEnd(28)} this run: ${failedPage ?? 'no page'}; ` +
          (good ? `${name}.html keeps the last good run (${runLabel(good.quick, good.at)})` : 'no earlier good run'));
        process.stderr.write(result.stderr);
      }
    }
  }
  refresh();
  const all = allRows();
  writeFileAtomic(path.join(out, 'index.html'), indexPage(all, { tasks }));
  if (log) {
    const run = summary().lastRun!;
    console.log(`${'total'.padEnd(28)} ${String(run.seconds.toFixed(1)).padStart(7)} s  (${formatSeconds(run.wallSeconds)} wall clock, ` +
      `${rows.length} notebook${rows.length === 1 ? '' : 's'}, ${quick ? 'quick' : 'full'} mode)`);
    console.log(totalsLine(courseTotals(all, tasks)));
  }
  return rows;
}

/** `[--notebooks DIR] [--out DIR] [NN ...]`: the options of `npm run lesson`. */
function parseArgs(args: string[]): { dir?: string; out: string; only: string[] } {
  const only: string[] = [];
  const folders: { dir?: string; out?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag !== '--notebooks' && flag !== '--out') {
      only.push(flag);
      continue;
    }
    const value = args[++i];
    if (value === undefined || value === '') throw new Error(`${flag} needs a folder: ${flag} DIR`);
    const abs = path.resolve(value);
    if (flag === '--notebooks' && !(fs.existsSync(abs) && fs.statSync(abs).isDirectory())) throw new Error(`${flag} ${abs}: no such folder`);
    folders[flag === '--out' ? 'out' : 'dir'] = abs;
  }
  return { dir: folders.dir, out: folders.out ?? LESSON_OUT, only };
}

function main(): void {
  let rows: LessonRow[];
  let out = LESSON_OUT;
  try {
    const args = parseArgs(process.argv.slice(2));
    out = args.out;
    rows = runLesson(args);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const failed = rows.filter((r) => r.result?.errors).length;
  console.log(`${rows.length - failed} notebooks ok, ${failed} failed; open ${path.join(out, 'index.html')}`);
  process.exit(failed ? 1 : 0);
}

if (require.main === module) main();
