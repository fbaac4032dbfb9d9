/**
 * Trains independent models at the same time, one per core, into the results cache, so that a
 * notebook's loop of `trainCached` calls then loads them all (a sweep: notebook 07's ten models,
 * 09's five). This thread trains one model and each worker thread (store/pretrain-worker.ts, its
 * own TensorFlow.js backend, the training images read in place from one SharedArrayBuffer)
 * another; the native kernels run one thread per model, and all of them again for the last one.
 * Their results are bitwise the same on 1 and 2 threads, so every stored model, weights and
 * losses, is bitwise the one that training it alone gives; only the recorded seconds differ.
 *
 *   await pretrain(specs, train, { title: 'Exercise 1' });   // then the loop below loads them
 */
import * as os from 'os';
import * as path from 'path';
import { Dataset } from '../data/mnist';
import { makeConfig } from '../core/config';
import { Checks, integerAtLeast, invalidField } from '../core/checks';
import { envFlag } from '../runtime/settings';
import { TrainSpec, cacheEntry, checkSpec, defaultCacheDir, markFresh, trainCached } from './cache';
import { TRAIN_SPEC_CHECKS } from './cache-key';
import type { WorkerJob } from './pretrain-worker';
import { JobOutcome, trainInWorkers } from './pretrain-queue';

/** A spec with the title its notebook gives it (used in progress and errors). */
export type PretrainSpec = TrainSpec & { title?: string };

const PRETRAIN_SPEC_CHECKS: Checks<PretrainSpec> = {
  ...TRAIN_SPEC_CHECKS,
  title: (v) => (v === undefined || typeof v === 'string' ? null : 'a string'),
};

export interface PretrainOptions {
  /** the progress display's title */
  title?: string;
  /** SAE_CACHE_DIR or ./.cache/sae-lab by default */
  cacheDir?: string;
  /** train even what the cache holds (SAE_RETRAIN=1 does the same); trainCached then loads these once */
  retrain?: boolean;
  /** models trained at once, an integer >= 1 (default: the cores, at most the models to train); 1 trains in this thread */
  workers?: number;
  /** print a summary line (default true) */
  log?: boolean;
  /** show the progress line (default true) */
  progress?: boolean;
  /** this thread trains models too, beside workers - 1 worker threads (default true); false starts `workers` workers */
  thisThread?: boolean;
}

export interface PretrainResult {
  /** titles of the models trained now, and of those the cache already held */
  trained: string[];
  cached: string[];
  /** how many of the trained models are in the results cache now (the summary line says why the others are not) */
  stored: number;
  workers: number;
  /** how many of the trained models a worker thread trained (the rest: this thread) */
  inWorkers: number;
  seconds: number;
}

/** A short name for a spec without a title: its kind and the settings that differ from the lesson's. */
function specName(spec: TrainSpec): string {
  const m = makeConfig(spec.model);
  const lesson = makeConfig({ sparsity: m.sparsity });
  const diffs = (Object.keys(m) as (keyof typeof m)[]).filter((k) => k !== 'sparsity' && m[k] !== lesson[k]).map((k) => `${k} ${m[k]}`);
  return `${m.sparsity.toUpperCase()} model${diffs.length ? ` (${diffs.join(', ')})` : ''}`;
}

/** Trains the jobs one after another on this thread (workers 1); a failure is recorded, not thrown. */
async function trainHere(jobs: WorkerJob[], data: Dataset, progress: boolean | undefined): Promise<Map<number, JobOutcome>> {
  const outcomes = new Map<number, JobOutcome>();
  for (const job of jobs) {
    markFresh(path.join(job.cacheDir, job.key), false);
    try {
      const run = await trainCached(job.spec, data, { cacheDir: job.cacheDir, retrain: true, log: false, title: job.title, progress: progress === false ? false : undefined });
      run.model.dispose();
      const seconds = run.history.reduce((s, r) => s + r.seconds, 0);
      outcomes.set(job.id, { ok: true, inWorker: false, result: { stored: run.stored, storeError: run.storeError, seconds, total: NaN } });
    } catch (err) {
      outcomes.set(job.id, { ok: false, error: (err as Error).message });
    }
  }
  return outcomes;
}

/**
 * Trains every spec the results cache does not hold yet, `workers` at a time, and stores each
 * as trainCached does; a later trainCached of the same spec loads it. A model that fails is
 * named in the error thrown at the end, after the others have finished (and are stored). The
 * summary line and `stored` say how many of the trained models the cache holds, and why not all.
 */
export async function pretrain(specs: PretrainSpec[], data: Dataset, options: PretrainOptions = {}): Promise<PretrainResult> {
  const start = Date.now();
  if (options.workers !== undefined) {
    const expected = integerAtLeast(1)(options.workers, {});
    if (expected !== null) throw invalidField('PretrainOptions', 'workers', options.workers, `${expected} (models trained at once)`);
  }
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const retrain = options.retrain ?? envFlag('SAE_RETRAIN', false);
  const title = options.title ?? 'training models at once';
  const jobs: WorkerJob[] = [];
  const cached: string[] = [];
  const seen = new Set<string>();
  for (const spec of specs.map((s) => checkSpec(s, 'PretrainSpec', PRETRAIN_SPEC_CHECKS))) {
    const name = spec.title ?? specName(spec);
    const { title: _, ...plain } = spec;
    const entry = cacheEntry(plain, data, cacheDir);
    if (seen.has(entry.key)) continue;
    seen.add(entry.key);
    if (entry.hit && !retrain) cached.push(name);
    else jobs.push({ id: jobs.length, spec: plain, key: entry.key, cacheDir, title: name });
  }
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const workers = Math.max(1, Math.min(options.workers ?? cores, jobs.length));
  const outcomes = jobs.length === 0 ? new Map<number, JobOutcome>() : workers === 1 ? await trainHere(jobs, data, options.progress)
    : await trainInWorkers(jobs, data, workers, { title, thisThread: options.thisThread ?? true, progress: options.progress ?? true });
  const trained = jobs.filter((j) => outcomes.get(j.id)?.ok);
  const results = trained.map((j) => outcomes.get(j.id) as JobOutcome & { ok: true });
  const failed = jobs.filter((j) => !outcomes.get(j.id)?.ok);
  for (const job of trained) if ((outcomes.get(job.id) as JobOutcome & { ok: true }).result.stored) markFresh(path.join(cacheDir, job.key));
  const stored = results.filter((o) => o.result.stored).length;
  const result: PretrainResult = {
    trained: trained.map((j) => j.title), cached, stored, workers: jobs.length ? workers : 0,
    inWorkers: results.filter((o) => o.inWorker).length, seconds: (Date.now() - start) / 1000,
  };
  if (options.log ?? true) {
    const why = results.find((o) => !o.result.stored)?.result.storeError ?? 'the cache is not writable';
    console.log(`${title}: ${trained.length} trained (${result.workers} at a time) in ${result.seconds.toFixed(1)} s, ` +
      (stored < trained.length ? `${trained.length - stored} of them not stored (${why}), ` : '') +
      (failed.length ? `${failed.length} failed, ` : '') + `${cached.length} already in the results cache`);
  }
  if (failed.length > 0) {
    const list = failed.map((j) => `${j.title}: ${(outcomes.get(j.id) as { error?: string })?.error ?? 'not trained'}`).join('; ');
    const others = stored === trained.length ? `the other ${trained.length} are stored in the results cache`
      : `the other ${trained.length} were trained, ${stored} of them stored in the results cache`;
    throw new Error(`${title}: ${failed.length} of ${jobs.length} models failed (${list}); ${others}`);
  }
  return result;
}
