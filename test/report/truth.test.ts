import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  absorptionFinding, latentCountFinding, matchedRecoveryTable, mccAtL0, plantedLine, plantedTrainingLine, peakFinding, recoveryFinding, recoveryTable,
} from '../../src/report/truth';
import { plantedModel } from '../../src/truth/planted';
import type { PlantedRow } from '../../src/truth/sweep';

const row = (method: string, setting: string, l0: number, mcc: number, extra: Partial<PlantedRow> = {}): PlantedRow => ({
  method, setting, latents: 8, epochs: 5, lastGain: 0.001, l0, trueL0: 4, fvu: 0.1, mcc, found: 0.5, precision: 0.5,
  recall: 0.5, f1: 0.5, shrinkage: 0.8, dead: 0, unique: 0.75, latentsPerCovered: 1.2, absorption: 0.01, ...extra });

test('mccAtL0, the matched table and recoveryFinding: MCC read off each curve in log L0', () => {
  const rows = [row('TopK', 'k 2', 2, 0.6), row('TopK', 'k 8', 8, 0.9), row('ReLU', 'a', 4, 0.7), row('ReLU', 'b', 16, 0.5)];
  const at = mccAtL0(rows, ['TopK', 'ReLU'], [2, 4, 8]);
  // TopK at 4: halfway in log between 2 and 8: 0.75; ReLU reaches 4 to 16 only; at 8: halfway between 4 and 16: 0.6
  assert.ok(Math.abs(at.TopK[1] - 0.75) < 1e-12 && Math.abs(at.ReLU[2] - 0.6) < 1e-12 && Number.isNaN(at.ReLU[0]));
  assert.deepEqual(matchedRecoveryTable(at, [2, 4, 8])[0], { L0: 2, TopK: 0.6, ReLU: '-' });
  assert.equal(recoveryFinding(at, [2, 4, 8], 4, false),
    'Finding: TopK has the highest MCC at every compared L0 (4, 8; the true L0 is 4.00): at L0 4 TopK 0.750, ReLU 0.700; ' +
    'at L0 8 TopK 0.900, ReLU 0.600; at L0 2 fewer than two methods reach it.');
  const flip = mccAtL0([...rows, row('ReLU', 'c', 2, 0.95)], ['TopK', 'ReLU'], [2, 8]);
  assert.match(recoveryFinding(flip, [2, 8], 4, true), /^Finding \(quick mode.*the method with the highest MCC changes with L0 .*at L0 2 ReLU 0\.950, TopK 0\.600/);
});

test('latentCountFinding: the best count, splitting past n, the bound below n', () => {
  const rows = [row('TopK', 'k 4', 4, 0.46, { latents: 4, latentsPerCovered: 1 }), row('TopK', 'k 4', 4, 0.82, { latents: 8 }),
    row('TopK', 'k 4', 4, 0.94, { latents: 32, latentsPerCovered: 4, unique: 0.1, dead: 0.2 })];
  const line = latentCountFinding(rows, 8, false);
  assert.match(line, /^Finding: MCC is highest with 32 latents \(0\.940\); by latent count: 4: MCC 0\.460/);
  assert.match(line, /with fewer latents than the 8 true features the MCC cannot exceed latents\/8; past 8 latents the latents per covered feature go 1\.20 -> 4\.00 \(features split over more latents\)\.$/);
});

test('absorptionFinding and plantedLine', () => {
  const rows = [row('TopK', 'k 4', 4, 0.8, { absorption: 0.3 }), row('KL', 'r', 4, 0.4, { absorption: 0.02 }), row('X', 'y', 4, 0.1, { absorption: NaN })];
  assert.equal(absorptionFinding(rows, false),
    "Finding: 1 of 2 models absorb more than 5% of a child's samples (its latent silent while the parent's fires): " +
    'TopK, k 4, 8 latents (30.0%); the most is TopK, k 4, 8 latents, at 30.0%.');
  assert.match(absorptionFinding([rows[2]], false), /no model could be scored/);
  const planted = plantedModel({ n: 6, d: 3, l0: 1, zipfExponent: 0, hierarchy: [[0, 1]] });
  // zipfExponent 0: every p is l0 / n = 1/6
  assert.match(plantedLine(planted, 1.02), /^6 true features in 3 dimensions \(more features than dimensions, so they cannot all be orthogonal; the closest two have \|cos\| 0\.\d{3}\); each fires with probability 16\.7% down to 16\.67%; 1 parent\/child pairs; 1\.02 features fire per sample/);
  assert.equal(recoveryTable(rows)[2].absorption, '-');
});

test('plantedTrainingLine: the models the rule stopped, and those at the cap still changing, by |gain|', () => {
  const training = { cap: 40, stopGain: 0.01 };
  const rows = [row('TopK', 'k 2', 2, 0.8, { epochs: 13, lastGain: 0.004 }), row('TopK', 'k 16', 16, 0.7, { epochs: 40, lastGain: 0.021 }),
    row('KL', 'rho 0.1', 30, 0.4, { epochs: 40, lastGain: -0.034, latents: 96 }), row('ReLU', 'a', 8, 0.8, { epochs: 26, lastGain: -0.002 })];
  assert.equal(plantedTrainingLine(rows, training),
    '2 of 4 models stopped when an epoch changed the training loss by under 1% (after 13 to 26 epochs); 2 ran to the 40-epoch cap ' +
    'with the last epoch still changing the loss by 2.1% to 3.4%: TopK k 16 (8 latents), KL rho 0.1 (96 latents); their scores are of models still training.');
  assert.equal(plantedTrainingLine(rows.slice(0, 1), training), '1 of 1 models stopped when an epoch changed the training loss by under 1% (after 13 epochs).');
  assert.match(plantedTrainingLine(rows.slice(1, 2), training), /^no model's loss flattened to under 1% an epoch; 1 ran to the 40-epoch cap with the last epoch still changing the loss by 2\.1%: TopK k 16/);
  assert.throws(() => plantedTrainingLine([], training), /no rows/);
});

test('peakFinding: each method\'s best model, its L0, near / below / above the true L0 (within a factor 1.5 counts as near)', () => {
  const rows = [row('TopK', 'k 2', 2, 0.81), row('TopK', 'k 4', 3.85, 0.846), row('TopK', 'k 16', 15.4, 0.77),
    row('KL', 'rho 0.02', 2.1, 0.479), row('KL', 'rho 0.1', 38.8, 0.42), row('ReLU', 'lambda 0.003', 15.5, 0.9)];
  assert.equal(peakFinding(rows, ['TopK', 'ReLU', 'KL'], 3.97, false),
    'Finding: each method\'s MCC peaks at: TopK 0.846 at L0 3.85 (k 4, near the true L0 3.97); ReLU 0.900 at L0 15.50 ' +
    '(lambda 0.003, above the true L0 3.97); KL 0.479 at L0 2.10 (rho 0.02, below the true L0 3.97).');
  assert.throws(() => peakFinding(rows, ['BatchTopK'], 4, false), /no rows for the methods BatchTopK/);
});
