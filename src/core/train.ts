/**
 * The one training loop of the kit (the lesson's Part 3): mini-batches, Adam, and per-epoch means
 * of every named loss a model reports. The trainer knows nothing about model kinds: a model gives
 * it its variables and a `losses(x, labels)` function (as d2l's `training_step(batch)`), so the
 * lesson's autoencoders, the dictionary SAEs and the classifiers all train here.
 */
import * as tf from '../runtime/tf';
import { Dataset, batchCount, batches } from '../data/mnist';
import { checkDataset } from '../data/check';
import { ProgressReporter, autoProgress, silentProgress, yieldToEventLoop } from '../runtime/progress';
import { Adam } from './optim';
import { Checks, anInteger, checkConfig, finiteAbove, integerAtLeast } from './checks';
import { NonFiniteLossError, NonFiniteUpdateError, named } from './train-errors';

export { NonFiniteLossError, NonFiniteUpdateError } from './train-errors';

/**
 * Named scalar losses of one batch. `total` is what the optimizer minimises; every other entry
 * (the lesson's `reconstruction` and `sparsity`, a classifier's `crossEntropy`) is recorded too.
 */
export type LossParts = { total: tf.Scalar } & Record<string, tf.Scalar>;

/** What the trainer needs from a model. */
export interface Trainable {
  variables: tf.Variable[];
  /** x: images [batch, inputDim]; labels: their classes [batch] (int32), for models that use them. */
  losses(x: tf.Tensor2D, labels: tf.Tensor1D): LossParts;
  /** Called after each optimizer step (e.g. to renormalise decoder columns or count dead units). */
  afterStep?(): void;
  /** When given, the trainer checks that the data's rows have inputDim values before it starts. */
  config?: { inputDim: number };
}

/**
 * Throws a sentence, not a tfjs shape error, when `data` can't train `model`: `data` itself
 * (checkDataset: count, shape, labels, finite values), then its width against the model's.
 */
export function checkTrainingData(model: Trainable, data: Dataset): void {
  checkDataset(data);
  const inputDim = model.config?.inputDim;
  if (inputDim !== undefined && data.dim !== inputDim) {
    throw new Error(`the data has ${data.dim} values per image (${data.rows}x${data.cols}), ` +
      `but the model's config.inputDim is ${inputDim}: set inputDim to ${data.dim} or load matching data`);
  }
}

export interface TrainConfig {
  /** Passes over the training set (15 in the lesson's main run). */
  epochs: number;
  /** Images per step (128 in the lesson). */
  batchSize: number;
  /** Adam's step size (1e-3 in the lesson). */
  learningRate: number;
  /** Fixes the batch order of every epoch. */
  seed: number;
}

/** The lesson's training settings (Part 6): part6.ts reads its numbers from here. */
export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze({
  epochs: 15,
  batchSize: 128,
  learningRate: 1e-3,
  seed: 42,
});

/**
 * One row of the training history: the epoch, the mean over batches of each loss the model
 * reports (for the lesson's models `total`, `reconstruction` (the MSE) and `sparsity` (the
 * unweighted penalty)), and the epoch's wall-clock seconds.
 */
export interface EpochRecord {
  epoch: number;
  total: number;
  seconds: number;
  [loss: string]: number;
}

export type History = EpochRecord[];

const TRAIN_CHECKS: Checks<TrainConfig> = {
  epochs: integerAtLeast(1),
  batchSize: integerAtLeast(1),
  learningRate: finiteAbove(0),
  seed: anInteger,
};

/** The training settings merged into the defaults and checked (see checks.ts); unknown fields are errors. */
export function validateTrainConfig(partial: Partial<TrainConfig>): TrainConfig {
  return checkConfig('TrainConfig', TRAIN_CHECKS, DEFAULT_TRAIN_CONFIG, partial);
}

/**
 * What the trainer needs from an optimizer (tf.train optimizers fit too). `applyGradients`
 * returns false when it refused a step that would make a weight non-finite, changing nothing.
 */
export interface Optimizer {
  applyGradients(grads: Record<string, tf.Tensor>): boolean | void;
  dispose(): void;
}

/** Adam as PyTorch sets it up (beta1 0.9, beta2 0.999, epsilon 1e-8); see optim.ts. */
export function createOptimizer(learningRate: number): Optimizer {
  return new Adam(learningRate, 0.9, 0.999, 1e-8);
}

/** The batch order of epoch `epoch` under `seed`: different per epoch, fixed by the pair. */
export function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed, 0x9e3779b1) + Math.imul(epoch, 0x85ebca6b)) >>> 0;
}

export interface EpochOptions {
  batchSize: number;
  /** Shuffles the batches; omit for the stored order. */
  seed?: number;
  /** 1-based, used in progress and errors. */
  epoch?: number;
  epochs?: number;
  progress?: ProgressReporter;
}

/** How often (ms) a training loop hands control back to the event loop. */
const YIELD_EVERY_MS = 100;

/**
 * When training last handed control back, across epochs and calls: an epoch shorter than
 * YIELD_EVERY_MS must not restart the clock, or a fit of many short epochs never yields at all.
 */
let lastYield = Date.now();

