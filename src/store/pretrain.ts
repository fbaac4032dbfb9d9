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
import { validateTrainConfig } from '../core/train';
import { nativeEnabled, nativeThreads, setNativeThreads } from '../runtime/native';
import { fusionWanted } from '../runtime/fused';
import * as tf from '../runtime/tf';
import { envFlag } from '../runtime/settings';
import { TrainSpec, cacheEntry, defaultCacheDir, markFresh, trainCached } from './cache';
import type { WorkerJob } from './pretrain-worker';
import { Runner, batchProgress, localRunner, sharedSetup, workerRunner } from './pretrain-runners';

/** A spec with the title its notebook gives it (used in progress and errors). */
export type PretrainSpec = TrainSpec & { title?: string };

export interface PretrainOptions {
  /** the progress display's title */
  title?: string;
  /** SAE_CACHE_DIR or ./.cache/sae-lab by default */
  cacheDir?: string;
  /** train even what the cache holds (SAE_RETRAIN=1 does the same); trainCached then loads these once */
  retrain?: boolean;
  /** models trained at once (default: the cores, at most the models to train); 1 trains in this thread */
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

/** Multiply-adds of one training step per image, roughly: what orders the queue (longest first). */
function cost(spec: TrainSpec, data: Dataset): number {
  const m = makeConfig(spec.model);
  const dense = m.decoder === 'linear' ? m.latentDim * m.inputDim : m.latentDim * m.hiddenDim + m.hiddenDim * m.inputDim;
  return (m.inputDim * m.hiddenDim + m.hiddenDim * m.latentDim + dense) * validateTrainConfig(spec.train ?? {}).epochs * data.count;
}

/**
 * Trains every spec the results cache does not hold yet, `workers` at a time, and stores each
 * as trainCached does; a later trainCached of the same spec loads it. A model that fails is
 * named in the error thrown at the end, after the others have finished (and are stored).
 */
export async function pretrain(specs: PretrainSpec[], data: Dataset, options: PretrainOptions = {}): Promise<PretrainResult> {
  const start = Date.now();
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const retrain = options.retrain ?? envFlag('SAE_RETRAIN', false);
  const title = options.title ?? 'training models at once';
  const jobs: WorkerJob[] = [];
  const cached: string[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
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
  const result: PretrainResult = { trained: jobs.map((j) => j.title), cached, workers: jobs.length ? workers : 0, inWorkers: 0, seconds: 0 };
  const finish = () => {
    result.seconds = (Date.now() - start) / 1000;
    if (options.log ?? true) {
      console.log(`${title}: ${jobs.length} trained (${result.workers} at a time) in ${result.seconds.toFixed(1)} s, ` +
        `${cached.length} already in the results cache`);
    }
    return result;
  };
  if (jobs.length === 0) return finish();
  if (workers === 1) {
    for (const job of jobs) {
      markFresh(path.join(cacheDir, job.key), false);
      const run = await trainCached(job.spec, data, { cacheDir, retrain: true, log: false, title: job.title, progress: options.progress === false ? false : undefined });
      run.model.dispose();
      markFresh(path.join(cacheDir, job.key));
    }
    return finish();
  }
  const failures = await inWorkers(jobs, data, workers, { title, thisThread: options.thisThread ?? true, progress: options.progress ?? true }, result);
  for (const job of jobs) if (!failures.has(job.id)) markFresh(path.join(cacheDir, job.key));
  finish();
  if (failures.size > 0) {
    const list = [...failures].map(([id, why]) => `${jobs[id].title}: ${why}`).join('; ');
    throw new Error(`${title}: ${failures.size} of ${jobs.length} models failed (${list}); ` +
      `the other ${jobs.length - failures.size} are stored in the results cache`);
  }
  return result;
}

/**
 * Runs `jobs` on this thread and `count - 1` workers, longest first; resolves to the failures by
 * job id. The native kernels' pool (one per process) runs one thread while several models train,
 * and all of them again for the last one.
 */
async function inWorkers(jobs: WorkerJob[], data: Dataset, count: number,
  { title, thisThread, progress }: { title: string; thisThread: boolean; progress: boolean }, result: PretrainResult): Promise<Map<number, string>> {
  const setup = sharedSetup(data);
  const env: NodeJS.ProcessEnv = { ...process.env, SAE_BLAS_THREADS: '1', SAE_BACKEND: tf.getBackend() };
  if (!nativeEnabled()) env.SAE_NATIVE = '0';
  if (!fusionWanted()) env.SAE_FUSED = '0';
  const queue = jobs.slice().sort((a, b) => cost(b.spec, data) - cost(a.spec, data));
  const total = jobs.reduce((s, j) => s + cost(j.spec, data), 0);
  const done = new Map<number, { fraction: number; epoch: number; epochs: number }>();
  const failures = new Map<number, string>();
  const show = progress ? batchProgress(title) : { update() {}, finished() {} };
  const threadsBefore = nativeThreads();
  const startAt = Date.now();
  let finished = 0;
  let active = count;
  const render = () => {
    let sum = 0;
    const now: string[] = [];
    for (const [id, d] of done) {
      sum += cost(jobs[id].spec, data) * d.fraction;
      if (d.fraction < 1) now.push(`${jobs[id].title} (epoch ${d.epoch}/${d.epochs})`);
    }
    show.update(`${finished}/${jobs.length} trained, ${active} at a time; now ${now.join(', ')}; ` +
      `${((Date.now() - startAt) / 1000).toFixed(0)} s`, sum / total);
  };
  const serve = async (runner: Runner, inWorker: boolean) => {
    for (let job = queue.shift(); job !== undefined; job = runner.alive ? queue.shift() : undefined) {
      const state = { fraction: 0, epoch: 1, epochs: validateTrainConfig(job.spec.train ?? {}).epochs };
      done.set(job.id, state);
      try {
        const r = await runner.run(job, (epoch, epochs, batch, batches) => {
          Object.assign(state, { epoch, epochs, fraction: (epoch - 1 + batch / batches) / epochs });
          render();
        });
        if (inWorker) result.inWorkers += 1;
        show.finished(`${job.title}: trained in ${r.seconds.toFixed(1)} s, final loss ${r.total.toFixed(6)}` +
          (r.stored ? '' : ' (not stored: the cache is not writable)'));
      } catch (err) {
        failures.set(job.id, (err as Error).message);
        show.finished(`${job.title}: failed (${(err as Error).message})`);
      }
      state.fraction = 1;
      finished += 1;
    }
  };
  const retire = async (runner: Runner | null) => {
    active -= 1;
    if (active === 1) setNativeThreads(threadsBefore.threads, threadsBefore.openblas);
    await runner?.close();
  };
  setNativeThreads(1);
  try {
    const workers = Array.from({ length: thisThread ? count - 1 : count }, () => workerRunner(setup, env).then(
      async (runner) => { await serve(runner, true); await retire(runner); },
      async (err: Error) => {
        console.warn(`${title}: a worker did not start (${err.message}); this thread trains its share`);
        await retire(null);
      }));
    const here = thisThread ? [serve(localRunner(data), false).then(() => retire(null))] : [];
    await Promise.all([...here, ...workers]);
  } finally {
    setNativeThreads(threadsBefore.threads, threadsBefore.openblas);
  }
  return failures;
}
