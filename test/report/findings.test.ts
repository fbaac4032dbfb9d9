/**
 * The findings (report/findings.ts, findings-codes.ts): each verdict decided from hand-made numbers,
 * every branch of its wording, and the quick-mode mark.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  beatsBaseline, dynamicsFinding, epochOfGain, featuresCompareFinding, finding, qualityTrendFinding, sparserFinding,
  stallNear, tradeoffFinding, weightEffectFinding, widthSparsityFinding, MIN_LIVE, overcompleteNote,
} from '../../src/report/findings';
import {
  accuracyGap, atomLocalityFinding, classifierFinding, importanceFinding, pcaFinding, selectiveUnitsFinding, unitsNeededFinding, strength,
  topOverlap,
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
  assert.match(qualityTrendFinding('L1', 'weight', [q('a', 20, 100, 0.3), q('b', 20, 50, 0.3)], false), /L1: partly\. .*about as selective/);
  assert.match(qualityTrendFinding('L1', 'weight', [q('a', 20, 100, 0.3), q('b', 20, 50, 0.1)], false), /L1: mixed\./);
  assert.match(qualityTrendFinding('L1', 'weight', [q('a', 20, 100, 0.3), q('b', 20, 95, 0.31)], false), /no change either way/);
  const withDead = qualityTrendFinding('L1', 'weight', [q('a', 20, 100, 0.3), q('b', 20, 150, 0.5), q('c', 20, 50, 0.6), q('1', 0, NaN, NaN)], false);
  assert.match(withDead, /not steadily in between \(locality 100, 150, 50\); at weight 1 no unit is live/);
  assert.match(withDead, /: yes from the first model compared to the last, not steadily\. From/);
  assert.match(qualityTrendFinding('L1', 'weight', [q('a', 20, 100, 0.3), q('b', 20, 150, 0.2), q('c', 20, 50, 0.4)], false),
    /not steadily in between \(locality 100, 150, 50; selectivity 0\.30, 0\.20, 0\.40\)\.$/);
  assert.match(qualityTrendFinding('L1', 'weight', [q('a', 20, 100, 0.3), q('1', 0, NaN, NaN)], false), /fewer than two models have 16 or more live units, so there is no trend; at weight 1 no unit is live/);
});

test('qualityTrendFinding: models with fewer than MIN_LIVE live units are left out, named with their numbers', () => {
  assert.equal(MIN_LIVE, 16);
  // the full run's L1 sweep: weight 0.1 has 7 live units, more local than the rest; it must not make the verdict
  const sweep = [q('0.0001', 84, 300, 0.20), q('0.001', 80, 296, 0.20), q('0.01', 55, 295, 0.20), q('0.1', 7, 150, 0.6), q('1', 0, NaN, NaN)];
  assert.equal(qualityTrendFinding('L1', 'weight', sweep, false),
    'Finding: L1: no change either way. From weight 0.0001 (84 live units) to 0.01 (55) the median live feature gets ' +
    'about as local (300 -> 295 pixels) and about as selective (0.20 -> 0.20); left out, with fewer than 16 live units ' +
    '(the rule): weight 0.1 (7 live: 150 pixels, 0.60); at weight 1 no unit is live, so there is nothing to interpret.');
  // with the rule at 5 the same sweep says yes: the verdict rested on the seven units
  assert.match(qualityTrendFinding('L1', 'weight', sweep, false, { minLive: 5 }), /^Finding: L1: yes\. From weight 0\.0001 \(84 live units\) to 0\.1 \(7\)/);
  assert.match(qualityTrendFinding('L1', 'weight', [q('a', 20, 100, 0.3), q('b', 15, 50, 0.5)], false),
    /fewer than two models have 16 or more live units, so there is no trend; left out, with fewer than 16 live units \(the rule\): weight b \(15 live: 50 pixels, 0\.50\)\.$/);
});

test('qualityTrendFinding judges steadiness on the printed values: a turn hidden by rounding is none', () => {
  // the full run's KL sweep: selectivity 0.3453 -> 0.3461 prints as 0.35, 0.35; locality turns back for real
  const kl = [q('0.001', 128, 183, 0.3453), q('0.01', 128, 165, 0.3461), q('0.1', 128, 190, 0.271), q('10', 128, 230, 0.109)];
  assert.match(qualityTrendFinding('KL', 'weight', kl, false), /; not steadily in between \(locality 183, 165, 190, 230\)\.$/);
  assert.match(qualityTrendFinding('KL', 'weight', [q('a', 20, 100, 0.301), q('b', 20, 90, 0.304), q('c', 20, 80, 0.1)], false),
    /^Finding: KL: mixed\. From/);
});

test('qualityTrendFinding\'s last step and overcompleteNote', () => {
  const widths = [q('64', 64, 500, 0.40), q('512', 512, 470, 0.50), q('1024', 1024, 480, 0.49)];
  assert.equal(overcompleteNote(512, 1024, 784), 'the only step past the input\'s 784 values, into an overcomplete code');
  assert.equal(overcompleteNote(256, 512, 784), '');
  assert.match(qualityTrendFinding('KL', 'width', widths, false, { lastStep: true, lastStepNote: overcompleteNote(512, 1024, 784) }),
    /; not steadily in between \(locality 500, 470, 480; selectivity 0\.40, 0\.50, 0\.49\); over the last step, width 512 -> 1024 \(the only step past the input's 784 values, into an overcomplete code\), it gets about as local \(470 -> 480 pixels\) and about as selective \(0\.50 -> 0\.49\)\.$/);
  assert.doesNotMatch(qualityTrendFinding('KL', 'width', widths, false), /last step/);
  // two models: the last step is the whole trend, so no clause
  assert.doesNotMatch(qualityTrendFinding('KL', 'width', widths.slice(1), false, { lastStep: true }), /last step/);
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
  assert.match(widthSparsityFinding([{ width: 64, share: 0.1 }, { width: 128, share: 0.2 }], false), /denser as a share: .* active per image\.$/);
  // the last step: 512 x 0.092 = 47.1, 1024 x 0.113 = 115.7 units per image
  assert.match(w, /\. Over the last step, 512 -> 1024 units, the code gets denser as a share \(9\.2% -> 11\.3%\) and uses 47\.1 -> 115\.7 units per image\.$/);
  const wo = widthSparsityFinding([{ width: 256, share: 0.2 }, { width: 512, share: 0.1 }, { width: 1024, share: 0.098 }], false, 784);
  assert.match(wo, /Over the last step, 512 -> 1024 units \(the only step past the input's 784 values, into an overcomplete code\), the code gets about as sparse as a share \(10\.0% -> 9\.8%\) and uses 51\.2 -> 100\.4 units per image\.$/);
});

test('selectiveUnitsFinding, unitsNeededFinding, importanceFinding', () => {
  const units = [{ unit: 3, index: 0.9, entropyIndex: 0.8, preferred: 1 }, { unit: 7, index: 0.6, entropyIndex: 0.3, preferred: 1 },
    { unit: 9, index: 0.55, entropyIndex: 0.5, preferred: 0 }, { unit: 2, index: 0.2, entropyIndex: 0.1, preferred: 5 }];
  const s = selectiveUnitsFinding(units, 0.85, false, 0.5, 2);
  assert.match(s, /^Finding: 3 of 4 units are highly selective \(contrast above 0\.5\); the most selective are unit 3 \(digit 1, 0\.90\), unit 7 \(digit 1, 0\.60\), unit 9 \(digit 0, 0\.55\); among them digit 1 has the most \(2\), and no highly selective unit prefers digit 2, 3, 4, 5, 6, 7, 8, 9\. /);
  // top 2 by contrast: units 3, 7; by entropy: units 3, 9 -> 1 of 2 shared
  assert.match(s, /The contrast and entropy indices agree strongly \(correlation 0\.85 over all 4 units; strong from 0\.7, weak below 0\.3\), and 1 of the 2 units most selective by contrast are among the 2 most selective by entropy: so the choice of index changes some of the units named as the most selective\.$/);
  assert.match(selectiveUnitsFinding(units, 0.5, false, 0.5, 3), /agree moderately .* 3 of the 3 .*: so the choice of index barely changes which units/);
  const flipped = units.map((u) => ({ ...u, entropyIndex: 1 - u.index }));
  assert.match(selectiveUnitsFinding(flipped, 0.1, false, 0.5, 2), /agree weakly .* 0 of the 2 .*: so the two indices name different units as the most selective\.$/);
  assert.equal(strength(-0.75), 'strong');
  assert.equal(strength(0.3), 'moderate');
  assert.equal(strength(0.29), 'weak');
  assert.equal(topOverlap([5, 4, 3, 2], [1, 4, 3, 9], 2), 1);
  // the full code's MSE 0.008; from the mean image 0.067, 90% needs MSE <= 0.0139: k = 64
  const curve = [{ k: 0, mse: 0.13 }, { k: 16, mse: 0.03 }, { k: 48, mse: 0.018 }, { k: 64, mse: 0.0135 }, { k: 128, mse: 0.008 }];
  assert.match(unitsNeededFinding(curve, 48, 17.1, 128, 0.067, false), /48 of 128 units .* more than the 17\.1 above .* MSE 0\.1300 is 1\.9 times the mean image's 0\.0670; counted from the mean image's error instead, it takes k = 64\.$/);
  assert.match(unitsNeededFinding(curve, 17, 17.1, 128, 0.067, false), /about as many as/);
  assert.match(unitsNeededFinding(curve, 17, 17.1, 128, 0.005, false), /no k reaches it \(the full code is no better than the mean image\)/);
  // importance: unit 73 first, then 1-5 in order; lifetime: units 73, 1 and 6 fire most often
  const importance = Float64Array.from({ length: 80 }, (_, i) => (i === 73 ? 0.0012 : i >= 1 && i <= 5 ? 0.001 - i * 1e-4 : 0));
  const lifetime = Float64Array.from({ length: 80 }, (_, i) => (i === 73 ? 0.5 : i === 1 ? 0.4 : i === 6 ? 0.3 : 0.04));
  const imp = importanceFinding([73, 1, 2, 3, 4, 5], importance, lifetime, 0.2, false);
  assert.match(imp, /unit 73 is the most important \(removing it raises the MSE by 1\.20e-3; it is active on 50\.0% of images\), then units 1, 2, 3, 4\. Over all units, how often a unit fires says little about how much it matters \(rank correlation 0\.20 between importance and how often a unit fires, a weak one: strong from 0\.7, weak below 0\.3\)\. /);
  // top 6 by importance 73, 1-5; by lifetime 73, 1, 6, then the ties in index order 0, 2, 3 (a stable sort): 73, 1, 2, 3 shared
  assert.match(imp, /At the top, 4 of the 6 most important units are among the 6 that fire most often, so only some of the most important units are among the busiest\.$/);
  assert.match(importanceFinding([73, 1], importance, lifetime, 0.8, false), /Over all units, the more often a unit fires, the more it tends to matter \(.*a strong one: .*At the top, 2 of the 2 .*, so the most important units are mostly the busiest ones\.$/);
  assert.match(importanceFinding([73, 1], importance, lifetime, 0.5, false), /Over all units, units that fire more often tend to matter more, with many exceptions \(.*, a moderate one:/);
  assert.match(importanceFinding([73, 1], importance, lifetime, -0.5, false), /Over all units, the less often a unit fires, the more it tends to matter \(rank correlation -0\.50/);
  // units 2-5 by importance against 73, 1, 6, 0 by lifetime: none shared
  assert.match(importanceFinding([2, 3, 4, 5], importance, lifetime, 0.5, false), /At the top, 0 of the 4 .*, so the most important units are mostly not the busiest ones\.$/);
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
  assert.match(pcaFinding(sets, results, 10000, false), /on locality, 2 of the 2 learned atom sets are clearly \(5% or more\) more local than PCA's components \(300 pixels\): SAE \(KL\) \(180\), K-SVD atoms \(120\)\. As classifier inputs, against PCA's 90\.12%: SAE KL codes \(128\) 93\.73%, more than two standard errors above it; OMP codes 92\.00%, more than two standard errors above it\.$/);
  assert.match(pcaFinding([{ atoms: 'L1', pixels: 228 }, { atoms: 'PCA', pixels: 239 }], results, 10000, false), /none of the 1 learned atom sets is clearly more local/);
  assert.match(pcaFinding([{ atoms: 'L1', pixels: 100 }, { atoms: 'K', pixels: 238 }, { atoms: 'PCA', pixels: 239 }], results, 10000, false),
    /on locality, 1 of the 2 learned atom sets is clearly \(5% or more\) more local than PCA's components \(239 pixels\): L1 \(100\)\./);
});
