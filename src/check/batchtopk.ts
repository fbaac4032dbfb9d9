/**
 * Check of notebook 17's BatchTopK task: the training code of a BatchTopK SAE, relu(z) kept at
 * the batch's k·B largest entries (B the batch's count of rows) and 0 elsewhere; every entry equal
 * to the (k·B)-th largest is kept too, so a batch with ties keeps more than k·B, and an entry <= 0
 * is never kept (interp/activations/batchtopk.ts `batchTopK`). A table of independent cases, and
 * the usual mistakes as variants of the rule, for recognising them (CONTRIBUTING rule 4's exception).
 */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { floatsOf } from '../runtime/values';
import { batchTopK as kitBatchTopK } from '../interp/activations/batchtopk';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { Failure, allClose, arrayFailure, disposedInputFailure, leakFailure } from './format';
import { callLearner } from './call';
import { uniform } from './data';

/** The learner's BatchTopK code: pre-activations z [batch, n], k -> codes [batch, n], k·batch kept over the whole batch. */
export type BatchTopKFn = (z: tf.Tensor2D, k: number) => tf.Tensor2D;

/** A way to keep entries, right or wrong, for recognising a learner's answer. */
interface Rule {
  /** rank the whole batch together (right) or each row on its own (TopK's rule) */
  group?: 'batch' | 'row';
  /** how many to keep in a group: k·B over the batch (right), or k */
  count?: 'kB' | 'k';
  /** rank by value (right) or by |z| */
  score?: 'value' | 'magnitude';
  /** keep >= the cut-off (right: ties kept) or only > it */
  strict?: boolean;
  /** apply ReLU to the kept values (right) */
  relu?: boolean;
  /** return the code (right) or the 0/1 mask of the kept entries */
  mask?: boolean;
}

function byRule(z: Float32Array, rows: number, n: number, k: number, r: Rule): Float32Array {
  const out = new Float32Array(z.length);
  const score = r.score === 'magnitude' ? (v: number) => Math.abs(v) : (v: number) => v;
  const byRow = r.group === 'row';
  const groups = byRow ? Array.from({ length: rows }, (_, i) => Array.from({ length: n }, (_, j) => i * n + j)) : [Array.from(z.keys())];
  const keep = byRow || r.count === 'k' ? k : k * rows;
  for (const idx of groups) {
    const cut = idx.map((i) => score(z[i])).sort((a, b) => b - a)[Math.min(keep, idx.length) - 1];
    for (const i of idx) {
      const s = score(z[i]);
      if (!(r.strict ? s > cut : s >= cut)) continue;
      const v = r.relu === false ? z[i] : Math.max(z[i], 0);
      out[i] = r.mask ? (v > 0 ? 1 : 0) : v;
    }
  }
  return out;
}

const MISTAKES: [Rule, string][] = [
  [{ group: 'row' }, 'that is TopK (k per row); BatchTopK ranks the whole batch together and keeps its k·B largest entries, ' +
    'so a row keeps as many as it wins (flatten z to one row of B·n values first)'],
  [{ count: 'k' }, 'keep k·B entries (k times the batch\'s count of rows), not k: k is the mean number of latents per input'],
  [{ relu: false }, 'apply ReLU: an entry <= 0 is never kept, so when fewer than k·B pre-activations are positive the batch keeps fewer than k·B'],
  [{ group: 'row', relu: false }, 'that is TopK without ReLU (k per row); BatchTopK ranks the whole batch together, keeps its k·B largest, and applies ReLU'],
  [{ score: 'magnitude' }, 'rank by value, not by magnitude: a large negative pre-activation is not kept'],
  [{ strict: true }, 'keep every entry >= the (k·B)-th largest value: with > the (k·B)-th itself (and its ties) is dropped'],
  [{ mask: true }, 'return the code, relu(z) at the kept entries and 0 elsewhere, not the 0/1 mask of the kept entries'],
];

const FALLBACK = 'keep relu(z) where z is >= the (k·B)-th largest entry of the whole batch (B = the number of rows; ties kept), 0 elsewhere';

const nonZeros = (a: ArrayLike<number>) => Array.from(a).filter((v) => v !== 0).length;

