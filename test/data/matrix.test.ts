import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { datasetFromMatrix } from '../../src/data/matrix';
import { batches } from '../../src/data/mnist';
import { median } from '../../src/data/stats';

test('datasetFromMatrix: a [count, dim] matrix and labels become a Dataset that batches row by row', () => {
  const values = Float32Array.from([1, 2, 3, 4, 5, 6]); // 3 rows of 2
  const d = datasetFromMatrix(values, [2, 0, 1], 2, 'codes');
  assert.equal(d.count, 3);
  assert.equal(d.dim, 2);
  assert.equal(d.rows * d.cols, 2);
  assert.equal(d.source, 'codes');
  assert.ok(d.labels instanceof Uint8Array);
  assert.deepEqual(Array.from(d.labels), [2, 0, 1]);
  // batches in stored order: rows [1, 2], [3, 4] then [5, 6]
  const got = [...batches(d, { batchSize: 2 })].map((b) => [Array.from(b.images), Array.from(b.labels)]);
  assert.deepEqual(got, [[[1, 2, 3, 4], [2, 0]], [[5, 6], [1]]]);
});

test('datasetFromMatrix: errors name the value and what was expected', () => {
  const values = new Float32Array(6);
  assert.throws(() => datasetFromMatrix(values, [0, 0], 4), /6 values, which is not a whole number of rows of dim = 4/);
  assert.throws(() => datasetFromMatrix(values, [0, 0], 3.5), /dim = 3.5 is invalid: expected an integer >= 1/);
  assert.throws(() => datasetFromMatrix(values, [0, 0], 2), /holds 3 rows of 2 values but 2 labels are given/);
  assert.throws(() => datasetFromMatrix(values, [0, 300, 0], 2), /labels\[1\] = 300 is invalid: expected an integer class in \[0, 255\]/);
  assert.throws(() => datasetFromMatrix(values, [0, 0, 1.5], 2), /labels\[2\] = 1.5 is invalid/);
  assert.throws(() => datasetFromMatrix(new Float32Array(0), [], 2), /holds no rows/);
});

test('median of odd and even arrays, by hand; the input is not reordered', () => {
  const odd = [5, 1, 3];
  assert.equal(median(odd), 3);
  assert.deepEqual(odd, [5, 1, 3]);
  assert.equal(median([4, 1, 3, 2]), 2.5); // (2 + 3) / 2
  assert.equal(median([7]), 7);
  assert.equal(median([-2, 10]), 4);
  assert.equal(median(Float32Array.from([0.5, 0.25, 1, 0.75, 0])), 0.5);
  assert.equal(median([10, 9, 100, 2]), 9.5); // sorted numerically, not as strings: 2, 9, 10, 100
  assert.throws(() => median([]), /median of an empty array/);
  assert.throws(() => median([1, NaN]), /values\[1\] is NaN/);
});
