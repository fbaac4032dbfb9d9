/**
 * The pool's job kind 'dictsae' (store/jobs.ts): a dictionary SAE (interp/dictsae.ts, through its
 * public model API) trained on a data set's training images and measured on its test images
 * (evaluateDictSae). The measurement is a results-cache entry like a checkpoint (cache-entry.ts:
 * one key scheme, entry.json's sha256 checked on read, links never followed), so a second run of
 * notebook 14 reads it instead of training; an edited or damaged entry trains again and is replaced.
 */
import { Dataset } from '../data/mnist';
import { TrainConfig, fit, validateTrainConfig } from '../core/train';
import { epochGain, lossFlattened } from '../core/stopping';
import { ProgressReporter } from '../runtime/progress';
import { DictSae, DictSaeOptions, evaluateDictSae, makeDictSaeConfig } from '../interp/dictsae';
import { describeEntry } from './cache-key';
import { cacheRoot, readEntry, storeResult } from './cache-entry';
import type { JobKind } from './jobs';
import * as path from 'path';

/** Training and test data of one data set the tasks name. */
export interface DictSaeData { train: Dataset; test: Dataset }

/** One dictionary SAE to train and measure: its config and training (a 'dictsae' job's spec). */
export interface DictSaeSpec {
  options: DictSaeOptions;
  /** the SAE's initialisation seed (42 unless given) */
  seed?: number;
  /** Adam and batches: the kit's defaults for what is not given */
  train?: Partial<TrainConfig>;
  /**
   * Stop once an epoch changes the training loss by less than this fraction either way (core/stopping.ts
   * lossFlattened); `train.epochs` is then the cap. Not given: every epoch runs.
   */
  stopGain?: number;
}

/** A DictSaePool's task: a spec, the data set it trains on (a key of the pool's sets) and a title. */
export interface DictSaeTask extends DictSaeSpec {
  data: string;
  /** for the progress line and errors */
  title?: string;
}

/**
 * evaluateDictSae on the test set after training, with the training's seconds, final loss, epochs
 * run and the last epoch's gain (how much it lowered the loss, a fraction; NaN after one epoch is stored as 1).
 */
export interface DictSaeMeasure {
  l0: number; fvu: number; fvuRaw: number; seconds: number; finalLoss: number; epochs: number; lastGain: number;
}

/** A measurement trained now or read from the cache; `storeError` says why a trained one was not stored. */
export interface DictSaeJobResult { measure: DictSaeMeasure; stored: boolean; storeError?: string }

const NUMBERS = ['l0', 'fvu', 'fvuRaw', 'seconds', 'finalLoss', 'epochs', 'lastGain'] as const;

/** Trains the task's SAE on its data set and measures it on the test set (this thread or a worker). */
export async function runDictSaeTask(task: DictSaeSpec, data: DictSaeData, progress: ProgressReporter | false): Promise<DictSaeMeasure> {
  const sae = new DictSae(task.options, task.seed ?? 42);
  try {
    const until = task.stopGain === undefined ? undefined : lossFlattened(task.stopGain);
    const history = await fit(sae, data.train, { ...task.train, progress, until });
    const r = evaluateDictSae(sae, data.test);
    const gain = epochGain(history);
    return { ...r, seconds: history.reduce((s, h) => s + h.seconds, 0), finalLoss: history[history.length - 1].total,
      epochs: history.length, lastGain: Number.isNaN(gain) ? 1 : gain };
  } finally {
    sae.dispose();
  }
}

/** What a measurement depends on: the full config, the seed, the full training settings, both data sets. */
export function describeDictSae(task: DictSaeSpec, [train, test]: Dataset[]) {
  const config = makeDictSaeConfig(task.options);
  const stop = task.stopGain === undefined ? {} : { stopGain: task.stopGain };
  return describeEntry('dictsae', { config, seed: task.seed ?? 42, train: validateTrainConfig(task.train ?? {}), ...stop },
    [train, test]);
}

function finiteMeasure(r: unknown): r is DictSaeMeasure {
  const m = r as Record<string, unknown> | null;
  return m !== null && typeof m === 'object' && NUMBERS.every((k) => typeof m[k] === 'number' && Number.isFinite(m[k]));
}

export const dictSaeJobs: JobKind<DictSaeSpec, DictSaeJobResult> = {
  describe: describeDictSae,
  lookup(task, data, cacheDir, key, title) {
    const dir = path.join(cacheRoot(cacheDir).root, key);
    const read = readEntry(dir, describeDictSae(task, data));
    if ('result' in read && finiteMeasure(read.result)) return { measure: read.result, stored: true };
    const why = 'why' in read ? read.why : 'its numbers are not all finite';
    if (!('missing' in read && read.missing)) console.warn(`${title}: cached measurement ${dir} is unusable (${why}); training again`);
    return null;
  },
  async train(task, data, { cacheDir, key, progress }) {
    const measure = await runDictSaeTask(task, { train: data[0], test: data[1] }, progress);
    const storeError = storeResult(cacheDir, key, describeDictSae(task, data), measure);
    return { measure, stored: storeError === undefined, ...(storeError === undefined ? {} : { storeError }) };
  },
  epochs: (task) => validateTrainConfig(task.train ?? {}).epochs,
  cost(task, [train]) {
    const c = makeDictSaeConfig(task.options);
    return 2 * c.inputDim * c.latentDim * validateTrainConfig(task.train ?? {}).epochs * train.count;
  },
  line({ measure: m, storeError }, title, cached) {
    const how = cached ? 'from the results cache' : `${m.seconds.toFixed(1)} s${storeError ? `; not stored: ${storeError}` : ''}`;
    return `${title}: L0 ${m.l0.toFixed(2)}, FVU ${m.fvu.toFixed(4)} (${how})`;
  },
  name: (task, data) => `${data}: ${makeDictSaeConfig(task.options).activation} SAE`,
};
