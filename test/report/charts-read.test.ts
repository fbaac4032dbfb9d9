import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heatmapLine, selectiveGroupLine, keptUnitsLine, signedAtomsLine, topImagesLine } from '../../src/report/charts-read';

test('heatmapLine: the brightest cell and the favourite class, by hand', () => {
  // 3 classes x 4 units, row-major [class, unit]
  const means = [0.1, 0.9, 0.2, 0.3,
    0.5, 0.1, 0.6, 0.4,
    0.0, 0.0, 0.0, 0.1];
  assert.equal(heatmapLine(means, 4, ['a', 'b', 'c']),
    'The brightest cell is unit 1 on a (mean activation 0.900); 3 of the 4 units respond most to b, and no unit responds most to c.');
  assert.match(heatmapLine([1, 0, 0, 1], 2, ['x', 'y']), /every class is the favourite of some unit\.$/);
  assert.match(heatmapLine([1, 2, 0, 1], 2, ['x', 'y']), /; all 2 units respond most to x\.$/);
});

test('selectiveGroupLine: contrast range, digits and top-to-rest ratios', () => {
  const group = [{ unit: 3, preferred: 1, index: 0.8, profile: [1, 9, 1, 1] },
    { unit: 5, preferred: 0, index: 0.5, profile: [6, 2, 2, 2] }];
  assert.equal(selectiveGroupLine('most', group),
    'The 2 most selective units have contrast 0.500-0.800 and prefer digits 0, 1; their top class mean is 3.0x to 9.0x the mean of the other classes.');
  assert.match(selectiveGroupLine('least', [{ unit: 1, preferred: 2, index: 1, profile: [0, 0, 4] }]), /prefer digit 2; .* no response to the rest/);
});

test('keptUnitsLine, signedAtomsLine and topImagesLine by hand', () => {
  const o = [[1, 1], [0, 0]];
  assert.equal(keptUnitsLine(o, { 8: [[1, 1], [0, 0]], 2: [[0, 0], [0, 1]] }),
    // k 2: (1 + 0.5) / 2 = 0.75; k 8: 0
    'Mean squared error of the 2 images shown, by units kept: 2 units 0.7500, 8 units 0.0000.');
  assert.equal(signedAtomsLine({ A: [[1, -1], [2, 0], [-3, 1]], B: [[0, 0]] }),
    // A: 50%, 0%, 75% -> median 50%; B: an all-zero atom counts 0%
    'Negative share of each atom (median over the atoms shown; 0% all positive, 50% balanced): A 50%, B 0%.');
  assert.equal(topImagesLine([{ label: 'unit 4', idx: [0, 1, 2] }], [7, 7, 3]),
    'Most common digit among the top images: unit 4 digit 7 (2 of 3).');
});
