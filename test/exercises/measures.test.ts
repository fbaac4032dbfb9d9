import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { featureQuality, massPixels, meanImage } from '../../src/exercises/locality';
import { datasetFromMatrix } from '../../src/data/matrix';
import type { Decoder, Encoder } from '../../src/core/evaluate';
import { assertAllClose, assertClose, setup } from '../helpers';

/** A 28x28 image holding a horizontal stroke of `length` pixels at value `ink` on row 14. */
function stroke(length: number, ink = 1): Float32Array {
  const img = new Float32Array(784);
  for (let c = 0; c < length; c++) img[14 * 28 + 9 + c] = ink;
  return img;
}

/** The same image blurred: each pixel replaced by the mean of its (2r+1)^2 neighbourhood (zero outside). */
function boxBlur(img: Float32Array, r: number): Float32Array {
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      let s = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < 28 && xx >= 0 && xx < 28) s += img[yy * 28 + xx];
        }
      }
      out[y * 28 + x] = s / (2 * r + 1) ** 2;
    }
  }
  return out;
}

test('massPixels by hand: the fewest pixels holding a share of sum |v|', () => {
  // mass 6: 50% = 3 is held by the 3 alone; 80% = 4.8 needs 3 + 1 + 1
  assert.equal(massPixels([3, 1, 1, 1], 0.5), 1);
  assert.equal(massPixels([3, 1, 1, 1], 0.8), 3);
  assert.equal(massPixels([1, 3, 1, 1], 0.8), 3, 'order does not matter');
  assert.equal(massPixels([-3, 1, -1, 1], 0.8), 3, 'removed ink counts like added ink');
  assert.equal(massPixels([3, 1, 1, 1], 1), 4);
  assert.equal(massPixels([0, 0, 0]), 0, 'an image that changes nothing holds no mass');
  // ten equal pixels: 80% is exactly 8 of them, even though 0.1 * 8 sums to 0.7999999999999999
  assert.equal(massPixels(new Array(10).fill(0.1), 0.8), 8);
  assert.throws(() => massPixels([1, 2], 0), /share = 0 is invalid: expected a number in \(0, 1\]/);
  assert.throws(() => massPixels([1, 2], 1.5), /share = 1.5 is invalid/);
  assert.throws(() => massPixels([1, NaN], 0.8), /values\[1\] = NaN is not a finite number/);
});

test('one stroke is more local than the same stroke blurred, which is more local than a uniform blur', () => {
  const line = stroke(10);
  const blurred = boxBlur(line, 2);
  const uniform = new Float32Array(784).fill(10 / 784); // the same mass as the stroke, spread evenly
  // by hand: the stroke's 10 equal pixels -> 8; 784 equal pixels -> ceil(0.8 * 784) = 628
  assert.equal(massPixels(line), 8);
  assert.equal(massPixels(uniform), 628);
  const mid = massPixels(blurred);
  assert.ok(mid > 8 && mid < 628, `the blurred stroke needs ${mid} pixels, between 8 and 628`);
  // the ordering does not depend on how bright the ink is
  assert.equal(massPixels(stroke(10, 0.05)), 8);
});

test('meanImage averages pixel by pixel', () => {
  const data = datasetFromMatrix(Float32Array.from([0, 1, 0.5, 1, 1, 0]), [0, 1], 3);
  assertAllClose(meanImage(data), [0.5, 1, 0.25], 1e-7);
});

test('featureQuality on a hand-built linear model: a selective stroke, a shared blur, a dead unit', async () => {
  await setup();
  // Decoder rows: unit 0 draws a 10-pixel stroke, unit 1 the same mass spread over the image, unit 2 nothing.
  const dec = new Float32Array(3 * 784);
  dec.set(stroke(10), 0);
  dec.fill(10 / 784, 784, 2 * 784);
  // Encoder: unit 0 reads pixel 0, unit 1 pixel 1, unit 2 pixel 2.
  const enc = new Float32Array(784 * 3);
  for (let j = 0; j < 3; j++) enc[j * 3 + j] = 1;
  const model: Encoder & Decoder = {
    config: { inputDim: 784, latentDim: 3 },
    encode: (x: tf.Tensor2D): tf.Tensor2D => tf.matMul(x, tf.tensor2d(enc, [784, 3])),
    // a constant background of 0.25: the zero-code image, which the measures subtract
    decode: (h: tf.Tensor2D): tf.Tensor2D => tf.add(tf.matMul(h, tf.tensor2d(dec, [3, 784])), 0.25),
  };
  // Ten images, one per digit: pixel 1 is on in all of them (unit 1 fires for every digit),
  // pixel 0 only in the digit-0 image (unit 0 fires for 0 only), pixel 2 never (unit 2 is dead).
  const images = new Float32Array(10 * 784);
  for (let c = 0; c < 10; c++) images[c * 784 + 1] = 1;
  images[0] = 1;
  const data = datasetFromMatrix(images, Array.from({ length: 10 }, (_, c) => c), 784);
  const q = featureQuality(model, data);
  assert.deepEqual(q.live, [0, 1]);
  assert.deepEqual(q.inactive, [2]);
  assert.equal(q.samples, 10);
  assertAllClose(q.zeroImage, new Float32Array(784).fill(0.25), 0);
  assert.deepEqual(Array.from(q.massPixels), [8, 628, 0]);
  assertAllClose(q.change, [10 / 784, 10 / 784, 0], 1e-7);
  assert.deepEqual(Array.from(q.peak), [1, 1, 0]);
  // unit 0: profile [1, 0, ..., 0] -> contrast 1; unit 1: flat -> 0
  assertAllClose(q.selectivity, [1, 0, 0], 1e-12);
  assertClose(q.medianMassPixels, (8 + 628) / 2, 1e-12);
  assertClose(q.medianSelectivity, 0.5, 1e-12);
  // with share 0.5: 5 of the stroke's pixels, 392 of the uniform image's
  assert.deepEqual(Array.from(featureQuality(model, data, { share: 0.5 }).massPixels), [5, 392, 0]);
  // a model whose every unit is dead has no medians
  const silent: Encoder & Decoder = { ...model, encode: (x: tf.Tensor2D): tf.Tensor2D => tf.zeros([x.shape[0], 3]) };
  const none = featureQuality(silent, data);
  assert.deepEqual(none.live, []);
  assert.ok(Number.isNaN(none.medianMassPixels) && Number.isNaN(none.medianSelectivity));
  assert.throws(() => featureQuality(model, data, { numSamples: 0 }), /numSamples = 0 is invalid/);
});
