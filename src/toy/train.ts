/**
 * Training the toy model: `steps` Adam steps (the kit's Adam, core/optim.ts, PyTorch's update and
 * defaults, as ARENA trains it), each on a fresh batch for every instance at once. Adam updates
 * every weight on its own, so instance k's weights move exactly as they would alone. The loop is
 * awaitable and lets the event loop run every `yieldEvery` steps, so a notebook's progress shows.
 */
import * as tf from '../runtime/tf';
import { Adam } from '../core/optim';
import { yieldToEventLoop } from '../runtime/progress';
import { floatsOf } from '../runtime/values';
import { ToyData } from './data';
import { ToyModel } from './model';

/** What onStep is told. */
export interface ToyProgress {
  /** steps done, 1 ... steps */
  step: number;
  steps: number;
  /** each instance's loss on this step's batch, before its update: [instances] */
  losses: Float32Array;
}

export interface ToyTrainOptions {
  /** Called after every `reportEvery`-th step and after the last one. */
  onStep?: (progress: ToyProgress) => void;
  /** How often onStep is called (50); reading the losses costs a little, so only then. */
  reportEvery?: number;
  /** How often the event loop runs (every 50 steps). */
  yieldEvery?: number;
}

export interface ToyTrainResult {
  steps: number;
  /** each instance's loss on the last step's batch (empty when steps = 0): [instances] */
  losses: Float32Array;
  /** wall time of the loop */
  seconds: number;
}

/** Positive-integer option `v`, or `fallback` when absent; named in the kit's wording when bad. */
function every(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`ToyTrainOptions.${name} = ${v} is invalid: expected an integer >= 1`);
  return v;
}

/**
 * One step: the loss's gradients for W and b, one Adam update. Returns the instances' losses when
 * `report` (read before the update), else null. Throws when Adam refuses a non-finite update.
 */
function trainStep(model: ToyModel, adam: Adam, x: tf.Tensor3D, step: number, report: boolean): Float32Array | null {
  const losses = report ? floatsOf(() => model.instanceLosses(x)) : null;
  const { value, grads } = tf.variableGrads(() => model.loss(x), model.variables);
  try {
    if (!adam.applyGradients(grads)) {
      throw new Error(`toy model: the update at step ${step} would make weights NaN or infinite, so it was not ` +
        `applied (loss ${value.dataSync()[0]}); try a smaller learningRate than ${model.config.learningRate}`);
    }
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
  return losses;
}

/** Trains every instance of `model` for config.steps steps; resolves when done. */
export async function trainToy(model: ToyModel, options: ToyTrainOptions = {}): Promise<ToyTrainResult> {
  const { steps } = model.config;
  const reportEvery = every('reportEvery', options.reportEvery, 50);
  const yieldEvery = every('yieldEvery', options.yieldEvery, 50);
  const data = new ToyData(model.config);
  const adam = new Adam(model.config.learningRate);
  const start = performance.now();
  let last = new Float32Array(0);
  try {
    for (let step = 1; step <= steps; step++) {
      const report = step === steps || (options.onStep !== undefined && step % reportEvery === 0);
      const x = data.next();
      let losses: Float32Array | null;
      try {
        losses = trainStep(model, adam, x, step, report);
      } finally {
        x.dispose();
      }
      if (losses) {
        last = losses;
        options.onStep?.({ step, steps, losses });
      }
      if (step % yieldEvery === 0) await yieldToEventLoop();
    }
  } finally {
    adam.dispose();
  }
  return { steps, losses: last, seconds: (performance.now() - start) / 1000 };
}
