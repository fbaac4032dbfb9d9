/**
 * Learner-style solutions of the 22 course tasks, written from the notebooks' task cells and the
 * lesson (not from the checks): several correct ones per task, written the ways learners write
 * them (tensor ops, float64 loops, float32 accumulation, functional style), and the mistakes
 * learners really make. variants.test.ts runs every one through its check.
 *
 *  - correct: true  — really correct per the notebook and the lesson, leaks no tensors and leaves
 *                     its inputs alone (`note` says what is special about it, if anything)
 *  - correct: false — `mistake` says what is wrong, in one line
 *  - doubt          — set where the classification is debatable (the report lists these apart)
 *  - hangs          — never returns (a synchronous infinite loop or an endless async loop); the
 *                     test runs these last, with a 1 s budget that the check must enforce
 */
import { tf } from '../../src/runtime/backend';
import { KL_EPS, KL_UPPER } from '../../src/core/losses';
import { leastSquares } from '../../src/check';
import { assignMax } from '../../src/truth/hungarian';
import type {
  DecodeOneHotFn, FvuFn, KeepTopKFn, KlPenaltyFn, L1PenaltyFn, MatchSparsityFn, NumericalGradientFn, OmpCode, OmpFn,
  InterferenceFn, MccFn, SelectivityFn, SparsityFn, SparsityMatch, SparsityNumbers, SweepFn, SweepRow, TopKFn, TrainStepFn,
  ToyLossFn, FiringFn, IstaStepFn, BatchTopKFn, JumpReluFn, MatryoshkaLossFn, DiagnoseFn, TrainingRecord,
} from '../../src/check';
import type { SparseAutoencoder } from '../../src/core/sae';
import type { Optimizer } from '../../src/core/train';

/** The learner's function type of each task. */
export interface TaskFns {
  l1Penalty: L1PenaltyFn;
  klPenalty: KlPenaltyFn;
  numericalGradient: NumericalGradientFn;
  trainStep: TrainStepFn;
  sparsity: SparsityFn;
  decodeOneHot: DecodeOneHotFn;
  sweep: SweepFn;
  matchSparsity: MatchSparsityFn;
  selectivity: SelectivityFn;
  keepTopK: KeepTopKFn;
  omp: OmpFn;
  topK: TopKFn;
  fvu: FvuFn;
  toyLoss: ToyLossFn;
  interference: InterferenceFn;
  mcc: MccFn;
  firing: FiringFn;
  istaStep: IstaStepFn;
  batchTopK: BatchTopKFn;
  jumpRelu: JumpReluFn;
  matryoshkaLoss: MatryoshkaLossFn;
  diagnose: DiagnoseFn;
}
export type TaskName = keyof TaskFns;
export const TASK_NAMES: readonly TaskName[] = [
  'l1Penalty', 'klPenalty', 'numericalGradient', 'trainStep', 'sparsity', 'decodeOneHot', 'sweep', 'matchSparsity',
  'selectivity', 'keepTopK', 'omp', 'topK', 'fvu', 'toyLoss', 'interference', 'mcc', 'firing', 'istaStep',
  'batchTopK', 'jumpRelu', 'matryoshkaLoss', 'diagnose',
];
export const ASYNC_TASKS: ReadonlySet<TaskName> = new Set<TaskName>(['sweep', 'matchSparsity']);

interface Base {
  name: string;
  correct: boolean;
  /** one line: what is wrong (wrong variants) */
  mistake?: string;
  /** one line: what is special about a correct variant */
  note?: string;
  /** why the classification is debatable */
  doubt?: string;
  /** never returns: run only with SAE_VARIANTS_HANG=1 */
  hangs?: boolean;
}
export type Variant = { [K in TaskName]: Base & { task: K; fn: TaskFns[K] } }[TaskName];

const variants: Variant[] = [];
function add<K extends TaskName>(task: K, name: string, correct: boolean, fn: TaskFns[K], extra: Omit<Base, 'name' | 'correct'> = {}): void {
  variants.push({ task, name, correct, fn, ...extra } as Variant);
}
const ok = <K extends TaskName>(task: K, name: string, fn: TaskFns[K], note?: string, doubt?: string) =>
  add(task, name, true, fn, { note, doubt });
const bad = <K extends TaskName>(task: K, name: string, mistake: string, fn: TaskFns[K], extra: Omit<Base, 'name' | 'correct' | 'mistake'> = {}) =>
  add(task, name, false, fn, { mistake, ...extra });
/** A wrong function whose type does not even match the task's (returns the wrong kind of value). */
const anyFn = <F>(f: unknown): F => f as F;

const NO_GRAD = 'reads the values with dataSync and returns a fresh tf.scalar/tensor: the value is right but no gradient flows through it';

// =============================================================================================
// l1Penalty: mean |h| over batch and units, in a tf.tidy.

ok('l1Penalty', 'tensor: tidy mean(abs)', (h) => tf.tidy(() => tf.mean(tf.abs(h)) as tf.Scalar));
ok('l1Penalty', 'tensor: norm 1 / size', (h) => tf.tidy(() => tf.div(tf.norm(h, 1), h.size) as tf.Scalar));
ok('l1Penalty', 'tensor loop over rows (differentiable)', (h) => tf.tidy(() => {
  const [rows, cols] = h.shape;
  let acc: tf.Tensor = tf.scalar(0);
  for (let r = 0; r < rows; r++) acc = tf.add(acc, tf.sum(tf.abs(tf.slice(h, [r, 0], [1, cols]))));
  return tf.div(acc, rows * cols) as tf.Scalar;
}));
ok('l1Penalty', 'float64 loop over dataSync', (h) => {
  const v = h.dataSync();
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
  return tf.scalar(s / v.length);
}, NO_GRAD, 'not differentiable: fine if the check only compares values');
ok('l1Penalty', 'float32 accumulator', (h) => {
  const v = h.dataSync();
  const acc = new Float32Array(1);
  for (let i = 0; i < v.length; i++) acc[0] += Math.abs(v[i]);
  acc[0] /= v.length;
  return tf.scalar(acc[0]);
}, NO_GRAD + ' (float32 sum)', 'not differentiable: fine if the check only compares values');
ok('l1Penalty', 'functional reduce', (h) => {
  const v = Array.from(h.dataSync());
  return tf.scalar(v.map(Math.abs).reduce((a, b) => a + b, 0) / v.length);
}, NO_GRAD, 'not differentiable: fine if the check only compares values');

bad('l1Penalty', 'sum instead of mean', 'sums |h| (the formula\'s sum) instead of the lesson code\'s mean',
  (h) => tf.tidy(() => tf.sum(tf.abs(h)) as tf.Scalar));
bad('l1Penalty', 'no abs', 'mean of h, not of |h| (same on ReLU codes, wrong on negative entries)',
  (h) => tf.tidy(() => tf.mean(h) as tf.Scalar));
bad('l1Penalty', 'disposes h, leaks abs', 'disposes its input h and leaks the abs tensor (no tidy)', (h) => {
  const a = tf.abs(h);
  h.dispose();
  return tf.mean(a) as tf.Scalar;
});
bad('l1Penalty', 'no tidy (leaks abs)', 'no tf.tidy: the tf.abs intermediate is left behind on every call',
  (h) => tf.mean(tf.abs(h)) as tf.Scalar);
bad('l1Penalty', 'mean over batch, sum over units', 'mean over the batch only, summed over units (latentDim times too large)',
  (h) => tf.tidy(() => tf.sum(tf.mean(tf.abs(h), 0)) as tf.Scalar));
bad('l1Penalty', 'mean over units, sum over batch', 'mean over units only, summed over the batch (batch times too large)',
  (h) => tf.tidy(() => tf.sum(tf.mean(tf.abs(h), 1)) as tf.Scalar));
bad('l1Penalty', 'squares (L2)', 'mean of h^2 instead of |h|', (h) => tf.tidy(() => tf.mean(tf.square(h)) as tf.Scalar));
bad('l1Penalty', 'returns a number', 'returns a JS number, not a tf.Scalar',
  anyFn<L1PenaltyFn>((h: tf.Tensor2D) => tf.tidy(() => tf.mean(tf.abs(h))).dataSync()[0]));

// =============================================================================================
// klPenalty: rhoHat_j = mean over the batch, clamped to [KL_EPS, KL_UPPER]; sum_j KL(rho || rhoHat_j).

ok('klPenalty', 'tensor: clipByValue (notebook)', (h, rho) => tf.tidy(() => {
  const rhoHat = tf.clipByValue(tf.mean(h, 0), KL_EPS, KL_UPPER);
  const kl = tf.add(
    tf.mul(rho, tf.log(tf.div(rho, rhoHat))),
    tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, rhoHat)))));
  return tf.sum(kl) as tf.Scalar;
}));
ok('klPenalty', 'tensor: minimum/maximum, log differences', (h, rho) => tf.tidy(() => {
  const q = tf.minimum(tf.maximum(tf.mean(h, 0), KL_EPS), KL_UPPER);
  const a = tf.mul(rho, tf.sub(Math.log(rho), tf.log(q)));
  const b = tf.mul(1 - rho, tf.sub(Math.log(1 - rho), tf.log(tf.sub(1, q))));
  return tf.sum(tf.add(a, b)) as tf.Scalar;
}));
ok('klPenalty', 'float64 loops over dataSync', (h, rho) => {
  const [rows, cols] = h.shape;
  const v = h.dataSync();
  let total = 0;
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += v[i * cols + j];
    const q = Math.min(Math.max(s / rows, KL_EPS), KL_UPPER);
    total += rho * Math.log(rho / q) + (1 - rho) * Math.log((1 - rho) / (1 - q));
  }
  return tf.scalar(total);
}, NO_GRAD, 'not differentiable: fine if the check only compares values');
ok('klPenalty', 'float32 column means', (h, rho) => {
  const [rows, cols] = h.shape;
  const v = h.dataSync();
  const q = new Float32Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) q[j] += v[i * cols + j];
  for (let j = 0; j < cols; j++) q[j] = Math.min(Math.max(q[j] / rows, KL_EPS), KL_UPPER);
  const kl = new Float32Array(1);
  for (let j = 0; j < cols; j++) kl[0] += rho * Math.log(rho / q[j]) + (1 - rho) * Math.log((1 - rho) / (1 - q[j]));
  return tf.scalar(kl[0]);
}, NO_GRAD + ' (float32 accumulation)', 'not differentiable: fine if the check only compares values');
ok('klPenalty', 'functional', (h, rho) => {
  const rows = h.arraySync() as number[][];
  const clamp = (q: number) => Math.min(Math.max(q, KL_EPS), KL_UPPER);
  const kl = (q: number) => rho * Math.log(rho / q) + (1 - rho) * Math.log((1 - rho) / (1 - q));
  const rhoHat = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  return tf.scalar(rhoHat.map(clamp).map(kl).reduce((a, b) => a + b, 0));
}, NO_GRAD, 'not differentiable: fine if the check only compares values');

bad('klPenalty', 'no clamp', 'no clamp: a unit that is 0 on the whole batch gives log(rho/0) = Infinity',
  (h, rho) => tf.tidy(() => {
    const q = tf.mean(h, 0);
    return tf.sum(tf.add(tf.mul(rho, tf.log(tf.div(rho, q))), tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, q)))))) as tf.Scalar;
  }));
bad('klPenalty', 'clamp at 1 - 1e-8', 'clamps to 1 - 1e-8 as the lesson writes it: 1 in float32, so a saturated unit gives Infinity',
  (h, rho) => tf.tidy(() => {
    const q = tf.clipByValue(tf.mean(h, 0), 1e-8, 1 - 1e-8);
    return tf.sum(tf.add(tf.mul(rho, tf.log(tf.div(rho, q))), tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, q)))))) as tf.Scalar;
  }));
bad('klPenalty', 'mean over units', 'the mean of the per-unit KL over units instead of the sum',
  (h, rho) => tf.tidy(() => {
    const q = tf.clipByValue(tf.mean(h, 0), KL_EPS, KL_UPPER);
    return tf.mean(tf.add(tf.mul(rho, tf.log(tf.div(rho, q))), tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, q)))))) as tf.Scalar;
  }));
bad('klPenalty', 'KL(rhoHat || rho)', 'the arguments swapped: KL(rhoHat || rho)',
  (h, rho) => tf.tidy(() => {
    const q = tf.clipByValue(tf.mean(h, 0), KL_EPS, KL_UPPER);
    return tf.sum(tf.add(tf.mul(q, tf.log(tf.div(q, rho))), tf.mul(tf.sub(1, q), tf.log(tf.div(tf.sub(1, q), 1 - rho))))) as tf.Scalar;
  }));
bad('klPenalty', 'log of a negative (NaN)', 'sign error: (1 - rho) / (rhoHat - 1) is negative, its log is NaN',
  (h, rho) => tf.tidy(() => {
    const q = tf.clipByValue(tf.mean(h, 0), KL_EPS, KL_UPPER);
    return tf.sum(tf.add(tf.mul(rho, tf.log(tf.div(rho, q))), tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(q, 1)))))) as tf.Scalar;
  }));
bad('klPenalty', 'mean over axis 1', 'rhoHat as the mean over units (axis 1, one per sample) instead of over the batch',
  (h, rho) => tf.tidy(() => {
    const q = tf.clipByValue(tf.mean(h, 1), KL_EPS, KL_UPPER);
    return tf.sum(tf.add(tf.mul(rho, tf.log(tf.div(rho, q))), tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, q)))))) as tf.Scalar;
  }));
bad('klPenalty', 'first term only', 'drops the (1 - rho) log((1 - rho)/(1 - rhoHat)) term',
  (h, rho) => tf.tidy(() => {
    const q = tf.clipByValue(tf.mean(h, 0), KL_EPS, KL_UPPER);
    return tf.sum(tf.mul(rho, tf.log(tf.div(rho, q)))) as tf.Scalar;
  }));
bad('klPenalty', 'hard-coded rho 0.05', 'ignores the rho argument and uses the lesson\'s 0.05',
  (h) => tf.tidy(() => {
    const rho = 0.05;
    const q = tf.clipByValue(tf.mean(h, 0), KL_EPS, KL_UPPER);
    return tf.sum(tf.add(tf.mul(rho, tf.log(tf.div(rho, q))), tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, q)))))) as tf.Scalar;
  }));
bad('klPenalty', 'no tidy (leaks)', 'no tf.tidy: every intermediate tensor is left behind',
  (h, rho) => {
    const q = tf.clipByValue(tf.mean(h, 0), KL_EPS, KL_UPPER);
    return tf.sum(tf.add(tf.mul(rho, tf.log(tf.div(rho, q))), tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, q)))))) as tf.Scalar;
  });

// =============================================================================================
// numericalGradient: central differences, x left as found.

ok('numericalGradient', 'notebook loop (in place, restore)', (f, x, eps) => {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + eps;
    const up = f(x);
    x[i] = keep - eps;
    const down = f(x);
    x[i] = keep;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
});
ok('numericalGradient', 'functional, copies of x', (f, x, eps) => x.map((_, i) => {
  const up = Float64Array.from(x);
  const down = Float64Array.from(x);
  up[i] += eps;
  down[i] -= eps;
  return (f(up) - f(down)) / (2 * eps);
}));
ok('numericalGradient', 'float32 result array', (f, x, eps) => {
  const g = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + eps;
    const up = f(x);
    x[i] = keep - eps;
    const down = f(x);
    x[i] = keep;
    g[i] = (up - down) / (2 * eps);
  }
  return Float64Array.from(g);
}, 'differences in float64, the results stored in a Float32Array (relative rounding ~6e-8)');
ok('numericalGradient', 'tensor division of float64 differences', (f, x, eps) => {
  const diffs = new Float64Array(x.length);
  const work = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    work[i] = x[i] + eps;
    const up = f(work);
    work[i] = x[i] - eps;
    const down = f(work);
    work[i] = x[i];
    diffs[i] = up - down;
  }
  return Float64Array.from(tf.tidy(() => tf.div(tf.tensor1d(Float32Array.from(diffs)), 2 * eps).dataSync()));
}, 'a working copy of x; the final division in a float32 tensor (relative rounding ~6e-8)');
ok('numericalGradient', 'restores arithmetically (+= / -=)', (f, x, eps) => {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    x[i] += eps;
    const up = f(x);
    x[i] -= 2 * eps;
    const down = f(x);
    x[i] += eps;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}, 'puts x[i] back by adding eps again', 'x is restored only up to rounding (an ulp or so), not bit for bit');

bad('numericalGradient', 'forward differences', 'forward differences (f(x + eps) - f(x)) / eps: error O(eps), not O(eps^2)', (f, x, eps) => {
  const f0 = f(x);
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + eps;
    grad[i] = (f(x) - f0) / eps;
    x[i] = keep;
  }
  return grad;
});
bad('numericalGradient', 'divides by eps', 'central difference divided by eps instead of 2 eps (twice the gradient)', (f, x, eps) => {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + eps;
    const up = f(x);
    x[i] = keep - eps;
    const down = f(x);
    x[i] = keep;
    grad[i] = (up - down) / eps;
  }
  return grad;
});
bad('numericalGradient', 'does not restore x', 'leaves x[i] at x[i] - eps: x is changed, and later entries see the earlier moves', (f, x, eps) => {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + eps;
    const up = f(x);
    x[i] = keep - eps;
    const down = f(x);
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
});
bad('numericalGradient', 'restores only after the loop', 'puts x back only at the end: entry i is evaluated with entries < i still moved by -eps', (f, x, eps) => {
  const saved = Float64Array.from(x);
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    x[i] = saved[i] + eps;
    const up = f(x);
    x[i] = saved[i] - eps;
    const down = f(x);
    grad[i] = (up - down) / (2 * eps);
  }
  x.set(saved);
  return grad;
});
bad('numericalGradient', 'hard-coded eps 1e-5', 'ignores the eps argument', (f, x) => {
  const eps = 1e-5;
  return x.map((_, i) => {
    const up = Float64Array.from(x);
    const down = Float64Array.from(x);
    up[i] += eps;
    down[i] -= eps;
    return (f(up) - f(down)) / (2 * eps);
  });
});
bad('numericalGradient', 'moves every coordinate at once', 'perturbs all of x by eps (a directional derivative) for every entry', (f, x, eps) => {
  const up = x.map((v) => v + eps);
  const down = x.map((v) => v - eps);
  const d = (f(up) - f(down)) / (2 * eps);
  return new Float64Array(x.length).fill(d);
});
bad('numericalGradient', 'f values subtracted in float32 tensors', 'stores f(x + eps e_i) and f(x - eps e_i) in float32 tensors and subtracts there: cancellation', (f, x, eps) => {
  const ups = new Float64Array(x.length);
  const downs = new Float64Array(x.length);
  const work = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    work[i] = x[i] + eps;
    ups[i] = f(work);
    work[i] = x[i] - eps;
    downs[i] = f(work);
    work[i] = x[i];
  }
  return Float64Array.from(tf.tidy(() => tf.div(tf.sub(tf.tensor1d(Float32Array.from(ups)), tf.tensor1d(Float32Array.from(downs))), 2 * eps).dataSync()));
}, { doubt: 'only wrong when the check\'s eps is small relative to f (float32 cancellation)' });

