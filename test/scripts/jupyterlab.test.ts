/**
 * The kit in the Jupyter a learner uses: JupyterLab 4 and Notebook 7 from the kit's own .venv, each
 * started by the kit's own start code (scripts/start.ts) on a free port with a token, driven in
 * headless Chromium (Debian's, through playwright-core). A copy of notebook 03 (quick mode), with a
 * second, self-contained chart cell (an image grid) and a cell that fails on purpose appended, is
 * run as a learner would, and every chart asked for must draw (a Plotly chart with its .main-svg):
 *
 *   first run, Run All                     -> every chart of the notebook
 *   page reloaded (same kernel), Run All   -> every chart again
 *   a second tab on the same notebook      -> the chart cell run there
 *   saved, kernel restarted, reopened, the first chart's output cleared, the second chart cell run
 *   a handed-out copy, opened untrusted    -> every chart, from the saved outputs
 *   Notebook 7: first run and reload
 *
 * and the page logs no errors and fetches nothing from outside the server. The first run also checks
 * what JupyterLab shows besides charts: the training progress as one display updated in place, the
 * failing cell's message (tslab sends it on stderr), and MathJax in the markdown cells.
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT, jupyterMissing } from '../../scripts/jupyter';
import { RunningJupyter, findJupyter, startJupyter } from '../../scripts/start';

const CHROMIUM = process.env.SAE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'out', 'screenshots');
const inCi = process.env.CI === 'true';

function whyNot(): string | null {
  const missing = jupyterMissing();
  if (missing) return missing;
  const lab = findJupyter('lab');
  if (!lab) return 'JupyterLab is not installed (npm install sets it up in .venv)';
  if (!lab.plotlyRenderer) return `${lab.name} has no Plotly renderer (plotly is not installed beside it)`;
  if (!findJupyter('notebook')) return 'Notebook 7 is not installed (npm install sets it up in .venv)';
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} not found: apt-get install -y chromium`;
  return null;
}
// Locally, a machine without the kit's Jupyter or Chromium still runs the other tests; CI must have both.
const missing = whyNot();
const skip = missing !== null && !inCi ? `skipped: ${missing}` : false;

/** The notebook the browser runs: notebook 03 and two cells after it. */
function labNotebook(): { nb: Record<string, unknown>; charts: number[]; fits: number[]; titles: Record<number, string>; math: boolean; second: number; failing: number } {
  const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', '03-training-loop.ipynb'), 'utf8'));
  const code = (id: string, source: string) => ({ id, cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });
  // Self-contained, so that it draws on a freshly restarted kernel.
  // An image grid: a heatmap whose pixels travel in Plotly's typed-array form (src/plot/show.ts, packArray).
  nb.cells.push(code('sae-test-second-chart', "import * as sae2 from './sae-lab';\n" +
    'const tiles = Array.from({ length: 4 }, (_, k) => Array.from({ length: 784 }, (_, i) => ((i * (k + 1)) % 97) / 97));\n' +
    "await sae2.show(sae2.imageGrid(tiles, { title: 'a second chart', rows: 28, cols: 28 }));"));
  nb.cells.push(code('sae-test-fails', "throw new Error('this cell fails on purpose');"));
  const source = (c: { source: string | string[] }) => ([] as string[]).concat(c.source).join('');
  const indices = (re: RegExp) => nb.cells.flatMap((c: { cell_type: string; source: string }, i: number) => (c.cell_type === 'code' && re.test(source(c)) ? [i] : []));
  const fits = indices(/\bfit\(/);
  // The title each fit's progress display shows (fit(..., { title: '...' })).
  const titles: Record<number, string> = {};
  for (const i of fits) titles[i] = /title:\s*'([^']+)'/.exec(source(nb.cells[i]))?.[1] ?? '';
  const math = nb.cells.some((c: { cell_type: string; source: string }) => c.cell_type === 'markdown' && /\$[^$\s][^$]*\$/.test(source(c)));
  return { nb, charts: indices(/\bshow\(/), fits, titles, math, second: nb.cells.length - 2, failing: nb.cells.length - 1 };
}

