/**
 * Figures of the toy model of superposition (notebook 15), one small panel per instance: each
 * feature's direction in a 2-dimensional hidden space, the Gram matrices W^T W, feature norms
 * coloured by interference (ARENA's / Anthropic's bars), and the dimensions per feature against
 * sparsity. Plain arrays in (a W is a row-major [m, n] Matrix, column i feature i), specs out.
 */
import type { Matrix } from '../data/matrix';
import { DIVERGING, Figure, PALETTE } from './figures';
import { logAxis } from './ticks';

/** Axis names of panel k: 'x', 'x2', ... for traces and 'xaxis', 'xaxis2', ... for the layout. */
function axes(k: number): { x: string; y: string; xKey: string; yKey: string } {
  const s = k === 0 ? '' : String(k + 1);
  return { x: `x${s}`, y: `y${s}`, xKey: `xaxis${s}`, yKey: `yaxis${s}` };
}

type AxisOf = (k: number, bottom: boolean) => Record<string, unknown>;

/**
 * Layout entries of one panel per label in rows of `perRow`: each panel's axes on its own domain
 * (xAxis and yAxis of its index, and whether it is in the bottom row, merged in) and its title as
 * an annotation above it; `gap` is the share of the figure between panels, both ways.
 */
function panelLayout(labels: string[], perRow: number, xAxis: AxisOf, yAxis: AxisOf, gap = 0.04):
  { layout: Record<string, unknown>; rows: number } {
  const rows = Math.ceil(labels.length / perRow);
  const layout: Record<string, unknown> = {};
  const annotations: Record<string, unknown>[] = [];
  labels.forEach((label, k) => {
    const [r, c] = [Math.floor(k / perRow), k % perRow];
    const x = [c / perRow + gap / 2, (c + 1) / perRow - gap / 2];
    const y = [1 - (r + 1) / rows + gap, 1 - r / rows - gap];
    const a = axes(k);
    const bottom = r === rows - 1;
    layout[a.xKey] = { ...xAxis(k, bottom), domain: x, anchor: a.y };
    layout[a.yKey] = { ...yAxis(k, bottom), domain: y, anchor: a.x };
    annotations.push({ text: label, x: (x[0] + x[1]) / 2, y: y[1], xref: 'paper', yref: 'paper',
      xanchor: 'center', yanchor: 'bottom', showarrow: false, font: { size: 12 } });
  });
  layout.annotations = annotations;
  return { layout, rows };
}

/**
 * Each instance's n feature directions in its 2-dimensional hidden space: one arrow (a line from
 * the origin, a marker at its tip) per column of W [2, n], one panel per instance, equal axes.
 */
export function directionsFigure(weights: readonly Matrix[], labels: string[], title: string, perRow = 4): Figure {
  if (weights.length !== labels.length) throw new Error(`directionsFigure: ${weights.length} instances but ${labels.length} labels`);
  if (weights.some((w) => w.rows !== 2)) throw new Error('directionsFigure: every W must have 2 rows (a 2-dimensional hidden space)');
  const n = weights[0]?.cols ?? 0;
  let reach = 1;
  const data = weights.flatMap((w, k) => Array.from({ length: w.cols }, (_, i) => {
    const [x, y] = [w.data[i], w.data[w.cols + i]];
    reach = Math.max(reach, Math.hypot(x, y));
    const color = PALETTE[i % PALETTE.length];
    return { type: 'scatter', mode: 'lines+markers', name: `feature ${i}`, legendgroup: `feature ${i}`, showlegend: k === 0,
      x: [0, x], y: [0, y], line: { color, width: 2 }, marker: { color, size: [0, 9] },
      xaxis: axes(k).x, yaxis: axes(k).y, hovertemplate: `feature ${i}: (%{x:.3f}, %{y:.3f})<extra>${labels[k]}</extra>` };
  }));
  const range = [-1.1 * reach, 1.1 * reach];
  const plain = { range, zeroline: true, showticklabels: false, showgrid: false };
  const { layout, rows } = panelLayout(labels, perRow, () => plain, (k) => ({ ...plain, scaleanchor: axes(k).x }));
  return { data, layout: { ...layout, title: { text: title }, height: 60 + 230 * rows, margin: { t: 70, r: 20, b: 20, l: 20 },
    legend: { title: { text: `${n} features` } } } };
}

/** W^T W [n, n] of every instance as a heatmap, one panel each, on one diverging scale symmetric around 0. */
export function gramFigure(grams: readonly Matrix[], labels: string[], title: string, perRow = 5): Figure {
  if (grams.length !== labels.length) throw new Error(`gramFigure: ${grams.length} matrices but ${labels.length} labels`);
  let top = 0;
  for (const g of grams) for (let t = 0; t < g.data.length; t++) top = Math.max(top, Math.abs(g.data[t]));
  const data = grams.map((g, k) => ({
    type: 'heatmap',
    z: Array.from({ length: g.rows }, (_, r) => Array.from({ length: g.cols }, (_, c) => g.data[r * g.cols + c])),
    zmin: -top, zmax: top, colorscale: DIVERGING, showscale: k === 0, colorbar: { title: { text: 'W_i . W_j' } },
    xaxis: axes(k).x, yaxis: axes(k).y, hovertemplate: `features %{y}, %{x}: %{z:.3f}<extra>${labels[k]}</extra>`,
  }));
  const plain = { showticklabels: false, showgrid: false, zeroline: false };
  const { layout, rows } = panelLayout(labels, perRow, () => plain, (k) => ({ ...plain, autorange: 'reversed', scaleanchor: axes(k).x }));
  return { data, layout: { ...layout, title: { text: title }, height: 60 + 200 * rows, margin: { t: 70, r: 20, b: 20, l: 20 } } };
}