// =============================================================================================
// trainStep: gradients of model.losses(x).total w.r.t. model.variables, one optimizer step,
// the loss before the step as a number; nothing left behind.

ok('trainStep', 'notebook', (model, x, optimizer) => {
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  optimizer.applyGradients(grads);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
});
ok('trainStep', 'try/finally, tf.dispose(grads map)', (model, x, optimizer) => {
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  try {
    const loss = value.dataSync()[0];
    optimizer.applyGradients(grads);
    return loss;
  } finally {
    value.dispose();
    tf.dispose(grads);
  }
});
ok('trainStep', 'inside tf.tidy', (model, x, optimizer) => tf.tidy(() => {
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  optimizer.applyGradients(grads);
  return value.dataSync()[0];
}));
ok('trainStep', 'separate forward pass for the loss', (model, x, optimizer) => {
  const loss = tf.tidy(() => model.losses(x).total.arraySync() as number);
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  optimizer.applyGradients(grads);
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  return loss;
}, 'reads the loss from its own forward pass before the step (one extra forward pass)');
ok('trainStep', 'arraySync, forEach dispose', (model, x, optimizer) => {
  const vars = model.variables;
  const { value, grads } = tf.variableGrads(() => {
    const parts = model.losses(x);
    return parts.total;
  }, vars);
  const loss = value.arraySync() as number;
  optimizer.applyGradients(grads);
  for (const name of Object.keys(grads)) grads[name].dispose();
  value.dispose();
  return loss;
});

bad('trainStep', 'loss after the step', 'returns the loss recomputed after the optimizer step', (model, x, optimizer) => {
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  optimizer.applyGradients(grads);
  tf.dispose([value, ...Object.values(grads)]);
  return tf.tidy(() => model.losses(x).total.dataSync()[0]);
});
bad('trainStep', 'applies the gradients twice', 'calls applyGradients twice with the same gradients (two steps)', (model, x, optimizer) => {
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  optimizer.applyGradients(grads);
  optimizer.applyGradients(grads);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
});
bad('trainStep', 'reconstruction loss only', 'differentiates model.losses(x).reconstruction: no sparsity penalty', (model, x, optimizer) => {
  const { value, grads } = tf.variableGrads(() => model.losses(x).reconstruction, model.variables);
  optimizer.applyGradients(grads);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
});
bad('trainStep', 'leaks the gradients', 'disposes the loss value but not the gradients', (model, x, optimizer) => {
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  optimizer.applyGradients(grads);
  const loss = value.dataSync()[0];
  value.dispose();
  return loss;
});
bad('trainStep', 'never applies the gradients', 'computes the loss and the gradients but takes no optimizer step', (model, x, optimizer) => {
  void optimizer;
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
});
bad('trainStep', 'unweighted penalty', 'differentiates reconstruction + sparsity without the sparsityWeight', (model, x, optimizer) => {
  const { value, grads } = tf.variableGrads(() => {
    const p = model.losses(x);
    return tf.add(p.reconstruction, p.sparsity) as tf.Scalar;
  }, model.variables);
  optimizer.applyGradients(grads);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
});
bad('trainStep', 'encoder variables only', 'passes model.encoder\'s variables only: the decoder is never trained', (model, x, optimizer) => {
  const vars = model.encoder.flatMap((l) => [l.w, l.b]);
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, vars);
  optimizer.applyGradients(grads);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
});
bad('trainStep', 'returns the loss tensor', 'returns the value tensor itself instead of a number',
  anyFn<TrainStepFn>((model: SparseAutoencoder, x: tf.Tensor2D, optimizer: Optimizer) => {
    const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
    return value;
  }));

// =============================================================================================
// sparsity: active = activation > threshold; population = mean over samples of active fraction;
// lifetime per unit = fraction of samples; inactive = lifetime < 0.01, increasing order.

ok('sparsity', 'tensor ops (counts in tensors, fractions in JS)', (a, units, threshold) => {
  const samples = a.length / units;
  const { population, counts } = tf.tidy(() => {
    const active = tf.cast(tf.greater(tf.tensor2d(a, [samples, units]), threshold), 'float32');
    return { population: tf.mean(tf.mean(active, 1)).dataSync()[0], counts: Array.from(tf.sum(active, 0).dataSync()) };
  });
  const lifetimePerUnit = counts.map((c) => c / samples);
  return {
    populationSparsity: population,
    lifetimePerUnit,
    inactiveUnits: lifetimePerUnit.flatMap((v, j) => (v < 0.01 ? [j] : [])),
  };
});
ok('sparsity', 'float64 loops (notebook)', (activations, latentDim, threshold) => {
  const samples = activations.length / latentDim;
  const activeCount = new Array<number>(latentDim).fill(0);
  let population = 0;
  for (let s = 0; s < samples; s++) {
    let on = 0;
    for (let j = 0; j < latentDim; j++) {
      if (activations[s * latentDim + j] > threshold) {
        on += 1;
        activeCount[j] += 1;
      }
    }
    population += on / latentDim / samples;
  }
  const lifetimePerUnit = activeCount.map((c) => c / samples);
  const inactiveUnits = lifetimePerUnit.map((v, j) => (v < 0.01 ? j : -1)).filter((j) => j >= 0);
  return { populationSparsity: population, lifetimePerUnit, inactiveUnits };
});
ok('sparsity', 'float32 arrays', (a, units, threshold) => {
  const samples = a.length / units;
  const counts = new Float32Array(units);
  const perSample = new Float32Array(samples);
  for (let s = 0; s < samples; s++) {
    for (let j = 0; j < units; j++) {
      if (a[s * units + j] > threshold) {
        counts[j] += 1;
        perSample[s] += 1;
      }
    }
    perSample[s] /= units;
  }
  const total = new Float32Array(1);
  for (let s = 0; s < samples; s++) total[0] += perSample[s];
  const lifetime = new Float32Array(units);
  for (let j = 0; j < units; j++) lifetime[j] = counts[j] / samples;
  const inactive: number[] = [];
  for (let j = 0; j < units; j++) if (counts[j] * 100 < samples) inactive.push(j); // count/samples < 1%, exactly
  return { populationSparsity: total[0] / samples, lifetimePerUnit: lifetime, inactiveUnits: inactive };
}, 'lifetimes returned as a Float32Array; the 1% test on the integer counts (count * 100 < samples)');
ok('sparsity', 'functional', (a, units, threshold) => {
  const samples = a.length / units;
  const rows = Array.from({ length: samples }, (_, s) => Array.from(a.subarray(s * units, (s + 1) * units)));
  const active = rows.map((r) => r.map((v) => v > threshold));
  const populationSparsity = active.map((r) => r.filter(Boolean).length / units).reduce((x, y) => x + y, 0) / samples;
  const lifetimePerUnit = Array.from({ length: units }, (_, j) => active.filter((r) => r[j]).length / samples);
  const inactiveUnits = lifetimePerUnit.reduce<number[]>((acc, v, j) => (v < 0.01 ? [...acc, j] : acc), []);
  return { populationSparsity, lifetimePerUnit, inactiveUnits };
});
ok('sparsity', 'population as the mean of all entries', (a, units, threshold) => {
  const samples = a.length / units;
  let on = 0;
  const counts = new Int32Array(units);
  a.forEach((v, i) => {
    if (v > threshold) {
      on++;
      counts[i % units]++;
    }
  });
  const lifetimePerUnit = Array.from(counts, (c) => c / samples);
  return {
    populationSparsity: on / a.length,
    lifetimePerUnit,
    inactiveUnits: [...lifetimePerUnit.keys()].filter((j) => lifetimePerUnit[j] < 0.01),
  };
}, 'population as (active entries) / (all entries): the same number, since every row has latentDim units');

/** A learner-style sparsity with knobs, for the mistakes. */
function sparsityWith(o: {
  on?: (v: number, t: number) => boolean; swap?: boolean; percent?: boolean;
  inactive?: (lifetime: number[]) => unknown;
}): SparsityFn {
  return anyFn<SparsityFn>((a: Float32Array, units: number, threshold: number): SparsityNumbers => {
    const samples = a.length / units;
    const on = o.on ?? ((v: number, t: number) => v > t);
    const perSample = new Array<number>(samples).fill(0);
    const perUnit = new Array<number>(units).fill(0);
    for (let s = 0; s < samples; s++) {
      for (let j = 0; j < units; j++) {
        if (on(a[s * units + j], threshold)) {
          perSample[s] += 1 / units;
          perUnit[j] += 1 / samples;
        }
      }
    }
    // Recompute as exact quotients (the += above drifts).
    for (let j = 0; j < units; j++) {
      let c = 0;
      for (let s = 0; s < samples; s++) if (on(a[s * units + j], threshold)) c++;
      perUnit[j] = c / samples;
    }
    const lifetime = o.swap ? perSample : perUnit;
    let population = perSample.reduce((x, y) => x + y, 0) / samples;
    if (o.percent) population *= 100;
    const inactive = o.inactive ? o.inactive(perUnit) : perUnit.map((v, j) => (v < 0.01 ? j : -1)).filter((j) => j >= 0);
    return { populationSparsity: population, lifetimePerUnit: lifetime, inactiveUnits: inactive as number[] };
  });
}
bad('sparsity', 'inactive: <= 0.01', 'counts a unit active on exactly 1% of the samples as inactive (<= 0.01)',
  sparsityWith({ inactive: (l) => l.map((v, j) => (v <= 0.01 ? j : -1)).filter((j) => j >= 0) }));
bad('sparsity', 'active: >= threshold', 'active when >= threshold instead of >', sparsityWith({ on: (v, t) => v >= t }));
bad('sparsity', 'axes swapped', 'lifetime computed across rows (one number per sample) instead of down columns', sparsityWith({ swap: true }));
bad('sparsity', 'percentage', 'population sparsity as a percentage (x100) instead of a fraction', sparsityWith({ percent: true }));
bad('sparsity', 'hard-coded threshold 0.1', 'uses the lesson\'s 0.1 instead of the threshold argument', sparsityWith({ on: (v) => v > 0.1 }));
bad('sparsity', 'inactive: the count', 'returns how many units are inactive instead of their indices',
  sparsityWith({ inactive: (l) => l.filter((v) => v < 0.01).length }));
bad('sparsity', 'inactive: their lifetimes', 'returns the inactive units\' lifetimes instead of their indices',
  sparsityWith({ inactive: (l) => l.filter((v) => v < 0.01) }));
bad('sparsity', 'inactive: never active only', 'inactive = lifetime 0 (never active) instead of below 1%',
  sparsityWith({ inactive: (l) => l.map((v, j) => (v === 0 ? j : -1)).filter((j) => j >= 0) }));
bad('sparsity', 'inactive: as a boolean mask', 'returns one true/false per unit instead of the inactive indices',
  sparsityWith({ inactive: (l) => l.map((v) => v < 0.01) }));
// Accepted by design (docs/teaching.md): a float32 lifetime of exactly 1% is 0.0099999998, and the
// check accepts the inactive units that follow the lesson's rule on the learner's own lifetimes.
ok('sparsity', 'float32 lifetimes compared with 0.01', (a, units, threshold) => {
    const samples = a.length / units;
    const life = new Float32Array(units);
    let population = 0;
    for (let s = 0; s < samples; s++) {
      let on = 0;
      for (let j = 0; j < units; j++) if (a[s * units + j] > threshold) { on++; life[j] += 1; }
      population += on / units;
    }
    for (let j = 0; j < units; j++) life[j] /= samples;
    const inactiveUnits: number[] = [];
    life.forEach((v, j) => { if (v < 0.01) inactiveUnits.push(j); });
    return { populationSparsity: population / samples, lifetimePerUnit: life, inactiveUnits };
  }, 'float32 lifetimes: a unit on exactly 1% of the samples is called inactive, as its float32 lifetime is below 0.01');

// =============================================================================================
// decodeOneHot: decode e_unit ([1, latentDim]) and return the image as a Float32Array.

ok('decodeOneHot', 'tf.oneHot (notebook)', (model, unit) => tf.tidy(() => {
  const code = tf.oneHot(tf.tensor1d([unit], 'int32'), model.latentDim).toFloat() as tf.Tensor2D;
  return model.decode(code).dataSync() as Float32Array;
}));
ok('decodeOneHot', 'Float32Array code, manual dispose', (model, unit) => {
  const values = new Float32Array(model.latentDim);
  values[unit] = 1;
  const code = tf.tensor2d(values, [1, model.latentDim]);
  const image = model.decode(code);
  const out = Float32Array.from(image.dataSync());
  code.dispose();
  image.dispose();
  return out;
});
ok('decodeOneHot', 'tf.buffer', (model, unit) => {
  const buf = tf.buffer([1, model.latentDim], 'float32');
  buf.set(1, 0, unit);
  return tf.tidy(() => Float32Array.from(model.decode(buf.toTensor() as tf.Tensor2D).dataSync()));
});
ok('decodeOneHot', 'row of tf.eye', (model, unit) => tf.tidy(() => {
  const code = tf.slice(tf.eye(model.latentDim), [unit, 0], [1, -1]) as tf.Tensor2D;
  return new Float32Array(model.decode(code).dataSync());
}));
ok('decodeOneHot', 'array code, arraySync', (model, unit) => tf.tidy(() => {
  const code = tf.tensor2d([Array.from({ length: model.latentDim }, (_, j) => (j === unit ? 1 : 0))]);
  const rows = model.decode(code).arraySync() as number[][];
  return Float32Array.from(rows[0]);
}));

bad('decodeOneHot', 'off by one (unit + 1)', 'decodes the one-hot code of unit + 1 (1-based thinking)', (model, unit) => tf.tidy(() => {
  const code = tf.oneHot(tf.tensor1d([unit + 1], 'int32'), model.latentDim).toFloat() as tf.Tensor2D;
  return model.decode(code).dataSync() as Float32Array;
}));
bad('decodeOneHot', 'off by one (unit - 1)', 'decodes the one-hot code of unit - 1', (model, unit) => tf.tidy(() => {
  const code = tf.oneHot(tf.tensor1d([unit - 1], 'int32'), model.latentDim).toFloat() as tf.Tensor2D;
  return model.decode(code).dataSync() as Float32Array;
}));
bad('decodeOneHot', 'returns a live tensor', 'returns the decoder\'s output tensor instead of a Float32Array',
  anyFn<DecodeOneHotFn>((model: SparseAutoencoder, unit: number) => tf.tidy(() => {
    const code = tf.oneHot(tf.tensor1d([unit], 'int32'), model.latentDim).toFloat() as tf.Tensor2D;
    return model.decode(code);
  })));
bad('decodeOneHot', 'all-zero code', 'forgets to set the 1: decodes the zero code', (model) => tf.tidy(() =>
  Float32Array.from(model.decode(tf.zeros([1, model.latentDim]) as tf.Tensor2D).dataSync())));
bad('decodeOneHot', 'inverted one-hot', 'every unit on except `unit` (1 - oneHot)', (model, unit) => tf.tidy(() => {
  const code = tf.sub(1, tf.oneHot(tf.tensor1d([unit], 'int32'), model.latentDim).toFloat()) as tf.Tensor2D;
  return Float32Array.from(model.decode(code).dataSync());
}));
bad('decodeOneHot', 'no tidy (leaks)', 'no tf.tidy and no dispose: the code and the image tensors are left behind', (model, unit) => {
  const code = tf.oneHot(tf.tensor1d([unit], 'int32'), model.latentDim).toFloat() as tf.Tensor2D;
  return model.decode(code).dataSync() as Float32Array;
});
bad('decodeOneHot', 'every unit\'s image', 'decodes tf.eye (every unit) and returns all images concatenated', (model) => tf.tidy(() =>
  Float32Array.from(model.decode(tf.eye(model.latentDim) as tf.Tensor2D).dataSync())));
bad('decodeOneHot', 'through the whole model', 'runs the one-hot code through encode then decode (forward) instead of the decoder alone',
  (model, unit) => tf.tidy(() => {
    const code = tf.oneHot(tf.tensor1d([unit], 'int32'), model.latentDim).toFloat() as tf.Tensor2D;
    return Float32Array.from(model.forward(code).reconstruction.dataSync());
  }));

// =============================================================================================
// sweep: for each weight in order: await trainAt, measure, dispose; one model at a time.

type Train = (weight: number) => Promise<SparseAutoencoder>;
type Measure = (model: SparseAutoencoder) => unknown;

ok('sweep', 'for...of with try/finally', async (weights, trainAt, measure) => {
  const rows: SweepRow<unknown>[] = [];
  for (const weight of weights) {
    const model = await trainAt(weight);
    try {
      rows.push({ weight, result: measure(model) });
    } finally {
      model.dispose();
    }
  }
  return rows;
});
ok('sweep', 'index loop (notebook style)', async (weights, trainAt, measure) => {
  const rows: SweepRow<unknown>[] = [];
  for (let i = 0; i < weights.length; i++) {
    const model = await trainAt(weights[i]);
    const result = measure(model);
    model.dispose();
    rows.push({ weight: weights[i], result });
  }
  return rows;
});
ok('sweep', 'promise chain with reduce', (weights, trainAt, measure) =>
  weights.reduce(async (done: Promise<SweepRow<unknown>[]>, weight) => {
    const rows = await done;
    const model = await trainAt(weight);
    const result = measure(model);
    model.dispose();
    return [...rows, { weight, result }];
  }, Promise.resolve([])));
ok('sweep', 'recursive', (weights, trainAt, measure) => {
  const go = async (i: number): Promise<SweepRow<unknown>[]> => {
    if (i >= weights.length) return [];
    const model = await trainAt(weights[i]);
    const row = { weight: weights[i], result: measure(model) };
    model.dispose();
    return [row, ...(await go(i + 1))];
  };
  return go(0);
});
ok('sweep', 'then-chains', (weights, trainAt, measure) => {
  const rows: SweepRow<unknown>[] = [];
  let chain: Promise<void> = Promise.resolve();
  for (const weight of weights) {
    chain = chain.then(() => trainAt(weight)).then((model) => {
      rows.push({ weight, result: measure(model) });
      model.dispose();
    });
  }
  return chain.then(() => rows);
});

