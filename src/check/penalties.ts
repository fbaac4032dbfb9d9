/**
 * Checks of the two penalties: L1 (notebook 01) and KL (notebook 02).
 * A check is one function, a table of independent cases: its `make` (the learner's call and the
 * usual mistakes' hints, in the order they are tried) and the list of cases, so it runs past ~50 lines
 * (CONTRIBUTING rule 4's exception for a list of independent cases).
 */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { KL_EPS, KL_UPPER, klPenalty as kitKlPenalty, l1Penalty as kitL1Penalty } from '../core/losses';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { Failure, close, disposedInputFailure, leakFailure, num, scalarFailure } from './format';
import { callLearner } from './call';
import { columnMean, mean, rowMean, sparseUniform, uniform } from './data';

/** The learner's L1 penalty: h [batch, latentDim] -> scalar. */
export type L1PenaltyFn = (h: tf.Tensor2D) => tf.Scalar;
/** The learner's KL penalty: h [batch, latentDim] (activations in (0, 1)), target rho -> scalar. */
export type KlPenaltyFn = (h: tf.Tensor2D, rho: number) => tf.Scalar;

/**
 * One case of a penalty: builds h, calls the learner's function and the kit's, and compares the
 * scalars; `diagnose` names the mistake behind a wrong value when it recognises one.
 */
function scalarCase(name: string, inputs: string, data: Float32Array, rows: number, cols: number,
  learner: (h: tf.Tensor2D) => unknown, kit: (h: tf.Tensor2D) => tf.Scalar,
  diagnose: (got: number, expected: number) => string | null, fallback: string): Case {
  return {
    name,
    inputs,
    run(): Failure | null {
      const expected = tf.tidy(() => kit(tf.tensor2d(data, [rows, cols])).dataSync()[0]);
      const res = callLearner(() => [tf.tensor2d(data, [rows, cols])], ([h]) => learner(h as tf.Tensor2D), ['h']);
      if (res.values === null) {
        const hint = typeof res.returned === 'number' ? 'return the penalty as a tf.Scalar (a tensor of shape []), not a number: leave it in the tensor'
          : 'return a tf.Scalar: a tensor of shape [] holding the penalty';
        return { expected: `a scalar tensor (${num(expected)})`, got: res.description, hint };
      }
      if (res.shape.length !== 0) {
        return {
          expected: `a scalar tensor, shape [] (${num(expected)})`,
          got: `a tensor of shape [${res.shape}]`,
          hint: 'the penalty is one number for the whole batch: reduce over every axis (a reduction with no axis argument gives a scalar)',
        };
      }
      const got = res.values[0];
      if (!close(got, expected)) return scalarFailure(got, expected, diagnose(got, expected) ?? fallback);
      if (res.disposed.length > 0) return disposedInputFailure('h');
      if (res.leaked > 0) return leakFailure(res.leaked);
      return null;
    },
  };
}

/** The lesson's L1 penalty, `l1_loss`: the mean of |h| over batch and units. */
export function l1Penalty(fn: L1PenaltyFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(101);
  const fallback = "L1(h) is the mean over batch AND units of |h_ij|, as the lesson's l1_loss (torch.mean(torch.abs(latent)))";
  const make = (name: string, inputs: string, data: Float32Array, rows: number, cols: number): Case => {
    const diagnose = (got: number, expected: number): string | null => {
      if (expected === 0) return null;
      if (close(got, expected * rows * cols)) return 'you summed |h| over everything; the lesson takes the mean over batch and units';
      if (close(got, expected * cols)) return 'you summed over units and averaged over the batch; the lesson averages over both';
      if (rows > 1 && close(got, expected * rows)) return 'you summed over the batch; the lesson averages over batch and units';
      if (close(got, mean(data))) return 'take the absolute value |h| before averaging: a negative activation must cost as much as a positive one';
      if (close(got, mean(data, (v) => v * v))) return 'that is the mean of h squared (an L2 penalty); L1 uses absolute values |h|';
      return null;
    };
    return scalarCase(name, inputs, data, rows, cols, fn, kitL1Penalty, diagnose, fallback);
  };
  return runCheck('l1Penalty', [
    make('ReLU codes', 'h 3x4, non-negative with zeros', sparseUniform(rng, 3, 4, 0.3), 3, 4),
    make('negative entries', 'h 3x4 with values in [-1, 1)', uniform(rng, 3, 4, -1, 1), 3, 4),
    make('all-zero codes', 'h 4x3 of zeros', new Float32Array(12), 4, 3),
    make('a single sample', 'h 1x5', sparseUniform(rng, 1, 5, 0.2), 1, 5),
    make('a wide latent', 'h 2x1024', sparseUniform(rng, 2, 1024, 0.5), 2, 1024),
  ], options);
}

/** KL(rho || q) summed over units with q from `rhoHat`, clamped like the kit: for diagnoses. */
function klSum(rho: number, qs: number[], clampLow = KL_EPS, clampHigh = KL_UPPER): number {
  return qs.reduce((s, q0) => {
    const q = Math.min(Math.max(q0, clampLow), clampHigh);
    return s + rho * Math.log(rho / q) + (1 - rho) * Math.log((1 - rho) / (1 - q));
  }, 0);
}

