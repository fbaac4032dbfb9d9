/**
 * Measures of the interpretability literature, on plain arrays: L0, fraction of variance
 * unexplained, dead and dense latents, and the feature-density histogram. Codes are [n, latentDim]
 * and inputs [n, inputDim], row-major; the second argument is the row width.
 */
import { histogram, Histogram } from '../data/histogram';
import { asMatrix, columnMeans } from '../data/matrix';

const fires = (v: number) => (v !== 0 ? 1 : 0);

/** Mean number of non-zero latents per input (codes [n, latentDim]). */
export function l0(codes: ArrayLike<number>, latentDim: number): number {
  const m = asMatrix(codes, latentDim, 'the codes');
  let nonzero = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] !== 0) nonzero += 1;
  return nonzero / m.rows;
}

/**
 * Fraction of variance unexplained: sum |x - x_hat|^2 / sum |x - mean(x)|^2, with mean(x) the
 * per-dimension (column) mean of the inputs. 0 is perfect, 1 is no better than the mean input.
 */
export function fvu(x: ArrayLike<number>, xHat: ArrayLike<number>, inputDim: number): number {
  if (x.length !== xHat.length) throw new Error(`fvu: ${x.length} inputs but ${xHat.length} reconstructions`);
  const mean = columnMeans(asMatrix(x, inputDim, 'the inputs x'));
  let err = 0;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    err += (x[i] - xHat[i]) ** 2;
    total += (x[i] - mean[i % inputDim]) ** 2;
  }
  return err / total;
}

/** Per latent, the fraction of inputs on which it is non-zero (codes [n, latentDim]). */
export function firingRates(codes: ArrayLike<number>, latentDim: number): Float64Array {
  return columnMeans(asMatrix(codes, latentDim, 'the codes'), fires);
}

export interface DensityReport {
  /** latents that never fire on these inputs */
  deadFraction: number;
  /** latents that fire on more than `denseAbove` of the inputs */
  denseFraction: number;
  /** histogram of log10(firing rate) of the latents that fire at all */
  log10Histogram: Histogram;
}

export function densityReport(codes: ArrayLike<number>, latentDim: number, denseAbove = 0.1, bins = 40): DensityReport {
  const rows = asMatrix(codes, latentDim, 'the codes').rows;
  const rates = firingRates(codes, latentDim);
  const alive = Array.from(rates).filter((r) => r > 0);
  const lowest = Math.log10(1 / rows);
  return {
    deadFraction: (latentDim - alive.length) / latentDim,
    denseFraction: Array.from(rates).filter((r) => r > denseAbove).length / latentDim,
    log10Histogram: histogram(alive.map(Math.log10), bins, [Math.min(lowest, -1), 0]),
  };
}
