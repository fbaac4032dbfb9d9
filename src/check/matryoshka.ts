/**
 * Check of notebook 17's Matryoshka task: the reconstruction term of a Matryoshka SAE, the sum
 * over nested prefixes m_1 < ... < m_n = latentDim of mse(x, f[:, :m_i] W_dec[:m_i] + b_dec), mse
 * the mean over batch and inputDim (interp/activations/matryoshka.ts `matryoshkaReconstruction`,
 * core/losses.ts `mse`). A table of independent cases, and the usual mistakes as variants of the
 * sum, for recognising them (CONTRIBUTING rule 4's exception).
 */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { floatsOf } from '../runtime/values';
import { matryoshkaReconstruction } from '../interp/activations/matryoshka';
import { batchTopK } from '../interp/activations/batchtopk';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { Failure, close, disposedInputFailure, leakFailure, num, scalarFailure } from './format';
import { callLearner } from './call';
import { uniform } from './data';

/** The learner's Matryoshka loss: x [batch, d], f [batch, n], wDec [n, d], bDec [d], prefix sizes (last = n) -> scalar. */
export type MatryoshkaLossFn = (x: tf.Tensor2D, f: tf.Tensor2D, wDec: tf.Tensor2D, bDec: tf.Tensor1D, prefixes: readonly number[]) => tf.Scalar;

/** A way to add up the levels, right or wrong, for recognising a learner's answer. */
interface Levels {
  /** level i decodes latents 0 .. m_i - 1 (right) or the group m_{i-1} .. m_i - 1 */
  nested?: boolean;
  /** the levels' losses summed (right) or averaged */
  combine?: 'sum' | 'mean';
  /** b_dec added to every level (right), to the last only, or to none */
  bias?: 'each' | 'last only' | 'none';
  /** level i decodes m_i + offset latents (0 right) */
  offset?: number;
  /** each level's error: mean over batch and d (right), mean over the batch of the sum over d, or the plain sum */
  error?: 'mean' | 'sum over d' | 'sum';
  /** which levels: every prefix (right), all but the last, every prefix and the whole code once more, the whole code alone */
  levels?: 'all' | 'inner only' | 'last twice' | 'last only';
}

interface Inputs {
  x: Float32Array;
  f: Float32Array;
  w: Float32Array;
  b: Float32Array;
  rows: number;
  n: number;
  d: number;
  prefixes: number[];
}

function byLevels(p: Inputs, l: Levels): number {
  const { x, f, w, b, rows, n, d } = p;
  const m = p.prefixes;
  const levels = { all: m, 'inner only': m.slice(0, -1), 'last twice': [...m, n], 'last only': [n] }[l.levels ?? 'all'];
  const losses = levels.map((size, i) => {
    const hi = Math.max(0, Math.min(n, size + (l.offset ?? 0)));
    const lo = l.nested === false && i > 0 ? levels[i - 1] : 0;
    const bias = (l.bias ?? 'each') === 'each' || (l.bias === 'last only' && size === n);
    let se = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < d; c++) {
        let v = bias ? b[c] : 0;
        for (let j = lo; j < hi; j++) v += f[r * n + j] * w[j * d + c];
        se += (x[r * d + c] - v) ** 2;
      }
    }
    return se / { mean: rows * d, 'sum over d': rows, sum: 1 }[l.error ?? 'mean'];
  });
  const total = losses.reduce((s, v) => s + v, 0);
  return l.combine === 'mean' ? total / losses.length : total;
}

const MISTAKES: [Levels, string][] = [
  [{ combine: 'mean' }, 'add the levels\' losses up: the kit\'s term is their sum, as the paper\'s and SAELens\' are (a mean over the prefixes is dictionary_learning\'s weighting)'],
  [{ nested: false }, 'the prefixes are nested: level i decodes the first m_i latents, f[:, 0:m_i] (from latent 0 on), not the group m_{i-1} .. m_i - 1 alone'],
  [{ bias: 'none' }, 'add b_dec to every level\'s reconstruction: x_hat_i = f[:, :m_i] W_dec[:m_i] + b_dec'],
  [{ bias: 'last only' }, 'add b_dec to every level, not only to the whole code\'s: x_hat_i = f[:, :m_i] W_dec[:m_i] + b_dec'],
  [{ offset: 1 }, 'off by one: the first m latents are columns 0 .. m - 1 of f and rows 0 .. m - 1 of W_dec (tf.slice with size m), not m + 1 of them'],
  [{ offset: -1 }, 'off by one: the first m latents are columns 0 .. m - 1 of f and rows 0 .. m - 1 of W_dec (tf.slice with size m), not m - 1 of them'],
  [{ error: 'sum over d' }, 'each level\'s loss is the kit\'s mse: the mean over the batch AND the d inputs (nn.MSELoss), not the sum over d'],
  [{ error: 'sum' }, 'each level\'s loss is the kit\'s mse: the mean over the batch and the d inputs, not the sum'],
  [{ levels: 'last twice' }, 'the last prefix is the whole code (m_n = n): its loss is in the sum once, so do not add the plain MSE again'],
  [{ levels: 'inner only' }, 'the last prefix, the whole code, is a level too: the sum runs over every prefix, m_n = n included'],
  [{ levels: 'last only' }, 'that is the plain MSE of the whole code: sum the MSE of every prefix\'s reconstruction'],
  [{ combine: 'mean', bias: 'none' }, 'sum the levels\' losses (not their mean) and add b_dec to every level'],
];

const FALLBACK = 'the loss is the sum over the prefixes m of mse(x, f[:, :m] W_dec[:m] + b_dec), mse the mean over the batch and the d inputs';

