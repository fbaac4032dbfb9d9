import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchedFronts } from '../../src/report/fronts';
import type { FrontRow } from '../../src/report/fronts';
import { againstReferenceFinding, matchedFinding, unfinishedMethods } from '../../src/report/findings-fronts';

const row = (method: string, setting: string, l0: number, fvu: number, fvuRaw = fvu, lastGain = 0.005): FrontRow =>
  ({ data: 'px', method, setting, l0, fvu, fvuRaw, added: false, epochs: lastGain >= 0.01 ? 15 : 8, lastGain });
const budget = { cap: 15, stopGain: 0.01, stepsPerEpoch: 469 };

test('matchedFinding: one method lowest at every target, every model flattened', () => {
  const rows = [row('TopK', 'k 2', 2, 0.3), row('TopK', 'k 64', 64, 0.05),
    row('ReLU + L1', 'a', 2, 0.5), row('ReLU + L1', 'b', 64, 0.1),
    row('sigmoid + KL', 'r1', 2, 0.9, 0.6), row('sigmoid + KL', 'r2', 64, 0.8, 0.2)];
  const m = matchedFronts(rows, 'px', [4, 8, 16, 32]);
  assert.equal(matchedFinding('px', m, rows, budget, false),
    'Finding: on px, TopK has the lowest FVU at every matched L0 (4, 8, 16, 32); every model had flattened by the stopping rule.');
  assert.match(matchedFinding('px', m, rows, budget, true), /^Finding \(quick mode/);
});

test('matchedFinding: a split verdict, a target KL decides, and KL at the cap', () => {
  // ReLU is lowest at L0 4 and 8; at 32 KL's raw code beats ReLU, its cut code does not.
  const rows = [row('TopK', 'k 2', 2, 0.6), row('TopK', 'k 64', 64, 0.15),
    row('ReLU + L1', 'a', 2, 0.3), row('ReLU + L1', 'b', 64, 0.2),
    row('sigmoid + KL', 'r1', 2, 0.9, 0.9, 0.05), row('sigmoid + KL', 'r2', 64, 0.8, 0.01, 0.02)];
  const m = matchedFronts(rows, 'px', [4, 8, 32]);
  // FVU by linear interpolation in log L0 (compareAtL0; L0 2 to 64 is 5 octaves): at 4 (1/5 of the way) TopK
  // 0.6 - 0.45/5 = 0.51, ReLU 0.28; at 8 TopK 0.42, ReLU 0.26; at 32 (4/5) TopK 0.24, ReLU 0.22,
  // KL raw 0.9 - 0.89 * 0.8 = 0.188, KL cut 0.82: ReLU with the cut code, KL with the raw code.
  assert.deepEqual(unfinishedMethods(rows, 'px', budget), ['sigmoid + KL']);
  assert.equal(matchedFinding('px', m, rows, budget, false),
    'Finding: on px, ReLU + L1 has the lowest FVU at L0 4, 8; at L0 32 the winner depends on how KL is measured ' +
    'or fewer than two methods reach it; leaving KL out, ReLU + L1 is lowest at L0 32; sigmoid + KL had models still ' +
    'changing at the 15-epoch cap, so their FVU is where training stopped, not where that penalty settles.');
});

test('againstReferenceFinding: lower, about the same and higher than TopK, by how much, and a curve that reaches none', () => {
  const rows = [row('TopK', 'k 4', 4, 0.4), row('TopK', 'k 16', 16, 0.2),
    // lower by 10% at 4 and 25% at 16; at 8 (half way) 0.27 against 0.3: lower by 10%
    row('BatchTopK', 'k 4', 4, 0.36), row('BatchTopK', 'k 16', 16, 0.15),
    // the same at 4 (0.404, 1% above), higher at 16 (0.25, 25% above), at 8 0.327 against 0.3 (9% above)
    row('Matryoshka BatchTopK', 'k 4', 4, 0.404), row('Matryoshka BatchTopK', 'k 16', 16, 0.25),
    row('JumpReLU', 'x', 32, 0.1), row('JumpReLU', 'y', 64, 0.05)];
  const m = matchedFronts(rows, 'px', [4, 8, 16]);
  assert.equal(againstReferenceFinding('px', m, ['BatchTopK', 'Matryoshka BatchTopK', 'JumpReLU'], false),
    "Finding: on px, FVU against TopK's at matched L0: BatchTopK: lower at L0 4, 8, 16 (by 10.0%-25.0%); " +
    'Matryoshka BatchTopK: about the same at L0 4 (within 2%), higher at L0 8, 16 (by 9.0%-25.0%); ' +
    'JumpReLU and TopK reach none of L0 4, 8, 16 together.');
  assert.match(againstReferenceFinding('px', m, ['BatchTopK'], true), /^Finding \(quick mode/);
  // BatchTopK's k 4 ran to the cap still changing; JumpReLU's did too, but JumpReLU is not compared here.
  const open = rows.map((r) => (r.setting === 'k 4' && r.method === 'BatchTopK') || r.method === 'JumpReLU'
    ? { ...r, lastGain: 0.05 } : r);
  assert.equal(againstReferenceFinding('px', m, ['BatchTopK'], false, 'TopK', { rows: open, budget }),
    "Finding: on px, FVU against TopK's at matched L0: BatchTopK: lower at L0 4, 8, 16 (by 10.0%-25.0%); BatchTopK had " +
    'models still changing at the 15-epoch cap, so a difference resting on those models may change with more epochs.');
  assert.doesNotMatch(againstReferenceFinding('px', m, ['BatchTopK'], false, 'TopK', { rows, budget }), /still changing/);
  assert.throws(() => againstReferenceFinding('px', m, ['Nope'], false), /no curve named "Nope" on px/);
});
