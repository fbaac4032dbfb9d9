/**
 * The findings (report/findings.ts, findings-codes.ts): each verdict decided from hand-made numbers,
 * every branch of its wording, and the quick-mode mark.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  beatsBaseline, dynamicsFinding, epochOfGain, featuresCompareFinding, finding, qualityTrendFinding, sparserFinding,
  stallNear, tradeoffFinding, weightEffectFinding, widthSparsityFinding,
} from '../../src/report/findings';
import {
  accuracyGap, atomLocalityFinding, classifierFinding, importanceFinding, pcaFinding, selectiveUnitsFinding, unitsNeededFinding,
} from '../../src/report/findings-codes';

const WEIGHTS = [1e-4, 1e-3, 1e-2, 1e-1, 1];
const pts = (mses: number[], actives = mses.map(() => 0.2)) => mses.map((mse, i) => ({ weight: WEIGHTS[i], mse, active: actives[i] }));

test('finding: every line starts "Finding", and quick mode says it is too short to tell', () => {
  assert.equal(finding('yes.', false), 'Finding: yes.');
  assert.match(finding('yes.', true), /^Finding \(quick mode: too few epochs to tell what the lesson's run shows; in this run\): yes\.$/);
});

test('weightEffectFinding: rises at every step, overall with a dip, falls, barely moves; no better than the mean image within 0.5%', () => {
  assert.match(weightEffectFinding('L1', pts([0.01, 0.02, 0.03]), 0.07, false), /costs reconstruction at every step: the test MSE rises from 0\.01000 at weight 0\.0001 to 0\.03000 at 0\.01\.$/);
  const dip = weightEffectFinding('KL', pts([0.01, 0.03, 0.02, 0.04]), 0.07, false);
  assert.match(dip, /overall, .* but not at every step \(it falls at 0\.001 -> 0\.01\)\./);
  assert.match(weightEffectFinding('L1', pts([0.03, 0.02]), 0.07, false), /lowers the test MSE/);
  assert.match(weightEffectFinding('L1', pts([0.03, 0.03001]), 0.07, false), /barely moves/);
  // 0.06745 against a mean image of 0.06749: a rounding-level gap, not a win
  const tie = weightEffectFinding('L1', pts([0.012, 0.06745]), 0.06749, false);
  assert.match(tie, /at weight 0\.001 \(0\.06745\) it is no better than the mean image \(0\.06749, within 0\.5%\)/);
  assert.equal(beatsBaseline(0.06745, 0.06749), false);
  assert.equal(beatsBaseline(0.06, 0.06749), true);
});

test('tradeoffFinding: the knee and the sparsest model that clearly beats the mean image, or none', () => {
  const p = pts([0.01, 0.02, 0.05, 0.0675], [0.5, 0.3, 0.1, 0]);
  assert.match(tradeoffFinding('L1', p, 1, 0.0675, false),
    /no single optimum; the knee is at weight 0\.001 \(MSE 0\.02000, 30\.0% active\), and the sparsest model that clearly beats the mean image is weight 0\.01 \(10\.0% active/);
  assert.match(tradeoffFinding('L1', pts([0.07, 0.08]), 0, 0.0675, false), /no model of the sweep clearly beats the mean image/);
  assert.doesNotMatch(tradeoffFinding('L1', p, 1, 0.0675, false), /beaten on both counts/);
  // weight 0.0001 (50% active, 0.01) is beaten by 0.001 (30%, 0.009)
  assert.match(tradeoffFinding('L1', pts([0.01, 0.009, 0.05], [0.5, 0.3, 0.1]), 1, 0.0675, false), /; weight 0\.0001 is beaten on both counts by another weight \(sparser and more accurate\), so no price makes it the best\.$/);
});

const q = (label: string, live: number, pixels: number, selectivity: number) => ({ label, live, pixels, selectivity });

test('qualityTrendFinding: yes, no, partly, mixed, no change; models without live units named; unsteady noted', () => {
  assert.match(qualityTrendFinding('KL', 'weight', [q('0.001', 100, 230, 0.1), q('10', 90, 184, 0.38)], false), /KL: yes\. .*more local \(230 -> 184 pixels\) and more selective \(0\.10 -> 0\.38\)/);
  assert.match(qualityTrendFinding('KL', 'weight', [q('0.001', 100, 184, 0.38), q('10', 90, 230, 0.11)], false), /KL: no\. .*less local \(184 -> 230 pixels\) and less selective \(0\.38 -> 0\.11\)/);
  assert.match(qualityTrendFinding('L1', 'weight', [q('a', 5, 100, 0.3), q('b', 5, 50, 0.3)], false), /L1: partly\. .*about as selective/);
  assert.match(qualityTrendFinding('L1', 'weight', [q('a', 5, 100, 0.3), q('b', 5, 50, 0.1)], false), /L1: mixed\./);
  assert.match(qualityTrendFinding('L1', 'weight', [q('a', 5, 100, 0.3), q('b', 5, 95, 0.31)], false), /no change either way/);
  const withDead = qualityTrendFinding('L1', 'weight', [q('a', 5, 100, 0.3), q('b', 5, 150, 0.5), q('c', 5, 50, 0.6), q('1', 0, NaN, NaN)], false);
  assert.match(withDead, /not steadily in between \(locality 100, 150, 50\); at weight 1 no unit is live/);
  assert.match(withDead, /: yes from the first live model to the last, not steadily\. From/);
  assert.match(qualityTrendFinding('L1', 'weight', [q('a', 5, 100, 0.3), q('b', 5, 150, 0.2), q('c', 5, 50, 0.4)], false),
    /not steadily in between \(locality 100, 150, 50; selectivity 0\.30, 0\.20, 0\.40\)\.$/);
  assert.match(qualityTrendFinding('L1', 'weight', [q('a', 5, 100, 0.3), q('1', 0, NaN, NaN)], false), /fewer than two models have a live unit/);
});

test('epochOfGain and stallNear by hand; dynamicsFinding names the faster model and a stall near the mean image', () => {
  // gain 0.10 -> 0.00: 90% reached when the error is at most 0.01
  assert.equal(epochOfGain([0.1, 0.05, 0.02, 0.008, 0]), 4);
  assert.equal(epochOfGain([0.1, 0.05, 0.02, 0.012, 0]), 5);
  // within 20% of 0.067: 0.0536-0.0804
  assert.deepEqual(stallNear([0.1, 0.062, 0.06, 0.055, 0.02], 0.067), [2, 4]);
  assert.deepEqual(stallNear([0.1, 0.062, 0.05, 0.055, 0.06, 0.02], 0.067), [4, 5]);
  assert.equal(stallNear([0.1, 0.062, 0.02], 0.067), null);
  const line = dynamicsFinding([{ name: 'L1', reconstruction: [0.05, 0.02, 0.015, 0.015] },
    { name: 'KL', reconstruction: [0.066, 0.062, 0.06, 0.02] }], 0.067, false);
  assert.match(line, /^Finding: L1 learns faster: 90% of its reconstruction gain by epoch 3, KL by epoch 4; KL's error stays within 20% of the mean image's 0\.0670 for epochs 1-3 \(0\.0600-0\.0660\)\.$/);
  assert.match(dynamicsFinding([{ name: 'A', reconstruction: [1, 0] }, { name: 'B', reconstruction: [2, 0] }], 5, false), /both make 90% of their reconstruction gain by epoch 2/);
});

test('sparserFinding: which is sparser at the lesson\'s threshold, and where the order holds, ties or reverses', () => {
  const rows = [0.1, 0.05, 0.01].map((threshold, i) => ({ threshold, fractions: { L1: [0.333, 0.40, 0.45][i], KL: [0.134, 0.395, 0.9][i] } }));
  assert.equal(sparserFinding('L1', 'KL', rows, 0.1, false),
    'Finding: the KL model is sparser at the lesson\'s threshold 0.1 (13.4% vs 33.3% of units active per image); ' +
    'the order ties at 0.05 (40.0% L1, 39.5% KL); it reverses at 0.01 (45.0% L1, 90.0% KL).');
  const two = [0.1, 0.05, 0.01].map((threshold, i) => ({ threshold, fractions: { L1: [0.333, 0.356, 0.372][i], KL: [0.139, 0.457, 0.956][i] } }));
  assert.match(sparserFinding('L1', 'KL', two, 0.1, false), /; the order reverses at 0\.05 \(35\.6% L1, 45\.7% KL\) and 0\.01 \(37\.2% L1, 95\.6% KL\)\.$/);
});

test('featuresCompareFinding and widthSparsityFinding', () => {
  assert.match(featuresCompareFinding(q('L1', 55, 120, 0.30), q('KL', 128, 200, 0.31), false),
    /^Finding: L1's features are more local \(median 120 pixels L1, 200 KL\) and neither model's features are clearly more selective/);
  const w = widthSparsityFinding([{ width: 64, share: 0.153 }, { width: 128, share: 0.134 }, { width: 512, share: 0.092 }, { width: 1024, share: 0.113 }], false);
  assert.match(w, /widest code is sparser as a share: .* from 15\.3% at 64 units to 11\.3% at 1024 \(not steadily: 15\.3%, 13\.4%, 9\.2%, 11\.3%\); and each image uses more units: 9\.8 -> 115\.7/);
  assert.match(widthSparsityFinding([{ width: 64, share: 0.1 }, { width: 128, share: 0.2 }], false), /denser as a share/);
});

test('selectiveUnitsFinding, unitsNeededFinding, importanceFinding', () => {
  const units = [{ unit: 3, index: 0.9, preferred: 1 }, { unit: 7, index: 0.6, preferred: 1 }, { unit: 9, index: 0.55, preferred: 0 },
    { unit: 2, index: 0.2, preferred: 5 }];
  const s = selectiveUnitsFinding(units, 0.85, false);
  assert.match(s, /^Finding: 3 of 4 units are highly selective \(contrast above 0\.5\); the most selective are unit 3 \(digit 1, 0\.90\), unit 7 \(digit 1, 0\.60\), unit 9 \(digit 0, 0\.55\); among them digit 1 has the most \(2\), and no highly selective unit prefers digit 2, 3, 4, 5, 6, 7, 8, 9\. The contrast and entropy indices rank the units alike \(correlation 0\.85 over all 4 units\)/);
  // the full code's MSE 0.008; from the mean image 0.067, 90% needs MSE <= 0.0139: k = 64
  const curve = [{ k: 0, mse: 0.13 }, { k: 16, mse: 0.03 }, { k: 48, mse: 0.018 }, { k: 64, mse: 0.0135 }, { k: 128, mse: 0.008 }];
  assert.match(unitsNeededFinding(curve, 48, 17.1, 128, 0.067, false), /48 of 128 units .* more than the 17\.1 above .* MSE 0\.1300 is 1\.9 times the mean image's 0\.0670; counted from the mean image's error instead, it takes k = 64\.$/);
  assert.match(unitsNeededFinding(curve, 17, 17.1, 128, 0.067, false), /about as many as/);
  assert.match(unitsNeededFinding(curve, 17, 17.1, 128, 0.005, false), /no k reaches it \(the full code is no better than the mean image\)/);
  const imp = importanceFinding([73, 1, 2, 3, 4, 5], Float64Array.from({ length: 80 }, (_, i) => (i === 73 ? 0.0012 : 0)),
    Float64Array.from({ length: 80 }, () => 0.04), 0.2, false);
  assert.match(imp, /unit 73 is the most important \(removing it raises the MSE by 1\.20e-3; it is active on 4\.0% of images\), then units 1, 2, 3, 4; importance barely follows/);
});

test('accuracyGap, classifierFinding, atomLocalityFinding, pcaFinding', () => {
  // two accuracies near 0.9 on 10000 images: se of the gap ~0.0042, so 0.01 apart is beyond two
  assert.equal(accuracyGap(0.91, 0.90, 10000), 'more than two standard errors above');
  assert.equal(accuracyGap(0.90, 0.905, 10000), 'within two standard errors of');
  assert.equal(accuracyGap(0.80, 0.90, 10000), 'more than two standard errors below');
  const results = [{ representation: 'raw pixels (784)', 'test accuracy': 0.8931 }, { representation: 'PCA (128)', 'test accuracy': 0.9012 },
    { representation: 'SAE KL codes (128)', 'test accuracy': 0.9373 }, { representation: 'OMP codes', 'test accuracy': 0.92 }];
  assert.match(classifierFinding(results, 10000, false), /SAE KL codes \(128\) at 93\.73%, more than two standard errors above the raw pixels' 89\.31%/);
  const sets = [{ atoms: 'SAE (KL)', pixels: 180 }, { atoms: 'K-SVD atoms', pixels: 120 }, { atoms: 'PCA components', pixels: 300 }];
  assert.equal(atomLocalityFinding(sets, false), 'Finding: from most to least local: K-SVD atoms (120 pixels), SAE (KL) (180 pixels), PCA components (300 pixels).');
  assert.match(pcaFinding(sets, results, 10000, false), /on locality, 2 of the 2 learned atom sets are clearly \(5% or more\) more local than PCA's components \(300 pixels\): SAE \(KL\) \(180\), K-SVD atoms \(120\)\. As classifier features, against PCA's 90\.12%: SAE KL codes \(128\) 93\.73%, more than two standard errors above it; OMP codes 92\.00%, more than two standard errors above it\.$/);
  assert.match(pcaFinding([{ atoms: 'L1', pixels: 228 }, { atoms: 'PCA', pixels: 239 }], results, 10000, false), /none of the 1 learned atom sets is clearly more local/);
});
