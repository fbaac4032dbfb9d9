/**
 * The lesson pages (`npm run lesson`) of a small notebook, through the kit's Jupyter: every script
 * comes from the folder (plotly.js once in assets/, MathJax 3 in assets/mathjax), the chart draws
 * from its HTML fallback, the math is typeset, and the page asks for nothing outside file://.
 * The saved notebook keeps Plotly's JSON beside the fallback and no copy of plotly.js; assets/ holds
 * nothing else (files of an older kit are removed), and index.html and summary.json carry the totals.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { jupyterMissing } from '../../scripts/jupyter';
import { runLesson } from '../../scripts/lesson';

const CHROMIUM = process.env.SAE_CHROMIUM ?? '/usr/bin/chromium';
const inCi = process.env.CI === 'true';
const noJupyter = jupyterMissing();
const why = noJupyter ?? (fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} not found: apt-get install -y chromium`);
const skip = why !== null && !inCi ? `skipped: ${why}` : false;

test('a lesson page draws its chart and typesets its math from local copies only', { skip }, async () => {
  if (why) assert.fail(why);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-pages-'));
  const nb = path.join(dir, '01-small.ipynb');
  const cell = (cell_type: string, source: string, id: string) => (cell_type === 'code'
    ? { id, cell_type, metadata: {}, source, outputs: [], execution_count: null }
    : { id, cell_type, metadata: {}, source });
  fs.writeFileSync(nb, JSON.stringify({
    cells: [
      cell('markdown', '# A small page\n\nThe penalty $\\sum_j \\text{KL}(\\rho\\|\\hat\\rho_j)$ and\n\n$$\\hat{x} = g(W h + b)$$', 'm1'),
      cell('code', "import { show, lineFigure } from './sae-lab';\n" +
        "await show(lineFigure([{ name: 'a', y: [3, 1, 2] }], { title: 'one chart', xTitle: 'x', yTitle: 'y' }));", 'c1'),
    ],
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4, nbformat_minor: 5,
  }));
  const out = path.join(dir, 'lesson');
  // files an older kit left in assets/ (MathJax 2, require.js) go; the folder holds one plotly.js
  fs.mkdirSync(path.join(out, 'assets', 'mathjax', 'config'), { recursive: true });
  for (const old of ['require.min.js', 'mathjax/MathJax.js', 'mathjax/config/TeX-AMS_CHTML-full.js']) fs.writeFileSync(path.join(out, 'assets', old), '');
  const [row] = runLesson({ out, notebooks: [nb], log: false });
  assert.equal(row.result!.errors, 0, row.result!.stderr);
  assert.deepEqual(fs.readdirSync(path.join(out, 'assets')).sort(), ['mathjax', 'plotly.min.js']);
  assert.deepEqual(fs.readdirSync(path.join(out, 'assets', 'mathjax')).sort(), ['output', 'tex-chtml-full.js']);
  // the index's overview and the summary's totals
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.deepEqual(summary.lastRun.notebooks, ['01-small']);
  assert.equal(summary.lastRun.seconds, row.result!.seconds);
  assert.equal(summary.course.notebooks, 1);
  assert.ok(fs.readFileSync(path.join(out, 'index.html'), 'utf8').includes('Course total: '));

  const saved = JSON.parse(fs.readFileSync(path.join(out, '01-small.ipynb'), 'utf8'));
  const output = saved.cells[1].outputs.find((o: { output_type: string }) => o.output_type === 'display_data');
  assert.deepEqual(Object.keys(output.data).sort(), ['application/vnd.plotly.v1+json', 'text/html', 'text/plain']);
  const html = fs.readFileSync(path.join(out, '01-small.html'), 'utf8');
  // (assert.ok, not match: a failed match would print the whole page)
  assert.ok(!/plotly\.js v\d/.test(html), 'plotly.js is inlined into the page');
  const sources = [...html.matchAll(/<script[^>]*\ssrc="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(sources, ['assets/plotly.min.js', 'assets/mathjax/tex-chtml-full.js']);
  assert.ok(!/https?:\/\/[^"' ]*\.m?js\b/.test(html), 'the page names a script on the network');
  for (const asset of ['plotly.min.js', 'mathjax/tex-chtml-full.js', 'mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff']) {
    assert.ok(fs.existsSync(path.join(out, 'assets', asset)), `assets/${asset} missing`);
  }
  console.log(`saved notebook: ${fs.statSync(path.join(out, '01-small.ipynb')).size} bytes; page: ${html.length} bytes; ` +
    `chart output: ${Buffer.byteLength(JSON.stringify(output.data))} bytes`);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file://') && !r.url().startsWith('data:')) problems.push(`request left file://: ${r.url()}`);
    });
    await page.goto(`file://${path.join(out, '01-small.html')}`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.querySelector('.sae-plot .main-svg') !== null && document.querySelectorAll('mjx-container').length >= 2,
      null, { timeout: 30_000 }).catch(() => undefined);
    const seen = await page.evaluate(() => ({
      charts: Array.from(document.querySelectorAll('.sae-plot')).filter((e) => e.querySelector('.main-svg')).length,
      math: document.querySelectorAll('mjx-container').length,
      display: document.querySelectorAll('mjx-container[display="true"]').length,
      raw: /\$\\hat\{x\}/.test(document.body.innerText),
    }));
    assert.deepEqual(seen, { charts: 1, math: 2, display: 1, raw: false });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
