/**
 * The standard normal distribution, as the planted-feature generator needs it: draws from the
 * kit's seeded `Rng`, the distribution function Phi, and its inverse (for the Gaussian copula of
 * correlated firing: a feature with firing probability p fires when its latent Gaussian is below
 * Phi^-1(p)).
 */
import type { Rng } from '../runtime/random';

/** One standard normal draw (Box-Muller, two `rng.next()` draws, the cosine branch only: simple and in a fixed order). */
export function standardNormal(rng: Rng): number {
  const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
  return r * Math.cos(2 * Math.PI * rng.next());
}

/**
 * erfc(x) by the Chebyshev-fitted formula of Numerical Recipes (erfcc): fractional error below
 * 1.2e-7 for every x, tails included, which is far below any sampling error of a firing rate.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const value = t * Math.exp(poly);
  return x >= 0 ? value : 2 - value;
}

/** Phi(x) = P(Z <= x) for a standard normal Z (relative error below ~1.2e-7). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Phi^-1(p): the x with Phi(x) = p, by bisection on [-40, 40] (80 halvings: far finer than Phi's
 * own error). -Infinity for p = 0 and Infinity for p = 1, so a feature with p = 1 always fires.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`normalQuantile: p = ${p} is invalid: expected a number in [0, 1]`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let lo = -40;
  let hi = 40;
  for (let k = 0; k < 80; k++) {
    const mid = 0.5 * (lo + hi);
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
