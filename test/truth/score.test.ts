import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { DictSae } from '../../src/interp/dictsae';
import { plantedModel } from '../../src/truth/planted';
import { samplePlanted } from '../../src/truth/planted-sample';
import { scoreSae } from '../../src/truth/score';
import { trainPlanted } from '../../src/truth/sweep';
import { setup } from '../helpers';
import { smallPlanted } from './small-planted';

test('scoreSae: an SAE whose decoder is the truth and whose encoder reads it scores MCC 1 and unique 100%', async () => {
  await setup();
  // Orthonormal features (n = d = 4: the identity), so the encoder W_enc = F^T gives the true coefficients.
  const planted = plantedModel({ n: 4, d: 4, l0: 1, seed: 3 });
  const eye = Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0));
  const truth = { ...planted, features: eye };
  const sample = samplePlanted(truth, 400, 5);
  const sae = new DictSae({ inputDim: 4, latentDim: 4, activation: 'relu', sparsityWeight: 0 }, 1);
  tf.tidy(() => {
    sae.wDec!.assign(tf.tensor2d(eye, [4, 4]));
    sae.wEnc.assign(tf.tensor2d(eye, [4, 4]));
  });
  const before = tf.memory().numTensors;
  const r = scoreSae(sae, truth, sample);
  assert.equal(r.mcc, 1);
  assert.equal(r.found, 1);
  assert.equal(r.unique, 1);
  assert.ok(Math.abs(r.f1 - 1) < 1e-12 && Math.abs(r.shrinkage - 1) < 1e-6, `f1 ${r.f1}, shrinkage ${r.shrinkage}`);
  assert.ok(r.fvu < 1e-10, `fvu ${r.fvu}`);
  assert.ok(Math.abs(r.l0 - r.trueL0) < 1e-12);
  assert.ok(Number.isNaN(r.absorption), 'no pairs: no absorption score');
  assert.equal(tf.memory().numTensors, before, 'scoreSae leaks no tensors');
  sae.dispose();
});

test('trainPlanted: trains each setting in order, scores it, stops by the rule', async () => {
  await setup();
  const { planted, train, test } = smallPlanted();
  const rows = await trainPlanted([
    { method: 'TopK', label: 'k 2', options: { activation: 'topk', k: 2, latentDim: 12 } },
    { method: 'ReLU + L1', label: 'lambda 0.01', options: { activation: 'relu', sparsityWeight: 0.01, latentDim: 24 } },
  ], train, planted, test, { cap: 30, stopGain: 0.05, batchSize: 128, learningRate: 3e-3, seed: 4 });
  assert.deepEqual(rows.map((r) => [r.method, r.setting, r.latents]), [['TopK', 'k 2', 12], ['ReLU + L1', 'lambda 0.01', 24]]);
  for (const r of rows) {
    // stopped by the rule (gain under 5%) before the cap, or ran to it
    assert.ok(r.epochs < 30 ? r.lastGain < 0.05 : true, `${r.setting}: ${r.epochs} epochs, last gain ${r.lastGain}`);
    assert.ok(r.mcc > 0 && r.mcc <= 1 && Number.isFinite(r.absorption));
  }
  assert.ok(rows[0].l0 <= 2 + 1e-9, 'TopK k 2 fires at most 2 latents');
});
