/**
 * Check of notebook 17's JumpReLU task: f = a H(a - θ) (H(u) = 1 for u > 0, else 0; θ [m] one
 * threshold per latent) with the kit's straight-through pseudo-derivatives, through tf.customGrad
 * (interp/activations/jumprelu.ts `jumpRelu`): with k = (1/ε) K((a - θ)/ε), K the rectangle on
 * (-1/2, 1/2), so k = 1/ε where |a - θ| < ε/2,
 *
 *   ∂f/∂a = H(a - θ) + θ k          ∂f/∂θ = -θ k
 *
 * The check compares the forward values and the gradients to a and θ of sum(f · w), w a fixed
 * random weight, with the kit's; one case compares them with central differences (float64) of the
 * kernel-smoothed objective instead, whose derivatives the pseudo-derivatives are (the code's jump of
 * height θ spread over the window by H_ε(u) = clamp(u/ε + 1/2, 0, 1)). No case puts a - θ near an
 * edge of any window the usual mistakes use. A table of independent cases, and the usual mistakes as
 * variants of the pseudo-derivatives, for recognising them (CONTRIBUTING rule 4's exception).
 */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { floatsOf } from '../runtime/values';
import { jumpRelu as kitJumpRelu } from '../interp/activations/jumprelu';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { Failure, allClose, arrayFailure, disposedInputFailure, leakFailure, list } from './format';
import { callLearner, freeingTape } from './call';
import { uniform } from './data';

/** The learner's JumpReLU: pre-activations a [batch, m], thresholds θ [m], bandwidth ε -> a H(a - θ) [batch, m], with the kit's gradients. */
export type JumpReluFn = (a: tf.Tensor2D, theta: tf.Tensor1D, epsilon: number) => tf.Tensor2D;

/** One case's inputs: a and the weight w of sum(f · w) [rows, m], θ [m], ε. */
interface Point {
  a: Float32Array;
  theta: Float32Array;
  w: Float32Array;
  rows: number;
  m: number;
  eps: number;
}

/** Gradients of sum(f · w) to a [rows·m] and θ [m]. */
interface Grads {
  ga: Float64Array;
  gt: Float64Array;
}

/** A way to take the pseudo-derivatives, right or wrong, for recognising a learner's answer. */
interface Pseudo {
  /** H(u) in a's gradient: 1 for u > 0 (right) or for u >= 0 */
  gate?: '>' | '>=';
  /** where k is non-zero: |u| < ε/2 (right), |u| < ε, |u| < ε/4, 0 <= u < ε, -ε < u <= 0 */
  window?: 'right' | 'half-width ε' | 'width ε/2' | 'above' | 'below';
  /** k's height there: 1/ε (right), 1, 1/(2ε) */
  height?: 'right' | 'one' | 'half';
  /** what a gets: H + θ k (right), H (the paper's), 1, θ k, 0 */
  toA?: 'right' | 'H only' | 'identity' | 'kernel only' | 'none';
  /** what θ gets, summed over the batch: -θ k (right), +θ k, 0, -k, the batch's mean of -θ k */
  toTheta?: 'right' | 'plus' | 'zero' | 'no θ factor' | 'mean';
  /** the upstream gradient dy (here w) multiplied in (right) or left out */
  dy?: boolean;
}

function gradients(p: Point, q: Pseudo): Grads {
  const { a, theta, w, rows, m, eps } = p;
  const ga = new Float64Array(rows * m);
  const gt = new Float64Array(m);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < m; j++) {
      const i = r * m + j;
      const u = Math.fround(a[i] - theta[j]);
      const h = (q.gate === '>=' ? u >= 0 : u > 0) ? 1 : 0;
      const inside = {
        right: Math.abs(u) < eps / 2, 'half-width ε': Math.abs(u) < eps, 'width ε/2': Math.abs(u) < eps / 4,
        above: u >= 0 && u < eps, below: u > -eps && u <= 0,
      }[q.window ?? 'right'];
      const k = inside ? { right: 1 / eps, one: 1, half: 1 / (2 * eps) }[q.height ?? 'right'] : 0;
      const dy = q.dy === false ? 1 : w[i];
      const tk = theta[j] * k;
      ga[i] = dy * { right: h + tk, 'H only': h, identity: 1, 'kernel only': tk, none: 0 }[q.toA ?? 'right'];
      gt[j] += dy * { right: -tk, plus: tk, zero: 0, 'no θ factor': -k, mean: -tk / rows }[q.toTheta ?? 'right'];
    }
  }
  return { ga, gt };
}

