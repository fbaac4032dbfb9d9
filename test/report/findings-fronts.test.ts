import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchedFronts } from '../../src/report/fronts';
import type { FrontRow } from '../../src/report/fronts';
import { matchedFinding, unfinishedMethods } from '../../src/report/findings-fronts';

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
