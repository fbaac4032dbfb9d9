/**
 * Notebook 15's sentences (src/report/toy.ts) on W matrices made by hand: an orthogonal pair,
 * antipodal pairs, a square and a pentagon in the plane, diagonal and overlapping Gram matrices,
 * kept sets in and out of importance order, D* curves that fall or rise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, matrixOf } from '../../src/data/matrix';
import {
  SuperpositionSummary, dimensionsPerFeature, featureDimensionality, featureNorms, gramMatrix, interference, representedFeatures,
} from '../../src/toy/analysis';
import {
  dimensionsLines, geometryLines, gramLine, keptCountsLine, normsLines, planeGeometry, polygonFinding, probabilityLabel,
  superpositionFinding, sweepTable, toyFinding, toyRunLine,
} from '../../src/report/toy';

/** W [2, n] from its columns' angles in degrees (length 1 each; null: a zero column). */
function plane(angles: (number | null)[], length = 1): Matrix<Float32Array> {
  const rad = (a: number | null) => ((a ?? 0) * Math.PI) / 180;
  const len = (a: number | null) => (a === null ? 0 : length);
  return matrixOf(Float32Array.from([...angles.map((a) => len(a) * Math.cos(rad(a))), ...angles.map((a) => len(a) * Math.sin(rad(a)))]),
    2, angles.length);
}

/** W [rows, cols] from its rows. */
const rows = (r: number[][]) => matrixOf(Float32Array.from(r.flat()), r.length, r[0].length);

/** What superpositionSummaries gives for this W at feature probability p. */
function summary(w: Matrix, p: number): SuperpositionSummary {
  return {
    featureProbability: p, norms: featureNorms(w), interference: interference(w), dimensionality: featureDimensionality(w),
    dimensionsPerFeature: dimensionsPerFeature(w), represented: representedFeatures(w),
  };
}

const full = { quick: false, steps: 2000 };
// densest to sparsest: an orthogonal pair, two antipodal pairs (a square), a pentagon
const SWEEP = [plane([0, 90, null, null, null]), plane([0, 90, 180, 270, null]), plane([0, 72, 144, 216, 288], 1.15)];
const SUMMARIES = SWEEP.map((w, k) => summary(w, [1, 0.3, 0.02][k]));

test('probabilityLabel, toyFinding and toyRunLine', () => {
  assert.equal(probabilityLabel(0.5723), 'p 0.57');
  assert.equal(probabilityLabel(Math.fround(0.02)), 'p 0.02');
  assert.equal(toyFinding('yes.', full), 'Finding: yes.');
  assert.equal(toyFinding('yes.', { quick: true, steps: 1000 }), 'Finding (quick mode: a short run of 1000 steps; in this run): yes.');
  assert.equal(toyRunLine({ instances: 8, inputDim: 5, hiddenDim: 2, steps: 2000, batchSize: 1024 }, 4.24),
    '8 instances of 5 features in 2 hidden dimensions, trained at once as one batched graph: 2000 Adam steps of 1024 fresh samples each, in 4.2 s.');
});

test('planeGeometry names the shape from the angles between kept directions', () => {
  const shape = (angles: (number | null)[]) => planeGeometry(plane(angles)).shape;
  assert.equal(shape([0, 90, null]), 'orthogonal pair');
  assert.equal(shape([10, 190, null]), 'antipodal pair');
  assert.equal(shape([0, 45]), 'two directions 45° apart');
  assert.equal(shape([0, 90, 180, 270, null]), 'square (two antipodal pairs)');
  assert.equal(shape([0, 72, 144, 216, 288]), 'pentagon');
  assert.equal(shape([0, 60, 120, 180, 240, 300]), 'regular 6-gon');
  assert.equal(shape([0, 180, 270]), '1 antipodal pair and 1 unpaired');
  assert.equal(shape([0, 180, 60, 240]), '2 antipodal pairs');
  assert.equal(shape([0, 20, 200]), '1 antipodal pair and 1 unpaired');
  assert.equal(shape([0, 30, 100]), 'irregular');
  assert.equal(shape([0, null]), 'one direction');
  assert.equal(shape([null, null]), 'no feature kept');
  // short columns (norm 0.5 or less) are dropped, not drawn into the shape
  assert.deepEqual(planeGeometry(plane([0, 72, 144], 0.4)).kept, []);
  const g = planeGeometry(plane([144, 0, 72, 216, 288]));
  assert.deepEqual(g.kept, [1, 2, 0, 3, 4]);
  assert.ok(g.gaps.every((v) => Math.abs(v - 72) < 1e-4), `${g.gaps}`);
  assert.throws(() => planeGeometry(rows([[1, 0, 0]])), /W has 1 rows; the plane needs 2/);
});

