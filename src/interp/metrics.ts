/**
 * Measures of the interpretability literature, on plain arrays: L0, fraction of variance
 * unexplained, dead and dense latents, and the feature-density histogram.
 */
import { histogram, Histogram } from '../core/analysis';

/** Mean number of non-zero latents per input (codes [n, units]). */
export function l0(codes: ArrayLike<number>, units: number): number {
  const n = codes.length / units;
  let nonzero = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] !== 0) nonzero += 1;
  return nonzero / n;
}

/**
 * Fraction of variance unexplained: sum |x - x_hat|^2 / sum |x - mean(x)|^2, with mean(x) the
 * per-dimension mean of the inputs. 0 is perfect, 1 is no better than the mean input.
 */
export function fvu(x: ArrayLike<number>, xHat: ArrayLike<number>, dim: number): number {
  if (x.length !== xHat.length) throw new Error(`fvu: ${x.length} inputs but ${xHat.length} reconstructions`);
  const n = x.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < x.length; i++) mean[i % dim] += x[i] / n;
  let err = 0;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    err += (x[i] - xHat[i]) ** 2;
    total += (x[i] - mean[i % dim]) ** 2;
  }
  return err / total;
}

/** Per latent, the fraction of inputs on which it is non-zero. */
export function firingRates(codes: ArrayLike<number>, units: number): Float64Array {
  const n = codes.length / units;
  const rates = new Float64Array(units);
  for (let i = 0; i < codes.length; i++) if (codes[i] !== 0) rates[i % units] += 1 / n;
  return rates;
}

export interface DensityReport {
  /** latents that never fire on these inputs */
  deadFraction: number;
  /** latents that fire on more than `denseAbove` of the inputs */
  denseFraction: number;
  /** histogram of log10(firing rate) of the latents that fire at all */
  log10Histogram: Histogram;
}

export function densityReport(codes: ArrayLike<number>, units: number, denseAbove = 0.1, bins = 40): DensityReport {
  const rates = firingRates(codes, units);
  const alive = Array.from(rates).filter((r) => r > 0);
  const lowest = Math.log10(1 / (codes.length / units));
  return {
    deadFraction: (units - alive.length) / units,
    denseFraction: Array.from(rates).filter((r) => r > denseAbove).length / units,
    log10Histogram: histogram(alive.map(Math.log10), bins, [Math.min(lowest, -1), 0]),
  };
}
