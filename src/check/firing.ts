/**
 * Check of notebook 16's firing task: one latent's precision and recall of firing against its
 * matched true feature, over the samples (recovery-codes.ts `firingScores`, on a one-latent,
 * one-feature RecoveryData). A latent fires where its code is > threshold, a feature where its
 * coefficient is > 0; precision TP / (TP + FP), recall TP / (TP + FN), NaN where the denominator is
 * 0. A table of independent cases, so it runs past ~50 lines (CONTRIBUTING rule 4's exception).
 */
import { Rng } from '../runtime/random';
import { firingScores } from '../truth/recovery-codes';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { EXACT, Failure, allClose, close, leakFailure, list, num } from './format';
import { callPlain } from './call';

/** Precision and recall of one latent's firing against its feature's. */
export interface FiringNumbers {
  precision: number;
  recall: number;
}

/** The learner's firing scores: one latent's codes and its feature's coefficients on the same samples [count]. */
export type FiringFn = (latentCode: Float32Array, featureCoef: Float32Array, threshold: number) => FiringNumbers;

/** The kit's: firingScores on one latent (decoder row [1]) matched to one feature ([1]), d = 1. */
function kitFiring(code: Float32Array, coef: Float32Array, threshold: number): FiringNumbers {
  const s = firingScores({ decoderRows: [1], features: [1], d: 1, codes: code, coefficients: coef, threshold }, Int32Array.of(0));
  return { precision: s.precision[0], recall: s.recall[0] };
}

/** Equal, NaN equal to NaN (the kit's "not defined"). */
const same = (got: unknown, want: number) => typeof got === 'number' && (Number.isNaN(want) ? Number.isNaN(got) : close(got, want));

/** A way to count, right or wrong, for recognising a learner's answer. */
interface Rule {
  latent?: '>' | '>=' | 'non-zero' | '|code| >';
  feature?: '> 0' | 'non-zero' | '> threshold';
  /** 'swapped': precision and recall exchanged; 'accuracy': (TP + TN) / count for both; 'of all': TP / count */
  score?: 'right' | 'swapped' | 'accuracy' | 'of all' | 'zero not NaN';
}

function byRule(code: Float32Array, coef: Float32Array, t: number, r: Rule): FiringNumbers {
  let [tp, fp, fn, tn] = [0, 0, 0, 0];
  for (let s = 0; s < code.length; s++) {
    const c = code[s];
    const l = { '>': c > t, '>=': c >= t, 'non-zero': c !== 0, '|code| >': Math.abs(c) > t }[r.latent ?? '>'];
    const f = { '> 0': coef[s] > 0, 'non-zero': coef[s] !== 0, '> threshold': coef[s] > t }[r.feature ?? '> 0'];
    if (l && f) tp += 1;
    else if (l) fp += 1;
    else if (f) fn += 1;
    else tn += 1;
  }
  const [p, rc] = [tp / (tp + fp), tp / (tp + fn)];
  switch (r.score ?? 'right') {
    case 'swapped': return { precision: rc, recall: p };
    case 'accuracy': return { precision: (tp + tn) / code.length, recall: (tp + tn) / code.length };
    case 'of all': return { precision: tp / code.length, recall: tp / code.length };
    case 'zero not NaN': return { precision: tp + fp > 0 ? p : 0, recall: tp + fn > 0 ? rc : 0 };
    default: return { precision: p, recall: rc };
  }
}

const MISTAKES: [Rule, string][] = [
  [{ score: 'swapped' }, 'precision and recall are swapped: precision is TP / (TP + FP), the share of the latent\'s firings where the feature fires; ' +
    'recall TP / (TP + FN), the share of the feature\'s firings that the latent catches'],
  [{ score: 'zero not NaN' }, 'a latent that never fires has no precision (TP + FP = 0), a feature that never fires no recall (TP + FN = 0): ' +
    'return NaN there (0 / 0 gives it), as the kit does, not 0'],
  [{ latent: '>=' }, 'a latent fires where its code is strictly above the threshold (>): a code equal to the threshold is silent'],
  [{ latent: '|code| >' }, 'a latent fires where its code itself is > threshold: a negative code does not fire, whatever its size'],
  [{ latent: 'non-zero' }, 'use the threshold: a latent fires where its code is > threshold, not wherever it is non-zero (a sigmoid code is never 0)'],
  [{ feature: 'non-zero' }, 'a feature fires where its coefficient is > 0: a negative or zero coefficient does not count'],
  [{ feature: '> threshold' }, 'the threshold is the latent\'s: a feature fires wherever its coefficient is > 0, however small'],
  [{ latent: '>=', feature: 'non-zero' }, 'a latent fires where its code is > threshold (strictly), a feature where its coefficient is > 0'],
  [{ score: 'accuracy' }, 'that is the accuracy (TP + TN) / count; precision divides TP by the latent\'s firings (TP + FP), recall by the feature\'s (TP + FN)'],
  [{ score: 'of all' }, 'divide TP by the latent\'s firings (TP + FP) for precision and by the feature\'s firings (TP + FN) for recall, not by the number of samples'],
];

const FALLBACK = 'count over the samples TP (both fire), FP (the latent fires alone), FN (the feature fires alone); ' +
  'precision = TP / (TP + FP), recall = TP / (TP + FN), NaN when the denominator is 0';