/**
 * Helpers installed in every page (plain JavaScript: functions compiled by tsx can't be sent to the
 * page). They reach JupyterLab / Notebook 7 through window.jupyterapp (expose_app_in_browser).
 */
const PAGE_HELPERS = `
window.__sae = {
  panel: function (path) {
    var app = window.jupyterapp;
    if (!app || !app.shell) return null;
    var found = null;
    var it = app.shell.widgets ? app.shell.widgets('main') : [];
    for (var w of it) { if (w.context && w.context.path === path) found = w; }
    if (!found && app.shell.currentWidget && app.shell.currentWidget.context && app.shell.currentWidget.context.path === path) found = app.shell.currentWidget;
    return found;
  },
  ready: function (path) {
    var w = window.__sae.panel(path);
    if (!w || !w.context.isReady || !w.content || w.content.widgets.length === 0) return false;
    var k = w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return !!k && k.status === 'idle' && k.connectionStatus === 'connected';
  },
  /** Charts in the notebook's outputs: how many, how many drew (.main-svg), how many show plotly's saved image. */
  charts: function (path, cell) {
    var w = window.__sae.panel(path);
    var cells = w.content.widgets.filter(function (c, i) { return cell === undefined || i === cell; });
    var r = { outputs: 0, drawn: 0, images: 0, fallback: 0 };
    cells.forEach(function (c) {
      c.node.querySelectorAll('.jp-RenderedPlotly').forEach(function (o) {
        r.outputs++;
        if (o.querySelector('.main-svg')) r.drawn++;
        var img = o.querySelector('img.plot-img');
        if (img && img.style.display !== 'none' && img.naturalWidth > 0) r.images++;
      });
      r.fallback += c.node.querySelectorAll('.jp-RenderedHTMLCommon .sae-plot').length;
    });
    return r;
  },
  outputs: function (path, cell) {
    var w = window.__sae.panel(path);
    return Array.from(w.content.widgets[cell].node.querySelectorAll('.jp-OutputArea-output')).map(function (o) {
      return { mime: (o.getAttribute('data-mime-type') || ''), text: o.textContent, progress: o.querySelectorAll('progress').length };
    });
  },
  run: function (path, command, cell) {
    var w = window.__sae.panel(path);
    if (cell !== undefined) w.content.activeCellIndex = cell;
    // Nothing comes back: a command's result may be a widget, which the page can't serialise.
    return window.jupyterapp.commands.execute(command).then(function () { return null; });
  },
  executed: function (path) {
    var w = window.__sae.panel(path);
    return w.content.widgets.map(function (c) { return c.model.type === 'code' ? c.model.executionCount : null; });
  },
  reveal: function (path, cell) {
    var w = window.__sae.panel(path);
    var c = w && w.content.widgets[cell];
    if (c) { w.content.activeCellIndex = cell; (c.outputArea ? c.outputArea.node : c.node).scrollIntoView({ block: 'center' }); }
  },
  trusted: function (path) {
    var w = window.__sae.panel(path);
    return w.content.widgets.filter(function (c) { return c.model.type === 'code'; }).map(function (c) { return c.model.trusted; });
  },
  mathjax: function (path) {
    var w = window.__sae.panel(path);
    var md = w.node.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown');
    var raw = Array.from(md).filter(function (m) { return /\\$[^$\\s][^$]*\\$/.test(m.textContent); }).length;
    return { typeset: w.node.querySelectorAll('.jp-MarkdownCell mjx-container').length, raw: raw };
  }
};`;

