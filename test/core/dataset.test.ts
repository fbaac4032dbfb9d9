/**
 * A Dataset is checked where it enters training (checkDataset in src/data/check.ts, called by
 * fit, trainEpoch, datasetFromMatrix and the results cache's key, so trainCached, cacheEntry and pretrain): count, rows x cols, dim, labels and finite
 * values, each error naming the field, the value and what is expected. The scan for non-finite
 * values is one pass, and nothing on good data changes.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Dataset, loadMnist } from '../../src/data/mnist';
import { datasetFromMatrix } from '../../src/data/matrix';
import { checkDataset } from '../../src/data/check';
import { createModel } from '../../src/core/sae';
import { createOptimizer, fit, trainEpoch } from '../../src/core/train';
import { cacheEntry, trainCached } from '../../src/store/cache';
import { pretrain } from '../../src/store/pretrain';
import { setup } from '../helpers';

/** Matches an error's message (not its "Error: ..." string, so that ^ and $ anchor to the message). */
function says(re: RegExp): (err: Error) => true {
  return (err: Error) => {
    assert.match(err.message, re);
    return true;
  };
}

/** `count` images of 2x2 pixels with finite values, labels 0..9. */
function tiny(count: number): Dataset {
  const images = Float32Array.from({ length: count * 4 }, (_, i) => (i % 7) / 7);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count, rows: 2, cols: 2, dim: 4, source: 'tiny' };
}

/** The bad data sets of issue 21, each with the error it must give. */
function badSets(): [string, Dataset, RegExp][] {
  const mnist = loadMnist({ split: 'train', limit: 100 });
  const nan = mnist.images.slice();
  nan[784 + 450] = NaN;
  const inf = mnist.images.slice();
  inf[99 * 784] = -Infinity;
  return [
    ['count 10 over 5 rows', { ...mnist, count: 10, images: mnist.images.subarray(0, 5 * 784) },
      /^Dataset\.count = 10 is invalid: expected 5 \(images holds 5 rows of dim 784\)/],
    ['count 3 over 100 rows', { ...mnist, count: 3 }, /^Dataset\.count = 3 is invalid: expected 100 \(images holds 100 rows of dim 784\)/],
    ['2 labels for 100 images', { ...mnist, labels: mnist.labels.subarray(0, 2) },
      /^Dataset\.labels\.length = 2 is invalid: expected 100 \(one label per image\)/],
    ['a NaN pixel', { ...mnist, images: nan }, /^Dataset\.images\[1234\] = NaN is invalid: expected a finite number \(image 1, value 450 of 784\)/],
    ['an infinite pixel', { ...mnist, images: inf }, /^Dataset\.images\[77616\] = -Infinity is invalid: expected a finite number \(image 99, value 0 of 784\)/],
  ];
}