bad('sweep', 'weights.forEach(async ...)', 'forEach with an async callback: returns the rows array before any row is in it; every training starts at once',
  async (weights, trainAt, measure) => {
    const rows: SweepRow<unknown>[] = [];
    weights.forEach(async (weight) => {
      const model = await trainAt(weight);
      rows.push({ weight, result: measure(model) });
      model.dispose();
    });
    return rows;
  });
bad('sweep', 'Promise.all(weights.map(async ...))', 'Promise.all over weights.map: every model is trained and held at once',
  (weights, trainAt, measure) => Promise.all(weights.map(async (weight) => {
    const model = await trainAt(weight);
    const result = measure(model);
    model.dispose();
    return { weight, result };
  })));
bad('sweep', 'forgets to dispose', 'never disposes the models', async (weights, trainAt, measure) => {
  const rows: SweepRow<unknown>[] = [];
  for (const weight of weights) rows.push({ weight, result: measure(await trainAt(weight)) });
  return rows;
});
bad('sweep', 'measures before await', 'calls measure on the Promise trainAt returned, before awaiting it',
  async (weights, trainAt, measure) => {
    const rows: SweepRow<unknown>[] = [];
    for (const weight of weights) {
      const pending = trainAt(weight);
      const result = (measure as (m: unknown) => unknown)(pending);
      rows.push({ weight, result });
      (await pending).dispose();
    }
    return rows;
  });
bad('sweep', 'disposes before measuring', 'disposes the model, then measures it', async (weights, trainAt, measure) => {
  const rows: SweepRow<unknown>[] = [];
  for (const weight of weights) {
    const model = await trainAt(weight);
    model.dispose();
    let result: unknown;
    try {
      result = measure(model);
    } catch (e) {
      result = String(e);
    }
    rows.push({ weight, result });
  }
  return rows;
});
bad('sweep', 'trains the next before disposing', 'starts the next training before measuring and disposing the current model: two models at once',
  async (weights, trainAt, measure) => {
    const rows: SweepRow<unknown>[] = [];
    let next = weights.length > 0 ? trainAt(weights[0]) : null;
    for (let i = 0; i < weights.length; i++) {
      const model = await next!;
      next = i + 1 < weights.length ? trainAt(weights[i + 1]) : null;
      const later = next;
      await later?.then(() => undefined); // waits for the next model while this one is alive
      rows.push({ weight: weights[i], result: measure(model) });
      model.dispose();
    }
    return rows;
  });
bad('sweep', 'weights sorted', 'sorts the weights first (with the default sort, as text) instead of keeping their order',
  async (weights, trainAt, measure) => {
    const rows: SweepRow<unknown>[] = [];
    for (const weight of [...weights].sort()) {
      const model = await trainAt(weight);
      rows.push({ weight, result: measure(model) });
      model.dispose();
    }
    return rows;
  }, { doubt: 'only detectable with weights given in a non-sorted order (or that sort differently as text)' });
bad('sweep', 'results only', 'returns the measurements without their weights',
  anyFn<SweepFn>(async (weights: readonly number[], trainAt: Train, measure: Measure) => {
    const out: unknown[] = [];
    for (const weight of weights) {
      const model = await trainAt(weight);
      out.push(measure(model));
      model.dispose();
    }
    return out;
  }));
bad('sweep', 'a Promise that never settles', 'wraps the loop in new Promise(...) and never calls resolve',
  (weights, trainAt, measure) => new Promise<SweepRow<unknown>[]>(() => {
    void (async () => {
      for (const weight of weights) {
        const model = await trainAt(weight);
        measure(model);
        model.dispose();
      }
    })();
  }));

// =============================================================================================
// matchSparsity: bisect [low, high] in log space, `steps` measurements, return the closest.

ok('matchSparsity', 'sqrt(low * high) (notebook)', async (target, measure, low, high, steps) => {
  let best: SparsityMatch | null = null;
  for (let s = 0; s < steps; s++) {
    const weight = Math.sqrt(low * high);
    const sparsity = await measure(weight);
    if (best === null || Math.abs(sparsity - target) < Math.abs(best.sparsity - target)) best = { weight, sparsity };
    if (sparsity > target) low = weight;
    else high = weight;
  }
  return best!;
});
ok('matchSparsity', 'natural-log bracket, Math.exp', async (target, measure, low, high, steps) => {
  let lo = Math.log(low);
  let hi = Math.log(high);
  let bestWeight = NaN;
  let bestSparsity = NaN;
  let bestGap = Infinity;
  for (let s = 0; s < steps; s++) {
    const mid = (lo + hi) / 2;
    const weight = Math.exp(mid);
    const sparsity = await measure(weight);
    const gap = Math.abs(sparsity - target);
    if (gap < bestGap) {
      bestGap = gap;
      bestWeight = weight;
      bestSparsity = sparsity;
    }
    if (sparsity > target) lo = mid;
    else hi = mid;
  }
  return { weight: bestWeight, sparsity: bestSparsity };
}, 'the midpoint as exp of the mean log (equal to sqrt(low*high) up to rounding)');
ok('matchSparsity', 'log10 bracket, 10 ** mid, measurements list', async (target, measure, low, high, steps) => {
  const tried: SparsityMatch[] = [];
  let a = Math.log10(low);
  let b = Math.log10(high);
  while (tried.length < steps) {
    const mid = (a + b) / 2;
    const weight = 10 ** mid;
    const sparsity = await measure(weight);
    tried.push({ weight, sparsity });
    if (sparsity > target) a = mid;
    else b = mid;
  }
  return tried.reduce((best, m) => (Math.abs(m.sparsity - target) < Math.abs(best.sparsity - target) ? m : best));
});
ok('matchSparsity', 'recursive', (target, measure, low, high, steps) => {
  const go = async (lo: number, hi: number, left: number, best: SparsityMatch | null): Promise<SparsityMatch> => {
    if (left === 0) return best!;
    const weight = Math.sqrt(lo * hi);
    const sparsity = await measure(weight);
    const closer = best === null || Math.abs(sparsity - target) < Math.abs(best.sparsity - target);
    const next = closer ? { weight, sparsity } : best!;
    return sparsity > target ? go(weight, hi, left - 1, next) : go(lo, weight, left - 1, next);
  };
  return go(low, high, steps, null);
});
ok('matchSparsity', 'stops early on an exact hit', async (target, measure, low, high, steps) => {
  let best: SparsityMatch | undefined;
  for (let s = 0; s < steps; s++) {
    const weight = Math.sqrt(low * high);
    const sparsity = await measure(weight);
    if (!best || Math.abs(sparsity - target) < Math.abs(best.sparsity - target)) best = { weight, sparsity };
    if (sparsity === target) break;
    if (sparsity > target) low = weight;
    else high = weight;
  }
  return best!;
}, 'returns as soon as a measurement equals the target (fewer measurements: "at most steps")');
ok('matchSparsity', 'ties keep the later measurement', async (target, measure, low, high, steps) => {
  let best = { weight: NaN, sparsity: Infinity };
  for (let s = 0; s < steps; s++) {
    const weight = Math.sqrt(low * high);
    const sparsity = await measure(weight);
    if (Math.abs(sparsity - target) <= Math.abs(best.sparsity - target)) best = { weight, sparsity };
    if (sparsity > target) low = weight;
    else high = weight;
  }
  return best;
}, 'on an exact tie in |sparsity - target| keeps the later measurement (<=)',
'the notebook says "closest" and does not say which of two equally close measurements to return');

bad('matchSparsity', 'arithmetic bisection', 'bisects at (low + high) / 2 instead of sqrt(low * high)', async (target, measure, low, high, steps) => {
  let best: SparsityMatch | null = null;
  for (let s = 0; s < steps; s++) {
    const weight = (low + high) / 2;
    const sparsity = await measure(weight);
    if (best === null || Math.abs(sparsity - target) < Math.abs(best.sparsity - target)) best = { weight, sparsity };
    if (sparsity > target) low = weight;
    else high = weight;
  }
  return best!;
});
bad('matchSparsity', 'returns the last measurement', 'returns the last measurement instead of the closest', async (target, measure, low, high, steps) => {
  let last: SparsityMatch = { weight: NaN, sparsity: NaN };
  for (let s = 0; s < steps; s++) {
    const weight = Math.sqrt(low * high);
    const sparsity = await measure(weight);
    last = { weight, sparsity };
    if (sparsity > target) low = weight;
    else high = weight;
  }
  return last;
});
bad('matchSparsity', 'direction reversed', 'moves the wrong end: sparsity above target lowers high (as if sparsity grew with the weight)',
  async (target, measure, low, high, steps) => {
    let best: SparsityMatch | null = null;
    for (let s = 0; s < steps; s++) {
      const weight = Math.sqrt(low * high);
      const sparsity = await measure(weight);
      if (best === null || Math.abs(sparsity - target) < Math.abs(best.sparsity - target)) best = { weight, sparsity };
      if (sparsity > target) high = weight;
      else low = weight;
    }
    return best!;
  });
bad('matchSparsity', 'steps + 1 measurements', 'loops s <= steps: one measurement too many', async (target, measure, low, high, steps) => {
  let best: SparsityMatch | null = null;
  for (let s = 0; s <= steps; s++) {
    const weight = Math.sqrt(low * high);
    const sparsity = await measure(weight);
    if (best === null || Math.abs(sparsity - target) < Math.abs(best.sparsity - target)) best = { weight, sparsity };
    if (sparsity > target) low = weight;
    else high = weight;
  }
  return best!;
});
bad('matchSparsity', 'no await on measure', 'compares the Promise measure returns (never awaited) with the target',
  async (target, measure, low, high, steps) => {
    let best: SparsityMatch | null = null;
    for (let s = 0; s < steps; s++) {
      const weight = Math.sqrt(low * high);
      const sparsity = measure(weight) as unknown as number;
      if (best === null || Math.abs(sparsity - target) < Math.abs(best.sparsity - target)) best = { weight, sparsity };
      if (sparsity > target) low = weight;
      else high = weight;
    }
    return best!;
  });
bad('matchSparsity', 'returns the final bracket midpoint', 'returns sqrt(low*high) of the final bracket (never measured) with the last sparsity',
  async (target, measure, low, high, steps) => {
    let sparsity = NaN;
    for (let s = 0; s < steps; s++) {
      const weight = Math.sqrt(low * high);
      sparsity = await measure(weight);
      if (sparsity > target) low = weight;
      else high = weight;
    }
    return { weight: Math.sqrt(low * high), sparsity };
  });
bad('matchSparsity', 'hard-coded 8 steps', 'ignores `steps` and always measures 8 times', async (target, measure, low, high) => {
  let best: SparsityMatch | null = null;
  for (let s = 0; s < 8; s++) {
    const weight = Math.sqrt(low * high);
    const sparsity = await measure(weight);
    if (best === null || Math.abs(sparsity - target) < Math.abs(best.sparsity - target)) best = { weight, sparsity };
    if (sparsity > target) low = weight;
    else high = weight;
  }
  return best!;
});
bad('matchSparsity', 'closest by signed difference', 'keeps the measurement with the smallest sparsity - target (no Math.abs)',
  async (target, measure, low, high, steps) => {
    let best: SparsityMatch | null = null;
    for (let s = 0; s < steps; s++) {
      const weight = Math.sqrt(low * high);
      const sparsity = await measure(weight);
      if (best === null || sparsity - target < best.sparsity - target) best = { weight, sparsity };
      if (sparsity > target) low = weight;
      else high = weight;
    }
    return best!;
  });
bad('matchSparsity', 'endless async loop until exact', 'loops until |sparsity - target| < 1e-12 (never reached), awaiting measure forever',
  async (target, measure, low, high) => {
    let weight = Math.sqrt(low * high);
    let sparsity = await measure(weight);
    while (Math.abs(sparsity - target) >= 1e-12) {
      if (sparsity > target) low = weight;
      else high = weight;
      weight = Math.sqrt(low * high);
      sparsity = await measure(weight);
      if (low === high) { low /= 2; high *= 2; } // never gives up
    }
    return { weight, sparsity };
  }, { hangs: true });
bad('matchSparsity', 'synchronous while (true) {}', 'an empty synchronous infinite loop: never returns, blocks the event loop',
  // eslint-disable-next-line no-constant-condition
  async () => { while (true) { /* spin */ } }, { hangs: true });

// =============================================================================================
// selectivity: per unit (top - rest) / (top + rest), rest = mean of the other classes; 0 if silent.
// means [numClasses, units], row-major.

ok('selectivity', 'tensor ops', (means, units, numClasses) => tf.tidy(() => {
  const m = tf.tensor2d(Float32Array.from(means), [numClasses, units]);
  const top = tf.max(m, 0);
  const rest = tf.div(tf.sub(tf.sum(m, 0), top), numClasses - 1);
  const denom = tf.add(top, rest);
  const index = tf.where(tf.greater(denom, 0), tf.div(tf.sub(top, rest), denom), tf.zerosLike(denom));
  return Array.from(index.dataSync());
}), 'float32 tensors');
ok('selectivity', 'float64 loops', (means, units, numClasses) => {
  const out: number[] = [];
  for (let j = 0; j < units; j++) {
    let top = -Infinity;
    let sum = 0;
    for (let c = 0; c < numClasses; c++) {
      const v = means[c * units + j];
      sum += v;
      if (v > top) top = v;
    }
    const rest = (sum - top) / (numClasses - 1);
    out.push(top + rest > 0 ? (top - rest) / (top + rest) : 0);
  }
  return out;
});
ok('selectivity', 'float32 accumulation', (means, units, numClasses) => {
  const top = new Float32Array(units).fill(-Infinity);
  const sum = new Float32Array(units);
  for (let c = 0; c < numClasses; c++) {
    for (let j = 0; j < units; j++) {
      const v = means[c * units + j];
      sum[j] += v;
      if (v > top[j]) top[j] = v;
    }
  }
  const out = new Float32Array(units);
  for (let j = 0; j < units; j++) {
    const rest = (sum[j] - top[j]) / (numClasses - 1);
    out[j] = top[j] + rest > 0 ? (top[j] - rest) / (top[j] + rest) : 0;
  }
  return out;
}, 'returns a Float32Array');
ok('selectivity', 'functional (notebook)', (means, units, numClasses) => Array.from({ length: units }, (_, j) => {
  const profile = Array.from({ length: numClasses }, (_, c) => means[c * units + j]);
  const top = Math.max(...profile);
  const rest = (profile.reduce((a, b) => a + b, 0) - top) / (numClasses - 1);
  return top + rest > 0 ? (top - rest) / (top + rest) : 0;
}));
ok('selectivity', 'sort descending, rest = the others', (means, units, numClasses) => {
  const out = new Array<number>(units);
  for (let j = 0; j < units; j++) {
    const p: number[] = [];
    for (let c = 0; c < numClasses; c++) p.push(means[c * units + j]);
    p.sort((a, b) => b - a);
    const top = p[0];
    const others = p.slice(1);
    const rest = others.reduce((a, b) => a + b, 0) / others.length;
    out[j] = top === 0 && rest === 0 ? 0 : (top - rest) / (top + rest);
  }
  return out;
});

function contrastWith(rest: (p: number[], top: number) => number, o: { denom?: (p: number[], top: number, rest: number) => number; guard?: boolean; swap?: boolean } = {}): SelectivityFn {
  return (means, units, numClasses) => Array.from({ length: units }, (_, j) => {
    const p = Array.from({ length: numClasses }, (_, c) => (o.swap ? means[j * numClasses + c] : means[c * units + j]));
    const top = Math.max(...p);
    const r = rest(p, top);
    const d = o.denom ? o.denom(p, top, r) : top + r;
    if (o.guard === false) return (top - r) / d;
    return d > 0 ? (top - r) / d : 0;
  });
}
const restOthers = (p: number[], top: number) => (p.reduce((a, b) => a + b, 0) - top) / (p.length - 1);
bad('selectivity', 'rest = mean over all classes', 'rest includes the top class (mean over all classes)',
  contrastWith((p) => p.reduce((a, b) => a + b, 0) / p.length));
bad('selectivity', 'divides by the sum', 'divides by the sum of all class means instead of top + rest',
  contrastWith(restOthers, { denom: (p) => p.reduce((a, b) => a + b, 0) }));
bad('selectivity', 'no zero guard (NaN)', 'no guard: a unit that never responds gives 0 / 0 = NaN', contrastWith(restOthers, { guard: false }));
bad('selectivity', 'axes swapped', 'reads means as [units, numClasses] instead of [numClasses, units]', contrastWith(restOthers, { swap: true }));
bad('selectivity', 'rest drops every tied top', 'rest from filter(v => v !== top): two classes tied for the top are both left out',
  contrastWith((p, top) => {
    const others = p.filter((v) => v !== top);
    return others.length ? others.reduce((a, b) => a + b, 0) / others.length : 0;
  }));
bad('selectivity', 'rest = second largest', 'rest is the runner-up class, not the mean of the others',
  contrastWith((p) => [...p].sort((a, b) => b - a)[1]));
bad('selectivity', 'hard-coded 10 classes', 'divides by 9 (10 classes) whatever numClasses is',
  contrastWith((p, top) => (p.reduce((a, b) => a + b, 0) - top) / 9));
bad('selectivity', 'divides by rest', 'divides by rest instead of top + rest: (top - rest) / rest',
  contrastWith(restOthers, { denom: (_p, _top, r) => r, guard: true }));

// =============================================================================================
// keepTopK: a copy of codes [n, units]; each row keeps its k entries of largest magnitude.