test('geometryLines and polygonFinding read the direction panels', () => {
  assert.deepEqual(geometryLines(SUMMARIES, SWEEP), [
    'p 1 (S 0%): 2 of 5 kept (3 dropped): orthogonal pair.',
    'p 0.3 (S 70%): 4 of 5 kept (1 dropped), neighbouring directions 90° apart: square (two antipodal pairs).',
    'p 0.02 (S 98%): 5 of 5 kept, neighbouring directions 72° apart: pentagon.',
  ]);
  assert.equal(polygonFinding(SUMMARIES, SWEEP, full),
    'Finding: the sparsest instance (p 0.02, S 98%) stores all 5 features in 2 dimensions as a pentagon: neighbouring directions ' +
    '72° apart (72° in a regular one), norms 1.15, each feature\'s D_i 0.40 (a regular pentagon gives each 2/5 of a dimension); ' +
    'the instances that form one: p 0.02.');
  const square = [SWEEP[0], SWEEP[1]];
  assert.equal(polygonFinding(SUMMARIES.slice(0, 2), square, { quick: true, steps: 500 }),
    'Finding (quick mode: a short run of 500 steps; in this run): the sparsest instance (p 0.3, S 70%) does not form a pentagon: ' +
    'it keeps 4 of 5 features, neighbouring directions 90° apart (square (two antipodal pairs)).');
});

test('keptCountsLine: the counts and where they first exceed m', () => {
  assert.equal(keptCountsLine(SUMMARIES, 2), 'Features kept (norm above 0.5), densest to sparsest: p 1: 2, p 0.3: 4, p 0.02: 5; ' +
    'the count first exceeds m = 2 at p 0.3 (S 70%), and stays above m at every sparser p.');
  const back = [SUMMARIES[0], SUMMARIES[2], summary(SWEEP[0], 0.01)];
  assert.match(keptCountsLine(back, 2), /first exceeds m = 2 at p 0\.02 \(S 98%\), and falls back to m or fewer at p 0\.01\.$/);
  assert.match(keptCountsLine([SUMMARIES[0]], 2), /; no instance keeps more than m = 2\.$/);
  assert.match(keptCountsLine([SUMMARIES[2]], 2), /; even the densest instance keeps more than m = 2\.$/);
});

test('sweepTable: one row per instance', () => {
  assert.deepEqual(sweepTable(SUMMARIES)[0], { p: 1, 'sparsity S': '0%', kept: 2, 'kept, own dimension': 2, 'D*': 1 });
  assert.deepEqual(sweepTable(SUMMARIES)[2], { p: 0.02, 'sparsity S': '98%', kept: 5, 'kept, own dimension': 0, 'D*': 0.302 });
});

