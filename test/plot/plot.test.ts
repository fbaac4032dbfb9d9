import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DIVERGING, Figure, lineFigure, lossCurves, sparsityHistograms } from '../../src/plot/figures';
import { featureGrid, GridOptions, imageGrid, MIN_TILE_PX, reconstructionGrid } from '../../src/plot/grid';
import { logTicks } from '../../src/plot/ticks';
import { figureHtml, saveHtml, scriptJson } from '../../src/plot/show';
import { sparsityReport } from '../../src/core/analysis';

test('lossCurves: three panels, one trace per run and panel, values per epoch', () => {
  const h = [1, 2, 3].map((epoch) => ({ epoch, total: 1 / epoch, reconstruction: 0.5 / epoch, sparsity: 2 / epoch, seconds: 1 }));
  const fig = lossCurves({ a: h, b: h.slice(0, 2) });
  assert.equal(fig.data.length, 6);
  assert.deepEqual(fig.data[0].y, [1, 0.5, 1 / 3]);
  assert.equal(fig.data[2].yaxis, 'y2');
  assert.deepEqual(fig.data[3].x, [1, 2]);
  assert.deepEqual((fig.layout.yaxis3 as { title: { text: string } }).title.text, 'sparsity penalty');
});

test('imageGrid tiles images with gaps and labels', () => {
  const a = [1, 2, 3, 4];
  const b = [5, 6, 7, 8];
  const c = [9, 10, 11, 12];
  const fig = imageGrid([a, b, c], { title: 't', rows: 2, cols: 2, perRow: 2, labels: ['A', 'B', 'C'] });
  const z = fig.data[0].z as (number | null)[][];
  assert.deepEqual(z, [
    [1, 2, null, 5, 6],
    [3, 4, null, 7, 8],
    [null, null, null, null, null],
    [9, 10, null, null, null],
    [11, 12, null, null, null],
  ]);
  // one hover label per tile, at the tile's centre
  assert.deepEqual(fig.data[1].text, ['A', 'B', 'C']);
  assert.deepEqual(fig.data[1].x, [0.5, 3.5, 0.5]);
  assert.deepEqual(fig.data[1].y, [0.5, 0.5, 3.5]);
  assert.equal(fig.data[0].zmin, 1);
  assert.equal(fig.data[0].zmax, 12);
  assert.throws(() => imageGrid([[1, 2, 3]], { title: 't', rows: 2, cols: 2 }), /image 0 has 3 values, expected 4/);
});

test('feature grid hover names unit and lifetime; reconstruction grid pairs rows', () => {
  const img = new Float32Array(784);
  const fig = featureGrid([img, img], [3, 7], [0, 0, 0, 0.125, 0, 0, 0, 0.5]);
  assert.deepEqual(fig.data[1].text, ['unit 3, active on 12.5% of images', 'unit 7, active on 50.0% of images']);
  const rec = reconstructionGrid([img, img, img], [img, img, img]);
  assert.equal((rec.data[0].z as unknown[]).length, 2 * 29 - 1);
  assert.equal((rec.data[1].text as string[])[3], 'image 0: reconstruction');
  assert.deepEqual((rec.layout.yaxis as { ticktext: string[] }).ticktext, ['original', 'reconstruction']);
});

/** Screen pixels per image pixel: the plot area (layout size less margins) over the axis range, both ways. */
function pixelSize(fig: Figure): { x: number; y: number } {
  const { width, height, margin, xaxis, yaxis } = fig.layout as {
    width: number; height: number; margin: { l: number; r: number; t: number; b: number };
    xaxis: { range: number[] }; yaxis: { range: number[] };
  };
  return {
    x: (width - margin.l - margin.r) / Math.abs(xaxis.range[1] - xaxis.range[0]),
    y: (height - margin.t - margin.b) / Math.abs(yaxis.range[1] - yaxis.range[0]),
  };
}