ok('keepTopK', 'tf.topk on |codes|', (codes, units, k) => {
  const n = codes.length / units;
  const out = new Float32Array(codes.length);
  const kk = Math.min(k, units);
  if (kk <= 0 || n === 0) return out;
  const idx = tf.tidy(() => tf.topk(tf.abs(tf.tensor2d(codes, [n, units])), kk).indices.arraySync() as number[][]);
  idx.forEach((row, r) => row.forEach((j) => { out[r * units + j] = codes[r * units + j]; }));
  return out;
}, 'ties broken as tf.topk breaks them');
ok('keepTopK', 'float64 selection loop', (codes, units, k) => {
  const n = codes.length / units;
  const out = new Float32Array(codes.length);
  for (let r = 0; r < n; r++) {
    const taken = new Uint8Array(units);
    for (let t = 0; t < Math.min(k, units); t++) {
      let best = -1;
      let bestMag = -1;
      for (let j = 0; j < units; j++) {
        const m = Math.abs(codes[r * units + j]);
        if (!taken[j] && m > bestMag) {
          bestMag = m;
          best = j;
        }
      }
      taken[best] = 1;
      out[r * units + best] = codes[r * units + best];
    }
  }
  return out;
}, 'ties: the lowest index first');
ok('keepTopK', 'float32 sorted magnitudes, threshold + ties by index', (codes, units, k) => {
  const n = codes.length / units;
  const out = new Float32Array(codes.length);
  if (k <= 0) return out;
  for (let r = 0; r < n; r++) {
    const row = codes.subarray(r * units, (r + 1) * units);
    if (k >= units) {
      out.set(row, r * units);
      continue;
    }
    const mags = row.map(Math.abs); // Float32Array
    const sorted = mags.slice().sort(); // typed arrays sort numerically
    const kth = sorted[units - k];
    let kept = 0;
    for (let j = 0; j < units; j++) if (mags[j] > kth) { out[r * units + j] = row[j]; kept++; }
    for (let j = 0; j < units && kept < k; j++) if (mags[j] === kth) { out[r * units + j] = row[j]; kept++; }
  }
  return out;
}, 'ties at the k-th magnitude: the lowest index first');
ok('keepTopK', 'functional sort (notebook)', (codes, units, k) => {
  const out = new Float32Array(codes.length);
  for (let r = 0; r < codes.length / units; r++) {
    const order = Array.from({ length: units }, (_, j) => r * units + j)
      .sort((a, b) => Math.abs(codes[b]) - Math.abs(codes[a]));
    for (const i of order.slice(0, k)) out[i] = codes[i];
  }
  return out;
});
ok('keepTopK', 'map/filter with rank', (codes, units, k) => {
  const n = codes.length / units;
  const rows = Array.from({ length: n }, (_, r) => Array.from(codes.subarray(r * units, (r + 1) * units)));
  const kept = rows.map((row) => {
    const keep = new Set(row.map((v, j) => ({ m: Math.abs(v), j })).sort((a, b) => b.m - a.m || a.j - b.j).slice(0, k).map((e) => e.j));
    return row.map((v, j) => (keep.has(j) ? v : 0));
  });
  return Float32Array.from(kept.flat());
});

bad('keepTopK', 'default .sort() (as text)', 'sorts magnitudes with the default .sort(): numbers compared as text (10 < 9, 1e-7 > 0.5)', (codes, units, k) => {
  const n = codes.length / units;
  const out = new Float32Array(codes.length);
  for (let r = 0; r < n; r++) {
    const row = Array.from(codes.subarray(r * units, (r + 1) * units));
    const sorted = row.map(Math.abs).sort().reverse();
    const kth = sorted[k - 1];
    let kept = 0;
    row.forEach((v, j) => { if (kept < k && Math.abs(v) >= kth) { out[r * units + j] = v; kept++; } });
  }
  return out;
});
bad('keepTopK', 'by value, not magnitude', 'ranks by signed value: large negative entries are dropped', (codes, units, k) => {
  const out = new Float32Array(codes.length);
  for (let r = 0; r < codes.length / units; r++) {
    const order = Array.from({ length: units }, (_, j) => r * units + j).sort((a, b) => codes[b] - codes[a]);
    for (const i of order.slice(0, k)) out[i] = codes[i];
  }
  return out;
});
bad('keepTopK', 'keeps k + 1', 'slice(0, k + 1): one entry too many', (codes, units, k) => {
  const out = new Float32Array(codes.length);
  for (let r = 0; r < codes.length / units; r++) {
    const order = Array.from({ length: units }, (_, j) => r * units + j).sort((a, b) => Math.abs(codes[b]) - Math.abs(codes[a]));
    for (const i of order.slice(0, k + 1)) out[i] = codes[i];
  }
  return out;
});
bad('keepTopK', 'keeps the k smallest', 'ascending sort: keeps the k smallest magnitudes', (codes, units, k) => {
  const out = new Float32Array(codes.length);
  for (let r = 0; r < codes.length / units; r++) {
    const order = Array.from({ length: units }, (_, j) => r * units + j).sort((a, b) => Math.abs(codes[a]) - Math.abs(codes[b]));
    for (const i of order.slice(0, k)) out[i] = codes[i];
  }
  return out;
});
bad('keepTopK', 'in place', 'zeroes the entries in codes itself and returns codes (no copy)', (codes, units, k) => {
  for (let r = 0; r < codes.length / units; r++) {
    const order = Array.from({ length: units }, (_, j) => r * units + j).sort((a, b) => Math.abs(codes[b]) - Math.abs(codes[a]));
    for (const i of order.slice(k)) codes[i] = 0;
  }
  return codes;
});
bad('keepTopK', 'keeps every tie at the k-th', 'keeps every entry with |v| >= the k-th magnitude: more than k entries on ties', (codes, units, k) => {
  const out = new Float32Array(codes.length);
  if (k <= 0) return out;
  for (let r = 0; r < codes.length / units; r++) {
    const row = codes.subarray(r * units, (r + 1) * units);
    const kth = Array.from(row, Math.abs).sort((a, b) => b - a)[Math.min(k, units) - 1];
    row.forEach((v, j) => { if (Math.abs(v) >= kth) out[r * units + j] = v; });
  }
  return out;
});
bad('keepTopK', 'top k of the whole matrix', 'keeps the k largest entries of all codes together, not of each row', (codes, units, k) => {
  void units;
  const out = new Float32Array(codes.length);
  const order = Array.from(codes.keys()).sort((a, b) => Math.abs(codes[b]) - Math.abs(codes[a]));
  for (const i of order.slice(0, k)) out[i] = codes[i];
  return out;
});
bad('keepTopK', 'slice(-k) of an ascending sort', 'keeps order.slice(-k) of an ascending sort: with k = 0 that is slice(0), every entry', (codes, units, k) => {
  const out = new Float32Array(codes.length);
  for (let r = 0; r < codes.length / units; r++) {
    const order = Array.from({ length: units }, (_, j) => r * units + j).sort((a, b) => Math.abs(codes[a]) - Math.abs(codes[b]));
    for (const i of order.slice(-k)) out[i] = codes[i];
  }
  return out;
});

// =============================================================================================
// omp: k times pick argmax |<residual, atom>| (unused atoms), refit by least squares, update the
// residual r = x - D_S c; stop when no atom correlates (|corr| <= 1e-10).

function residualOf(x: Float64Array, atoms: Float64Array, dim: number, support: number[], coef: number[]): Float64Array {
  const r = Float64Array.from(x);
  support.forEach((j, s) => { for (let t = 0; t < dim; t++) r[t] -= coef[s] * atoms[j * dim + t]; });
  return r;
}

ok('omp', 'tensor correlations (float32), float64 residual', (x, atoms, dim, k) => {
  const count = atoms.length / dim;
  const support: number[] = [];
  let coef: number[] = [];
  let residual = Float64Array.from(x);
  for (let step = 0; step < Math.min(k, count); step++) {
    const corr = tf.tidy(() => tf.abs(tf.matMul(tf.tensor2d(Float32Array.from(atoms), [count, dim]), tf.tensor2d(Float32Array.from(residual), [dim, 1]))).dataSync());
    let best = -1;
    let bestAbs = 1e-10;
    corr.forEach((c, j) => { if (!support.includes(j) && c > bestAbs) { bestAbs = c; best = j; } });
    if (best < 0) break;
    support.push(best);
    coef = leastSquares(atoms, dim, support, x);
    residual = residualOf(x, atoms, dim, support, coef);
  }
  return { support, coef };
}, 'the correlations in a float32 matMul (may pick differently on near-ties)');
ok('omp', 'float64 loops (notebook)', (x, atoms, dim, k) => {
  const count = atoms.length / dim;
  const support: number[] = [];
  let coef: number[] = [];
  const residual = Float64Array.from(x);
  for (let step = 0; step < k; step++) {
    let best = -1;
    let bestAbs = 1e-10;
    for (let j = 0; j < count; j++) {
      if (support.includes(j)) continue;
      let c = 0;
      for (let t = 0; t < dim; t++) c += residual[t] * atoms[j * dim + t];
      if (Math.abs(c) > bestAbs) {
        best = j;
        bestAbs = Math.abs(c);
      }
    }
    if (best < 0) break;
    support.push(best);
    coef = leastSquares(atoms, dim, support, x);
    for (let t = 0; t < dim; t++) residual[t] = x[t] - support.reduce((s, j, i) => s + coef[i] * atoms[j * dim + t], 0);
  }
  return { support, coef };
});
ok('omp', 'float32 correlation accumulators', (x, atoms, dim, k) => {
  const count = atoms.length / dim;
  const support: number[] = [];
  let coef: number[] = [];
  let residual = Float64Array.from(x);
  const corr = new Float32Array(count);
  for (let step = 0; step < k; step++) {
    corr.fill(0);
    for (let j = 0; j < count; j++) for (let t = 0; t < dim; t++) corr[j] += residual[t] * atoms[j * dim + t];
    let best = -1;
    for (let j = 0; j < count; j++) {
      if (support.indexOf(j) >= 0) continue;
      if (Math.abs(corr[j]) > 1e-10 && (best < 0 || Math.abs(corr[j]) > Math.abs(corr[best]))) best = j;
    }
    if (best < 0) break;
    support.push(best);
    coef = leastSquares(atoms, dim, support, x);
    residual = residualOf(x, atoms, dim, support, coef);
  }
  return { support, coef };
}, 'correlations accumulated in a Float32Array (may pick differently on near-ties)');
ok('omp', 'float32 residual, relative stop', (x, atoms, dim, k) => {
  const count = atoms.length / dim;
  const support: number[] = [];
  let coef: number[] = [];
  const residual = Float32Array.from(x);
  let xNorm = 0;
  for (let t = 0; t < dim; t++) xNorm += x[t] * x[t];
  xNorm = Math.sqrt(xNorm);
  for (let step = 0; step < k; step++) {
    let best = -1;
    let bestAbs = 0;
    for (let j = 0; j < count; j++) {
      if (support.includes(j)) continue;
      let c = 0;
      let an = 0;
      for (let t = 0; t < dim; t++) {
        c += residual[t] * atoms[j * dim + t];
        an += atoms[j * dim + t] ** 2;
      }
      // float32 residual: treat |corr| below 1e-6 |x| |a_j| as zero
      if (Math.abs(c) > Math.max(1e-10, 1e-6 * xNorm * Math.sqrt(an)) && Math.abs(c) > bestAbs) {
        best = j;
        bestAbs = Math.abs(c);
      }
    }
    if (best < 0) break;
    support.push(best);
    coef = leastSquares(atoms, dim, support, x);
    residual.set(residualOf(x, atoms, dim, support, coef));
  }
  return { support, coef };
}, 'the residual kept in a Float32Array; "no atom correlates" is |corr| <= 1e-6 |x||a_j| (float32-sized)',
'a relative stopping threshold differs from an absolute 1e-10 when the residual is tiny but real');
ok('omp', 'functional', (x, atoms, dim, k) => {
  const count = atoms.length / dim;
  const atom = (j: number) => Array.from(atoms.subarray(j * dim, (j + 1) * dim));
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, t) => s + v * b[t], 0);
  let code: OmpCode = { support: [], coef: [] };
  for (let step = 0; step < k; step++) {
    const r = residualOf(x, atoms, dim, code.support, code.coef);
    const candidates = Array.from({ length: count }, (_, j) => j)
      .filter((j) => !code.support.includes(j))
      .map((j) => ({ j, c: Math.abs(dot(r, atom(j))) }))
      .filter(({ c }) => c > 1e-10);
    if (candidates.length === 0) break;
    const { j } = candidates.reduce((a, b) => (b.c > a.c ? b : a));
    const support = [...code.support, j];
    code = { support, coef: leastSquares(atoms, dim, support, x) };
  }
  return code;
});

function ompWith(o: { signed?: boolean; refit?: boolean; newestOnly?: boolean; steps?: (k: number) => number; noResidual?: boolean; noStop?: boolean }): OmpFn {
  return (x, atoms, dim, k) => {
    const count = atoms.length / dim;
    const support: number[] = [];
    let coef: number[] = [];
    let residual = Float64Array.from(x);
    const steps = o.steps ? o.steps(k) : k;
    for (let step = 0; step < steps; step++) {
      let best = -1;
      let bestScore = o.noStop ? -Infinity : 1e-10;
      let bestC = 0;
      for (let j = 0; j < count; j++) {
        if (support.includes(j)) continue;
        let c = 0;
        for (let t = 0; t < dim; t++) c += residual[t] * atoms[j * dim + t];
        const score = o.signed ? c : Math.abs(c);
        if (score > bestScore) {
          bestScore = score;
          best = j;
          bestC = c;
        }
      }
      if (best < 0) break;
      support.push(best);
      if (o.refit === false) {
        let an = 0;
        for (let t = 0; t < dim; t++) an += atoms[best * dim + t] ** 2;
        coef.push(bestC / an);
        for (let t = 0; t < dim; t++) residual[t] -= (bestC / an) * atoms[best * dim + t];
        continue;
      }
      coef = leastSquares(atoms, dim, support, x);
      if (o.noResidual) continue;
      if (o.newestOnly) {
        const c = coef[coef.length - 1];
        for (let t = 0; t < dim; t++) residual[t] -= c * atoms[best * dim + t];
      } else {
        residual = residualOf(x, atoms, dim, support, coef);
      }
    }
    return { support, coef };
  };
}
bad('omp', 'residual: subtracts only the newest atom', 'after the refit, subtracts only c_new * atom_new from the residual (the old atoms\' coefficients changed too)',
  ompWith({ newestOnly: true }));
bad('omp', 'signed correlation', 'picks the largest signed correlation instead of the largest |correlation|', ompWith({ signed: true }));
bad('omp', 'no refit (matching pursuit)', 'never refits: coefficients are the projections at pick time (plain matching pursuit)', ompWith({ refit: false }));
bad('omp', 'k - 1 picks', 'loops one step too few', ompWith({ steps: (k) => k - 1 }));
bad('omp', 'residual never updated', 'never updates the residual: picks the k atoms most correlated with x itself, then refits', ompWith({ noResidual: true }));
// Accepted: the task says "k times", and atoms picked after the residual is 0 get coefficient 0, the same code.
ok('omp', 'never stops early', ompWith({ noStop: true }), 'extra atoms picked on a zero residual get coefficient 0: the same sparse code');
bad('omp', 'coef from the first fit only', 'refits once, after the first pick, then appends projections', (x, atoms, dim, k) => {
  const code = ompWith({ refit: false })(x, atoms, dim, k);
  if (code.support.length > 0) code.coef[0] = leastSquares(atoms, dim, [code.support[0]], x)[0];
  return code;
});

// =============================================================================================
// topK: per row keep the k largest values (by value), zero the rest, then ReLU.

ok('topK', 'tf.topk indices -> one-hot mask', (z, k) => tf.tidy(() => {
  const { indices } = tf.topk(z, k);
  const mask = tf.sum(tf.oneHot(indices, z.shape[1]), 1);
  return tf.relu(tf.mul(z, tf.cast(mask, 'float32'))) as tf.Tensor2D;
}), 'exactly k entries per row; ties as tf.topk breaks them');
ok('topK', 'k-th value threshold (notebook)', (z, k) => tf.tidy(() => {
  const kth = tf.slice(tf.topk(z, k).values, [0, k - 1], [-1, 1]);
  return tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(z, kth), 'float32'))) as tf.Tensor2D;
}), 'keeps every entry tied with the k-th value');
ok('topK', 'tf.where with relu', (z, k) => tf.tidy(() => {
  const kth = tf.min(tf.topk(z, k).values, 1, true);
  return tf.where(tf.greaterEqual(z, kth), tf.relu(z), tf.zerosLike(z)) as tf.Tensor2D;
}), 'keeps every entry tied with the k-th value');
ok('topK', 'float64 loops over arraySync', (z, k) => {
  const rows = z.arraySync() as number[][];
  const out = rows.map((row) => {
    const order = row.map((v, j) => j).sort((a, b) => row[b] - row[a] || a - b);
    const keep = new Set(order.slice(0, k));
    return row.map((v, j) => (keep.has(j) ? Math.max(v, 0) : 0));
  });
  return tf.tensor2d(out, z.shape);
}, NO_GRAD + '; exactly k per row, ties by lowest index', 'not differentiable: fine if the check only compares values');
ok('topK', 'float32 typed-array sort', (z, k) => {
  const [n, m] = z.shape;
  const v = z.dataSync();
  const out = new Float32Array(n * m);
  for (let r = 0; r < n; r++) {
    const row = v.subarray(r * m, (r + 1) * m);
    const sorted = Float32Array.from(row).sort();
    const kth = sorted[m - Math.min(k, m)];
    let kept = 0;
    for (let j = 0; j < m; j++) if (row[j] > kth) { out[r * m + j] = Math.max(row[j], 0); kept++; }
    for (let j = 0; j < m && kept < k; j++) if (row[j] === kth) { out[r * m + j] = Math.max(row[j], 0); kept++; }
  }
  return tf.tensor2d(out, [n, m]);
}, NO_GRAD + '; exactly k per row, ties by lowest index', 'not differentiable: fine if the check only compares values');

