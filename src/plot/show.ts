/**
 * Draws figure specs: inside a tslab notebook as one output that carries the figure twice, as
 * Plotly's own MIME type (drawn by JupyterLab, Notebook 7 and VS Code from the saved JSON, trusted
 * or not) and as an HTML fallback (the classic notebook, nbconvert's pages) that loads Plotly itself
 * when the page has none; or into a standalone HTML file with Plotly inlined.
 * environment.md ("Charts") has the measurements behind this.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import type { Figure } from './figures';
import { escapeHtml, tslabDisplay, yieldToEventLoop } from '../runtime/progress';
import { writeFileAtomic } from '../store/files';

let plotlySource: string | null = null;

/** Plotly's MIME type: {data, layout, config}, drawn by the jupyterlab-plotly renderer (pip package plotly). */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** Plotly's options for every chart. */
export const PLOT_CONFIG = Object.freeze({ displaylogo: false, responsive: true });

/**
 * Where the HTML fallback looks for Plotly when the page has none, relative to the Jupyter server's
 * base URL: the classic notebook serves .jupyter/share/jupyter/nbextensions (it is on JUPYTER_PATH),
 * and `npm start` adds the same folder to the server's static files (scripts/jupyter.ts, PLOTLY_ASSET).
 */
export const PLOTLY_PATHS = Object.freeze({ classic: 'nbextensions/sae-lab/plotly.min.js', server: 'static/sae-lab/plotly.min.js' });

/** The plotly.js bundle from `plotly.js-dist-min`, read once. */
export function plotlyScript(): string {
  if (plotlySource === null) {
    const file = require.resolve('plotly.js-dist-min/plotly.min.js');
    // Guard the inline <script> against an early close.
    plotlySource = fs.readFileSync(file, 'utf8').replace(/<\/script/gi, '<\\/script');
  }
  return plotlySource;
}

/** JSON that is safe inside a <script> element (no "</script>", no HTML comment openers). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/**
 * The page-side loader every chart's HTML carries (minified by hand: it is in every output).
 * `draw` runs once Plotly is there and the chart's div is in the document (the classic notebook
 * runs an output's scripts before it attaches the output). Plotly comes from, in order: the page
 * (window.Plotly: a lesson page, a standalone page, an earlier chart), else the Jupyter server
 * (PLOTLY_PATHS, loaded once per page; charts waiting meanwhile queue up), else the div says why
 * it stays empty.
 */
const LOADER = `function(id,draw){` +
  `var w=window,d=document,t=0;` +
  `function go(){var el=d.getElementById(id);if(!el){if(t++<200)setTimeout(go,50);return;}` +
  `if(w.Plotly&&w.Plotly.newPlot){draw(el);return;}` +
  `(w.__saePlotQueue=w.__saePlotQueue||[]).push(function(){draw(el);});` +
  `if(d.querySelector('script[data-sae-plotly]'))return;` +
  `var base=null,c=d.getElementById('jupyter-config-data'),p=${scriptJson(PLOTLY_PATHS.server)};` +
  `if(c){try{base=JSON.parse(c.textContent).baseUrl||'/';}catch(e){}}` +
  `else if(d.body&&d.body.getAttribute('data-base-url')!==null){base=d.body.getAttribute('data-base-url')||'/';p=${scriptJson(PLOTLY_PATHS.classic)};}` +
  `if(base===null){el.textContent='(a Plotly chart: this page has no Plotly to draw it with)';return;}` +
  `var s=d.createElement('script');s.setAttribute('data-sae-plotly','');s.src=base.replace(/\\/?$/,'/')+p;` +
  `s.onload=function(){var q=w.__saePlotQueue||[];w.__saePlotQueue=[];q.forEach(function(f){f();});};` +
  `s.onerror=function(){el.textContent='(a Plotly chart: Plotly could not be loaded from '+s.src+')';};` +
  `d.head.appendChild(s);}go();}`;

/** Arrays with fewer numbers than this stay plain JSON. */
export const PACK_MIN = 256;
const PACKED_KEYS = ['x', 'y', 'z'];

/**
 * A big numeric array (1-D, or 2-D and rectangular; numbers and nulls) in Plotly's typed-array
 * form {dtype: 'f4', bdata: base64, shape}: what plotly.py 6 writes for numpy arrays, read by
 * plotly.js 2.28 and later (so by JupyterLab's renderer and the kit's plotly.js 4). A null (a gap
 * in an image grid) becomes NaN, which Plotly also draws as a gap. float32 keeps 7 significant
 * digits (the figures round to 4). Anything else is returned as it is.
 */