/** Central differences (float64) of sum(w · f~) at the case's point, f~ the code with its jump spread by H_ε (see the file's comment). */
function smoothedGradients(p: Point): Grads {
  const { a, theta, w, rows, m, eps } = p;
  const smooth = (u: number) => Math.min(1, Math.max(0, u / eps + 0.5));
  // f~ = f(a0, θ0) + (a - a0) H(a0 - θ0) + θ0 (H_ε(a - θ) - H_ε(a0 - θ0)) entrywise; only entry i moves with a_i or θ_j.
  const entry = (i: number, ai: number, tj: number) => {
    const j = i % m;
    const gate = a[i] > theta[j] ? 1 : 0;
    return w[i] * (a[i] * gate + (ai - a[i]) * gate + theta[j] * (smooth(ai - tj) - smooth(a[i] - theta[j])));
  };
  const step = eps / 1000;
  const ga = Float64Array.from(a, (ai, i) => (entry(i, ai + step, theta[i % m]) - entry(i, ai - step, theta[i % m])) / (2 * step));
  const gt = new Float64Array(m);
  for (let i = 0; i < rows * m; i++) {
    const j = i % m;
    gt[j] += (entry(i, a[i], theta[j] + step) - entry(i, a[i], theta[j] - step)) / (2 * step);
  }
  return { ga, gt };
}

const PLAIN = 'θ got a zero gradient: plain tf ops (tf.step, a comparison) give the jump no gradient, so θ gets none. Compute f inside ' +
  'tf.customGrad and return, besides a\'s gradient, θ\'s pseudo-derivative -Σ over the batch of dy·θ·k';

const GRAD_MISTAKES: [Pseudo, string][] = [
  [{ toA: 'H only', toTheta: 'zero' }, PLAIN],
  [{ toTheta: 'zero' }, PLAIN],
  [{ toA: 'H only' }, 'the kit passes the kernel term to a too: ∂f/∂a = H(a - θ) + θ·k (the paper gives a only H), so a\'s gradient is dy·(H(a - θ) + θ·k)'],
  [{ toTheta: 'plus' }, 'the sign of θ\'s gradient: ∂f/∂θ = -θ·k (raising θ moves the jump past a, which drops the code from θ to 0)'],
  [{ toTheta: 'no θ factor' }, 'θ\'s gradient is -θ·k, not -k: the code jumps by θ at a = θ, so the kernel is scaled by the jump\'s height θ (-k is the L0\'s ∂H/∂θ)'],
  [{ toTheta: 'mean' }, 'sum θ\'s gradient over the batch (every row\'s code depends on θ_j), not the mean: -Σ over the rows of dy·θ·k'],
  [{ window: 'half-width ε' }, 'the rectangle K is 1 on (-1/2, 1/2), so k = (1/ε) K((a - θ)/ε) is non-zero where |a - θ| < ε/2: the bandwidth ε is the window\'s whole width, not its half-width'],
  [{ window: 'width ε/2' }, 'the window is |a - θ| < ε/2 (the bandwidth ε is its whole width): yours is half as wide, |a - θ| < ε/4'],
  [{ height: 'one' }, 'k = (1/ε) K((a - θ)/ε): inside the window k is 1/ε, not 1 (the kernel has area 1)'],
  [{ window: 'half-width ε', height: 'half' }, 'k is 1/ε on |a - θ| < ε/2 (K is the rectangle on (-1/2, 1/2)), not 1/(2ε) on |a - θ| < ε'],
  [{ window: 'above' }, 'centre the window on the jump: k is non-zero where |a - θ| < ε/2, on both sides of θ (yours lies above θ only)'],
  [{ window: 'below' }, 'centre the window on the jump: k is non-zero where |a - θ| < ε/2, on both sides of θ (yours lies below θ only)'],
  [{ dy: false }, 'multiply by dy, the gradient that flows in from above (the check weights f by a random w): a gets dy·(H(a - θ) + θ·k), θ gets -Σ dy·θ·k'],
  [{ toA: 'identity' }, '∂f/∂a is not 1 everywhere: it is H(a - θ) + θ·k, 0 below the window'],
  [{ toA: 'kernel only' }, '∂f/∂a = H(a - θ) + θ·k: add H(a - θ), the gradient of the code a above θ'],
  [{ toA: 'none' }, 'a gets a gradient too: dy·(H(a - θ) + θ·k); return [a\'s gradient, θ\'s gradient] from gradFunc'],
  [{ gate: '>=' }, 'H(a - θ) in a\'s gradient is the forward\'s: 0 where a = θ exactly (H(u) = 1 for u > 0 only)'],
];

