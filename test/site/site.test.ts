/**
 * The browser edition (npm run site, issue 27) in a real browser: the site is built (scripts/site.ts,
 * into a scratch folder), served on 127.0.0.1 by the site's own static server, and opened in headless
 * Chromium (Debian's, through playwright-core). Notebooks 00-06 run in quick mode, cell by cell
 * through JupyterLab's commands, as a learner runs them:
 *   - quick mode is set once, by the first page's address (?SAE_QUICK=1), and the later notebooks
 *     open without it (the setting lasts in the browser's storage);
 *   - every code cell runs and shows no error; every cell that calls show() draws its charts (a
 *     Plotly chart with its .main-svg, by the jupyterlab-plotly renderer); each notebook shows the
 *     quick-mode banner; the course checks print their ✔ lines; notebook 00 says which backend and
 *     data it found; notebook 03's two trainings show their progress display with epoch lines;
 *   - a wrong learner answer (a cell added to notebook 01) shows the check's ✘ line and stops;
 *   - after a reload, the notebook reopens from the browser's storage and its chart cell draws again;
 *   - the page logs no errors, fetches nothing from outside the server, and nothing it asks for is missing.
 * It also logs the training speed in the browser (ms a step of the lesson's KL model on each backend
 * that starts) and the seconds each notebook took.
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as zlib from 'zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT } from '../../scripts/site-kit';
import { buildSite, liteMissing } from '../../scripts/site';
import { SiteServer, serveSite } from '../../scripts/site-serve';

const CHROMIUM = process.env.SAE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'out', 'screenshots');
const inCi = process.env.CI === 'true';
/** SAE_SITE_BENCH=1: also time webgl and webgpu (Chromium with WebGPU on SwiftShader); slow without a GPU, so not in CI by default. */
const BENCH = process.env.SAE_SITE_BENCH === '1';
const NOTEBOOKS = ['00-setup', '01-l1-autoencoder', '02-kl-autoencoder', '03-training-loop', '04-sparsity-analysis', '05-learned-features', '06-full-run'];