export function packArray(value: unknown): unknown {
  if (!Array.isArray(value) || value.length === 0) return value;
  const twoD = Array.isArray(value[0]);
  const width = twoD ? (value[0] as unknown[]).length : value.length;
  if (twoD && (width === 0 || !value.every((row) => Array.isArray(row) && row.length === width))) return value;
  const count = twoD ? value.length * width : value.length;
  if (count < PACK_MIN) return value;
  const packed = new Float32Array(count);
  let i = 0;
  for (const row of (twoD ? value : [value]) as unknown[][]) {
    for (const v of row) {
      if (v === null) packed[i++] = NaN;
      else if (typeof v === 'number' && Number.isFinite(v) && (v === 0 || (Math.abs(v) < 3e38 && Math.abs(v) > 1e-30))) packed[i++] = v;
      else return value;
    }
  }
  const bdata = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).toString('base64');
  return twoD ? { dtype: 'f4', bdata, shape: `${value.length}, ${width}` } : { dtype: 'f4', bdata };
}

/** The figure's traces with their big x, y and z arrays packed (packArray). */
export function packedData(fig: Figure): Record<string, unknown>[] {
  return fig.data.map((trace) => {
    const out: Record<string, unknown> = { ...trace };
    for (const key of PACKED_KEYS) if (key in out) out[key] = packArray(out[key]);
    return out;
  });
}

/** The HTML for one chart: a div and the script that draws it once Plotly is there. */
export function figureHtml(fig: Figure, id = `sae-plot-${randomBytes(6).toString('hex')}`): string {
  return `<div id="${escapeHtml(id)}" class="sae-plot" style="width:100%;min-height:${Number(fig.layout.height ?? 400)}px"></div>
<script>(${LOADER})(${scriptJson(id)},function(el){window.Plotly.newPlot(el,${scriptJson(packedData(fig))},${scriptJson(fig.layout)},${scriptJson(PLOT_CONFIG)});});</script>`;
}

/** The chart's title, for text-only frontends. */
function titleOf(fig: Figure): string {
  const title = fig.layout.title as { text?: unknown } | string | undefined;
  return String((typeof title === 'string' ? title : title?.text) ?? '');
}

/**
 * One chart as a display_data bundle: Plotly's MIME type (preferred where a renderer for it exists:
 * JupyterLab and Notebook 7 with plotly installed, VS Code), the HTML fallback, and a line of text.
 */
export function figureBundle(fig: Figure, id?: string): Record<string, unknown> {
  const title = titleOf(fig);
  return {
    [PLOTLY_MIME]: { data: packedData(fig), layout: fig.layout, config: PLOT_CONFIG },
    'text/html': figureHtml(fig, id),
    'text/plain': `<Plotly chart${title ? `: ${title}` : ''}>`,
  };
}

/** The Plotly library as a script that also draws any chart that was waiting for it. */
export function plotlyLoaderHtml(): string {
  return `<script>${plotlyScript()}
;(function () { var q = window.__saePlotQueue || []; window.__saePlotQueue = []; q.forEach(function (f) { f(); }); })();</script>`;
}

/**
 * Shows a figure in the current notebook cell as one output (figureBundle); `await` it. Between
 * outputs it lets the event loop run so the kernel can send a large chart before the next one:
 * tslab fails a cell (with no message) when outputs pile up faster than they leave.
 */
export async function show(fig: Figure): Promise<void> {
  const display = tslabDisplay();
  if (display === null) {
    console.log(`(not in a notebook: figure "${titleOf(fig)}" not shown; use saveHtml)`);
    return;
  }
  const bundle = figureBundle(fig);
  for (let attempt = 0; ; attempt++) {
    try {
      display.bundle(bundle);
      break;
    } catch (err) {
      if (attempt >= 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  await yieldToEventLoop();
}

/** Writes figures as one standalone HTML page (Plotly inlined), atomically. */
export function saveHtml(file: string, figures: Figure[], title = 'sae-lab'): void {
  const escapedTitle = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const body = figures.map((f) => figureHtml(f)).join('\n');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapedTitle}</title></head>
<body>${plotlyLoaderHtml()}
${body}
</body></html>
`;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileAtomic(file, html);
}
