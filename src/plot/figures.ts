/**
 * Plotly figure specs built from plain arrays: lines, bars, heatmaps and histograms (grid.ts
 * tiles images). Nothing here touches tensors or the DOM: a figure is data + layout that a test
 * can inspect and `show` can draw.
 */
import type { History } from '../core/train';
import { histogram, Histogram } from '../data/histogram';
import type { SparsityReport } from '../core/analysis';
import { logAxis } from './ticks';

export interface Figure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

export interface Series {
  name: string;
  y: ArrayLike<number>;
  x?: ArrayLike<number>;
  /** hover text per point, also written next to the markers */
  text?: string[];
}

export interface LineOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  /** log axes, their ticks labelled with plain values (64 ... 1024, 0.001): see logTicks */
  logY?: boolean;
  logX?: boolean;
}

const axis = (text: string, extra: Record<string, unknown> = {}) => ({ title: { text }, ...extra });

/** Lines, one per series, sharing the x axis. */
export function lineFigure(series: Series[], options: LineOptions): Figure {
  const data = series.map((s) => ({
    type: 'scatter',
    mode: s.text ? 'lines+markers+text' : 'lines+markers',
    name: s.name,
    x: Array.from(s.x ?? Array.from({ length: s.y.length }, (_, i) => i + 1)),
    y: Array.from(s.y),
    ...(s.text ? { text: s.text, textposition: 'top right' } : {}),
  }));
  return {
    data,
    layout: {
      title: { text: options.title },
      xaxis: axis(options.xTitle, options.logX ? logAxis(data.flatMap((d) => d.x)) : {}),
      yaxis: axis(options.yTitle, options.logY ? logAxis(data.flatMap((d) => d.y)) : {}),
      height: 380,
      margin: { t: 50, r: 20, b: 50, l: 70 },
    },
  };
}

/**
 * Loss curves per epoch: total, reconstruction and (unweighted) sparsity, one panel each,
 * for one or several named runs.
 */
export function lossCurves(runs: Record<string, History>, title = 'Training losses per epoch'): Figure {
  const panels: [keyof History[number], string][] = [
    ['total', 'total loss'],
    ['reconstruction', 'reconstruction MSE'],
    ['sparsity', 'sparsity penalty'],
  ];
  const names = Object.keys(runs);
  const data: Record<string, unknown>[] = [];
  panels.forEach(([key], p) => {
    names.forEach((name, r) => {
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name,
        legendgroup: name,
        showlegend: p === 0,
        line: { color: PALETTE[r % PALETTE.length] },
        x: runs[name].map((e) => e.epoch),
        y: runs[name].map((e) => e[key] as number),
        xaxis: p === 0 ? 'x' : `x${p + 1}`,
        yaxis: p === 0 ? 'y' : `y${p + 1}`,
      });
    });
  });
  const layout: Record<string, unknown> = {
    title: { text: title },
    grid: { rows: 1, columns: 3, pattern: 'independent' },
    height: 360,
    margin: { t: 60, r: 20, b: 50, l: 60 },
  };
  panels.forEach(([, label], p) => {
    const suffix = p === 0 ? '' : String(p + 1);
    layout[`xaxis${suffix}`] = axis('epoch');
    layout[`yaxis${suffix}`] = axis(label);
  });
  return { data, layout };
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/** Bars of a histogram, for one panel of a subplot grid. */
function histogramBars(h: Histogram, name: string, panel: number, color: string): Record<string, unknown> {
  const centers = h.counts.map((_, i) => (h.edges[i] + h.edges[i + 1]) / 2);
  return {
    type: 'bar', name, x: centers, y: h.counts, width: h.edges[1] - h.edges[0],
    marker: { color }, showlegend: false,
    xaxis: panel === 0 ? 'x' : `x${panel + 1}`, yaxis: panel === 0 ? 'y' : `y${panel + 1}`,
    hovertemplate: '%{x:.3f}: %{y}<extra></extra>',
  };
}

/**
 * Part 4's three histograms: population sparsity per sample, lifetime sparsity per unit, and
 * the distribution of all activations (log y axis, so the rare large values stay visible).
 */
export function sparsityHistograms(report: SparsityReport, activations: ArrayLike<number>, title = 'Sparsity analysis'): Figure {
  const data = [
    histogramBars(histogram(report.populationPerSample, 50, [0, 1]), 'population', 0, PALETTE[0]),
    histogramBars(histogram(report.lifetimePerUnit, 50, [0, 1]), 'lifetime', 1, PALETTE[2]),
    histogramBars(histogram(activations, 100), 'activations', 2, PALETTE[3]),
  ];
  const t = report.threshold;
  return {
    data,
    layout: {
      title: { text: title },
      grid: { rows: 1, columns: 3, pattern: 'independent' },
      height: 360,
      margin: { t: 70, r: 20, b: 60, l: 60 },
      bargap: 0,
      xaxis: axis(`fraction of units > ${t} (per sample)`), yaxis: axis('samples'),
      xaxis2: axis(`fraction of samples with unit > ${t}`), yaxis2: axis('units'),
      xaxis3: axis('activation'), yaxis3: axis('count (log)', logAxis(data[2].y as number[])),
      annotations: [
        ['Population sparsity (per sample)', 0.14], ['Lifetime sparsity (per unit)', 0.5], ['Activation distribution', 0.86],
      ].map(([text, x]) => ({ text, x, y: 1.08, xref: 'paper', yref: 'paper', showarrow: false, xanchor: 'center' })),
    },
  };
}

/** A heatmap of a [rows, cols] row-major matrix, with row and column labels. */
export function heatmapFigure(values: ArrayLike<number>, rows: string[], cols: string[], title: string, colorbar = 'value',
  xTitle = ''): Figure {
  if (values.length !== rows.length * cols.length) throw new Error(`heatmap: ${values.length} values for ${rows.length} x ${cols.length}`);
  const z = rows.map((_, r) => Array.from({ length: cols.length }, (_, c) => values[r * cols.length + c]));
  return {
    data: [{ type: 'heatmap', z, x: cols, y: rows, colorscale: 'Viridis', colorbar: { title: { text: colorbar } },
      hovertemplate: '%{y}, %{x}: %{z:.3f}<extra></extra>' }],
    layout: { title: { text: title }, height: 140 + 22 * rows.length, margin: { t: 50, r: 20, b: 50, l: 80 },
      xaxis: { type: 'category', title: { text: xTitle } }, yaxis: { type: 'category', autorange: 'reversed' } },
  };
}

/** Grouped bars: one group per category (x), one bar per series. */
export function barFigure(categories: string[], series: Series[], options: LineOptions): Figure {
  return {
    data: series.map((s, i) => ({ type: 'bar', name: s.name, x: categories, y: Array.from(s.y), marker: { color: PALETTE[i % PALETTE.length] } })),
    layout: {
      title: { text: options.title }, barmode: 'group', height: 380, margin: { t: 50, r: 20, b: 50, l: 70 },
      xaxis: { ...axis(options.xTitle), type: 'category' },
      yaxis: axis(options.yTitle, options.logY ? logAxis(series.flatMap((s) => Array.from(s.y))) : {}),
    },
  };
}

/** Blue (negative) - white (0) - red (positive), for signed images. */
export const DIVERGING: [number, string][] = [[0, '#2166ac'], [0.5, '#f7f7f7'], [1, '#b2182b']];