/** A Jupyter of its own (config, settings, workspaces, trust database, runtime files in a temp folder), a browser, pages. */
class Session {
  jupyter!: RunningJupyter;
  browser!: Browser;
  context!: BrowserContext;
  dir!: string;
  root!: string;
  readonly problems: string[] = [];
  readonly log: string[] = [];

  async start(kind: 'lab' | 'notebook', notebooks: Record<string, object>): Promise<void> {
    if (missing) assert.fail(missing);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `sae-lab-${kind}-`));
    this.root = path.join(this.dir, 'notebooks');
    fs.mkdirSync(this.root);
    for (const [name, nb] of Object.entries(notebooks)) fs.writeFileSync(path.join(this.root, name), JSON.stringify(nb, null, 1));
    const config = path.join(this.dir, 'config');
    fs.mkdirSync(config);
    fs.writeFileSync(path.join(config, 'jupyter_server_config.json'), JSON.stringify({
      LabApp: { expose_app_in_browser: true }, JupyterNotebookApp: { expose_app_in_browser: true },
    }));
    const settings = path.join(this.dir, 'settings');
    const setting = (plugin: string, value: object) => {
      const [pkg, name] = plugin.split(':');
      fs.mkdirSync(path.join(settings, pkg), { recursive: true });
      fs.writeFileSync(path.join(settings, pkg, `${name}.jupyterlab-settings`), JSON.stringify(value));
    };
    // Saves happen when the test says so; no news or update checks (no network).
    setting('@jupyterlab/docmanager-extension:plugin', { autosave: false });
    setting('@jupyterlab/apputils-extension:notification', { fetchNews: 'false', checkForUpdates: false });
    const started = Date.now();
    this.jupyter = await startJupyter({
      kind,
      root: this.root,
      env: {
        SAE_QUICK: '1', SAE_CACHE_DIR: path.join(this.dir, 'cache'),
        JUPYTER_CONFIG_DIR: config, JUPYTERLAB_SETTINGS_DIR: settings, JUPYTERLAB_WORKSPACES_DIR: path.join(this.dir, 'workspaces'),
        JUPYTER_DATA_DIR: path.join(this.dir, 'data'), JUPYTER_RUNTIME_DIR: path.join(this.dir, 'runtime'),
      },
    });
    this.log.push(`${this.jupyter.app.name} answered on ${this.jupyter.baseUrl} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const { chromium } = await import('playwright-core');
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    this.context = await this.browser.newContext({ viewport: { width: 1280, height: 1000 } });
    // The token once, in the address, as a learner opens the link Jupyter prints; the cookie does the rest.
    const page = await this.newPage();
    await page.goto(`${this.jupyter.baseUrl}api/status?token=${this.jupyter.token}`);
    await page.close();
  }

  async stop(): Promise<void> {
    for (const line of this.log) console.log(line);
    await this.browser?.close();
    if (this.jupyter) {
      await this.jupyter.stop();
      if (this.problems.length || process.exitCode) console.log(`--- Jupyter's log ---\n${this.jupyter.log().slice(-4000)}`);
    }
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async newPage(): Promise<Page> {
    const page = await this.context.newPage();
    await page.addInitScript(PAGE_HELPERS);
    page.on('console', (m) => { if (m.type() === 'error') this.problems.push(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => this.problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(this.jupyter.baseUrl) && !url.startsWith('data:') && !url.startsWith('blob:')) this.problems.push(`request left the server: ${url}`);
    });
    // JupyterLab asks before leaving a page with unsaved changes (a reload, here): leave.
    page.on('dialog', (d) => { void d.accept(); });
    return page;
  }

  /** Opens a notebook at `url` and waits until its kernel is idle. */
  async open(page: Page, url: string, nb: string): Promise<void> {
    await page.goto(`${this.jupyter.baseUrl}${url}`);
    await waitReady(page, nb);
  }

  noProblems(what: string): void {
    const seen = this.problems.splice(0);
    assert.deepEqual(seen, [], `${what}: ${seen.join('; ')}`);
  }
}

