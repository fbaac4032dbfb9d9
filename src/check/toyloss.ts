/**
 * Check of the toy model's loss for one instance (notebook 15): the mean over the batch and the n
 * features of I_i (x_i - x'_i)^2, x and x' [batch, n], I [n] (toy/model.ts `instanceLosses`, ARENA's
 * mean). One function holding a table of independent cases and their hints (CONTRIBUTING rule 4's
 * exception), and the usual mistakes as variants of the formula, for recognising them.
 */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { floatsOf } from '../runtime/values';
import { createToyModel } from '../toy/model';
import { sampleFeatures } from '../toy/data';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { Failure, close, disposedInputFailure, leakFailure, list, num, scalarFailure } from './format';
import { callLearner } from './call';
import { uniform } from './data';

/** The learner's toy loss: x and xHat [batch, n], importance [n] -> scalar. */
export type ToyLossFn = (x: tf.Tensor2D, xHat: tf.Tensor2D, importance: tf.Tensor1D) => tf.Scalar;

/** A way to compute the loss, right or wrong, for recognising a learner's answer. */
interface Formula {
  /** what multiplies the squared error: I_i (right), nothing, I_i^2, sqrt(I_i), I of the row's index, the mean I */
  weight?: 'I' | 'none' | 'I squared' | 'sqrt I' | 'by sample' | 'mean I';
  term?: 'square' | 'abs';
  /** how the [batch, n] terms become one number */
  reduce?: 'mean' | 'sum over features' | 'sum over batch' | 'sum' | 'over sum I';
  root?: boolean;
}

function byFormula(x: Float32Array, xHat: Float32Array, imp: Float32Array, batch: number, n: number, f: Formula): number {
  const meanI = imp.reduce((a, v) => a + v, 0) / n;
  let s = 0;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      const e = x[b * n + i] - xHat[b * n + i];
      const w = { I: imp[i], none: 1, 'I squared': imp[i] ** 2, 'sqrt I': Math.sqrt(imp[i]), 'by sample': imp[b], 'mean I': meanI }[f.weight ?? 'I'];
      s += w * (f.term === 'abs' ? Math.abs(e) : e * e);
    }
  }
  const sumI = imp.reduce((a, v) => a + v, 0);
  const divide = { mean: batch * n, 'sum over features': batch, 'sum over batch': n, sum: 1, 'over sum I': batch * sumI }[f.reduce ?? 'mean'];
  const loss = s / divide;
  return f.root ? Math.sqrt(loss) : loss;
}

/** The usual mistakes, in the order they are tried, each with its hint. */
const MISTAKES: [Formula, string][] = [
  [{ weight: 'none' }, 'weight each squared error by its feature\'s importance: the loss is the mean of I_i (x_i - x\'_i)^2, not of (x_i - x\'_i)^2'],
  [{ weight: 'I squared' }, 'multiply the squared error by I_i: squaring I_i (x_i - x\'_i) weights it by I_i^2. The weight goes outside the square'],
  [{ weight: 'sqrt I' }, 'weight by I_i itself, not by its square root: I_i (x_i - x\'_i)^2'],
  [{ weight: 'mean I' }, 'weight each entry by its own feature\'s importance, I_i (x_i - x\'_i)^2, then take the mean: not the mean importance times the mean squared error'],
  [{ weight: 'by sample' }, 'importance has one value per feature (a column of x), not per sample: multiply row-wise, I [n] against x [batch, n] (tf broadcasts it along the rows)'],
  [{ reduce: 'sum over features' }, 'take the mean over the features too, as ARENA and the kit do (the paper\'s sum over features is n times it): a mean over batch AND features'],
  [{ reduce: 'sum over batch' }, 'take the mean over the batch too: the loss is the mean over batch AND features'],
  [{ reduce: 'sum' }, 'you summed over everything; the loss is the mean over the batch and the features'],
  [{ reduce: 'over sum I' }, 'divide by the number of entries (batch x n), not by the importances\' sum: a plain mean of I_i (x_i - x\'_i)^2'],
  [{ term: 'abs' }, 'square the error: I_i (x_i - x\'_i)^2, not I_i |x_i - x\'_i|'],
  [{ root: true }, 'no square root: the loss is the mean of I_i (x_i - x\'_i)^2 itself, not its root'],
];

const FALLBACK = 'loss = the mean over the batch and the n features of I_i (x_i - x\'_i)^2, notebook 15\'s loss for one instance';

