/**
 * The planted-feature generator: Zipf probabilities worked by hand, empirical firing rates and the
 * true L0 against their targets (tolerances: 5 standard errors of the mean, from the binomial
 * variance or the sample's own variance), hierarchy, copula correlation against the closed form
 * for a bivariate normal quadrant, unit rows, magnitudes, noise, determinism and option errors.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { plantedModel, zipfProbabilities, makePlantedConfig, PlantedModel } from '../../src/truth/planted';
import { samplePlanted, plantedDataset, PlantedSample } from '../../src/truth/planted-sample';

/** Per feature, the fraction of samples where its coefficient is > 0. */
function rates(sample: PlantedSample, n: number): Float64Array {
  const r = new Float64Array(n);
  for (let k = 0; k < sample.coefficients.length; k++) if (sample.coefficients[k] > 0) r[k % n] += 1;
  return r.map((v) => v / sample.count);
}

/** The per-sample number of firing features. */
function perSampleL0(sample: PlantedSample, n: number): Float64Array {
  const l = new Float64Array(sample.count);
  for (let k = 0; k < sample.coefficients.length; k++) if (sample.coefficients[k] > 0) l[Math.floor(k / n)] += 1;
  return l;
}

const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
const variance = (a: ArrayLike<number>) => { const m = mean(a); return Array.from(a).reduce((s, v) => s + (v - m) ** 2, 0) / a.length; };

/** Each rate within 5 binomial standard errors sqrt(p (1 - p) / count) of its probability. */
function assertRates(model: PlantedModel, sample: PlantedSample, label: string): void {
  const r = rates(sample, model.config.n);
  model.probabilities.forEach((p, i) => {
    const tol = 5 * Math.sqrt((p * (1 - p)) / sample.count) + 1e-12;
    assert.ok(Math.abs(r[i] - p) <= tol, `${label}: feature ${i} fires at ${r[i]}, p = ${p} (tolerance ${tol})`);
  });
}

test('zipfProbabilities by hand: no clipping, clipping, all ones, equal', () => {
  const close = (a: Float64Array, b: number[]) => b.forEach((v, i) => assert.ok(Math.abs(a[i] - v) < 1e-12, `${a[i]} vs ${v}`));
  // weights 1, 1/2, 1/3 sum to 11/6; l0 = 1 scales them by 6/11
  close(zipfProbabilities(3, 1, 1), [6 / 11, 3 / 11, 2 / 11]);
  // l0 = 2.5: scale 15/11 would put feature 0 at 1.36, so it is clipped; 1.5 left over 1/2 + 1/3 -> scale 1.8
  close(zipfProbabilities(3, 1, 2.5), [1, 0.9, 0.6]);
  close(zipfProbabilities(4, 2, 4), [1, 1, 1, 1]);
  close(zipfProbabilities(5, 0, 2), [0.4, 0.4, 0.4, 0.4, 0.4]);
  const p = zipfProbabilities(1000, 1.2, 17);
  assert.ok(Math.abs(mean(p) * 1000 - 17) < 1e-9);
  for (let i = 1; i < p.length; i++) assert.ok(p[i] <= p[i - 1]);
});

test('features are unit-norm rows of d values, the same for the same seed', () => {
  const model = plantedModel({ n: 50, d: 20, seed: 3 });
  assert.equal(model.features.length, 50 * 20);
  for (let i = 0; i < 50; i++) {
    let s = 0;
    for (let t = 0; t < 20; t++) s += model.features[i * 20 + t] ** 2;
    assert.ok(Math.abs(Math.sqrt(s) - 1) < 1e-6, `row ${i}: norm ${Math.sqrt(s)}`);
  }
  assert.deepEqual(plantedModel({ n: 50, d: 20, seed: 3 }).features, model.features);
  assert.notDeepEqual(plantedModel({ n: 50, d: 20, seed: 4 }).features, model.features);
});

test('independent firing: rates match the Zipf probabilities, the mean L0 matches l0', () => {
  const model = plantedModel({ n: 30, d: 8, l0: 4, zipfExponent: 1.1, seed: 1 });
  const sample = samplePlanted(model, 40_000, 11);
  assertRates(model, sample, 'independent');
  // independent features: Var(L0) = sum p (1 - p), so the mean of count samples has that over count
  const sd = Math.sqrt(model.probabilities.reduce((s, p) => s + p * (1 - p), 0) / sample.count);
  const l0 = mean(perSampleL0(sample, 30));
  assert.ok(Math.abs(l0 - 4) < 5 * sd, `L0 ${l0} vs 4 (sd ${sd})`);
});

