/** Checks of Exercise 4's selectivity index (notebook 10) and Exercise 5's keep-top-k codes (notebook 11). */
import { Rng } from '../runtime/random';
import { selectivity as kitSelectivity } from '../exercises/selectivity';
import { keepTopK as kitKeepTopK } from '../exercises/sparsecode';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { EXACT, Failure, allClose, arrayFailure, isNumberArray, leakFailure } from './format';
import { callPlain } from './call';
import { sparseUniform, uniform } from './data';

/** The learner's contrast index per unit, from class means [numClasses, width] row-major. */
export type SelectivityFn = (means: Float64Array, width: number, numClasses: number) => ArrayLike<number>;

/** The learner's Exercise 5 step: each row of codes [n, width] with all but its k largest (by magnitude) entries zeroed. */
export type KeepTopKFn = (codes: Float32Array, width: number, k: number) => Float32Array;

/** Contrast index of each unit, its class means read by `at`, with `rest` computed by `restOf`: for recognising mistakes. */
function contrasts(width: number, classes: number, at: (c: number, j: number) => number,
  restOf: (profile: number[], top: number) => number,
  denominator: (profile: number[], top: number, rest: number) => number = (_p, top, rest) => top + rest): number[] {
  return Array.from({ length: width }, (_, j) => {
    const profile = Array.from({ length: classes }, (_, c) => at(c, j));
    const top = Math.max(...profile);
    const rest = restOf(profile, top);
    const d = denominator(profile, top, rest);
    return d > 0 ? (top - rest) / d : 0;
  });
}

/** Why a wrong contrast index is wrong: the usual mistake it matches, or the rule. */
function selectivityHint(got: ArrayLike<number>, want: number[], means: Float64Array, width: number, classes: number): string {
  const rowMajor = (c: number, j: number) => means[c * width + j];
  const othersMean = (p: number[], top: number) => (p.reduce((a, b) => a + b, 0) - top) / (classes - 1);
  const matches = (at: (c: number, j: number) => number, restOf: (profile: number[], top: number) => number,
    denominator?: (profile: number[], top: number, rest: number) => number) => allClose(got, contrasts(width, classes, at, restOf, denominator));
  if (got.length !== want.length) return 'one index per unit';
  if (Array.from(got).some((v) => Number.isNaN(v))) return 'a unit whose class means are all 0 gives 0 / 0: define its index as 0';
  if (matches(rowMajor, (p) => p.reduce((a, b) => a + b, 0) / classes)) return 'rest is the mean of the other classes, without the preferred one';
  if (matches(rowMajor, (p, top) => p.reduce((a, b) => a + b, 0) - top)) return 'rest is the mean of the other classes, not their sum';
  if (matches((c, j) => means[j * classes + c], othersMean)) return 'means is [numClasses, units] row-major: class c, unit j is means[c * units + j]';
  if (matches(rowMajor, othersMean, (p) => p.reduce((a, b) => a + b, 0))) {
    return 'the denominator is top + rest (the preferred class\'s mean plus the mean of the others), not the sum of every class mean';
  }
  if (matches(rowMajor, othersMean, (_p, _top, rest) => rest)) return 'the denominator is top + rest, not rest alone';
  if (matches(rowMajor, (p) => [...p].sort((a, b) => b - a)[1])) return 'rest is the mean of all the other classes, not the runner-up class';
  if (classes !== 10 && matches(rowMajor, (p, top) => (p.reduce((a, b) => a + b, 0) - top) / 9)) {
    return `rest is the mean of the other numClasses - 1 classes; this case has ${classes} classes, not 10`;
  }
  if (matches(rowMajor, (p, top) => {
    const others = p.filter((v) => v !== top);
    return others.length ? others.reduce((a, b) => a + b, 0) / others.length : 0;
  })) {
    return 'leave the preferred class out once: when another class ties with the top, it still counts among the other classes';
  }
  return 'contrast = (top - rest) / (top + rest): top is the largest class mean of the unit, rest the mean of the other classes; 0 when top + rest = 0';
}

