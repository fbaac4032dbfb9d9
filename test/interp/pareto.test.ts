import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compareAtL0, fvuAtL0, notReached, sweepToCover } from '../../src/interp/pareto';
import { assertClose } from '../helpers';

test('fvuAtL0 interpolates linearly in log L0 between constructed points', () => {
  const pts = [{ l0: 16, fvu: 0.2 }, { l0: 4, fvu: 0.4 }]; // unsorted on purpose
  // 8 is halfway between 4 and 16 in log, so halfway between 0.4 and 0.2
  assertClose(fvuAtL0(pts, 8), 0.3, 1e-12);
  assert.equal(fvuAtL0(pts, 4), 0.4);
  assert.equal(fvuAtL0(pts, 16), 0.2);
  // at 6: t = ln(1.5) / ln(4) = 0.405465 / 1.386294 = 0.292481; 0.4 - 0.2 t = 0.341504
  assertClose(fvuAtL0(pts, 6), 0.341504, 1e-6);
  assert.ok(Number.isNaN(fvuAtL0(pts, 2)), 'below the curve: NaN');
  assert.ok(Number.isNaN(fvuAtL0(pts, 32)), 'above the curve: NaN');
  // three points (2, 0.5), (8, 0.3), (32, 0.1): L0 4 and 16 are log-midpoints of their segments
  const three = [{ l0: 2, fvu: 0.5 }, { l0: 8, fvu: 0.3 }, { l0: 32, fvu: 0.1 }];
  assertClose(fvuAtL0(three, 4), 0.4, 1e-12);
  assertClose(fvuAtL0(three, 16), 0.2, 1e-12);
  // a model that never fires (L0 0) has no log and is left out
  assertClose(fvuAtL0([{ l0: 0, fvu: 1 }, ...pts], 8), 0.3, 1e-12);
  assert.ok(Number.isNaN(fvuAtL0([], 8)));
  assert.throws(() => fvuAtL0(pts, 0), /l0 = 0 is invalid: expected a finite number > 0/);
  assert.throws(() => fvuAtL0([pts[0], { l0: 8, fvu: NaN }], 8), /points\[1\] = \(l0 8, fvu NaN\) is invalid/);
});

test('compareAtL0 reads every curve at the same L0 and names the lowest FVU where two or more reach it', () => {
  const curves = {
    A: [{ l0: 4, fvu: 0.4 }, { l0: 16, fvu: 0.2 }],
    B: [{ l0: 4, fvu: 0.3 }, { l0: 8, fvu: 0.25 }],
    C: [{ l0: 16, fvu: 0.1 }, { l0: 32, fvu: 0.05 }],
  };
  const rows = compareAtL0(curves, [4, 8, 16, 32, 64]);
  assert.deepEqual(rows.map((r) => r.l0), [4, 8, 16, 32, 64]);
  assert.deepEqual(rows.map((r) => r.best), ['B', 'B', 'C', null, null]); // at 32 only C reaches; at 64 none
  assertClose(rows[1].fvu.A, 0.3, 1e-12);
  assert.equal(rows[1].fvu.B, 0.25);
  assert.ok(Number.isNaN(rows[1].fvu.C));
  assert.equal(rows[2].fvu.A, 0.2);
  assert.equal(rows[3].fvu.C, 0.05);
});

test('notReached says which end of the sweep stops short, and is null where the curve has a value', () => {
  const pts = [{ l0: 0, fvu: 1 }, { l0: 30.314, fvu: 0.6 }, { l0: 166.2, fvu: 0.08 }];
  assert.equal(notReached(pts, 4), "not reached (the sweep's smallest L0 is 30.3)");
  assert.equal(notReached(pts, 200), "not reached (the sweep's largest L0 is 166)");
  assert.equal(notReached(pts, 32), null);
  assert.equal(notReached(pts, 30.314), null);
  assert.equal(notReached([{ l0: 0, fvu: 1 }], 4), 'not reached (no model of the sweep fires)');
});

test('sweepToCover extends a sweep at the end that stops short, and stops when the knob stops working', async () => {
  // A made-up knob: L0 = 100 / lambda, so doubling lambda halves L0.
  const measured: number[] = [];
  const measure = async (lambda: number) => { measured.push(lambda); return { l0: 100 / lambda, fvu: lambda / 100 }; };
  const cover = { lowest: 10, highest: 200, sparser: (s: number) => s * 2, denser: (s: number) => s / 2, extraPerEnd: 4 };
  const out = await sweepToCover([1, 2], measure, cover);
  // L0 100, 50; sparser: lambda 4 (25), 8 (12.5), 16 (6.25 <= 10: stop); denser: 0.5 (200 >= 200: stop)
  assert.deepEqual(measured, [1, 2, 4, 8, 16, 0.5]);
  assert.deepEqual(out.map((r) => r.setting), measured);
  assert.deepEqual(out.map((r) => r.point.l0), [100, 50, 25, 12.5, 6.25, 200]);
  // the cap: at most extraPerEnd settings per end (sparser: 4 and 8, though L0 12.5 is still above
  // the lowest, 1; denser: 0.5, where L0 200 reaches the highest)
  measured.length = 0;
  await sweepToCover([1, 2], measure, { ...cover, lowest: 1, extraPerEnd: 2 });
  assert.deepEqual(measured, [1, 2, 4, 8, 0.5]);
  // a sweep that already covers the range measures nothing more
  measured.length = 0;
  await sweepToCover([0.5, 16], measure, cover);
  assert.deepEqual(measured, [0.5, 16]);
  // a knob that has stopped working (L0 stuck at 40): one more try at each end, then stop
  const stuck = await sweepToCover([1], async (s: number) => ({ l0: 40, fvu: s }), cover);
  assert.deepEqual(stuck.map((r) => r.setting), [1, 2, 0.5]);
  await assert.rejects(sweepToCover([], measure, cover), /no settings/);
  // concurrent: measure runs for all starting settings at once, then both ends side by side, and
  // the results keep the same order whichever measurement finishes first
  let running = 0;
  let most = 0;
  const slow = async (lambda: number) => {
    most = Math.max(most, ++running);
    await new Promise((r) => setTimeout(r, lambda === 2 ? 30 : 5 * (lambda % 3)));
    running -= 1;
    return { l0: 100 / lambda, fvu: lambda / 100 };
  };
  const timed = await sweepToCover([1, 2, 1.5], slow, { ...cover, extraPerEnd: 2, concurrent: true });
  assert.equal(most, 3, 'the three starting settings measured at once');
  most = 0;
  const oneByOne = await sweepToCover([1, 2, 1.5], slow, { ...cover, extraPerEnd: 2 });
  assert.equal(most, 1, 'one at a time by default');
  assert.deepEqual(oneByOne.map((r) => r.setting), timed.map((r) => r.setting));
  assert.deepEqual(timed.map((r) => r.setting), [1, 2, 1.5, 4, 8, 0.5]);
  await assert.rejects(sweepToCover([1], measure, { ...cover, lowest: 0 }), /expected 0 < lowest <= highest/);
});