async function waitReady(page: Page, nb: string): Promise<void> {
  await page.waitForFunction((p) => (window as any).__sae.ready(p), nb, { timeout: 120_000, polling: 250 });
}

/** Runs a notebook command (on cell `cell`) and waits until it is done and the kernel is idle. */
async function run(page: Page, nb: string, command: string, cell?: number): Promise<void> {
  await page.evaluate(([p, c, i]) => (window as any).__sae.run(p, c, i ?? undefined), [nb, command, cell ?? null] as const);
  await waitReady(page, nb);
}

interface Charts { outputs: number; drawn: number; images: number; fallback: number }

/**
 * Waits (up to a minute) until the notebook (or one cell) has `expected` charts that drew (a .main-svg;
 * with `images`, plotly's saved image counts too), then counts them.
 */
async function charts(page: Page, nb: string, expected: number, cell?: number, images = false): Promise<Charts> {
  await page.waitForFunction(([p, n, i, img]) => {
    const c = (window as any).__sae.charts(p, i ?? undefined);
    return c.outputs >= n && c.drawn + (img ? c.images : 0) >= n;
  }, [nb, expected, cell ?? null, images] as const, { timeout: 60_000, polling: 250 }).catch(() => undefined);
  return page.evaluate(([p, i]) => (window as any).__sae.charts(p, i ?? undefined), [nb, cell ?? null] as const) as Promise<Charts>;
}

/** A screenshot under out/screenshots/, with cell `cell` of `nb` scrolled into view. */
async function shot(page: Page, name: string, nb?: string, cell?: number): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  if (nb !== undefined && cell !== undefined) {
    await page.evaluate(([p, i]) => (window as any).__sae.reveal(p, i), [nb, cell] as const);
  }
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

const seconds = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