const FALLBACK = 'f = a·H(a - θ); with k = 1/ε where |a - θ| < ε/2 (else 0), a gets dy·(H(a - θ) + θ·k) and θ_j gets -Σ over the batch of dy·θ_j·k';

/** Why wrong gradients are wrong: a usual mistake they match, as a whole or in a's or θ's part alone, or the rule. */
function gradientHint(got: Grads, want: Grads, p: Point): string {
  const same = (g: Grads, h: Grads) => allClose(g.ga, h.ga) && allClose(g.gt, h.gt);
  const tried = GRAD_MISTAKES.map(([q, hint]) => ({ g: gradients(p, q), hint }));
  const whole = tried.find(({ g }) => same(got, g) && !same(g, want));
  if (whole) return whole.hint;
  const [okA, okT] = [allClose(got.ga, want.ga), allClose(got.gt, want.gt)];
  const byT = okT ? undefined : tried.find(({ g }) => allClose(got.gt, g.gt) && !allClose(g.gt, want.gt));
  const byA = okA ? undefined : tried.find(({ g }) => allClose(got.ga, g.ga) && !allClose(g.ga, want.ga));
  if (byT ?? byA) return (byT ?? byA)!.hint;
  if (okA) return `a's gradient is right, θ's is not: θ_j gets -Σ over the batch of dy·θ_j·k, k = 1/ε where |a - θ| < ε/2`;
  if (okT) return `θ's gradient is right, a's is not: a gets dy·(H(a - θ) + θ·k), k = 1/ε where |a - θ| < ε/2`;
  return FALLBACK;
}

/** Why a wrong forward value is wrong. */
function forwardHint(got: Float32Array, p: Point): string {
  const { a, theta, m } = p;
  const by = (f: (v: number, t: number) => number) => allClose(got, Float32Array.from(a, (v, i) => f(v, theta[i % m])));
  if (by((v, t) => (v >= t ? v : 0))) return 'H(a - θ) is 1 for a > θ only (strictly): where a = θ exactly the code is 0';
  if (by((v) => Math.max(v, 0))) return 'that is ReLU: the code is a where a > θ_j (latent j\'s threshold, broadcast over the batch), else 0';
  if (by((v, t) => Math.max(v - t, 0))) return 'the code keeps a itself above θ, a·H(a - θ) (a jump of height θ at a = θ), not a - θ';
  if (by((v, t) => (v > t ? 1 : 0))) return 'return the code a·H(a - θ), not the step H(a - θ) itself';
  return 'f = a·H(a - θ): a where a > θ_j (strictly), 0 elsewhere';
}

/** Gradients of sum(f · w) to a and θ, f = jump(a, θ); tf.grads' and tf.customGrad's errors are thrown. */
function gradientsOf(p: Point, jump: (a: tf.Tensor2D, theta: tf.Tensor1D) => tf.Tensor): Grads {
  const { rows, m } = p;
  const v = floatsOf(() => {
    const w = tf.tensor2d(p.w, [rows, m]);
    const [ga, gt] = tf.grads((x: tf.Tensor, t: tf.Tensor) => tf.sum(tf.mul(jump(x as tf.Tensor2D, t as tf.Tensor1D), w)))(
      [tf.tensor2d(p.a, [rows, m]), tf.tensor1d(p.theta)]);
    return tf.concat([tf.reshape(ga, [-1]), tf.reshape(gt, [-1])]);
  });
  return { ga: Float64Array.from(v.subarray(0, rows * m)), gt: Float64Array.from(v.subarray(rows * m)) };
}

