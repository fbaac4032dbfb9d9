/**
 * The native TopK mask (runtime/fused-topk.ts, native/topk.c) against tf.topk's k-th value
 * compared with every entry: random rows, ties, k = 1 and k = n, constant rows, on wasm and cpu.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { loadNative, nativeLoadError } from '../../src/runtime/native';
import { useFused } from '../../src/runtime/fused';
import { fusedTopkMask } from '../../src/runtime/fused-topk';
import { topKMask } from '../../src/interp/activations/topk';
import { Rng } from '../../src/runtime/random';
import { setup, withBackend } from '../helpers';

const skip = loadNative()?.denseForward === undefined && process.env.CI !== 'true'
  ? `native addon (with fused kernels) unavailable: ${nativeLoadError() || 'rebuild it: npm run build:native'}` : false;

/** The mask computed in plain JavaScript: sort a copy of each row, compare with its k-th largest. */
function byHand(x: Float32Array, rows: number, cols: number, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++) {
    const row = Array.from(x.subarray(i * cols, (i + 1) * cols));
    const kth = [...row].sort((a, b) => b - a)[k - 1];
    out.push(...row.map((v) => (v >= kth ? 1 : 0)));
  }
  return out;
}

test('native TopK mask: the k-th largest of each row and every tie with it, wasm and cpu', { skip }, async () => {
  await setup();
  const rng = new Rng(5);
  const cases: [string, number, number, number[], number[]][] = [];
  const random = (rows: number, cols: number) => Array.from({ length: rows * cols }, () => rng.uniform(-3, 3));
  cases.push(['random 128x1024', 128, 1024, random(128, 1024), [1, 16, 128, 1024]]);
  cases.push(['random 7x33', 7, 33, random(7, 33), [1, 2, 5, 32, 33]]);
  // few distinct values: many ties at the k-th
  cases.push(['ties', 9, 40, Array.from({ length: 9 * 40 }, () => Math.floor(rng.uniform(0, 4))), [1, 3, 10, 39, 40]]);
  // ties where the min-heap answers (k <= n / 16)
  cases.push(['ties, heap', 6, 96, Array.from({ length: 6 * 96 }, () => Math.floor(rng.uniform(0, 5))), [2, 3, 6]]);
  cases.push(['constant rows', 3, 16, new Array(48).fill(-1e4), [1, 8, 16]]);
  cases.push(['one column', 5, 1, random(5, 1), [1]]);
  for (const backend of ['wasm', 'cpu']) {
    await withBackend(backend, () => {
      assert.equal(useFused(true), true, `fusion in use on ${backend}`);
      const before = tf.memory().numTensors;
      for (const [what, rows, cols, values, ks] of cases) {
        const data = Float32Array.from(values);
        for (const k of ks) {
          const got = tf.tidy(() => {
            const z = tf.tensor2d(data, [rows, cols]);
            return [fusedTopkMask(z, k)!.dataSync(), topKMask(z, k).dataSync()].map((a) => Array.from(a));
          });
          const expected = byHand(data, rows, cols, k);
          assert.deepEqual(got[0], expected, `${backend} ${what} k=${k}: fused mask`);
          assert.deepEqual(got[1], expected, `${backend} ${what} k=${k}: topKMask`);
        }
      }
      // with fusion off, topKMask takes tf.topk's path and gives the same mask
      useFused(false);
      const plain = tf.tidy(() => Array.from(topKMask(tf.tensor2d(cases[2][3], [9, 40]), 3).dataSync()));
      useFused(true);
      assert.deepEqual(plain, byHand(Float32Array.from(cases[2][3]), 9, 40, 3), `${backend} plain path`);
      const small = tf.zeros([2, 3]) as tf.Tensor2D;
      assert.equal(fusedTopkMask(small, 4), null, 'k above n: null');
      small.dispose();
      assert.equal(tf.memory().numTensors, before, `${backend}: no tensors leak`);
    });
  }
});
