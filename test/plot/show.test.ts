/**
 * show(): one output per chart carrying Plotly's MIME type, the HTML fallback and a line of text,
 * sent through tslab's display hook (faked here); the fallback's loader, in headless Chromium, draws
 * with the page's Plotly, or loads it once from where the Jupyter server serves it (JupyterLab /
 * Notebook 7: <base>static/..., the classic notebook: <base>nbextensions/...), or says why it can't.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import { lineFigure } from '../../src/plot/figures';
import { imageGrid } from '../../src/plot/grid';
import { PACK_MIN, PLOTLY_MIME, PLOTLY_PATHS, figureBundle, figureHtml, packArray, show } from '../../src/plot/show';
import { tslabDisplay } from '../../src/runtime/progress';

const CHROMIUM = process.env.SAE_CHROMIUM ?? '/usr/bin/chromium';
const noChromium = fs.existsSync(CHROMIUM) ? false : `skipped: ${CHROMIUM} not found (apt-get install -y chromium)`;
const fig = () => lineFigure([{ name: 'a', y: [1, 3, 2] }], { title: 'a </script> title', xTitle: 'x', yTitle: 'y' });
/** Four 28 x 28 tiles: a 57 x 57 heatmap with gaps (nulls), packed. */
const grid = () => imageGrid(Array.from({ length: 4 }, (_, k) => Array.from({ length: 784 }, (_, i) => ((i * (k + 1)) % 97) / 97)),
  { title: 'tiles', rows: 28, cols: 28 });

function unpack(p: { dtype: string; bdata: string; shape?: string }): Float32Array {
  assert.equal(p.dtype, 'f4');
  const bytes = Buffer.from(p.bdata, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

interface Sent { data: Record<string, unknown>; transient: { display_id?: string }; update: boolean }

/** Runs `body` with tslab's display hook replaced by one that records what is sent. */
async function withFakeKernel(body: () => Promise<void> | void): Promise<Sent[]> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const jupyter = require('tslab/dist/jupyter');
  const sent: Sent[] = [];
  const before = jupyter.lastWriteDisplayData;
  jupyter.lastWriteDisplayData = (msg: Omit<Sent, 'update'>, update: boolean) => sent.push({ ...msg, update });
  try {
    await body();
  } finally {
    jupyter.lastWriteDisplayData = before;
  }
  return sent;
}

test('show sends one output with Plotly JSON, the HTML fallback and text', async () => {
  const f = fig();
  const sent = await withFakeKernel(() => show(f));
  assert.equal(sent.length, 1, 'one display_data per chart');
  const [msg] = sent;
  assert.equal(msg.update, false);
  assert.deepEqual(Object.keys(msg.data).sort(), [PLOTLY_MIME, 'text/html', 'text/plain'].sort());
  const plotly = msg.data[PLOTLY_MIME] as { data: unknown; layout: unknown; config: unknown };
  assert.deepEqual(plotly.data, f.data);
  assert.deepEqual(plotly.layout, f.layout);
  assert.deepEqual(plotly.config, { displaylogo: false, responsive: true });
  assert.equal(msg.data['text/plain'], '<Plotly chart: a </script> title>');
  const html = msg.data['text/html'] as string;
  assert.match(html, /class="sae-plot"/);
  assert.doesNotMatch(html, /plotly\.js v\d/, 'plotly.js itself is not in the output');
  assert.ok(html.length < 4000, `the HTML fallback of a small chart is ${html.length} bytes`);
  assert.ok(!html.includes('a </script> title'), 'the title closed the script element');
  // The whole output, as nbformat stores it.
  const bytes = Buffer.byteLength(JSON.stringify(msg.data));
  assert.ok(bytes < 6000, `one small chart's output is ${bytes} bytes`);
});

test('outside a kernel, show says so and sends nothing', async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  try {
    await show(fig());
  } finally {
    console.log = log;
  }
  assert.match(lines[0], /not in a notebook: figure "a <\/script> title" not shown; use saveHtml/);
  assert.equal(tslabDisplay(), null);
});

test('a tslab display is shown once, then updated in place under one display_id, in any MIME types', async () => {
  const sent = await withFakeKernel(() => {
    const d = tslabDisplay()!;
    d.html('<b>1</b>');
    d.html('<b>2</b>');
    d.bundle({ 'text/html': '<b>3</b>', 'text/plain': '3' });
  });
  assert.deepEqual(sent.map((m) => m.update), [false, true, true]);
  assert.equal(new Set(sent.map((m) => m.transient.display_id)).size, 1);
  assert.ok(sent[0].transient.display_id);
  assert.deepEqual(sent[2].data, { 'text/html': '<b>3</b>', 'text/plain': '3' });
});