/** The toy model's importance-weighted loss of one instance, against the kit's (toy/model.ts). */
export function toyLoss(fn: ToyLossFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(1517);
  // The kit's loss, as ToyModel.instanceLosses computes it for one instance.
  const kitLoss = (x: Float32Array, xHat: Float32Array, imp: Float32Array, batch: number, n: number) => floatsOf(() =>
    tf.mean(tf.mul(tf.tensor1d(imp), tf.squaredDifference(tf.tensor2d(x, [batch, n]), tf.tensor2d(xHat, [batch, n])))))[0];
  const make = (name: string, inputs: string, x: Float32Array, xHat: Float32Array, imp: Float32Array, n: number, want?: number): Case => {
    const batch = x.length / n;
    return {
      name,
      inputs: `${inputs}; x and xHat ${batch}x${n}, importance ${list(imp)}`,
      run(): Failure | null {
        const expected = want ?? kitLoss(x, xHat, imp, batch, n);
        const res = callLearner(() => [tf.tensor2d(x, [batch, n]), tf.tensor2d(xHat, [batch, n]), tf.tensor1d(imp)],
          ([a, b, c]) => fn(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor1D), ['x', 'xHat', 'importance']);
        if (res.values === null) {
          const hint = typeof res.returned === 'number' ? 'return the loss as a tf.Scalar (a tensor of shape []), not a number: it is what training differentiates'
            : 'return a tf.Scalar: a tensor of shape [] holding the loss';
          return { expected: `a scalar tensor (${num(expected)})`, got: res.description, hint };
        }
        if (res.shape.length !== 0) {
          const axis = res.shape.length === 1 && res.shape[0] === n ? 'one value per feature: you averaged over the batch only'
            : res.shape.length === 1 && res.shape[0] === batch ? 'one value per sample: you averaged over the features only'
              : res.shape.every((k) => k === 1) ? 'one value, but not a scalar (reshape it to [], or reduce with no axis)' : 'more than one value';
          return { expected: `a scalar tensor, shape [] (${num(expected)})`, got: `a tensor of shape [${res.shape}]`,
            hint: `${axis}; the loss is one number, the mean over batch and features (tf.mean with no axis gives a scalar)` };
        }
        const got = res.values[0];
        if (!close(got, expected)) {
          // (I [n] reshaped to [n, 1] broadcasts against x only when batch = n.)
          const named = MISTAKES.find(([f]) => {
            if (f.weight === 'by sample' && batch !== n) return false;
            const v = byFormula(x, xHat, imp, batch, n, f);
            return close(got, v) && !close(v, expected);
          });
          return scalarFailure(got, expected, named ? named[1] : FALLBACK);
        }
        if (res.disposed.length > 0) return disposedInputFailure(res.disposed[0]);
        if (res.leaked > 0) return leakFailure(res.leaked);
        return null;
      },
    };
  };
  const pair = (batch: number, n: number, noise: number) => {
    const x = new Float32Array(batch * n);
    sampleFeatures(rng, 0.4, batch, n, x);
    return { x, xHat: x.map((v) => Math.max(0, v + rng.uniform(-noise, noise))) };
  };
  const decay = (n: number, r: number) => Float32Array.from({ length: n }, (_, i) => r ** i);
  // The kit's own toy model: xHat = its forward pass, the expected loss its instanceLosses.
  // (In a scope: the model's constructor leaves its variables' initial values behind.)
  const fromModel = pair(16, 5, 0);
  tf.engine().startScope();
  const model = createToyModel({ inputDim: 5, hiddenDim: 2, instances: 1, importance: 0.9, seed: 15 });
  let kit: { xHat: Float32Array; loss: number; imp: Float32Array };
  try {
    const x3 = () => tf.tensor3d(fromModel.x, [1, 16, 5]);
    kit = { xHat: floatsOf(() => model.forward(x3())), loss: floatsOf(() => model.instanceLosses(x3()))[0],
      imp: floatsOf(() => tf.clone(model.importance)) };
  } finally {
    model.dispose();
    tf.engine().endScope();
  }
  const noisy = pair(8, 5, 0.3);
  const square = pair(4, 4, 0.5);
  const wide = pair(3, 40, 0.2);
  const single = pair(1, 6, 0.4);
  return runCheck('toyLoss', [
    make('worked by hand', 'x = [[1, 0, 0.5], [0, 1, 0]], xHat = [[0.5, 0, 0.5], [0, 0, 0.5]]',
      Float32Array.from([1, 0, 0.5, 0, 1, 0]), Float32Array.from([0.5, 0, 0.5, 0, 0, 0.5]), Float32Array.from([1, 0.5, 0.25]), 3),
    make('importances 0.9^i', 'sparse features, xHat = x + noise, clipped at 0', noisy.x, noisy.xHat, decay(5, 0.9), 5),
    make('the kit\'s toy model', 'xHat = an untrained ToyModel\'s read-out of x, I_i = 0.9^i', fromModel.x, kit.xHat, kit.imp, 5, kit.loss),
    make('as many samples as features', 'xHat = x + noise, I_i = 0.1^i', square.x, square.xHat, decay(4, 0.1), 4),
    make('a perfect reconstruction', 'xHat = x', noisy.x, Float32Array.from(noisy.x), decay(5, 0.7), 5),
    make('a single sample', 'xHat = x + noise', single.x, single.xHat, uniform(rng, 1, 6, 0.1, 2), 6),
    make('forty features', 'xHat = x + noise, I_i = 0.95^i', wide.x, wide.xHat, decay(40, 0.95), 40),
  ], options, toyLossErrorHint);
}

/** A hint for tfjs's errors that the usual mistakes raise. */
function toyLossErrorHint(err: unknown): string | null {
  const message = err instanceof Error ? err.message : '';
  // wasm says 'broadcast'; TensorFlow (tfjs-node) reports a shape mismatch as status 3, InvalidArgument
  if (/broadcast|Incompatible shapes|TF_Status: 3/i.test(message)) {
    return 'importance [n] holds one value per feature, the columns of x [batch, n]: multiply it as it is (tf broadcasts it along the rows), with no reshape';
  }
  return null;
}
