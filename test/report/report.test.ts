import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pct, fixed, isAre } from '../../src/report/format';
import { meanImageLines, notBeatingBaseline, zeroFraction, penaltyCostLine } from '../../src/report/lesson';
import { compareLevel, isSteady, aheadPhrase } from '../../src/report/features';
import { emptyCodeLine, representationLines, silentByTrainingCount, silentLatentLines } from '../../src/report/codes';

test('pct, fixed, isAre', () => {
  assert.equal(pct(0.1234), '12.3%');
  assert.equal(pct(0.5, 0), '50%');
  assert.equal(pct(0.01234, 2), '1.23%');
  assert.equal(fixed(0.123456, 4), 0.1235);
  assert.equal(isAre(1), 'is');
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
  assert.equal(lines[0], '2 of them fire on no training image either; 1 is dead during training (no firing in the last 200 steps).');
  assert.match(lines[1], /^The other 1 fire on a median of 3 training images/);
  assert.match(lines[2], /latents should miss every test image by chance; 3 do\.$/);
});
