/**
 * The lesson's index page (out/lesson/index.html) and the run summary (out/lesson/summary.json),
 * built from plain rows so a test can check them without Jupyter. Per notebook: its learning goal
 * and lesson part (scripts/lesson-map.ts), its learner tasks, this run's time, the measured
 * full-mode time, and the mode its page was run in; a page run in another mode than most is marked.
 */
import * as fs from 'fs';
import { describeFailure, RunResult } from './jupyter';
import { escapeHtml } from '../src/runtime/progress';
import { LESSON_MAP, LessonInfo } from './lesson-map';

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

/** out/lesson/summary.json: the last `npm run lesson`, the course's totals, and every notebook's latest row. */
export interface LessonSummary {
  lastRun: { at: string; quick: boolean; notebooks: string[]; seconds: number; wallSeconds: number } | null;
  course: CourseTotals;
  notebooks: Record<string, LessonRow>;
}

export interface CourseTotals {
  /** seconds of every notebook's latest run, added up */
  seconds: number;
  /** notebooks with a run, and how many of those pages were run in each mode */
  notebooks: number;
  quick: number;
  full: number;
  /** learner tasks (BEGIN SOLUTION regions) over all notebooks */
  tasks: number;
  /** the measured full-mode seconds added up, and over how many notebooks (of all listed) */
  fullSeconds: number;
  fullMeasured: number;
  listed: number;
}

/**
 * The learner tasks in a notebook: its `// BEGIN SOLUTION` regions (the course's notebooks), or the
 * `// YOUR CODE HERE` stubs that replace them in the hand-out (scripts/handout-notebook.ts writes both;
 * lesson.ts runs in the student kit too, which has no handout scripts, so it counts the markers itself).
 * Null when the file is not a readable notebook.
 */
