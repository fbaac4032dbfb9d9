import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Checks, checkConfig, finiteAtLeast, integerAtLeast, integerUpTo, isChecked, oneOf, showValue } from '../../src/core/checks';
import { makeConfig } from '../../src/core/config';
import { DEFAULT_TRAIN_CONFIG, validateTrainConfig } from '../../src/core/train';
import { PART6 } from '../../src/core/part6';
import { DEFAULT_SAE_CONFIG } from '../../src/core/config';

test('TrainConfig goes through the one checker: same wording, NaN shown as NaN, unknown fields named', () => {
  const cases: [object, RegExp][] = [
    [{ epochs: 0 }, /^Error: TrainConfig\.epochs = 0 is invalid: expected an integer >= 1$/],
    [{ epochs: NaN }, /TrainConfig\.epochs = NaN is invalid: expected an integer >= 1/],
    [{ batchSize: 1.5 }, /TrainConfig\.batchSize = 1\.5 is invalid: expected an integer >= 1/],
    [{ learningRate: Infinity }, /TrainConfig\.learningRate = Infinity is invalid: expected a finite number > 0/],
    [{ learningRate: '0.1' }, /TrainConfig\.learningRate = "0\.1" is invalid/],
    [{ seed: 0.5 }, /TrainConfig\.seed = 0\.5 is invalid: expected an integer/],
    [{ seed: undefined }, /TrainConfig\.seed = undefined is invalid/],
    [{ lr: 0.1 }, /^Error: unknown TrainConfig field 'lr'; the fields are epochs, batchSize, learningRate, seed$/],
  ];
  for (const [bad, message] of cases) assert.throws(() => validateTrainConfig(bad as never), message, JSON.stringify(bad));
  assert.deepEqual(validateTrainConfig({ epochs: 3 }), { ...DEFAULT_TRAIN_CONFIG, epochs: 3 });
});

test('a checked config is frozen and passes through a second check unchanged (validated once)', () => {
  const train = validateTrainConfig({ epochs: 2 });
  assert.ok(Object.isFrozen(train));
  assert.equal(validateTrainConfig(train), train);
  assert.ok(isChecked(train, 'TrainConfig'));
  assert.ok(!isChecked(train, 'SaeConfig'), 'checked as another config is not checked');
  const model = makeConfig({ latentDim: 32 });
  assert.equal(makeConfig(model), model);
  // A copy is a new, unchecked object: it is checked again.
  assert.throws(() => makeConfig({ ...model, latentDim: 0 }), /SaeConfig\.latentDim = 0 is invalid/);
});

test('checkConfig works on any table: a classifier-style config with a limit that depends on another field', () => {
  interface Opts { classes: number; top: number; loss: 'ce' | 'hinge'; l2: number }
  const checks: Checks<Opts> = { classes: integerAtLeast(2), top: integerUpTo(1, 'classes'), loss: oneOf('ce', 'hinge'), l2: finiteAtLeast(0) };
  const defaults: Opts = { classes: 10, top: 1, loss: 'ce', l2: 1e-4 };
  assert.deepEqual(checkConfig('Opts', checks, defaults, { top: 3 }), { ...defaults, top: 3 });
  assert.throws(() => checkConfig('Opts', checks, defaults, { classes: 3, top: 5 }), /^Error: Opts\.top = 5 is invalid: expected an integer in \[1, classes = 3\]$/);
  assert.throws(() => checkConfig('Opts', checks, defaults, { loss: 'mse' as never }), /Opts\.loss = "mse" is invalid: expected 'ce' or 'hinge'/);
  assert.throws(() => checkConfig('Opts', checks, defaults, { l2: -1 }), /Opts\.l2 = -1 is invalid: expected a finite number >= 0/);
  assert.throws(() => checkConfig('Opts', checks, defaults, null as never), /Opts must be an object of fields, got null/);
  // ignored fields are dropped without a check; others are still errors
  assert.deepEqual(checkConfig('Opts', checks, defaults, { k: 'x' } as never, { ignore: ['k'] }), defaults);
  assert.throws(() => checkConfig('Opts', checks, defaults, { kk: 1 } as never, { ignore: ['k'] }), /unknown Opts field 'kk'/);
  assert.equal(showValue(NaN), 'NaN');
  assert.equal(showValue('a'), '"a"');
  assert.equal(showValue(1e-8), '1e-8');
});

test("Part 6's numbers are stated once: PART6 is the kit's defaults", () => {
  assert.deepEqual({ ...PART6 }, {
    inputDim: DEFAULT_SAE_CONFIG.inputDim, latentDim: DEFAULT_SAE_CONFIG.latentDim, sparsityWeight: DEFAULT_SAE_CONFIG.sparsityWeight,
    rho: DEFAULT_SAE_CONFIG.rho, batchSize: DEFAULT_TRAIN_CONFIG.batchSize, learningRate: DEFAULT_TRAIN_CONFIG.learningRate,
    epochs: DEFAULT_TRAIN_CONFIG.epochs, seed: DEFAULT_TRAIN_CONFIG.seed,
  });
  // and they are the lesson's
  assert.deepEqual({ ...PART6 }, { inputDim: 784, latentDim: 128, batchSize: 128, learningRate: 0.001, epochs: 15, sparsityWeight: 0.01, rho: 0.05, seed: 42 });
});

test('from the cache key to the loss a model config is checked once: createModel and the class pass the checked one down', async () => {
  const { setup } = await import('../helpers');
  const { createModel } = await import('../../src/core/sae');
  const { cacheKey } = await import('../../src/store/cache');
  await setup();
  const data = { images: new Float32Array(8), labels: new Uint8Array(2), count: 2, rows: 2, cols: 2, dim: 4, source: 'tiny' };
  const { description } = cacheKey({ model: { inputDim: 4, hiddenDim: 3, latentDim: 2, sparsity: 'l1' }, train: { epochs: 1 } }, data);
  assert.ok(isChecked(description.model, 'SaeConfig') && isChecked(description.train, 'TrainConfig'));
  for (const config of [description.model, makeConfig({ inputDim: 4, hiddenDim: 3, latentDim: 2 })]) {
    const model = createModel(config, 1);
    assert.equal(model.config, config, `${config.sparsity}: the model holds the very config that was checked`);
    model.dispose();
  }
});

test('the classifiers check their settings with the same checker and wording', async () => {
  const { MlpClassifier } = await import('../../src/interp/mlp');
  const { trainClassifier } = await import('../../src/exercises/softmax');
  assert.throws(() => new MlpClassifier(784, 0), /^Error: MlpConfig\.hiddenDim = 0 is invalid: expected an integer in \[1, 100000\]/);
  assert.throws(() => new MlpClassifier(784, 256, 1), /MlpConfig\.classes = 1 is invalid/);
  const x = new Float32Array(8);
  await assert.rejects(() => trainClassifier(x, [0, 1, 0, 1], 2, { l2: -1 }), /ClassifierOptions\.l2 = -1 is invalid: expected a finite number >= 0/);
  await assert.rejects(() => trainClassifier(x, [0, 1, 0, 1], 2, { epochs: NaN }), /ClassifierOptions\.epochs = NaN is invalid/);
  await assert.rejects(() => trainClassifier(x, [0, 1, 0, 1], 2, { lr: 1 } as never), /unknown ClassifierOptions field 'lr'/);
});
