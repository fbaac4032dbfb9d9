/**
 * What every check shares: run the learner's function on a list of cases, stop at the first case
 * it gets wrong, print one line (stdout only: nbgrader scores a cell that wrote to stderr as
 * failed), and return the result. A check shows inputs, the kit's answer and the learner's, and a
 * hint about the usual mistake; it never shows how the kit computes its answer.
 */
import * as util from 'util';
import * as tf from '../runtime/tf';
import { NotImplemented, isNotImplemented, oneLine } from './notimplemented';

/** Why a case failed: the kit's answer, the learner's, and a hint aimed at the likely mistake. */
export interface Failure {
  expected: string;
  got: string;
  hint: string;
}

/** One input the learner's function is tried on. `run` returns null when the answer is right. */
export interface Case {
  /** short name, quoted in the failure line ("all-zero codes") */
  name: string;
  /** the inputs in words ("h 4x3 of zeros, rho 0.05") */
  inputs: string;
  run(): Failure | null;
}

/** A case of an async task (the learner's function returns a Promise). */
export interface AsyncCase {
  name: string;
  inputs: string;
  run(): Promise<Failure | null>;
}

export interface CheckOptions {
  /** where the line goes (console.log by default: stdout, never stderr) */
  log?: (line: string) => void;
  /**
   * throw a CheckFailed after printing when a case fails (for nbgrader's autograder test cells,
   * which pass when nothing is thrown); by default a failed check only prints and returns
   */
  throwOnFailure?: boolean;
}

/** Thrown by a failed check called with { throwOnFailure: true }; its message is the printed line. */
export class CheckFailed extends Error {
  /** what the check found */
  declare readonly result: CheckResult;

  constructor(result: CheckResult) {
    super(result.line);
    Object.setPrototypeOf(this, CheckFailed.prototype);
    this.name = 'CheckFailed';
    // Not enumerable, so the printed error is the line alone.
    Object.defineProperty(this, 'result', { value: result, enumerable: false });
    oneLine(this);
  }
}

/** What a check found. */
export class CheckResult {
  constructor(
    /** the task's name, as in check.<task> */
    readonly task: string,
    readonly passed: boolean,
    /** cases tried: all of them when passed, up to the failing one otherwise */
    readonly cases: number,
    /** the name of the first failing case (null when passed) */
    readonly failedCase: string | null,
    /** the line the check printed */
    readonly line: string,
  ) {}

  toString(): string {
    return this.line;
  }

  /**
   * tslab prints the value of a cell's last expression: the check has printed its line already,
   * so the result shows as nothing (its fields are there to read: `.passed`, `.failedCase`).
   */
  [util.inspect.custom](): string {
    return '';
  }
}

export const PASS = '✔';
export const FAIL = '✘';