describe('the kit in JupyterLab 4 (headless Chromium)', { skip }, () => {
  const s = new Session();
  const spec = labNotebook();
  const LAB = 'lab.ipynb';
  const HANDOUT = 'handout.ipynb';
  let tabA: Page;
  before(() => s.start('lab', { [LAB]: spec.nb }));
  after(() => s.stop());

  test('Run All draws every chart; the progress updates in place, the error message and math show', async () => {
    tabA = await s.newPage();
    const t = Date.now();
    await s.open(tabA, `lab/tree/${LAB}`, LAB);
    await run(tabA, LAB, 'notebook:run-all-cells');
    const executed = await tabA.evaluate((p) => (window as any).__sae.executed(p), LAB) as (number | null)[];
    spec.charts.concat(spec.fits, [spec.failing]).forEach((i) => assert.equal(typeof executed[i], 'number', `cell ${i} did not run`));
    const c = await charts(tabA, LAB, spec.charts.length);
    await shot(tabA, 'jupyterlab-first-run', LAB, spec.second);
    s.log.push(`JupyterLab, first run: ${c.drawn}/${spec.charts.length} charts drawn (${seconds(t)})`);
    assert.equal(c.outputs, spec.charts.length, 'chart outputs');
    assert.equal(c.drawn, spec.charts.length, 'charts drawn');
    assert.equal(c.fallback, 0, 'JupyterLab shows the HTML fallback instead of the Plotly renderer');
    // Training progress: one display per fit (its title, then a line per epoch), rewritten in place,
    // its progress bar gone once training ended.
    for (const i of spec.fits) {
      const outs = await tabA.evaluate(([p, cell]) => (window as any).__sae.outputs(p, cell), [LAB, i] as const) as { text: string; progress: number }[];
      const title = spec.titles[i];
      assert.ok(title, `cell ${i}: no title in its fit call`);
      const progress = outs.filter((o) => o.text.includes(title));
      assert.equal(progress.length, 1, `cell ${i}: ${progress.length} outputs show "${title}" (expected one, updated in place)`);
      assert.match(progress[0].text.slice(progress[0].text.indexOf(title) + title.length), /epoch \d+/i, `cell ${i}: no epoch line under "${title}"`);
      assert.equal(progress[0].progress, 0, `cell ${i}: the progress bar is still there after training`);
    }
    // The failing cell's message, which tslab sends on stderr.
    const failed = await tabA.evaluate(([p, cell]) => (window as any).__sae.outputs(p, cell), [LAB, spec.failing] as const) as { mime: string; text: string }[];
    assert.ok(failed.some((o) => o.mime === 'application/vnd.jupyter.stderr' && /this cell fails on purpose/.test(o.text)),
      `the failing cell shows no message: ${JSON.stringify(failed)}`);
    const math = await tabA.evaluate((p) => (window as any).__sae.mathjax(p), LAB) as { typeset: number; raw: number };
    if (spec.math) assert.ok(math.typeset > 0, 'no MathJax output in the markdown cells');
    assert.equal(math.raw, 0, `${math.raw} markdown cells still show $...$ source`);
    s.noProblems('JupyterLab, first run');
  });

  test('after a page reload (same kernel), Run All draws every chart again', async () => {
    const t = Date.now();
    await tabA.reload();
    await waitReady(tabA, LAB);
    await run(tabA, LAB, 'notebook:run-all-cells');
    const c = await charts(tabA, LAB, spec.charts.length);
    await shot(tabA, 'jupyterlab-reloaded', LAB, spec.charts[0]);
    s.log.push(`JupyterLab, reloaded page: ${c.drawn}/${spec.charts.length} charts drawn (${seconds(t)})`);
    assert.equal(c.drawn, spec.charts.length);
    s.noProblems('JupyterLab, reloaded page');
  });

  test('a second tab on the same notebook draws the chart it runs', async () => {
    const t = Date.now();
    const tabB = await s.newPage();
    await s.open(tabB, `lab/tree/${LAB}`, LAB);
    await run(tabB, LAB, 'notebook:run-cell', spec.charts[0]);
    const c = await charts(tabB, LAB, 1);
    await shot(tabB, 'jupyterlab-second-tab', LAB, spec.charts[0]);
    s.log.push(`JupyterLab, second tab: ${c.drawn}/1 charts drawn (${seconds(t)})`);
    assert.equal(c.drawn, 1);
    assert.equal((await charts(tabB, LAB, 1, spec.charts[0])).drawn, 1, 'the chart is not in the cell that was run');
    await tabB.close();
    s.noProblems('JupyterLab, second tab');
  });

  test('saved, kernel restarted, reopened, first chart cleared: the second chart cell draws', async () => {
    const t = Date.now();
    await tabA.evaluate(async (p) => {
      const w = (window as any).__sae.panel(p);
      await w.context.save();
      await w.sessionContext.restartKernel();
    }, LAB);
    await waitReady(tabA, LAB);
    s.log.push(`JupyterLab, the notebook saved with outputs (03 and two cells): ${fs.statSync(path.join(s.root, LAB)).size} bytes`);
    // Reopen from disk: close the notebook's tab and open the file again.
    await tabA.evaluate(async (p) => {
      (window as any).__sae.panel(p).dispose();
      await (window as any).jupyterapp.commands.execute('docmanager:open', { path: p });
    }, LAB);
    await waitReady(tabA, LAB);
    const reopened = await charts(tabA, LAB, spec.charts.length, undefined, true);
    assert.equal(reopened.outputs, spec.charts.length, 'the reopened notebook lost chart outputs');
    assert.equal(reopened.drawn + reopened.images, spec.charts.length, `reopened: ${JSON.stringify(reopened)}`);
    await run(tabA, LAB, 'notebook:clear-cell-output', spec.charts[0]);
    await run(tabA, LAB, 'notebook:run-cell', spec.second);
    const c = await charts(tabA, LAB, 1, spec.second);
    await shot(tabA, 'jupyterlab-reopened', LAB, spec.second);
    s.log.push(`JupyterLab, reopened after a restart, first chart cleared: ${c.drawn}/1 charts drawn ` +
      `(on reopening, the saved charts showed as ${reopened.images} saved images + ${reopened.drawn} drawn; ${seconds(t)})`);
    assert.equal(c.drawn, 1);
    assert.equal((await charts(tabA, LAB, 0, spec.charts[0])).outputs, 0, 'the first chart cell was not cleared');
    s.noProblems('JupyterLab, reopened');
  });

  test('a handed-out notebook, opened untrusted, draws every chart from its saved outputs', async () => {
    const t = Date.now();
    // As a notebook from a teacher or another machine: never signed here, and without the images
    // plotly's renderer saved beside each chart, so only the Plotly JSON can draw it.
    const nb = JSON.parse(fs.readFileSync(path.join(s.root, LAB), 'utf8'));
    let kept = 0;
    for (const cell of nb.cells) {
      for (const out of cell.outputs ?? []) {
        if (out.data?.['application/vnd.plotly.v1+json']) { delete out.data['image/png']; kept++; }
      }
    }
    nb.metadata.sae_lab_handout = true;
    fs.writeFileSync(path.join(s.root, HANDOUT), JSON.stringify(nb, null, 1));
    // The command resolves to the widget, which can't be sent back: return nothing.
    await tabA.evaluate(async (p) => { await (window as any).jupyterapp.commands.execute('docmanager:open', { path: p }); }, HANDOUT);
    await tabA.waitForFunction((p) => { const w = (window as any).__sae.panel(p); return w && w.context.isReady && w.content.widgets.length > 0; },
      HANDOUT, { timeout: 60_000 });
    const trusted = await tabA.evaluate((p) => (window as any).__sae.trusted(p), HANDOUT) as boolean[];
    assert.ok(trusted.length > 0 && trusted.every((x) => !x), `the handout is trusted (${trusted})`);
    const c = await charts(tabA, HANDOUT, kept);
    await shot(tabA, 'jupyterlab-untrusted-handout', HANDOUT, spec.second);
    s.log.push(`JupyterLab, untrusted handout: ${c.drawn}/${kept} charts drawn (${seconds(t)})`);
    assert.equal(c.drawn, kept);
    await tabA.close();
    s.noProblems('JupyterLab, untrusted handout');
  });
});

