import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DEFAULT_DICT_SAE, DictSae, makeDictSaeConfig } from '../../src/interp/dictsae';
import { setup } from '../helpers';

test('one config per activation: a ReLU or sigmoid config has no k, and a latentDim below the TopK default k is fine', () => {
  const relu = makeDictSaeConfig({ activation: 'relu', latentDim: 8 }); // TopK's default k is 16
  assert.deepEqual(relu, { inputDim: 784, latentDim: 8, activation: 'relu', tied: false, deadAfter: 200, unitNormDecoder: true, sparsityWeight: 1e-3 });
  assert.ok(!('k' in relu) && !('auxK' in relu) && !('rho' in relu));
  const sigmoid = makeDictSaeConfig({ activation: 'sigmoid', latentDim: 4, rho: 0.1 });
  assert.deepEqual(sigmoid, { inputDim: 784, latentDim: 4, activation: 'sigmoid', tied: false, deadAfter: 200, unitNormDecoder: false, sparsityWeight: 0.01, rho: 0.1 });
  // TopK is the default activation
  assert.deepEqual(DEFAULT_DICT_SAE, { inputDim: 784, latentDim: 256, activation: 'topk', tied: false, deadAfter: 200, unitNormDecoder: true, k: 16, auxK: 0, auxWeight: 1 / 32 });
  // Another kind's fields are dropped without a check (the union type flags them in literals)
  const dropped = makeDictSaeConfig({ activation: 'relu', latentDim: 8, k: 99, auxK: -1 } as never);
  assert.deepEqual(dropped, relu);
});

test('errors name the field, the value (NaN as NaN) and what is allowed', () => {
  const cases: [object, RegExp][] = [
    [{ latentDim: NaN }, /^Error: DictSaeConfig\.latentDim = NaN is invalid: expected an integer in \[1, 100000\]$/],
    [{ latentDim: 8, k: 20 }, /^Error: DictSaeConfig\.k = 20 is invalid: expected an integer in \[1, latentDim = 8\]$/],
    [{ activation: 'topk', latentDim: 8, k: 2, auxK: 9 }, /DictSaeConfig\.auxK = 9 is invalid: expected an integer in \[0, latentDim = 8\]/],
    [{ activation: 'relu', sparsityWeight: -1 }, /DictSaeConfig\.sparsityWeight = -1 is invalid: expected a finite number >= 0/],
    [{ activation: 'sigmoid', rho: 1 }, /DictSaeConfig\.rho = 1 is invalid: expected a number strictly between 0 and 1/],
    [{ activation: 'gelu' }, /DictSaeConfig\.activation = "gelu" is invalid: expected 'relu', 'topk', 'sigmoid', 'batchtopk' or 'jumprelu'$/],
    [{ tied: 'yes' }, /DictSaeConfig\.tied = "yes" is invalid: expected true or false/],
    [{ deadAfter: 0 }, /DictSaeConfig\.deadAfter = 0 is invalid: expected an integer >= 1/],
    [{ latentDims: 8 }, /unknown DictSaeConfig field 'latentDims'; the fields are inputDim, latentDim, activation, tied, deadAfter, unitNormDecoder, k, auxK, auxWeight/],
    [{ activation: 'relu', l1Weight: 1e-3 }, /^Error: unknown DictSaeConfig field 'l1Weight'; the fields are inputDim, latentDim, activation, tied, deadAfter, unitNormDecoder, sparsityWeight$/],
  ];
  for (const [bad, message] of cases) assert.throws(() => makeDictSaeConfig(bad as never), message, JSON.stringify(bad));
});

test('the config is checked once and never overwritten: setAuxK is a training option beside it', async () => {
  await setup();
  const config = makeDictSaeConfig({ inputDim: 6, latentDim: 10, k: 2 });
  const sae = new DictSae(config, 1);
  assert.equal(sae.config, config, 'the checked config is passed down as it is');
  assert.ok(Object.isFrozen(sae.config));
  assert.equal(sae.auxK, 0);
  sae.setAuxK(4);
  assert.equal(sae.auxK, 4);
  assert.equal(sae.config, config);
  assert.equal((sae.config as { auxK: number }).auxK, 0, 'config.auxK keeps the value the SAE was built with');
  assert.throws(() => sae.setAuxK(11), /setAuxK: auxK = 11 is invalid: expected an integer in \[0, latentDim = 10\]/);
  assert.throws(() => sae.setAuxK(1.5), /auxK = 1\.5 is invalid/);
  sae.dispose();
  const relu = new DictSae({ inputDim: 6, latentDim: 10, activation: 'relu' }, 1);
  assert.throws(() => relu.setAuxK(2), /setAuxK: a 'relu' SAE has no AuxK loss/);
  assert.equal(relu.auxK, 0);
  relu.dispose();
});