/** JumpReLU's forward and straight-through gradients, against the kit's jumpRelu (interp/activations/jumprelu.ts). */
export function jumpRelu(fn: JumpReluFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(1702);
  const make = (name: string, inputs: string, p: Point, smoothed = false): Case => ({
    name,
    inputs: `${inputs}; a ${p.rows}x${p.m}, θ ${list(p.theta)}, ε ${p.eps}; gradients of sum(f·w)${smoothed ? '' : ' against the kit\'s'}`,
    run(): Failure | null {
      const { rows, m, eps } = p;
      const want = floatsOf(() => kitJumpRelu(tf.tensor2d(p.a, [rows, m]), tf.tensor1d(p.theta), eps));
      const res = callLearner(() => [tf.tensor2d(p.a, [rows, m]), tf.tensor1d(p.theta)],
        ([a, t]) => fn(a as tf.Tensor2D, t as tf.Tensor1D, eps), ['a', 'theta']);
      if (res.values === null) return { expected: `a tensor [${rows}, ${m}]`, got: res.description, hint: 'return the code f as a tensor shaped like a' };
      if (res.shape.length !== 2 || res.shape[0] !== rows || res.shape[1] !== m) {
        return { expected: `shape [${rows}, ${m}]`, got: `shape [${res.shape}]`, hint: 'the code has the shape of a: one row per input, one entry per latent' };
      }
      if (!allClose(res.values, want)) return arrayFailure(res.values, want, forwardHint(res.values, p));
      if (res.disposed.length > 0) return disposedInputFailure(res.disposed[0]);
      if (res.leaked > 0) return leakFailure(res.leaked);
      // The learner's function again, inside tf.grads (which frees what it makes), with the call's time budget.
      const got = callLearner(() => [], () => freeingTape(() => gradientsOf(p, (a, t) => fn(a, t, eps)))).returned;
      const expected = smoothed ? smoothedGradients(p) : gradientsOf(p, (a, t) => kitJumpRelu(a, t, eps));
      if (!allClose(got.ga, expected.ga) || !allClose(got.gt, expected.gt)) {
        const hint = gradientHint(got, expected, p);
        const [what, g, e] = allClose(got.ga, expected.ga) ? ['θ', got.gt, expected.gt] : ['a', got.ga, expected.ga];
        const failure = arrayFailure(g, e, hint);
        return { ...failure, expected: `the gradient to ${what} ${failure.expected}` };
      }
      return null;
    },
  });
  return runCheck('jumpRelu', cases(rng).map(([name, inputs, p, smoothed]) => make(name, inputs, p, smoothed)), options, jumpReluErrorHint);
}

/** a = θ + u, u drawn in (-1.5ε, 1.5ε) or from (lo, hi) - θ, none within 0.03ε of 0 or an edge of a window (ε/4, ε/2, ε). */
function pointNear(rng: Rng, rows: number, theta: Float32Array, eps: number, lo: number, hi: number, weight = 1): Point {
  const m = theta.length;
  const edges = [0, eps / 4, eps / 2, eps];
  const a = new Float32Array(rows * m);
  for (let i = 0; i < a.length; i++) {
    const t = theta[i % m];
    let v = 0;
    do v = Math.fround(rng.next() < 0.6 ? t + rng.uniform(-1.5 * eps, 1.5 * eps) : rng.uniform(lo, hi));
    while (edges.some((e) => Math.abs(Math.abs(v - t) - e) < 0.03 * eps));
    a[i] = v;
  }
  return { a, theta, w: uniform(rng, rows, m, -weight, weight), rows, m, eps };
}