function whyNot(): string | null {
  const lite = liteMissing();
  if (lite) return lite;
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} not found: apt-get install -y chromium`;
  try { require.resolve('playwright-core'); } catch { return 'playwright-core is not installed (npm install)'; }
  return null;
}
const missing = whyNot();
const skip = missing !== null && !inCi ? `skipped: ${missing}` : false;

/** Helpers in every page (plain JavaScript), reaching JupyterLab through window.jupyterapp (exposeAppInBrowser). */
const PAGE_HELPERS = `
window.__site = {
  panel: function (p) {
    var app = window.jupyterapp;
    if (!app || !app.shell) return null;
    for (var w of app.shell.widgets('main')) { if (w.context && w.context.path === p) return w; }
    return null;
  },
  ready: function (p) {
    var w = window.__site.panel(p);
    if (!w || !w.context.isReady || !w.content || w.content.widgets.length === 0) return false;
    var k = w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return !!k && k.status === 'idle' && k.connectionStatus === 'connected' && w.sessionContext.kernelDisplayName === 'TypeScript';
  },
  cells: function (p) {
    var w = window.__site.panel(p);
    return w.content.widgets.map(function (c) {
      return { type: c.model.type, source: c.model.sharedModel.getSource(), count: c.model.type === 'code' ? c.model.executionCount : null };
    });
  },
  runCell: function (p, i) {
    var w = window.__site.panel(p);
    w.content.activeCellIndex = i;
    return window.jupyterapp.commands.execute('notebook:run-cell').then(function () { return null; });
  },
  done: function (p, i) {
    var w = window.__site.panel(p);
    var k = w.sessionContext.session.kernel;
    return k.status === 'idle' && w.content.widgets[i].model.executionCount !== null;
  },
  outputs: function (p, i) {
    var w = window.__site.panel(p);
    var c = w.content.widgets[i];
    return {
      outputs: Array.from(c.node.querySelectorAll('.jp-OutputArea-output')).map(function (o) {
        return { mime: o.getAttribute('data-mime-type') || '', text: o.textContent };
      }),
      charts: c.node.querySelectorAll('.jp-RenderedPlotly').length,
      drawn: c.node.querySelectorAll('.jp-RenderedPlotly .main-svg').length === 0 ? 0
        : Array.from(c.node.querySelectorAll('.jp-RenderedPlotly')).filter(function (o) { return o.querySelector('.main-svg'); }).length,
      banner: c.node.querySelectorAll('.sae-quick-banner').length,
      model: c.model.outputs.toJSON().map(function (o) { return o.output_type; })
    };
  },
  insert: function (p, i, source) {
    var w = window.__site.panel(p);
    w.content.model.sharedModel.insertCell(i, { cell_type: 'code', source: source });
    return null;
  },
  leave: function () {
    var app = window.jupyterapp;
    return app.commands.execute('application:close-all').then(function () {
      return app.serviceManager.sessions.shutdownAll();
    }).then(function () { return null; });
  },
  save: function (p) {
    return window.__site.panel(p).context.save().then(function () { return null; });
  }
};`;

interface CellOut { outputs: { mime: string; text: string }[]; charts: number; drawn: number; banner: number; model: string[] }

class Site {
  dir!: string;
  built!: string;
  server!: SiteServer;
  browser!: Browser;
  context!: BrowserContext;
  readonly problems: string[] = [];
  readonly log: string[] = [];

  async start(): Promise<void> {
    if (missing) assert.fail(missing);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-site-'));
    // A results cache filled in Node as the browser trains (wasm+reference), in quick mode: notebook
    // 04 must then find its four models in the site instead of training them.
    const cache = path.join(this.dir, 'cache');
    const t0 = Date.now();
    const filled = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'site-cache.ts')],
      { cwd: ROOT, env: { ...process.env, SAE_QUICK: '1', SAE_CACHE_DIR: cache }, encoding: 'utf8' });
    assert.equal(filled.status, 0, `scripts/site-cache.ts failed: ${filled.stderr}${filled.stdout}`);
    this.log.push(`quick-mode cache filled in Node in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const built = await buildSite(path.join(this.dir, 'site'), (l) => this.log.push(l), cache);
    assert.equal(built.cached.length, 4, `the site holds ${built.cached.length} cached models, expected notebooks 04-06's four`);
    this.log.push(`site built in ${built.seconds.toFixed(1)} s, ${(built.bytes / 1e6).toFixed(1)} MB`);
    this.built = built.dir;
    this.server = await serveSite(built.dir);
    const { chromium } = await import('playwright-core');
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        ...(BENCH ? ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'] : [])],
    });
    this.context = await this.browser.newContext({ viewport: { width: 1280, height: 1000 } });
  }

  async stop(): Promise<void> {
    for (const line of this.log) console.log(line);
    await this.browser?.close();
    await this.server?.close();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async newPage(): Promise<Page> {
    const page = await this.context.newPage();
    await page.addInitScript(PAGE_HELPERS);
    page.on('console', (m) => {
      // Chromium's own line for a failed fetch; the response handler below names the address.
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) this.problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => this.problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(this.server.url) && !/^(data|blob):/.test(url)) this.problems.push(`request left the server: ${url}`);
    });
    page.on('response', (r) => {
      // JupyterLite asks for a few optional files that a plain static site does not have.
      if (r.status() >= 400 && !OPTIONAL.test(new URL(r.url()).pathname)) this.problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    page.on('dialog', (d) => { void d.accept(); });
    return page;
  }

  /** What the page fetched so far: each file once, its bytes and its bytes gzipped (as a host would send them). */
  transfer(): { files: number; bytes: number; gzipped: number } {
    const seen = new Set(this.server.requests);
    let bytes = 0;
    let gzipped = 0;
    for (const p of seen) {
      const file = path.join(this.built, decodeURIComponent(p));
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (!st?.isFile()) continue;
      const data = fs.readFileSync(file);
      bytes += data.length;
      gzipped += zlib.gzipSync(data, { level: 6 }).length;
    }
    return { files: seen.size, bytes, gzipped };
  }

  noProblems(what: string): void {
    const seen = this.problems.splice(0);
    assert.deepEqual(seen, [], `${what}: ${seen.join('; ')}`);
  }
}