bad('topK', 'no ReLU', 'keeps the k largest but forgets the ReLU (negative values survive)', (z, k) => tf.tidy(() => {
  const kth = tf.slice(tf.topk(z, k).values, [0, k - 1], [-1, 1]);
  return tf.mul(z, tf.cast(tf.greaterEqual(z, kth), 'float32')) as tf.Tensor2D;
}));
bad('topK', 'by magnitude', 'ranks by |z|: a large negative pre-activation takes a slot', (z, k) => tf.tidy(() => {
  const a = tf.abs(z);
  const kth = tf.slice(tf.topk(a, k).values, [0, k - 1], [-1, 1]);
  return tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(a, kth), 'float32'))) as tf.Tensor2D;
}));
bad('topK', 'over the whole batch', 'keeps the k largest values of the whole batch, not of each row', (z, k) => tf.tidy(() => {
  const kth = tf.min(tf.topk(tf.reshape(z, [-1]), k).values);
  return tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(z, kth), 'float32'))) as tf.Tensor2D;
}));
bad('topK', 'keeps k + 1', 'the (k+1)-th value as the threshold: one entry too many', (z, k) => tf.tidy(() => {
  const kk = Math.min(k + 1, z.shape[1]);
  const kth = tf.slice(tf.topk(z, kk).values, [0, kk - 1], [-1, 1]);
  return tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(z, kth), 'float32'))) as tf.Tensor2D;
}));
bad('topK', 'per column', 'top k down each column (over the batch) instead of along each row', (z, k) => tf.tidy(() => {
  const zt = tf.transpose(z);
  const kk = Math.min(k, zt.shape[1]);
  const kth = tf.slice(tf.topk(zt, kk).values, [0, kk - 1], [-1, 1]);
  return tf.transpose(tf.relu(tf.mul(zt, tf.cast(tf.greaterEqual(zt, kth), 'float32')))) as tf.Tensor2D;
}));
bad('topK', 'returns the top-k values', 'returns tf.topk(z, k).values ([batch, k]) instead of a [batch, n] tensor',
  (z, k) => tf.tidy(() => tf.relu(tf.topk(z, k).values) as tf.Tensor2D));
bad('topK', 'no tidy (leaks)', 'no tf.tidy: topk, slice, greaterEqual, cast and mul are left behind', (z, k) => {
  const kth = tf.slice(tf.topk(z, k).values, [0, k - 1], [-1, 1]);
  return tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(z, kth), 'float32'))) as tf.Tensor2D;
});
bad('topK', 'keeps the k smallest', 'keeps the k smallest values (topk of -z)', (z, k) => tf.tidy(() => {
  const kth = tf.neg(tf.slice(tf.topk(tf.neg(z), k).values, [0, k - 1], [-1, 1]));
  return tf.relu(tf.mul(z, tf.cast(tf.lessEqual(z, kth), 'float32'))) as tf.Tensor2D;
}));

// =============================================================================================
// fvu: sum |x - xHat|^2 / sum |x - mean(x)|^2 with a per-dimension mean.

ok('fvu', 'tensor ops in tidy', (x, xHat, dim) => tf.tidy(() => {
  const n = x.length / dim;
  const X = tf.tensor2d(x, [n, dim]);
  const H = tf.tensor2d(xHat, [n, dim]);
  const err = tf.sum(tf.squaredDifference(X, H));
  const total = tf.sum(tf.squaredDifference(X, tf.mean(X, 0, true)));
  return tf.div(err, total).dataSync()[0];
}), 'float32 tensors');
ok('fvu', 'float64 loops (notebook)', (x, xHat, dim) => {
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
});
ok('fvu', 'float32 accumulators', (x, xHat, dim) => {
  const n = x.length / dim;
  const mean = new Float32Array(dim);
  for (let r = 0; r < n; r++) for (let d = 0; d < dim; d++) mean[d] += x[r * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= n;
  const acc = new Float32Array(2);
  for (let i = 0; i < x.length; i++) {
    acc[0] += (x[i] - xHat[i]) ** 2;
    acc[1] += (x[i] - mean[i % dim]) ** 2;
  }
  return acc[0] / acc[1];
}, 'float32 sums (Float32Array accumulators)');
ok('fvu', 'functional', (x, xHat, dim) => {
  const n = x.length / dim;
  const idx = Array.from({ length: x.length }, (_, i) => i);
  const mean = Array.from({ length: dim }, (_, d) => idx.filter((i) => i % dim === d).reduce((s, i) => s + x[i], 0) / n);
  const err = idx.reduce((s, i) => s + (x[i] - xHat[i]) ** 2, 0);
  const total = idx.reduce((s, i) => s + (x[i] - mean[i % dim]) ** 2, 0);
  return err / total;
});
ok('fvu', 'one pass: sum x^2 - n mean^2', (x, xHat, dim) => {
  const n = x.length / dim;
  const sum = new Float64Array(dim);
  const sumSq = new Float64Array(dim);
  let err = 0;
  for (let i = 0; i < x.length; i++) {
    sum[i % dim] += x[i];
    sumSq[i % dim] += x[i] * x[i];
    err += (x[i] - xHat[i]) * (x[i] - xHat[i]);
  }
  let total = 0;
  for (let d = 0; d < dim; d++) total += sumSq[d] - (sum[d] * sum[d]) / n;
  return err / total;
}, 'variance as sum x^2 - (sum x)^2 / n (float64; cancels when the mean dwarfs the spread)',
'mathematically exact; loses digits when |mean| >> spread (the check may include such data)');

bad('fvu', 'leaks tensors', 'computed with tensors and never disposed (no tidy)', (x, xHat, dim) => {
  const n = x.length / dim;
  const X = tf.tensor2d(x, [n, dim]);
  const H = tf.tensor2d(xHat, [n, dim]);
  return tf.div(tf.sum(tf.squaredDifference(X, H)), tf.sum(tf.squaredDifference(X, tf.mean(X, 0, true)))).dataSync()[0];
});
bad('fvu', 'MSE instead of FVU', 'returns the mean squared error, not divided by the variance', (x, xHat) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - xHat[i]) ** 2;
  return s / x.length;
});
bad('fvu', 'one global mean', 'x-bar as one number (the mean of every entry) instead of one mean per dimension', (x, xHat) => {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  let err = 0;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    err += (x[i] - xHat[i]) ** 2;
    total += (x[i] - m) ** 2;
  }
  return err / total;
});
bad('fvu', 'no mean subtracted', 'divides by sum |x|^2 instead of sum |x - mean|^2', (x, xHat) => {
  let err = 0;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    err += (x[i] - xHat[i]) ** 2;
    total += x[i] ** 2;
  }
  return err / total;
});
bad('fvu', 'mean per row (axes swapped)', 'x-bar as each row\'s mean instead of each dimension\'s', (x, xHat, dim) => {
  const n = x.length / dim;
  let err = 0;
  let total = 0;
  for (let r = 0; r < n; r++) {
    let m = 0;
    for (let d = 0; d < dim; d++) m += x[r * dim + d] / dim;
    for (let d = 0; d < dim; d++) {
      err += (x[r * dim + d] - xHat[r * dim + d]) ** 2;
      total += (x[r * dim + d] - m) ** 2;
    }
  }
  return err / total;
});
bad('fvu', 'R^2 (1 - FVU)', 'returns the explained fraction 1 - FVU', (x, xHat, dim) => {
  const n = x.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < x.length; i++) mean[i % dim] += x[i] / n;
  let err = 0;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    err += (x[i] - xHat[i]) ** 2;
    total += (x[i] - mean[i % dim]) ** 2;
  }
  return 1 - err / total;
});
bad('fvu', 'ratio of norms (sqrt)', 'returns |x - xHat| / |x - mean|, the square root of the FVU', (x, xHat, dim) => {
  const n = x.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < x.length; i++) mean[i % dim] += x[i] / n;
  let err = 0;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    err += (x[i] - xHat[i]) ** 2;
    total += (x[i] - mean[i % dim]) ** 2;
  }
  return Math.sqrt(err / total);
});
bad('fvu', 'variance of xHat', 'divides by the spread of the reconstruction xHat instead of the input x', (x, xHat, dim) => {
  const n = x.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < xHat.length; i++) mean[i % dim] += xHat[i] / n;
  let err = 0;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    err += (x[i] - xHat[i]) ** 2;
    total += (xHat[i] - mean[i % dim]) ** 2;
  }
  return err / total;
});

// =============================================================================================
// interference: per feature i, sum over j != i of (W^_i . W_j)^2, W [m, n] row-major, W^_i = W_i / ||W_i||.

/** Column i of W [m, n] row-major, as plain numbers. */
const column = (w: Float32Array, m: number, n: number, i: number) => Array.from({ length: m }, (_, r) => w[r * n + i]);
const dotP = (a: number[], b: number[]) => a.reduce((s, v, r) => s + v * b[r], 0);

ok('interference', 'float64 loops (notebook)', (w, m, n) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let r = 0; r < m; r++) norm += w[r * n + i] ** 2;
    norm = Math.sqrt(norm);
    let sum = 0;
    for (let j = 0; j < n; j++) {
      if (j === i || norm === 0) continue;
      let d = 0;
      for (let r = 0; r < m; r++) d += w[r * n + i] * w[r * n + j];
      sum += (d / norm) ** 2;
    }
    out.push(sum);
  }
  return out;
});
ok('interference', 'tensor ops in tidy', (w, m, n) => tf.tidy(() => {
  const W = tf.tensor2d(w, [m, n]);
  const gram = tf.matMul(W, W, true, false);
  const normSq = tf.sum(tf.square(W), 0);
  const offDiagonal = tf.sub(tf.sum(tf.square(gram), 1), tf.square(normSq));
  return Array.from(tf.div(offDiagonal, tf.maximum(normSq, 1e-12)).dataSync());
}), 'float32 tensors: (sum_j G_ij^2 - G_ii^2) / G_ii');
ok('interference', 'Gram matrix, float32 accumulators', (w, m, n) => {
  const g = new Float32Array(n * n);
  for (let r = 0; r < m; r++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j] += w[r * n + i] * w[r * n + j];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (g[i * n + i] === 0) continue;
    for (let j = 0; j < n; j++) if (j !== i) out[i] += (g[i * n + j] * g[i * n + j]) / g[i * n + i];
  }
  return out;
}, 'returns a Float32Array');
ok('interference', 'functional, unit vectors', (w, m, n) => {
  const cols = Array.from({ length: n }, (_, i) => column(w, m, n, i));
  const units = cols.map((c) => {
    const len = Math.hypot(...c);
    return len > 0 ? c.map((v) => v / len) : c.map(() => 0);
  });
  return units.map((u, i) => cols.reduce((s, c, j) => (j === i ? s : s + dotP(u, c) ** 2), 0));
});

bad('interference', 'not normalised', 'sums (W_i . W_j)^2 without dividing by ||W_i||^2', (w, m, n) =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => j)
    .filter((j) => j !== i).reduce((s, j) => s + dotP(column(w, m, n, i), column(w, m, n, j)) ** 2, 0)));
bad('interference', 'includes j = i', 'sums over every j, the feature itself included (adds ||W_i||^2)', (w, m, n) =>
  Array.from({ length: n }, (_, i) => {
    const ci = column(w, m, n, i);
    const len = Math.hypot(...ci);
    return Array.from({ length: n }, (_, j) => j).reduce((s, j) => s + (len > 0 ? dotP(ci, column(w, m, n, j)) / len : 0) ** 2, 0);
  }));
bad('interference', 'not squared', 'adds the projections W^_i . W_j themselves, not their squares', (w, m, n) =>
  Array.from({ length: n }, (_, i) => {
    const ci = column(w, m, n, i);
    const len = Math.hypot(...ci);
    return Array.from({ length: n }, (_, j) => j).filter((j) => j !== i)
      .reduce((s, j) => s + (len > 0 ? dotP(ci, column(w, m, n, j)) / len : 0), 0);
  }));
bad('interference', 'rows as features (W transposed)', 'reads W as [n, m]: feature i = w[i * m ... i * m + m - 1]', (w, m, n) => {
  const feature = (i: number) => Array.from(w.subarray(i * m, (i + 1) * m));
  return Array.from({ length: n }, (_, i) => {
    const len = Math.hypot(...feature(i));
    let sum = 0;
    for (let j = 0; j < n; j++) if (j !== i && len > 0) sum += (dotP(feature(i), feature(j)) / len) ** 2;
    return sum;
  });
});
bad('interference', 'divides by n', 'the mean over j instead of the sum', (w, m, n) => {
  const g = (i: number, j: number) => dotP(column(w, m, n, i), column(w, m, n, j));
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => j)
    .filter((j) => j !== i && g(i, i) > 0).reduce((s, j) => s + g(i, j) ** 2 / g(i, i), 0) / n);
});
bad('interference', 'zero column gives NaN', 'divides by ||W_i|| with no guard: a dropped feature gives 0 / 0', (w, m, n) => {
  const g = (i: number, j: number) => dotP(column(w, m, n, i), column(w, m, n, j));
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => j)
    .filter((j) => j !== i).reduce((s, j) => s + (g(i, j) / Math.sqrt(g(i, i))) ** 2, 0));
});
bad('interference', 'cosine squared (both normalised)', 'divides by ||W_i|| ||W_j||: W_j should keep its length', (w, m, n) => {
  const g = (i: number, j: number) => dotP(column(w, m, n, i), column(w, m, n, j));
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => j)
    .filter((j) => j !== i && g(i, i) > 0 && g(j, j) > 0).reduce((s, j) => s + g(i, j) ** 2 / (g(i, i) * g(j, j)), 0));
});
bad('interference', 'normalises w in place', 'divides the columns of w itself, changing the caller\'s weights', (w, m, n) => {
  for (let i = 0; i < n; i++) {
    const len = Math.hypot(...column(w, m, n, i));
    if (len > 0) for (let r = 0; r < m; r++) w[r * n + i] /= len;
  }
  return Array.from({ length: n }, () => 0);
});
bad('interference', 'returns a tensor', 'returns the tf.Tensor instead of its values', anyFn<InterferenceFn>((w: Float32Array, m: number, n: number) => {
  const W = tf.tensor2d(w, [m, n]);
  const gram = tf.matMul(W, W, true, false);
  const normSq = tf.sum(tf.square(W), 0);
  return tf.div(tf.sub(tf.sum(tf.square(gram), 1), tf.square(normSq)), tf.maximum(normSq, 1e-12));
}));
bad('interference', 'leaks tensors', 'computed with tensors and never disposed (no tidy)', (w, m, n) => {
  const W = tf.tensor2d(w, [m, n]);
  const gram = tf.matMul(W, W, true, false);
  const normSq = tf.sum(tf.square(W), 0);
  return Array.from(tf.div(tf.sub(tf.sum(tf.square(gram), 1), tf.square(normSq)), tf.maximum(normSq, 1e-12)).dataSync());
});

// mcc: each true feature matched one-to-one (assignMax on |cos|) to a latent, mean matched |cos| over the n features.
const cosTable = (w: Float32Array, f: Float32Array, d: number, abs = true, normalise = true) => {
  const [latents, n] = [w.length / d, f.length / d];
  const score = new Float64Array(n * latents);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < latents; j++) {
      let [dot, a, b] = [0, 0, 0];
      for (let t = 0; t < d; t++) { dot += f[i * d + t] * w[j * d + t]; a += f[i * d + t] ** 2; b += w[j * d + t] ** 2; }
      const c = normalise ? dot / Math.sqrt(a * b) : dot;
      score[i * latents + j] = abs ? Math.abs(c) : c;
    }
  }
  return { score, n, latents };
};
const matchedSum = (score: Float64Array, n: number, latents: number) =>
  Array.from(assignMax(score, n, latents)).reduce((s, j, i) => s + (j >= 0 ? score[i * latents + j] : 0), 0);
ok('mcc', 'loops (notebook)', (w, f, d) => {
  const { score, n, latents } = cosTable(w, f, d);
  return matchedSum(score, n, latents) / n;
});
ok('mcc', 'tensor ops for the cosines', (w, f, d) => {
  const [latents, n] = [w.length / d, f.length / d];
  const score = tf.tidy(() => {
    const W = tf.tensor2d(w, [latents, d]);
    const F = tf.tensor2d(f, [n, d]);
    const unit = (m: tf.Tensor2D) => tf.div(m, tf.norm(m, 'euclidean', 1, true));
    return tf.abs(tf.matMul(unit(F), unit(W), false, true)).dataSync();
  });
  return matchedSum(Float64Array.from(score), n, latents) / n;
}, 'float32 cosines');
ok('mcc', 'transposed: latents as rows of the assignment', (w, f, d) => {
  const { score, n, latents } = cosTable(w, f, d);
  const t = new Float64Array(latents * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < latents; j++) t[j * n + i] = score[i * latents + j];
  const match = assignMax(t, latents, n);
  let total = 0;
  match.forEach((i, j) => { if (i >= 0) total += t[j * n + i]; });
  return total / n;
}, 'matches latents to features; the same pairs');
bad('mcc', 'signed cosines', 'matches on cos, not |cos|: a flipped decoder row counts against the feature', (w, f, d) => {
  const { score, n, latents } = cosTable(w, f, d, false);
  return matchedSum(score, n, latents) / n;
});
bad('mcc', 'dot products', 'forgets to divide by the norms: decoder rows are not unit vectors', (w, f, d) => {
  const { score, n, latents } = cosTable(w, f, d, true, false);
  return matchedSum(score, n, latents) / n;
});
bad('mcc', 'greedy best latent', 'takes each feature\'s best latent, so two features can share one', (w, f, d) => {
  const { score, n, latents } = cosTable(w, f, d);
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.max(...score.subarray(i * latents, (i + 1) * latents));
  return total / n;
});
bad('mcc', 'mean over the latents', 'divides the matched sum by the number of latents', (w, f, d) => {
  const { score, n, latents } = cosTable(w, f, d);
  return matchedSum(score, n, latents) / latents;
});
bad('mcc', 'mean over matched only', 'averages over the matched features, so unmatched ones do not count as 0', (w, f, d) => {
  const { score, n, latents } = cosTable(w, f, d);
  return matchedSum(score, n, latents) / Math.min(n, latents);
});
bad('mcc', 'each latent\'s best feature', 'averages each latent\'s best |cos| over the latents', (w, f, d) => {
  const { score, n, latents } = cosTable(w, f, d);
  let total = 0;
  for (let j = 0; j < latents; j++) {
    let best = 0;
    for (let i = 0; i < n; i++) best = Math.max(best, score[i * latents + j]);
    total += best;
  }
  return total / latents;
});

// =============================================================================================
// toyLoss: the mean over batch and features of I_i (x_i - x'_i)^2, x and xHat [batch, n], I [n].

ok('toyLoss', 'tensor: tidy mean(I * squaredDifference)', (x, xHat, importance) =>
  tf.tidy(() => tf.mean(tf.mul(importance, tf.squaredDifference(x, xHat))) as tf.Scalar));
