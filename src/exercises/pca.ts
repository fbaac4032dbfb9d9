/** PCA through the well-kept `ml-pca` package (eigenvectors of the covariance matrix). */
import { PCA as MlPca } from 'ml-pca';
import { Matrix, asMatrix, columnMeans } from '../data/matrix';

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

/** The rows of `m` as arrays, the shape ml-pca takes. */
function rowArrays(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from({ length: m.cols }, (_, j) => m.data[i * m.cols + j]));
}

/** Fits `components` principal components to the rows of `data` ([n, dim]). */
export function fitPca(data: ArrayLike<number>, dim: number, components: number): PcaModel {
  if (!Number.isInteger(components) || components < 1 || components > dim) {
    throw new Error(`components must be an integer in [1, ${dim}], got ${components}`);
  }
  const m = asMatrix(data, dim, 'the data');
  const pca = new MlPca(rowArrays(m), { method: 'covarianceMatrix', center: true, scale: false });
  const vectors = pca.getEigenvectors(); // dim x dim, one component per column
  const values = pca.getEigenvalues();
  const total = values.reduce((a: number, b: number) => a + Math.max(0, b), 0);
  const out = new Float64Array(components * dim);
  for (let c = 0; c < components; c++) for (let j = 0; j < dim; j++) out[c * dim + j] = vectors.get(j, c);
  return {
    mean: columnMeans(m), components: out, dim,
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
