import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { amortisationFinding, amortisationTable, gapShare } from '../../src/report/amortisation';
import type { Amortisation, AmortisationMethod } from '../../src/truth/amortisation';

const scores = (method: AmortisationMethod, fvu: number, recall = NaN, precision = NaN) => ({ method, fvu, l0: 8, precision, recall });
const at = (k: number, enc: number, omp: number, lasso: number, refit: number, withTruth = true): Amortisation => ({
  k, count: 10, medianLambda: 0.1, meanIterations: 50,
  methods: [scores('encoder', enc, withTruth ? 0.8 : NaN, withTruth ? 0.7 : NaN), scores('OMP', omp, withTruth ? 0.9 : NaN, withTruth ? 0.75 : NaN),
    scores('FISTA', lasso, withTruth ? 0.85 : NaN, withTruth ? 0.7 : NaN), scores('FISTA+refit', refit, withTruth ? 0.86 : NaN, withTruth ? 0.72 : NaN)],
});

test('gapShare by hand: (encoder - best solver) / encoder', () => {
  assert.equal(gapShare(at(8, 0.2, 0.15, 0.18, 0.1)), 0.5);
  assert.ok(Math.abs(gapShare(at(8, 0.2, 0.25, 0.22, 0.21)) - -0.05) < 1e-12);
});

test('the finding names each L0, every solver, the best one\'s share and its size in words', () => {
  const large = amortisationFinding([at(8, 0.2, 0.15, 0.18, 0.1)], false);
  assert.match(large, /^Finding: at L0 8 the encoder's FVU is 0\.2; on the same frozen decoder the non-negative lasso gives 0\.18 \(FISTA\) and 0\.1 \(FISTA\+refit\): FISTA\+refit removes 50% of it, a gap that is large/);
  assert.match(large, /; signed OMP, whose codes no ReLU encoder can give, reaches 0\.15 \(25% below the encoder\);/);
  assert.match(large, /FISTA\+refit's non-zeros find more of the features that really fired than the encoder's, with fewer false ones \(recall 0\.86 against 0\.8, precision 0\.72 against 0\.7; differences under 0\.02 count as the same\)\.$/);
  const mixed = at(8, 0.2, 0.15, 0.18, 0.1);
  mixed.methods[3] = { ...mixed.methods[3], recall: 0.852, precision: 0.62 };
  assert.match(amortisationFinding([mixed], false), /find more of the features that really fired than the encoder's, with more false ones \(recall 0\.852 against 0\.8, precision 0\.62 against 0\.7/);
  mixed.methods[3] = { ...mixed.methods[3], recall: 0.81, precision: 0.69 };
  assert.match(amortisationFinding([mixed], false), /find about as many of the features that really fired as the encoder's, with about the same share of false ones/);
  mixed.methods[3] = { ...mixed.methods[3], recall: 0.7, precision: 0.6 };
  assert.match(amortisationFinding([mixed], false), /find fewer of the features that really fired than the encoder's, with more false ones/);
  assert.match(amortisationFinding([at(16, 0.2, 0.19, 0.195, 0.185)], false), /removes 8% of it, a gap that is small/);
  assert.match(amortisationFinding([at(16, 0.2, 0.17, 0.175, 0.185)], false), /FISTA removes 13% of it, a gap that is moderate/);
  // OMP's lower FVU does not make the gap: it is a bound
  assert.match(amortisationFinding([at(16, 0.2, 0.05, 0.195, 0.185)], false), /FISTA\+refit removes 8% of it, a gap that is small.*reaches 0\.05 \(75% below the encoder\)/);
  const none = amortisationFinding([at(8, 0.1, 0.2, 0.15, 0.12, false)], true);
  assert.match(none, /^Finding \(quick mode/);
  assert.match(none, /: there is no gap: no non-negative solver beats the encoder; signed OMP, whose codes no ReLU encoder can give, reaches 0\.2 \(not below the encoder\)\.$/);
  assert.doesNotMatch(none, /recall/);
  const sparser = at(8, 0.2, 0.15, 0.18, 0.1);
  sparser.methods[0] = { ...sparser.methods[0], l0: 7.4 };
  assert.match(amortisationFinding([sparser], false), /a gap that is large \(a quarter or more of the encoder's error\) \(the encoder's codes hold 7\.4 non-zeros a sample against FISTA\+refit's 8, so part of this gap is atoms the encoder leaves unused\);/);
  assert.doesNotMatch(large, /leaves unused/);
  const two = amortisationFinding([at(8, 0.2, 0.15, 0.18, 0.1), at(16, 0.1, 0.09, 0.095, 0.092)], false);
  assert.match(two, /at L0 8 .*\. At L0 16 /);
});

test('the table has one row per L0 and method, \'-\' where there is no truth', () => {
  const t = amortisationTable([at(8, 0.2, 0.15, 0.18, 0.1, false), at(16, 0.1, 0.09, 0.095, 0.092)]);
  assert.equal(t.length, 8);
  assert.deepEqual(t[0], { 'target L0': 8, method: 'encoder', FVU: 0.2, 'L0 reached': 8, 'support precision': '-', 'support recall': '-' });
  assert.equal(t[5]['support recall'], 0.9);
});

test('bad input names what is missing', () => {
  assert.throws(() => amortisationFinding([], false), /no results/);
  const noEncoder = { ...at(8, 0.2, 0.1, 0.1, 0.1), methods: at(8, 0.2, 0.1, 0.1, 0.1).methods.slice(1) };
  assert.throws(() => amortisationFinding([noEncoder], false), /L0 8 has no encoder row \(methods: OMP, FISTA, FISTA\+refit\)/);
});