ok('toyLoss', 'tensor: sub, square, sum / size', (x, xHat, importance) => tf.tidy(() => {
  const weighted = tf.mul(tf.square(tf.sub(x, xHat)), importance.reshape([1, -1]));
  return tf.div(tf.sum(weighted), x.size) as tf.Scalar;
}));
ok('toyLoss', 'tensor: mean over features of the batch mean', (x, xHat, importance) => tf.tidy(() => {
  const perFeature = tf.mean(tf.square(tf.sub(x, xHat)), 0);
  return tf.mean(tf.mul(perFeature, importance)) as tf.Scalar;
}), 'mean over the batch first, then weights each feature\'s mean: the same number');
ok('toyLoss', 'float64 loop over dataSync', (x, xHat, importance) => {
  const [batch, n] = x.shape;
  const [a, b, w] = [x.dataSync(), xHat.dataSync(), importance.dataSync()];
  let s = 0;
  for (let r = 0; r < batch; r++) for (let i = 0; i < n; i++) s += w[i] * (a[r * n + i] - b[r * n + i]) ** 2;
  return tf.scalar(s / (batch * n));
}, NO_GRAD, 'not differentiable: fine if the check only compares values');
ok('toyLoss', 'float32 accumulator, functional', (x, xHat, importance) => {
  const [a, b, w] = [x.arraySync(), xHat.arraySync(), importance.arraySync()];
  const acc = new Float32Array(1);
  a.forEach((row, r) => row.forEach((v, i) => { acc[0] += w[i] * (v - b[r][i]) ** 2; }));
  return tf.scalar(acc[0] / (a.length * w.length));
}, NO_GRAD + ' (float32 sum)', 'not differentiable: fine if the check only compares values');

bad('toyLoss', 'forgets the importance', 'the plain mean squared error, no importance weights', (x, xHat) =>
  tf.tidy(() => tf.mean(tf.squaredDifference(x, xHat)) as tf.Scalar));
bad('toyLoss', 'weights before squaring (I^2)', 'squares I (x - x\'), so each error is weighted by I^2', (x, xHat, importance) =>
  tf.tidy(() => tf.mean(tf.square(tf.mul(importance, tf.sub(x, xHat)))) as tf.Scalar));
bad('toyLoss', 'sums over the features (the paper)', 'mean over the batch, sum over the features: n times the kit\'s', (x, xHat, importance) =>
  tf.tidy(() => tf.mean(tf.sum(tf.mul(importance, tf.squaredDifference(x, xHat)), 1)) as tf.Scalar));
bad('toyLoss', 'sums over the batch', 'mean over the features, summed over the batch', (x, xHat, importance) =>
  tf.tidy(() => tf.sum(tf.mean(tf.mul(importance, tf.squaredDifference(x, xHat)), 1)) as tf.Scalar));
bad('toyLoss', 'sqrt of the importance', 'weights each squared error by sqrt(I)', (x, xHat, importance) =>
  tf.tidy(() => tf.mean(tf.mul(tf.sqrt(importance), tf.squaredDifference(x, xHat))) as tf.Scalar));
bad('toyLoss', 'importance along the batch', 'reshapes the importance to [n, 1], so it weights the samples (fails or is wrong)', (x, xHat, importance) =>
  tf.tidy(() => tf.mean(tf.mul(importance.reshape([-1, 1]), tf.squaredDifference(x, xHat))) as tf.Scalar));
bad('toyLoss', 'mean over the batch only', 'returns the per-feature means, shape [n]', anyFn<ToyLossFn>((x: tf.Tensor2D, xHat: tf.Tensor2D, importance: tf.Tensor1D) =>
  tf.tidy(() => tf.mean(tf.mul(importance, tf.squaredDifference(x, xHat)), 0))));
bad('toyLoss', 'returns a number', 'reads the loss out with dataSync()[0] and returns the number', anyFn<ToyLossFn>((x: tf.Tensor2D, xHat: tf.Tensor2D, importance: tf.Tensor1D) =>
  tf.tidy(() => tf.mean(tf.mul(importance, tf.squaredDifference(x, xHat)))).dataSync()[0]));
bad('toyLoss', 'no tidy (leaks)', 'no tf.tidy: the squared difference and the product are left behind', (x, xHat, importance) =>
  tf.mean(tf.mul(importance, tf.squaredDifference(x, xHat))) as tf.Scalar);
bad('toyLoss', 'disposes its input', 'disposes xHat after using it', (x, xHat, importance) => {
  const loss = tf.tidy(() => tf.mean(tf.mul(importance, tf.squaredDifference(x, xHat))) as tf.Scalar);
  xHat.dispose();
  return loss;
});
// Not designed for: mistakes whose hints were written before these variants.
bad('toyLoss', 'weighted average (divides by sum I)', 'normalises by the importances\' sum instead of n', (x, xHat, importance) =>
  tf.tidy(() => tf.div(tf.mean(tf.sum(tf.mul(importance, tf.squaredDifference(x, xHat)), 1)), tf.sum(importance)) as tf.Scalar));
bad('toyLoss', 'x - xHat squared after the mean', 'squares the mean error: mean(I (x - x\'))^2', (x, xHat, importance) =>
  tf.tidy(() => tf.square(tf.mean(tf.mul(importance, tf.sub(x, xHat)))) as tf.Scalar));
bad('toyLoss', 'importance as the mean weight', 'multiplies the MSE by the mean importance', (x, xHat, importance) =>
  tf.tidy(() => tf.mul(tf.mean(importance), tf.mean(tf.squaredDifference(x, xHat))) as tf.Scalar));

// =============================================================================================
// firing: one latent fires where its code is > threshold, its feature where its coefficient is > 0;
// precision TP / (TP + FP), recall TP / (TP + FN), NaN where the denominator is 0.

/** TP, FP, FN of a latent against its feature with these firing tests. */
const firingCounts = (code: Float32Array, coef: Float32Array, latent: (c: number) => boolean, feature: (c: number) => boolean) => {
  let [tp, fp, fn] = [0, 0, 0];
  code.forEach((c, s) => {
    const [l, f] = [latent(c), feature(coef[s])];
    if (l && f) tp++;
    else if (l) fp++;
    else if (f) fn++;
  });
  return { tp, fp, fn };
};
ok('firing', 'one loop (notebook)', (code, coef, threshold) => {
  let [tp, fp, fn] = [0, 0, 0];
  for (let s = 0; s < code.length; s++) {
    const latent = code[s] > threshold;
    const feature = coef[s] > 0;
    if (latent && feature) tp += 1;
    else if (latent) fp += 1;
    else if (feature) fn += 1;
  }
  return { precision: tp / (tp + fp), recall: tp / (tp + fn) };
}, '0 / 0 is NaN in JavaScript: no guard needed');
ok('firing', 'filters and explicit NaN', (code, coef, threshold) => {
  const fires = Array.from(code, (c) => c > threshold);
  const present = Array.from(coef, (c) => c > 0);
  const both = fires.filter((f, s) => f && present[s]).length;
  const latentCount = fires.filter(Boolean).length;
  const featureCount = present.filter(Boolean).length;
  return { precision: latentCount === 0 ? NaN : both / latentCount, recall: featureCount === 0 ? NaN : both / featureCount };
});
ok('firing', 'tensor ops', (code, coef, threshold) => tf.tidy(() => {
  const latent = tf.cast(tf.greater(tf.tensor1d(code), threshold), 'float32');
  const feature = tf.cast(tf.greater(tf.tensor1d(coef), 0), 'float32');
  const tp = tf.sum(tf.mul(latent, feature)).dataSync()[0];
  return { precision: tp / tf.sum(latent).dataSync()[0], recall: tp / tf.sum(feature).dataSync()[0] };
}), 'counts with float32 tensors, divides in JavaScript');
ok('firing', 'helper with counts', (code, coef, threshold) => {
  const { tp, fp, fn } = firingCounts(code, coef, (c) => c > threshold, (c) => c > 0);
  return { precision: tp / (tp + fp), recall: tp / (tp + fn) };
});

bad('firing', 'precision and recall swapped', 'divides TP by the feature\'s firings for precision and by the latent\'s for recall', (code, coef, threshold) => {
  const { tp, fp, fn } = firingCounts(code, coef, (c) => c > threshold, (c) => c > 0);
  return { precision: tp / (tp + fn), recall: tp / (tp + fp) };
});
bad('firing', '>= threshold', 'counts a code equal to the threshold as firing', (code, coef, threshold) => {
  const { tp, fp, fn } = firingCounts(code, coef, (c) => c >= threshold, (c) => c > 0);
  return { precision: tp / (tp + fp), recall: tp / (tp + fn) };
});
bad('firing', 'any non-zero code fires', 'ignores the threshold: a code fires wherever it is non-zero', (code, coef) => {
  const { tp, fp, fn } = firingCounts(code, coef, (c) => c !== 0, (c) => c > 0);
  return { precision: tp / (tp + fp), recall: tp / (tp + fn) };
});
bad('firing', 'divides by the sample count', 'TP / count for both (a share of all samples)', (code, coef, threshold) => {
  const { tp } = firingCounts(code, coef, (c) => c > threshold, (c) => c > 0);
  return { precision: tp / code.length, recall: tp / code.length };
});
bad('firing', '0 instead of NaN', 'guards the division and returns 0 when the latent (or feature) never fires', (code, coef, threshold) => {
  const { tp, fp, fn } = firingCounts(code, coef, (c) => c > threshold, (c) => c > 0);
  return { precision: tp + fp > 0 ? tp / (tp + fp) : 0, recall: tp + fn > 0 ? tp / (tp + fn) : 0 };
});
bad('firing', 'negative coefficient fires', 'counts a feature as firing wherever its coefficient is non-zero', (code, coef, threshold) => {
  const { tp, fp, fn } = firingCounts(code, coef, (c) => c > threshold, (c) => c !== 0);
  return { precision: tp / (tp + fp), recall: tp / (tp + fn) };
});
bad('firing', '|code| > threshold', 'a large negative code counts as firing', (code, coef, threshold) => {
  const { tp, fp, fn } = firingCounts(code, coef, (c) => Math.abs(c) > threshold, (c) => c > 0);
  return { precision: tp / (tp + fp), recall: tp / (tp + fn) };
});
bad('firing', 'accuracy', 'returns the accuracy (TP + TN) / count for both', (code, coef, threshold) => {
  const { tp, fp, fn } = firingCounts(code, coef, (c) => c > threshold, (c) => c > 0);
  const accuracy = (code.length - fp - fn) / code.length;
  return { precision: accuracy, recall: accuracy };
});
bad('firing', 'returns an array', 'returns [precision, recall]', anyFn<FiringFn>((code: Float32Array, coef: Float32Array, threshold: number) => {
  const { tp, fp, fn } = firingCounts(code, coef, (c) => c > threshold, (c) => c > 0);
  return [tp / (tp + fp), tp / (tp + fn)];
}));
// Not designed for: mistakes whose hints were written before these variants.
bad('firing', 'F1 as precision', 'returns F1 in the precision field', (code, coef, threshold) => {
  const { tp, fp, fn } = firingCounts(code, coef, (c) => c > threshold, (c) => c > 0);
  return { precision: (2 * tp) / (2 * tp + fp + fn), recall: tp / (tp + fn) };
});
bad('firing', 'FP counted where neither fires', 'else-branch bug: counts a sample where neither fires as FP', (code, coef, threshold) => {
  let [tp, fp, fn] = [0, 0, 0];
  for (let s = 0; s < code.length; s++) {
    const [l, f] = [code[s] > threshold, coef[s] > 0];
    if (l && f) tp++;
    else if (f) fn++;
    else fp++;
  }
  return { precision: tp / (tp + fp), recall: tp / (tp + fn) };
});
bad('firing', 'threshold on the coefficient too', 'a feature fires where its coefficient is > threshold', (code, coef, threshold) => {
  const { tp, fp, fn } = firingCounts(code, coef, (c) => c > threshold, (c) => c > threshold);
  return { precision: tp / (tp + fp), recall: tp / (tp + fn) };
});

// =============================================================================================
// istaStep: c <- soft(c - step * D (D^T c - x), step * lambda), D the atoms as rows [count, dim].

const soft = (v: number, t: number) => Math.sign(v) * Math.max(Math.abs(v) - t, 0);
/** The gradient D (D^T c - x), atoms [count, dim]. */
const lassoGradient = (code: Float64Array, atoms: Float64Array, x: Float64Array, dim: number) => {
  const r = Array.from(x, (v, t) => code.reduce((s, c, j) => s + c * atoms[j * dim + t], -v));
  return Array.from(code, (_, j) => r.reduce((s, v, t) => s + atoms[j * dim + t] * v, 0));
};
ok('istaStep', 'float64 loops (notebook)', (code, atoms, signal, dim, lambda, step) => {
  const count = code.length;
  const residual = new Float64Array(dim);
  for (let t = 0; t < dim; t++) {
    residual[t] = -signal[t];
    for (let j = 0; j < count; j++) residual[t] += code[j] * atoms[j * dim + t];
  }
  const out = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    let g = 0;
    for (let t = 0; t < dim; t++) g += atoms[j * dim + t] * residual[t];
    const v = code[j] - step * g;
    out[j] = Math.sign(v) * Math.max(Math.abs(v) - step * lambda, 0);
  }
  return out;
});
ok('istaStep', 'tensor ops', (code, atoms, signal, dim, lambda, step) => Float64Array.from(tf.tidy(() => {
  const D = tf.tensor2d(Float32Array.from(atoms), [code.length, dim]);
  const c = tf.tensor2d(Float32Array.from(code), [1, code.length]);
  const residual = tf.sub(tf.matMul(c, D), tf.tensor2d(Float32Array.from(signal), [1, dim]));
  const v = tf.sub(c, tf.mul(step, tf.matMul(residual, D, false, true)));
  return tf.mul(tf.sign(v), tf.relu(tf.sub(tf.abs(v), step * lambda))).dataSync();
})), 'float32 tensors');
ok('istaStep', 'functional, plain array', (code, atoms, signal, dim, lambda, step) =>
  lassoGradient(code, atoms, signal, dim).map((g, j) => soft(code[j] - step * g, step * lambda)), 'returns a number[]');
ok('istaStep', 'Gram matrix, float32', (code, atoms, signal, dim, lambda, step) => {
  const count = code.length;
  const out = new Float32Array(count);
  for (let j = 0; j < count; j++) {
    let g = 0;
    for (let t = 0; t < dim; t++) g -= atoms[j * dim + t] * signal[t];
    for (let i = 0; i < count; i++) {
      let gram = 0;
      for (let t = 0; t < dim; t++) gram += atoms[j * dim + t] * atoms[i * dim + t];
      g += gram * code[i];
    }
    const v = code[j] - step * g;
    out[j] = v > step * lambda ? v - step * lambda : v < -step * lambda ? v + step * lambda : 0;
  }
  return out;
}, 'G c - D x, a Float32Array');

bad('istaStep', 'threshold lambda', 'shrinks by lambda instead of step * lambda', (code, atoms, signal, dim, lambda, step) =>
  lassoGradient(code, atoms, signal, dim).map((g, j) => soft(code[j] - step * g, lambda)));
bad('istaStep', 'gradient sign (c + step g)', 'steps up the gradient', (code, atoms, signal, dim, lambda, step) =>
  lassoGradient(code, atoms, signal, dim).map((g, j) => soft(code[j] + step * g, step * lambda)));
bad('istaStep', 'atoms as columns', 'reads atoms as [dim, count]: atom j = atoms[t * count + j]', (code, atoms, signal, dim, lambda, step) => {
  const count = code.length;
  const r = Array.from(signal, (v, t) => code.reduce((s, c, j) => s + c * atoms[t * count + j], -v));
  return Array.from(code, (c, j) => soft(c - step * r.reduce((s, v, t) => s + atoms[t * count + j] * v, 0), step * lambda));
});
bad('istaStep', 'non-negative prox', 'max(v - t, 0): negative entries are clipped to 0', (code, atoms, signal, dim, lambda, step) =>
  lassoGradient(code, atoms, signal, dim).map((g, j) => Math.max(code[j] - step * g - step * lambda, 0)));
bad('istaStep', 'forgets the step on the gradient', 'c - D (D^T c - x), the step only in the threshold', (code, atoms, signal, dim, lambda, step) =>
  lassoGradient(code, atoms, signal, dim).map((g, j) => soft(code[j] - g, step * lambda)));
bad('istaStep', 'in place', 'writes the new code into code and returns it', (code, atoms, signal, dim, lambda, step) => {
  const g = lassoGradient(code, atoms, signal, dim);
  for (let j = 0; j < code.length; j++) code[j] = soft(code[j] - step * g[j], step * lambda);
  return code;
});
bad('istaStep', 'no clip at 0', 'sign(v) (|v| - t) without the max: small entries flip sign', (code, atoms, signal, dim, lambda, step) =>
  lassoGradient(code, atoms, signal, dim).map((g, j) => { const v = code[j] - step * g; return Math.sign(v) * (Math.abs(v) - step * lambda); }));
bad('istaStep', 'leaks tensors', 'tensor ops with no tidy', (code, atoms, signal, dim, lambda, step) => {
  const D = tf.tensor2d(Float32Array.from(atoms), [code.length, dim]);
  const c = tf.tensor2d(Float32Array.from(code), [1, code.length]);
  const residual = tf.sub(tf.matMul(c, D), tf.tensor2d(Float32Array.from(signal), [1, dim]));
  const v = tf.sub(c, tf.mul(step, tf.matMul(residual, D, false, true)));
  return Float64Array.from(tf.mul(tf.sign(v), tf.relu(tf.sub(tf.abs(v), step * lambda))).dataSync());
});
// Not designed for: mistakes whose hints were written before these variants.
bad('istaStep', 'residual updated coordinate by coordinate', 'updates c_j and uses it for the later coordinates (coordinate descent, not ISTA)', (code, atoms, signal, dim, lambda, step) => {
  const c = Float64Array.from(code);
  for (let j = 0; j < c.length; j++) c[j] = soft(c[j] - step * lassoGradient(c, atoms, signal, dim)[j], step * lambda);
  return c;
});
bad('istaStep', 'soft threshold by step / lambda typo', 'threshold step / lambda', (code, atoms, signal, dim, lambda, step) =>
  lassoGradient(code, atoms, signal, dim).map((g, j) => soft(code[j] - step * g, lambda > 0 ? step / lambda : 0)));
bad('istaStep', 'tensor: D^T shape confusion', 'matMul(c, D, false, true) where matMul(c, D) was meant (square cases only; errors otherwise)', (code, atoms, signal, dim, lambda, step) => Float64Array.from(tf.tidy(() => {
  const D = tf.tensor2d(Float32Array.from(atoms), [code.length, dim]);
  const c = tf.tensor2d(Float32Array.from(code), [1, code.length]);
  const residual = tf.sub(tf.matMul(c, D, false, true), tf.tensor2d(Float32Array.from(signal), [1, dim]));
  const v = tf.sub(c, tf.mul(step, tf.matMul(residual, D)));
  return tf.mul(tf.sign(v), tf.relu(tf.sub(tf.abs(v), step * lambda))).dataSync();
})));