/** The lesson's KL penalty: sum over units of KL(rho || rhoHat_j), rhoHat_j clamped to [KL_EPS, KL_UPPER]. */
export function klPenalty(fn: KlPenaltyFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(202);
  const fallback = 'the penalty is the sum over units j of KL(rho || rhoHat_j), with rhoHat_j the mean of unit j over the batch, ' +
    'clamped to [KL_EPS, KL_UPPER] before the logs';
  const make = (name: string, inputs: string, data: Float32Array, rows: number, cols: number, rho: number): Case => {
    const perUnit = Array.from({ length: cols }, (_, j) => columnMean(data, rows, cols, j));
    const diagnose = (got: number, expected: number): string | null => {
      const allZero = perUnit.every((q) => q === 0);
      const saturated = perUnit.some((q) => q >= 1);
      if (Number.isNaN(got) && perUnit.every((q) => q >= KL_EPS && q <= KL_UPPER)) {
        return 'NaN although every rhoHat here is inside (0, 1), so no clamp is involved: a log of a negative number gives NaN. ' +
          'Check each log\'s argument: rho / rhoHat_j and (1 - rho) / (1 - rhoHat_j) are both positive';
      }
      if (!Number.isFinite(got)) {
        if (allZero) return 'rhoHat = 0 makes log(rho / rhoHat) infinite: clamp rhoHat to [KL_EPS, KL_UPPER] before taking the logs';
        if (saturated) {
          return 'a unit at 1 on every sample gives rhoHat = 1 and log(1 - rhoHat) = -Infinity; the lesson clamps at 1 - 1e-8, ' +
            'but in float32 that is exactly 1: clamp the top at KL_UPPER (1 - 2^-24), as notebook 02 explains';
        }
        return 'KL needs every rhoHat strictly inside (0, 1): the codes come from a sigmoid, and rhoHat is clamped to [KL_EPS, KL_UPPER]';
      }
      if (rho !== 0.05 && close(got, klSum(0.05, perUnit))) return `use the rho argument (${rho} here), not a fixed 0.05`;
      if (close(got * cols, expected)) return 'you averaged the KL over units; the lesson sums it over units (torch.sum(kl))';
      const perSample = Array.from({ length: rows }, (_, r) => rowMean(data, cols, r));
      if (close(got, klSum(rho, perSample)) || close(got, klSum(rho, perSample) / rows)) {
        return 'rhoHat_j is unit j\'s mean over the batch (axis 0, one value per unit); you averaged each sample over its units (axis 1)';
      }
      if (rows > 1 && close(got, klSum(rho, perUnit.map((q) => q * rows)))) return 'rhoHat_j is the mean of unit j over the batch, not the sum';
      const swapped = perUnit.reduce((s, q0) => {
        const q = Math.min(Math.max(q0, KL_EPS), KL_UPPER);
        return s + q * Math.log(q / rho) + (1 - q) * Math.log((1 - q) / (1 - rho));
      }, 0);
      if (close(got, swapped)) return 'that is KL(rhoHat || rho); the penalty is KL(rho || rhoHat_j) = rho log(rho / rhoHat_j) + (1 - rho) log((1 - rho) / (1 - rhoHat_j))';
      const firstTerm = perUnit.reduce((s, q0) => s + rho * Math.log(rho / Math.min(Math.max(q0, KL_EPS), KL_UPPER)), 0);
      if (close(got, firstTerm)) return 'KL between two Bernoulli distributions has two terms: add the (1 - rho) log((1 - rho) / (1 - rhoHat_j)) term';
      if (allZero) return 'every rhoHat here is 0, so the clamp decides the value: clamp the bottom at KL_EPS (the lesson\'s 1e-8)';
      if (saturated) return 'every rhoHat here is 1, so the clamp decides the value: clamp the top at KL_UPPER (1 - 2^-24; 1 - 1e-8 is exactly 1 in float32)';
      return null;
    };
    return scalarCase(name, `${inputs}, rho ${rho}`, data, rows, cols, (h) => fn(h, rho), (h) => kitKlPenalty(h, rho), diagnose, fallback);
  };
  return runCheck('klPenalty', [
    make('sigmoid codes', 'h 8x5 in (0.01, 0.3)', uniform(rng, 8, 5, 0.01, 0.3), 8, 5, 0.05),
    make('all-zero codes', 'h 4x3 of zeros', new Float32Array(12), 4, 3, 0.05),
    make('saturated units', 'h 4x3 of ones', new Float32Array(12).fill(1), 4, 3, 0.05),
    make('a single sample', 'h 1x6 in (0, 0.5)', uniform(rng, 1, 6, 0, 0.5), 1, 6, 0.1),
    make('rho near 0', 'h 6x4 in (0, 0.05)', uniform(rng, 6, 4, 0, 0.05), 6, 4, 0.001),
    make('rho near 1', 'h 6x4 in (0.9, 1)', uniform(rng, 6, 4, 0.9, 1), 6, 4, 0.999),
    make('a wide latent', 'h 16x512 in (0, 0.2)', uniform(rng, 16, 512, 0, 0.2), 16, 512, 0.05),
  ], options);
}