/** Why a wrong code is wrong: a usual mistake it matches, or the rule. */
function diagnose(got: Float32Array, want: Float32Array, z: Float32Array, rows: number, n: number, k: number): string {
  const named = MISTAKES.find(([r]) => {
    const v = byRule(z, rows, n, k, r);
    return allClose(got, v) && !allClose(v, want);
  });
  if (named) return named[1];
  // tf.topk's indices: exactly k·B kept, whichever of the tied entries its kernel returns.
  const kept = nonZeros(got);
  const subset = Array.from(got).every((v, i) => v === 0 || v === want[i]);
  if (subset && kept === Math.min(k * rows, nonZeros(want.map((v) => (v > 0 ? 1 : 0)))) && kept < nonZeros(want)) {
    return `ties: the kit keeps every entry equal to the (k·B)-th largest value, so this batch keeps ${nonZeros(want)}, ` +
      `more than k·B = ${k * rows} (you kept exactly ${kept}): compare z with the (k·B)-th value (>=) rather than keeping tf.topk's k·B indices`;
  }
  return `${FALLBACK}; here the kit keeps ${nonZeros(want)} entries, you kept ${kept}`;
}

/** The BatchTopK training code, against the kit's batchTopK (interp/activations/batchtopk.ts). */
export function batchTopK(fn: BatchTopKFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(1701);
  const make = (name: string, inputs: string, z: Float32Array, rows: number, n: number, k: number): Case => ({
    name,
    inputs: `${inputs}; z ${rows}x${n}, k ${k} (k·B = ${k * rows})`,
    run(): Failure | null {
      const want = floatsOf(() => kitBatchTopK(tf.tensor2d(z, [rows, n]), k));
      const res = callLearner(() => [tf.tensor2d(z, [rows, n])], ([t]) => fn(t as tf.Tensor2D, k), ['z']);
      if (res.values === null) return { expected: `a tensor [${rows}, ${n}]`, got: res.description, hint: 'return the code as a tensor shaped like z' };
      if (res.shape.length !== 2 || res.shape[0] !== rows || res.shape[1] !== n) {
        const flat = res.shape.length <= 2 && res.shape.reduce((a, b) => a * b, 1) === rows * n;
        return {
          expected: `shape [${rows}, ${n}]`,
          got: `shape [${res.shape}]`,
          hint: flat ? 'reshape the code back to z\'s shape [batch, n] after working on the flattened batch'
            : res.values.length === k * rows ? 'tf.topk gives the k·B values; the code is shaped like z, 0 except at the kept entries'
              : 'the code has the shape of z: one row per input, one entry per latent',
        };
      }
      const got = res.values;
      if (!allClose(got, want)) return arrayFailure(got, want, diagnose(got, want, z, rows, n, k));
      if (res.disposed.length > 0) return disposedInputFailure('z');
      if (res.leaked > 0) return leakFailure(res.leaked);
      return null;
    },
  });
  // Two positive entries for k·B = 6: ReLU decides what is kept.
  const fewPositive = Float32Array.from([-0.4, 0.7, -1.2, -0.1, -0.9, -0.3, -0.6, -0.2, 0.35, -0.8, -1.5, -0.05]);
  // Multiples of 1/4: the 8th largest (k·B = 2·4) is 0.5, held by four entries, so 11 are kept.
  const quarters = Float32Array.from([1, 0.5, -0.25, 0.75, 0.5, 0, 0.25, 1.25, 0.5, -0.5, 0.75, 0.25, 0.5, 1, -1, 0.75, 0.25, 0, 1.5, -0.75]);
  return runCheck('batchTopK', [
    make('three rows', 'z in (-1, 1), rows keep different counts', uniform(rng, 3, 8, -1, 1), 3, 8, 2),
    make('k = 1', 'z in (-1, 1)', uniform(rng, 4, 6, -1, 1), 4, 6, 1),
    make('fewer than k·B positive', 'only 2 entries of z are > 0', fewPositive, 2, 6, 3),
    make('ties at the cut-off', 'z = [[3, 2, 2], [2, 1, 0]]: the 2nd largest, 2, is tied three times, so 4 are kept',
      Float32Array.from([3, 2, 2, 2, 1, 0]), 2, 3, 1),
    make('many ties', 'z in multiples of 0.25: the 8th largest, 0.5, is held by four entries, so 11 are kept', quarters, 4, 5, 2),
    make('a single row', 'B = 1: the same as TopK', uniform(rng, 1, 10, -1, 1), 1, 10, 3),
    make('k = every latent', 'k = n: every positive entry kept', uniform(rng, 2, 5, -1, 1), 2, 5, 5),
    make('the notebook\'s size', 'z in (-1, 1)', uniform(rng, 32, 256, -1, 1), 32, 256, 8),
  ], options);
}
