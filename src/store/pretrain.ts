/**
 * Trains independent lesson models at the same time, one per core, into the results cache, so
 * that a notebook's loop of `trainCached` calls then loads them all (a sweep: notebook 07's ten
 * models, 09's five): a batch of 'sae' jobs (store/job-sae.ts) for trainMany (store/pool.ts).
 * Every stored model, weights and losses, is bitwise the one that training it alone gives; only
 * the recorded seconds differ.
 *
 *   await pretrain(specs, train, { title: 'Exercise 1' });   // then the loop below loads them
 */
import { Dataset } from '../data/mnist';
import { Checks } from '../core/checks';
import { TrainSpec, checkSpec } from './cache';
import { TRAIN_SPEC_CHECKS } from './cache-key';
import { ManyOptions, ManyResult, ModelJob, trainMany } from './train-many';

/** A spec with the title its notebook gives it (used in progress and errors). */
export type PretrainSpec = TrainSpec & { title?: string };

const PRETRAIN_SPEC_CHECKS: Checks<PretrainSpec> = {
  ...TRAIN_SPEC_CHECKS,
  title: (v) => (v === undefined || typeof v === 'string' ? null : 'a string'),
};

/** trainMany's options (store/train-many.ts): title, cacheDir, retrain, workers, log, progress, thisThread. */
export type PretrainOptions = ManyOptions;

/** trainMany's result without the results: the titles trained and cached, how many stored, workers, seconds. */
export type PretrainResult = Omit<ManyResult, 'results'>;

/**
 * Trains every spec the results cache does not hold yet, `workers` at a time, and stores each
 * as trainCached does; a later trainCached of the same spec loads it. A model that fails is
 * named in the error thrown at the end, after the others have finished (and are stored). The
 * summary line and `stored` say how many of the trained models the cache holds, and why not all.
 */
export async function pretrain(specs: PretrainSpec[], data: Dataset, options: PretrainOptions = {}): Promise<PretrainResult> {
  const jobs: ModelJob[] = specs.map((s) => {
    const { title, ...spec } = checkSpec(s, 'PretrainSpec', PRETRAIN_SPEC_CHECKS);
    return { kind: 'sae', spec, data: ['train'], title };
  });
  const { results: _, ...result } = await trainMany({ train: data }, jobs, options, 'PretrainOptions');
  return result;
}
