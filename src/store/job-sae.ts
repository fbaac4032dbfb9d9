/**
 * The pool's job kind 'sae' (store/jobs.ts): a lesson model (a TrainSpec, as trainCached takes it)
 * trained through trainCached into the results cache, exactly as trainCached alone would train and
 * store it; pretrain (store/pretrain.ts) runs a batch of them.
 */
import * as path from 'path';
import { Dataset } from '../data/mnist';
import { makeConfig } from '../core/config';
import { validateTrainConfig } from '../core/train';
import { TrainSpec, cacheEntry, cacheKey, markFresh, trainCached } from './cache';
import type { JobKind } from './jobs';

/** What one trained model reports; `storeError` says why it was not stored. */
export interface SaeJobResult { stored: boolean; storeError?: string; seconds: number; total: number }

const notStored = (r: SaeJobResult) => (r.stored ? '' : ` (not stored: ${r.storeError ?? 'the cache is not writable'})`);

/** Multiply-adds of one training step per image, roughly, times epochs and images. */
function cost(spec: TrainSpec, data: Dataset[]): number {
  const m = makeConfig(spec.model);
  const dense = m.decoder === 'linear' ? m.latentDim * m.inputDim : m.latentDim * m.hiddenDim + m.hiddenDim * m.inputDim;
  return (m.inputDim * m.hiddenDim + m.hiddenDim * m.latentDim + dense) * validateTrainConfig(spec.train ?? {}).epochs * data[0].count;
}

/** A short name for a spec without a title: its kind and the settings that differ from the lesson's. */
function name(spec: TrainSpec): string {
  const m = makeConfig(spec.model);
  const lesson = makeConfig({ sparsity: m.sparsity });
  const diffs = (Object.keys(m) as (keyof typeof m)[]).filter((k) => k !== 'sparsity' && m[k] !== lesson[k]).map((k) => `${k} ${m[k]}`);
  return `${m.sparsity.toUpperCase()} model${diffs.length ? ` (${diffs.join(', ')})` : ''}`;
}

export const saeJobs: JobKind<TrainSpec, SaeJobResult> = {
  describe: (spec, [data]) => cacheKey(spec, data).description,
  lookup(spec, [data], cacheDir) {
    return cacheEntry(spec, data, cacheDir).hit ? { stored: true, seconds: NaN, total: NaN } : null;
  },
  async train(spec, [data], { cacheDir, key, title, progress }) {
    markFresh(path.join(cacheDir, key), false); // train it, even if an earlier pretrain did
    const run = await trainCached(spec, data, { cacheDir, retrain: true, log: false, title, progress });
    run.model.dispose();
    const seconds = run.history.reduce((s, r) => s + r.seconds, 0);
    return { stored: run.stored, storeError: run.storeError, seconds, total: run.history[run.history.length - 1]?.total ?? NaN };
  },
  epochs: (spec) => validateTrainConfig(spec.train ?? {}).epochs,
  cost,
  stored: (cacheDir, key) => markFresh(path.join(cacheDir, key)),
  line: (r, title, cached) => (cached ? `${title}: loaded from the results cache` : `${title}: trained in ${r.seconds.toFixed(1)} s, final loss ${r.total.toFixed(6)}${notStored(r)}`),
  name: (spec) => name(spec),
};
