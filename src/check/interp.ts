/**
 * Checks of the TopK activation (notebook 13) and of the fraction of variance unexplained (notebook 14).
 * A check is one function, a table of independent cases: its `make` (the learner's call and the
 * usual mistakes' hints, in the order they are tried) and the list of cases, so it runs past ~50 lines
 * (CONTRIBUTING rule 4's exception for a list of independent cases).
 */
import * as tf from '../runtime/tf';
import { floatsOf } from '../runtime/values';
import { Rng } from '../runtime/random';
import { topK as kitTopK } from '../interp/dictsae';
import { fvu as kitFvu } from '../interp/metrics';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { Failure, allClose, arrayFailure, close, disposedInputFailure, leakFailure, num, scalarFailure } from './format';
import { callLearner, callPlain } from './call';
import { uniform } from './data';

/** The learner's TopK activation: pre-activations z [batch, width] -> codes [batch, width], each row's k largest kept (after ReLU). */
export type TopKFn = (z: tf.Tensor2D, k: number) => tf.Tensor2D;

/** The learner's FVU: inputs x and reconstructions xHat [n, dim] row-major -> sum |x - xHat|^2 / sum |x - mean x|^2. */
export type FvuFn = (x: Float32Array, xHat: Float32Array, dim: number) => number;

/** Keeps k entries per row by `score` (per row, or over the whole batch), then applies `post`. */
function keepBy(z: Float32Array, width: number, k: number, score: (v: number) => number, wholeBatch = false, post = (v: number) => v): Float32Array {
  const out = new Float32Array(z.length);
  const groups = wholeBatch ? [Array.from(z.keys())] : Array.from({ length: z.length / width }, (_, r) => Array.from({ length: width }, (_, j) => r * width + j));
  for (const idx of groups) {
    idx.sort((a, b) => score(z[b]) - score(z[a]) || a - b);
    for (const i of idx.slice(0, k)) out[i] = post(z[i]);
  }
  return out;
}

/** The TopK activation of "Scaling and evaluating sparse autoencoders", against the kit's topK. */
export function topK(fn: TopKFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(909);
  const make = (name: string, inputs: string, z: Float32Array, rows: number, width: number, k: number): Case => ({
    name,
    inputs: `${inputs}, k ${k}`,
    run(): Failure | null {
      const want = floatsOf(() => kitTopK(tf.tensor2d(z, [rows, width]), k));
      const res = callLearner(() => [tf.tensor2d(z, [rows, width])], ([t]) => fn(t as tf.Tensor2D, k), ['z']);
      if (res.values === null) return { expected: `a tensor [${rows}, ${width}]`, got: res.description, hint: 'return the codes as a tensor shaped like z' };
      if (res.shape.length !== 2 || res.shape[0] !== rows || res.shape[1] !== width) {
        return {
          expected: `shape [${rows}, ${width}]`,
          got: `shape [${res.shape}]`,
          hint: res.shape[1] === k ? 'tf.topk gives the k values; the code is the whole row [batch, units], zero except at the kept entries'
            : 'the code has the shape of z: one row per input, one entry per unit',
        };
      }
      const got = res.values;
      if (!allClose(got, want)) {
        let hint = 'in each row keep the k largest pre-activations, zero the others, and apply ReLU (a kept negative value becomes 0)';
        const same = (a: Float32Array) => allClose(got, a);
        if (got.some((v) => v < 0) && same(keepBy(z, width, k, (v) => v))) hint = 'apply ReLU too: a negative pre-activation among the k largest still gives 0';
        else if (same(keepBy(z, width, k, Math.abs, false, (v) => Math.max(v, 0))) || same(keepBy(z, width, k, Math.abs))) {
          hint = 'the k largest by value, not by magnitude: a large negative pre-activation is not kept';
        } else if (rows > 1 && (same(keepBy(z, width, k, (v) => v, true, (v) => Math.max(v, 0))) || same(keepBy(z, width, k, (v) => v, true)))) {
          hint = 'each row (each input) keeps its own k largest, not k over the whole batch';
        } else {
          const most = Math.max(...Array.from({ length: rows }, (_, r) => Array.from(got.subarray(r * width, (r + 1) * width)).filter((v) => v !== 0).length));
          if (most > k) hint = `keep only the k = ${k} largest per row and zero the others (a row of yours keeps ${most})`;
        }
        return arrayFailure(got, want, hint);
      }
      if (res.disposed.length > 0) return disposedInputFailure('z');
      if (res.leaked > 0) return leakFailure(res.leaked);
      return null;
    },
  });
  const mixed = uniform(rng, 2, 6, -1, 1);
  for (let j = 6; j < 12; j++) mixed[j] = -Math.abs(mixed[j]) - 0.01; // row 1: no positive entry
  return runCheck('topK', [
    make('four rows', 'z 4x10 in (-1, 1)', uniform(rng, 4, 10, -1, 1), 4, 10, 3),
    make('k = 1', 'z 3x6 in (-1, 1)', uniform(rng, 3, 6, -1, 1), 3, 6, 1),
    make('k = all units', 'z 2x5 in (-1, 1)', uniform(rng, 2, 5, -1, 1), 2, 5, 5),
    make('a row with no positive entry', 'z 2x6, row 1 all negative', mixed, 2, 6, 2),
    make('a single row', 'z 1x8 in (-1, 1)', uniform(rng, 1, 8, -1, 1), 1, 8, 3),
    make('a wide latent', 'z 2x1024 in (-1, 1)', uniform(rng, 2, 1024, -1, 1), 2, 1024, 16),
  ], options);
}

