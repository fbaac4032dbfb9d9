import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pct, fixed, isAre, listing } from '../../src/report/format';
import { meanImageLines, notBeatingBaseline, zeroFraction, penaltyCostLine } from '../../src/report/lesson';
import { compareLevel, isSteady, aheadPhrase } from '../../src/report/features';
import { emptyCodeLine, representationLines, silentByTrainingCount, silentLatentLines } from '../../src/report/codes';

test('pct, fixed, isAre', () => {
  assert.equal(pct(0.1234), '12.3%');
  assert.equal(pct(0.5, 0), '50%');
  assert.equal(pct(0.01234, 2), '1.23%');
  assert.equal(fixed(0.123456, 4), 0.1235);
  assert.equal(isAre(1), 'is');
  assert.deepEqual([[], ['a'], ['a', 'b'], ['a', 'b', 'c']].map(listing), ['', 'a', 'a and b', 'a, b and c']);
  assert.equal(isAre(0), 'are');
});

test('meanImageLines: verdict per model and which is further along', () => {
  const lines = meanImageLines([{ name: 'L1', testMse: 0.05 }, { name: 'KL', testMse: 0.11 }], 0.1, 3);
  assert.deepEqual(lines, [
    'L1: test MSE 0.0500 is 50% of the mean-image error, so it clearly encodes its input.',
    'KL: test MSE 0.1100 is 110% of the mean-image error, so it has not yet beaten a constant guess.',
    "After 3 epochs the L1 model is further along: its test error is 50% of the baseline, the KL model's 110%.",
  ]);
  assert.deepEqual(notBeatingBaseline([{ name: 'L1', testMse: 0.05 }, { name: 'KL', testMse: 0.1 }], 0.1), ['KL']);
});

test('zeroFraction and penaltyCostLine', () => {
  assert.equal(zeroFraction([0, 1, 0, 2]), 0.5);
  const row = (model: string, mse: number, population: number) =>
    ({ model, 'test MSE': mse, population, 'lifetime (mean)': 0, inactive: '1/128', 'exact zeros': 0 });
  assert.equal(penaltyCostLine(row('L1', 0.011, 0.1), row('dense', 0.01, 0.5)),
    'L1 vs dense: the penalty leaves fewer units active per image (10.0% vs 50.0%), 1/128 vs 1/128 inactive ' +
    'units, at a higher test MSE (+10.0%): 0.011 vs 0.01.');
});

test('compareLevel, isSteady, aheadPhrase', () => {
  assert.equal(compareLevel(1, 2, 0.5), 'more');
  assert.equal(compareLevel(2, 1, 0.5), 'less');
  assert.equal(compareLevel(1, 1.2, 0.5), 'about as');
  assert.equal(isSteady([3, 2, 2, 1]), true);
  assert.equal(isSteady([1, 3, 2]), false);
  assert.equal(aheadPhrase(1, 1.01, 0.02, 'selective'), "the two models' features are about equally selective");
  assert.equal(aheadPhrase(0.5, 0.3, 0.02, 'selective'), "the L1 model's features are more selective");
});

test('emptyCodeLine names the codes worse than the mean image', () => {
  const curve = [{ k: 0, mse: 0.3, quality: 0 }, { k: 1, mse: 0.2, quality: 0.5 }, { k: 2, mse: 0.05, quality: 1 }];
  assert.match(emptyCodeLine(curve, 0.1), /worse than drawing the mean training image \(0\.10000\).*Codes with k <= 1 are worse/);
  assert.match(emptyCodeLine(curve, 0.01), /Every code, the full one included, is worse/);
});

test('representationLines: best of the others, its standard error, PCA vs pixels', () => {
  const lines = representationLines([
    { representation: 'raw pixels (784)', 'test accuracy': 0.9 },
    { representation: 'PCA (128)', 'test accuracy': 0.8 },
    { representation: 'SAE', 'test accuracy': 0.85 },
  ], 100);
  assert.equal(lines[0], 'Best 128-number representation: SAE at 85.0% (raw pixels: 90.0%).');
  assert.match(lines[1], /standard error of 3\.57 points/);
  assert.equal(lines[2], "PCA's projection, a linear map of the pixels, scores 80.0% against the raw pixels' 90.0%.");
});