test('checkDataset: every field, in the project\'s wording', () => {
  const good = tiny(5);
  assert.equal(checkDataset(good), good, 'a good data set is returned as it is');
  const cases: [Partial<Dataset> | Record<string, unknown>, RegExp][] = [
    [{ rows: 0 }, /^Dataset\.rows = 0 is invalid: expected an integer >= 1/],
    [{ cols: 1.5 }, /^Dataset\.cols = 1.5 is invalid: expected an integer >= 1/],
    [{ dim: 5 }, /^Dataset\.dim = 5 is invalid: expected rows x cols = 2 x 2 = 4/],
    [{ images: new Float64Array(20) }, /^Dataset\.images = Float64Array\(20\) is invalid: expected a Float32Array/],
    [{ images: new Float32Array(18) }, /^Dataset\.images\.length = 18 is invalid: expected a whole number of rows of dim 4 \(count x dim = 5 x 4 = 20\)/],
    [{ images: new Float32Array(0), count: 0 }, /^Dataset\.count = 0 is invalid: expected an integer >= 1 \(the data set holds 0 images; training/],
    [{ count: 4.5 }, /^Dataset\.count = 4.5 is invalid: expected 5 \(images holds 5 rows of dim 4\)/],
    [{ count: NaN }, /^Dataset\.count = NaN is invalid: expected 5/],
    [{ labels: undefined }, /^Dataset\.labels = undefined is invalid: expected 5 class labels/],
    [{ labels: [0, 1, 2, 3, 300] }, /^Dataset\.labels\[4\] = 300 is invalid: expected an integer class in \[0, 255\]/],
    [{ labels: [0, 1, 2, 1.5, 0] }, /^Dataset\.labels\[3\] = 1.5 is invalid/],
  ];
  for (const [change, re] of cases) {
    assert.throws(() => checkDataset({ ...good, ...change } as Dataset), says(re), JSON.stringify(change));
  }
  assert.throws(() => checkDataset(null as unknown as Dataset), says(/^Dataset = null is invalid: expected an object/));
  // The source, when there is one, is named at the end.
  assert.throws(() => checkDataset({ ...good, count: 6 }), says(/expected 5 \(images holds 5 rows of dim 4\); source: tiny$/));
  // Plain arrays of integer labels are fine (gatherRows copies them into bytes).
  checkDataset({ ...good, labels: [0, 1, 2, 3, 4] as unknown as Uint8Array });
  for (const [name, data, re] of badSets()) assert.throws(() => checkDataset(data), says(re), name);
});

test('fit, trainEpoch and trainCached refuse a bad data set before they train', async () => {
  await setup();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-dataset-'));
  for (const [name, data, re] of badSets()) {
    const model = createModel({ sparsity: 'l1' }, 1);
    const before = model.variables.map((v) => v.dataSync().slice());
    await assert.rejects(fit(model, data, { epochs: 1, progress: false }), says(re), `fit: ${name}`);
    const optimizer = createOptimizer(1e-3);
    await assert.rejects(trainEpoch(model, data, optimizer, { batchSize: 32 }), says(re), `trainEpoch: ${name}`);
    optimizer.dispose();
    model.variables.forEach((v, i) => assert.deepEqual(v.dataSync(), before[i], `${name}: the weights changed`));
    model.dispose();
    await assert.rejects(trainCached({ model: { sparsity: 'l1' }, train: { epochs: 1 } }, data, { cacheDir, log: false, progress: false }),
      says(re), `trainCached: ${name}`);
    // The pool and the cache's look-up refuse it where it enters, before any worker starts.
    await assert.rejects(pretrain([{ model: { sparsity: 'l1' }, train: { epochs: 1 }, title: 'L1' }], data, { cacheDir, workers: 2, log: false }),
      says(re), `pretrain: ${name}`);
    assert.throws(() => cacheEntry({ model: { sparsity: 'l1' }, train: { epochs: 1 } }, data, cacheDir), says(re), `cacheEntry: ${name}`);
  }
  assert.deepEqual(fs.readdirSync(cacheDir).filter((f) => !f.startsWith('.')), [], 'a bad data set left a cache entry');
});

test('datasetFromMatrix refuses NaN and infinite values, naming the row and column', () => {
  const values = Float32Array.from([0, 1, 2, 3, 4, 5]);
  values[3] = NaN;
  assert.throws(() => datasetFromMatrix(values, [0, 1, 2], 2, 'codes'),
    says(/^Dataset\.images\[3\] = NaN is invalid: expected a finite number \(image 1, value 1 of 2\); source: codes$/));
  values[3] = Infinity;
  assert.throws(() => datasetFromMatrix(values, [0, 1, 2], 2), says(/^Dataset\.images\[3\] = Infinity is invalid/));
  values[3] = 3;
  assert.equal(datasetFromMatrix(values, [0, 1, 2], 2).images, values, 'good values are used as they are');
});

test('the finite-values scan reads all 60000 x 784 floats, finds a NaN in the last one, and changes nothing', () => {
  const train = loadMnist({ split: 'train' });
  const copy = train.images.slice();
  // Its cost (40-47 ms on this 2-core machine) is a speed fact, not a test: no timing is asserted here.
  checkDataset(train);
  assert.deepEqual(Buffer.from(train.images.buffer), Buffer.from(copy.buffer), 'the scan changed a value');
  // A NaN in the last value of the last image is found too.
  const last = train.images.slice();
  last[last.length - 1] = NaN;
  assert.throws(() => checkDataset({ ...train, images: last }), says(/^Dataset\.images\[47039999\] = NaN .*\(image 59999, value 783 of 784\)/));
});
