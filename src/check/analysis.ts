/** Checks of the sparsity measures (notebook 04) and of decoding one-hot codes (notebook 05). */
import { Rng } from '../runtime/random';
import { sparsityReport } from '../core/analysis';
import { decodeCodes, decodeUnits } from '../core/evaluate';
import { createModel } from '../core/sae';
import type { SparseAutoencoder } from '../core/sae';
import type { SaeConfig } from '../core/config';
import {
  Case, CheckOptions, CheckResult, Failure, allClose, arrayFailure, callTensor, close, describeValue, isNumberArray, leakFailure, list, num, runCheck,
} from './runner';
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
function fractions(a: Float32Array, units: number, on: (v: number) => boolean): { perSample: number[]; perUnit: number[] } {
  const samples = a.length / units;
  const perSample = new Array(samples).fill(0);
  const perUnit = new Array(units).fill(0);
  for (let s = 0; s < samples; s++) {
    for (let j = 0; j < units; j++) {
      if (on(a[s * units + j])) {
        perSample[s] += 1 / units;
        perUnit[j] += 1 / samples;
      }
    }
  }
  return { perSample, perUnit };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** Population and lifetime sparsity and the inactive units, against the kit's sparsityReport. */
export function sparsity(fn: SparsityFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(505);
  const make = (name: string, inputs: string, a: Float32Array, units: number, threshold: number): Case => ({
    name,
    inputs: `${inputs}, threshold ${threshold}`,
    run(): Failure | null {
      const samples = a.length / units;
      const want = sparsityReport(a, units, { threshold, inactiveBelow: 0.01 });
      const got = fn(Float32Array.from(a), units, threshold);
      if (got === null || typeof got !== 'object') {
        return { expected: 'an object { populationSparsity, lifetimePerUnit, inactiveUnits }', got: describeValue(got), hint: 'return the three measures in one object' };
      }
      const ge = fractions(a, units, (v) => v >= threshold);
      // 1. Population sparsity.
      if (typeof got.populationSparsity !== 'number' || !close(got.populationSparsity, want.populationSparsity, 1e-6, 1e-9)) {
        const p = got.populationSparsity;
        let hint = 'population sparsity: for each sample, the fraction of its units above the threshold; then the mean over samples';
        if (typeof p !== 'number') hint = 'populationSparsity is one number, the mean over samples';
        else if (close(p, 100 * want.populationSparsity, 1e-6, 1e-9) && want.populationSparsity > 0) hint = 'a fraction in [0, 1], not a percentage';
        else if (close(p, units * want.populationSparsity, 1e-6, 1e-9) && units > 1) hint = 'that is the mean number of active units per sample: divide by the number of units for a fraction';
        else if (close(p, mean(ge.perSample), 1e-6, 1e-9)) hint = 'a unit is active when its activation is strictly above the threshold (>), not equal to it';
        return { expected: `populationSparsity ${num(want.populationSparsity)}`, got: describeValue(p), hint };
      }
      // 2. Lifetime sparsity, one per unit.
      const life = got.lifetimePerUnit;
      if (!isNumberArray(life)) {
        return { expected: `lifetimePerUnit: ${units} numbers`, got: describeValue(life), hint: 'lifetimePerUnit holds one fraction per unit' };
      }
      if (!allClose(life, want.lifetimePerUnit, 1e-6, 1e-9)) {
        let hint = 'lifetime sparsity of unit j: the fraction of samples (rows) on which unit j is above the threshold';
        const swapped = fractions(a, units, (v) => v > threshold).perSample;
        if (life.length === samples && samples !== units) {
          hint = 'lifetime sparsity is per unit (one number per column, averaged down the samples); you gave one number per sample';
        } else if (allClose(life, swapped, 1e-6, 1e-9)) {
          hint = 'axes swapped: lifetime is per unit (down a column, over samples); population is per sample (across a row, over units)';
        } else if (allClose(life, ge.perUnit, 1e-6, 1e-9)) {
          hint = 'a unit is active when its activation is strictly above the threshold (>), not equal to it';
        } else if (allClose(life, Array.from(want.lifetimePerUnit, (v) => v * samples), 1e-6, 1e-9)) {
          hint = 'that is how many samples activate each unit: divide by the number of samples for a fraction';
        }
        return arrayFailure(life, want.lifetimePerUnit, hint, 'unit');
      }
      // 3. Inactive units.
      const inactive = got.inactiveUnits;
      if (!isNumberArray(inactive)) {
        return { expected: `inactiveUnits ${list(want.inactiveUnits)}`, got: describeValue(inactive), hint: 'inactiveUnits lists the indices of the units (not their count)' };
      }
      const sorted = Array.from(inactive).sort((x, y) => x - y);
      if (sorted.length !== want.inactiveUnits.length || sorted.some((u, i) => u !== want.inactiveUnits[i])) {
        let hint = 'inactive units: those whose lifetime sparsity is below 0.01 (active on fewer than 1% of the samples)';
        const atMost = Array.from(want.lifetimePerUnit).map((v, j) => (v <= 0.01 ? j : -1)).filter((j) => j >= 0);
        if (sorted.length === atMost.length && sorted.every((u, i) => u === atMost[i])) hint = 'inactive means strictly below 1% (< 0.01): a unit active on exactly 1% of the samples is not inactive';
        else if (sorted.length === 1 && sorted[0] === want.inactiveUnits.length && want.inactiveUnits.length !== 0) hint = 'list the inactive units\' indices, not their count';
        return { expected: `inactiveUnits ${list(want.inactiveUnits)}`, got: list(sorted), hint };
      }
      return null;
    },
  });
  // 200 samples: unit 0 active on 1 sample (0.5%: inactive), unit 1 on 2 (exactly 1%: not inactive), unit 2 on most.
  const boundary = new Float32Array(200 * 3);
  for (let s = 0; s < 200; s++) {
    boundary[s * 3] = s === 17 ? 0.9 : 0.01;
    boundary[s * 3 + 1] = s === 3 || s === 150 ? 0.6 : 0.05;
    boundary[s * 3 + 2] = s % 4 === 0 ? 0.02 : 0.7;
  }
  const atThreshold = Float32Array.from([0.5, 0.2, 0.7, 0.5, 0.5, 0.9, 0.1, 0.5]);
  return runCheck('sparsity', [
    make('a small code matrix', 'activations 6x4 in [0, 0.4)', uniform(rng, 6, 4, 0, 0.4), 4, 0.1),
    make('inactive units at the 1% boundary', 'activations 200x3; unit 0 active on 1 sample, unit 1 on 2', boundary, 3, 0.1),
    make('as many samples as units', 'activations 5x5 in [0, 0.3)', uniform(rng, 5, 5, 0, 0.3), 5, 0.1),
    make('activations equal to the threshold', 'activations 2x4 with several exactly 0.5', atThreshold, 4, 0.5),
    make('all-zero codes', 'activations 4x3 of zeros', new Float32Array(12), 3, 0.1),
    make('a single sample', 'activations 1x5', uniform(rng, 1, 5, 0, 0.3), 5, 0.1),
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
        let got: unknown;
        const res = callTensor(() => [], () => {
          got = fn(model, unit);
          return got;
        });
        if (!isNumberArray(got)) {
          return { expected: `an image of ${want.length} values`, got: describeValue(got), hint: 'return the decoded image as a Float32Array (read it out of the decoder\'s output tensor)' };
        }
        if (!allClose(got, want, 1e-5, 1e-6)) {
          let hint = 'the one-hot code e_j is a single row [1, latentDim] with 1 at index j (counting from 0) and 0 elsewhere; decode it with model.decode';
          if (got.length === latentDim && latentDim !== want.length) hint = 'that is the code; return what the decoder makes of it (inputDim values)';
          else if (got.length === want.length * latentDim) hint = 'decode the single code of this unit: a batch of one row [1, latentDim]';
          else if (got.length === want.length) {
            const zero = decodeCodes(model, new Float32Array(latentDim));
            const near = (j: number) => j >= 0 && j < latentDim && allClose(got as ArrayLike<number>, decodeUnits(model, [j])[0], 1e-5, 1e-6);
            if (allClose(got, zero, 1e-5, 1e-6)) hint = 'that is the image of the all-zero code: set entry `unit` of the code to 1';
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