/** What JupyterLite probes for and may lack on a static host (its own 404s, not the course's). */
const OPTIONAL = /\/(api\/(translations|settings|contents)[^]*|.*\.ico|.*workspaces[^]*|.*all\.json|.*\/lab\/api\/[^]*)$/;

/**
 * Opens a notebook in `page`, first closing what the page had open and shutting its kernels down
 * (JupyterLab would otherwise restore every notebook opened before, each with its own kernel).
 */
async function open(page: Page, site: Site, nb: string, query = ''): Promise<void> {
  if (page.url().includes('/lab/')) await page.evaluate(() => (window as any).__site.leave());
  await page.goto(`${site.server.url}lab/index.html?path=${nb}${query}`);
  await page.waitForFunction((p) => (window as any).__site.ready(p), nb, { timeout: 120_000, polling: 250 });
}

/** Runs every code cell in order, each once the one before finished; returns the cells' outputs. */
async function runCells(page: Page, nb: string, from = 0): Promise<Map<number, CellOut>> {
  const cells = await page.evaluate((p) => (window as any).__site.cells(p), nb) as { type: string }[];
  const outs = new Map<number, CellOut>();
  for (let i = from; i < cells.length; i++) {
    if (cells[i].type !== 'code') continue;
    await page.evaluate(([p, c]) => (window as any).__site.runCell(p, c), [nb, i] as const);
    await page.waitForFunction(([p, c]) => (window as any).__site.done(p, c), [nb, i] as const, { timeout: 180_000, polling: 100 });
    outs.set(i, await page.evaluate(([p, c]) => (window as any).__site.outputs(p, c), [nb, i] as const) as CellOut);
  }
  return outs;
}

/** Waits until cell `i` has drawn `n` charts (Plotly draws after the output arrives), then reads it. */
async function drawn(page: Page, nb: string, i: number, n: number): Promise<CellOut> {
  await page.waitForFunction(([p, c, k]) => (window as any).__site.outputs(p, c).drawn >= k, [nb, i, n] as const, { timeout: 30_000, polling: 200 }).catch(() => undefined);
  return page.evaluate(([p, c]) => (window as any).__site.outputs(p, c), [nb, i] as const) as Promise<CellOut>;
}