/** The Matryoshka reconstruction term, against the kit's matryoshkaReconstruction (interp/activations/matryoshka.ts). */
export function matryoshkaLoss(fn: MatryoshkaLossFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(1703);
  const make = (name: string, inputs: string, p: Inputs): Case => ({
    name,
    inputs: `${inputs}; x ${p.rows}x${p.d}, f ${p.rows}x${p.n}, prefixes [${p.prefixes.join(', ')}]`,
    run(): Failure | null {
      const { rows, n, d } = p;
      const tensors = () => [tf.tensor2d(p.x, [rows, d]), tf.tensor2d(p.f, [rows, n]), tf.tensor2d(p.w, [n, d]), tf.tensor1d(p.b)];
      const want = floatsOf(() => {
        const [x, f, w, b] = tensors() as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        return matryoshkaReconstruction({ x, f, xHat: tf.add(tf.matMul(f, w), b) as tf.Tensor2D, decoder: () => w, bias: b }, p.prefixes);
      })[0];
      const res = callLearner(tensors, ([x, f, w, b]) => fn(x as tf.Tensor2D, f as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, p.prefixes.slice()),
        ['x', 'f', 'wDec', 'bDec']);
      if (res.values === null) {
        const hint = typeof res.returned === 'number' ? 'return the loss as a tf.Scalar (a tensor of shape []), not a number: training differentiates it'
          : 'return a tf.Scalar: a tensor of shape [] holding the loss';
        return { expected: `a scalar tensor (${num(want)})`, got: res.description, hint };
      }
      if (res.shape.length !== 0) {
        const hint = res.shape.length === 1 && res.shape[0] === p.prefixes.length ? 'one value per prefix: add them up into one scalar'
          : 'the loss is one number: the sum over the prefixes of each level\'s mse (a mean with no axis gives a scalar)';
        return { expected: `a scalar tensor, shape [] (${num(want)})`, got: `a tensor of shape [${res.shape}]`, hint };
      }
      const got = res.values[0];
      if (!close(got, want)) {
        const named = MISTAKES.find(([l]) => {
          const v = byLevels(p, l);
          return close(got, v) && !close(v, want);
        });
        return scalarFailure(got, want, named ? named[1] : FALLBACK);
      }
      if (res.disposed.length > 0) return disposedInputFailure(res.disposed[0]);
      if (res.leaked > 0) return leakFailure(res.leaked);
      return null;
    },
  });
  const random = (rows: number, n: number, d: number, prefixes: number[], density = 0.5): Inputs => ({
    x: uniform(rng, rows, d, -1, 1),
    f: uniform(rng, rows, n, 0, 1).map((v) => (rng.next() < density ? v : 0)),
    w: uniform(rng, n, d, -0.5, 0.5),
    b: uniform(rng, 1, d, -0.3, 0.3),
    rows, n, d, prefixes,
  });
  // BatchTopK codes of the notebook's size: 64 latents, 4 per input on average.
  const big = random(32, 64, 20, [4, 16, 64]);
  big.f = floatsOf(() => batchTopK(tf.tensor2d(uniform(rng, 32, 64, -1, 1), [32, 64]), 4));
  return runCheck('matryoshkaLoss', [
    make('worked by hand', 'f = [[1, 0, 2, 0.5], [0, 3, 0, 1]], b_dec = [0.1, -0.2, 0.3]', {
      x: Float32Array.from([1, 2, 3, -1, 0, 2]), f: Float32Array.from([1, 0, 2, 0.5, 0, 3, 0, 1]),
      w: Float32Array.from([1, 0, 1, 0, 1, 1, 2, -1, 0, 0.5, 0.5, -1]), b: Float32Array.from([0.1, -0.2, 0.3]),
      rows: 2, n: 4, d: 3, prefixes: [1, 3, 4],
    }),
    make('two prefixes', 'random codes, half of them 0', random(8, 6, 5, [2, 6])),
    make('one latent per level', 'prefixes 1, 2, ..., n', random(4, 5, 3, [1, 2, 3, 4, 5])),
    make('a single prefix', 'prefixes [n]: the plain MSE', random(6, 7, 4, [7])),
    make('a single sample', 'random dense codes', random(1, 8, 6, [3, 5, 8], 1)),
    make('the notebook\'s size', 'BatchTopK codes, k = 4', big),
  ], options, matryoshkaErrorHint);
}

/** A hint for tfjs's errors that the usual mistakes raise. */
function matryoshkaErrorHint(err: unknown): string | null {
  const message = err instanceof Error ? err.message : '';
  if (/inner shapes|matMul|broadcast/i.test(message)) {
    return 'wDec is [n, d], one row per latent: f[:, :m] [batch, m] times wDec[:m] [m, d] (tf.slice(wDec, [0, 0], [m, -1])) gives [batch, d]';
  }
  // TensorFlow (tfjs-node) says only 'Invalid TF_Status: 3' (InvalidArgument) for either mistake
  if (/TF_Status: 3|Incompatible shapes/i.test(message)) {
    return 'TensorFlow found a shape mismatch: wDec is [n, d], one row per latent, so f[:, :m] [batch, m] times wDec[:m] ' +
      '[m, d] gives [batch, d]; and check for an off by one: the first m latents are columns 0 .. m - 1 of f and rows ' +
      '0 .. m - 1 of W_dec (tf.slice with size m), not m + 1 of them';
  }
  if (/slice|size|begin/i.test(message)) {
    return 'the first m latents: tf.slice(f, [0, 0], [-1, m]) (columns 0 .. m - 1) and tf.slice(wDec, [0, 0], [m, -1]) (rows 0 .. m - 1)';
  }
  return null;
}