test('hierarchy and correlation together: rates still match, children never fire without parents', () => {
  const hierarchy: [number, number][] = [[0, 3], [3, 7], [1, 5], [0, 9]];
  const model = plantedModel({ n: 12, d: 6, l0: 2.5, zipfExponent: 1, correlation: 0.4, hierarchy, seed: 2 });
  const sample = samplePlanted(model, 40_000, 5);
  assertRates(model, sample, 'hierarchy + correlation');
  const c = sample.coefficients;
  for (const [p, ch] of hierarchy) {
    let childAlone = 0;
    let parentFires = 0;
    let both = 0;
    for (let s = 0; s < sample.count; s++) {
      if (c[s * 12 + ch] > 0 && !(c[s * 12 + p] > 0)) childAlone += 1;
      if (c[s * 12 + p] > 0) { parentFires += 1; if (c[s * 12 + ch] > 0) both += 1; }
    }
    assert.equal(childAlone, 0, `child ${ch} fired without parent ${p}`);
    const q = model.probabilities[ch] / model.probabilities[p];
    assert.ok(Math.abs(both / parentFires - q) < 5 * Math.sqrt((q * (1 - q)) / parentFires) + 1e-12, `P(${ch} | ${p})`);
  }
  // correlated features: the per-sample L0 has a larger variance; 5 standard errors from the sample's own
  const l = perSampleL0(sample, 12);
  assert.ok(Math.abs(mean(l) - 2.5) < 5 * Math.sqrt(variance(l) / sample.count), `L0 ${mean(l)}`);
  assert.deepEqual(Array.from(model.parent), [-1, -1, -1, 0, -1, 1, -1, 3, -1, 0, -1, -1]);
});

test('the copula: two features with p = 1/2 fire together with P = 1/4 + arcsin(rho) / (2 pi)', () => {
  for (const rho of [0, 0.5, 0.9]) {
    const model = plantedModel({ n: 4, d: 3, l0: 2, zipfExponent: 0, correlation: rho, seed: 8 });
    const sample = samplePlanted(model, 40_000, 1);
    const c = sample.coefficients;
    let both = 0;
    for (let s = 0; s < sample.count; s++) if (c[s * 4] > 0 && c[s * 4 + 2] > 0) both += 1;
    const expected = 0.25 + Math.asin(rho) / (2 * Math.PI); // Sheppard's formula for the quadrant probability
    const tol = 5 * Math.sqrt((expected * (1 - expected)) / sample.count);
    assert.ok(Math.abs(both / sample.count - expected) < tol, `rho ${rho}: ${both / sample.count} vs ${expected}`);
    assertRates(model, sample, `rho ${rho}`);
  }
});

test('magnitudes are 1 + magnitudeStd |z|: at least 1, mean 1 + magnitudeStd sqrt(2 / pi); exactly 1 at std 0', () => {
  const sample = samplePlanted(plantedModel({ n: 10, d: 4, l0: 3, magnitudeStd: 0.7, seed: 4 }), 20_000);
  const fired = Array.from(sample.coefficients).filter((v) => v > 0);
  assert.ok(fired.every((v) => v >= 1));
  const sd = 0.7 * Math.sqrt(1 - 2 / Math.PI) / Math.sqrt(fired.length);
  assert.ok(Math.abs(mean(fired) - (1 + 0.7 * Math.sqrt(2 / Math.PI))) < 5 * sd, `mean magnitude ${mean(fired)}`);
  const ones = samplePlanted(plantedModel({ n: 10, d: 4, l0: 3, magnitudeStd: 0, seed: 4 }), 500);
  assert.ok(Array.from(ones.coefficients).every((v) => v === 0 || v === 1));
});

test('x = coefficients x features, plus noise of the asked std that changes nothing else', () => {
  const options = { n: 20, d: 16, l0: 3, seed: 6 };
  const clean = samplePlanted(plantedModel(options), 10_000, 2);
  const noisy = samplePlanted(plantedModel({ ...options, noiseStd: 0.1 }), 10_000, 2);
  const { features } = plantedModel(options);
  assert.deepEqual(noisy.coefficients, clean.coefficients);
  const residual = new Float64Array(clean.count * 16);
  let worstClean = 0;
  for (let s = 0; s < clean.count; s++) {
    for (let t = 0; t < 16; t++) {
      let signal = 0;
      for (let i = 0; i < 20; i++) signal += clean.coefficients[s * 20 + i] * features[i * 16 + t];
      worstClean = Math.max(worstClean, Math.abs(clean.x[s * 16 + t] - signal));
      residual[s * 16 + t] = noisy.x[s * 16 + t] - signal;
    }
  }
  assert.ok(worstClean < 1e-5, `clean residual ${worstClean}`);
  // 160000 residuals: the standard error of the std is about 0.1 / sqrt(2 * 160000) = 1.8e-4; 1e-3 is > 5 of them
  assert.ok(Math.abs(Math.sqrt(variance(residual)) - 0.1) < 1e-3, `noise std ${Math.sqrt(variance(residual))}`);
  assert.ok(Math.abs(mean(residual)) < 5 * 0.1 / Math.sqrt(residual.length), `noise mean ${mean(residual)}`);
});

