/**
 * Plotly figure specs built from plain arrays. Nothing here touches tensors or the DOM:
 * a figure is data + layout that a test can inspect and `show` can draw.
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

export interface GridOptions {
  title: string;
  /** image height and width (28 x 28 for MNIST) */
  rows: number;
  cols: number;
  /** images per grid row */
  perRow?: number;
  /** text shown on hover over each image */
  labels?: string[];
  /** one label per grid row, written at its left (e.g. the model or setting each row shows) */
  rowLabels?: string[];
  /**
   * colour range shared by all tiles; by default the min..max over all images. A signed grid (a value
   * or zmin below 0) gets a range symmetric around 0, a diverging scale and a colour bar.
   */
  zmin?: number;
  zmax?: number;
  /** a Plotly colorscale name, or [position, colour] stops (default: Greys, or DIVERGING for a signed grid) */
  colorscale?: string | [number, string][];
}

/** The smallest side of a tile on screen, in CSS pixels (a 28 x 28 digit at 2 px per pixel). */
export const MIN_TILE_PX = 56;
/** Screen pixels per image pixel are chosen so that the grid is about this wide, within [MIN_TILE_PX, 6 px per pixel]. */
const GRID_TARGET_WIDTH = 900;
/** Room for a colour bar at the right, and for row labels at the left (per character of the longest). */
const COLORBAR_MARGIN = 100;
const LABEL_CHAR_PX = 7;

/**
 * Many small images as one tiled heatmap (one trace, so 1000 tiles stay fast), with a
 * one-pixel gap between tiles. Each tile's label shows on hover through a second, invisible
 * scatter trace with one point per tile (per-pixel labels would make the page megabytes bigger).
 * The figure's size is fixed from the tiles (each at least MIN_TILE_PX on its smaller side), and
 * both axes' ranges are set, so the hover markers cannot widen them and shrink the tiles.
 */
export function imageGrid(images: ArrayLike<number>[], options: GridOptions): Figure {
  const { rows, cols } = options;
  const n = images.length;
  const perRow = options.perRow ?? Math.ceil(Math.sqrt(n));
  const gridRows = Math.ceil(n / perRow);
  if (options.rowLabels && options.rowLabels.length !== gridRows) {
    throw new Error(`GridOptions.rowLabels has ${options.rowLabels.length} labels, expected ${gridRows} (one per grid row: ${n} images, ${perRow} per row)`);
  }
  const height = gridRows * (rows + 1) - 1;
  const width = perRow * (cols + 1) - 1;
  const z: (number | null)[][] = [];
  for (let r = 0; r < height; r++) z.push(new Array(width).fill(null));
  let lo = Infinity;
  let hi = -Infinity;
  const centers = { x: [] as number[], y: [] as number[], text: [] as string[] };
  images.forEach((img, k) => {
    if (img.length !== rows * cols) throw new Error(`image ${k} has ${img.length} values, expected ${rows * cols}`);
    const top = Math.floor(k / perRow) * (rows + 1);
    const left = (k % perRow) * (cols + 1);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = img[r * cols + c];
        z[top + r][left + c] = Math.round(v * 1e4) / 1e4;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    centers.x.push(left + (cols - 1) / 2);
    centers.y.push(top + (rows - 1) / 2);
    centers.text.push(options.labels?.[k] ?? `#${k}`);
  });
  let zmin = options.zmin ?? lo;
  let zmax = options.zmax ?? hi;
  const signed = zmin < 0;
  if (signed) {
    const m = Math.max(Math.abs(zmin), Math.abs(zmax));
    [zmin, zmax] = [-m, m];
  }
  const colorscale = options.colorscale ?? (signed ? DIVERGING : 'Greys');
  const px = Math.max(MIN_TILE_PX / Math.min(rows, cols), Math.min(6, Math.floor(GRID_TARGET_WIDTH / width)));
  const longest = Math.max(0, ...(options.rowLabels ?? []).map((l) => l.length));
  const margin = { t: 50, r: signed ? COLORBAR_MARGIN : 20, b: 20, l: options.rowLabels ? 30 + LABEL_CHAR_PX * longest : 20 };
  const rowCenters = Array.from({ length: gridRows }, (_, r) => r * (rows + 1) + (rows - 1) / 2);
  return {
    data: [{
      type: 'heatmap',
      z,
      hoverinfo: 'skip',
      colorscale,
      reversescale: colorscale === 'Greys',
      zmin,
      zmax,
      showscale: signed,
      ...(signed ? { colorbar: { thickness: 14, outlinewidth: 0, x: 1, xanchor: 'left', xpad: 10 } } : {}),
    }, {
      type: 'scatter',
      mode: 'markers',
      x: centers.x,
      y: centers.y,
      text: centers.text,
      hovertemplate: '%{text}<extra></extra>',
      marker: { symbol: 'square', size: cols * px, opacity: 0 },
      showlegend: false,
    }],
    layout: {
      title: { text: options.title },
      width: Math.ceil(width * px) + margin.l + margin.r,
      height: Math.ceil(height * px) + margin.t + margin.b,
      margin,
      xaxis: { visible: false, constrain: 'domain', range: [-0.5, width - 0.5] },
      yaxis: options.rowLabels
        ? { range: [height - 0.5, -0.5], scaleanchor: 'x', constrain: 'domain', tickmode: 'array', tickvals: rowCenters,
          ticktext: options.rowLabels, ticks: '', ticklabelstandoff: 6, showgrid: false, zeroline: false, showline: false }
        : { visible: false, range: [height - 0.5, -0.5], scaleanchor: 'x', constrain: 'domain' },
      plot_bgcolor: '#ffffff',
      hovermode: 'closest',
    },
  };
}

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