function notImplementedLine(task: string): string {
  return `… not implemented yet: ${task} — write your function above (replace the throw), then run this cell again`;
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split('\n')[0].replace(/[.\s]+$/, '')}`;
  return `a thrown ${typeof err} (${String(err)})`;
}

function failureLine(task: string, c: { name: string; inputs: string }, f: Failure): string {
  return `${FAIL} ${task}: case "${c.name}" (${c.inputs}): expected ${f.expected}, got ${f.got}. Hint: ${f.hint}`;
}

function finish(task: string, passed: boolean, cases: number, failed: string | null, line: string, options: CheckOptions): CheckResult {
  (options.log ?? ((l: string) => console.log(l)))(line);
  const result = new CheckResult(task, passed, cases, failed, line);
  if (!passed && options.throwOnFailure) throw new CheckFailed(result);
  return result;
}

/** What the learner's error becomes: a failure of the case, or (NotImplemented) a rethrow. */
function caught(task: string, err: unknown, options: CheckOptions, errorHint?: (err: unknown) => string | null): Failure {
  if (isNotImplemented(err)) {
    (options.log ?? ((l: string) => console.log(l)))(notImplementedLine(task));
    throw new NotImplemented(task);
  }
  return {
    expected: 'an answer',
    got: `an error: ${describeError(err)}`,
    hint: errorHint?.(err) ?? 'your function threw this error on these inputs: call it yourself on them to see where',
  };
}

/** Runs the cases in order; prints and returns the first failure, or the pass line. */
export function runCheck(task: string, cases: Case[], options: CheckOptions = {}, errorHint?: (err: unknown) => string | null): CheckResult {
  for (let i = 0; i < cases.length; i++) {
    let failure: Failure | null;
    try {
      failure = cases[i].run();
    } catch (err) {
      failure = caught(task, err, options, errorHint);
    }
    if (failure) return finish(task, false, i + 1, cases[i].name, failureLine(task, cases[i], failure), options);
  }
  return finish(task, true, cases.length, null, `${PASS} ${task}: passed ${cases.length} cases`, options);
}

/** runCheck for async tasks. */
export async function runCheckAsync(task: string, cases: AsyncCase[], options: CheckOptions = {}, errorHint?: (err: unknown) => string | null): Promise<CheckResult> {
  for (let i = 0; i < cases.length; i++) {
    let failure: Failure | null;
    try {
      failure = await cases[i].run();
    } catch (err) {
      failure = caught(task, err, options, errorHint);
    }
    if (failure) return finish(task, false, i + 1, cases[i].name, failureLine(task, cases[i], failure), options);
  }
  return finish(task, true, cases.length, null, `${PASS} ${task}: passed ${cases.length} cases`, options);
}

// ---------------------------------------------------------------------------------------------
// Helpers the checks share.

/** A number as a failure line shows it: 4 significant digits, NaN and Infinity by name. */
export function num(v: unknown): string {
  if (typeof v !== 'number') return describeValue(v);
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-4 && a < 1e6 ? String(Number(v.toPrecision(4))) : v.toExponential(3);
}

/** A short description of any value a learner might return by mistake. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined (did you forget to return?)';
  if (v === null) return 'null';
  if (typeof v === 'number') return num(v);
  if (v instanceof Promise) return 'a Promise (did you forget await?)';
  if (v instanceof tf.Tensor) return v.isDisposed ? 'a disposed tensor' : `a tensor of shape [${v.shape}]`;
  if (typeof v === 'object' && typeof (v as ArrayLike<number>).length === 'number') return list(v as ArrayLike<number>);
  if (typeof v === 'object') return `an object with fields ${Object.keys(v as object).join(', ') || '(none)'}`;
  return `${typeof v} ${String(v)}`;
}

/** An array as a failure line shows it: the first few values and the length. */
export function list(a: ArrayLike<unknown>, show = 6): string {
  const n = a.length;
  const items = Array.from({ length: Math.min(n, show) }, (_, i) => {
    const v = a[i];
    return typeof v === 'number' ? num(v) : String(v);
  });
  return n <= show ? `[${items.join(', ')}]` : `[${items.join(', ')}, … ${n} values]`;
}

/** |a - b| within rtol of the larger magnitude, or within atol. */
export function close(a: number, b: number, rtol = 1e-4, atol = 1e-6): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b));
}

/** Index of the first entry where the arrays differ (tolerance as `close`), or -1. */
export function firstDifference(got: ArrayLike<number>, want: ArrayLike<number>, rtol = 1e-4, atol = 1e-6): number {
  for (let i = 0; i < want.length; i++) if (!close(got[i], want[i], rtol, atol)) return i;
  return -1;
}

export function allClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol = 1e-4, atol = 1e-6): boolean {
  return got.length === want.length && firstDifference(got, want, rtol, atol) < 0;
}

/** True for an array-like of numbers. */
export function isNumberArray(v: unknown): v is ArrayLike<number> {
  if (v === null || typeof v !== 'object' || v instanceof tf.Tensor) return false;
  const a = v as ArrayLike<unknown>;
  if (typeof a.length !== 'number') return false;
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return false;
  return true;
}

/** "expected [..], got [..]" for the first differing entry of two arrays. */
export function arrayFailure(got: ArrayLike<number>, want: ArrayLike<number>, hint: string, what = 'entry'): Failure {
  if (got.length !== want.length) {
    return { expected: `${want.length} values`, got: `${got.length} values`, hint };
  }
  const i = firstDifference(got, want);
  return { expected: `${list(want)} (${what} ${i}: ${num(want[i])})`, got: `${list(got)} (${what} ${i}: ${num(got[i])})`, hint };
}

/** The learner's tensor function's output, read and checked for leaks; the tensors it made are freed. */
export interface TensorCall {
  /** null when the function returned something that is not a live tensor (see `returned`) */
  values: Float32Array | null;
  shape: number[];
  returned: unknown;
  /** tensors the call left behind (not counting its returned value) */
  leaked: number;
}

/**
 * Calls `f` (which may read the tensors `make` builds) inside a tf.tidy, reads its result,
 * counts the tensors it leaked, and frees everything, so a check never leaks, whatever `f` does.
 */
export function callTensor(make: () => tf.Tensor[], f: (inputs: tf.Tensor[]) => unknown): TensorCall {
  let out: TensorCall = { values: null, shape: [], returned: undefined, leaked: 0 };
  tf.tidy(() => {
    const inputs = make();
    const before = tf.memory().numTensors;
    const returned = f(inputs);
    if (returned instanceof tf.Tensor && !returned.isDisposed) {
      const values = Float32Array.from(returned.dataSync());
      const shape = returned.shape.slice();
      if (!inputs.includes(returned)) returned.dispose();
      out = { values, shape, returned: 'tensor', leaked: tf.memory().numTensors - before };
    } else {
      out = { values: null, shape: [], returned, leaked: tf.memory().numTensors - before };
    }
  });
  return out;
}

/** The failure for a leaky call. */
export function leakFailure(leaked: number): Failure {
  return {
    expected: 'no tensors left behind',
    got: `${leaked} tensor${leaked === 1 ? '' : 's'} left behind on every call`,
    hint: 'every tf op makes a tensor that stays in memory until disposed: wrap the body in tf.tidy(() => ...), which frees all but the returned tensor',
  };
}

/** "h 4x3" */
export function shapeText(name: string, rows: number, cols: number, extra = ''): string {
  return `${name} ${rows}x${cols}${extra ? ` ${extra}` : ''}`;
}
