/**
 * The toy model's config (src/toy/config.ts): the kit's wording for bad and unknown fields, the
 * per-instance lists checked against `instances` and `inputDim`, and the expanded probabilities,
 * importances and sweeps.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DEFAULT_TOY, ToyConfig, featureProbabilities, importancesOf, makeToyConfig, probabilitiesOf } from '../../src/toy/config';
import { isChecked } from '../../src/core/checks';
import { assertAllClose } from '../helpers';

test('ToyConfig: errors name the field, the value and what is allowed; unknown fields list the fields', () => {
  const cases: [Partial<ToyConfig> | object, RegExp][] = [
    [{ hiddenDim: 6 }, /^Error: ToyConfig\.hiddenDim = 6 is invalid: expected an integer in \[1, inputDim = 5\]$/],
    [{ inputDim: 0 }, /ToyConfig\.inputDim = 0 is invalid: expected an integer in \[1, 10000\]/],
    [{ instances: 2.5 }, /ToyConfig\.instances = 2\.5 is invalid/],
    [{ featureProbability: 0 }, /ToyConfig\.featureProbability = 0 is invalid: expected a number in \(0, 1\] or a list of instances = 1 such numbers/],
    [{ featureProbability: NaN }, /ToyConfig\.featureProbability = NaN is invalid/],
    [{ instances: 3, featureProbability: [1, 0.5] }, /ToyConfig\.featureProbability = \[1,0\.5\] is invalid: expected .* instances = 3/],
    [{ importance: 0 }, /ToyConfig\.importance = 0 is invalid: expected a finite decay > 0, a list of inputDim = 5/],
    [{ importance: [1, 1, 1] }, /ToyConfig\.importance = \[1,1,1\] is invalid/],
    [{ instances: 2, importance: [[1, 1, 1, 1, 1], [1, 1, 1, 1]] }, /ToyConfig\.importance = .* is invalid: .*instances = 2 such lists/],
    [{ learningRate: 0 }, /ToyConfig\.learningRate = 0 is invalid: expected a finite number > 0/],
    [{ seed: 0.5 }, /ToyConfig\.seed = 0\.5 is invalid: expected an integer/],
    [{ batchSize: 0 }, /ToyConfig\.batchSize = 0 is invalid/],
    [{ lr: 0.1 }, /^Error: unknown ToyConfig field 'lr'; the fields are inputDim, hiddenDim, instances, featureProbability, importance, seed, steps, batchSize, learningRate$/],
  ];
  for (const [bad, message] of cases) assert.throws(() => makeToyConfig(bad as Partial<ToyConfig>), message, JSON.stringify(bad));
});

test('ToyConfig: defaults merged, frozen, checked once', () => {
  const c = makeToyConfig({ instances: 2, featureProbability: [1, 0.1] });
  assert.deepEqual(c, { ...DEFAULT_TOY, instances: 2, featureProbability: [1, 0.1] });
  assert.ok(Object.isFrozen(c));
  assert.ok(isChecked(c, 'ToyConfig'));
  assert.equal(makeToyConfig(c), c);
});

test('probabilitiesOf and importancesOf expand a number, a shared list and per-instance lists', () => {
  const c = makeToyConfig({ inputDim: 3, hiddenDim: 2, instances: 2, featureProbability: 0.25, importance: 0.5 });
  assert.deepEqual(Array.from(probabilitiesOf(c)), [0.25, 0.25]);
  assert.deepEqual(Array.from(importancesOf(c)), [1, 0.5, 0.25, 1, 0.5, 0.25]);
  const shared = makeToyConfig({ inputDim: 3, hiddenDim: 2, instances: 2, featureProbability: [1, 0.5], importance: [3, 2, 1] });
  assert.deepEqual(Array.from(probabilitiesOf(shared)), [1, 0.5]);
  assert.deepEqual(Array.from(importancesOf(shared)), [3, 2, 1, 3, 2, 1]);
  // inputDim = instances = 2: a list of lists is per instance, a list of numbers is shared
  const own = makeToyConfig({ inputDim: 2, hiddenDim: 1, instances: 2, importance: [[1, 2], [3, 4]] });
  assert.deepEqual(Array.from(importancesOf(own)), [1, 2, 3, 4]);
});

test('featureProbabilities: log-spaced from highest to lowest, ARENA\'s 50^-linspace(0, 1) by default', () => {
  const p = featureProbabilities(5);
  assertAllClose(p, [0, 0.25, 0.5, 0.75, 1].map((t) => Math.pow(50, -t)), 1e-12, 'sweep');
  assert.deepEqual(featureProbabilities(1, 0.3), [0.3]);
  assertAllClose(featureProbabilities(3, 0.5, 0.005), [0.5, 0.05, 0.005], 1e-12, 'three');
  assert.throws(() => featureProbabilities(0), /count = 0 is invalid: expected an integer >= 1/);
  assert.throws(() => featureProbabilities(3, 1, 0), /lowest = 0 is invalid: expected a number in \(0, 1\]/);
});
