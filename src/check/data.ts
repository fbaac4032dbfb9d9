/** Seeded inputs for the checks: the same cases on every run and every machine. */
import { Rng } from '../runtime/random';

/** rows x cols values drawn from U(lo, hi), as float32 (what a tensor holds). */
export function uniform(rng: Rng, rows: number, cols: number, lo = 0, hi = 1): Float32Array {
  return Float32Array.from({ length: rows * cols }, () => rng.uniform(lo, hi));
}

/** Like `uniform`, with every value below `zeroBelow` set to 0 (ReLU-like codes). */
export function sparseUniform(rng: Rng, rows: number, cols: number, zeroBelow: number, hi = 1): Float32Array {
  return uniform(rng, rows, cols, 0, hi).map((v) => (v < zeroBelow ? 0 : v));
}

/** Column j's mean over the rows of a [rows, cols] row-major matrix. */
export function columnMean(a: ArrayLike<number>, rows: number, cols: number, j: number): number {
  let s = 0;
  for (let r = 0; r < rows; r++) s += a[r * cols + j];
  return s / rows;
}

/** Row r's mean over the columns. */
export function rowMean(a: ArrayLike<number>, cols: number, r: number): number {
  let s = 0;
  for (let j = 0; j < cols; j++) s += a[r * cols + j];
  return s / cols;
}

export function mean(a: ArrayLike<number>, f: (v: number) => number = (v) => v): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += f(a[i]);
  return s / a.length;
}