/**
 * One pass over `data` (the lesson's `train_sparse_autoencoder`): returns the mean total,
 * reconstruction and sparsity losses over the batches.
 *
 * It is async only to yield to the event loop every 100 ms: inside a Jupyter kernel, output
 * (the progress display, printed lines) is sent by the event loop, so a loop that never yields
 * shows nothing until it ends, and in tslab a cell that blocks for minutes fails.
 */
export async function trainEpoch(model: Trainable, data: Dataset, optimizer: Optimizer, options: EpochOptions): Promise<EpochRecord> {
  checkTrainingData(model, data);
  return checkedEpoch(model, data, optimizer, options);
}

/** `trainEpoch` on data that checkTrainingData already passed (fitChecked checks once, not per epoch). */
async function checkedEpoch(model: Trainable, data: Dataset, optimizer: Optimizer, options: EpochOptions): Promise<EpochRecord> {
  const epoch = options.epoch ?? 1;
  const progress = options.progress ?? silentProgress;
  const n = batchCount(data.count, options.batchSize);
  const start = Date.now();
  let names: string[] = [];
  let sums: number[] = [];
  let b = 0;
  for (const batch of batches(data, { batchSize: options.batchSize, seed: options.seed })) {
    b += 1;
    const values = tf.tidy(() => {
      const x = tf.tensor2d(batch.images, [batch.size, data.dim]);
      const labels = tf.tensor1d(batch.labels, 'int32');
      let parts: tf.Tensor1D | null = null;
      const { grads } = tf.variableGrads(() => {
        const l = model.losses(x, labels);
        if (names.length === 0) names = Object.keys(l);
        parts = tf.keep(tf.stack(names.map((k) => l[k])) as tf.Tensor1D);
        return l.total;
      }, model.variables);
      const kept = parts as tf.Tensor1D | null;
      const v = Array.from(kept!.dataSync());
      kept!.dispose();
      // Check before the update, so a bad step never reaches the weights.
      if (!v.every(Number.isFinite)) throw new NonFiniteLossError(epoch, b, named(names, v));
      if (optimizer.applyGradients(grads) === false) throw new NonFiniteUpdateError(epoch, b, named(names, v));
      model.afterStep?.();
      return v;
    });
    if (sums.length === 0) sums = values.map(() => 0);
    for (let i = 0; i < values.length; i++) sums[i] += values[i];
    progress.batch({
      epoch, epochs: options.epochs ?? epoch, batch: b, batches: n,
      loss: sums[names.indexOf('total')] / b, seconds: (Date.now() - start) / 1000,
    });
    if (Date.now() - lastYield >= YIELD_EVERY_MS) {
      await yieldToEventLoop();
      lastYield = Date.now();
    }
  }
  const record = { epoch } as EpochRecord;
  names.forEach((k, i) => { record[k] = sums[i] / b; });
  record.seconds = (Date.now() - start) / 1000;
  return record;
}

/** The lesson's per-epoch line (or, for other models, every loss they report). */
export function formatEpoch(r: EpochRecord): string {
  const time = `(${r.seconds.toFixed(1)} s)`;
  if ('reconstruction' in r && 'sparsity' in r) {
    return `Epoch ${r.epoch} - Total: ${r.total.toFixed(6)}, Recon: ${r.reconstruction.toFixed(6)}, ` +
      `Sparse: ${r.sparsity.toFixed(6)} ${time}`;
  }
  const rest = Object.keys(r).filter((k) => k !== 'epoch' && k !== 'seconds').map((k) => `${k}: ${r[k].toFixed(6)}`);
  return `Epoch ${r.epoch} - ${rest.join(', ')} ${time}`;
}

export interface FitOptions extends Partial<TrainConfig> {
  /** A reporter, `false` for none; by default a notebook display or a terminal bar. */
  progress?: ProgressReporter | false;
  /** Title of the progress display. */
  title?: string;
  /** Called after each epoch. */
  onEpoch?: (record: EpochRecord) => void;
  /** Asked after each epoch (after onEpoch): true ends training there; `epochs` is then a cap. */
  until?: (history: History) => boolean;
}

/** Trains `model` on `data` with Adam; resolves to one record per epoch. */
export async function fit(model: Trainable, data: Dataset, options: FitOptions = {}): Promise<History> {
  const { progress, title, onEpoch, until, ...rest } = options;
  return fitChecked(model, data, validateTrainConfig(rest), { progress, title, onEpoch, until });
}

/**
 * `fit` with settings that validateTrainConfig already checked (the results cache checks them
 * once, for its key, and trains with the very same object, which is not checked again).
 */
export async function fitChecked(model: Trainable, data: Dataset, checked: TrainConfig,
  options: Omit<FitOptions, keyof TrainConfig> = {}): Promise<History> {
  const { progress, title, onEpoch, until } = options;
  const config = validateTrainConfig(checked);
  checkTrainingData(model, data);
  const reporter = progress === false ? silentProgress : progress ?? autoProgress(title ?? 'training');
  const optimizer = createOptimizer(config.learningRate);
  const history: History = [];
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const record = await checkedEpoch(model, data, optimizer, {
        batchSize: config.batchSize, seed: epochSeed(config.seed, epoch), epoch, epochs: config.epochs, progress: reporter,
      });
      history.push(record);
      reporter.epoch(formatEpoch(record));
      onEpoch?.(record);
      if (until?.(history)) break;
    }
  } finally {
    optimizer.dispose();
  }
  return history;
}
