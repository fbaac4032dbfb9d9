/**
 * The normal helpers of the planted generator: Phi against Simpson integration of the density,
 * Phi^-1 as its inverse and at a textbook quantile, and the draws' mean and variance.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Rng } from '../../src/runtime/random';
import { normalCdf, normalQuantile, standardNormal } from '../../src/truth/gaussian';

/**
 * Phi(x) from the tail integral of the density over [|x|, |x| + 14] by Simpson's rule on 20000
 * intervals (the tail, not 1/2 minus an integral, so that Phi(-6) ~ 1e-9 keeps its digits).
 */
function simpsonCdf(x: number): number {
  const steps = 20_000;
  const a = Math.abs(x);
  const h = 14 / steps;
  const f = (t: number) => Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
  let s = f(a) + f(a + 14);
  for (let k = 1; k < steps; k++) s += (k % 2 === 1 ? 4 : 2) * f(a + k * h);
  const tail = (s * h) / 3;
  return x <= 0 ? tail : 1 - tail;
}

test('normalCdf agrees with Simpson integration to 2e-7 relative, tails included', () => {
  for (const x of [-6, -4.2, -2.5, -1, -0.3, 0, 0.3, 1, 1.96, 3, 5]) {
    const want = simpsonCdf(x);
    assert.ok(Math.abs(normalCdf(x) - want) <= 2e-7 * want, `Phi(${x}) = ${normalCdf(x)}, Simpson ${want}`);
  }
});

test('normalQuantile inverts normalCdf; Phi^-1(0.975) = 1.959964; the ends are infinite', () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-6);
  for (const p of [1e-6, 0.01, 0.2, 0.7, 0.999]) assert.ok(Math.abs(normalCdf(normalQuantile(p)) - p) < 1e-12 + 1e-9 * p);
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
  assert.throws(() => normalQuantile(1.5), { message: 'normalQuantile: p = 1.5 is invalid: expected a number in [0, 1]' });
});

test('standardNormal: mean 0, variance 1, P(Z < 1) = Phi(1), fixed by the seed', () => {
  const rng = new Rng(12);
  const z = Array.from({ length: 200_000 }, () => standardNormal(rng));
  const m = z.reduce((s, v) => s + v, 0) / z.length;
  const v = z.reduce((s, x) => s + (x - m) ** 2, 0) / z.length;
  // standard errors: 1 / sqrt(200000) = 0.0022 for the mean, sqrt(2 / 200000) = 0.0032 for the variance
  assert.ok(Math.abs(m) < 0.011, `mean ${m}`);
  assert.ok(Math.abs(v - 1) < 0.016, `variance ${v}`);
  const below = z.filter((x) => x < 1).length / z.length;
  assert.ok(Math.abs(below - 0.841345) < 5 * Math.sqrt(0.841345 * 0.158655 / z.length), `P(Z < 1) ${below}`);
  const again = new Rng(12);
  assert.equal(standardNormal(again), z[0]);
});