// =============================================================================================
// batchTopK: relu(z) kept where z >= the (k·B)-th largest entry of the whole batch (ties kept), 0 elsewhere.

/** The (k·B)-th largest value of the whole batch, [1, 1]. */
const batchKth = (z: tf.Tensor2D, count: number) =>
  tf.slice(tf.topk(tf.reshape(z, [1, -1]), count).values, [0, count - 1], [1, 1]);
ok('batchTopK', 'tensor: flatten, topk, k·B-th value (notebook)', (z, k) => tf.tidy(() => {
  const count = k * z.shape[0]; // k·B, over the whole batch
  const top = tf.topk(tf.reshape(z, [1, -1]), count).values; // [1, k·B], largest first
  const t = tf.slice(top, [0, count - 1], [1, 1]); // the (k·B)-th largest
  return tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(z, t), 'float32'))) as tf.Tensor2D;
}));
ok('batchTopK', 'tensor: ReLU first, tf.where, min of the top values', (z, k) => tf.tidy(() => {
  const r = tf.relu(z);
  const cut = tf.min(tf.topk(tf.reshape(r, [-1]), k * z.shape[0]).values);
  return tf.where(tf.greaterEqual(r, cut), r, tf.zerosLike(r)) as tf.Tensor2D;
}), 'ranks relu(z): a cut-off of 0 keeps only zeros more, the same code');
ok('batchTopK', 'float64 loop over dataSync, sorted copy', (z, k) => {
  const v = z.dataSync();
  const sorted = Array.from(v).sort((a, b) => b - a);
  const cut = sorted[k * z.shape[0] - 1];
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) if (v[i] >= cut && v[i] > 0) out[i] = v[i];
  return tf.tensor2d(out, z.shape);
}, 'no gradient (a fresh tensor): fine, the check compares values');
ok('batchTopK', 'functional over arraySync rows', (z, k) => {
  const rows = z.arraySync();
  const cut = rows.flat().sort((a, b) => b - a)[k * rows.length - 1];
  return tf.tensor2d(rows.map((row) => row.map((v) => (v >= cut ? Math.max(v, 0) : 0))));
}, 'no gradient (a fresh tensor)');

bad('batchTopK', 'per-row TopK', 'keeps each row\'s k largest (TopK), not the batch\'s k·B', (z, k) => tf.tidy(() => {
  const kth = tf.slice(tf.topk(z, k).values, [0, k - 1], [-1, 1]);
  return tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(z, kth), 'float32'))) as tf.Tensor2D;
}));
bad('batchTopK', 'k instead of k·B', 'keeps the batch\'s k largest, not k·B', (z, k) => tf.tidy(() => {
  const kth = batchKth(z, k);
  return tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(z, kth), 'float32'))) as tf.Tensor2D;
}));
bad('batchTopK', 'no ReLU', 'keeps the k·B largest as they are: negative ones when fewer than k·B are positive', (z, k) => tf.tidy(() => {
  const kth = batchKth(z, k * z.shape[0]);
  return tf.mul(z, tf.cast(tf.greaterEqual(z, kth), 'float32')) as tf.Tensor2D;
}));
bad('batchTopK', 'exactly k·B by tf.topk indices', 'scatters tf.topk\'s k·B indices: ties at the cut-off are dropped', (z, k) => tf.tidy(() => {
  const [rows, n] = z.shape;
  const { values, indices } = tf.topk(tf.reshape(z, [-1]), k * rows);
  const picked = tf.sum(tf.mul(tf.oneHot(indices, rows * n), tf.reshape(tf.relu(values), [-1, 1])), 0);
  return tf.reshape(picked, [rows, n]) as tf.Tensor2D;
}));
bad('batchTopK', 'returns the mask', 'returns the 0/1 mask of the kept entries, not the code', (z, k) => tf.tidy(() => {
  const kth = batchKth(z, k * z.shape[0]);
  return tf.cast(tf.logicalAnd(tf.greaterEqual(z, kth), tf.greater(z, 0)), 'float32') as tf.Tensor2D;
}));
bad('batchTopK', 'strict > the cut-off', 'keeps z > the (k·B)-th value: drops the (k·B)-th itself', (z, k) => tf.tidy(() => {
  const kth = batchKth(z, k * z.shape[0]);
  return tf.relu(tf.mul(z, tf.cast(tf.greater(z, kth), 'float32'))) as tf.Tensor2D;
}));
bad('batchTopK', 'by magnitude', 'ranks |z|: a large negative entry takes a place', (z, k) => tf.tidy(() => {
  const kth = batchKth(tf.abs(z) as tf.Tensor2D, k * z.shape[0]);
  return tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(tf.abs(z), kth), 'float32'))) as tf.Tensor2D;
}));
bad('batchTopK', 'returns the flattened batch', 'forgets to reshape back: returns [1, B·n]', (z, k) => tf.tidy(() => {
  const flat = tf.reshape(z, [1, -1]);
  const kth = batchKth(z, k * z.shape[0]);
  return tf.relu(tf.mul(flat, tf.cast(tf.greaterEqual(flat, kth), 'float32'))) as tf.Tensor2D;
}));
bad('batchTopK', 'no tidy (leaks)', 'no tf.tidy: the flattened batch, the top values and the mask are left behind', (z, k) => {
  const kth = batchKth(z, k * z.shape[0]);
  return tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(z, kth), 'float32'))) as tf.Tensor2D;
});
bad('batchTopK', 'disposes its input', 'disposes z after computing the code', (z, k) => {
  const code = tf.tidy(() => tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(z, batchKth(z, k * z.shape[0])), 'float32'))) as tf.Tensor2D);
  z.dispose();
  return code;
});
// Not designed for: mistakes whose hints were written before these variants.
bad('batchTopK', 'k·B per row', 'keeps k·B in every row (a row has only n entries, so every positive one)', (z, k) => tf.tidy(() => {
  const [rows, n] = z.shape;
  const count = Math.min(k * rows, n);
  const kth = tf.slice(tf.topk(z, count).values, [0, count - 1], [-1, 1]);
  return tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(z, kth), 'float32'))) as tf.Tensor2D;
}));
bad('batchTopK', 'cut-off off by one (sorted[k·B])', 'takes the cut-off one place too far down: keeps k·B + 1', (z, k) => {
  const v = z.dataSync();
  const cut = Array.from(v).sort((a, b) => b - a)[Math.min(k * z.shape[0], v.length - 1)];
  return tf.tensor2d(Float32Array.from(v, (x) => (x >= cut && x > 0 ? x : 0)), z.shape);
});
bad('batchTopK', 'ascending sort', 'sorts ascending and takes the k·B-th smallest as the cut-off', (z, k) => {
  const v = z.dataSync();
  const cut = Array.from(v).sort((a, b) => a - b)[k * z.shape[0] - 1];
  return tf.tensor2d(Float32Array.from(v, (x) => (x >= cut && x > 0 ? x : 0)), z.shape);
});

// =============================================================================================
// jumpRelu: f = a·H(a - θ), with k = 1/ε where |a - θ| < ε/2: a gets dy·(H + θk), θ gets -Σ_batch dy·θk.