test('gramLine counts overlapping pairs off the diagonal', () => {
  const grams = SWEEP.map((w) => gramMatrix(w));
  // the square: 2 antipodal pairs (|G| = 1); the pentagon: all 10 pairs overlap (|cos 72|, |cos 144| times 1.15^2)
  assert.equal(gramLine(grams, SUMMARIES),
    'Pairs of features whose directions overlap (|W_i . W_j| above 0.1, off the diagonal), of 10: p 1: 0, p 0.3: 2, p 0.02: 10. ' +
    'At p 1 (S 0%) W^T W is diagonal to within 0.1 (largest off-diagonal 0.00); overlaps first appear at p 0.3 (2), ' +
    'and the sparsest instance has 10 (largest 1.07).');
  assert.match(gramLine([grams[0]], [SUMMARIES[0]]), /Every W\^T W is diagonal to within 0\.1: no feature shares a direction\.$/);
  assert.match(gramLine([grams[2]], [SUMMARIES[2]]), /The densest instance already has 10 \(largest 1\.07\), and the sparsest instance has 10/);
});

test('normsLines: own dimension or shared, and whether the kept features are the most important', () => {
  const [own, importance] = normsLines(SUMMARIES);
  assert.equal(own, 'Kept features with a dimension of their own (interference below 0.1) / sharing one: p 1: 2 / 0, p 0.3: 0 / 4, p 0.02: 0 / 5.');
  assert.match(importance, /^Importance decides what is dropped at 3 of 3 sparsities: the kept features are the most important ones \(features 0, 1, \.\.\. in order\)\.$/);
  // feature 1 dropped, feature 2 kept instead
  const skip = summary(plane([0, null, 90]), 0.5);
  assert.match(normsLines([SUMMARIES[0], skip])[1], /at 1 of 2 sparsities: .*; not so at p 0\.5 \(it keeps feature 2 and drops 1\)\.$/);
});

test('dimensionsLines: the D* trend and the D_i on stable fractions', () => {
  const [trend, fractions] = dimensionsLines(SUMMARIES, 2, 5);
  assert.equal(trend, 'D* goes from 1.00 at p 1 (S 0%) to 0.30 at p 0.02 (S 98%), never rising by more than 0.02 from one p to the next; ' +
    'below m/n = 0.40, ||W||_F^2 = m / D* is more than n: the squared norms average above 1.');
  // D_i: 1, 1 (orthogonal), 1/2 x 4 (square), 2/5 x 5 (pentagon)
  assert.equal(fractions, 'Of the 11 kept features over the sweep (the dots), D_i sits within 0.01 of a fraction the paper finds stable ' +
    'for 11: 2 on 1, 0 on 3/4, 0 on 2/3, 4 on 1/2, 5 on 2/5, 0 on 3/8; 0 lie between them.');
  const rising = dimensionsLines([SUMMARIES[1], SUMMARIES[0]], 2, 5)[0];
  assert.match(rising, /^D\* goes from 0\.50 at p 0\.3 \(S 70%\) to 1\.00 at p 1 \(S 0%\), rising by more than 0\.02 at p 1\.$/);
});

test('superpositionFinding: a clean transition, none, or a densest instance that already shares', () => {
  assert.equal(superpositionFinding(SUMMARIES, 2, 5, full),
    'Finding: as sparsity rises the model moves into superposition: the densest instance (p 1, S 0%) keeps 2 features, each with a ' +
    'dimension of its own (D* 1.00); the count first exceeds m = 2 at p 0.3 (S 70%), and the sparsest (p 0.02, S 98%) keeps 5 of 5 ' +
    'in 2 dimensions (D* 0.30).');
  assert.match(superpositionFinding([SUMMARIES[0], SUMMARIES[0]], 2, 5, full),
    /^Finding: no instance keeps more than m = 2 features, so none is in superposition by this count; the sparsest/);
  const shares = summary(plane([0, 180, null, null, null]), 1);
  assert.match(superpositionFinding([shares, SUMMARIES[2]], 2, 5, full),
    /^Finding: more features share dimensions as sparsity rises, though even the densest instance shares some: the densest instance \(p 1, S 0%\) keeps 2 features, none of them with a dimension of their own; the count first exceeds m = 2 at p 0\.02/);
});
