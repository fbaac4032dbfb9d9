import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compareAtL0, fvuAtL0 } from '../../src/interp/pareto';
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
