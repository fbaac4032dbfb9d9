/** Checks of the learner's finite-difference gradient (notebook 02) and training step (notebook 03). */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { createModel } from '../core/sae';
import type { SparseAutoencoder } from '../core/sae';
import type { SaeConfig } from '../core/config';
import { createOptimizer } from '../core/train';
import type { Optimizer } from '../core/train';
import { klScalar } from '../core/losses';
import { centralDifference, numericalGradient as kitNumericalGradient, trainStep as kitTrainStep } from './reference';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import {
  EXACT, Failure, Tolerance, allClose, arrayFailure, close, describeValue, disposedInputFailure, isNumberArray, leakFailure, list, num, numPair, scalarFailure,
} from './format';
import { callPlain, withinBudget } from './call';
import { uniform } from './data';

/** The learner's central finite differences: f, the point x, the step eps -> one partial derivative per entry of x. */
export type NumericalGradientFn = (f: (x: Float64Array) => number, x: Float64Array, eps: number) => ArrayLike<number>;

/** The learner's training step: one optimizer step on the batch x; returns the total loss before the step. */
export type TrainStepFn = (model: SparseAutoencoder, x: tf.Tensor2D, optimizer: Optimizer) => number;

/** Forward differences, for recognising them. */
function forward(f: (x: Float64Array) => number, x0: Float64Array, eps: number): Float64Array {
  const x = Float64Array.from(x0);
  const f0 = f(x);
  return x.map((v, i) => {
    x[i] = v + eps;
    const up = f(x);
    x[i] = v;
    return (up - f0) / eps;
  });
}

/**
 * Central differences that never put x[i] back (the usual mistake, for recognising it): coordinate i
 * is taken with every earlier one left at its value - eps. Works in place on x, as a learner's would.
 */
export function unrestoredGradient(f: (x: Float64Array) => number, x: Float64Array, eps: number): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    g[i] = centralDifference(f, x, i, eps);
    x[i] -= eps;
  }
  return g;
}

/**
 * How close a learner's finite differences must be to the kit's: the same formula in float64 agrees
 * to ~1e-9 whatever order the learner adds and divides in (the differences divide roundings of f
 * by 2 eps, so 1e-9 relative, plus an absolute 1e-7 for entries near 0).
 */
const GRADIENT: Tolerance = { rtol: 1e-7, atol: 1e-7 };

