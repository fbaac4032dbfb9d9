/**
 * The kinds of job a training pool (store/pool.ts) runs, each one object in its own file: a
 * lesson model trained into a checkpoint (job-sae.ts) and a dictionary SAE trained and measured
 * (job-dictsae.ts). A kind says what its result depends on (the results cache's description,
 * hence its key), how to find it in the cache, how to train it and store it, and how long it
 * takes. The pool, this thread and the one worker entry (pool-worker.ts) know only this table:
 * a new kind is a file and one line in JOB_KINDS.
 */
import { Dataset } from '../data/mnist';
import { ProgressReporter } from '../runtime/progress';
import { EntryDescription, entryKey } from './cache-key';
import { saeJobs } from './job-sae';
import { dictSaeJobs } from './job-dictsae';

/** Where a job trains: its cache entry and how progress and errors name it. */
export interface JobContext { cacheDir: string; key: string; title: string; progress: ProgressReporter }

export interface JobKind<S = unknown, R = unknown> {
  /** The checked spec's description in the results cache (a bad spec or config throws, naming the field). */
  describe(spec: S, data: Dataset[]): EntryDescription;
  /** The result stored in the cache for `key`, or null (a warning says why an unusable entry is not used). */
  lookup(spec: S, data: Dataset[], cacheDir: string, key: string, title: string): R | null;
  /** Trains the job and stores its result (a failed store is said in the result, not thrown). */
  train(spec: S, data: Dataset[], context: JobContext): Promise<R>;
  /** Epochs of training, and multiply-adds roughly (what orders a batch: longest first). */
  epochs(spec: S): number;
  cost(spec: S, data: Dataset[]): number;
  /** The line a progress display keeps when the job is done (`cached`: read from the results cache). */
  line(result: R, title: string, cached?: boolean): string;
  /** Told on the main thread of each result stored now (a lesson model: the next trainCached loads it once). */
  stored?(cacheDir: string, key: string): void;
  /** A name for a job given no title. */
  name(spec: S, data: string): string;
}

export const JOB_KINDS = { sae: saeJobs, dictsae: dictSaeJobs } as const;
export type JobKindName = keyof typeof JOB_KINDS;

/** One job as the pool hands it to a runner (plain data: it goes to worker threads as it is). */
export interface Job {
  id: number;
  kind: JobKindName;
  spec: unknown;
  /** the names of its data sets in the pool, in the kind's order */
  data: string[];
  key: string;
  cacheDir: string;
  title: string;
}

/** A job as its caller gives it; the pool numbers it. */
export type JobRequest = Omit<Job, 'id'>;

/** How one job ended: its kind's result, or why it failed. */
export type JobOutcome = { ok: true; result: unknown; inWorker: boolean } | { ok: false; error: string };

export function jobKind(kind: JobKindName): JobKind {
  const k = JOB_KINDS[kind] as unknown as JobKind | undefined;
  if (k === undefined) throw new Error(`unknown job kind '${String(kind)}'; the kinds are ${Object.keys(JOB_KINDS).join(', ')}`);
  return k;
}

/** The data sets a job names, from the pool's sets. */
export function jobData(job: Pick<Job, 'data'>, sets: Record<string, Dataset>): Dataset[] {
  return job.data.map((name) => {
    const d = sets[name];
    if (d === undefined) throw new Error(`no data set ${JSON.stringify(name)} in the pool`);
    return d;
  });
}

/** Where a job's result lives in the cache, and the result when the cache holds it. */
export function lookupJob(kind: JobKindName, spec: unknown, data: Dataset[], cacheDir: string, title: string, retrain: boolean):
  { key: string; description: EntryDescription; hit: unknown | null } {
  const k = jobKind(kind);
  const description = k.describe(spec, data);
  const key = entryKey(description);
  return { key, description, hit: retrain ? null : k.lookup(spec, data, cacheDir, key, title) };
}

/**
 * Runs one job here (this thread or a worker): its key is computed again from its spec, so a
 * worker whose arithmetic differs from the main thread's refuses the job instead of storing it
 * under the main thread's key.
 */
export async function runJob(job: Job, sets: Record<string, Dataset>, progress: ProgressReporter): Promise<unknown> {
  const kind = jobKind(job.kind);
  const data = jobData(job, sets);
  const description = kind.describe(job.spec, data);
  const key = entryKey(description);
  if (key !== job.key) {
    throw new Error(`this thread computes on ${description.numerics}, which gives another cache key than the main ` +
      `thread's (${key} vs ${job.key}); train it with trainCached instead`);
  }
  return kind.train(job.spec, data, { cacheDir: job.cacheDir, key, title: job.title, progress });
}