test('the HTML fallback draws in pages that never saw Plotly, loading it once from the server', { skip: noChromium }, async () => {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const plotly = fs.readFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), 'utf8');
  // A line chart and an image grid (packed z with gaps).
  const two = `${figureHtml(fig(), 'p1')}\n${figureHtml(grid(), 'p2')}`;
  const pages: Record<string, string> = {
    // JupyterLab and Notebook 7 put their settings, baseUrl among them, in #jupyter-config-data.
    'lab/page.html': `<html><head><script id="jupyter-config-data" type="application/json">{"baseUrl": "/base/"}</script></head><body>${two}</body></html>`,
    // The classic notebook: data-base-url on <body>; it runs an output's scripts before attaching it.
    'classic/page.html': `<html><head></head><body data-base-url="/base/"><div id="out"></div><script>
      var holder = document.createElement('div'); holder.innerHTML = ${JSON.stringify(two).replace(/<\//g, '<\\/')};
      var scripts = Array.from(holder.querySelectorAll('script')).map(function (s) { return s.textContent; });
      scripts.forEach(function (code) { (0, eval)(code); });
      setTimeout(function () { document.getElementById('out').appendChild(holder); }, 300);
    </script></body></html>`,
    'bare/page.html': `<html><body>${figureHtml(fig(), 'p1')}</body></html>`,
    'with-plotly/page.html': `<html><head><script src="/base/own/plotly.js"></script></head><body>${two}</body></html>`,
  };
  try {
    for (const [name, html] of Object.entries(pages)) {
      const page = await browser.newPage();
      const fetched: string[] = [];
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route('http://sae.test/**', (route) => {
        const url = new URL(route.request().url());
        fetched.push(url.pathname);
        if (url.pathname.endsWith('/page.html')) return route.fulfill({ contentType: 'text/html', body: html });
        if (url.pathname.endsWith('.js')) return route.fulfill({ contentType: 'text/javascript', body: plotly });
        return route.fulfill({ status: 404, body: '' });
      });
      await page.goto(`http://sae.test/${name}`);
      const expected = name === 'bare/page.html' ? 0 : 2;
      if (expected) {
        await page.waitForFunction((n) => Array.from(document.querySelectorAll('.sae-plot')).filter((e) => e.querySelector('.main-svg')).length >= n,
          expected, { timeout: 30_000 }).catch(() => undefined);
      }
      const drawn = await page.$$eval('.sae-plot', (els) => els.filter((e) => e.querySelector('.main-svg')).length);
      const scripts = fetched.filter((p) => p.endsWith('.js'));
      assert.equal(drawn, expected, `${name}: ${drawn} charts drawn (fetched ${fetched.join(', ')})`);
      assert.deepEqual(errors, [], `${name}: ${errors.join('; ')}`);
      if (name === 'lab/page.html') assert.deepEqual(scripts, [`/base/${PLOTLY_PATHS.server}`], 'Plotly loaded once, from the server');
      if (name === 'classic/page.html') assert.deepEqual(scripts, [`/base/${PLOTLY_PATHS.classic}`]);
      if (name === 'with-plotly/page.html') assert.deepEqual(scripts, ['/base/own/plotly.js'], 'the page\'s own Plotly is used');
      if (name === 'bare/page.html') {
        assert.deepEqual(scripts, []);
        assert.match(await page.textContent('.sae-plot') ?? '', /no Plotly to draw it with/);
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
});

test('figureBundle keeps the figure as data (no functions, no typed arrays)', () => {
  for (const f of [fig(), grid()]) {
    const bundle = figureBundle(f, 'id1');
    const round = JSON.parse(JSON.stringify(bundle));
    assert.deepEqual(round[PLOTLY_MIME], bundle[PLOTLY_MIME]);
  }
});

test('big numeric arrays are stored in Plotly\'s typed-array form (float32, base64), the rest as they are', () => {
  const g = grid();
  const z = g.data[0].z as (number | null)[][];
  const packed = packArray(z) as { dtype: string; bdata: string; shape: string };
  assert.equal(packed.shape, `${z.length}, ${z[0].length}`);
  const values = unpack(packed);
  assert.equal(values.length, z.length * z[0].length);
  z.flat().forEach((v, i) => {
    if (v === null) assert.ok(Number.isNaN(values[i]), `gap ${i}`);
    else assert.ok(Math.abs(values[i] - v) <= 1e-7 * Math.max(1, Math.abs(v)), `value ${i}: ${values[i]} vs ${v}`);
  });
  const line = Array.from({ length: PACK_MIN }, (_, i) => i / 3);
  assert.deepEqual(Array.from(unpack(packArray(line) as never)), Array.from(Float32Array.from(line)));
  // Left alone: small, text, mixed, ragged, out of float32's range.
  const small = [1, 2, 3];
  assert.equal(packArray(small), small);
  for (const v of [Array(PACK_MIN).fill('a'), [...line, 'x'], [line, line.slice(1)], [...line, 1e39], [...line, 1e-40]]) assert.equal(packArray(v), v);
  // In the bundle, the heatmap's z is packed in both representations; the label trace keeps its text.
  const bundle = figureBundle(g);
  const traces = (bundle[PLOTLY_MIME] as { data: Record<string, unknown>[] }).data;
  assert.equal((traces[0].z as { dtype: string }).dtype, 'f4');
  assert.deepEqual(traces[1].text, g.data[1].text);
  assert.match(bundle['text/html'] as string, /"bdata":"/);
  // A saved notebook stores JSON indented (nbformat: indent 1), one number per line.
  const before = Buffer.byteLength(JSON.stringify(g.data, null, 1));
  const after = Buffer.byteLength(JSON.stringify(traces, null, 1));
  assert.ok(after < before / 2, `packing: ${before} -> ${after} bytes`);
});
