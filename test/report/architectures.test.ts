import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  architectureFinding, matchedScoresTable, matryoshkaFinding, mccCurveLine, SAME_ABSORPTION, scoresAtL0,
} from '../../src/report/architectures';
import type { PlantedRow } from '../../src/truth/sweep';

const row = (method: string, setting: string, l0: number, scores: Partial<PlantedRow> = {}): PlantedRow => ({
  method, setting, latents: 8, epochs: 5, lastGain: 0.001, l0, trueL0: 4, fvu: 0.1, mcc: 0.5, found: 0.5, precision: 0.5,
  recall: 0.5, f1: 0.5, shrinkage: 0.8, dead: 0, unique: 0.75, latentsPerCovered: 1.2, absorption: 0, ...scores });

const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

test('scoresAtL0: every score read off its curve in log L0; NaN where the sweep does not reach, unscored absorption left out', () => {
  const rows = [row('A', 'k 2', 2, { mcc: 0.6, f1: 0.4, absorption: 0.5, fvu: 0.4 }), row('A', 'k 8', 8, { mcc: 0.9, f1: 0.6, absorption: 0, fvu: 0.1 }),
    row('B', 'x', 4, { mcc: 0.7, absorption: NaN }), row('B', 'y', 16, { mcc: 0.5, absorption: 0.2 })];
  const at = scoresAtL0(rows, ['A', 'B'], [2, 4, 8]);
  // A at 4: halfway in log between 2 and 8
  const a4 = at.A[1];
  assert.ok(close(a4.mcc, 0.75) && close(a4.f1, 0.5) && close(a4.absorption, 0.25) && close(a4.fvu, 0.25));
  assert.equal(a4.l0, 4);
  // B reaches 4 to 16 only; at 8, halfway between 4 and 16; its absorption has one scored model (16), so it reaches 16 alone
  assert.ok(Number.isNaN(at.B[0].mcc) && close(at.B[2].mcc, 0.6) && Number.isNaN(at.B[1].absorption) && Number.isNaN(at.B[2].absorption));
  assert.deepEqual(Object.keys(at), ['A', 'B']);
  assert.deepEqual(matchedScoresTable(at, [2, 4, 8]).slice(0, 3), [
    { L0: 2, architecture: 'A', MCC: 0.6, F1: 0.4, absorption: '50.0%', FVU: 0.4 },
    { L0: 2, architecture: 'B', MCC: '-', F1: '-', absorption: '-', FVU: '-' },
    { L0: 4, architecture: 'A', MCC: 0.75, F1: 0.5, absorption: '25.0%', FVU: 0.25 },
  ]);
});

const scores = (l0: number, mcc: number, f1: number, absorption: number, fvu: number) => ({ l0, mcc, f1, absorption, fvu });
const none = scores(4, NaN, NaN, NaN, NaN);

test('architectureFinding: one leader near the true L0, the best at each target, the least absorption with ties', () => {
  const at = {
    TopK: [scores(4, 0.85, 0.62, 0.48, 0.11), scores(8, 0.83, 0.54, 0.16, 0.047)],
    JumpReLU: [scores(4, 0.86, 0.75, 0.029, 0.07), scores(8, 0.73, 0.59, 0.001, 0.038)],
    'ReLU + L1': [scores(4, 0.62, 0.36, 0.009, 0.58), scores(8, 0.81, 0.46, 0.002, 0.15)],
  };
  assert.equal(architectureFinding(at, [4, 8], 3.97, false),
    'Finding: JumpReLU recovers the planted features best near the true L0 (3.97): it has the highest MCC and F1 at L0 4; ' +
    "at L0 4 the highest MCC is JumpReLU's 0.860 (next TopK 0.850), the highest F1 JumpReLU's 0.750 (next TopK 0.620), " +
    "the lowest FVU JumpReLU's 0.070 (next TopK 0.110); at L0 8 the highest MCC is TopK's 0.830 (next ReLU + L1 0.810), " +
    "the highest F1 JumpReLU's 0.590 (next TopK 0.540), the lowest FVU JumpReLU's 0.038 (next TopK 0.047); " +
    'the least absorption at L0 4: ReLU + L1 0.9%, JumpReLU 2.9% (within 5 percentage points of the least); the most TopK 48.0%.');
  // a lead of 0.003 in MCC is named as too close to separate; a lead of 0.02 is not
  const closeAt = { ...at, TopK: [scores(4, 0.857, 0.62, 0.48, 0.11), at.TopK[1]] };
  assert.match(architectureFinding(closeAt, [4, 8], 3.97, false), /highest MCC and F1 at L0 4 \(by MCC only 0\.003 ahead of TopK: too close for one seed to separate\); at L0 4/);
  const clearAt = { ...at, TopK: [scores(4, 0.84, 0.62, 0.48, 0.11), at.TopK[1]] };
  assert.doesNotMatch(architectureFinding(clearAt, [4, 8], 3.97, false), /too close/);
  // the target nearest the true L0 in log: 8 for a true L0 of 6
  const at8 = architectureFinding(at, [4, 8], 6, false);
  assert.match(at8, /^Finding: near the true L0 \(6\.00\), at L0 8, no architecture leads on both: TopK has the highest MCC, JumpReLU the highest F1;/);
  assert.match(at8, /the least absorption at L0 8: JumpReLU 0\.1%, ReLU \+ L1 0\.2% \(within 5 percentage points of the least\); the most TopK 16\.0%\.$/);
});