export function countTasks(notebook: string): number | null {
  try {
    const nb = JSON.parse(fs.readFileSync(notebook, 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
    let count = 0;
    for (const cell of nb.cells) {
      if (cell.cell_type !== 'code') continue;
      const lines = (Array.isArray(cell.source) ? cell.source.join('') : cell.source).split('\n');
      count += lines.filter((l) => l.includes('BEGIN SOLUTION') || l.trim() === '// YOUR CODE HERE').length;
    }
    return count;
  } catch {
    return null;
  }
}

/** The rows of a summary.json, old (name -> row) or new ({lastRun, course, notebooks}) format. */
export function summaryRows(parsed: unknown): Record<string, LessonRow> {
  if (!parsed || typeof parsed !== 'object') return {};
  const notebooks = (parsed as { notebooks?: unknown }).notebooks;
  if (notebooks && typeof notebooks === 'object' && !('name' in notebooks)) return notebooks as Record<string, LessonRow>;
  return parsed as Record<string, LessonRow>;
}

/** The good run behind NN.html (rows written before `good` existed: the row itself if it succeeded). */
export function goodRun(row: LessonRow | undefined): GoodRun | null {
  if (!row) return null;
  if (row.good !== undefined) return row.good;
  if (row.result && !row.result.errors) return { at: row.at, quick: row.quick, seconds: row.result.seconds, cells: row.result.cells };
  return null;
}

/** "quick, 2026-11-25 14:39 UTC": which run a page is from. */
export function runLabel(quick: boolean, at: string): string {
  return `${quick ? 'quick' : 'full'}, ${at}`;
}

/** 42.0 s, 3 min 05 s, 1 h 02 min. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** The mode of the page NN.html shows (its good run's, else this run's); null when never run. */
function pageQuick(row: LessonRow): boolean | null {
  if (row.result === null) return null;
  return goodRun(row)?.quick ?? row.quick;
}

/** The mode most pages were run in (full on a tie: the course's real mode); null when none ran. */
export function majorityQuick(rows: LessonRow[]): boolean | null {
  const modes = rows.map(pageQuick).filter((q): q is boolean => q !== null);
  if (modes.length === 0) return null;
  const quick = modes.filter((q) => q).length;
  return quick > modes.length - quick;
}

export function courseTotals(rows: LessonRow[], tasks: Record<string, number | null>, map: Record<string, LessonInfo> = LESSON_MAP): CourseTotals {
  const ran = rows.filter((r) => r.result !== null);
  const modes = ran.map(pageQuick);
  const measured = rows.map((r) => map[r.name]?.fullSeconds).filter((s): s is number => typeof s === 'number');
  return {
    seconds: Math.round(10 * ran.reduce((sum, r) => sum + r.result!.seconds, 0)) / 10,
    notebooks: ran.length,
    quick: modes.filter((q) => q === true).length,
    full: modes.filter((q) => q === false).length,
    tasks: rows.reduce((n, r) => n + (tasks[r.name] ?? 0), 0),
    fullSeconds: Math.round(10 * measured.reduce((a, b) => a + b, 0)) / 10,
    fullMeasured: measured.length,
    listed: rows.length,
  };
}

/** The line above and below the table. */
export function totalsLine(t: CourseTotals): string {
  const modes = [t.quick ? `${t.quick} in quick mode` : '', t.full ? `${t.full} in full mode` : ''].filter(Boolean).join(', ');
  const run = t.notebooks ? `${formatSeconds(t.seconds)} for ${t.notebooks} of ${t.listed} notebooks (${modes})` : `no notebook run yet`;
  let full = 'not measured yet';
  if (t.fullMeasured === t.listed) full = formatSeconds(t.fullSeconds);
  else if (t.fullMeasured > 0) full = `${formatSeconds(t.fullSeconds)} for the ${t.fullMeasured} of ${t.listed} notebooks measured`;
  return `Course total: ${run}; full mode, measured: ${full}; ${t.tasks} learner tasks.`;
}

const STYLE = `body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em}
table{border-collapse:collapse}td,th{padding:.35em .7em;text-align:left;vertical-align:top;border-bottom:1px solid #ddd}
td.num,th.num{text-align:right;white-space:nowrap}td.nb{min-width:20em}.goal{color:#333;font-size:.92em;margin-top:.2em}
td.part{max-width:13em}small{white-space:nowrap}
tr.odd-mode td{background:#fff4d6}.odd{color:#a15c00;font-weight:bold}.totals{font-weight:bold;margin:1em 0}`;

export interface IndexInfo {
  /** learner tasks per notebook (countTasks); null: unknown */
  tasks: Record<string, number | null>;
  /** goal, part and full-mode seconds per notebook (default: LESSON_MAP) */
  map?: Record<string, LessonInfo>;
}

/** The index page: an overview of the course, one row per notebook, totals above and below. */
export function indexPage(rows: LessonRow[], info: IndexInfo): string {
  const map = info.map ?? LESSON_MAP;
  const majority = majorityQuick(rows);
  const totals = `<p class="totals">${escapeHtml(totalsLine(courseTotals(rows, info.tasks, map)))}</p>`;
  const items = rows.map((row) => {
    const { name, title: t, result, at } = row;
    const meta = map[name];
    const goal = meta ? `<div class="goal">${escapeHtml(meta.goal)}</div>` : '';
    const part = `<td class="part">${escapeHtml(meta?.part ?? '')}</td>`;
    const taskCount = info.tasks[name];
    const tasks = `<td class="num">${taskCount === null || taskCount === undefined ? '?' : taskCount}</td>`;
    const fullTime = `<td class="num">${meta?.fullSeconds != null ? escapeHtml(formatSeconds(meta.fullSeconds)) : '<small>not measured yet</small>'}</td>`;
    if (result === null) {
      return `<tr><td class="nb">${escapeHtml(t)}${goal}</td>${part}${tasks}<td class="num"></td>${fullTime}<td>not run yet</td><td></td></tr>`;
    }
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
    const quick = pageQuick(row)!;
    const odd = majority !== null && quick !== majority;
    const mode = `${quick ? 'quick' : 'full'}${odd ? `<br><span class="odd">${quick ? 'quick' : 'full'} mode, unlike the rest</span>` : ''}` +
      `<br><small>${escapeHtml(good?.at ?? at)}</small>`;
    return `<tr${odd ? ' class="odd-mode"' : ''}><td class="nb">${link}${goal}</td>${part}${tasks}` +
      `<td class="num">${escapeHtml(formatSeconds(result.seconds))}<br><small>${result.cells} cells</small></td>${fullTime}` +
      `<td>${status}</td><td>${mode}</td></tr>`;
  }).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>sae-lab: the executed lesson</title>
<style>${STYLE}</style></head>
<body><h1>Sparse autoencoders, executed</h1>
<p>Each page is a notebook run top to bottom on a fresh tslab kernel, in full mode or in quick mode
(SAE_QUICK=1: small data, few epochs). The pages need no network. When a run fails, the notebook's
link keeps showing its last good run and the failed run gets its own page beside it. "Tasks" counts the
cells where a learner writes part of the lesson (<code>npm run handout</code>).</p>
${totals}
<table><tr><th>notebook and its goal</th><th>lesson part</th><th class="num">tasks</th><th class="num">this run</th>` +
  `<th class="num">full mode (measured)</th><th>status</th><th>mode</th></tr>
${items}
</table>
${totals}
</body></html>
`;
}
