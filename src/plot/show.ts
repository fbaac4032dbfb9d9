/**
 * Draws figure specs: inside a tslab notebook as an HTML output (Plotly inlined once per
 * kernel, so the notebook and its HTML export need no network), or into a standalone HTML file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import type { Figure } from './figures';
import { escapeHtml, tslabDisplay, yieldToEventLoop } from '../runtime/progress';
import { writeFileAtomic } from '../store/files';

let plotlySource: string | null = null;
let inlinedInKernel = false;

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

/** The HTML for one chart: a div and the script that draws it once Plotly is there. */
export function figureHtml(fig: Figure, id = `sae-plot-${randomBytes(6).toString('hex')}`): string {
  const config = { displaylogo: false, responsive: true };
  return `<div id="${escapeHtml(id)}" class="sae-plot" style="width:100%;min-height:${Number(fig.layout.height ?? 400)}px"></div>
<script>(function () {
  var draw = function () { window.Plotly.newPlot(${scriptJson(id)}, ${scriptJson(fig.data)}, ${scriptJson(fig.layout)}, ${scriptJson(config)}); };
  if (window.Plotly) { draw(); } else { (window.__saePlotQueue = window.__saePlotQueue || []).push(draw); }
})();</script>`;
}

/** The Plotly library as a script that also draws any chart that was waiting for it. */
export function plotlyLoaderHtml(): string {
  return `<script>${plotlyScript()}
;(function () { var q = window.__saePlotQueue || []; window.__saePlotQueue = []; q.forEach(function (f) { f(); }); })();</script>`;
}

/**
 * Shows a figure in the current notebook cell (Plotly is inlined with the first chart); `await`
 * it. Between outputs it lets the event loop run so the kernel can send a large chart before the
 * next one: tslab fails a cell (with no message) when outputs pile up faster than they leave.
 */
export async function show(fig: Figure): Promise<void> {
  const display = tslabDisplay();
  if (display === null) {
    console.log(`(not in a notebook: figure "${String((fig.layout.title as { text?: string })?.text ?? '')}" not shown; use saveHtml)`);
    return;
  }
  const html = figureHtml(fig) + (inlinedInKernel ? '' : plotlyLoaderHtml());
  for (let attempt = 0; ; attempt++) {
    try {
      display.html(html);
      break;
    } catch (err) {
      if (attempt >= 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  inlinedInKernel = true;
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
