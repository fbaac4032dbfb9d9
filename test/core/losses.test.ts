import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { klPenalty, klScalar, l1Penalty, mse } from '../../src/core/losses';
import { availableBackends, assertClose, setup, withBackend } from '../helpers';

test('losses match hand-worked values on every backend', async () => {
  for (const backend of await availableBackends()) {
    await withBackend(backend, () => {
      // MSE: differences 0.5, -0.5, 0, 1 -> squares 0.25, 0.25, 0, 1 -> mean 0.375
      const x = tf.tensor2d([[1, 0], [0.5, 1]]);
      const y = tf.tensor2d([[0.5, 0.5], [0.5, 0]]);
      assertClose(mse(x, y).arraySync(), 0.375, 1e-6, `${backend} mse`);

      // L1: |.| of [1, -2, 0, 3, -0.5, 0.5] sums to 7 over 6 entries
      const h = tf.tensor2d([[1, -2, 0], [3, -0.5, 0.5]]);
      assertClose(l1Penalty(h).arraySync(), 7 / 6, 1e-6, `${backend} l1`);

      // KL with rho = 0.05: unit means rhoHat = [0.05, 0.1]
      //   unit 0: rhoHat = rho -> 0
      //   unit 1: 0.05 ln(0.05/0.1) + 0.95 ln(0.95/0.9) = -0.0346574 + 0.0513639 = 0.0167065
      const latent = tf.tensor2d([[0.1, 0.2], [0.0, 0.0]]);
      assertClose(klPenalty(latent, 0.05).arraySync(), 0.0167065, 1e-5, `${backend} kl`);

      // A unit that never fires: rhoHat clamps to 1e-8, KL = 0.05 ln(0.05/1e-8) + 0.95 ln(0.95/(1-1e-8))
      const dead = tf.zeros([4, 1]) as tf.Tensor2D;
      const expectedDead = 0.05 * Math.log(0.05 / 1e-8) + 0.95 * Math.log(0.95);
      assertClose(klPenalty(dead, 0.05).arraySync(), expectedDead, 1e-5, `${backend} kl dead unit`);
      tf.dispose([x, y, h, latent, dead]);
    });
  }
});

test('klScalar is zero at rho and positive elsewhere', () => {
  assert.equal(klScalar(0.05, 0.05), 0);
  assertClose(klScalar(0.05, 0.1), 0.0167065, 1e-6);
  assert.ok(klScalar(0.05, 0.5) > klScalar(0.05, 0.1));
});

test('losses leave no tensors behind', async () => {
  await setup();
  const h = tf.randomUniform([8, 5]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  tf.dispose([mse(h, h), l1Penalty(h), klPenalty(h, 0.05)]);
  assert.equal(tf.memory().numTensors, before);
  h.dispose();
});