/** sum |x - mean of its own row|^2: the per-sample mean, for recognising it. */
function aroundRowMeans(x: Float32Array, dim: number): number {
  let total = 0;
  for (let r = 0; r < x.length / dim; r++) {
    let m = 0;
    for (let t = 0; t < dim; t++) m += x[r * dim + t] / dim;
    for (let t = 0; t < dim; t++) total += (x[r * dim + t] - m) ** 2;
  }
  return total;
}

/** The fraction of variance unexplained, against the kit's fvu. */
export function fvu(fn: FvuFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(1010);
  const make = (name: string, inputs: string, x: Float32Array, xHat: Float32Array, dim: number): Case => ({
    name,
    inputs: `${inputs}; x ${x.length / dim}x${dim}`,
    run(): Failure | null {
      const want = kitFvu(x, xHat, dim);
      const call = callPlain(() => fn(Float32Array.from(x), Float32Array.from(xHat), dim));
      const got = call.returned;
      if (typeof got !== 'number') {
        const hint = call.values !== null ? 'return a plain number: read it out of the tensor (dataSync()[0]) and dispose the tensor' : 'return one number';
        return { expected: num(want), got: call.description, hint };
      }
      if (close(got, want)) return call.leaked > 0 ? leakFailure(call.leaked) : null;
      const n = x.length / dim;
      let err = 0;
      let raw = 0;
      let aroundGlobal = 0;
      let global = 0;
      for (let i = 0; i < x.length; i++) global += x[i] / x.length;
      const colMean = new Float64Array(dim);
      for (let i = 0; i < x.length; i++) colMean[i % dim] += x[i] / n;
      let total = 0;
      for (let i = 0; i < x.length; i++) {
        err += (x[i] - xHat[i]) ** 2;
        raw += x[i] ** 2;
        aroundGlobal += (x[i] - global) ** 2;
        total += (x[i] - colMean[i % dim]) ** 2;
      }
      let hint = 'FVU = sum of |x - xHat|^2 over everything, divided by the sum of |x - mean input|^2, with one mean per dimension';
      if (close(got, err / x.length)) hint = 'that is the mean squared error; divide the squared error by the inputs\' total variance instead';
      else if (close(got, err / raw)) hint = 'subtract the mean input before squaring in the denominator: FVU compares with always answering the mean';
      else if (close(got, err / aroundGlobal)) hint = 'the mean input has one mean per dimension (column), not one number for all values';
      else if (close(got, 1 - want)) hint = 'that is the fraction of variance explained; FVU is the fraction unexplained';
      else if (close(got, total / err)) hint = 'numerator and denominator are swapped';
      else if (close(got * got, want) || close(got, Math.sqrt(err / total))) hint = 'FVU is a ratio of squared errors, with no square root';
      else if (close(got, err / aroundRowMeans(x, dim))) hint = 'the mean input is the mean over samples, one per dimension (a column mean), not each sample\'s own mean';
      return scalarFailure(got, want, hint);
    },
  });
  const x1 = uniform(rng, 6, 5, 0, 1);
  const noisy = x1.map((v) => v + rng.uniform(-0.2, 0.2));
  const x2 = uniform(rng, 4, 3, 0, 1);
  const colMeans = (x: Float32Array, dim: number) => {
    const n = x.length / dim;
    const m = new Float32Array(dim);
    for (let i = 0; i < x.length; i++) m[i % dim] += x[i] / n;
    return x.map((_, i) => m[i % dim]);
  };
  const offsets = uniform(rng, 8, 3, 0, 1).map((v, i) => v + [5, -3, 12][i % 3]);
  const offsetsHat = offsets.map((v) => v + rng.uniform(-0.3, 0.3));
  const oneDim = uniform(rng, 8, 1, 0, 1);
  const two = uniform(rng, 2, 3, 0, 1);
  return runCheck('fvu', [
    make('noisy reconstructions', 'xHat = x + noise', x1, noisy, 5),
    make('a perfect reconstruction', 'xHat = x', x2, Float32Array.from(x2), 3),
    make('the mean input as reconstruction', 'xHat = the column means of x', x2, colMeans(x2, 3), 3),
    make('inputs far from zero', 'dimensions centred at 5, -3 and 12', offsets, offsetsHat, 3),
    make('one dimension', 'xHat = 0.5', oneDim, new Float32Array(8).fill(0.5), 1),
    make('two samples', 'xHat = x reversed', two, two.slice().reverse(), 3),
  ], options);
}