/** What featureNormsFigure draws per instance: ||W_i|| and interference_i for each feature i. */
export interface NormsAndInterference {
  norms: ArrayLike<number>;
  interference: ArrayLike<number>;
}

/**
 * One panel per instance: a bar per feature, its height ||W_i|| and its colour the interference
 * sum_{j != i} (W^_i . W_j)^2 (dark: a dimension of its own; bright: shared), one colour scale
 * for every panel; a dashed line at `threshold`, the norm above which a feature counts as kept.
 */
export function featureNormsFigure(instances: readonly NormsAndInterference[], labels: string[], title: string,
  threshold: number, perRow = 5): Figure {
  if (instances.length !== labels.length) throw new Error(`featureNormsFigure: ${instances.length} instances but ${labels.length} labels`);
  let top = 1;
  let tallest = 1;
  for (const s of instances) {
    top = Math.max(top, ...Array.from(s.interference));
    tallest = Math.max(tallest, ...Array.from(s.norms));
  }
  const data = instances.map((s, k) => ({
    type: 'bar', x: Array.from(s.norms, (_, i) => i), y: Array.from(s.norms), name: labels[k], showlegend: false,
    marker: { color: Array.from(s.interference), colorscale: 'Viridis', cmin: 0, cmax: top, showscale: k === 0,
      colorbar: { title: { text: 'interference' } } },
    customdata: Array.from(s.interference), xaxis: axes(k).x, yaxis: axes(k).y,
    hovertemplate: `feature %{x}: norm %{y:.3f}, interference %{customdata:.3f}<extra>${labels[k]}</extra>`,
  }));
  const { layout, rows } = panelLayout(labels, perRow, (_k, bottom) => ({ title: { text: bottom ? 'feature' : '' }, dtick: 5 }),
    (k) => ({ range: [0, 1.05 * tallest], title: { text: k % perRow === 0 ? '||W_i||' : '' } }), 0.06);
  const shapes = instances.map((_, k) => ({ type: 'line', xref: `${axes(k).x} domain`, x0: 0, x1: 1, yref: axes(k).y,
    y0: threshold, y1: threshold, line: { dash: 'dash', width: 1, color: '#888' } }));
  return { data, layout: { ...layout, shapes, title: { text: title }, height: 80 + 220 * rows, margin: { t: 70, r: 20, b: 50, l: 60 } } };
}

/** What dimensionalityFigure draws per instance. */
export interface DimensionsPoint {
  featureProbability: number;
  dimensionsPerFeature: number;
  /** D_i of every feature */
  dimensionality: ArrayLike<number>;
  norms: ArrayLike<number>;
}

/**
 * The paper's dimensionality plot: D* = m / ||W||_F^2 against 1 / p (= 1 / (1 - S), log axis) as a
 * line, each kept feature's D_i (norm above `threshold`) as a dot, and dotted guides at m / n and
 * at `fractions` (the shares a feature settles on: [label, value], e.g. ['2/5', 0.4]).
 */
export function dimensionalityFigure(points: readonly DimensionsPoint[], m: number, n: number, title: string,
  threshold: number, fractions: readonly [string, number][]): Figure {
  const x = points.map((p) => 1 / p.featureProbability);
  const kept = points.flatMap((p, k) => Array.from(p.dimensionality).flatMap((d, i) => (p.norms[i] > threshold ? [[x[k], d]] : [])));
  const data = [
    { type: 'scatter', mode: 'lines+markers', name: 'D* = m / ||W||_F^2', x, y: points.map((p) => p.dimensionsPerFeature),
      line: { color: PALETTE[0] }, hovertemplate: '1/p %{x:.3g}: D* %{y:.3f}<extra></extra>' },
    { type: 'scatter', mode: 'markers', name: 'D_i of each kept feature', x: kept.map((c) => c[0]), y: kept.map((c) => c[1]),
      marker: { color: PALETTE[1], size: 6, opacity: 0.5 }, hovertemplate: '1/p %{x:.3g}: D_i %{y:.3f}<extra></extra>' },
  ];
  const guides: [number, string][] = [...fractions.map(([text, y]): [number, string] => [y, text]), [m / n, `m/n = ${m}/${n}`]];
  const shapes = guides.map(([y]) => ({ type: 'line', xref: 'x domain', x0: 0, x1: 1, yref: 'y', y0: y, y1: y,
    line: { dash: 'dot', width: 1, color: '#999' } }));
  const annotations = guides.map(([y, text]) => ({ text, xref: 'paper', x: 1.01, xanchor: 'left', yref: 'y', y, showarrow: false,
    font: { size: 10, color: '#666' } }));
  return { data, layout: { title: { text: title }, shapes, annotations, height: 420, margin: { t: 50, r: 90, b: 50, l: 70 },
    xaxis: { title: { text: '1 / p = 1 / (1 - S)' }, ...logAxis(x) }, yaxis: { title: { text: 'dimensions per feature' }, rangemode: 'tozero' },
    legend: { x: 0.55, y: 0.98 } } };
}