function cases(rng: Rng): [string, string, Point, boolean][] {
  const f32 = (v: number[]) => Float32Array.from(v);
  const byHand: Point = {
    a: f32([0.56, 0.47, 1, -0.3, 0.9, 0.62, 0.16, 0.87]), theta: f32([0.5, 0.5, 0.2, 0.8]),
    w: f32([1, -0.5, 2, 1, 0.5, 1, -1, 1.5]), rows: 2, m: 4, eps: 0.2,
  };
  const atTheta: Point = {
    a: f32([0.25, 0.5, 0.75, 0.25, 0.9, 0.7, 0.3, 0.5, 1]), theta: f32([0.25, 0.5, 0.75]),
    w: f32([1, 2, -1, 0.5, 1, 1, -2, 1.5, 1]), rows: 3, m: 3, eps: 0.3,
  };
  return [
    ['worked by hand', 'a = [[0.56, 0.47, 1, -0.3], [0.9, 0.62, 0.16, 0.87]], w = [[1, -0.5, 2, 1], [0.5, 1, -1, 1.5]]: ' +
      'f = [[0.56, 0, 1, 0], [0.9, 0.62, 0, 0.87]], θ\'s gradient [-2.5, 1.25, 1, -6]', byHand, false],
    ['pre-activations exactly at θ', 'a = [[0.25, 0.5, 0.75], [0.25, 0.9, 0.7], [0.3, 0.5, 1]]: four entries equal their θ', atTheta, false],
    ['random pre-activations', 'a around θ and in (-0.5, 1.5), w in (-1, 1)', pointNear(rng, 6, uniform(rng, 1, 5, 0.2, 0.8), 0.3, -0.5, 1.5), false],
    ['finite differences of the smoothed objective', 'gradients against central differences (step ε/1000, float64) of sum(w·f~), ' +
      'f~ the code with its jump of height θ spread by H_ε(u) = clamp(u/ε + 1/2, 0, 1)', pointNear(rng, 4, uniform(rng, 1, 6, 0.1, 0.6), 0.25, -0.4, 1), true],
    ['a zero threshold', 'θ_0 = θ_2 = 0 (no kernel term there), negative a', pointNear(rng, 3, f32([0, 0.3, 0, 0.1]), 0.1, -1, 1), false],
    ['a single row', 'a around θ', pointNear(rng, 1, uniform(rng, 1, 8, 0.1, 0.9), 0.2, -0.5, 1.5), false],
    ['the kit\'s defaults', 'θ = 0.01 (the SAE\'s initial threshold), ε = 0.05 (SAELens\'), a in (-0.2, 0.3)',
      pointNear(rng, 32, new Float32Array(64).fill(0.01), 0.05, -0.2, 0.3), false],
  ];
}

/** A hint for the errors of tf.grads and tf.customGrad that the usual mistakes raise. */
function jumpReluErrorHint(err: unknown): string | null {
  const message = err instanceof Error ? err.message : '';
  if (/Tensor is disposed|reading 'backend'/.test(message)) {
    return 'gradFunc used a tensor that was freed: what the custom op\'s forward makes (and what your function makes around it, in tf.grads\' ' +
      'scope) is freed once the forward returns. In gradFunc use dy, the tensors the forward passed to save([...]) (gradFunc\'s second ' +
      'argument), and what you compute inside gradFunc';
  }
  if (/gradient function not found/.test(message)) {
    return 'a comparison (tf.greater, tf.cast of it) has no gradient, so with plain tf ops θ gets none: compute f inside tf.customGrad, ' +
      'whose gradFunc returns [a\'s gradient, θ\'s gradient]';
  }
  if (/Cannot compute gradient of y=f\(x\) with respect to x/.test(message)) {
    return 'θ does not reach your output through any op with a gradient: compute f inside tf.customGrad(f(a, theta)) and return θ\'s gradient from gradFunc';
  }
  if (/same number of tensors as inputs/.test(message)) {
    return 'gradFunc returns one gradient per input of the custom op, as an array: [a\'s gradient, θ\'s gradient] (θ gets -Σ over the batch of dy·θ·k)';
  }
  if (/list of only tensors/.test(message)) return 'every gradient gradFunc returns must be a tensor (not null): θ\'s is -Σ over the batch of dy·θ·k';
  if (/The gradient of input '1' has shape/.test(message)) {
    return 'θ\'s gradient has θ\'s shape [m]: sum dy·θ·k over the batch (axis 0), as every row\'s code depends on θ_j';
  }
  if (/The gradient of input '0' has shape/.test(message)) return 'a\'s gradient has a\'s shape [batch, m]: dy·(H(a - θ) + θ·k), entry by entry';
  if (/must all be tensors/.test(message)) return 'pass only tensors to the custom op (a and θ): read epsilon from the enclosing function';
  if (/obj\.value/.test(message)) return 'the function given to tf.customGrad returns { value, gradFunc }: value the code, gradFunc its gradients';
  return null;
}
