import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { loadMnist, batches, firstImages, pixelStats, MNIST_DIR } from '../../src/data/mnist';
import { parseIdx } from '../../src/data/idx';
import { assertClose } from '../helpers';

/** Builds an IDX file of unsigned bytes. */
function idx(dims: number[], data: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-data-'));
}

/** A tiny data set: 3 images of 2x2 pixels, in a directory, optionally gzipped. */
function writeTiny(dir: string, gz: boolean): void {
  const write = (name: string, buf: Buffer) =>
    fs.writeFileSync(path.join(dir, gz ? name + '.gz' : name), gz ? zlib.gzipSync(buf) : buf);
  write('train-images-idx3-ubyte', idx([3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0]));
  write('train-labels-idx1-ubyte', idx([3], [7, 1, 9]));
}

test('real MNIST: sizes, first labels and pixel statistics', () => {
  const train = loadMnist({ split: 'train' });
  assert.equal(train.count, 60000);
  assert.equal(train.dim, 784);
  assert.deepEqual(Array.from(train.labels.subarray(0, 10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  // pixelStats itself is checked against hand-worked values in evaluate.test.ts
  const stats = pixelStats(train);
  assertClose(stats.mean, 0.1307, 5e-4, 'mean pixel');
  assertClose(stats.std, 0.3081, 5e-4, 'pixel std');
  let min = Infinity;
  let max = -Infinity;
  for (const v of train.images) { if (v < min) min = v; if (v > max) max = v; }
  assert.equal(min, 0);
  assert.equal(max, 1);

  const test10k = loadMnist({ split: 'test' });
  assert.equal(test10k.count, 10000);
  assert.deepEqual(Array.from(test10k.labels.subarray(0, 10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
});

test('limit keeps the first images, and bad limits are refused', () => {
  const few = loadMnist({ split: 'test', limit: 5 });
  assert.equal(few.count, 5);
  assert.equal(few.images.length, 5 * 784);
  assert.deepEqual(Array.from(few.labels), [7, 2, 1, 0, 4]);
  assert.throws(() => loadMnist({ split: 'test', limit: 0 }), /limit must be an integer in \[1, 10000\].*got 0/);
  assert.throws(() => loadMnist({ split: 'test', limit: 10001 }), /got 10001/);
  assert.throws(() => loadMnist({ split: 'valid' as never }), /split must be 'train' or 'test', got "valid"/);
});

test('raw and gzipped IDX directories load the same, scaled to [0, 1]', () => {
  for (const gz of [false, true]) {
    const dir = tmpDir();
    writeTiny(dir, gz);
    const d = loadMnist({ dir, split: 'train' });
    assert.equal(d.count, 3);
    assert.equal(d.rows, 2);
    assert.deepEqual(Array.from(d.labels), [7, 1, 9]);
    assert.deepEqual(Array.from(d.images.subarray(0, 4)), [0, 1, 0.2, 0.4].map(Math.fround));
  }
});

test('Fashion-MNIST from Debian loads when installed', { skip: !fs.existsSync('/usr/share/datasets/fashion-mnist') }, () => {
  const d = loadMnist({ dir: '/usr/share/datasets/fashion-mnist', split: 'test', limit: 10 });
  assert.equal(d.dim, 784);
  assert.deepEqual(Array.from(d.labels), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
});

test('a missing file names the path and how to get it', () => {
  const dir = tmpDir();
  assert.throws(() => loadMnist({ dir }), (e: Error) =>
    e.message.includes(path.join(dir, 'train-images-idx3-ubyte')) && e.message.includes('Put the IDX files'));
  const fake = path.join(MNIST_DIR, 'no-such-split');
  assert.throws(() => loadMnist({ dir: fake }), /not found/);
});

test('a truncated file says how many bytes were expected and found', () => {
  const dir = tmpDir();
  writeTiny(dir, false);
  const p = path.join(dir, 'train-images-idx3-ubyte');
  fs.writeFileSync(p, fs.readFileSync(p).subarray(0, 16 + 5));
  assert.throws(() => loadMnist({ dir }), (e: Error) =>
    e.message.includes(p) && /truncated: header says 3x2x2 = 12 bytes of data, found 5/.test(e.message));
  assert.throws(() => parseIdx(Buffer.from([0, 0, 8, 3, 0, 0]), 3, 'x'), /truncated inside its header/);
  assert.throws(() => parseIdx(Buffer.from([0, 0]), 3, 'x'), /truncated/);
});

test('a wrong magic number says what was found and expected', () => {
  const dir = tmpDir();
  writeTiny(dir, false);
  // Swap the two files: the labels file has rank 1 where images need rank 3.
  const img = path.join(dir, 'train-images-idx3-ubyte');
  fs.copyFileSync(path.join(dir, 'train-labels-idx1-ubyte'), img);
  assert.throws(() => loadMnist({ dir }), /wrong magic number 0x00000801; expected 0x00000803/);
  // A gzip file that is not gzip.
  const dir2 = tmpDir();
  fs.writeFileSync(path.join(dir2, 'train-images-idx3-ubyte.gz'), 'not gzip');
  assert.throws(() => loadMnist({ dir: dir2 }), /not a valid gzip file/);
});

test('labels and images must agree in count', () => {
  const dir = tmpDir();
  writeTiny(dir, false);
  fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idx([2], [1, 2]));
  assert.throws(() => loadMnist({ dir }), /holds 3 images but the labels file holds 2 labels/);
});

test('a label outside 0..9 (or outside the declared classes) is an error naming the file, the index and the value', () => {
  const dir = tmpDir();
  writeTiny(dir, false);
  const labels = path.join(dir, 'train-labels-idx1-ubyte');
  fs.writeFileSync(labels, idx([3], [7, 12, 9]));
  assert.throws(() => loadMnist({ dir }), (err: Error) => {
    assert.equal(err.message, `${labels}: label[1] = 12 is invalid: expected a class in 0..9 (LoadOptions.classes = 10)`);
    return true;
  });
  // Even past the images that `limit` keeps: the file is corrupt.
  assert.throws(() => loadMnist({ dir, limit: 1 }), /label\[1\] = 12 is invalid/);
  assert.deepEqual(Array.from(loadMnist({ dir, classes: 13 }).labels), [7, 12, 9]);
  assert.throws(() => loadMnist({ dir, classes: 12 }), /label\[1\] = 12 is invalid: expected a class in 0..11 \(LoadOptions.classes = 12\)/);
  fs.writeFileSync(labels + '.gz', zlib.gzipSync(idx([3], [255, 1, 2])));
  fs.rmSync(labels);
  assert.throws(() => loadMnist({ dir }), new RegExp(`${labels.replace(/[/.]/g, '\\$&')}\\.gz: label\\[0\\] = 255 is invalid`));
  for (const classes of [0, 1.5, 257, NaN]) {
    assert.throws(() => loadMnist({ dir, classes }), new RegExp(`^Error: LoadOptions.classes = ${classes} is invalid: expected an integer in \\[1, 256\\]`));
  }
});

test('seeded batches: same seed same order, every row once, last batch smaller', () => {
  const d = loadMnist({ split: 'test', limit: 300 });
  const order = (seed?: number) => [...batches(d, { batchSize: 128, seed })].map((b) => Array.from(b.indices));
  const a = order(1);
  assert.deepEqual(order(1), a);
  assert.notDeepEqual(order(2), a);
  assert.deepEqual(a.map((b) => b.length), [128, 128, 44]);
  assert.deepEqual(a.flat().sort((x, y) => x - y), Array.from({ length: 300 }, (_, i) => i));
  assert.deepEqual(order()[0].slice(0, 3), [0, 1, 2]);
  // A batch's pixels are the rows it names.
  const first = [...batches(d, { batchSize: 4, seed: 5 })][0];
  const r = first.indices[2];
  assert.deepEqual(Array.from(first.images.subarray(2 * 784, 3 * 784)), Array.from(d.images.subarray(r * 784, (r + 1) * 784)));
  assert.equal(first.labels[2], d.labels[r]);
  assert.throws(() => [...batches(d, { batchSize: 0 })], /batchSize must be a positive integer, got 0/);
});

test('firstImages: the first count images and labels, as views; a bad count is named', () => {
  const data = loadMnist({ split: 'test', limit: 10 });
  const head = firstImages(data, 3);
  assert.equal(head.count, 3);
  assert.equal(head.images.length, 3 * data.dim);
  assert.equal(head.images.buffer, data.images.buffer, 'a view, not a copy');
  assert.deepEqual(Array.from(head.labels), Array.from(data.labels.subarray(0, 3)));
  assert.deepEqual(Array.from(head.images.subarray(2 * data.dim)), Array.from(data.images.subarray(2 * data.dim, 3 * data.dim)));
  assert.throws(() => firstImages(data, 11), /firstImages: count = 11 is invalid: expected an integer in \[1, 10\]/);
  assert.throws(() => firstImages(data, 0), /count = 0 is invalid/);
});