describe('the kit in Notebook 7 (headless Chromium)', { skip }, () => {
  const s = new Session();
  const spec = labNotebook();
  const NB = 'notebook7.ipynb';
  let page: Page;
  before(() => s.start('notebook', { [NB]: spec.nb }));
  after(() => s.stop());

  test('Run All draws every chart', async () => {
    const t = Date.now();
    page = await s.newPage();
    await s.open(page, `notebooks/${NB}`, NB);
    await run(page, NB, 'notebook:run-all-cells');
    const c = await charts(page, NB, spec.charts.length);
    await shot(page, 'notebook7-first-run', NB, spec.charts[0]);
    s.log.push(`Notebook 7, first run: ${c.drawn}/${spec.charts.length} charts drawn (${seconds(t)})`);
    assert.equal(c.drawn, spec.charts.length);
    s.noProblems('Notebook 7, first run');
  });

  test('after a page reload (same kernel), Run All draws every chart again', async () => {
    const t = Date.now();
    await page.reload();
    await waitReady(page, NB);
    await run(page, NB, 'notebook:run-all-cells');
    const c = await charts(page, NB, spec.charts.length);
    await shot(page, 'notebook7-reloaded', NB, spec.second);
    s.log.push(`Notebook 7, reloaded page: ${c.drawn}/${spec.charts.length} charts drawn (${seconds(t)})`);
    assert.equal(c.drawn, spec.charts.length);
    s.noProblems('Notebook 7, reloaded page');
  });
});