/** The learner's own finite-difference gradient (UFLDL's gradient check), on functions whose gradient the check knows. */
export function numericalGradient(fn: NumericalGradientFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(303);
  const code = uniform(rng, 3, 2, 0.02, 0.3);
  const klOfCode = (v: Float64Array) => {
    let s = 0;
    for (let j = 0; j < 2; j++) s += klScalar(0.05, (v[j] + v[2 + j] + v[4 + j]) / 3);
    return s;
  };
  const make = (name: string, inputs: string, f: (x: Float64Array) => number, point: number[], eps: number): Case => ({
    name,
    inputs: `${inputs} at x = ${list(point)}, eps ${eps}`,
    run(): Failure | null {
      const x0 = Float64Array.from(point);
      const expected = kitNumericalGradient(f, Float64Array.from(point), eps);
      const x = Float64Array.from(point);
      const call = callPlain(() => fn(f, x, eps));
      const got = call.returned;
      if (!isNumberArray(got)) return { expected: `${point.length} numbers`, got: call.description, hint: 'return one partial derivative per entry of x (a Float64Array of x.length numbers)' };
      // Moving x[i] by +eps, -2 eps and +eps puts it back up to a rounding (2.8e-17 for x 0.4): that is put back.
      const moved = Array.from(x).findIndex((v, i) => !(Math.abs(v - x0[i]) <= 8 * Number.EPSILON * Math.max(Math.abs(x0[i]), eps)));
      if (moved >= 0) {
        const [before, after] = numPair(x0[moved], x[moved]);
        return {
          expected: `x unchanged (x[${moved}] = ${before})`,
          got: `x[${moved}] = ${after} after your call`,
          hint: 'put x[i] back after perturbing it: the caller\'s x must be left as it was',
        };
      }
      if (got.length !== point.length) return arrayFailure(got, expected, 'one partial derivative per entry of x', 'entry', GRADIENT);
      if (allClose(got, expected, GRADIENT)) return null;
      let hint = 'entry i is (f(x + eps e_i) - f(x - eps e_i)) / (2 eps): x moved by eps both ways along coordinate i only';
      if (allClose(got, forward(f, x0, eps), GRADIENT)) {
        hint = 'those are forward differences (f(x + eps e_i) - f(x)) / eps, off by O(eps); use central differences, off by O(eps^2)';
      } else if (allClose(got, expected.map((v) => 2 * v), GRADIENT)) {
        hint = 'the two points x + eps e_i and x - eps e_i are 2 eps apart: divide by 2 eps';
      } else if (allClose(got, expected.map((v) => v / 2), GRADIENT)) {
        hint = 'divide the difference by 2 eps (the distance between the two points), not by 4 eps';
      } else if (allClose(got, unrestoredGradient(f, Float64Array.from(x0), eps), GRADIENT)) {
        hint = 'restore x[i] after each coordinate: later coordinates were computed at a shifted point';
      } else if ([1e-4, 1e-5, 1e-6, 1e-3, 1e-2].some((e) => e !== eps && allClose(got, kitNumericalGradient(f, Float64Array.from(x0), e), GRADIENT))) {
        hint = `use the eps argument (${eps} here), not a fixed step`;
      } else if (allClose(got, expected, { rtol: 1e-2, atol: 1e-2 })) {
        hint = 'close, but off in the 3rd or 4th digit: compute in float64 (plain numbers or a Float64Array); in float32, f(x + eps) - f(x - eps) loses most of its digits';
      }
      return arrayFailure(got, expected, hint, 'entry', GRADIENT);
    },
  });
  return runCheck('numericalGradient', [
    make('a quadratic', 'f(x) = sum of x_i^2', (v) => v.reduce((s, a) => s + a * a, 0), [1, -2, 0.5], 1e-4),
    make('a cubic with cross terms', 'f(x) = x0^3 + x0 x1 + sin(x2)', (v) => v[0] ** 3 + v[0] * v[1] + Math.sin(v[2]), [0.7, -1.3, 0.4], 1e-2),
    make('the KL penalty', 'f = sum_j KL(0.05 || mean of column j) of a 3x2 code', klOfCode, Array.from(code), 1e-5),
    make('a single number', 'f(x) = exp(x0)', (v) => Math.exp(v[0]), [0.3], 1e-5),
  ], options);
}

const STEPS = 3;
const LEARNING_RATE = 0.01;

function params(model: SparseAutoencoder): Float32Array[] {
  return model.variables.map((v) => Float32Array.from(v.dataSync()));
}

/** "encoder.1.b": a variable as the hint names it (its index in model.variables -> layer and part). */
function variableName(model: SparseAutoencoder, i: number): string {
  const layers = [...model.encoder.map((_, k) => `encoder.${k}`), ...model.decoder.map((_, k) => `decoder.${k}`)];
  return `${layers[Math.floor(i / 2)]}.${i % 2 === 0 ? 'w' : 'b'}`;
}

interface Trace {
  /** total loss before step i (and, at STEPS, after the last step) */
  total: number[];
  /** reconstruction loss before step i */
  reconstruction: number[];
  /** parameters before step i (index 0: the initial weights) */
  params: Float32Array[][];
}

