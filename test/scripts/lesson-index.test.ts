/**
 * The lesson's index page and summary from made-up rows (no Jupyter): goals, parts, task counts,
 * times, totals, and the page whose mode differs from the rest marked.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  countTasks, courseTotals, formatSeconds, indexPage, LessonRow, majorityQuick, summaryRows, totalsLine,
} from '../../scripts/lesson-index';
import { LESSON_MAP } from '../../scripts/lesson-map';
import { lessonNotebooks } from '../../scripts/jupyter';
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { CODE_STUB, makeHandout, taskCounts } from '../../scripts/handout';

const result = (seconds: number, errors = 0) => ({
  notebook: 'x.ipynb', cells: 5, seconds, errors, failed_cell: errors ? 3 : null, code_cell: errors ? 2 : null,
  reason: errors ? 'error' : null, timeout: 300, stderr: '',
});
const row = (name: string, quick: boolean, seconds: number | null, extra: Partial<LessonRow> = {}): LessonRow => ({
  name, title: `${name} title`, result: seconds === null ? null : result(seconds), quick, at: '2026-11-25 10:00 UTC', ...extra,
});
const map = {
  '01-a': { goal: 'Build the <first> model.', part: 'Part 1: one', fullSeconds: 100 },
  '02-b': { goal: 'Train it.', part: 'Part 3: three', fullSeconds: null },
  '03-c': { goal: 'Look at it.', part: 'Exercise 1: sweep', fullSeconds: 200 },
  '04-d': { goal: 'Never run.', part: 'Beyond the lesson', fullSeconds: null },
};
const tasks = { '01-a': 1, '02-b': 2, '03-c': 0, '04-d': 3 };

test('index: goals, parts, tasks, times, and the page in the odd mode marked', () => {
  const rows = [row('01-a', true, 12.34), row('02-b', false, 125), row('03-c', true, 4000), row('04-d', true, null)];
  const html = indexPage(rows, { tasks, map });
  // one row per notebook, in order, each with its goal (escaped) and part
  const cells = [...html.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((m) => m[1]).slice(1);
  assert.equal(cells.length, 4);
  assert.ok(cells[0].includes('Build the &lt;first&gt; model.'));
  assert.ok(cells[2].includes('Exercise 1: sweep'));
  assert.ok(cells[3].includes('Beyond the lesson') && cells[3].includes('not run yet'));
  // task counts, this run's time, the measured full-mode time or "not measured yet"
  assert.match(cells[1], /<td class="num">2<\/td>/);
  assert.ok(cells[0].includes('12.3 s') && cells[0].includes('1 min 40 s'));
  assert.ok(cells[1].includes('2 min 05 s') && cells[1].includes('not measured yet'));
  assert.ok(cells[2].includes('1 h 07 min') && cells[2].includes('3 min 20 s'));
  // two quick pages and one full: the full one is marked, the quick ones are not
  assert.equal(majorityQuick(rows), true);
  assert.ok(cells[1].includes('full mode, unlike the rest'));
  assert.equal((html.match(/unlike the rest/g) ?? []).length, 1);
  assert.equal((html.match(/class="odd-mode"/g) ?? []).length, 1);
  // the totals, above and below the table
  const line = 'Course total: 1 h 09 min for 3 of 4 notebooks (2 in quick mode, 1 in full mode); ' +
    'full mode, measured: 5 min 00 s for the 2 of 4 notebooks measured; 6 learner tasks.';
  assert.equal(totalsLine(courseTotals(rows, tasks, map)), line);
  assert.equal(html.split(line).length - 1, 2);
});

test('index: a failed run keeps the good page\'s mode; ties count as full; broken markers show "?"', () => {
  const failed = row('02-b', true, 30, {
    result: result(30, 1), failedPage: '02-b.failed.html', good: { at: '2026-11-24 09:00 UTC', quick: false, seconds: 90, cells: 5 },
  });
  const rows = [row('01-a', true, 10), failed];
  // the page 02-b.html shows is the full run, so modes tie 1:1 and the quick page is the odd one
  assert.equal(majorityQuick(rows), false);
  const html = indexPage(rows, { tasks: { '01-a': null, '02-b': 2 }, map });
  assert.ok(html.includes('quick mode, unlike the rest'));
  assert.ok(html.includes('<a href="02-b.failed.html">the failed run</a>'));
  assert.ok(html.includes('<a href="02-b.html">'));
  assert.match(html, /<td class="num">\?<\/td>/);
  assert.equal(majorityQuick([row('04-d', true, null)]), null);
  assert.ok(!indexPage([row('01-a', false, 1)], { tasks, map }).includes('unlike the rest'));
});

test('summary rows read both formats; seconds format', () => {
  const r = row('01-a', true, 1);
  assert.deepEqual(summaryRows({ '01-a': r }), { '01-a': r });
  assert.deepEqual(summaryRows({ lastRun: null, course: {}, notebooks: { '01-a': r } }), { '01-a': r });
  assert.deepEqual(summaryRows(null), {});
  assert.deepEqual([0.04, 59.94, 60, 3599, 3600, 7190, 7290].map(formatSeconds), ['0.0 s', '59.9 s', '1 min 00 s', '59 min 59 s', '1 h 00 min', '2 h 00 min', '2 h 02 min']);
});

test('every lesson notebook has a goal, a part and a full-mode time field', () => {
  const names = lessonNotebooks().map((nb) => path.basename(nb, '.ipynb'));
  assert.deepEqual(Object.keys(LESSON_MAP).sort(), names.sort());
  for (const [name, info] of Object.entries(LESSON_MAP)) {
    assert.ok(info.goal.endsWith('.') && !info.goal.slice(0, -1).includes('. '), `${name}: the goal is one sentence`);
    assert.match(info.part, /^(Setup|Part [1-6]|Exercise [1-5]|Advanced challenge|Beyond the lesson)/, name);
    assert.ok(info.fullSeconds === null || info.fullSeconds > 0, name);
  }
});

test('task counts agree with the hand-out\'s, in the course\'s notebooks and in their student versions', () => {
  const notebooks = lessonNotebooks();
  const expected = taskCounts(notebooks);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lesson-tasks-'));
  try {
    for (const nb of notebooks) {
      const name = path.basename(nb, '.ipynb');
      assert.equal(countTasks(nb), expected[name], name);
      const student = path.join(dir, `${name}.ipynb`);
      fs.writeFileSync(student, JSON.stringify(makeHandout(JSON.parse(fs.readFileSync(nb, 'utf8')), `${name}.ipynb`).student));
      assert.equal(countTasks(student), expected[name], `${name}, student version`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(CODE_STUB, '// YOUR CODE HERE');
  assert.equal(countTasks(path.join(dir, 'missing.ipynb')), null);
});