const showCalls = (source: string) => (source.match(/\bshow\(/g) ?? []).length;
const isError = (o: { mime: string }) => o.mime === 'application/vnd.jupyter.stderr' || o.mime === 'application/vnd.jupyter.error';

describe('the browser edition (npm run site) in headless Chromium', { skip, timeout: 600_000 }, () => {
  const site = new Site();
  let page: Page;
  before(() => site.start(), { timeout: 300_000 });
  after(() => site.stop());

  for (const [n, name] of NOTEBOOKS.entries()) {
    test(`${name} runs cell by cell in quick mode: no errors, every chart drawn`, { timeout: 300_000 }, async () => {
      const nb = `${name}.ipynb`;
      if (n === 0) page = await site.newPage();
      const t = Date.now();
      // Quick mode from the first page's address only; the later notebooks inherit it from the browser's storage.
      await open(page, site, nb, n === 0 ? '&SAE_QUICK=1' : '');
      const opened = Date.now();
      const outs = await runCells(page, nb);
      const cells = await page.evaluate((p) => (window as any).__site.cells(p), nb) as { type: string; source: string; count: number | null }[];
      let charts = 0;
      for (const [i, c] of cells.entries()) {
        if (c.type !== 'code') continue;
        assert.equal(typeof c.count, 'number', `${nb} cell ${i} did not run`);
        const out = outs.get(i)!;
        const errors = out.outputs.filter(isError);
        assert.deepEqual(errors.map((e) => e.text.slice(0, 400)), [], `${nb} cell ${i} shows an error`);
        const want = showCalls(c.source);
        // A chart behind an if (notebook 00's Fashion-MNIST, when installed) may rightly not be drawn.
        const optional = /^\s*if \(/m.test(c.source);
        if (want > 0 && !(optional && out.charts === 0)) {
          const now = await drawn(page, nb, i, Math.min(want, 1));
          assert.ok(now.drawn >= 1 && now.drawn === now.charts, `${nb} cell ${i}: ${now.drawn} of ${now.charts} charts drawn (show() called ${want} times in its source)`);
          charts += now.drawn;
        }
        if (/check\.\w+\(/.test(c.source)) {
          assert.ok(out.outputs.some((o) => /✔ \w+: passed \d+ cases/.test(o.text)), `${nb} cell ${i}: no ✔ line from its check: ${JSON.stringify(out.outputs.map((o) => o.text.slice(0, 200)))}`);
        }
      }
      const all = [...outs.values()];
      assert.ok(all.some((o) => o.banner > 0), `${nb}: no quick-mode banner (is quick mode on?)`);
      if (name === '00-setup') {
        const text = all.flatMap((o) => o.outputs.map((x) => x.text)).join('\n');
        assert.match(text, /running on: (wasm|webgl|webgpu|cpu), because/);
        assert.match(text, /sae-lab: TensorFlow\.js backend '\w+' from @tensorflow\/tfjs-backend-\w+ 4\.22\.0 in the browser/);
        assert.match(text, /quick mode: true; notebooks will train on 3000 images/);
        assert.match(text, /train: 60000 images of 28x28, test: 10000/);
        assert.match(text, /first training labels: 5, 0, 4, 1, 9, 2, 1, 3, 1, 4/);
        assert.match(text, /pixel mean 0\.1307, std 0\.3081/);
        const sent = site.transfer();
        site.log.push(`first visit (lab, notebook 00 run in quick mode): ${sent.files} requests, ${(sent.bytes / 1e6).toFixed(1)} MB, ${(sent.gzipped / 1e6).toFixed(1)} MB gzipped`);
        site.log.push(`backend line: ${(text.match(/sae-lab: TensorFlow\.js backend[^\n]*/) ?? [''])[0]}`);
      }
      if (name === '04-sparsity-analysis') {
        const text = all.flatMap((o) => o.outputs.map((x) => x.text)).join('\n');
        assert.match(text, /: 0 trained \(\d+ at a time\) in [\d.]+ s, 4 already in the results cache/,
          `${nb}: the models were not taken from the site's pre-filled results cache`);
      }
      if (name === '03-training-loop') {
        for (const [i, c] of cells.entries()) {
          const title = /\bfit\([^]*?title: '([^']+)'/.exec(c.source)?.[1];
          if (!title) continue;
          const progress = outs.get(i)!.outputs.filter((o) => o.text.includes(title));
          assert.equal(progress.length, 1, `${nb} cell ${i}: ${progress.length} outputs show "${title}" (one display, updated in place)`);
          assert.match(progress[0].text, /Epoch 2 - Total: \d/, `${nb} cell ${i}: no line for the last epoch`);
        }
      }
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `site-${name}.png`) });
      site.log.push(`${name}: opened in ${((opened - t) / 1000).toFixed(1)} s, cells ran in ${((Date.now() - opened) / 1000).toFixed(1)} s, ${charts} charts drawn`);
      site.noProblems(nb);
    });
  }

  test('a wrong learner answer shows the check\'s ✘ line and stops the cell', { timeout: 120_000 }, async () => {
    const nb = '01-l1-autoencoder.ipynb';
    await open(page, site, nb);
    const cells = await page.evaluate((p) => (window as any).__site.cells(p), nb) as { type: string; source: string }[];
    const at = cells.findIndex((c) => /check\.l1Penalty\(/.test(c.source));
    assert.ok(at > 0, 'notebook 01 has no check.l1Penalty cell');
    // The first cell imports the kit; the wrong answer sums instead of averaging.
    await page.evaluate(([p, i]) => (window as any).__site.insert(p, i, 'check.l1Penalty((h: tf.Tensor2D) => tf.sum(tf.abs(h)) as tf.Scalar);'), [nb, at + 1] as const);
    await runCells(page, nb, 0).catch(() => undefined);
    const out = await page.evaluate(([p, i]) => (window as any).__site.outputs(p, i), [nb, at + 1] as const) as CellOut;
    assert.ok(out.outputs.some((o) => /✘ l1Penalty: case "[^"]+" \(.*\): expected .*Hint: /.test(o.text)), `no ✘ line: ${JSON.stringify(out.outputs)}`);
    assert.ok(out.model.includes('error'), `the failed check did not end the cell with an error: ${JSON.stringify(out.model)}`);
    site.problems.splice(0);
  });

  test('the training speed in the browser, per backend that starts (logged)', { timeout: BENCH ? 600_000 : 120_000 }, async () => {
    const nb = '02-kl-autoencoder.ipynb';
    if (!page) page = await site.newPage(); // run alone: --test-name-pattern 'training speed'
    await open(page, site, nb);
    const end = (await page.evaluate((p) => (window as any).__site.cells(p), nb) as unknown[]).length;
    const source = [
      "import { tf as tfb, createModel as cm, createOptimizer as co } from './sae-lab';",
      'const perBackend: Record<string, string> = {};',
      `for (const name of ${JSON.stringify(BENCH ? ['wasm', 'webgl', 'webgpu'] : ['wasm'])}) {`,
      '  if (!(await tfb.setBackend(name).catch(() => false))) { perBackend[name] = "does not start"; continue; }',
      '  try {',
      '  await tfb.ready();',
      "  const m = cm({ sparsity: 'kl', latentDim: 128, sparsityWeight: 0.01, rho: 0.05 }, 1);",
      '  const opt = co(1e-3);',
      '  const x = tfb.randomUniform([128, 784], 0, 1, "float32", 7) as tfb.Tensor2D;',
      '  const times: number[] = [];',
      '  const steps = 10;',
      '  for (let s = 0; s < steps; s++) {',
      '    const t0 = performance.now();',
      '    const { value, grads } = tfb.variableGrads(() => m.losses(x).total, m.variables);',
      '    opt.applyGradients(grads); await value.data(); tfb.dispose([value, ...Object.values(grads)]);',
      '    if (s >= steps / 2) times.push(performance.now() - t0);',
      '  }',
      '  times.sort((a, b) => a - b);',
      '  perBackend[name] = times[Math.floor(times.length / 2)].toFixed(1);',
      '  tfb.dispose(x); opt.dispose(); m.dispose();',
      '  } catch (e) { perBackend[name] = `failed: ${String((e as Error).message ?? e).split("\\n")[0].slice(0, 160)}`; }',
      '}',
      "await tfb.setBackend('wasm');",
      "console.log('ms per step: ' + JSON.stringify(perBackend));",
    ].join('\n');
    await page.evaluate(([p, i, src]) => (window as any).__site.insert(p, i, src), [nb, end, source] as const);
    const outs = await runCells(page, nb, end);
    const text = [...outs.values()].flatMap((o) => o.outputs.map((x) => x.text)).join('\n');
    const line = /ms per step: (\{.*\})/.exec(text);
    assert.ok(line, `no timing line: ${text.slice(0, 2000)}`);
    const ms = JSON.parse(line[1]) as Record<string, string>;
    assert.ok(Number(ms.wasm) > 0, `wasm did not train: ${line[1]}`);
    site.log.push(`ms per training step (lesson's KL model, batch 128, headless Chromium): ${line[1]}`);
    site.problems.splice(0);
  });

  test('after a reload the notebook reopens from the browser\'s storage and draws again', { timeout: 120_000 }, async () => {
    const nb = '00-setup.ipynb';
    await open(page, site, nb);
    await page.evaluate((p) => (window as any).__site.insert(p, 0, '// edited in the browser'), nb);
    await page.evaluate((p) => (window as any).__site.save(p), nb);
    await page.reload();
    await page.waitForFunction((p) => (window as any).__site.ready(p), nb, { timeout: 120_000, polling: 250 });
    const cells = await page.evaluate((p) => (window as any).__site.cells(p), nb) as { type: string; source: string }[];
    assert.equal(cells[0].source, '// edited in the browser', 'the edit did not survive the reload');
    const outs = await runCells(page, nb);
    const chartCell = cells.findIndex((c) => showCalls(c.source) > 0);
    const after = await drawn(page, nb, chartCell, 1);
    assert.equal(after.drawn, 1, `after the reload: ${after.drawn} charts drawn`);
    assert.deepEqual([...outs.values()].flatMap((o) => o.outputs.filter(isError)), []);
    site.noProblems('reload');
  });
});
