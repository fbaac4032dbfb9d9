/**
 * The check of notebook 16's task: the MCC of a learned dictionary against the planted features
 * (recovery.ts `mcc`): each true feature matched one-to-one to a latent by the Hungarian assignment
 * on |cos|, the mean matched |cos| over the true features. A table of independent cases, so it runs
 * past ~50 lines (CONTRIBUTING rule 4's exception).
 */
import { Rng } from '../runtime/random';
import { mcc as kitMcc } from '../truth/recovery';
import { assignMax } from '../truth/hungarian';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { Failure, close, leakFailure, scalarFailure } from './format';
import { callPlain } from './call';

/** The learner's MCC: decoder rows [latents, d] and true features [n, d], row-major -> the mean matched |cos|. */
export type MccFn = (decoderRows: Float32Array, trueFeatures: Float32Array, d: number) => number;

/** [a rows, b rows] of a · b (or cos when `cosine`), each rows x d. */
function products(a: Float32Array, b: Float32Array, d: number, cosine: boolean): Float64Array {
  const [ra, rb] = [a.length / d, b.length / d];
  const norm = (m: Float32Array, r: number) => Math.sqrt(m.subarray(r * d, (r + 1) * d).reduce((s, v) => s + v * v, 0));
  const out = new Float64Array(ra * rb);
  for (let i = 0; i < ra; i++) {
    for (let j = 0; j < rb; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += a[i * d + t] * b[j * d + t];
      out[i * rb + j] = cosine ? s / (norm(a, i) * norm(b, j) || 1) : s;
    }
  }
  return out;
}

/** The readings of the usual mistakes, each from the [n, latents] matrix it would use. */
function mistakes(decoder: Float32Array, truth: Float32Array, d: number): [number, string][] {
  const [n, latents] = [truth.length / d, decoder.length / d];
  const cos = products(truth, decoder, d, true);
  const abs = cos.map(Math.abs);
  const matched = (score: Float64Array, value: Float64Array) => {
    const a = assignMax(score, n, latents);
    return Array.from(a).reduce((s, j, i) => s + (j >= 0 ? value[i * latents + j] : 0), 0);
  };
  const rowMax = Array.from({ length: n }, (_, i) => Math.max(...abs.subarray(i * latents, (i + 1) * latents)));
  const colMax = Array.from({ length: latents }, (_, j) => Math.max(...rowMax.map((_, i) => abs[i * latents + j])));
  const dots = products(truth, decoder, d, false).map(Math.abs);
  return [
    [matched(cos, cos) / n, 'take |cos| before matching: a latent whose decoder row points the opposite way (-f) stands for the same feature'],
    [matched(dots, dots) / n, 'divide each dot product by both rows\' norms: decoder rows need not have unit norm, and the MCC compares directions'],
    [rowMax.reduce((s, v) => s + v, 0) / n, 'match one-to-one (assignMax): taking each feature\'s best latent lets two features share one latent'],
    [matched(abs, abs) / Math.min(n, latents), 'with fewer latents than true features, the unmatched features count 0: divide by n'],
    [matched(abs, abs) / latents, 'divide by the number of true features n, not by the number of latents'],
    [colMax.reduce((s, v) => s + v, 0) / latents, 'the mean runs over the true features, each with its matched latent, not over the latents\' best features'],
  ];
}

/** The MCC with Hungarian matching, against the kit's mcc (truth/recovery.ts). */
export function mcc(fn: MccFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(1616);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const random = (rows: number, d: number) => Float32Array.from({ length: rows * d }, gauss);
  const make = (name: string, inputs: string, decoder: Float32Array, truth: Float32Array, d: number): Case => ({
    name,
    inputs: `${inputs}; ${decoder.length / d} latents, ${truth.length / d} true features, d ${d}`,
    run(): Failure | null {
      const want = kitMcc(decoder, truth, d).mcc;
      const call = callPlain(() => fn(Float32Array.from(decoder), Float32Array.from(truth), d));
      const got = call.returned;
      if (typeof got !== 'number') return { expected: want.toFixed(6), got: call.description, hint: 'return one number, the mean matched |cos|' };
      if (close(got, want)) return call.leaked > 0 ? leakFailure(call.leaked) : null;
      const named = mistakes(decoder, truth, d).find(([value]) => close(got, value) && !close(value, want));
      return scalarFailure(got, want, named ? named[1] : 'cos(f_i, w_j) for every true feature i and latent j, |.|, assignMax on that [n, latents] matrix, then the mean of the matched |cos| over the n features');
    },
  });
  // A permuted, sign-flipped, rescaled copy of the truth with two extra random latents: MCC 1.
  const truth = random(5, 8);
  const order = [3, 0, 4, 1, 2];
  const copy = new Float32Array(7 * 8);
  order.forEach((i, j) => { const s = (j % 2 ? -1 : 1) * (0.5 + j); for (let t = 0; t < 8; t++) copy[j * 8 + t] = s * truth[i * 8 + t]; });
  copy.set(random(2, 8), 5 * 8);
  // Two features near one latent: their greedy best is shared, the one-to-one matching is not.
  const pair = random(4, 6);
  const near = Float32Array.from(pair);
  for (let t = 0; t < 6; t++) { near[t] = pair[t] + pair[6 + t]; near[6 + t] = pair[12 + t]; near[12 + t] = pair[18 + t]; near[18 + t] = gauss(); }
  return runCheck('mcc', [
    make('the truth itself, permuted, flipped and rescaled', 'rows of the truth reordered, every other one negated, norms 0.5 to 4.5, plus two random latents', copy, truth, 8),
    make('random directions', 'Gaussian decoder rows and features', random(9, 5), random(6, 5), 5),
    make('two features closest to one latent', 'latent 0 = f0 + f1', near, pair, 6),
    make('fewer latents than features', 'three latents, six features', random(3, 4), random(6, 4), 4),
    make('one latent, one feature', 'w = -2 f', Float32Array.from([-2, -4, 2]), Float32Array.from([1, 2, -1]), 3),
  ], options);
}
