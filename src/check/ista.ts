/**
 * Check of notebook 16's ISTA task: one proximal-gradient step for the lasso
 * min_c 1/2 |x - D^T c|^2 + lambda |c|_1, c <- soft(c - step * D (D^T c - x), step * lambda), with
 * soft(v, t) = sign(v) max(|v| - t, 0) and D the atoms as rows [count, dim] (truth/ista.ts
 * `istaStep`). A table of independent cases, and the usual mistakes as variants of the step, for
 * recognising them (CONTRIBUTING rule 4's exception).
 */
import { Rng } from '../runtime/random';
import { standardNormal } from '../truth/gaussian';
import { gramOf, ista, istaStep as kitIstaStep, largestEigenvalue } from '../truth/ista';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { EXACT, Failure, allClose, arrayFailure, isNumberArray, leakFailure, num } from './format';
import { callPlain } from './call';

/** The learner's ISTA step: code [count], atoms [count, dim] (rows), signal [dim] -> the new code [count]. */
export type IstaStepFn = (code: Float64Array, atoms: Float64Array, signal: Float64Array, dim: number, lambda: number,
  step: number) => ArrayLike<number>;

/** A way to take the step, right or wrong, for recognising a learner's answer. */
interface Step {
  /** read the atoms as the columns of [dim, count] instead of the rows of [count, dim] */
  columns?: boolean;
  /** what the gradient is: D (D^T c - x) (right), D D^T c (the signal left out), -D x (the code left out) */
  gradient?: 'right' | 'no signal' | 'no code';
  /** c - step g (right), c + step g, c - g */
  move?: 'right' | 'uphill' | 'no step';
  /** what the threshold is: step * lambda (right), lambda, 0 */
  threshold?: 'right' | 'lambda' | 'none';
  prox?: 'soft' | 'non-negative' | 'no clip' | 'hard';
}

function byStep(c: Float64Array, atoms: Float64Array, x: Float64Array, dim: number, lambda: number, step: number, s: Step): number[] {
  const count = c.length;
  const at = (j: number, t: number) => (s.columns ? atoms[t * count + j] : atoms[j * dim + t]);
  const gradient = s.gradient ?? 'right';
  const r = Array.from({ length: dim }, (_, t) => {
    let v = gradient === 'no signal' ? 0 : -x[t];
    if (gradient !== 'no code') for (let j = 0; j < count; j++) v += c[j] * at(j, t);
    return v;
  });
  const t = { right: step * lambda, lambda, none: 0 }[s.threshold ?? 'right'];
  return Array.from({ length: count }, (_, j) => {
    let g = 0;
    for (let k = 0; k < dim; k++) g += at(j, k) * r[k];
    const v = { right: c[j] - step * g, uphill: c[j] + step * g, 'no step': c[j] - g }[s.move ?? 'right'];
    switch (s.prox ?? 'soft') {
      case 'non-negative': return Math.max(v - t, 0);
      case 'no clip': return v - Math.sign(v) * t;
      case 'hard': return Math.abs(v) > t ? v : 0;
      default: return Math.sign(v) * Math.max(Math.abs(v) - t, 0);
    }
  });
}

const MISTAKES: [Step, string][] = [
  [{ threshold: 'lambda' }, 'shrink by step * lambda, not lambda: the gradient step of size step is followed by the prox of step * lambda |c|_1'],
  [{ threshold: 'none' }, 'apply the soft threshold after the gradient step: shrink every entry toward 0 by step * lambda (entries within it become 0)'],
  [{ move: 'uphill' }, 'step against the gradient: c - step * D (D^T c - x); the gradient of 1/2 |x - D^T c|^2 is D (D^T c - x)'],
  [{ move: 'no step' }, 'multiply the gradient by step: c - step * D (D^T c - x)'],
  [{ columns: true }, 'atoms is [count, dim] row-major: atom j is atoms[j * dim] ... atoms[j * dim + dim - 1], and D^T c = sum over j of c_j atom_j ' +
    '(you read the atoms as the columns of a [dim, count] matrix)'],
  [{ prox: 'non-negative' }, 'this lasso is signed: soft(v, t) = sign(v) max(|v| - t, 0) keeps a negative entry, shrunk toward 0; ' +
    'max(v - t, 0) is the non-negative lasso\'s step'],
  [{ prox: 'no clip' }, 'clip at 0: soft(v, t) is 0 where |v| <= t; sign(v) (|v| - t) alone pushes a small entry past zero to the other sign'],
  [{ prox: 'hard' }, 'that is hard thresholding: the entries that survive shrink by t too, sign(v) max(|v| - t, 0)'],
  [{ gradient: 'no signal' }, 'the gradient is D (D^T c - x): subtract the signal x from the reconstruction D^T c before multiplying by D'],
  [{ gradient: 'no code' }, 'the gradient is D (D^T c - x), with the reconstruction D^T c of the current code, not -D x alone'],
];

const FALLBACK = 'the new code is soft(c - step * D (D^T c - x), step * lambda) entrywise, soft(v, t) = sign(v) max(|v| - t, 0), ' +
  'D the atoms as rows [count, dim]';

