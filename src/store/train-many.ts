/**
 * One way to train many models, of any kind (store/jobs.ts: 'sae', the lesson's models as
 * trainCached takes them; 'dictsae', dictionary SAEs trained and measured): what the results
 * cache holds is read, the rest is trained `workers` at a time by a training pool (store/pool.ts),
 * longest first, and stored. A batch (trainMany) ends with one summary line; a pool kept open
 * (openPool) takes jobs as they come, e.g. an adaptive sweep. `data` names the pool's data sets.
 *
 *   await trainMany({ train }, specs.map(({ title, ...spec }) => ({ kind: 'sae', spec, data: ['train'], title })), { title: 'Exercise 1' });
 *   const pool = await openPool({ train, test }, { title: 'the sweeps' });
 *   const { result } = await pool.train({ kind: 'dictsae', spec: { options }, data: ['train', 'test'] });
 *   await pool.close();
 */
import * as os from 'os';
import { Dataset } from '../data/mnist';
import { integerAtLeast, invalidField } from '../core/checks';
import { envFlag } from '../runtime/settings';
import { defaultCacheDir } from './cache-entry';
import { JobKindName, JobOutcome, JobRequest, jobData, jobKind, lookupJob } from './jobs';
import { TrainingPool } from './pool';

/** One model to train: its kind, the kind's spec, the names of its data sets in `sets`, a title. */
export interface ModelJob { kind: JobKindName; spec: unknown; data: string[]; title?: string }

export interface ManyOptions {
  /** the progress display's title, also in the summary line and errors */
  title?: string;
  /** SAE_CACHE_DIR or ./.cache/sae-lab by default */
  cacheDir?: string;
  /** train even what the cache holds (SAE_RETRAIN=1 does the same) */
  retrain?: boolean;
  /** models trained at once, an integer >= 1 (default: the cores, at most the models to train); 1 trains in this thread */
  workers?: number;
  /** print a summary line (default true; a batch only) */
  log?: boolean;
  /** show the progress line (default true) */
  progress?: boolean;
  /** this thread trains models too, beside workers - 1 worker threads (default true); false starts `workers` workers */
  thisThread?: boolean;
}

export interface ManyResult {
  /** titles of the models trained now, and of those the cache already held (a job given twice counts once) */
  trained: string[];
  cached: string[];
  /** how many of the trained models are in the results cache now (the summary line says why the others are not) */
  stored: number;
  workers: number;
  /** how many of the trained models a worker thread trained (the rest: this thread) */
  inWorkers: number;
  seconds: number;
  /** each job's result, in the order given: its kind's (trained now or read from the cache) */
  results: unknown[];
}

type Stored = { stored: boolean; storeError?: string };

function checkWorkers(workers: number | undefined, name: string): void {
  const expected = workers === undefined ? null : integerAtLeast(1)(workers, {});
  if (expected !== null) throw invalidField(name, 'workers', workers, `${expected} (models trained at once)`);
}

/** The jobs the cache lacks as pool requests (one per key), each job's key, and what the cache holds by key. */
function plan(jobs: ModelJob[], sets: Record<string, Dataset>, cacheDir: string, retrain: boolean) {
  const requests: JobRequest[] = [];
  const cached: string[] = [];
  const hits = new Map<string, unknown>();
  const seen = new Set<string>();
  const keys = jobs.map((job) => {
    const title = job.title ?? jobKind(job.kind).name(job.spec, job.data[0]);
    const { key, hit } = lookupJob(job.kind, job.spec, jobData(job, sets), cacheDir, title, retrain);
    if (seen.has(key)) return key;
    seen.add(key);
    if (hit !== null) {
      cached.push(title);
      hits.set(key, hit);
    } else requests.push({ kind: job.kind, spec: job.spec, data: job.data, key, cacheDir, title });
    return key;
  });
  return { requests, cached, hits, keys };
}

/** Trains the requests `workers` at a time, longest first; their outcomes in the order given. */
async function runBatch(sets: Record<string, Dataset>, requests: JobRequest[], workers: number, options: ManyOptions, title: string): Promise<JobOutcome[]> {
  const pool = new TrainingPool(sets, { workers, thisThread: workers === 1 || (options.thisThread ?? true), title, progress: options.progress, batch: true });
  try {
    const costs = requests.map((r) => jobKind(r.kind).cost(r.spec, jobData(r, sets)));
    const order = requests.map((_, i) => i).sort((a, b) => costs[b] - costs[a]);
    const outcomes: JobOutcome[] = new Array(requests.length);
    await Promise.all(pool.submitMany(order.map((i) => requests[i])).map((p, k) => p.then((o) => { outcomes[order[k]] = o; })));
    return outcomes;
  } finally {
    await pool.close();
  }
}

