/**
 * Check of the learner's training step (notebook 03); the hints of a wrong loss or wrong weights are
 * helpers of their own (lossHint, weightsHint).
 * A check is one function, a table of independent cases: its `make` (the learner's call and the
 * usual mistakes' hints, in the order they are tried) and the list of cases, so it runs past ~50 lines
 * (CONTRIBUTING rule 4's exception for a list of independent cases).
 */
import * as tf from '../runtime/tf';
import { Rng } from '../runtime/random';
import { createModel } from '../core/sae';
import type { SparseAutoencoder } from '../core/sae';
import type { SaeConfig } from '../core/config';
import { createOptimizer } from '../core/train';
import type { Optimizer } from '../core/train';
import { trainStep as kitTrainStep } from './reference';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { EXACT, Failure, allClose, close, describeValue, disposedInputFailure, num, scalarFailure } from './format';
import { withinBudget } from './call';
import { uniform } from './data';

/** The learner's training step: one optimizer step on the batch x; returns the total loss before the step. */
export type TrainStepFn = (model: SparseAutoencoder, x: tf.Tensor2D, optimizer: Optimizer) => number;

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

/** Why the loss a step returned is wrong: the usual mistake it matches, or the rule. */
function lossHint(got: number, ref: Trace, s: number, now: Float32Array[], config: Partial<SaeConfig>): string {
  if (close(got, ref.reconstruction[s])) {
    return 'minimise and return the total loss, model.losses(x).total (reconstruction + weight x penalty), not the reconstruction alone';
  }
  if (close(got, ref.reconstruction[s] + (ref.total[s] - ref.reconstruction[s]) / (config.sparsityWeight ?? 1))) {
    return 'weight the penalty: the total is reconstruction + sparsityWeight x penalty, as model.losses(x).total computes it';
  }
  if (close(got, ref.total[s + 1]) && sameParams(now, ref.params[s + 1])) {
    return 'you returned the loss after the update; return the one tf.variableGrads computed, at the weights the gradients belong to';
  }
  return 'return the total loss tf.variableGrads computed for this batch, at the weights before the step';
}

/** Why the weights after a step are wrong; `twice` traces the mistake of applying the gradients twice (only run when needed). */
function weightsHint(now: Float32Array[], ref: Trace, s: number, model: SparseAutoencoder, twice: () => Trace): string {
  const moved = now.map((p, i) => !allClose(p, ref.params[s][i], EXACT));
  if (moved.every((m) => !m)) return 'the weights did not change: hand the gradients to the optimizer (optimizer.applyGradients(grads))';
  if (s === 0 && sameParams(now, twice().params[1])) return 'one call, one step: the same gradients were applied twice (applyGradients once per call)';
  if (ref.params[s + 2] && sameParams(now, ref.params[s + 2])) return 'one call, one step: your function took two optimizer steps';
  if (moved.some((m) => !m)) {
    const still = moved.map((m, i) => (m ? '' : variableName(model, i))).filter(Boolean);
    return `${still.join(', ')} did not move: compute gradients for every weight (model.variables)`;
  }
  return 'apply one optimizer step with the gradients of the total loss for every weight';
}

function stepLeakFailure(leaked: number): Failure {
  return {
    expected: 'no tensors left behind',
    got: `${leaked} tensor${leaked === 1 ? '' : 's'} left behind per step`,
    hint: 'dispose the loss value and the gradients after the step (tf.dispose([value, ...Object.values(grads)])), or a long training run fills the memory',
  };
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
            if (!close(got, ref.total[s])) return scalarFailure(got, ref.total[s], lossHint(got, ref, s, now, config), `${step}: `);
            if (!sameParams(now, ref.params[s + 1])) {
              return { expected: `the kit's weights after ${step}`, got: 'different weights', hint: weightsHint(now, ref, s, model, () => referenceTrace(config, 7, x, rows, true)) };
            }
            // Adam creates its moment estimates on the first step; from then on a step makes nothing that stays.
            const leaked = s > 0 ? Math.max(call.leaked, call.growth) : call.leaked;
            if (leaked > 0) return stepLeakFailure(leaked);
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

