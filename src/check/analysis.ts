/**
 * Checks of the sparsity measures (notebook 04) and of decoding one-hot codes (notebook 05).
 * A check is one function, a table of independent cases: its `make` (the learner's call and the
 * usual mistakes' hints, in the order they are tried) and the list of cases, so it runs past ~50 lines
 * (CONTRIBUTING rule 4's exception for a list of independent cases).
 */
import { Rng } from '../runtime/random';
import { sparsityReport } from '../core/analysis';
import { decodeCodes, decodeUnits } from '../core/evaluate';
import { createModel } from '../core/sae';
import type { SparseAutoencoder } from '../core/sae';
import type { SaeConfig } from '../core/config';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import {
  Failure, allClose, arrayFailure, close, describeValue, isNumberArray, leakFailure, list, num, scalarFailure,
} from './format';
import { callLearner, callPlain } from './call';
import { sparseUniform, uniform } from './data';

/** What the learner's sparsity function returns (the kit's SparsityReport has these fields too). */
export interface SparsityNumbers {
  /** mean over samples of the fraction of units above the threshold */
  populationSparsity: number;
  /** per unit: the fraction of samples on which it is above the threshold */
  lifetimePerUnit: ArrayLike<number>;
  /** the units whose lifetime sparsity is below 0.01 (1%), in increasing order */
  inactiveUnits: number[];
}

/** The learner's Part 4 measures: activations [samples, latentDim] row-major, a unit active when > threshold. */
export type SparsityFn = (activations: Float32Array, latentDim: number, threshold: number) => SparsityNumbers;

/** The learner's Part 5 feature: the decoder's image ([inputDim] values) of the one-hot code of `unit`. */
export type DecodeOneHotFn = (model: SparseAutoencoder, unit: number) => Float32Array;