/** One ISTA step, against the kit's istaStep (truth/ista.ts). */
export function istaStep(fn: IstaStepFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(1619);
  const make = (name: string, inputs: string, code: Float64Array, atoms: Float64Array, x: Float64Array, dim: number,
    lambda: number, step: number): Case => ({
    name,
    inputs: `${inputs}; ${code.length} atoms of dim ${dim}, lambda ${num(lambda)}, step ${num(step)}`,
    run(): Failure | null {
      const want = kitIstaStep(code, atoms, x, dim, lambda, step);
      const ins = [Float64Array.from(code), Float64Array.from(atoms), Float64Array.from(x)];
      const call = callPlain(() => fn(ins[0], ins[1], ins[2], dim, lambda, step));
      const got = call.returned;
      const changed = ['code', 'atoms', 'signal'].filter((_, i) => !allClose(ins[i], [code, atoms, x][i], EXACT));
      if (changed.length > 0) {
        const what = changed.join(' and ');
        return { expected: `${what} left as ${changed.length > 1 ? 'they were' : 'it was'}`, got: `${what} changed by your function`,
          hint: 'write the new code into a new array: the caller keeps the old code (FISTA needs both), the atoms and the signal' };
      }
      if (!isNumberArray(got)) {
        const hint = call.values !== null ? 'return plain numbers: read the tensor\'s values (dataSync) and dispose it'
          : 'return the new code: one number per atom (a Float64Array or an array of numbers)';
        return { expected: `${code.length} numbers`, got: call.description, hint };
      }
      if (allClose(got, want)) return call.leaked > 0 ? leakFailure(call.leaked) : null;
      if (got.length !== want.length) {
        return { expected: `${want.length} values`, got: `${got.length} values`,
          hint: got.length === dim ? `one coefficient per atom: count = ${code.length} values, not dim = ${dim}` : `one coefficient per atom: ${code.length} values` };
      }
      let hint = FALLBACK;
      if (Array.from(got).some((v) => Number.isNaN(v))) {
        hint = 'NaN: an index past an array\'s end reads undefined. atoms is [count, dim] row-major (atom j at atoms[j * dim + t]), the signal has dim values';
      } else {
        const named = MISTAKES.find(([s]) => {
          const v = byStep(code, atoms, x, dim, lambda, step, s);
          return allClose(got, v) && !allClose(v, want);
        });
        if (named) hint = named[1];
      }
      return arrayFailure(got, want, hint, 'atom');
    },
  });
  const gauss = (n: number) => Float64Array.from({ length: n }, () => standardNormal(rng));
  const unitRows = (count: number, dim: number) => {
    const a = gauss(count * dim);
    for (let j = 0; j < count; j++) {
      const norm = Math.hypot(...a.subarray(j * dim, (j + 1) * dim));
      for (let t = 0; t < dim; t++) a[j * dim + t] /= norm;
    }
    return a;
  };
  const over = unitRows(5, 3);
  const square = gauss(16);
  const tall = unitRows(4, 6);
  // The notebook's size: 32 unit atoms in 16 dimensions, a 3-sparse signal, step 1 / L, a code three steps in.
  const big = unitRows(32, 16);
  const bigX = new Float64Array(16);
  [[3, 1.5], [11, -1.2], [27, 0.8]].forEach(([j, c]) => { for (let t = 0; t < 16; t++) bigX[t] += c * big[j * 16 + t]; });
  const bigStep = 1 / largestEigenvalue(gramOf(big, 32, 16), 32);
  const bigCode = ista(big, bigX, 16, 0.2, 3, bigStep);
  return runCheck('istaStep', [
    make('worked by hand', 'atoms (1, 0), (0, 1), (0.6, 0.8); x = (2, -1); c = (1, 0, 0.5): new code (1.15, -0.5, 0)', Float64Array.from([1, 0, 0.5]),
      Float64Array.from([1, 0, 0, 1, 0.6, 0.8]), Float64Array.from([2, -1]), 2, 0.4, 0.5),
    make('from a non-zero code', 'unit atoms, c and x Gaussian', gauss(5), over, gauss(3), 3, 0.1, 0.3),
    make('a square dictionary', 'Gaussian atoms (count = dim), c and x Gaussian', gauss(4), square, gauss(4), 4, 0.05, 0.1),
    make('lambda 0: a plain gradient step', 'unit atoms, c and x Gaussian', gauss(4), tall, gauss(6), 6, 0, 0.4),
    make('a large lambda', 'every entry shrinks to 0', gauss(5), over, gauss(3), 3, 10, 0.5),
    make('the notebook\'s size', 'x = 1.5 a_3 - 1.2 a_11 + 0.8 a_27, c after three ISTA steps, step 1 / L', bigCode, big, bigX, 16, 0.2, bigStep),
  ], options, istaErrorHint);
}

/** A hint for tfjs's errors that the usual mistakes raise. */
function istaErrorHint(err: unknown): string | null {
  const message = err instanceof Error ? err.message : '';
  if (/requires values to be/.test(message)) {
    return 'tf tensors hold float32 and do not take a Float64Array: convert first (Float32Array.from(atoms)), or compute with loops';
  }
  // wasm names the shapes; TensorFlow (tfjs-node) reports a mismatch as status 3, InvalidArgument
  if (/matMul|inner shapes|broadcast|Incompatible shapes|TF_Status: 3/i.test(message)) {
    return 'with D = atoms as a [count, dim] tensor and c as [1, count]: D^T c is matMul(c, D), [1, dim]; D r is matMul(r, D, false, true), [1, count]';
  }
  return null;
}
