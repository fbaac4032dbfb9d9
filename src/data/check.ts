/**
 * The one check of a Dataset, where it enters training: `fit` and `trainEpoch` (core/train.ts),
 * the results cache's key (store/cache-key.ts: trainCached, cacheEntry, pretrain) and `datasetFromMatrix` (data/matrix.ts). A data set whose count,
 * images and labels disagree would otherwise train on rows of zeros or on a few of its rows, and
 * a NaN pixel would surface as a non-finite loss blamed on the learning rate.
 */
import type { Dataset } from './mnist';

/** Values scanned per call of `chunkSum`: small enough that V8 optimises it within the first call. */
const CHUNK = 1 << 16;

/**
 * The sum of v * 0 over data[from, to): 0 when every value is finite, NaN as soon as one is NaN or
 * infinite. Four sums, so the CPU is not waiting on one; nothing is written.
 */
function chunkSum(data: Float32Array, from: number, to: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = from;
  for (; i + 4 <= to; i += 4) {
    s0 += data[i] * 0;
    s1 += data[i + 1] * 0;
    s2 += data[i + 2] * 0;
    s3 += data[i + 3] * 0;
  }
  for (; i < to; i++) s0 += data[i] * 0;
  return s0 + s1 + s2 + s3;
}

/** The index of the first NaN or infinite value of `data`, or -1: one pass, ~40 ms for 60000 x 784 floats. */
export function firstNonFinite(data: Float32Array): number {
  for (let from = 0; from < data.length; from += CHUNK) {
    const to = Math.min(data.length, from + CHUNK);
    if (chunkSum(data, from, to) === 0) continue;
    for (let i = from; i < to; i++) if (!Number.isFinite(data[i])) return i;
  }
  return -1;
}

/** How a value prints in an error: numbers as they are, a typed array by its kind and length. */
function shown(v: unknown): string {
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * Checks `data` and returns it unchanged: rows and cols are integers >= 1 and dim = rows x cols;
 * images is a Float32Array of count x dim finite values (count >= 1); labels holds count integer
 * classes in [0, 255]. Throws, naming the field, its value and what is expected:
 * `Dataset.count = 10 is invalid: expected 5 (images holds 5 rows of dim 784)`.
 */
export function checkDataset(data: Dataset): Dataset {
  if (data === null || typeof data !== 'object') {
    throw new Error(`Dataset = ${shown(data)} is invalid: expected an object with images, labels, count, rows, cols and dim`);
  }
  const source = typeof data.source === 'string' && data.source !== '' ? `; source: ${data.source}` : '';
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new Error(`Dataset.${field} = ${shown(value)} is invalid: expected ${expected}${source}`);
  };
  const { rows, cols, dim, images, labels, count } = data;
  if (!(Number.isInteger(rows) && rows >= 1)) fail('rows', rows, 'an integer >= 1 (pixels per column of an image)');
  if (!(Number.isInteger(cols) && cols >= 1)) fail('cols', cols, 'an integer >= 1 (pixels per row of an image)');
  if (dim !== rows * cols) fail('dim', dim, `rows x cols = ${rows} x ${cols} = ${rows * cols}`);
  if (!(images instanceof Float32Array)) fail('images', images, 'a Float32Array of count x dim values');
  if (images.length === 0) fail('count', count, 'an integer >= 1 (the data set holds 0 images; training needs at least one)');
  const rowsHeld = images.length / dim;
  if (!Number.isInteger(rowsHeld)) {
    fail('images.length', images.length, `a whole number of rows of dim ${dim} (count x dim = ${count} x ${dim} = ${count * dim})`);
  }
  if (count !== rowsHeld) fail('count', count, `${rowsHeld} (images holds ${rowsHeld} rows of dim ${dim})`);
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    fail('labels', labels, `${count} class labels (a Uint8Array, one per image)`);
  }
  if (labels.length !== count) fail('labels.length', labels.length, `${count} (one label per image)`);
  if (!(labels instanceof Uint8Array)) {
    for (let i = 0; i < count; i++) {
      const y = labels[i];
      if (!(Number.isInteger(y) && y >= 0 && y <= 255)) fail(`labels[${i}]`, y, 'an integer class in [0, 255]');
    }
  }
  const bad = firstNonFinite(images);
  if (bad >= 0) {
    fail(`images[${bad}]`, images[bad], `a finite number (image ${Math.floor(bad / dim)}, value ${bad % dim} of ${dim})`);
  }
  return data;
}