/** The summary line: how many were trained, stored (and why not all), failed, found in the cache. */
function summary(title: string, r: ManyResult, trained: Stored[], failed: number): string {
  const why = trained.find((t) => !t.stored)?.storeError ?? 'the cache is not writable';
  return `${title}: ${trained.length} trained (${r.workers} at a time) in ${r.seconds.toFixed(1)} s, ` +
    (r.stored < trained.length ? `${trained.length - r.stored} of them not stored (${why}), ` : '') +
    (failed ? `${failed} failed, ` : '') + `${r.cached.length} already in the results cache`;
}

/**
 * Trains every job the results cache does not hold yet and stores each; a model that fails is
 * named in the error thrown at the end, after the others have finished (and are stored). The
 * summary line and `stored` say how many of the trained models the cache holds, and why not all.
 */
export async function trainMany(sets: Record<string, Dataset>, jobs: ModelJob[], options: ManyOptions = {}, optionsName = 'ManyOptions'): Promise<ManyResult> {
  const start = Date.now();
  checkWorkers(options.workers, optionsName);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const title = options.title ?? 'training models at once';
  const { requests, cached, hits, keys } = plan(jobs, sets, cacheDir, options.retrain ?? envFlag('SAE_RETRAIN', false));
  const workers = Math.max(1, Math.min(options.workers ?? os.availableParallelism?.() ?? os.cpus().length, requests.length));
  const outcomes = requests.length === 0 ? [] : await runBatch(sets, requests, workers, options, title);
  const trained: Stored[] = [];
  const failed: string[] = [];
  requests.forEach((r, i) => {
    const o = outcomes[i];
    if (!o.ok) return failed.push(`${r.title}: ${o.error}`);
    trained.push(o.result as Stored);
    hits.set(r.key, o.result);
    if ((o.result as Stored).stored) jobKind(r.kind).stored?.(r.cacheDir, r.key);
  });
  const result: ManyResult = {
    trained: requests.filter((_, i) => outcomes[i].ok).map((r) => r.title), cached, stored: trained.filter((t) => t.stored).length,
    workers: requests.length ? workers : 0, inWorkers: outcomes.filter((o) => o.ok && o.inWorker).length,
    seconds: (Date.now() - start) / 1000, results: keys.map((k) => hits.get(k)),
  };
  if (options.log ?? true) console.log(summary(title, result, trained, failed.length));
  if (failed.length > 0) {
    const others = result.stored === trained.length ? `the other ${trained.length} are stored in the results cache`
      : `the other ${trained.length} were trained, ${result.stored} of them stored in the results cache`;
    throw new Error(`${title}: ${failed.length} of ${requests.length} models failed (${failed.join('; ')}); ${others}`);
  }
  return result;
}

/** A pool kept open (openPool): each job is read from the results cache or trained as it comes. */
export class ModelPool {
  constructor(private readonly pool: TrainingPool, private readonly sets: Record<string, Dataset>,
    private readonly cacheDir: string, private readonly retrain: boolean) {}

  /** How many models train at once. */
  get size(): number {
    return this.pool.size;
  }

  /** Resolves to the job's result and whether the cache held it; rejects with "<title>: why" (a bad spec at once). */
  async train(job: ModelJob): Promise<{ result: unknown; cached: boolean; title: string }> {
    const kind = jobKind(job.kind);
    const title = job.title ?? kind.name(job.spec, job.data[0]);
    const { key, hit } = lookupJob(job.kind, job.spec, jobData(job, this.sets), this.cacheDir, title, this.retrain);
    if (hit !== null) {
      this.pool.note(kind.line(hit, title, true));
      return { result: hit, cached: true, title };
    }
    const o = await this.pool.submit({ kind: job.kind, spec: job.spec, data: job.data, key, cacheDir: this.cacheDir, title });
    if (!o.ok) throw new Error(`${title}: ${o.error}`);
    if ((o.result as Stored).stored) kind.stored?.(this.cacheDir, key);
    return { result: o.result, cached: false, title };
  }

  /**
   * Stops the workers and gives the native threads back. A job still queued or training is
   * rejected (and not stored); this thread's training of one stops at its next batch first.
   */
  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * A pool over `sets` with this thread and `workers - 1` worker threads (default: one per core),
 * resolved once the workers are ready. A worker that does not start is left out with a warning:
 * the others (this thread at least) train its share.
 */
export async function openPool(sets: Record<string, Dataset>, options: Omit<ManyOptions, 'log'> = {}, optionsName = 'PoolOptions'): Promise<ModelPool> {
  checkWorkers(options.workers, optionsName);
  const workers = options.workers ?? os.availableParallelism?.() ?? os.cpus().length;
  const pool = new TrainingPool(sets, { workers, thisThread: options.thisThread, title: options.title ?? 'models, trained at once', progress: options.progress });
  await pool.ready();
  return new ModelPool(pool, sets, options.cacheDir ?? defaultCacheDir(), options.retrain ?? envFlag('SAE_RETRAIN', false));
}