test('the same options and seed give the same bits; another sample seed gives other data', () => {
  const options = { n: 25, d: 10, l0: 2, correlation: 0.3, hierarchy: [[0, 4]] as [number, number][], noiseStd: 0.05, seed: 9 };
  const a = samplePlanted(plantedModel(options), 300, 4);
  const b = samplePlanted(plantedModel(options), 300, 4);
  assert.deepEqual(new Uint8Array(a.x.buffer), new Uint8Array(b.x.buffer));
  assert.deepEqual(new Uint8Array(a.coefficients.buffer), new Uint8Array(b.coefficients.buffer));
  assert.notDeepEqual(samplePlanted(plantedModel(options), 300, 5).x, a.x);
  // the default sample seed is the model's seed + 1
  assert.deepEqual(samplePlanted(plantedModel(options), 300).x, samplePlanted(plantedModel(options), 300, 10).x);
});

test('plantedDataset is x as the kit Dataset: rows 1, cols = dim = d, labels 0', () => {
  const model = plantedModel({ n: 8, d: 5, l0: 1, seed: 1 });
  const sample = samplePlanted(model, 40, 3);
  const data = plantedDataset(model, sample);
  assert.equal(data.images, sample.x);
  assert.deepEqual([data.count, data.rows, data.cols, data.dim], [40, 1, 5, 5]);
  assert.deepEqual(data.labels, new Uint8Array(40));
  assert.equal(data.source, 'planted(n=8, d=5, l0=1, zipfExponent=1, magnitudeStd=0.5, correlation=0, hierarchy=0 pairs, ' +
    'noiseStd=0, seed=1); sample seed=3, count=40');
});

test('bad options name the field, the value and what is allowed', () => {
  const fails = (options: object, message: string) => assert.throws(() => plantedModel(options), { message });
  fails({ n: 0 }, 'PlantedOptions.n = 0 is invalid: expected an integer >= 1');
  fails({ d: 2.5 }, 'PlantedOptions.d = 2.5 is invalid: expected an integer >= 1');
  fails({ n: 10, l0: 11 }, 'PlantedOptions.l0 = 11 is invalid: expected a finite number in (0, n = 10]');
  fails({ l0: NaN }, 'PlantedOptions.l0 = NaN is invalid: expected a finite number in (0, n = 64]');
  fails({ zipfExponent: -1 }, 'PlantedOptions.zipfExponent = -1 is invalid: expected a finite number >= 0');
  fails({ correlation: 1.5 }, 'PlantedOptions.correlation = 1.5 is invalid: expected a number in [0, 1]');
  fails({ noiseStd: Infinity }, 'PlantedOptions.noiseStd = Infinity is invalid: expected a finite number >= 0');
  fails({ seed: 0.5 }, 'PlantedOptions.seed = 0.5 is invalid: expected an integer');
  const pairs = 'an array of [parent, child] pairs of feature indices in [0, n - 1 = 9], parent < child, no child twice';
  fails({ n: 10, hierarchy: [[0, 1], [3, 2]] }, `PlantedOptions.hierarchy = [[0,1],[3,2]] is invalid: expected ${pairs} (hierarchy[1] = [3,2] is not)`);
  fails({ n: 10, hierarchy: [[0, 2], [1, 2]] }, `PlantedOptions.hierarchy = [[0,2],[1,2]] is invalid: expected ${pairs} (hierarchy[1] = [1,2] is not)`);
  fails({ n: 10, hierarchy: [[0, 10]] }, `PlantedOptions.hierarchy = [[0,10]] is invalid: expected ${pairs} (hierarchy[0] = [0,10] is not)`);
  fails({ n: 10, hierarchy: 'none' }, `PlantedOptions.hierarchy = "none" is invalid: expected ${pairs}`);
  fails({ count: 5 }, "unknown PlantedOptions field 'count'; the fields are n, d, l0, zipfExponent, magnitudeStd, correlation, hierarchy, noiseStd, seed");
  const model = plantedModel({});
  assert.throws(() => samplePlanted(model, 0), { message: 'samplePlanted: count = 0 is invalid: expected an integer >= 1' });
  assert.throws(() => samplePlanted(model, 5, 1.5), { message: 'samplePlanted: seed = 1.5 is invalid: expected an integer' });
  assert.equal(makePlantedConfig(makePlantedConfig({ n: 3, l0: 1 })).n, 3);
});