test('architectureFinding: targets fewer than two architectures reach, and quick mode', () => {
  const at = { A: [scores(2, 0.8, 0.5, 0, 0.3), scores(4, 0.7, 0.5, 0.1, 0.2)], B: [none, scores(4, 0.6, 0.6, 0.3, 0.1)] };
  const line = architectureFinding(at, [2, 4], 4, true);
  assert.match(line, /^Finding \(quick mode: too few epochs.*\): near the true L0 \(4\.00\), at L0 4, no architecture leads on both: A has the highest MCC, B the highest F1;/);
  assert.match(line, /the least absorption at L0 4: A 10\.0%; the most B 30\.0%; at L0 2 fewer than two architectures reach it\.$/);
  assert.equal(architectureFinding({ A: [none], B: [none] }, [4], 4, false), 'Finding: no target L0 is reached by two architectures; at L0 4 fewer than two architectures reach it.');
  // an absorption nobody could score
  assert.match(architectureFinding({ A: [scores(4, 0.8, 0.5, NaN, 0.1)], B: [scores(4, 0.7, 0.4, NaN, 0.2)] }, [4], 4, false),
    /A recovers the planted features best .*; at L0 4 no architecture could be scored for absorption\.$/);
});

test('matryoshkaFinding: yes, no, about the same and mixed, with the matched rates and each model\'s own', () => {
  const plain = 'BatchTopK';
  const nested = 'Matryoshka BatchTopK';
  const rows = [row(plain, 'k 4', 3.97, { absorption: 0.468 }), row(plain, 'k 8', 7.88, { absorption: 0 }),
    row(nested, 'k 4', 3.97, { absorption: 0.499 }), row(nested, 'k 8', 7.83, { absorption: 0.5 }), row(nested, 'k 2', 2, { absorption: NaN })];
  const at = (a: [number, number], b: [number, number]) => ({
    [plain]: [scores(4, 0.77, 0.56, a[0], 0.11), scores(8, 0.79, 0.51, a[1], 0.039)],
    [nested]: [scores(4, 0.73, 0.52, b[0], 0.13), scores(8, 0.62, 0.42, b[1], 0.098)],
  });
  assert.equal(matryoshkaFinding(rows, at([0.463, 0], [0.499, 0.5]), [4, 8], false),
    'Finding: no, Matryoshka BatchTopK absorbs more than BatchTopK at L0 8, about as much at L0 4 (a difference of 5 percentage ' +
    'points or less counts as the same): at L0 4 49.9% against 46.3% (MCC 0.730 against 0.770); at L0 8 50.0% against 0.0% ' +
    "(MCC 0.620 against 0.790); each model's own rate: BatchTopK 46.8% at L0 3.97, 0.0% at L0 7.88; " +
    'Matryoshka BatchTopK - at L0 2.00, 49.9% at L0 3.97, 50.0% at L0 7.83.');
  assert.match(matryoshkaFinding(rows, at([0.5, 0.3], [0.2, 0.1]), [4, 8], false), /^Finding: yes, Matryoshka BatchTopK absorbs less than BatchTopK at every compared L0 \(/);
  assert.match(matryoshkaFinding(rows, at([0.5, 0.3], [0.2, 0.28]), [4, 8], false), /^Finding: yes, Matryoshka BatchTopK absorbs less than BatchTopK at L0 4, about as much at L0 8 \(/);
  assert.match(matryoshkaFinding(rows, at([0.1, 0.3], [0.4, 0.5]), [4, 8], false), /^Finding: no, Matryoshka BatchTopK absorbs more than BatchTopK at every compared L0 \(/);
  assert.match(matryoshkaFinding(rows, at([0.1, 0.3], [0.1 + SAME_ABSORPTION - 0.001, 0.3]), [4, 8], true),
    /^Finding \(quick mode.*\): no, Matryoshka BatchTopK absorbs about as much as BatchTopK at every compared L0 \(/);
  assert.match(matryoshkaFinding(rows, at([0.5, 0], [0.2, 0.4]), [4, 8], false), /^Finding: mixed: Matryoshka BatchTopK absorbs less than BatchTopK at L0 4, more at L0 8 \(/);
  assert.match(matryoshkaFinding(rows, at([NaN, NaN], [0.2, 0.4]), [4, 8], false), /^Finding: no target L0 is reached by both BatchTopK and Matryoshka BatchTopK with absorption scored; each model's own rate: /);
  assert.throws(() => matryoshkaFinding(rows, { [plain]: [] }, [4], false), /expected scores of 'BatchTopK' and 'Matryoshka BatchTopK', got BatchTopK/);
});

test('mccCurveLine: the highest point, each line\'s peak and how many peak near the true L0', () => {
  const rows = [row('TopK', 'k 2', 2, { mcc: 0.81 }), row('TopK', 'k 4', 3.85, { mcc: 0.846 }), row('JumpReLU', 'lambda 0.003', 4.2, { mcc: 0.87 }),
    row('KL', 'rho 0.1', 22, { mcc: 0.43 }), row('KL', 'rho 0.02', 2.1, { mcc: 0.48 }), row('other', 'x', 4, { mcc: 0.99 })];
  assert.equal(mccCurveLine(rows, ['TopK', 'JumpReLU', 'KL', 'missing'], 3.97),
    'The highest point is JumpReLU, lambda 0.003 (MCC 0.870 at L0 4.20); each line peaks at TopK 0.846 (L0 3.85), ' +
    'JumpReLU 0.870 (L0 4.20), KL 0.480 (L0 2.10); 3 of 3 peak within a factor of 2 of the true L0 (3.97).');
  assert.match(mccCurveLine(rows, ['KL'], 4), /1 of 1 peak within/);
  assert.match(mccCurveLine(rows, ['KL'], 20), /0 of 1 peak within/);
  assert.throws(() => mccCurveLine(rows, ['missing'], 4), /no rows/);
});
