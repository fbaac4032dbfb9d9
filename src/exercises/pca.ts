/** PCA through the well-kept `ml-pca` package (eigenvectors of the covariance matrix). */
import { PCA as MlPca } from 'ml-pca';
import { Matrix, asMatrix, columnMeans, dotRows } from '../data/matrix';

export interface PcaModel {
  /** per-column mean of the training rows */
  mean: Float64Array;
  /** [components, dim]: unit-norm principal directions, largest variance first */
  components: Float64Array;
  /** variance along each component */
  variances: number[];
  /** fraction of the total variance each component explains */
  explained: number[];
  dim: number;
}

/**
 * The covariance matrix of the rows of `m` ([dim, dim]), centred by `mean`, as ml-pca's
 * 'covarianceMatrix' method computes it: entry (a, b) is the sum over rows, in row order, of
 * (x_a - mean_a)(x_b - mean_b), divided by rows - 1; so the very same numbers. ml-pca multiplies
 * through a transposed matrix view, one virtual element read per multiply-add (54 s for 5000
 * MNIST images); here each centred column is one contiguous array and only the upper triangle is
 * summed (2 s).
 */
function covariance(m: Matrix, mean: Float64Array): Float64Array {
  const { rows: n, cols: dim, data } = m;
  const columns = new Float64Array(dim * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) columns[j * n + i] = data[i * dim + j] - mean[j];
  const c = new Float64Array(dim * dim);
  const upper = new Float64Array(dim);
  for (let a = 0; a < dim; a++) {
    // entries (a, a..dim-1): column a against the columns from a on, each sum over k in order
    const row = upper.subarray(0, dim - a);
    dotRows(columns.subarray(a * n), columns.subarray(a * n, (a + 1) * n), row, n);
    row.forEach((s, r) => { c[a * dim + a + r] = c[(a + r) * dim + a] = s / (n - 1); });
  }
  return c;
}

/** Fits `components` principal components to the rows of `data` ([n, dim]). */
export function fitPca(data: ArrayLike<number>, dim: number, components: number): PcaModel {
  if (!Number.isInteger(components) || components < 1 || components > dim) {
    throw new Error(`components must be an integer in [1, ${dim}], got ${components}`);
  }
  const m = asMatrix(data, dim, 'the data');
  const mean = columnMeans(m);
  const c = covariance(m, mean);
  const rows = Array.from({ length: dim }, (_, a) => Array.from(c.subarray(a * dim, (a + 1) * dim)));
  const pca = new MlPca(rows, { isCovarianceMatrix: true });
  const vectors = pca.getEigenvectors(); // dim x dim, one component per column
  const values = pca.getEigenvalues();
  const total = values.reduce((a: number, b: number) => a + Math.max(0, b), 0);
  const out = new Float64Array(components * dim);
  for (let c = 0; c < components; c++) for (let j = 0; j < dim; j++) out[c * dim + j] = vectors.get(j, c);
  return {
    mean, components: out, dim,
    variances: values.slice(0, components),
    explained: values.slice(0, components).map((v: number) => Math.max(0, v) / total),
  };
}

/** Projects rows of `data` onto the components: [n, components]. */
export function pcaTransform(model: PcaModel, data: ArrayLike<number>): Float32Array {
  const { dim } = model;
  const k = asMatrix(model.components, dim, 'model.components').rows;
  const n = asMatrix(data, dim, 'the data', 0).rows;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += (data[i * dim + j] - model.mean[j]) * model.components[c * dim + j];
      out[i * k + c] = s;
    }
  }
  return out;
}
