/**
 * Notebook 16's sentences on the toy model's hidden layer (src/report/toy-truth.ts), on truths and
 * score rows made by hand: the closest pair, the truth's line with and without a pair too close to
 * tell apart, and the finding's yes / partly / no.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestPair, foundCount, toySuperpositionFinding, toyTruthLine } from '../../src/report/toy-truth';
import type { PlantedRow } from '../../src/truth/sweep';
import type { ToyTruthData } from '../../src/truth/toy-truth';

test('closestPair: the largest |cos| between two different rows, with its sign', () => {
  // cos(0, 1) = 0, cos(0, 2) = -0.6, cos(1, 2) = -0.8
  const c = closestPair(Float32Array.from([1, 0, 0, 1, -0.6, -0.8]), 3, 2);
  assert.ok(Math.abs(c.absCos - 0.8) < 1e-6 && c.cos === -c.absCos, `closest ${JSON.stringify(c)}`);
  assert.deepEqual(closestPair(Float32Array.from([1, 0]), 1, 2), { absCos: 0, cos: 0 });
});

/** A truth of `features` (rows of 2) picked from toy features with these norms, and its leak. */
function data(features: number[], toyFeature: number[], norms: number[], leak: number): ToyTruthData {
  const n = toyFeature.length;
  return {
    truth: { config: { n, d: 2, hierarchy: [] }, features: Float32Array.from(features), source: 'toy(test)', instance: 3,
      featureProbability: 0.046, toyFeatures: norms.length, toyFeature: Int32Array.from(toyFeature),
      norms: Float64Array.from(norms), threshold: 0.5 },
    sample: { x: new Float32Array(0), coefficients: new Float32Array(0), count: 0, seed: 0 },
    leak,
  };
}

test('toyTruthLine: superposition, the dropped features and their leak, the closest pair, the true L0', () => {
  // three directions 120 degrees apart in 2 dimensions (cos -0.5), one feature dropped
  const s = Math.sqrt(3) / 2;
  const three = data([1, 0, -0.5, s, -0.5, -s], [0, 1, 3], [1.1, 0.98, 0.04, 1.02], 0.0008);
  assert.equal(toyTruthLine(three, 0.1234),
    "Notebook 15's instance at p 0.046: 3 of its 4 features are represented (||W_i|| 0.98 to 1.10) in 2 hidden " +
    'dimensions, 1.5 per dimension: more than h has dimensions, so in superposition; the 1 dropped one (||W_i|| up to ' +
    "0.04) puts 0.08% of h's squared norm there, left out of the truth; the closest two true directions have " +
    '|cos| 0.50 (cos -0.50), under the 0.9 that counts as found, so a latent along one of them does not count as ' +
    'finding another; 0.12 represented features are present per sample (the true L0).');
  // an antipodal pair, nothing dropped, no more features than dimensions
  const pair = toyTruthLine(data([1, 0, -1, 0], [0, 1], [1, 1], 0), 0.5);
  assert.match(pair, /2 of its 2 features are represented \(\|\|W_i\|\| 1\.00 to 1\.00\) in 2 hidden dimensions: no more than h has dimensions; none is dropped; /);
  assert.match(pair, /two true directions have \|cos\| 1\.00 \(cos -1\.00\), above the 0\.9 that counts as found, so a latent along one also counts as finding the other \(\|cos\| ignores the sign\): the found counts can overstate;/);
});

const row = (setting: string, latents: number, found: number, mcc: number): PlantedRow => ({
  method: 'TopK', setting, latents, epochs: 5, lastGain: 0.001, l0: 1, trueL0: 0.75, fvu: 0.1, mcc, found, precision: 0.6,
  recall: 0.9, f1: 0.7, shrinkage: 0.8, dead: 0, unique: 0.7, latentsPerCovered: 1.1, absorption: NaN });

test('toySuperpositionFinding: yes when an SAE finds them all, partly past m, no at m or under', () => {
  const n = 16;
  assert.equal(foundCount(row('k 1', 20, 15 / 16, 0.9), n), 15);
  assert.equal(toySuperpositionFinding([row('k 1', 20, 1, 0.998), row('k 2', 40, 1, 0.991)], n, 5, false),
    'Finding: yes: every SAE (2 of 2) finds all 16 represented directions in 5 dimensions, where a dictionary of 5 ' +
    'directions could match at most 5 (found: matched |cos| above 0.9). By SAE: k 1, 20 latents: 16 of 16, MCC 0.998; ' +
    'k 2, 40 latents: 16 of 16, MCC 0.991.');
  assert.match(toySuperpositionFinding([row('k 1', 20, 1, 0.99), row('k 2', 20, 0.5, 0.8)], n, 5, false),
    /^Finding: yes: 1 of 2 SAEs find all 16 represented directions in 5 dimensions/);
  // the best is the one that finds most; a tie goes to the higher MCC
  assert.match(toySuperpositionFinding([row('k 1', 20, 9 / 16, 0.9), row('k 2', 40, 9 / 16, 0.93), row('k 3', 20, 3 / 16, 0.8)], n, 5, true),
    /^Finding \(quick mode.*\): partly: the best SAE \(k 2, 40 latents\) finds 9 of the 16 represented directions, more than the 5 dimensions \(a dictionary of 5 directions could match at most 5\), but not all/);
  assert.match(toySuperpositionFinding([row('k 1', 20, 5 / 16, 0.7), row('k 2', 20, 2 / 16, 0.6)], n, 5, false),
    /^Finding: no: no SAE finds more of the 16 represented directions than h has dimensions \(5\); the best \(k 1, 20 latents\) finds 5 \(found: .*\)\. By SAE: k 1, 20 latents: 5 of 16, MCC 0\.700; k 2, 20 latents: 2 of 16, MCC 0\.600\.$/);
  assert.throws(() => toySuperpositionFinding([], n, 5, false), /no rows/);
});