test('imageGrid: a signed grid gets a diverging scale symmetric around 0 and a colour bar; an unsigned one neither', () => {
  const signed = imageGrid([[-0.5, 0, 0.25, 2], [0, 0, 0, 0]], { title: 's', rows: 2, cols: 2 });
  const heat = signed.data[0];
  assert.equal(heat.showscale, true);
  assert.ok(heat.colorbar, 'a signed grid has a colour bar');
  assert.deepEqual([heat.zmin, heat.zmax], [-2, 2]);
  assert.deepEqual(heat.colorscale, DIVERGING);
  assert.ok((signed.layout.margin as { r: number }).r >= 80, 'room for the colour bar');
  // a range given by the caller is made symmetric too
  const given = imageGrid([[0.1, 0.2, 0.3, 0.4]], { title: 'g', rows: 2, cols: 2, zmin: -3, zmax: 1 }).data[0];
  assert.deepEqual([given.zmin, given.zmax, given.showscale], [-3, 3, true]);
  const unsigned = imageGrid([[0, 0.5, 1, 0.25]], { title: 'u', rows: 2, cols: 2 }).data[0];
  assert.equal(unsigned.showscale, false);
  assert.equal(unsigned.colorbar, undefined);
  assert.deepEqual([unsigned.zmin, unsigned.zmax, unsigned.colorscale], [0, 1, 'Greys']);
});

test('imageGrid: row labels at the left of each grid row, one per row', () => {
  const img = new Float32Array(784);
  const fig = imageGrid([img, img, img, img, img, img], { title: 'models', rows: 28, cols: 28, perRow: 3, rowLabels: ['L1 0.01', 'KL 0.1'] });
  const y = fig.layout.yaxis as { ticktext: string[]; tickvals: number[]; range: number[]; visible?: boolean };
  assert.deepEqual(y.ticktext, ['L1 0.01', 'KL 0.1']);
  assert.deepEqual(y.tickvals, [13.5, 42.5]); // the rows' centres
  assert.notEqual(y.visible, false);
  assert.ok((fig.layout.margin as { l: number }).l >= 7 * 'L1 0.01'.length, 'room for the labels');
  assert.throws(() => imageGrid([img, img, img], { title: 't', rows: 28, cols: 28, perRow: 3, rowLabels: ['a', 'b'] }),
    /GridOptions.rowLabels has 2 labels, expected 1 \(one per grid row: 3 images, 3 per row\)/);
  assert.equal((imageGrid([img], { title: 't', rows: 28, cols: 28 }).layout.yaxis as { visible: boolean }).visible, false);
});

test(`imageGrid: every 28 x 28 tile is at least ${MIN_TILE_PX} px on screen at the figure's own size`, () => {
  const img = new Float32Array(784);
  const cases: [number, number, Partial<GridOptions>][] = [[2, 2, {}], [16, 16, {}], [64, 16, {}], [40, 40, {}],
    [32, 16, { rowLabels: ['first model', 'second'] }], [32, 16, { zmin: -1, zmax: 1 }]];
  for (const [count, perRow, extra] of cases) {
    const fig = imageGrid(Array.from({ length: count }, () => img), { title: 't', rows: 28, cols: 28, perRow, ...extra });
    const px = pixelSize(fig);
    assert.ok(28 * px.x >= MIN_TILE_PX && 28 * px.y >= MIN_TILE_PX, `${count} tiles, ${perRow} per row: ${28 * px.x} x ${28 * px.y} px`);
    assert.ok(Math.abs(px.x - px.y) < 0.05, 'square pixels');
  }
});

