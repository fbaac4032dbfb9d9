/**
 * The lesson end to end: every notebook in notebooks/ executed headless by a real Jupyter client
 * (nbclient) in this project's tslab kernel, in quick mode, into HTML pages; then every page opened
 * in headless Chromium, where each Plotly chart must render, nothing may log an error and no
 * request may leave file://.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, executeNotebook, jupyterMissing, lessonNotebooks, registerKernel } from '../../scripts/jupyter';
import { runLesson } from '../../scripts/lesson';
import { checkFindings, questionsWithoutFinding } from '../../scripts/findings-check';

const OUT = path.join(ROOT, 'out', 'test-lesson');
const SHOTS = path.join(ROOT, 'out', 'screenshots');
const CHROMIUM = process.env.SAE_CHROMIUM ?? '/usr/bin/chromium';
const inCi = process.env.CI === 'true';

// Locally, a machine without Jupyter or Chromium still runs the other tests; CI must have both.
const noJupyter = jupyterMissing();
const noChromium = fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} not found: apt-get install -y chromium`;
const skipNotebooks = noJupyter !== null && !inCi ? noJupyter : false;
const skipBrowser = skipNotebooks || (noChromium !== null && !inCi ? noChromium : false);

test('notebooks are committed clean (no outputs, no execution counts)', () => {
  for (const nb of lessonNotebooks()) {
    const json = JSON.parse(fs.readFileSync(nb, 'utf8'));
    assert.equal(json.metadata.kernelspec.name, 'tslab', `${nb}: kernel`);
    for (const cell of json.cells) {
      if (cell.cell_type !== 'code') continue;
      assert.deepEqual(cell.outputs, [], `${path.basename(nb)} has outputs`);
      assert.equal(cell.execution_count, null, `${path.basename(nb)} has execution counts`);
    }
  }
});

test('code lines in notebooks fit the page (at most 100 characters)', () => {
  const MAX = 100;
  const long: string[] = [];
  for (const nb of lessonNotebooks()) {
    const json = JSON.parse(fs.readFileSync(nb, 'utf8'));
    json.cells.forEach((cell: { cell_type: string; source: string | string[] }, i: number) => {
      if (cell.cell_type !== 'code') return;
      ([] as string[]).concat(cell.source).join('').split('\n').forEach((line, j) => {
        if (line.length > MAX) {
          long.push(`${path.basename(nb)} cell ${i} line ${j + 1}: ${line.length} characters`);
        }
      });
    });
  }
  assert.deepEqual(long, [], `${long.length} code lines longer than ${MAX} characters:\n${long.join('\n')}`);
});

test('the runner reports a failing cell with its source and stderr, and cells after it as not run', { skip: skipNotebooks }, () => {
  if (noJupyter) assert.fail(noJupyter);
  registerKernel();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-bad-'));
  const cell = (source: string) => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });
  const write = (name: string, cells: object[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify({ cells, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5 }));
    return file;
  };
  const thrown = executeNotebook(write('throws.ipynb', [cell("console.log('ok')"), cell("throw new Error('boom from cell 1')"), cell("console.log('never')")]), path.join(dir, 'o1.ipynb'));
  assert.equal(thrown.errors, 1);
  assert.equal(thrown.failed_cell, 1);
  assert.match(thrown.stderr, /boom from cell 1/);
  const typed = executeNotebook(write('types.ipynb', [cell("const n: number = 'not a number';")]), path.join(dir, 'o2.ipynb'));
  assert.equal(typed.errors, 1);
  assert.match(typed.stderr, /Type 'string' is not assignable to type 'number'/);
});

test('every notebook runs top to bottom on a fresh tslab kernel (SAE_QUICK=1)', { skip: skipNotebooks }, () => {
  if (noJupyter) assert.fail(noJupyter);
  fs.rmSync(OUT, { recursive: true, force: true });
  // A fresh results cache: notebook 04 trains, 05 and 06 must get its models back from the cache.
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-cache-'));
  const rows = runLesson({ out: OUT, env: { SAE_QUICK: '1', SAE_CACHE_DIR: cache }, log: false });
  const notebooks = lessonNotebooks();
  assert.equal(rows.length, notebooks.length);
  const failures: string[] = [];
  for (const { name, result } of rows) {
    console.log(`${name}: ${result!.cells} code cells, ${result!.seconds} s, ${result!.errors} errors`);
    if (result!.errors) {
      failures.push(result!.stderr);
      continue;
    }
    // The kernel really ran every code cell.
    const executed = JSON.parse(fs.readFileSync(path.join(OUT, `${name}.ipynb`), 'utf8'));
    for (const cell of executed.cells) {
      if (cell.cell_type === 'code') assert.equal(typeof cell.execution_count, 'number', `${name}: a cell did not run`);
    }
  }
  assert.equal(failures.length, 0, failures.join('\n'));
  const index = fs.readFileSync(path.join(OUT, 'index.html'), 'utf8');
  for (const { name } of rows) assert.ok(index.includes(`href="${name}.html"`), `index.html does not link ${name}`);
  // Notebook 06 saved both models, and 05/06 reused the models 04 trained.
  const n05 = fs.readFileSync(path.join(OUT, '05-learned-features.ipynb'), 'utf8');
  assert.match(n05, /loaded from the results cache/);
  // Every open question is answered by a finding printed from this run's numbers.
  const findings = checkFindings(OUT);
  assert.ok(findings.questions >= 14, `${findings.questions} questions found`);
  assert.deepEqual(findings.missing, [], 'questions without a "Finding" line in the cell before them');
});

test('questionsWithoutFinding: a question needs a "Finding" line from the code cell right before it', () => {
  const code = (text: string) => ({ cell_type: 'code', source: '', outputs: [{ output_type: 'stream', text }] });
  const question = { cell_type: 'markdown', source: '**Question (the lesson\'s).** Why?' };
  assert.deepEqual(questionsWithoutFinding({ cells: [code('Finding: yes.\n'), question] }), []);
  assert.deepEqual(questionsWithoutFinding({ cells: [code('x\nFinding (quick mode: ...): no.\n'), question] }), []);
  assert.equal(questionsWithoutFinding({ cells: [code('no finding here\n'), question] }).length, 1);
  assert.equal(questionsWithoutFinding({ cells: [{ cell_type: 'markdown', source: 'text' }, question] }).length, 1);
  assert.equal(questionsWithoutFinding({ cells: [question] }).length, 1);
});

test('every page renders its charts in headless Chromium, offline, without errors', { skip: skipBrowser }, async () => {
  if (noChromium) assert.fail(noChromium);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  fs.mkdirSync(SHOTS, { recursive: true });
  try {
    const pages = fs.readdirSync(OUT).filter((f) => f.endsWith('.html')).sort();
    assert.ok(pages.includes('index.html') && pages.length >= lessonNotebooks().length + 1, `pages: ${pages.join(', ')}`);
    for (const file of pages) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => {
        if (!r.url().startsWith('file://') && !r.url().startsWith('data:')) problems.push(`request left file://: ${r.url()}`);
      });
      await page.goto(`file://${path.join(OUT, file)}`, { waitUntil: 'load' });
      const expected = (fs.readFileSync(path.join(OUT, file), 'utf8').match(/class=\\?"sae-plot\\?"/g) ?? []).length;
      if (expected > 0) {
        await page.waitForFunction((n) => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n, expected, { timeout: 30_000 })
          .catch(() => undefined);
      }
      const charts = await page.$$eval('.js-plotly-plot', (els) => els.map((e) => e.querySelector('.main-svg') !== null));
      await page.screenshot({ path: path.join(SHOTS, file.replace(/\.html$/, '.png')), fullPage: true });
      console.log(`${file}: ${charts.filter(Boolean).length}/${expected} charts rendered`);
      assert.equal(charts.length, expected, `${file}: ${charts.length} Plotly charts on the page, ${expected} in the notebook outputs`);
      assert.ok(charts.every(Boolean), `${file}: a chart has no .main-svg`);
      assert.deepEqual(problems, [], `${file}: ${problems.join('; ')}`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
});
