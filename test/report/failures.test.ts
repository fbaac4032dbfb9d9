/** Notebook 18's findings (report/failures.ts), on hand-built numbers: each verdict and its wording. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  deadLatentFinding, denseLatentFinding, gradientRatioLine, halfwayEpoch, normDriftFinding, shrinkageFinding,
  thresholdFinding,
} from '../../src/report/failures';

test('halfwayEpoch: the first epoch at half the final value', () => {
  assert.equal(halfwayEpoch([0, 0.1, 0.3, 0.4]), 2);
  assert.equal(halfwayEpoch([0, 0, 0]), 0);
});

test('deadLatentFinding: the failing run against its fixes', () => {
  const failing = { name: 'fast', dead: [0, 0.2, 0.4] };
  assert.equal(deadLatentFinding([failing, { name: 'aux', dead: [0, 0.01, 0] }, { name: 'slow', dead: [0, 0, 0.03] }], false),
    'Finding: fast ends with 40.0% of its latents dead (0.0% before training, half of that share by epoch 1); ' +
    'aux 0.0% and slow 3.0% dead: each fix keeps most of those latents alive.');
  assert.match(deadLatentFinding([failing, { name: 'aux', dead: [0, 0.1] }, { name: 'slow', dead: [0, 0.3] }], false),
    /: only aux halves the dead share\.$/);
  assert.match(deadLatentFinding([failing, { name: 'slow', dead: [0, 0.3] }], true),
    /^Finding \(quick mode.*: no fix halves the dead share here\.$/);
  assert.equal(deadLatentFinding([{ name: 'fast', dead: [0, 0.02] }, { name: 'aux', dead: [0, 0] }], false),
    'Finding: the failure did not appear in this run: fast ends with 2.0% of its latents dead (under 5%); ' +
    'the others end with aux 0.0% dead.');
});

test('shrinkageFinding: L1 against TopK at the same L0', () => {
  const l1 = { name: 'L1', l0: 5.5, shrinkage: 0.15 };
  assert.equal(shrinkageFinding(l1, { name: 'TopK', l0: 6, shrinkage: 0.6 }, false),
    'Finding: L1 reconstructs its features at 0.15 of their true magnitude, TopK at 0.60 (L0 5.5 and 6.0): ' +
    'the L1 penalty shrinks the codes more.');
  assert.match(shrinkageFinding(l1, { name: 'TopK', l0: 5.5, shrinkage: 0.17 }, false), /about alike \(within 0\.05\)\.$/);
  assert.match(shrinkageFinding(l1, { name: 'TopK', l0: 12, shrinkage: 0.05 }, false),
    /\(L0 5\.5 and 12\.0, not a matched pair\): here the L1 model shrinks its codes less, not more\.$/);
});

test('normDriftFinding: rows that grow while codes shrink', () => {
  const unit = { rowNorm: [1, 1, 1], code: [0.3, 0.25, 0.3] };
  assert.equal(normDriftFinding({ rowNorm: [1, 1.5, 2.4], code: [0.3, 0.2, 0.1] }, unit, false),
    'Finding: without renormalisation the mean decoder row norm went from 1.00 to 2.40 and the mean firing code ' +
    'from 0.300 to 0.100, against 0.300 with unit rows: the free model pays its L1 penalty on codes 33% the size ' +
    "of the unit-norm model's, lowering the penalty by growing its rows, not by firing less.");
  assert.match(normDriftFinding({ rowNorm: [1, 1.05], code: [0.3, 0.2] }, unit, false), /: the rows did not grow here\.$/);
  assert.match(normDriftFinding({ rowNorm: [1, 2], code: [0.3, 0.4] }, unit, false), /codes did not end smaller/);
});

test('thresholdFinding and gradientRatioLine: θ against log θ', () => {
  const direct = { theta: [0.01, 0.5, 0.97], l0: [48, 10, 4] };
  assert.equal(thresholdFinding(direct, { theta: [0.01, 0.02, 0.07], l0: [48, 47, 44] }, 1570, false),
    'Finding: over 1570 steps, stored as θ, the mean threshold went from 0.010 to 0.970 and the L0 from 48.0 to 4.0; ' +
    'stored as log θ, the mean threshold went from 0.010 to 0.070 and the L0 from 48.0 to 44.0: ' +
    "log θ's L0 fell 9% as far as θ's: the log threshold is stuck.");
  assert.match(thresholdFinding(direct, { theta: [0.01, 0.5], l0: [48, 20] }, 10, false), /64% as far as θ's: not stuck/);
  assert.match(thresholdFinding({ theta: [0.01, 0.01], l0: [48, 48] }, direct, 10, false), /shows no difference\.$/);
  assert.equal(gradientRatioLine(0.01, 2e-3, 2e-5),
    'At θ = 0.01 the mean |∂L/∂θ| is 2.00e-3 and the mean |∂L/∂log θ| 2.00e-5: a ratio of 0.010, θ itself, ' +
    'as the chain rule ∂L/∂log θ = θ ∂L/∂θ says.');
  assert.match(gradientRatioLine(0.01, 2e-3, 4e-5), /a ratio of 0\.020, not θ/);
});

test('denseLatentFinding: latents firing more often than the most frequent true feature, failing run against its fix', () => {
  const rates = (...v: number[]) => v;
  // 20 latents each: the weak penalty has 3 above 0.5 (0.9, 0.8, 0.6), the strong one none (0.5 is not above).
  const weak = { name: 'weak', density: rates(0.9, 0.8, 0.6, ...Array(17).fill(0.1)) };
  const strong = { name: 'strong', density: rates(0.5, ...Array(19).fill(0.05)) };
  assert.equal(denseLatentFinding(weak, strong, 0.5, false),
    'Finding: the most frequent true feature fires on 50.0% of the samples; weak has 3 of 20 latents firing on more ' +
    'test samples than that (its densest on 90.0%), strong has 0 of 20 latents firing on more test samples than that ' +
    '(its densest on 50.0%): the fix removes every one of them.');
  // 2 of 20 dense in the fix: not halved from 3.
  const half = { name: 'half', density: rates(0.7, 0.6, ...Array(18).fill(0.1)) };
  assert.match(denseLatentFinding(weak, half, 0.5, false), /: the fix does not halve the dense latents here\.$/);
  // 1 of 20 (5%) is the least that counts as the failure; none is not.
  const one = { name: 'one', density: rates(0.7, ...Array(19).fill(0.1)) };
  assert.match(denseLatentFinding(one, strong, 0.5, false), /the fix removes every one of them/);
  // 1 of 20 dense in the fix against 3: most, not all.
  assert.match(denseLatentFinding(weak, one, 0.5, false), /: the fix removes most of the dense latents\.$/);
  assert.match(denseLatentFinding(strong, one, 0.5, true),
    /^Finding \(quick mode.*: the failure did not appear in this run \(under 5% of the latents dense\)\.$/);
});