/** Exercise 4's contrast index, against the kit's selectivity(). */
export function selectivity(fn: SelectivityFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(606);
  const make = (name: string, inputs: string, means: Float64Array, width: number, classes: number): Case => ({
    name,
    inputs: `${inputs}: means ${classes}x${width} (class x unit)`,
    run(): Failure | null {
      const want = kitSelectivity(means, width, classes).map((u) => u.index);
      const call = callPlain(() => fn(Float64Array.from(means), width, classes));
      const got = call.returned;
      if (!isNumberArray(got)) return { expected: `${width} indices`, got: call.description, hint: 'return one contrast index per unit (an array of numbers)' };
      if (allClose(got, want)) return call.leaked > 0 ? leakFailure(call.leaked) : null;
      return arrayFailure(got, want, selectivityHint(got, want, means, width, classes), 'unit');
    },
  });
  const handMade = new Float64Array(10 * 3);
  handMade[3 * 3 + 0] = 0.8; // unit 0 answers digit 3 only
  for (let c = 0; c < 10; c++) handMade[c * 3 + 1] = 0.2; // unit 1: flat
  for (let c = 0; c < 10; c++) handMade[c * 3 + 2] = 0.05 * (c + 1); // unit 2: a ramp
  const withSilent = Float64Array.from(uniform(rng, 10, 4, 0, 0.5));
  for (let c = 0; c < 10; c++) withSilent[c * 4 + 2] = 0;
  return runCheck('selectivity', [
    make('one-class, flat and ramp units', 'hand-made', handMade, 3, 10),
    make('a unit that never responds', 'random, unit 2 all 0', withSilent, 4, 10),
    make('three classes', 'random', Float64Array.from(uniform(rng, 3, 5, 0, 1)), 5, 3),
    make('two classes', 'random', Float64Array.from(uniform(rng, 2, 4, 0, 1)), 4, 2),
    make('a wide latent', 'random', Float64Array.from(uniform(rng, 10, 1024, 0, 0.3)), 1024, 10),
  ], options);
}

/**
 * Whether `got` keeps, in each row, k entries of largest magnitude (any choice among ties), as they
 * were, and zeroes the rest: the kit's keepTopK breaks ties by unit index, a learner need not.
 */
function validTopK(codes: Float32Array, got: ArrayLike<number>, width: number, k: number): boolean {
  if (got.length !== codes.length) return false;
  for (let r = 0; r < codes.length / width; r++) {
    const row = Array.from(codes.subarray(r * width, (r + 1) * width));
    const want = row.map(Math.abs).sort((a, b) => b - a).slice(0, k).filter((v) => v !== 0);
    const kept: number[] = [];
    for (let j = 0; j < width; j++) {
      const v = got[r * width + j];
      if (v === 0) continue;
      if (v !== row[j]) return false;
      kept.push(Math.abs(v));
    }
    kept.sort((a, b) => b - a);
    if (kept.length !== want.length || kept.some((v, i) => v !== want[i])) return false;
  }
  return true;
}

type Rank = 'smallest' | 'by value' | 'whole batch' | 'inverse' | 'as text';

/**
 * Keeps k entries per row (or over the whole batch) chosen by rank, the rest zeroed: the kit's
 * rule and the usual mistakes, for recognising them.
 */
function keepByRank(codes: Float32Array, width: number, k: number, how: Rank): Float32Array {
  const out = new Float32Array(codes.length);
  const pick = (idx: number[], score: (i: number) => number, n: number) => {
    const order = idx.slice().sort((a, b) => score(b) - score(a) || a - b);
    for (const i of order.slice(0, n)) out[i] = codes[i];
  };
  if (how === 'whole batch') {
    pick(Array.from(codes.keys()), (i) => Math.abs(codes[i]), k);
    return out;
  }
  for (let r = 0; r < codes.length / width; r++) {
    const idx = Array.from({ length: width }, (_, j) => r * width + j);
    if (how === 'as text') {
      const order = idx.slice().sort((a, b) => (String(Math.abs(codes[a])) < String(Math.abs(codes[b])) ? 1 : -1));
      for (const i of order.slice(0, k)) out[i] = codes[i];
    } else if (how === 'smallest') pick(idx, (i) => -Math.abs(codes[i]), k);
    else if (how === 'by value') pick(idx, (i) => codes[i], k);
    else pick(idx, (i) => -Math.abs(codes[i]), width - k);
  }
  return out;
}

/** True when sorting the magnitudes of some row as text gives another order than sorting them as numbers. */
function textSortMatters(codes: Float32Array): boolean {
  const mags = Array.from(codes, Math.abs);
  const asText = mags.slice().sort();
  const asNumbers = mags.slice().sort((a, b) => a - b);
  return asText.some((v, i) => v !== asNumbers[i]);
}

