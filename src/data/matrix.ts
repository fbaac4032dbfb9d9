/**
 * A Dataset built from any feature matrix (codes, activations, PCA projections), so that models
 * trained on features go through the same batches and the same `fit` as models trained on images.
 */
import type { Dataset } from './mnist';
import { checkDataset } from './check';

/**
 * Wraps `values` ([count, dim] row-major) and one integer class label per row in [0, 255] as a
 * Dataset with rows = 1 and cols = dim, checked (checkDataset: a NaN or infinite value is an error
 * naming its row and column). The arrays are used as they are, not copied.
 */
export function datasetFromMatrix(values: Float32Array, labels: ArrayLike<number>, dim: number, source = 'feature matrix'): Dataset {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`dim = ${dim} is invalid: expected an integer >= 1 (values per row)`);
  const count = values.length / dim;
  if (!Number.isInteger(count)) {
    throw new Error(`the matrix holds ${values.length} values, which is not a whole number of rows of dim = ${dim}`);
  }
  if (count < 1) throw new Error(`the matrix holds no rows; a data set needs at least one (source: ${source})`);
  if (labels.length !== count) throw new Error(`the matrix holds ${count} rows of ${dim} values but ${labels.length} labels are given`);
  for (let i = 0; i < count; i++) {
    const y = labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y <= 255)) {
      throw new Error(`labels[${i}] = ${y} is invalid: expected an integer class in [0, 255]`);
    }
  }
  const asBytes = labels instanceof Uint8Array ? labels : Uint8Array.from(labels);
  return checkDataset({ images: values, labels: asBytes, count, rows: 1, cols: dim, dim, source });
}

// ---------------------------------------------------------------------------------------------
// The matrix view: one checked shape for every row-major array (codes, activations, images)

/** A row-major matrix: `rows` rows of `cols` values, back to back in `data`. */
export interface Matrix<T extends ArrayLike<number> = ArrayLike<number>> {
  readonly data: T;
  readonly rows: number;
  readonly cols: number;
}

/**
 * Views `data` as rows of `cols` values (the rows are counted, not given). Throws, naming `what`,
 * rows and cols, unless cols is a positive integer and `data` holds a whole number (>= minRows)
 * of rows. The array is used as it is, not copied.
 */
export function asMatrix<T extends ArrayLike<number>>(data: T, cols: number, what = 'the matrix', minRows = 1): Matrix<T> {
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`${what}: cols = ${cols} is invalid: expected an integer >= 1 (values per row)`);
  const rows = data.length / cols;
  if (!Number.isInteger(rows) || rows < minRows) {
    throw new Error(`${what} holds ${data.length} values, not a whole number (>= ${minRows}) of rows of ${cols} ` +
      `(rows = ${data.length} / ${cols} = ${rows}, cols = ${cols})`);
  }
  return { data, rows, cols };
}

/** Views `data` as a rows x cols matrix; throws, naming `what`, rows and cols, unless it holds exactly that many values. */
export function matrixOf<T extends ArrayLike<number>>(data: T, rows: number, cols: number, what = 'the matrix'): Matrix<T> {
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`${what}: rows = ${rows} is invalid: expected an integer >= 0`);
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`${what}: cols = ${cols} is invalid: expected an integer >= 1 (values per row)`);
  if (data.length !== rows * cols) {
    throw new Error(`${what} holds ${data.length} values, but rows x cols = ${rows} x ${cols} = ${rows * cols}`);
  }
  return { data, rows, cols };
}

/**
 * The mean of each column, summed in float64 then divided by rows. With `f`, the mean of f(value)
 * (f = v => v !== 0 ? 1 : 0 gives each column's firing rate).
 */
export function columnMeans(m: Matrix, f?: (value: number) => number): Float64Array {
  const out = new Float64Array(m.cols);
  const { data, rows, cols } = m;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (f) for (let j = 0; j < cols; j++) out[j] += f(data[o + j]);
    else for (let j = 0; j < cols; j++) out[j] += data[o + j];
  }
  for (let j = 0; j < cols; j++) out[j] /= rows;
  return out;
}

/** The mean of each row (of f(value) when `f` is given), summed in float64 then divided by cols. */
export function rowMeans(m: Matrix, f?: (value: number) => number): Float64Array {
  const out = new Float64Array(m.rows);
  const { data, rows, cols } = m;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * cols;
    if (f) for (let j = 0; j < cols; j++) s += f(data[o + j]);
    else for (let j = 0; j < cols; j++) s += data[o + j];
    out[r] = s / cols;
  }
  return out;
}

/** The sum over i < n of a[ao + i] * b[bo + i], in order of i. */
export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
  return s;
}

/**
 * out[r] = dot(row r of m, u) for every row of m ([out.length, dim]), four rows per pass over u:
 * each sum still runs over t in order (the same numbers as `dot`), with four independent sums
 * to keep the CPU busy instead of waiting on one.
 */
export function dotRows(m: Float64Array, u: Float64Array, out: Float64Array, dim: number): void {
  const rows = out.length;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const [o0, o1, o2, o3] = [r * dim, (r + 1) * dim, (r + 2) * dim, (r + 3) * dim];
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < dim; t++) {
      const ut = u[t];
      s0 += m[o0 + t] * ut;
      s1 += m[o1 + t] * ut;
      s2 += m[o2 + t] * ut;
      s3 += m[o3 + t] * ut;
    }
    out[r] = s0;
    out[r + 1] = s1;
    out[r + 2] = s2;
    out[r + 3] = s3;
  }
  for (; r < rows; r++) out[r] = dot(m, r * dim, u, 0, dim);
}
