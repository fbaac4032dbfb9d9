/**
 * How checks compare a learner's answer with the kit's and how a failure line shows values.
 *
 * What a check may demand of float32 arithmetic: a learner may compute in float32 (tensors, a
 * Float32Array accumulator) or in float64 (plain numbers), so every comparison uses a tolerance
 * that a float32 computation of the case meets with a wide margin (the cases are at most a few
 * thousand values, so float32 sums are good to a few 1e-7 of their size), and no case is built so
 * that the answer hangs on a rounding: no value sits exactly on a threshold that float32 cannot
 * represent. `FLOAT32` is the default; a check that compares finer says why.
 */
import * as tf from '../runtime/tf';

/** |got - want| <= atol + rtol * max(|got|, |want|) */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** What a float32 computation of a case meets: 1e-5 relative, 1e-6 absolute (about 80 float32 roundings of a value near 1). */
export const FLOAT32: Tolerance = Object.freeze({ rtol: 1e-5, atol: 1e-6 });

/** Float64 inputs and float64 work (the gradient check's finite differences): 1e-9 relative. */
export const FLOAT64: Tolerance = Object.freeze({ rtol: 1e-9, atol: 1e-12 });

/** Exactly equal: values the learner copies, not computes (kept entries of a code). */
export const EXACT: Tolerance = Object.freeze({ rtol: 0, atol: 0 });

/** |a - b| within the tolerance. NaN is close to nothing; equal infinities are close. */
export function close(a: number, b: number, tol: Tolerance = FLOAT32): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= tol.atol + tol.rtol * Math.max(Math.abs(a), Math.abs(b));
}

/** Index of the first entry where the arrays differ (same tolerance as the comparison), or -1. */
export function firstDifference(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance = FLOAT32): number {
  for (let i = 0; i < want.length; i++) if (!close(got[i], want[i], tol)) return i;
  return -1;
}

export function allClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance = FLOAT32): boolean {
  return got.length === want.length && firstDifference(got, want, tol) < 0;
}

function digits(v: number, precision: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-4 && a < 1e6 ? String(Number(v.toPrecision(precision))) : v.toExponential(precision - 1);
}

/** A number as a failure line shows it: 4 significant digits, NaN and Infinity by name. */
export function num(v: unknown): string {
  return typeof v === 'number' ? digits(v, 4) : describeValue(v);
}

/**
 * Two numbers that differ, each with as many digits as it takes to see the difference
 * (0.3772 and 0.3772 become 0.37721 and 0.37724).
 */
export function numPair(want: number, got: number): [string, string] {
  for (let p = 4; p <= 17; p++) {
    const a = digits(want, p);
    const b = digits(got, p);
    if (a !== b || Object.is(want, got)) return [a, b];
  }
  return [digits(want, 17), digits(got, 17)];
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

/** True for an array-like of numbers (a typed array, or an array whose entries are all numbers). */
export function isNumberArray(v: unknown): v is ArrayLike<number> {
  if (v === null || typeof v !== 'object' || v instanceof tf.Tensor) return false;
  const a = v as ArrayLike<unknown>;
  if (typeof a.length !== 'number') return false;
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return false;
  return true;
}

/** Why a case failed: the kit's answer, the learner's, and a hint aimed at the likely mistake. */
export interface Failure {
  expected: string;
  got: string;
  hint: string;
}

/** "expected [..] (entry i: ..), got [..] (entry i: ..)" for the first entry that differs beyond `tol`. */
export function arrayFailure(got: ArrayLike<number>, want: ArrayLike<number>, hint: string, what = 'entry', tol: Tolerance = FLOAT32): Failure {
  if (got.length !== want.length) return { expected: `${want.length} values`, got: `${got.length} values`, hint };
  const i = Math.max(0, firstDifference(got, want, tol));
  const [w, g] = numPair(want[i], got[i]);
  return { expected: `${list(want)} (${what} ${i}: ${w})`, got: `${list(got)} (${what} ${i}: ${g})`, hint };
}

/** "expected 0.37721, got 0.37724" for two scalars. */
export function scalarFailure(got: number, want: number, hint: string, label = ''): Failure {
  const [w, g] = numPair(want, got);
  return { expected: `${label}${w}`, got: `${label}${g}`, hint };
}

/** The failure for a call that left tensors behind. */
export function leakFailure(leaked: number): Failure {
  return {
    expected: 'no tensors left behind',
    got: `${leaked} tensor${leaked === 1 ? '' : 's'} left behind on every call`,
    hint: 'every tf op makes a tensor that stays in memory until disposed: wrap the body in tf.tidy(() => ...), which frees all but the returned tensor',
  };
}

/** The failure for a call that disposed a tensor it was given. */
export function disposedInputFailure(name: string): Failure {
  return {
    expected: `${name} still usable after your call`,
    got: `${name} disposed by your function`,
    hint: `the caller owns ${name} and uses it again: dispose only the tensors your function made (tf.tidy does that for you)`,
  };
}