/** Why a wrong keep-top-k is wrong (its input, its codes, were left unchanged): the usual mistake it matches, or the rule. */
function keepTopKHint(got: ArrayLike<number>, codes: Float32Array, width: number, k: number): string {
  const is = (how: Rank) => allClose(got, keepByRank(codes, width, k, how), EXACT);
  if (got.length !== codes.length) return 'return every row, zeros included: an array as long as codes';
  if (k < width && validTopK(codes, got, width, k + 1)) return 'keep exactly k entries per row (you kept k + 1)';
  if (k > 0 && validTopK(codes, got, width, k - 1)) return 'keep exactly k entries per row (you kept k - 1)';
  if (k === 0 && allClose(got, codes, EXACT)) return 'k = 0 keeps nothing; beware that slice(-0) is slice(0), the whole array';
  if (is('inverse')) return 'keep the k largest and zero the others, not the other way round';
  if (is('smallest')) return 'keep the k largest entries (you kept the smallest)';
  if (is('as text')) {
    return 'JavaScript\'s default .sort() compares numbers as text ("100" < "20" < "3" < "9", and 2^-20 as "9.5367431640625e-7"): give sort a comparator, (a, b) => b - a';
  }
  if (textSortMatters(codes)) {
    return 'the earlier cases\' magnitudes were below 1; these go from 1e-7 to 100. If you sort, JavaScript\'s default .sort() compares numbers as text ' +
      '("100" before "9"): give sort a comparator, (a, b) => b - a';
  }
  if (codes.length > width && is('whole batch')) return 'each row (each image\'s code) keeps its own k largest, not k over the whole batch';
  if (is('by value')) return 'rank the entries by magnitude |h|, so a large negative entry counts as large';
  const most = Math.max(...Array.from({ length: codes.length / width }, (_, r) => Array.from(got).slice(r * width, (r + 1) * width).filter((v) => v !== 0).length));
  if (most > k) return `keep at most k = ${k} entries per row and zero the others (a row of yours keeps ${most})`;
  return 'in each row keep the k entries of largest magnitude as they are and set every other entry to 0';
}

/** Exercise 5's keep-top-k, against the kit's keepTopK. */
export function keepTopK(fn: KeepTopKFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(707);
  const make = (name: string, inputs: string, codes: Float32Array, width: number, k: number): Case => ({
    name,
    inputs: `${inputs}, k ${k}`,
    run(): Failure | null {
      const want = kitKeepTopK(codes, width, k);
      const input = Float32Array.from(codes);
      const call = callPlain(() => fn(input, width, k));
      const got = call.returned;
      if (!allClose(input, codes, EXACT)) {
        return { expected: 'codes left as they were', got: 'codes changed by your function', hint: 'return a new array and leave codes unchanged: the curve decodes the same codes for every k' };
      }
      if (!isNumberArray(got)) return { expected: `${codes.length} values`, got: call.description, hint: 'return a Float32Array shaped like codes' };
      if (validTopK(codes, got, width, k)) return call.leaked > 0 ? leakFailure(call.leaked) : null;
      return arrayFailure(got, want, keepTopKHint(got, codes, width, k));
    },
  });
  const ties = Float32Array.from([0.5, 0.2, 0.5, 0.5, 0.1, 0]);
  // Magnitudes that sort differently as text ("9" > "3" > "20" > "100"; 2^-20 prints as 9.5367431640625e-7),
  // all exact in float32, so a float32 copy prints the same digits.
  const magnitudes = Float32Array.from([100, 9, -20, 3, 0.5, 0.25, 2 ** -23, -0.75, 2 ** -20, 12, 0.0625, -5]);
  return runCheck('keepTopK', [
    make('three rows', 'codes 3x8 in (0, 1)', uniform(rng, 3, 8, 0, 1), 8, 3),
    make('k = 0', 'codes 2x5', uniform(rng, 2, 5, 0, 1), 5, 0),
    make('k = all units', 'codes 2x5', uniform(rng, 2, 5, 0, 1), 5, 5),
    make('negative entries', 'codes 2x6 in (-1, 1)', uniform(rng, 2, 6, -1, 1), 6, 2),
    make('a single row', 'codes 1x10 with zeros', sparseUniform(rng, 1, 10, 0.3), 10, 4),
    make('ties', 'codes 1x6 = [0.5, 0.2, 0.5, 0.5, 0.1, 0]', ties, 6, 2),
    make('magnitudes from 1e-7 to 100', 'codes 2x6 = [100, 9, -20, 3, 0.5, 0.25], [2^-23, -0.75, 2^-20, 12, 0.0625, -5]', magnitudes, 6, 3),
    make('a wide latent', 'codes 2x1024 in (0, 1)', uniform(rng, 2, 1024, 0, 1), 1024, 16),
  ], options);
}
