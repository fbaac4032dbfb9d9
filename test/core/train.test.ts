import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { loadMnist } from '../../src/data/mnist';
import { createModel } from '../../src/core/sae';
import { meanImageMse, reconstructionMse } from '../../src/core/evaluate';
import { fit, LossParts, NonFiniteLossError, Trainable } from '../../src/core/train';
import { setup } from '../helpers';

test('short real runs: both models beat the mean image on held-out digits; memory stays flat', async () => {
  await setup();
  const train = loadMnist({ split: 'train', limit: 4000 });
  const heldOut = loadMnist({ split: 'test', limit: 1000 });
  const baseline = meanImageMse(train, heldOut);
  console.log(`mean-image MSE on 1000 test digits: ${baseline.toFixed(5)}`);
  // The L1 model learns fast (~0.03 after 6 epochs of 4000 images); the KL model's sigmoid
  // codes start saturated by the penalty and learn slowly at first, so its bar is lower.
  const runs = [
    { sparsity: 'l1' as const, sparsityWeight: 0.001, epochs: 4, bound: 0.75 },
    { sparsity: 'kl' as const, sparsityWeight: 0.01, epochs: 6, bound: 0.98 },
  ];
  for (const run of runs) {
    const model = createModel({ sparsity: run.sparsity, sparsityWeight: run.sparsityWeight }, 42);
    const tensors: number[] = [];
    const history = await fit(model, train, { epochs: run.epochs, seed: 42, progress: false, onEpoch: () => tensors.push(tf.memory().numTensors) });
    const held = reconstructionMse(model, heldOut);
    console.log(`${run.sparsity}: reconstruction per epoch ${history.map((r) => r.reconstruction.toFixed(5)).join(' ')}; ` +
      `held-out MSE ${held.toFixed(5)} (bound ${(run.bound * baseline).toFixed(5)}); tensors after each epoch ${tensors.join(' ')}`);
    assert.ok(history[history.length - 1].reconstruction < history[0].reconstruction, 'training lowered the loss');
    assert.ok(held < run.bound * baseline, `${run.sparsity}: held-out MSE ${held} not below ${run.bound} x mean-image MSE ${baseline}`);
    assert.equal(tensors[2], tensors[0], `tensor count after epoch 3 (${tensors[2]}) differs from epoch 1 (${tensors[0]})`);
    assert.equal(tensors[tensors.length - 1], tensors[0]);
    for (const r of history) {
      // total = reconstruction + weight * sparsity holds per batch, so also for the means
      assert.ok(Math.abs(r.total - (r.reconstruction + run.sparsityWeight * r.sparsity)) < 1e-6);
    }
    model.dispose();
  }
});

test('the same seed gives identical losses; another seed does not', async () => {
  await setup();
  const data = loadMnist({ split: 'train', limit: 600 });
  const run = async (seed: number) => {
    const model = createModel({ sparsity: 'kl' }, seed);
    const h = await fit(model, data, { epochs: 2, seed, progress: false });
    model.dispose();
    return h.map((r) => [r.total, r.reconstruction, r.sparsity]);
  };
  const a = await run(7);
  assert.deepEqual(await run(7), a);
  assert.notDeepEqual(await run(8), a);
});

test('a non-finite loss stops training, names epoch and batch, and keeps the last good weights', async () => {
  await setup();
  const data = loadMnist({ split: 'train', limit: 256 });
  const model = createModel({ sparsity: 'l1', inputDim: 784, latentDim: 8 }, 1);
  let calls = 0;
  let atBadStep: Float32Array[] = [];
  // Batch 3 of epoch 2 (batch size 64: 4 batches per epoch) returns NaN.
  const poisoned: Trainable = {
    variables: model.variables,
    losses(x: tf.Tensor2D): LossParts {
      calls += 1;
      const parts = model.losses(x);
      if (calls !== 7) return parts;
      atBadStep = model.variables.map((v) => (v.dataSync() as Float32Array).slice());
      const nan = tf.mul(parts.total, NaN) as tf.Scalar;
      return { ...parts, total: nan };
    },
  };
  const before = tf.memory().numTensors;
  await assert.rejects(
    () => fit(poisoned, data, { epochs: 3, batchSize: 64, progress: false }),
    (e: unknown) => e instanceof NonFiniteLossError && e.epoch === 2 && e.batch === 3 && /epoch 2, batch 3/.test(e.message));
  // The weights are exactly those the bad step started from: its update was never applied.
  assert.equal(atBadStep.length, model.variables.length);
  model.variables.forEach((v, i) => assert.deepEqual(v.dataSync(), atBadStep[i], `${v.name} changed after the bad step`));
  assert.equal(tf.memory().numTensors, before, 'no tensors left over after the error');
  model.dispose();
});

test('fit hands control to the event loop every ~100 ms, also when each epoch is shorter than that', async () => {
  await setup();
  // one batch of 8 images per epoch: an epoch takes a few ms
  const data = loadMnist({ split: 'test', limit: 8 });
  const model = createModel({ latentDim: 16, hiddenDim: 32 }, 1);
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 20);
  const start = Date.now();
  try {
    await fit(model, data, { epochs: 400, batchSize: 8, progress: false });
  } finally {
    clearInterval(timer);
  }
  const seconds = (Date.now() - start) / 1000;
  model.dispose();
  // a loop that never yields lets no tick through; yielding every 100 ms lets about one through per 100 ms
  assert.ok(seconds < 0.25 || ticks >= Math.floor(seconds / 0.1) / 2,
    `${ticks} timer ticks during ${seconds.toFixed(2)} s of training: the loop did not yield`);
});