test('log axes are labelled with the values themselves', () => {
  const dims = [64, 128, 256, 512, 1024];
  const fig = lineFigure([{ name: 'mse', x: dims, y: [0.04, 0.031, 0.025, 0.0222, 0.0203] }],
    { title: 't', xTitle: 'latent units', yTitle: 'MSE', logX: true, logY: true });
  const x = fig.layout.xaxis as { type: string; tickvals: number[]; ticktext: string[] };
  assert.equal(x.type, 'log');
  assert.deepEqual(x.tickvals, dims);
  assert.deepEqual(x.ticktext, ['64', '128', '256', '512', '1024']);
  const y = fig.layout.yaxis as { type: string; ticktext: string[] };
  assert.equal(y.type, 'log');
  assert.deepEqual(y.ticktext, ['0.02', '0.03', '0.04']);
  // penalty weights; a continuous range gets 1-2-5 steps; a wide one decades; none in exponent form
  assert.deepEqual(logTicks([0.0001, 0.001, 0.01, 0.1, 1])!.ticktext, ['0.0001', '0.001', '0.01', '0.1', '1']);
  assert.deepEqual(logTicks([3.2, 5.1, 12.7, 40.3, 77])!.ticktext, ['5', '10', '20', '50']);
  assert.deepEqual(logTicks([1, 37, 5000, 123456])!.ticktext, ['1', '10', '100', '1000', '10000', '100000']);
  assert.deepEqual(logTicks([0.011, 0.0135, 0.018])!.ticktext, ['0.011', '0.014', '0.018']);
  assert.equal(logTicks([0, -1, NaN]), null);
  assert.equal((lineFigure([{ name: 'a', y: [1, 2] }], { title: 't', xTitle: 'x', yTitle: 'y' }).layout.xaxis as { type?: string }).type, undefined);
});

test('sparsity histograms use the report and a log axis for activations', () => {
  const acts = [0, 0.5, 0.1, 0, 0.9, 0.2, 0, 0, 0, 0.3];
  const r = sparsityReport(acts, 5);
  const fig = sparsityHistograms(r, acts);
  assert.equal(fig.data.length, 3);
  assert.equal((fig.data[0].y as number[]).reduce((a, b) => a + b), 2); // two samples
  assert.equal((fig.data[1].y as number[]).reduce((a, b) => a + b), 5); // five units
  assert.equal((fig.data[2].y as number[]).reduce((a, b) => a + b), 10); // ten activations
  const y3 = fig.layout.yaxis3 as { type: string; ticktext: string[] };
  assert.equal(y3.type, 'log');
  assert.ok(y3.ticktext.every((t) => /^\d+$/.test(t)), y3.ticktext.join(' '));
});

test('user strings cannot break out of the page', () => {
  const fig = lossCurves({ '</script><script>alert(1)</script>': [{ epoch: 1, total: 1, reconstruction: 1, sparsity: 1, seconds: 1 }] }, '<b>x</b> & "y"');
  const html = figureHtml(fig, 'id1');
  assert.ok(!html.includes('</script><script>alert'), 'a run name closed the script element');
  assert.ok(html.includes('\\u003c/script\\u003e'));
  assert.equal(JSON.parse(scriptJson('<&>')), '<&>');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sae-plot-')), 'page.html');
  saveHtml(file, [fig], 'a <title> & more');
  const page = fs.readFileSync(file, 'utf8');
  assert.match(page, /<title>a &#60;title&#62; &#38; more<\/title>/);
  assert.ok(page.includes('window.Plotly = Plotly'), 'Plotly is inlined');
  assert.equal((page.match(/plotly\.js v4/g) ?? []).length, 1, 'Plotly is inlined exactly once');
});

test('heatmap and bar figures carry the values and labels', async () => {
  const { heatmapFigure, barFigure } = await import('../../src/plot/figures');
  const h = heatmapFigure([1, 2, 3, 4, 5, 6], ['a', 'b'], ['x', 'y', 'z'], 't');
  assert.deepEqual(h.data[0].z, [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(h.data[0].y, ['a', 'b']);
  const xTitle = (f: typeof h) => (f.layout.xaxis as { title: { text: string } }).title.text;
  assert.equal(xTitle(h), '');
  assert.equal(xTitle(heatmapFigure([1, 2], ['a'], ['x', 'y'], 't', 'v', 'latent unit')), 'latent unit');
  assert.throws(() => heatmapFigure([1, 2], ['a'], ['x'], 't'), /2 values for 1 x 1/);
  const b = barFigure(['0', '1'], [{ name: 'u1', y: [0.5, 0.25] }], { title: 't', xTitle: 'digit', yTitle: 'mean' });
  assert.deepEqual(b.data[0].y, [0.5, 0.25]);
  assert.equal(b.layout.barmode, 'group');
});