/** Per-sample and per-unit active fractions with a comparison `on`, for recognising mistakes. */
function fractions(a: Float32Array, width: number, on: (v: number) => boolean): { perSample: number[]; perUnit: number[] } {
  const samples = a.length / width;
  const perSample = new Array(samples).fill(0);
  const perUnit = new Array(width).fill(0);
  for (let s = 0; s < samples; s++) {
    for (let j = 0; j < width; j++) {
      if (on(a[s * width + j])) {
        perSample[s] += 1 / width;
        perUnit[j] += 1 / samples;
      }
    }
  }
  return { perSample, perUnit };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** Sorted unit indices, or null when `v` is not a list of integers. */
function indices(v: ArrayLike<number>): number[] | null {
  const out = Array.from(v);
  return out.every((u) => Number.isInteger(u)) ? out.sort((x, y) => x - y) : null;
}

const sameList = (a: number[], b: number[]) => a.length === b.length && a.every((u, i) => u === b[i]);

/** Why a list of inactive units is wrong, when the mistake is recognisable. */
function inactiveHint(given: ArrayLike<number>, want: number[], lifetimes: ArrayLike<number>, own: ArrayLike<number>, width: number): string | null {
  const sorted = indices(given);
  const atMost = Array.from(lifetimes).map((v, j) => (v <= 0.01 ? j : -1)).filter((j) => j >= 0);
  if (sorted && sameList(sorted, atMost)) return 'inactive means strictly below 1% (< 0.01): a unit active on exactly 1% of the samples is not inactive';
  if (given.length === 1 && given[0] === want.length && want.length !== 1) return 'list the inactive units\' indices, not their count';
  if (given.length === width && Array.from(given).every((v) => v === 0 || v === 1)) {
    return 'that is one 0/1 flag per unit; list the indices of the inactive units instead (e.g. [0, 5])';
  }
  const isLifetime = (v: number) => v < 0.01 && Array.from(own).some((l) => close(l, v));
  if (given.length > 0 && Array.from(given).every(isLifetime) && Array.from(given).some((v) => !Number.isInteger(v) || v === 0)) {
    return 'those are the inactive units\' lifetimes; list their indices (the unit numbers j) instead';
  }
  if (sorted === null) return 'inactiveUnits holds unit indices: whole numbers from 0 to latentDim - 1';
  return null;
}

/**
 * Population and lifetime sparsity and the inactive units, against the kit's sparsityReport. The
 * inactive units are accepted when they follow the lesson's rule (lifetime < 0.01) on the kit's
 * lifetimes or on the learner's own: a float32 mean of 2 active samples out of 200 is
 * 0.0099999998, below 0.01, so a float32 computation may rightly call that unit inactive, while a
 * float64 one with <= 0.01 is still caught.
 */
export function sparsity(fn: SparsityFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(505);
  const make = (name: string, inputs: string, a: Float32Array, width: number, threshold: number): Case => ({
    name,
    inputs: `${inputs}, threshold ${threshold}`,
    run(): Failure | null {
      if (threshold !== Math.fround(threshold) && a.includes(Math.fround(threshold))) {
        throw new Error(`check.sparsity's case "${name}" holds the threshold's float32 value, where float32 and float64 comparisons disagree`);
      }
      const samples = a.length / width;
      const want = sparsityReport(a, width, { threshold, inactiveBelow: 0.01 });
      const call = callPlain(() => fn(Float32Array.from(a), width, threshold));
      const got = call.returned;
      if (got === null || typeof got !== 'object' || isNumberArray(got)) {
        return { expected: 'an object { populationSparsity, lifetimePerUnit, inactiveUnits }', got: call.description, hint: 'return the three measures in one object' };
      }
      const fixed = threshold !== 0.1 ? sparsityReport(a, width, { threshold: 0.1 }) : null;
      const usesFixed = fixed !== null && fixed.populationSparsity !== want.populationSparsity && close(Number(got.populationSparsity), fixed.populationSparsity);
      const ge = fractions(a, width, (v) => v >= threshold);
      // 1. Population sparsity.
      if (typeof got.populationSparsity !== 'number' || !close(got.populationSparsity, want.populationSparsity)) {
        const p = got.populationSparsity;
        let hint = 'population sparsity: for each sample, the fraction of its units above the threshold; then the mean over samples';
        if (typeof p !== 'number') hint = 'populationSparsity is one number, the mean over samples';
        else if (usesFixed) hint = `use the threshold argument (${threshold} here), not a fixed 0.1`;
        else if (close(p, 100 * want.populationSparsity) && want.populationSparsity > 0) hint = 'a fraction in [0, 1], not a percentage';
        else if (close(p, width * want.populationSparsity) && width > 1 && want.populationSparsity > 0) hint = 'that is the mean number of active units per sample: divide by the number of units for a fraction';
        else if (close(p, mean(ge.perSample))) hint = 'a unit is active when its activation is strictly above the threshold (>), not equal to it';
        return typeof p === 'number' ? scalarFailure(p, want.populationSparsity, hint, 'populationSparsity ')
          : { expected: `populationSparsity ${num(want.populationSparsity)}`, got: describeValue(p), hint };
      }
      // 2. Lifetime sparsity, one per unit.
      const life = got.lifetimePerUnit;
      if (!isNumberArray(life)) {
        return { expected: `lifetimePerUnit: ${width} numbers`, got: describeValue(life), hint: 'lifetimePerUnit holds one fraction per unit (an array, not a tensor)' };
      }
      if (!allClose(life, want.lifetimePerUnit)) {
        let hint = 'lifetime sparsity of unit j: the fraction of samples (rows) on which unit j is above the threshold';
        const swapped = fractions(a, width, (v) => v > threshold).perSample;
        if (usesFixed) hint = `use the threshold argument (${threshold} here), not a fixed 0.1`;
        else if (life.length === samples && samples !== width) {
          hint = 'lifetime sparsity is per unit (one number per column, averaged down the samples); you gave one number per sample';
        } else if (allClose(life, swapped)) {
          hint = 'axes swapped: lifetime is per unit (down a column, over samples); population is per sample (across a row, over units)';
        } else if (allClose(life, ge.perUnit)) {
          hint = 'a unit is active when its activation is strictly above the threshold (>), not equal to it';
        } else if (allClose(life, Array.from(want.lifetimePerUnit, (v) => v * samples))) {
          hint = 'that is how many samples activate each unit: divide by the number of samples for a fraction';
        }
        return arrayFailure(life, want.lifetimePerUnit, hint, 'unit');
      }
      // 3. Inactive units: the lesson's rule on the kit's lifetimes or on the learner's own.
      const inactive = got.inactiveUnits;
      if (!isNumberArray(inactive)) {
        const hint = typeof inactive === 'number' ? 'inactiveUnits lists the indices of the units, not their count' : 'inactiveUnits is an array of unit indices';
        return { expected: `inactiveUnits ${list(want.inactiveUnits)}`, got: describeValue(inactive), hint };
      }
      const own = Array.from(life).map((v, j) => (v < 0.01 ? j : -1)).filter((j) => j >= 0);
      const sorted = indices(inactive);
      if (sorted === null || !(sameList(sorted, want.inactiveUnits) || sameList(sorted, own))) {
        const hint = inactiveHint(inactive, want.inactiveUnits, want.lifetimePerUnit, life, width)
          ?? 'inactive units: those whose lifetime sparsity is below 0.01 (active on fewer than 1% of the samples)';
        return { expected: `inactiveUnits ${list(want.inactiveUnits)}`, got: list(inactive), hint };
      }
      if (call.leaked > 0) return leakFailure(call.leaked);
      return null;
    },
  });
  // 200 samples: unit 0 active on 1 sample (0.5%: inactive), unit 1 on 2 (exactly 1%: not inactive
  // in float64; a float32 mean says 0.0099999998, and its rule is then followed), unit 2 on most.
  const boundary = new Float32Array(200 * 3);
  for (let s = 0; s < 200; s++) {
    boundary[s * 3] = s === 17 ? 0.9 : 0.01;
    boundary[s * 3 + 1] = s === 3 || s === 150 ? 0.6 : 0.05;
    boundary[s * 3 + 2] = s % 4 === 0 ? 0.02 : 0.7;
  }
  // Notebook 04's case: 1000 images, unit 1 active on exactly 10 (1%), unit 2 on 9, unit 3 on 11.
  const thousand = new Float32Array(1000 * 4);
  for (let s = 0; s < 1000; s++) {
    thousand[s * 4] = rng.uniform(0.2, 0.9);
    thousand[s * 4 + 1] = s % 100 === 7 ? 0.5 : 0;
    thousand[s * 4 + 2] = s % 100 === 8 && s < 900 ? 0.5 : 0.03;
    thousand[s * 4 + 3] = s % 100 === 9 || s === 500 ? 0.8 : 0;
  }
  const atThreshold = Float32Array.from([0.5, 0.2, 0.7, 0.5, 0.5, 0.9, 0.1, 0.5]);
  return runCheck('sparsity', [
    make('a small code matrix', 'activations 6x4 in [0, 0.4)', uniform(rng, 6, 4, 0, 0.4), 4, 0.1),
    make('inactive units at the 1% boundary', 'activations 200x3; unit 0 active on 1 sample, unit 1 on 2', boundary, 3, 0.1),
    make('as many samples as units', 'activations 5x5 in [0, 0.3)', uniform(rng, 5, 5, 0, 0.3), 5, 0.1),
    make('activations equal to the threshold', 'activations 2x4 with several exactly 0.5', atThreshold, 4, 0.5),
    make('another threshold', 'activations 8x6 in [0, 1)', uniform(rng, 8, 6, 0, 1), 6, 0.35),
    make('all-zero codes', 'activations 4x3 of zeros', new Float32Array(12), 3, 0.1),
    make('a single sample', 'activations 1x5', uniform(rng, 1, 5, 0, 0.3), 5, 0.1),
    make('1000 images', 'activations 1000x4; units 1, 2, 3 active on 10, 9 and 11 images', thousand, 4, 0.1),
    make('a wide latent', 'activations 10x1024, mostly 0', sparseUniform(rng, 10, 1024, 0.9), 1024, 0.1),
  ], options);
}

/** The learner's one-hot decoding, against the kit's decodeUnits, on small models of each decoder kind. */
export function decodeOneHot(fn: DecodeOneHotFn, options: CheckOptions = {}): CheckResult {
  const make = (name: string, config: Partial<SaeConfig>, unit: number): Case => ({
    name,
    inputs: `${config.decoder === 'linear' ? 'linear' : 'MLP'} decoder, latentDim ${config.latentDim}, inputDim ${config.inputDim}, unit ${unit}`,
    run(): Failure | null {
      const model = createModel(config, 11);
      try {
        const latentDim = model.config.latentDim;
        const want = decodeUnits(model, [unit])[0];
        const res = callPlain(() => fn(model, unit) as unknown);
        const got = res.returned;
        if (!isNumberArray(got)) {
          const hint = res.values !== null ? 'return the image as a Float32Array, not a tensor: read the values out of the decoder\'s output (dataSync) and dispose the tensor'
            : 'return the decoded image as a Float32Array (read it out of the decoder\'s output tensor)';
          return { expected: `an image of ${want.length} values (a Float32Array)`, got: res.description, hint };
        }
        if (!allClose(got, want)) {
          let hint = 'the one-hot code e_j is a single row [1, latentDim] with 1 at index j (counting from 0) and 0 elsewhere; decode it with model.decode';
          if (got.length === latentDim && latentDim !== want.length) hint = 'that is the code; return what the decoder makes of it (inputDim values)';
          else if (got.length === want.length * latentDim) hint = 'decode the single code of this unit: a batch of one row [1, latentDim]';
          else if (got.length === want.length) {
            const zero = decodeCodes(model, new Float32Array(latentDim));
            const near = (j: number) => j >= 0 && j < latentDim && allClose(got, decodeUnits(model, [j])[0]);
            if (allClose(got, zero)) hint = 'that is the image of the all-zero code: set entry `unit` of the code to 1';
            else if (near(unit + 1) || near(unit - 1)) hint = 'off by one: unit j is entry j of the code, counting from 0';
          }
          return arrayFailure(got, want, hint, 'pixel');
        }
        if (res.leaked > 0) return leakFailure(res.leaked);
        return null;
      } finally {
        model.dispose();
      }
    },
  });
  const errorHint = (err: unknown) => {
    const message = err instanceof Error ? err.message : '';
    if (/int32|dtype/i.test(message)) return 'tf.oneHot gives an int32 tensor; the decoder works on float32: cast it (tf.cast(..., \'float32\'))';
    if (/inputDim/.test(message)) return 'decode the code with model.decode: model.forward and model.encode take an image (inputDim values), not a code';
    if (/rank|shape|2-D|values per row/i.test(message)) return 'the decoder takes a 2-D batch of codes, [1, latentDim] for one code';
    return null;
  };
  return runCheck('decodeOneHot', [
    make('unit 0', { inputDim: 12, hiddenDim: 6, latentDim: 5, sparsity: 'kl' }, 0),
    make('the last unit', { inputDim: 12, hiddenDim: 6, latentDim: 5, sparsity: 'kl' }, 4),
    make('a middle unit', { inputDim: 12, hiddenDim: 6, latentDim: 5, sparsity: 'l1' }, 2),
    make('a linear decoder', { inputDim: 12, latentDim: 7, sparsity: 'l1', decoder: 'linear' }, 3),
    make('a wide latent', { inputDim: 8, hiddenDim: 4, latentDim: 512, sparsity: 'kl' }, 300),
  ], options, errorHint);
}