test('silent latents: bins and lines', () => {
  const trainCounts = [0, 0, 3, 50];
  assert.deepEqual(silentByTrainingCount([0, 1, 2], trainCounts).map((b) => b.latents), [2, 0, 1, 0, 0, 0]);
  const lines = silentLatentLines([0, 1, 2],
    { trainCounts, stepsSinceFired: [300, 10, 10, 0], deadAfter: 200, trainCount: 100, testCount: 10 });
  assert.equal(lines[0], '2 of them fire on no training image either; 1 is dead during training (no firing in the last 200 steps). ' +
    'The two counts need not agree: "dead" is counted while training, on its batches with weights still changing, the firing counts with the final weights.');
  const agree = silentLatentLines([0], { trainCounts: [0, 5], stepsSinceFired: [300, 0], deadAfter: 200, trainCount: 100, testCount: 10 });
  assert.equal(agree[0], '1 of them fires on no training image either; 1 is dead during training (no firing in the last 200 steps).');
  const other = silentLatentLines([0], { trainCounts: [3, 5, 9], stepsSinceFired: [0, 300, 250], deadAfter: 200, trainCount: 100, testCount: 10 });
  assert.match(other[0], /^0 of them fire on no training image either; 0 are dead during training .*final weights; the other 2 latents dead during training do fire on test images\.$/);
  assert.match(lines[1], /^The other 1 fire on a median of 3 training images/);
  assert.match(lines[2], /latents should miss every test image by chance; 3 do\.$/);
});

test('densityChartLines: counts by firing-rate band, by hand, and the whole-count steps of the lowest rates', async () => {
  const { densityChartLines } = await import('../../src/report/codes');
  const rates = [0, 0, 0.0001, 0.0005, 0.001, 0.002, 0.05, 0.1, 0.2, 0.9];
  const [bands, steps] = densityChartLines(rates, 10000);
  assert.equal(bands, 'Of 10 latents, 2 fire on none of the 10000 test images (left out: log10 0 has no place on the axis), ' +
    '3 on at most 0.1% of them, 1 on 0.1-1%, 2 on 1-10% and 2 on more than 10%.');
  assert.match(steps, /1, 2 and 3 of 10000 images are log10 rates -4\.00, -3\.70, -3\.52/);
});

test('chart lines of notebook 05 by hand: live units shown, the largest and smallest change, reconstruction errors', async () => {
  const { featureGridLine, inkChangeLine, reconstructionLine } = await import('../../src/report/charts');
  assert.equal(featureGridLine([0, 1, 2], [0.5, 0.005, 0.02]),
    '2 of the 3 units shown fire on at least 1% of the test images; unit 0 fires most often (50.0%), unit 1 least (0.5%).');
  assert.equal(inkChangeLine([[0.1, -0.2], [0.5, 0.5], [0, 0.05]], [4, 5, 6]),
    'Switching unit 5 on changes the image most (sum of |change| 1.0 over its 2 pixels), unit 6 least (0.1); ' +
    'the largest change to one pixel is 0.500, the end of the colour scale.');
  assert.equal(reconstructionLine([[0, 1], [1, 1]], [[0, 0.9], [0.5, 1]], 0.07),
    'These 2 reconstructions have MSE 0.0050-0.1250 (mean 0.0650; the worst is image 2 from the left), against 0.0700 for drawing the mean training image.');
});

test('chart lines of notebook 06 by hand: loss curves\' ends, units per image', async () => {
  const { lossCurvesLine, unitsPerImageLine } = await import('../../src/report/charts');
  assert.equal(lossCurvesLine({ A: [{ reconstruction: 0.05 }, { reconstruction: 0.02 }], B: [{ reconstruction: 0.04 }, { reconstruction: 0.03 }] }),
    'Reconstruction (training batches), first -> last epoch: A 0.0500 -> 0.0200, B 0.0400 -> 0.0300; lowest at the end: A.');
  // rows of width 3: counts above 0.1 are 1, 2, 3 -> median 2; and 0, 0 -> 0
  assert.equal(unitsPerImageLine({ X: [0.2, 0, 0, 0.5, 0.5, 0.1, 1, 1, 1], Y: [0, 0.1, 0, 0, 0, 0] }, 3),
    'Units above 0.1 per image (median over images, of 3): X 2, Y 0.');
});

test('dashboardLine: the peak digit and the most fed logit, same or not', async () => {
  const { dashboardLine } = await import('../../src/report/codes');
  assert.equal(dashboardLine(7, [0.1, 0.9, 0.2], [0.0, 1.5, 0.3]), 'feature 7: its mean activation peaks at digit 1 (0.900); removing it lowers digit 1\'s logit most (by 1.500), the same digit.');
  assert.match(dashboardLine(7, [0.1, 0.9, 0.2], [0.0, 0.5, 0.7]), /lowers digit 2's logit most \(by 0\.700\), not digit 1's\.$/);
  assert.match(dashboardLine(7, [0.1, 0.9, 0.2], [-0.1, -0.5, 0]), /removing it lowers no digit's logit\.$/);
});
