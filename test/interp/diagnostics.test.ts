/**
 * Notebook 18's measurements: rowNorms and firingStats on hand-worked numbers; diagnose, fitTraced and
 * traceRuns on a tiny planted set; FrozenJumpRelu's log-θ gradient against the chain rule, and its θ
 * moving about lr a step against log θ's about θ·lr.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { DictSae } from '../../src/interp/dictsae';
import { encodeAll } from '../../src/core/evaluate';
import { diagnose, firingStats, fitTraced, latentDensity, rowNorms, traceRuns, traced } from '../../src/interp/diagnostics';
import { FrozenJumpRelu, thresholdTrace } from '../../src/interp/threshold-param';
import { plantedModel } from '../../src/truth/planted';
import { plantedDataset, samplePlanted } from '../../src/truth/planted-sample';
import { assertClose, setup } from '../helpers';

const planted = plantedModel({ n: 16, d: 8, l0: 2, seed: 0 });
const data = plantedDataset(planted, samplePlanted(planted, 256, 1));

test('rowNorms and firingStats: hand-worked numbers', () => {
  assert.deepEqual(Array.from(rowNorms(new Float32Array([3, 4, 0, 1]), 2)), [5, 1]);
  const stats = firingStats(new Float32Array([0, 0.5, 0, 1.5, 2, 0]), 2, 0);
  assertClose(stats.code, 4 / 3, 1e-6);
  assert.equal(stats.l0, 1.5);
  assert.deepEqual(firingStats(new Float32Array(4), 2, 0), { code: 0, l0: 0 });
});

test('latentDensity: each latent\'s share of inputs it fires on, against metrics\' firingRates and the mean L0', async () => {
  await setup();
  for (const options of [{ activation: 'topk' as const, k: 2 }, { activation: 'sigmoid' as const }]) {
    const sae = new DictSae({ ...options, inputDim: 8, latentDim: 16 }, 1);
    try {
      const density = latentDensity(sae, data);
      assert.equal(density.length, 16);
      // The rates sum to the mean number of latents firing per input: diagnose's L0, counted per input.
      assertClose(density.reduce((a, b) => a + b, 0), diagnose(sae, data).l0, 1e-9);
      // A second count, by hand: latent j's share of inputs whose code is above the kind's threshold.
      const codes = encodeAll(sae, data);
      for (let j = 0; j < 16; j++) {
        let above = 0;
        for (let i = 0; i < data.count; i++) if (codes[i * 16 + j] > sae.rule.firingThreshold) above += 1;
        assertClose(density[j], above / data.count, 1e-9);
      }
      assert.ok(density.some((v) => v > 0 && v < 1), 'some latent fires on some inputs, not all');
    } finally {
      sae.dispose();
    }
  }
});

test('diagnose and fitTraced: one record before training and one per epoch; unit rows stay at norm 1', async () => {
  await setup();
  const sae = new DictSae({ activation: 'topk', k: 2, inputDim: 8, latentDim: 16 }, 1);
  try {
    const before = diagnose(sae, data);
    assert.equal(before.epoch, 0);
    assert.equal(before.dead, 0);
    assertClose(before.rowNorm, 1, 1e-5);
    assert.ok(before.l0 > 0 && before.l0 <= 2, `L0 ${before.l0}: at most k`);
    const { history, trace } = await fitTraced(sae, data, data, { epochs: 2, batchSize: 64, progress: false });
    assert.equal(history.length, 2);
    assert.deepEqual(trace.map((e) => e.epoch), [0, 1, 2]);
    assertClose(trace[2].rowNorm, 1, 1e-5);
    assert.deepEqual(traced(trace, 'l0').length, 3);
  } finally {
    sae.dispose();
  }
});

test('traceRuns: each setting its learning rate and its scores; free decoder rows move off norm 1', async () => {
  await setup();
  const before = tf.memory().numTensors;
  const settings = [
    { name: 'free', options: { activation: 'relu' as const, latentDim: 16, sparsityWeight: 0.1, unitNormDecoder: false } },
    { name: 'unit', options: { activation: 'relu' as const, latentDim: 16, sparsityWeight: 0.1 }, learningRate: 1e-2 },
  ];
  const runs = await traceRuns(settings, data, data, { epochs: 3, batchSize: 32, learningRate: 1e-2, seed: 3 },
    (sae) => sae.config.unitNormDecoder);
  assert.deepEqual(runs.map((r) => [r.name, r.scores, r.trace.length]), [['free', false, 4], ['unit', true, 4]]);
  assert.ok(Math.abs(runs[0].trace[3].rowNorm - 1) > 0.01, `free rows: ${runs[0].trace[3].rowNorm}`);
  assertClose(runs[1].trace[3].rowNorm, 1, 1e-5);
  assert.equal(tf.memory().numTensors, before, 'traceRuns leaves no tensors behind');
});

test('FrozenJumpRelu: the log-θ gradient is θ times the θ gradient; only the thresholds train', async () => {
  await setup();
  const options = { initialThreshold: 0.05, sparsityWeight: 1e-3, bandwidth: 0.2 };
  const [direct, log] = (['theta', 'logTheta'] as const).map((param) =>
    new FrozenJumpRelu(planted.features, 8, { param, ...options }));
  const x = tf.tensor2d(data.images.subarray(0, 64 * 8), [64, 8]);
  try {
    assert.equal(direct.variables.length, 1);
    assertClose(log.meanThreshold(), 0.05, 1e-6);
    const [g, gLog] = [direct.storedGradient(x), log.storedGradient(x)];
    assert.ok(g.some((v) => Math.abs(v) > 1e-6), 'some threshold has a gradient');
    g.forEach((v, j) => assertClose(gLog[j], 0.05 * v, 1e-6 + 1e-3 * Math.abs(v)));
  } finally {
    x.dispose();
    direct.dispose();
    log.dispose();
  }
});

test('thresholdTrace: θ stored as it is moves about lr a step, log θ about θ·lr', async () => {
  await setup();
  const options = { initialThreshold: 0.01, sparsityWeight: 1e-2, bandwidth: 0.05 };
  const traces = [];
  for (const param of ['theta', 'logTheta'] as const) {
    const model = new FrozenJumpRelu(planted.features, 8, { param, ...options });
    traces.push(await thresholdTrace(model, data, { epochs: 2, batchSize: 16, learningRate: 1e-3, progress: false }));
    model.dispose();
  }
  const [direct, log] = traces;
  assert.deepEqual(direct.map((e) => e.epoch), [0, 1, 2]);
  // 32 steps: θ can move up to 0.032, log θ up to a factor e^0.032 (0.01 -> 0.0103).
  assert.ok(direct[2].theta - 0.01 > 0.01, `θ moved ${direct[2].theta - 0.01}`);
  assert.ok(Math.abs(log[2].theta - 0.01) < 0.0004, `log θ moved ${log[2].theta - 0.01}`);
  assert.ok(direct[2].l0 < log[2].l0, `L0: θ ${direct[2].l0}, log θ ${log[2].l0}`);
});