/**
 * Part 5: decoded features, one tile per unit; hover shows the unit's index and, when
 * given, its lifetime sparsity.
 */
export function featureGrid(images: ArrayLike<number>[], units: number[], lifetime?: ArrayLike<number>, title = 'Learned features (decoded one-hot codes)'): Figure {
  const labels = units.map((j) => (lifetime ? `unit ${j}, active on ${(100 * lifetime[j]).toFixed(1)}% of images` : `unit ${j}`));
  return imageGrid(images, { title, rows: 28, cols: 28, labels, perRow: Math.min(16, images.length) });
}

/** Originals (top row) above their reconstructions (bottom row). */
export function reconstructionGrid(originals: ArrayLike<number>[], reconstructions: ArrayLike<number>[], title = 'Originals (top) and reconstructions (bottom)'): Figure {
  const n = originals.length;
  const labels = [...originals.map((_, i) => `image ${i}: original`), ...reconstructions.map((_, i) => `image ${i}: reconstruction`)];
  return imageGrid([...originals, ...reconstructions], {
    title, rows: 28, cols: 28, perRow: n, labels, zmin: 0, zmax: 1, rowLabels: ['original', 'reconstruction'],
  });
}

/** A heatmap of a [rows, cols] row-major matrix, with row and column labels. */
export function heatmapFigure(values: ArrayLike<number>, rows: string[], cols: string[], title: string, colorbar = 'value'): Figure {
  if (values.length !== rows.length * cols.length) throw new Error(`heatmap: ${values.length} values for ${rows.length} x ${cols.length}`);
  const z = rows.map((_, r) => Array.from({ length: cols.length }, (_, c) => values[r * cols.length + c]));
  return {
    data: [{ type: 'heatmap', z, x: cols, y: rows, colorscale: 'Viridis', colorbar: { title: { text: colorbar } },
      hovertemplate: '%{y}, %{x}: %{z:.3f}<extra></extra>' }],
    layout: { title: { text: title }, height: 140 + 22 * rows.length, margin: { t: 50, r: 20, b: 50, l: 80 },
      xaxis: { type: 'category', title: { text: '' } }, yaxis: { type: 'category', autorange: 'reversed' } },
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
