/**
 * Check of the toy model's interference (notebook 15): per feature i, sum over j != i of
 * (W^_i . W_j)^2 with W^_i = W_i / ||W_i||, from W [m, n] row-major (column i is feature i).
 * One function holding a table of independent cases and their hints (CONTRIBUTING rule 4's
 * exception), and the usual mistakes as variants of the formula, for recognising them.
 */
import { Rng } from '../runtime/random';
import { matrixOf } from '../data/matrix';
import { interference as kitInterference } from '../toy/analysis';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { EXACT, Failure, allClose, arrayFailure, isNumberArray, leakFailure } from './format';
import { callPlain } from './call';
import { uniform } from './data';

/** The learner's interference: W [m, n] row-major (column i: feature i's direction) -> one number per feature [n]. */
export type InterferenceFn = (w: Float32Array, m: number, n: number) => ArrayLike<number>;

/** A way to compute "interference", right or wrong, for recognising a learner's answer. */
interface Formula {
  /** read W as [n, m] (rows as features) instead of [m, n] (columns as features) */
  transposed?: boolean;
  /** what the dot product W_i . W_j is divided by: ||W_i|| (right), nothing, ||W_i|| ||W_j||, ||W_i||^2 */
  scale?: 'unit i' | 'none' | 'both' | 'squared norm';
  /** how each projection enters the sum */
  term?: 'square' | 'plain' | 'abs';
  includeSelf?: boolean;
  /** the sum divided by this */
  divide?: number;
}

/** Interference by `f` (0 where a norm is 0, as the kit's). */
function byFormula(w: Float32Array, m: number, n: number, f: Formula): number[] {
  const at = (r: number, i: number) => (f.transposed ? w[i * m + r] : w[r * n + i]);
  const dotOf = (i: number, j: number) => {
    let s = 0;
    for (let r = 0; r < m; r++) s += at(r, i) * at(r, j);
    return s;
  };
  const norm = Array.from({ length: n }, (_, i) => Math.sqrt(dotOf(i, i)));
  return Array.from({ length: n }, (_, i) => {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      if (j === i && !f.includeSelf) continue;
      const d = { 'unit i': norm[i], none: 1, both: norm[i] * norm[j], 'squared norm': norm[i] ** 2 }[f.scale ?? 'unit i'];
      const p = d > 0 ? dotOf(i, j) / d : 0;
      sum += { square: p * p, plain: p, abs: Math.abs(p) }[f.term ?? 'square'];
    }
    return sum / (f.divide ?? 1);
  });
}

/** Why a wrong interference is wrong: the usual mistake it matches, or the definition. */
function interferenceHint(got: ArrayLike<number>, w: Float32Array, m: number, n: number): string {
  if (got.length !== n) {
    return got.length === m && m !== n
      ? `one number per feature: the features are W's n = ${n} columns, not its m = ${m} rows`
      : `one number per feature: n = ${n} values`;
  }
  if (Array.from(got).some((v) => Number.isNaN(v))) {
    return 'a zero column (a dropped feature) has no direction, and W_i / ||W_i|| is 0 / 0 = NaN: ' +
      'treat its unit vector as 0 (guard the division), so its interference is 0 and it adds 0 to the others\'';
  }
  const is = (f: Formula) => allClose(got, byFormula(w, m, n, f));
  if (is({ includeSelf: true })) return 'leave j = i out: (W^_i . W_i)^2 = ||W_i||^2 is the feature itself, not interference from the others';
  if (is({ scale: 'none' }) || is({ scale: 'none', includeSelf: true })) {
    return 'normalise W_i first: project each other column on the unit vector W_i / ||W_i||, then square';
  }
  if (is({ scale: 'both' })) return 'normalise W_i only: W_j keeps its length, so a short (weakly represented) feature interferes less';
  if (is({ scale: 'squared norm' })) return 'the unit vector is W_i / ||W_i||: divide the dot product by ||W_i||, not by ||W_i||^2, before squaring';
  if (is({ term: 'plain' }) || is({ term: 'abs' })) return 'square each projection (W^_i . W_j)^2 before adding them up: a negative overlap interferes too';
  if (is({ transposed: true }) || is({ transposed: true, includeSelf: true })) {
    return `W is [m, n] row-major: feature i is column i, its entries w[r * n + i] for r = 0 ... m - 1 (you read W as [n, m], rows as features)`;
  }
  if (is({ divide: n }) || is({ divide: n - 1 })) return 'a sum over the other features, not a mean: do not divide by the number of features';
  return 'interference_i = sum over j != i of (W^_i . W_j)^2, with W^_i = W_i / ||W_i|| the unit vector of column i (0 for a zero column)';
}

/** Columns at angles 2 pi k / count, scaled by `length`: [2, count] row-major. */
function polygon(count: number, length = 1): Float32Array {
  const angles = Array.from({ length: count }, (_, k) => (2 * Math.PI * k) / count);
  return Float32Array.from([...angles.map((a) => length * Math.cos(a)), ...angles.map((a) => length * Math.sin(a))]);
}

/** The toy model's interference, against the kit's (toy/analysis.ts). */
export function interference(fn: InterferenceFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(1515);
  const make = (name: string, inputs: string, w: Float32Array, m: number, n: number): Case => ({
    name,
    inputs: `${inputs}; W ${m}x${n}`,
    run(): Failure | null {
      const want = Array.from(kitInterference(matrixOf(w, m, n)));
      const input = Float32Array.from(w);
      const call = callPlain(() => fn(input, m, n));
      const got = call.returned;
      if (!allClose(input, w, EXACT)) {
        return { expected: 'w left as it was', got: 'w changed by your function',
          hint: 'normalise into a new array: the caller\'s W is the model\'s weights, used again after your call' };
      }
      if (!isNumberArray(got)) {
        const hint = call.values !== null ? 'return plain numbers: read the tensor\'s values (arraySync or dataSync) and dispose it'
          : 'return one number per feature (an array of n numbers)';
        return { expected: `${n} numbers`, got: call.description, hint };
      }
      if (allClose(got, want)) return call.leaked > 0 ? leakFailure(call.leaked) : null;
      return arrayFailure(got, want, interferenceHint(got, w, m, n), 'feature');
    },
  });
  const dropped = uniform(rng, 3, 6, -1, 1);
  for (let r = 0; r < 3; r++) dropped[r * 6 + 2] = 0;
  const longShort = uniform(rng, 3, 4, -1, 1).map((v, t) => v * [3, 0.3, 1, 2][t % 4]);
  return runCheck('interference', [
    make('columns worked by hand', 'W_0 = (1, 0), W_1 = (0, 2), W_2 = (0.6, 0.8)', Float32Array.from([1, 0, 0.6, 0, 2, 0.8]), 2, 3),
    make('a pentagon', 'five unit columns 72 degrees apart', polygon(5), 2, 5),
    make('a dropped feature', 'random in (-1, 1), column 2 all 0', dropped, 3, 6),
    make('one hidden dimension', 'W = [1, -1, 0]: an antipodal pair and a dropped feature', Float32Array.from([1, -1, 0]), 1, 3),
    make('a square W', 'random in (-1, 1)', uniform(rng, 4, 4, -1, 1), 4, 4),
    make('long and short columns', 'columns scaled by 3, 0.3, 1 and 2', longShort, 3, 4),
    make('the notebook\'s size', 'random in (-1, 1)', uniform(rng, 5, 20, -1, 1), 5, 20),
  ], options);
}