type Op2 = (a: tf.Tensor, theta: tf.Tensor) => tf.Tensor;
/** tf.customGrad for an op of a and θ, with a's and θ's gradient from dy, a, θ. */
const customJump = (forward: (a: tf.Tensor, t: tf.Tensor) => tf.Tensor,
  grads: (dy: tf.Tensor, a: tf.Tensor, t: tf.Tensor) => tf.Tensor[]): Op2 =>
  tf.customGrad(((a: tf.Tensor, t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, t]);
    return { value: forward(a, t), gradFunc: (dy: tf.Tensor, [sa, st]: tf.Tensor[]) => grads(dy, sa, st) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Op2;
/** A JumpReLU with the gradients `grads`, the forward right; the kernel k = 1/ε on |u| < ε/2 unless `kernel` says. */
const jumpWith = (grads: (dy: tf.Tensor, gate: tf.Tensor, tk: tf.Tensor, k: tf.Tensor) => tf.Tensor[],
  kernel?: (u: tf.Tensor, eps: number) => tf.Tensor) => (a: tf.Tensor2D, theta: tf.Tensor1D, eps: number) =>
  customJump((x, t) => tf.where(tf.greater(x, t), x, tf.zerosLike(x)), (dy, x, t) => {
    const u = tf.sub(x, t);
    const k = kernel ? kernel(u, eps) : tf.div(tf.cast(tf.less(tf.abs(u), eps / 2), 'float32'), eps);
    return grads(dy, tf.cast(tf.greater(u, 0), 'float32'), tf.mul(t, k), k);
  })(a, theta) as tf.Tensor2D;

ok('jumpRelu', 'customGrad with save, tf.where (notebook)', (a, theta, epsilon) => {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, t, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([x, t]); // gradFunc gets these back; the forward's other tensors are freed
    return {
      value: tf.where(tf.greater(x, t), x, tf.zerosLike(x)), // a·H(a - θ), strictly above θ
      gradFunc: (dy: tf.Tensor, [sx, st]: tf.Tensor[]) => {
        const u = tf.sub(sx, st);
        const k = tf.div(tf.cast(tf.less(tf.abs(u), epsilon / 2), 'float32'), epsilon);
        const atJump = tf.mul(dy, tf.mul(st, k)); // dy·θ·k
        const gate = tf.cast(tf.greater(u, 0), 'float32'); // H(a - θ)
        return [tf.add(tf.mul(dy, gate), atJump), tf.neg(tf.sum(atJump, 0))];
      },
    };
  });
  return op(a, theta) as tf.Tensor2D;
});
ok('jumpRelu', 'closure over the inputs, mul by the gate, kernel by logicalAnd', (a, theta, epsilon) => {
  const op = tf.customGrad(((x: tf.Tensor, t: tf.Tensor) => ({
    value: tf.mul(x, tf.cast(tf.greater(x, t), 'float32')),
    gradFunc: (dy: tf.Tensor) => {
      const u = tf.sub(x, t);
      const window = tf.logicalAnd(tf.greater(u, -epsilon / 2), tf.less(u, epsilon / 2));
      const tk = tf.mul(t, tf.mul(tf.cast(window, 'float32'), 1 / epsilon));
      return [tf.mul(dy, tf.add(tf.cast(tf.greater(u, 0), 'float32'), tk)), tf.sum(tf.mul(dy, tf.neg(tk)), 0)];
    },
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(a, theta) as tf.Tensor2D;
}, 'a·gate gives -0 for negative a, equal to 0; gradFunc reads the op\'s inputs by closure (the caller\'s tensors, alive)');
ok('jumpRelu', 'loops over dataSync in the forward and in gradFunc', (a, theta, epsilon) => {
  const [rows, m] = a.shape;
  const av = a.dataSync();
  const tv = theta.dataSync();
  const op = tf.customGrad(((x: tf.Tensor, t: tf.Tensor) => ({
    value: tf.tensor2d(Float32Array.from(av, (v, i) => (v > tv[i % m] ? v : 0)), [rows, m]),
    gradFunc: (dy: tf.Tensor) => {
      const d = dy.dataSync();
      const ga = new Float32Array(rows * m);
      const gt = new Float32Array(m);
      for (let i = 0; i < rows * m; i++) {
        const j = i % m;
        const u = av[i] - tv[j];
        const k = Math.abs(u) < epsilon / 2 ? 1 / epsilon : 0;
        ga[i] = d[i] * ((u > 0 ? 1 : 0) + tv[j] * k);
        gt[j] -= d[i] * tv[j] * k;
      }
      return [tf.tensor2d(ga, [rows, m]), tf.tensor1d(gt)];
    },
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(a, theta) as tf.Tensor2D;
}, 'u in float64 (a - θ of float32 values): no case sits near a window edge');
ok('jumpRelu', 'kernel by tf.step, helper op', jumpWith((dy, gate, tk) => [tf.mul(dy, tf.add(gate, tk)), tf.neg(tf.sum(tf.mul(dy, tk), 0))],
  (u, eps) => tf.div(tf.step(tf.sub(eps / 2, tf.abs(u))), eps)), 'step(ε/2 - |u|) is 0 at |u| = ε/2: the open window');

bad('jumpRelu', 'plain tf ops (tf.where)', 'no customGrad: tf.where(a > θ, a, 0); tf.grads cannot pass the comparison', (a, theta) =>
  tf.tidy(() => tf.where(tf.greater(a, theta), a, tf.zerosLike(a)) as tf.Tensor2D));
bad('jumpRelu', 'plain tf ops (tf.step)', 'no customGrad: a·step(a - θ); θ gets a zero gradient', (a, theta) =>
  tf.tidy(() => tf.mul(a, tf.step(tf.sub(a, theta))) as tf.Tensor2D));
bad('jumpRelu', 'forward >= θ', 'keeps a where a >= θ: a code equal to θ is kept', (a, theta, epsilon) => customJump(
  (x, t) => tf.where(tf.greaterEqual(x, t), x, tf.zerosLike(x)), (dy, x, t) => {
    const u = tf.sub(x, t);
    const tk = tf.mul(t, tf.div(tf.cast(tf.less(tf.abs(u), epsilon / 2), 'float32'), epsilon));
    return [tf.mul(dy, tf.add(tf.cast(tf.greaterEqual(u, 0), 'float32'), tk)), tf.neg(tf.sum(tf.mul(dy, tk), 0))];
  })(a, theta) as tf.Tensor2D);
bad('jumpRelu', 'window |a - θ| < ε', 'takes ε as the window\'s half-width', jumpWith((dy, gate, tk) =>
  [tf.mul(dy, tf.add(gate, tk)), tf.neg(tf.sum(tf.mul(dy, tk), 0))], (u, eps) => tf.div(tf.cast(tf.less(tf.abs(u), eps), 'float32'), eps)));
bad('jumpRelu', 'no 1/ε', 'k = K((a - θ)/ε), the 1/ε left out', jumpWith((dy, gate, tk) =>
  [tf.mul(dy, tf.add(gate, tk)), tf.neg(tf.sum(tf.mul(dy, tk), 0))], (u, eps) => tf.cast(tf.less(tf.abs(u), eps / 2), 'float32')));
bad('jumpRelu', 'the paper\'s a gradient (H only)', 'a gets dy·H(a - θ) only, as in the paper; the kit adds θ·k', jumpWith((dy, gate, tk) =>
  [tf.mul(dy, gate), tf.neg(tf.sum(tf.mul(dy, tk), 0))]));
bad('jumpRelu', 'θ gradient sign', 'θ gets +Σ dy·θ·k', jumpWith((dy, gate, tk) => [tf.mul(dy, tf.add(gate, tk)), tf.sum(tf.mul(dy, tk), 0)]));
bad('jumpRelu', 'θ gradient without θ', 'θ gets -Σ dy·k (the L0\'s gradient), not -Σ dy·θ·k', jumpWith((dy, gate, tk, k) =>
  [tf.mul(dy, tf.add(gate, tk)), tf.neg(tf.sum(tf.mul(dy, k), 0))]));
bad('jumpRelu', 'ignores dy', 'returns ∂f/∂a and ∂f/∂θ without multiplying by dy', jumpWith((dy, gate, tk) => [tf.add(gate, tk), tf.neg(tf.sum(tk, 0))]));
bad('jumpRelu', 'θ gradient not summed over the batch', 'returns θ\'s gradient as [batch, m]', jumpWith((dy, gate, tk) =>
  [tf.mul(dy, tf.add(gate, tk)), tf.neg(tf.mul(dy, tk))]));
bad('jumpRelu', 'gradFunc returns a\'s gradient only', 'gives θ no gradient at all (one tensor for two inputs)', jumpWith((dy, gate, tk) =>
  [tf.mul(dy, tf.add(gate, tk))]));
bad('jumpRelu', 'window above θ only', 'k on 0 <= a - θ < ε: not centred on the jump', jumpWith((dy, gate, tk) =>
  [tf.mul(dy, tf.add(gate, tk)), tf.neg(tf.sum(tf.mul(dy, tk), 0))],
  (u, eps) => tf.div(tf.cast(tf.logicalAnd(tf.greaterEqual(u, 0), tf.less(u, eps)), 'float32'), eps)));
bad('jumpRelu', 'leaks a - θ', 'computes u = a - θ outside the custom op and never disposes it', (a, theta, epsilon) => {
  const u = tf.sub(a, theta);
  const inWindow = tf.cast(tf.less(tf.abs(u), epsilon / 2), 'float32');
  return customJump((x, t) => tf.where(tf.greater(x, t), x, tf.zerosLike(x)), (dy, x, t) => {
    const tk = tf.mul(t, tf.div(inWindow, epsilon));
    return [tf.mul(dy, tf.add(tf.cast(tf.greater(tf.sub(x, t), 0), 'float32'), tk)), tf.neg(tf.sum(tf.mul(dy, tk), 0))];
  })(a, theta) as tf.Tensor2D;
});
bad('jumpRelu', 'gradFunc uses the forward\'s gate', 'computes the gate and kernel in the forward and uses them in gradFunc without save: freed by then', (a, theta, epsilon) => {
  const op = tf.customGrad(((x: tf.Tensor, t: tf.Tensor) => {
    const gate = tf.cast(tf.greater(x, t), 'float32');
    const tk = tf.mul(t, tf.div(tf.cast(tf.less(tf.abs(tf.sub(x, t)), epsilon / 2), 'float32'), epsilon));
    return { value: tf.mul(x, gate), gradFunc: (dy: tf.Tensor) => [tf.mul(dy, tf.add(gate, tk)), tf.neg(tf.sum(tf.mul(dy, tk), 0))] };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(a, theta) as tf.Tensor2D;
});
bad('jumpRelu', 'disposes θ', 'disposes theta after computing the code', (a, theta, epsilon) => {
  const f = jumpWith((dy, gate, tk) => [tf.mul(dy, tf.add(gate, tk)), tf.neg(tf.sum(tf.mul(dy, tk), 0))])(a, theta, epsilon);
  theta.dispose();
  return f;
});
// Not designed for: mistakes whose hints were written before these variants.
bad('jumpRelu', 'triangle kernel', 'k = max(0, 1 - |a - θ|/ε)/ε, a triangle instead of the rectangle', jumpWith((dy, gate, tk) =>
  [tf.mul(dy, tf.add(gate, tk)), tf.neg(tf.sum(tf.mul(dy, tk), 0))], (u, eps) => tf.div(tf.relu(tf.sub(1, tf.div(tf.abs(u), eps))), eps)));
bad('jumpRelu', 'θ gradient scaled by a', 'θ gets -Σ dy·a·k (a where θ belongs)', (a, theta, epsilon) => customJump(
  (x, t) => tf.where(tf.greater(x, t), x, tf.zerosLike(x)), (dy, x, t) => {
    const u = tf.sub(x, t);
    const k = tf.div(tf.cast(tf.less(tf.abs(u), epsilon / 2), 'float32'), epsilon);
    return [tf.mul(dy, tf.add(tf.cast(tf.greater(u, 0), 'float32'), tf.mul(t, k))), tf.neg(tf.sum(tf.mul(dy, tf.mul(x, k)), 0))];
  })(a, theta) as tf.Tensor2D);
bad('jumpRelu', 'kernel on (a - θ)/ε without the halving', 'k = 1/ε where |(a - θ)/ε| < 1, and the paper\'s a gradient', jumpWith((dy, gate, tk) =>
  [tf.mul(dy, gate), tf.neg(tf.sum(tf.mul(dy, tk), 0))], (u, eps) => tf.div(tf.cast(tf.less(tf.abs(tf.div(u, eps)), 1), 'float32'), eps)));

// =============================================================================================
// matryoshkaLoss: the sum over the prefixes m of mse(x, f[:, :m] W_dec[:m] + b_dec), mse the mean over batch and d.

/** f[:, :m] W_dec[:m] + b_dec. */
const decodePrefix = (f: tf.Tensor2D, wDec: tf.Tensor2D, bDec: tf.Tensor1D, m: number) =>
  tf.add(tf.matMul(tf.slice(f, [0, 0], [-1, m]), tf.slice(wDec, [0, 0], [m, -1])), bDec);
ok('matryoshkaLoss', 'tensor: loop over prefixes, slices (notebook)', (x, f, wDec, bDec, prefixes) => tf.tidy(() => {
  let total: tf.Tensor = tf.scalar(0);
  for (const m of prefixes) {
    const code = tf.slice(f, [0, 0], [-1, m]); // the first m latents
    const rows = tf.slice(wDec, [0, 0], [m, -1]); // their decoder rows
    const xHat = tf.add(tf.matMul(code, rows), bDec);
    total = tf.add(total, tf.mean(tf.squaredDifference(x, xHat)));
  }
  return total as tf.Scalar;
}));
ok('matryoshkaLoss', 'tensor: masked codes, addN', (x, f, wDec, bDec, prefixes) => tf.tidy(() => {
  const n = f.shape[1];
  const losses = prefixes.map((m) => {
    const mask = tf.tensor1d(Array.from({ length: n }, (_, j) => (j < m ? 1 : 0)));
    return tf.mean(tf.square(tf.sub(x, tf.add(tf.matMul(tf.mul(f, mask), wDec), bDec))));
  });
  return tf.addN(losses) as tf.Scalar;
}), 'the kit\'s way: zero the latents past m, decode the whole code');
ok('matryoshkaLoss', 'tensor: reconstruction built up group by group', (x, f, wDec, bDec, prefixes) => tf.tidy(() => {
  let xHat: tf.Tensor = tf.zerosLike(x).add(bDec);
  let total: tf.Tensor = tf.scalar(0);
  let lo = 0;
  for (const m of prefixes) {
    xHat = tf.add(xHat, tf.matMul(tf.slice(f, [0, lo], [-1, m - lo]), tf.slice(wDec, [lo, 0], [m - lo, -1])));
    total = tf.add(total, tf.mean(tf.squaredDifference(x, xHat)));
    lo = m;
  }
  return total as tf.Scalar;
}), 'nested, computed incrementally: x_hat_i = x_hat_{i-1} + the group m_{i-1} .. m_i - 1');
ok('matryoshkaLoss', 'float64 loops over dataSync', (x, f, wDec, bDec, prefixes) => {
  const [rows, d] = x.shape;
  const n = f.shape[1];
  const [xv, fv, wv, bv] = [x.dataSync(), f.dataSync(), wDec.dataSync(), bDec.dataSync()];
  let total = 0;
  for (const m of prefixes) {
    let se = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < d; c++) {
        let v = bv[c];
        for (let j = 0; j < m; j++) v += fv[r * n + j] * wv[j * d + c];
        se += (xv[r * d + c] - v) ** 2;
      }
    }
    total += se / (rows * d);
  }
  return tf.scalar(total);
}, NO_GRAD, 'not differentiable: fine if the check only compares values');

bad('matryoshkaLoss', 'mean over the prefixes', 'divides the sum by the number of prefixes', (x, f, wDec, bDec, prefixes) => tf.tidy(() =>
  tf.mean(tf.stack(prefixes.map((m) => tf.mean(tf.squaredDifference(x, decodePrefix(f, wDec, bDec, m)))))) as tf.Scalar));
bad('matryoshkaLoss', 'disjoint groups', 'level i decodes only the group m_{i-1} .. m_i - 1', (x, f, wDec, bDec, prefixes) => tf.tidy(() => {
  let total: tf.Tensor = tf.scalar(0);
  let lo = 0;
  for (const m of prefixes) {
    const xHat = tf.add(tf.matMul(tf.slice(f, [0, lo], [-1, m - lo]), tf.slice(wDec, [lo, 0], [m - lo, -1])), bDec);
    total = tf.add(total, tf.mean(tf.squaredDifference(x, xHat)));
    lo = m;
  }
  return total as tf.Scalar;
}));
bad('matryoshkaLoss', 'no b_dec', 'decodes each prefix without b_dec', (x, f, wDec, bDec, prefixes) => tf.tidy(() => {
  let total: tf.Tensor = tf.scalar(0);
  for (const m of prefixes) {
    total = tf.add(total, tf.mean(tf.squaredDifference(x, tf.matMul(tf.slice(f, [0, 0], [-1, m]), tf.slice(wDec, [0, 0], [m, -1])))));
  }
  return total as tf.Scalar;
}));
bad('matryoshkaLoss', 'b_dec on the whole code only', 'adds b_dec to the last level only', (x, f, wDec, bDec, prefixes) => tf.tidy(() => {
  const n = f.shape[1];
  let total: tf.Tensor = tf.scalar(0);
  for (const m of prefixes) {
    const xHat = tf.matMul(tf.slice(f, [0, 0], [-1, m]), tf.slice(wDec, [0, 0], [m, -1]));
    total = tf.add(total, tf.mean(tf.squaredDifference(x, m === n ? tf.add(xHat, bDec) : xHat)));
  }
  return total as tf.Scalar;
}));
bad('matryoshkaLoss', 'off by one (m - 1 latents)', 'slices m - 1 latents per level', (x, f, wDec, bDec, prefixes) => tf.tidy(() => {
  let total: tf.Tensor = tf.scalar(0);
  for (const m of prefixes) {
    const xHat = m > 1 ? decodePrefix(f, wDec, bDec, m - 1) : tf.add(tf.zerosLike(x), bDec);
    total = tf.add(total, tf.mean(tf.squaredDifference(x, xHat)));
  }
  return total as tf.Scalar;
}));
bad('matryoshkaLoss', 'off by one (m + 1 latents)', 'slices m + 1 latents per level (past the end at m = n; on wasm that slice reads past the tensor, so its value, and the hint, vary from run to run: not in variant-hints.ts)', (x, f, wDec, bDec, prefixes) => tf.tidy(() => {
  let total: tf.Tensor = tf.scalar(0);
  for (const m of prefixes) total = tf.add(total, tf.mean(tf.squaredDifference(x, decodePrefix(f, wDec, bDec, m + 1))));
  return total as tf.Scalar;
}));
bad('matryoshkaLoss', 'sum over d', 'each level\'s error summed over d, averaged over the batch', (x, f, wDec, bDec, prefixes) => tf.tidy(() => {
  let total: tf.Tensor = tf.scalar(0);
  for (const m of prefixes) total = tf.add(total, tf.mean(tf.sum(tf.squaredDifference(x, decodePrefix(f, wDec, bDec, m)), 1)));
  return total as tf.Scalar;
}));
bad('matryoshkaLoss', 'the whole code counted twice', 'loops over the prefixes, then adds the plain MSE of the whole code again', (x, f, wDec, bDec, prefixes) => tf.tidy(() => {
  let total: tf.Tensor = tf.mean(tf.squaredDifference(x, tf.add(tf.matMul(f, wDec), bDec)));
  for (const m of prefixes) total = tf.add(total, tf.mean(tf.squaredDifference(x, decodePrefix(f, wDec, bDec, m))));
  return total as tf.Scalar;
}));
bad('matryoshkaLoss', 'the whole code only', 'returns the plain MSE of the whole code', (x, f, wDec, bDec) => tf.tidy(() =>
  tf.mean(tf.squaredDifference(x, tf.add(tf.matMul(f, wDec), bDec))) as tf.Scalar));
bad('matryoshkaLoss', 'no tidy (leaks)', 'no tf.tidy: every level\'s slices and products are left behind', (x, f, wDec, bDec, prefixes) => {
  let total: tf.Tensor = tf.scalar(0);
  for (const m of prefixes) total = tf.add(total, tf.mean(tf.squaredDifference(x, decodePrefix(f, wDec, bDec, m))));
  return total as tf.Scalar;
});
bad('matryoshkaLoss', 'returns a number', 'reads the loss out with dataSync()[0]', anyFn<MatryoshkaLossFn>(
  (x: tf.Tensor2D, f: tf.Tensor2D, wDec: tf.Tensor2D, bDec: tf.Tensor1D, prefixes: readonly number[]) => {
    const t = tf.tidy(() => tf.addN(prefixes.map((m) => tf.mean(tf.squaredDifference(x, decodePrefix(f, wDec, bDec, m))))));
    const v = t.dataSync()[0];
    t.dispose();
    return v;
  }));
bad('matryoshkaLoss', 'decoder transposed', 'multiplies by W_dec^T (its columns as latents): fails or is wrong', (x, f, wDec, bDec, prefixes) => tf.tidy(() =>
  tf.addN(prefixes.map((m) => tf.mean(tf.squaredDifference(x,
    tf.add(tf.matMul(tf.slice(f, [0, 0], [-1, m]), tf.slice(wDec, [0, 0], [-1, m]), false, true), bDec))))) as tf.Scalar));
// Not designed for: mistakes whose hints were written before these variants.
bad('matryoshkaLoss', 'RMSE per level', 'takes the square root of each level\'s MSE', (x, f, wDec, bDec, prefixes) => tf.tidy(() =>
  tf.addN(prefixes.map((m) => tf.sqrt(tf.mean(tf.squaredDifference(x, decodePrefix(f, wDec, bDec, m)))))) as tf.Scalar));
bad('matryoshkaLoss', 'levels weighted by m / n', 'weights level i by m_i / n', (x, f, wDec, bDec, prefixes) => tf.tidy(() =>
  tf.addN(prefixes.map((m) => tf.mul(m / f.shape[1], tf.mean(tf.squaredDifference(x, decodePrefix(f, wDec, bDec, m)))))) as tf.Scalar));
bad('matryoshkaLoss', 'one MSE of the summed reconstructions', 'adds the prefixes\' reconstructions up and takes one MSE', (x, f, wDec, bDec, prefixes) =>
  tf.tidy(() => tf.mean(tf.squaredDifference(x, tf.addN(prefixes.map((m) => decodePrefix(f, wDec, bDec, m))))) as tf.Scalar));

// =============================================================================================
// diagnose: name the failure in a training record ('dead latents', 'shrinkage', 'decoder drift',
// 'stuck threshold' or 'healthy'); each record shows one failure clearly or none.

const end = (v: readonly number[]) => v[v.length - 1];
ok('diagnose', 'end values against thresholds (notebook)', (r) => {
  if (end(r.deadShare) > 0.1) return 'dead latents';
  const rowsGrew = end(r.meanRowNorm) / r.meanRowNorm[0] > 1.2;
  if (rowsGrew && end(r.meanCode) < r.meanCode[0]) return 'decoder drift';
  if (end(r.l0) > 0.8 * r.l0[0]) return 'stuck threshold';
  if (r.shrinkage < 0.8) return 'shrinkage';
  return 'healthy';
});
ok('diagnose', 'ratios, other thresholds, capitalised labels', (r) => {
  const rows = end(r.meanRowNorm) / r.meanRowNorm[0];
  const codes = end(r.meanCode) / r.meanCode[0];
  if (rows > 1.5 && codes < 0.7) return 'Decoder Drift';
  if (end(r.l0) / r.l0[0] > 0.9) return 'Stuck threshold ';
  if (r.shrinkage < 0.75) return 'SHRINKAGE';
  if (Math.max(end(r.deadShare), r.deadShare[r.deadShare.length - 2]) >= 0.2) return 'Dead latents';
  return 'Healthy';
}, 'another order, and labels in other cases (the check trims and lowers them)');
ok('diagnose', 'scores: the clearest clue wins', (r) => {
  const scores: [string, number][] = [
    ['dead latents', end(r.deadShare) / 0.05],
    ['decoder drift', Math.min(end(r.meanRowNorm) / r.meanRowNorm[0] - 1, 1 - end(r.meanCode) / r.meanCode[0]) / 0.1],
    ['stuck threshold', 0.3 / Math.max(1e-9, 1 - end(r.l0) / r.l0[0])],
    ['shrinkage', (1 - r.shrinkage) / 0.2],
  ];
  const [label, score] = scores.reduce((a, b) => (b[1] > a[1] ? b : a));
  return score > 1 ? label : 'healthy';
}, 'each clue scored against its own threshold; the largest above 1 names the failure');
ok('diagnose', 'trend of the last epochs', (r) => {
  const n = r.l0.length;
  const rising = (v: readonly number[]) => v[n - 1] >= v[n - 3];
  if (end(r.deadShare) > 0.05 && rising(r.deadShare)) return 'dead latents';
  if (r.meanRowNorm.every((v, i) => i === 0 || v >= r.meanRowNorm[i - 1]) && end(r.meanRowNorm) > 1.5) return 'decoder drift';
  if (r.l0[0] - end(r.l0) < 0.25 * r.l0[0]) return 'stuck threshold';
  return r.shrinkage < 0.85 ? 'shrinkage' : 'healthy';
}, 'reads whether the dead share and the row norms are still rising');

bad('diagnose', 'looks only at the loss', 'calls a run healthy whenever its loss fell, and shrinkage if it ended high', (r) =>
  (end(r.loss) > 0.5 ? 'shrinkage' : 'healthy'));
bad('diagnose', 'any dead share is dead', 'calls any dead share above 0 dead latents', (r) => {
  if (r.deadShare.some((v) => v > 0)) return 'dead latents';
  if (end(r.meanRowNorm) > 1.2 * r.meanRowNorm[0]) return 'decoder drift';
  if (end(r.l0) > 0.8 * r.l0[0]) return 'stuck threshold';
  return r.shrinkage < 0.8 ? 'shrinkage' : 'healthy';
});
bad('diagnose', 'peak dead share', 'reads the dead share\'s peak, not where it ends', (r) => {
  if (Math.max(...r.deadShare) > 0.05) return 'dead latents';
  if (end(r.meanRowNorm) > 1.2 * r.meanRowNorm[0]) return 'decoder drift';
  if (end(r.l0) > 0.8 * r.l0[0]) return 'stuck threshold';
  return r.shrinkage < 0.8 ? 'shrinkage' : 'healthy';
});
bad('diagnose', 'shrinking codes are drift', 'calls codes that shrink decoder drift without looking at the row norms', (r) => {
  if (end(r.deadShare) > 0.05) return 'dead latents';
  if (end(r.meanCode) < 0.9 * r.meanCode[0]) return 'decoder drift';
  if (end(r.l0) > 0.8 * r.l0[0]) return 'stuck threshold';
  return r.shrinkage < 0.8 ? 'shrinkage' : 'healthy';
});
bad('diagnose', 'ignores the stuck threshold', 'has no rule for an L0 that does not fall', (r) => {
  if (end(r.deadShare) > 0.05) return 'dead latents';
  if (end(r.meanRowNorm) > 1.2 * r.meanRowNorm[0] && end(r.meanCode) < r.meanCode[0]) return 'decoder drift';
  return r.shrinkage < 0.8 ? 'shrinkage' : 'healthy';
});
bad('diagnose', 'any row growth is drift', 'calls any growth of the row norms decoder drift', (r) => {
  if (end(r.deadShare) > 0.05) return 'dead latents';
  if (end(r.meanRowNorm) > r.meanRowNorm[0]) return 'decoder drift';
  if (end(r.l0) > 0.8 * r.l0[0]) return 'stuck threshold';
  return r.shrinkage < 0.8 ? 'shrinkage' : 'healthy';
});
bad('diagnose', 'last epoch\'s L0 fall', 'calls the threshold stuck when L0 fell by less than one latent in the last epoch', (r) => {
  if (end(r.deadShare) > 0.05) return 'dead latents';
  if (end(r.meanRowNorm) > 1.2 * r.meanRowNorm[0] && end(r.meanCode) < r.meanCode[0]) return 'decoder drift';
  if (r.l0[r.l0.length - 2] - end(r.l0) < 1) return 'stuck threshold';
  return r.shrinkage < 0.8 ? 'shrinkage' : 'healthy';
});
bad('diagnose', 'any shrinkage below 1', 'calls any shrinkage below 1 a failure', (r) => {
  if (end(r.deadShare) > 0.05) return 'dead latents';
  if (end(r.meanRowNorm) > 1.2 * r.meanRowNorm[0] && end(r.meanCode) < r.meanCode[0]) return 'decoder drift';
  if (end(r.l0) > 0.8 * r.l0[0]) return 'stuck threshold';
  return r.shrinkage < 1 ? 'shrinkage' : 'healthy';
});
bad('diagnose', 'short labels', 'returns \'dead\', \'drift\', \'stuck\' instead of the labels', (r: TrainingRecord) => {
  if (end(r.deadShare) > 0.05) return 'dead';
  if (end(r.meanRowNorm) > 1.2 * r.meanRowNorm[0] && end(r.meanCode) < r.meanCode[0]) return 'drift';
  if (end(r.l0) > 0.8 * r.l0[0]) return 'stuck';
  return r.shrinkage < 0.8 ? 'shrinkage' : 'healthy';
});

export const VARIANTS: readonly Variant[] = variants;
