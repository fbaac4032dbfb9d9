/**
 * The toy model's figure specs (src/plot/toy.ts): one panel per instance on its own axes, arrows
 * from the origin to each column of W, Gram heatmaps on one symmetric diverging scale, norm bars
 * coloured by interference, and D* against 1 / p on a log axis with the kept features' D_i.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { matrixOf } from '../../src/data/matrix';
import { DIVERGING } from '../../src/plot/figures';
import { dimensionalityFigure, directionsFigure, featureNormsFigure, gramFigure } from '../../src/plot/toy';

type Trace = Record<string, unknown>;
const layoutOf = (fig: { layout: Record<string, unknown> }) => fig.layout as Record<string, Record<string, unknown>>;

test('directionsFigure: an arrow per feature from the origin, one panel per instance, equal axes', () => {
  // columns (1, 0), (0, -2), (0.5, 0.5)
  const w = matrixOf(Float32Array.from([1, 0, 0.5, 0, -2, 0.5]), 2, 3);
  const fig = directionsFigure([w, w], ['p 1', 'p 0.1'], 'title');
  assert.equal(fig.data.length, 6);
  const [first, second] = [fig.data[1] as Trace, fig.data[4] as Trace];
  assert.deepEqual([first.x, first.y], [[0, 0], [0, -2]]);
  assert.deepEqual([first.xaxis, first.yaxis, second.xaxis, second.yaxis], ['x', 'y', 'x2', 'y2']);
  assert.deepEqual(fig.data.map((t) => t.showlegend), [true, true, true, false, false, false]);
  const layout = layoutOf(fig);
  assert.deepEqual(layout.xaxis.range, [-2.2, 2.2], 'the longest arrow sets every panel\'s range');
  assert.equal(layout.yaxis2.scaleanchor, 'x2');
  assert.deepEqual((layout.title as unknown as { text: string }).text, 'title');
  const notes = layout.annotations as unknown as { text: string }[];
  assert.deepEqual(notes.map((a) => a.text), ['p 1', 'p 0.1']);
  assert.throws(() => directionsFigure([matrixOf(new Float32Array(3), 1, 3)], ['a'], 't'), /every W must have 2 rows/);
  assert.throws(() => directionsFigure([w], [], 't'), /1 instances but 0 labels/);
});

test('gramFigure: heatmaps on one scale symmetric around 0, rows top to bottom', () => {
  const a = matrixOf(Float64Array.from([1, -0.5, -0.5, 2]), 2, 2);
  const b = matrixOf(Float64Array.from([0.2, 0, 0, 0.1]), 2, 2);
  const fig = gramFigure([a, b], ['a', 'b'], 't', 1);
  const [ta, tb] = fig.data as Trace[];
  assert.deepEqual(ta.z, [[1, -0.5], [-0.5, 2]]);
  assert.deepEqual([ta.zmin, ta.zmax, tb.zmin, tb.zmax], [-2, 2, -2, 2]);
  assert.deepEqual(ta.colorscale, DIVERGING);
  assert.deepEqual([ta.showscale, tb.showscale], [true, false]);
  const layout = layoutOf(fig);
  assert.equal(layout.yaxis.autorange, 'reversed');
  // one per row: b's panel below a's
  assert.ok((layout.yaxis2.domain as unknown as number[])[1] < (layout.yaxis.domain as unknown as number[])[0]);
});

test('featureNormsFigure: bar heights are norms, colours the interference on one shared scale, a line at the threshold', () => {
  const fig = featureNormsFigure([{ norms: [1, 0.2], interference: [0, 3] }, { norms: [1.1, 1], interference: [1.5, 1.5] }],
    ['p 1', 'p 0.1'], 't', 0.5, 2);
  const [t0, t1] = fig.data as Trace[];
  assert.deepEqual([t0.x, t0.y], [[0, 1], [1, 0.2]]);
  const m0 = t0.marker as Record<string, unknown>;
  assert.deepEqual([m0.color, m0.cmin, m0.cmax, m0.showscale], [[0, 3], 0, 3, true]);
  assert.equal((t1.marker as Record<string, unknown>).showscale, false);
  const shapes = (fig.layout.shapes as Record<string, unknown>[]);
  assert.deepEqual(shapes.map((s) => [s.xref, s.yref, s.y0]), [['x domain', 'y', 0.5], ['x2 domain', 'y2', 0.5]]);
  assert.deepEqual(layoutOf(fig).yaxis2.range, [0, 1.05 * 1.1]);
});

test('dimensionalityFigure: D* against 1 / p on a log axis, the kept features\' D_i as dots, guides', () => {
  const points = [
    { featureProbability: 1, dimensionsPerFeature: 1, dimensionality: [1, 1, 0], norms: [1, 1, 0.1] },
    { featureProbability: 0.1, dimensionsPerFeature: 0.4, dimensionality: [0.4, 0.4, 0.4], norms: [1, 1, 1] },
  ];
  const fig = dimensionalityFigure(points, 2, 3, 't', 0.5, [['1/2', 0.5]]);
  const [line, dots] = fig.data as Trace[];
  assert.deepEqual([line.x, line.y], [[1, 10], [1, 0.4]]);
  assert.deepEqual([dots.x, dots.y], [[1, 1, 10, 10, 10], [1, 1, 0.4, 0.4, 0.4]], 'the dropped feature has no dot');
  assert.equal(layoutOf(fig).xaxis.type, 'log');
  assert.deepEqual((fig.layout.shapes as Record<string, unknown>[]).map((s) => s.y0), [0.5, 2 / 3]);
  assert.deepEqual((fig.layout.annotations as { text: string }[]).map((a) => a.text), ['1/2', 'm/n = 2/3']);
});
