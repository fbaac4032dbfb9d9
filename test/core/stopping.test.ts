import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochGain, lossFlattened } from '../../src/core/stopping';
import type { History } from '../../src/core/train';

const h = (...totals: number[]): History => totals.map((total, i) => ({ epoch: i + 1, total, seconds: 1 }));

test('lossFlattened: an epoch that changes the loss by under minGain either way', () => {
  const rule = lossFlattened(0.01);
  assert.equal(rule(h(1)), false, 'never after one epoch');
  assert.equal(rule(h(1, 0.5)), false, 'a 50% drop');
  assert.equal(rule(h(1, 0.995)), true, 'a 0.5% drop');
  assert.equal(rule(h(1, 1.004)), true, 'a 0.4% rise');
  assert.equal(rule(h(1, 1.07)), false, 'a 7% rise has not settled');
  assert.equal(rule(h(1, 0.99)), false, 'exactly 1% is not under 1%');
  assert.ok(Math.abs(epochGain(h(2, 1.5)) - 0.25) < 1e-15 && Number.isNaN(epochGain(h(2))));
  assert.throws(() => lossFlattened(-1), /lossFlattened: minGain = -1 is invalid: expected a finite number >= 0/);
});
