/**
 * The chart-reading lines of report/charts-grids.ts and the table line featureTrendLines, on
 * hand-made numbers: every branch of each wording.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridLocalityLine, gridRowsLine, sparsityPanelsLine, tradeoffChartLine } from '../../src/report/charts-grids';
import { featureTrendLines, MIN_LIVE } from '../../src/report/features';
import type { WeightRun } from '../../src/report/runs';

test('sparsityPanelsLine reads the three panels: median units per image, inactive units, activations at or below the threshold', () => {
  // 3 images x 4 units: units above 0.1 per image 2, 1, 0 -> median 1; 9 of 12 values <= 0.1, 7 exactly 0
  const acts = [0.5, 0.2, 0, 0, 0.3, 0, 0, 0.05, 0, 0, 0, 0.1];
  const report = { threshold: 0.1, inactiveBelow: 0.01, latentDim: 4, populationPerSample: [0.5, 0.25, 0], inactiveUnits: [2, 3] };
  assert.equal(sparsityPanelsLine('L1 model', report, acts),
    'L1 model, left to right: the median image has 1 of 4 units above 0.1; 2 units are active on fewer than 1% of the images ' +
    '(inactive: the middle panel\'s bar at 0); 75.0% of the 12 activations are at or below 0.1, 58.3% exactly 0, and the largest is 0.500.');
  assert.match(sparsityPanelsLine('A', { ...report, inactiveUnits: [1] }, acts), /; 1 unit is active on fewer than 1% of the images/);
  assert.match(sparsityPanelsLine('KL model', { ...report, inactiveUnits: [] }, [0.02, 0.3, 0.04, 0.6]),
    /0 units are active on fewer .* 50\.0% of the 4 activations are at or below 0\.1, none exactly 0, and the largest is 0\.600\.$/);
});

test('tradeoffChartLine: each curve\'s leftmost and lowest point, or one point that is both', () => {
  const l1 = [{ weight: 0.01, mse: 0.02, active: 0.3 }, { weight: 1, mse: 0.07, active: 0 }];
  const kl = [{ weight: 0.1, mse: 0.03, active: 0.1 }, { weight: 1, mse: 0.04, active: 0.2 }];
  assert.equal(tradeoffChartLine([{ name: 'L1', points: l1 }, { name: 'KL', points: kl }]),
    'On the chart, L1\'s leftmost (sparsest) point is weight 1 (0.0% active, MSE 0.07000), its lowest (most accurate) ' +
    'weight 0.01 (30.0% active, MSE 0.02000); KL\'s leftmost point is also its lowest: weight 0.1 (10.0% active, MSE 0.03000).');
});

test('gridLocalityLine and gridRowsLine: live tiles, the most and least local; none live; one live', () => {
  const massPixels = [120, 300, 50, 600];
  assert.equal(gridLocalityLine([0, 1, 2, 3], { live: [0, 1, 3], massPixels }),
    '3 of the 4 features shown belong to live units (active on at least 1% of the test images); among them the most local is ' +
    'unit 0 (80% of its change in 120 pixels), the least local unit 3 (600 pixels).');
  assert.match(gridLocalityLine([0, 1], { live: [], massPixels }), /^0 of the 2 features .*; every tile is an inactive unit's\.$/);
  assert.match(gridLocalityLine([0, 1], { live: [1], massPixels }), /^1 of the 2 .*: unit 1, 80% of its change in 300 pixels\.$/);
  const rows = [{ label: 'weight 0.01', live: [0, 1, 3], massPixels }, { label: 'weight 1', live: [2], massPixels: [9, 9, 40, 9] }];
  assert.equal(gridRowsLine('L1', [0, 1, 2], rows),
    'L1\'s grid, live units among the 3 shown, row by row: weight 0.01 2, weight 1 1; the most local live tile is ' +
    'weight 1\'s unit 2 (80% of its change in 40 pixels); every other tile is an inactive unit\'s.');
  assert.match(gridRowsLine('L1', [0], [{ label: 'w', live: [], massPixels }]), /row by row: w 0; no row has a live tile;/);
  assert.match(gridRowsLine('KL', [0, 1], [{ label: 'w', live: [0, 1], massPixels }]), /row by row: w 2; .*unit 0 .*; every tile is a live unit's\.$/);
});

test('featureTrendLines lists every model with a live unit, marks those under MIN_LIVE, and names the weights with none', () => {
  const run = (weight: number, live: number, px: number, sel: number) => ({
    kind: 'l1', weight, quality: { live: Array.from({ length: live }, (_, j) => j), medianMassPixels: px, medianSelectivity: sel },
  }) as unknown as WeightRun;
  const lines = featureTrendLines('L1', [run(0.01, 55, 300, 0.2), run(0.1, 7, 150, 0.6), run(1, 0, NaN, NaN)]);
  assert.deepEqual(lines, [
    `L1, weight by weight (live units: median pixels holding 80%, median selectivity): 0.01 (55: 300, 0.20), 0.1 (7: 150, 0.60; fewer than ${MIN_LIVE} live).`,
    '   At weight 1 no unit is live: the penalty leaves no feature to interpret.',
  ]);
  assert.deepEqual(featureTrendLines('KL', [run(0.1, 0, NaN, NaN)]), ['   At weight 0.1 no unit is live: the penalty leaves no feature to interpret.']);
});