function referenceTrace(config: Partial<SaeConfig>, seed: number, x: Float32Array, rows: number, twice = false): Trace {
  const model = createModel(config, seed);
  const optimizer = createOptimizer(LEARNING_RATE);
  const trace: Trace = { total: [], reconstruction: [], params: [params(model)] };
  try {
    tf.tidy(() => {
      const xt = tf.tensor2d(x, [rows, model.config.inputDim]);
      for (let s = 0; s <= STEPS; s++) {
        const parts = model.losses(xt);
        trace.reconstruction.push(parts.reconstruction.dataSync()[0]);
        if (s === STEPS) {
          trace.total.push(parts.total.dataSync()[0]);
          break;
        }
        if (twice) trace.total.push(stepTwice(model, xt, optimizer));
        else trace.total.push(kitTrainStep(model, xt, optimizer));
        trace.params.push(params(model));
      }
    });
  } finally {
    optimizer.dispose();
    model.dispose();
  }
  return trace;
}

/** The mistake of applying one step's gradients twice (two applyGradients calls), for recognising it. */
function stepTwice(model: SparseAutoencoder, x: tf.Tensor2D, optimizer: Optimizer): number {
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  try {
    optimizer.applyGradients(grads);
    optimizer.applyGradients(grads);
    return value.dataSync()[0];
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}

function sameParams(a: Float32Array[], b: Float32Array[]): boolean {
  return a.every((p, i) => allClose(p, b[i], { rtol: 1e-5, atol: 1e-7 }));
}

/**
 * One call of the learner's step: `leaked` counts the tensors it made that are still alive and not
 * kept (the optimizer keeps its moments, tfjs keeps the variables' new values), `growth` the change
 * of the total, which catches a kept leak once Adam's moments exist (after the first step).
 */
function callTrainStep(f: () => unknown): { returned: unknown; description: string; values: Float32Array | null; leaked: number; growth: number } {
  const before = tf.memory().numTensors;
  const scope = { made: [] as tf.Tensor[], returned: undefined as unknown, description: '', values: null as Float32Array | null };
  tf.engine().startScope();
  try {
    const active = (tf.engine() as unknown as { state: { activeScope: { track: tf.Tensor[] } } }).state.activeScope;
    scope.returned = withinBudget(f);
    const r = scope.returned;
    scope.description = r instanceof tf.Tensor ? (r.isDisposed ? 'a disposed tensor' : `a tensor of shape [${r.shape}]`) : describeNumber(r);
    if (r instanceof tf.Tensor && !r.isDisposed) scope.values = Float32Array.from(r.dataSync());
    scope.made = active.track.filter((t) => !t.isDisposed && !(t as unknown as { kept: boolean }).kept && t !== r);
  } finally {
    tf.engine().endScope();
  }
  if (scope.returned instanceof tf.Tensor) scope.returned.dispose();
  const growth = tf.memory().numTensors - before;
  return { returned: scope.returned, description: scope.description, values: scope.values, leaked: scope.made.length, growth };
}

function describeNumber(v: unknown): string {
  return typeof v === 'number' ? num(v) : describeValue(v);
}

/** The learner's training step, against the kit's on identical models, optimizers and batches. */
export function trainStep(fn: TrainStepFn, options: CheckOptions = {}): CheckResult {
  const rng = new Rng(404);
  const make = (name: string, config: Partial<SaeConfig>, rows: number): Case => {
    const x = uniform(rng, rows, config.inputDim!, 0, 1);
    return {
      name,
      inputs: `${config.sparsity === 'l1' ? 'L1' : 'KL'} model ${config.inputDim}-${config.hiddenDim}-${config.latentDim}, ` +
        `x ${rows}x${config.inputDim}, Adam (lr ${LEARNING_RATE}), ${STEPS} steps`,
      run(): Failure | null {
        const ref = referenceTrace(config, 7, x, rows);
        const model = createModel(config, 7);
        const optimizer = createOptimizer(LEARNING_RATE);
        const xt = tf.tensor2d(x, [rows, config.inputDim!]);
        try {
          for (let s = 0; s < STEPS; s++) {
            const call = callTrainStep(() => fn(model, xt, optimizer));
            const got = call.returned;
            const step = `step ${s + 1}`;
            if (xt.isDisposed) return disposedInputFailure('x');
            if (typeof got !== 'number' || !Number.isFinite(got)) {
              return {
                expected: `the loss before ${step}, ${num(ref.total[s])}`,
                got: call.description,
                hint: call.values !== null ? 'return the loss as a plain number: read it out of the scalar tensor (and dispose the tensor)'
                  : 'return the total loss of the batch as a number',
              };
            }
            const now = params(model);
            if (!close(got, ref.total[s])) {
              let hint = 'return the total loss tf.variableGrads computed for this batch, at the weights before the step';
              if (close(got, ref.reconstruction[s])) {
                hint = 'minimise and return the total loss, model.losses(x).total (reconstruction + weight x penalty), not the reconstruction alone';
              } else if (close(got, ref.reconstruction[s] + (ref.total[s] - ref.reconstruction[s]) / (config.sparsityWeight ?? 1))) {
                hint = 'weight the penalty: the total is reconstruction + sparsityWeight x penalty, as model.losses(x).total computes it';
              } else if (close(got, ref.total[s + 1]) && sameParams(now, ref.params[s + 1])) {
                hint = 'you returned the loss after the update; return the one tf.variableGrads computed, at the weights the gradients belong to';
              }
              return scalarFailure(got, ref.total[s], hint, `${step}: `);
            }
            if (!sameParams(now, ref.params[s + 1])) {
              const moved = now.map((p, i) => !allClose(p, ref.params[s][i], EXACT));
              let hint = 'apply one optimizer step with the gradients of the total loss for every weight';
              if (moved.every((m) => !m)) hint = 'the weights did not change: hand the gradients to the optimizer (optimizer.applyGradients(grads))';
              else if (s === 0 && sameParams(now, referenceTrace(config, 7, x, rows, true).params[1])) {
                hint = 'one call, one step: the same gradients were applied twice (applyGradients once per call)';
              } else if (ref.params[s + 2] && sameParams(now, ref.params[s + 2])) hint = 'one call, one step: your function took two optimizer steps';
              else if (moved.some((m) => !m)) {
                const still = moved.map((m, i) => (m ? '' : variableName(model, i))).filter(Boolean);
                hint = `${still.join(', ')} did not move: compute gradients for every weight (model.variables)`;
              }
              return { expected: `the kit's weights after ${step}`, got: 'different weights', hint };
            }
            // Adam creates its moment estimates on the first step; from then on a step makes nothing that stays.
            const leaked = s > 0 ? Math.max(call.leaked, call.growth) : call.leaked;
            if (leaked > 0) {
              return {
                expected: 'no tensors left behind',
                got: `${leaked} tensor${leaked === 1 ? '' : 's'} left behind per step`,
                hint: 'dispose the loss value and the gradients after the step (tf.dispose([value, ...Object.values(grads)])), or a long training run fills the memory',
              };
            }
          }
          return null;
        } finally {
          xt.dispose();
          optimizer.dispose();
          model.dispose();
        }
      },
    };
  };
  const errorHint = (err: unknown) => {
    const message = err instanceof Error ? err.message : '';
    if (/not a function of|Cannot compute gradient|Cannot find a connection/i.test(message)) {
      return 'compute the loss inside the function you give tf.variableGrads, from the model and x, so it can trace how the loss depends on the weights';
    }
    return null;
  };
  return runCheck('trainStep', [
    make('L1 model', { inputDim: 6, hiddenDim: 5, latentDim: 4, sparsity: 'l1', sparsityWeight: 0.1 }, 5),
    make('KL model', { inputDim: 6, hiddenDim: 5, latentDim: 4, sparsity: 'kl', sparsityWeight: 0.1, rho: 0.2 }, 5),
    make('a single-sample batch', { inputDim: 6, hiddenDim: 5, latentDim: 4, sparsity: 'l1', sparsityWeight: 0.1 }, 1),
  ], options, errorHint);
}

