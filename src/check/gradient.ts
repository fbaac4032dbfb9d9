/** Check of the learner's finite-difference gradient (notebook 02). */
import { Rng } from '../runtime/random';
import { klScalar } from '../core/losses';
import { centralDifference, numericalGradient as kitNumericalGradient } from './reference';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { Failure, Tolerance, allClose, arrayFailure, isNumberArray, list, numPair } from './format';
import { callPlain } from './call';
import { uniform } from './data';

/** The learner's central finite differences: f, the point x, the step eps -> one partial derivative per entry of x. */
export type NumericalGradientFn = (f: (x: Float64Array) => number, x: Float64Array, eps: number) => ArrayLike<number>;

/** Forward differences, for recognising them. */
function forward(f: (x: Float64Array) => number, x0: Float64Array, eps: number): Float64Array {
  const x = Float64Array.from(x0);
  const f0 = f(x);
  return x.map((v, i) => {
    x[i] = v + eps;
    const up = f(x);
    x[i] = v;
    return (up - f0) / eps;
  });
}

/**
 * Central differences that never put x[i] back (the usual mistake, for recognising it): coordinate i
 * is taken with every earlier one left at its value - eps. Works in place on x, as a learner's would.
 */
export function unrestoredGradient(f: (x: Float64Array) => number, x: Float64Array, eps: number): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    g[i] = centralDifference(f, x, i, eps);
    x[i] -= eps;
  }
  return g;
}

/**
 * How close a learner's finite differences must be to the kit's: the same formula in float64 agrees
 * to ~1e-9 whatever order the learner adds and divides in (the differences divide roundings of f
 * by 2 eps, so 1e-9 relative, plus an absolute 1e-7 for entries near 0).
 */
const GRADIENT: Tolerance = { rtol: 1e-7, atol: 1e-7 };

/** The failure when the learner's call left x changed: moving x[i] by +eps, -2 eps and +eps puts it back up to a rounding (2.8e-17 for x 0.4), which counts as put back. */
function movedFailure(x0: Float64Array, x: Float64Array, eps: number): Failure | null {
  const moved = Array.from(x).findIndex((v, i) => !(Math.abs(v - x0[i]) <= 8 * Number.EPSILON * Math.max(Math.abs(x0[i]), eps)));
  if (moved < 0) return null;
  const [before, after] = numPair(x0[moved], x[moved]);
  return {
    expected: `x unchanged (x[${moved}] = ${before})`,
    got: `x[${moved}] = ${after} after your call`,
    hint: 'put x[i] back after perturbing it: the caller\'s x must be left as it was',
  };
}

/** Why a wrong gradient is wrong: the usual mistake it matches, or the formula. */
function gradientHint(got: ArrayLike<number>, expected: Float64Array, f: (x: Float64Array) => number, x0: Float64Array, eps: number): string {
  if (allClose(got, forward(f, x0, eps), GRADIENT)) {
    return 'those are forward differences (f(x + eps e_i) - f(x)) / eps, off by O(eps); use central differences, off by O(eps^2)';
  }
  if (allClose(got, expected.map((v) => 2 * v), GRADIENT)) return 'the two points x + eps e_i and x - eps e_i are 2 eps apart: divide by 2 eps';
  if (allClose(got, expected.map((v) => v / 2), GRADIENT)) return 'divide the difference by 2 eps (the distance between the two points), not by 4 eps';
  if (allClose(got, unrestoredGradient(f, Float64Array.from(x0), eps), GRADIENT)) {
    return 'restore x[i] after each coordinate: later coordinates were computed at a shifted point';
  }
  if ([1e-4, 1e-5, 1e-6, 1e-3, 1e-2].some((e) => e !== eps && allClose(got, kitNumericalGradient(f, Float64Array.from(x0), e), GRADIENT))) {
    return `use the eps argument (${eps} here), not a fixed step`;
  }
  if (allClose(got, expected, { rtol: 1e-2, atol: 1e-2 })) {
    return 'close, but off in the 3rd or 4th digit: compute in float64 (plain numbers or a Float64Array); in float32, f(x + eps) - f(x - eps) loses most of its digits';
  }
  return 'entry i is (f(x + eps e_i) - f(x - eps e_i)) / (2 eps): x moved by eps both ways along coordinate i only';
}

/** The learner's own finite-difference gradient (UFLDL's gradient check), on functions whose gradient the check knows. */
export function numericalGradient(fn: NumericalGradientFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(303);
  const code = uniform(rng, 3, 2, 0.02, 0.3);
  const klOfCode = (v: Float64Array) => {
    let s = 0;
    for (let j = 0; j < 2; j++) s += klScalar(0.05, (v[j] + v[2 + j] + v[4 + j]) / 3);
    return s;
  };
  const make = (name: string, inputs: string, f: (x: Float64Array) => number, point: number[], eps: number): Case => ({
    name,
    inputs: `${inputs} at x = ${list(point)}, eps ${eps}`,
    run(): Failure | null {
      const x0 = Float64Array.from(point);
      const expected = kitNumericalGradient(f, Float64Array.from(point), eps);
      const x = Float64Array.from(point);
      const call = callPlain(() => fn(f, x, eps));
      const got = call.returned;
      if (!isNumberArray(got)) return { expected: `${point.length} numbers`, got: call.description, hint: 'return one partial derivative per entry of x (a Float64Array of x.length numbers)' };
      const moved = movedFailure(x0, x, eps);
      if (moved) return moved;
      if (got.length !== point.length) return arrayFailure(got, expected, 'one partial derivative per entry of x', 'entry', GRADIENT);
      if (allClose(got, expected, GRADIENT)) return null;
      const hint = gradientHint(got, expected, f, x0, eps);
      return arrayFailure(got, expected, hint, 'entry', GRADIENT);
    },
  });
  return runCheck('numericalGradient', [
    make('a quadratic', 'f(x) = sum of x_i^2', (v) => v.reduce((s, a) => s + a * a, 0), [1, -2, 0.5], 1e-4),
    make('a cubic with cross terms', 'f(x) = x0^3 + x0 x1 + sin(x2)', (v) => v[0] ** 3 + v[0] * v[1] + Math.sin(v[2]), [0.7, -1.3, 0.4], 1e-2),
    make('the KL penalty', 'f = sum_j KL(0.05 || mean of column j) of a 3x2 code', klOfCode, Array.from(code), 1e-5),
    make('a single number', 'f(x) = exp(x0)', (v) => Math.exp(v[0]), [0.3], 1e-5),
  ], options);
}
