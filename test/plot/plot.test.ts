import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { featureGrid, imageGrid, lossCurves, reconstructionGrid, sparsityHistograms } from '../../src/plot/figures';
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
});

test('sparsity histograms use the report and a log axis for activations', () => {
  const acts = [0, 0.5, 0.1, 0, 0.9, 0.2, 0, 0, 0, 0.3];
  const r = sparsityReport(acts, 5);
  const fig = sparsityHistograms(r, acts);
  assert.equal(fig.data.length, 3);
  assert.equal((fig.data[0].y as number[]).reduce((a, b) => a + b), 2); // two samples
  assert.equal((fig.data[1].y as number[]).reduce((a, b) => a + b), 5); // five units
  assert.equal((fig.data[2].y as number[]).reduce((a, b) => a + b), 10); // ten activations
  assert.equal((fig.layout.yaxis3 as { type: string }).type, 'log');
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
  assert.throws(() => heatmapFigure([1, 2], ['a'], ['x'], 't'), /2 values for 1 x 1/);
  const b = barFigure(['0', '1'], [{ name: 'u1', y: [0.5, 0.25] }], { title: 't', xTitle: 'digit', yTitle: 'mean' });
  assert.deepEqual(b.data[0].y, [0.5, 0.25]);
  assert.equal(b.layout.barmode, 'group');
});
