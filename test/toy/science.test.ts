/**
 * The science the toy-superposition notebook teaches, checked on one batched run (8 instances of
 * n = 5 features in m = 2 dimensions, 2000 steps of batch 1024, ~3 s): sparse features are
 * stored in superposition (all 5 kept, a pentagon), dense ones are not (m of them, PCA-like), and
 * the dimensions per feature D* = m / ||W||_F^2 fall as sparsity rises.
 *
 * With equal importances the dense optimum is nearly degenerate: ||W||_F^2 = m (D* = 1) holds
 * robustly, but which features have norm > 0.5 varies (2 to 4 over seeds 0-7, norms 0.3-0.9), so
 * the "2 features" count is checked with importances 0.9^i, where it is exact (norms 1.00 and
 * below 0.06). Every assertion below held for seeds 0-9 but one: with seed 8 the dense 0.9^i
 * instance ends in a local minimum (a kept feature with interference 0.5), so a failure after a
 * change of seed or rounding means "look", while seed 0 is deterministic.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createToyModel } from '../../src/toy/model';
import { trainToy } from '../../src/toy/train';
import { superpositionSummaries } from '../../src/toy/analysis';
import { assertClose, setup } from '../helpers';

const EQUAL = [1, 1, 1, 1, 1];
const DECAY = [0, 1, 2, 3, 4].map((i) => 0.9 ** i);
/** instances 0-4: a sweep with equal importances; 5, 6: dense and sparse with importances 0.9^i; 7: sparsest */
const PROBABILITIES = [1, 0.3, 0.1, 0.05, 0.03, 1, 0.05, 0.02];
const IMPORTANCES = [EQUAL, EQUAL, EQUAL, EQUAL, EQUAL, DECAY, DECAY, EQUAL];

test('5 features in 2 dimensions: dense keeps 2, sparse keeps all 5; D* falls as sparsity rises', async (t) => {
  await setup();
  const model = createToyModel({
    inputDim: 5, hiddenDim: 2, instances: 8, featureProbability: PROBABILITIES, importance: IMPORTANCES,
    seed: 0, steps: 2000, batchSize: 1024, learningRate: 0.01,
  });
  const result = await trainToy(model);
  const s = superpositionSummaries(model);
  t.diagnostic(`${((1000 * result.seconds) / 2000).toFixed(2)} ms per step; ` +
    s.map((x) => `p ${x.featureProbability.toFixed(2)}: ${x.represented} kept, D* ${x.dimensionsPerFeature.toFixed(3)}`).join('; '));

  // dense, equal importances: a rank-2 projection, ||W||_F^2 = 2; sparse: every feature kept
  assertClose(s[0].dimensionsPerFeature, 1, 0.05, 'D* dense, equal importances');
  assert.ok(s[0].represented < 5, `dense keeps fewer than 5: ${s[0].represented}`);
  for (const k of [3, 4, 6, 7]) {
    assert.equal(s[k].represented, 5, `p = ${PROBABILITIES[k]}: all 5 kept (norms ${Array.from(s[k].norms)})`);
    assert.ok(s[k].dimensionsPerFeature < 0.45, `p = ${PROBABILITIES[k]}: D* ${s[k].dimensionsPerFeature}`);
    assert.ok(s[k].interference.every((v) => v > 1), `p = ${PROBABILITIES[k]}: every feature in superposition`);
  }
  // the pentagon: each kept feature holds about 2/5 of a dimension
  assert.ok(s[3].dimensionality.every((d) => Math.abs(d - 0.4) < 0.05), `D_i at p = 0.05: ${Array.from(s[3].dimensionality)}`);

  // dense, importances 0.9^i: exactly the two most important features, orthogonal, the rest dropped
  assert.equal(s[5].represented, 2);
  assert.ok(s[5].norms[0] > 0.9 && s[5].norms[1] > 0.9, `norms ${Array.from(s[5].norms)}`);
  assert.ok(s[5].interference[0] < 0.05 && s[5].interference[1] < 0.05, `interference ${Array.from(s[5].interference)}`);

  // the sweep p = 1 ... 0.03: D* never rises (beyond noise) and falls by more than half overall
  const sweep = s.slice(0, 5).map((x) => x.dimensionsPerFeature);
  for (let k = 1; k < sweep.length; k++) assert.ok(sweep[k] <= sweep[k - 1] + 0.02, `D* over the sweep: ${sweep}`);
  assert.ok(sweep[0] - sweep[4] > 0.5, `D* over the sweep: ${sweep}`);
  model.dispose();
});
