import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { asMatrix, columnMeans, matrixOf, rowMeans } from '../../src/data/matrix';
import { histogram } from '../../src/data/histogram';
import { assertAllClose } from '../helpers';

test('the matrix view: rows counted from cols, column and row means by hand', () => {
  const data = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // 4 rows of 3
  const m = asMatrix(data, 3, 'codes');
  assert.equal(m.rows, 4);
  assert.equal(m.cols, 3);
  assert.equal(m.data, data, 'a view, not a copy');
  assertAllClose(columnMeans(m), [(1 + 4 + 7 + 10) / 4, (2 + 5 + 8 + 11) / 4, (3 + 6 + 9 + 12) / 4], 1e-12);
  assertAllClose(rowMeans(m), [2, 5, 8, 11], 1e-12);
  // with a map: the fraction of non-zero entries per column (a firing rate)
  const codes = asMatrix([0, 1, 0, 2, 0, 0, 3, 4, 5], 3);
  assertAllClose(columnMeans(codes, (v) => (v !== 0 ? 1 : 0)), [2 / 3, 2 / 3, 1 / 3], 1e-12);
  assertAllClose(rowMeans(codes, (v) => (v !== 0 ? 1 : 0)), [1 / 3, 1 / 3, 1], 1e-12);
  assert.deepEqual(matrixOf([1, 2, 3, 4, 5, 6], 2, 3), { data: [1, 2, 3, 4, 5, 6], rows: 2, cols: 3 });
  assert.equal(asMatrix([], 4, 'empty', 0).rows, 0, 'minRows 0 allows an empty matrix');
});

test('a bad shape is an error that names what, rows and cols', () => {
  assert.throws(() => asMatrix(new Float32Array(10), 3, 'the codes'),
    /^Error: the codes holds 10 values, not a whole number \(>= 1\) of rows of 3 \(rows = 10 \/ 3 = 3\.3+\d*, cols = 3\)$/);
  assert.throws(() => asMatrix([], 3, 'the codes'), /the codes holds 0 values, not a whole number \(>= 1\) of rows of 3 \(rows = 0 \/ 3 = 0, cols = 3\)/);
  assert.throws(() => asMatrix([1, 2], 0, 'x'), /^Error: x: cols = 0 is invalid: expected an integer >= 1 \(values per row\)$/);
  assert.throws(() => asMatrix([1, 2], 1.5, 'x'), /x: cols = 1\.5 is invalid/);
  assert.throws(() => matrixOf([1, 2, 3, 4, 5], 2, 3, 'data.images'), /^Error: data.images holds 5 values, but rows x cols = 2 x 3 = 6$/);
  assert.throws(() => matrixOf([], -1, 3, 'm'), /m: rows = -1 is invalid: expected an integer >= 0/);
});

test('histogram: edges and counts by hand', () => {
  const h = histogram([0, 0.5, 1, 1, 2], 2, [0, 2]);
  assert.deepEqual(h, { edges: [0, 1, 2], counts: [2, 3] });
});
