import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { makeConfig, DEFAULT_SAE_CONFIG } from '../../src/core/config';
import { validateTrainConfig } from '../../src/core/train';
import { requestedBackend } from '../../src/runtime/backend';
import { isQuick, runSizes } from '../../src/runtime/settings';

test('defaults are the lesson\'s', () => {
  assert.deepEqual(makeConfig(), { inputDim: 784, hiddenDim: 256, latentDim: 128, sparsity: 'kl', sparsityWeight: 0.01, rho: 0.05, decoder: 'mlp' });
  assert.equal(makeConfig({ latentDim: 64 }).latentDim, 64);
  assert.equal(DEFAULT_SAE_CONFIG.hiddenDim, 256);
});

test('each bad field is named with its value and the allowed range', () => {
  const cases: [object, RegExp][] = [
    [{ latentDim: 0 }, /SaeConfig\.latentDim = 0 is invalid: expected an integer in \[1, 100000\]/],
    [{ latentDim: 12.5 }, /latentDim = 12\.5/],
    [{ inputDim: -3 }, /inputDim = -3/],
    [{ hiddenDim: NaN }, /hiddenDim = NaN/],
    [{ sparsity: 'l2' }, /sparsity = "l2" is invalid: expected 'l1', 'kl', 'none-relu' or 'none-sigmoid'/],
    [{ sparsityWeight: -0.1 }, /sparsityWeight = -0.1 is invalid: expected a finite number >= 0/],
    [{ sparsityWeight: Infinity }, /sparsityWeight = Infinity/],
    [{ rho: 0 }, /rho = 0 is invalid: expected a number strictly between 0 and 1/],
    [{ rho: 1 }, /rho = 1/],
    [{ rho: '0.05' }, /rho = "0.05"/],
    [{ latentDims: 64 }, /unknown SaeConfig field 'latentDims'/],
    [{ decoder: 'conv' }, /decoder = "conv" is invalid: expected 'mlp' or 'linear'/],
  ];
  for (const [bad, message] of cases) assert.throws(() => makeConfig(bad as never), message);
});

test('training options are checked the same way', () => {
  assert.deepEqual(validateTrainConfig({}), { epochs: 15, batchSize: 128, learningRate: 1e-3, seed: 42 });
  assert.throws(() => validateTrainConfig({ epochs: 0 }), /TrainConfig\.epochs = 0 is invalid: expected an integer >= 1/);
  assert.throws(() => validateTrainConfig({ batchSize: 1.5 }), /batchSize = 1\.5/);
  assert.throws(() => validateTrainConfig({ learningRate: 0 }), /learningRate = 0 is invalid: expected a finite number > 0/);
  assert.throws(() => validateTrainConfig({ seed: 0.5 }), /seed = 0\.5/);
  assert.throws(() => validateTrainConfig({ lr: 0.1 } as never), /unknown TrainConfig field 'lr'/);
});

test('SAE_BACKEND and SAE_QUICK are read strictly', () => {
  assert.equal(requestedBackend({}), null);
  assert.equal(requestedBackend({ SAE_BACKEND: 'WASM' }), 'wasm');
  assert.throws(() => requestedBackend({ SAE_BACKEND: 'webgl' }), /SAE_BACKEND="webgl" is not a backend; expected one of tensorflow, wasm, cpu/);
  assert.equal(isQuick({}), false);
  assert.equal(isQuick({ SAE_QUICK: '1' }), true);
  assert.throws(() => isQuick({ SAE_QUICK: 'maybe' }), /SAE_QUICK="maybe" is not understood/);
  assert.equal(runSizes({ SAE_QUICK: '1' }).quick, true);
  assert.equal(runSizes({}).trainLimit, 60000);
});