const show = (v: { precision: unknown; recall: unknown }) => `{ precision: ${num(v.precision)}, recall: ${num(v.recall)} }`;

/** One latent's precision and recall of firing, against the kit's firingScores (truth/recovery-codes.ts). */
export function firing(fn: FiringFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(1618);
  const make = (name: string, inputs: string, code: Float32Array, coef: Float32Array, threshold: number): Case => ({
    name,
    inputs: `${inputs}; ${code.length} samples, threshold ${threshold}; code ${list(code)}, coefficients ${list(coef)}`,
    run(): Failure | null {
      const want = kitFiring(code, coef, threshold);
      const [codeIn, coefIn] = [Float32Array.from(code), Float32Array.from(coef)];
      const call = callPlain(() => fn(codeIn, coefIn, threshold));
      const got = call.returned as unknown;
      if (!allClose(codeIn, code, EXACT) || !allClose(coefIn, coef, EXACT)) {
        return { expected: 'the codes and coefficients left as they were', got: 'an input changed by your function',
          hint: 'count without writing into latentCode or featureCoef: the caller uses them again' };
      }
      const fields = got !== null && typeof got === 'object' ? (got as Record<string, unknown>) : null;
      if (!fields || typeof fields.precision !== 'number' || typeof fields.recall !== 'number') {
        const hint = Array.isArray(got) ? 'return an object with two fields, { precision, recall }, not an array'
          : 'return { precision, recall }: an object with two number fields of those names';
        return { expected: show(want), got: call.description, hint };
      }
      const answer = { precision: fields.precision, recall: fields.recall };
      if (same(answer.precision, want.precision) && same(answer.recall, want.recall)) return call.leaked > 0 ? leakFailure(call.leaked) : null;
      const named = MISTAKES.find(([r]) => {
        const v = byRule(code, coef, threshold, r);
        const right = same(v.precision, want.precision) && same(v.recall, want.recall);
        return !right && same(answer.precision, v.precision) && same(answer.recall, v.recall);
      });
      let hint = named ? named[1] : FALLBACK;
      const nanFor = (g: number, w: number) => Number.isNaN(g) && !Number.isNaN(w);
      if (!named && (nanFor(answer.precision, want.precision) || nanFor(answer.recall, want.recall))) {
        hint = `NaN where the kit has a number: only a zero denominator gives NaN (here TP + FP and TP + FN are not 0). ${FALLBACK}`;
      }
      return { expected: show(want), got: show(answer), hint };
    },
  });
  // A ReLU latent against its feature: TP, FP and FN all present, precision != recall.
  const reluCode = Float32Array.from([0.9, 0, 0.4, 0, 0.7, 0, 0, 0.2, 0, 1.1, 0, 0]);
  const reluCoef = Float32Array.from([1.2, 0, 0, 1.5, 1.1, 0, 1.3, 0.8, 0, 1.6, 1.4, 0]);
  // Codes exactly at the threshold 0.25 (a float32 value), and below and above it; two coefficients below it still fire.
  const atCode = Float32Array.from([0.25, 0.5, 0.25, 0, 0.75, 0.25, 0.1, 0.3]);
  const atCoef = Float32Array.from([1, 1, 0, 0.2, 0, 1, 0, 0.1]);
  // A sigmoid latent: never 0, fires above 0.1.
  const sigCoef = Float32Array.from({ length: 20 }, () => (rng.next() < 0.4 ? 1 + rng.next() : 0));
  const sigCode = sigCoef.map((c) => (c > 0 ? rng.uniform(0.05, 0.9) : rng.uniform(0.01, 0.3)));
  // Signed codes and coefficients (a lasso or OMP code, a signed truth).
  const signedCode = Float32Array.from([0.6, -0.8, 0, -0.3, 0.5, -1.2, 0.4, 0]);
  const signedCoef = Float32Array.from([1, -1, -0.5, 1, 0, 1, -0.7, 1]);
  // The notebook's size: 500 samples, a latent that mostly follows its feature.
  const bigCoef = Float32Array.from({ length: 500 }, () => (rng.next() < 0.1 ? 1 + rng.next() : 0));
  const bigCode = bigCoef.map((c) => Math.max(0, (c > 0 ? rng.uniform(-0.3, 1.5) : rng.uniform(-2, 0.4))));
  return runCheck('firing', [
    make('a ReLU latent', 'threshold 0: TP 4, FP 1, FN 3', reluCode, reluCoef, 0),
    make('codes exactly at the threshold', 'three codes equal to 0.25, two coefficients below it', atCode, atCoef, 0.25),
    make('a sigmoid latent', 'codes in (0.01, 0.9), never 0', sigCode, sigCoef, 0.1),
    make('a latent that never fires', 'every code <= 0', Float32Array.from([0, -0.2, 0, 0, 0, 0]), Float32Array.from([0, 1.3, 0, 1, 0, 0]), 0),
    make('a feature that never fires', 'every coefficient 0', Float32Array.from([0, 0.4, 0, 0.9, 0]), new Float32Array(5), 0),
    make('signed codes and coefficients', 'negative codes and coefficients do not fire', signedCode, signedCoef, 0),
    make('a perfect latent', 'fires exactly where its feature does', Float32Array.from(reluCoef, (c) => c * 0.8), reluCoef, 0),
    make('the notebook\'s size', 'ReLU codes that mostly follow the feature', bigCode, bigCoef, 0),
  ], options);
}
