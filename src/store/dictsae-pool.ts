/**
 * Notebook 14's way to train dictionary SAEs two at a time: a pool kept open (openPool,
 * store/train-many.ts) taking 'dictsae' jobs (store/job-dictsae.ts) as its sweeps ask for them.
 * Each measurement is read from the results cache when it is there (an edited or damaged entry
 * trains again and is replaced; SAE_RETRAIN=1 trains again). A model gives the same numbers
 * wherever it trains and however many workers there are: the numbers of training it alone.
 *
 *   const pool = await startDictSaePool({ pixels: { train, test } });
 *   const [a, b] = await Promise.all([pool.measure(taskA), pool.measure(taskB)]);  // both at once
 *   await pool.close();
 */
import { Dataset } from '../data/mnist';
import { DictSaeData, DictSaeJobResult, DictSaeMeasure, DictSaeTask, dictSaeJobs } from './job-dictsae';
import { ModelPool, openPool } from './train-many';

export type { DictSaeData, DictSaeMeasure, DictSaeSpec, DictSaeTask } from './job-dictsae';
export { runDictSaeTask } from './job-dictsae';

export interface DictSaePoolOptions {
  /** models trained at once (default: the cores, here 2); 1 trains everything on this thread */
  workers?: number;
  /** the results cache (SAE_CACHE_DIR or ./.cache/sae-lab by default) */
  cacheDir?: string;
  /** train even what the cache holds (SAE_RETRAIN=1 does the same) */
  retrain?: boolean;
  /** title of the progress line; progress false shows none */
  title?: string;
  progress?: boolean;
}

/** The pool's name of one part of a data set. */
export const dataPart = (name: string, which: 'train' | 'test'): string => `${name}/${which}`;

export class DictSaePool {
  private done = 0;
  private fromCache = 0;
  private closed = false;

  /** Use startDictSaePool. */
  constructor(private readonly sets: Record<string, DictSaeData>, private readonly pool: ModelPool) {}

  /** Measurements trained in this pool so far, and read from the results cache. */
  get trained(): number {
    return this.done;
  }

  get cached(): number {
    return this.fromCache;
  }

  /** How many models train at once. */
  get size(): number {
    return this.pool.size;
  }

  /** Queues the task; resolves when it has been trained and measured (a bad config rejects at once). */
  async measure(task: DictSaeTask): Promise<DictSaeMeasure> {
    if (this.closed) throw new Error('measure: the pool is closed');
    if (this.sets[task.data] === undefined) {
      throw new Error(`measure: no data set '${task.data}' in the pool (it has ${Object.keys(this.sets).map((k) => `'${k}'`).join(', ')})`);
    }
    const { data, title, ...spec } = task;
    const r = await this.pool.train({ kind: 'dictsae', spec, data: [dataPart(data, 'train'), dataPart(data, 'test')],
      title: title ?? dictSaeJobs.name(spec, data) });
    if (r.cached) this.fromCache += 1;
    else this.done += 1;
    return (r.result as DictSaeJobResult).measure;
  }

  /**
   * Stops the workers and gives the native threads back. A task still queued or training is
   * rejected (and not stored); this thread's training of one stops at its next batch first.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool.close();
  }
}

/**
 * A pool over `sets` with this thread and `workers - 1` worker threads (default: one per core),
 * resolved once the workers are ready. A worker that does not start is left out with a warning:
 * this thread then trains its share.
 */
export async function startDictSaePool(sets: Record<string, DictSaeData>, options: DictSaePoolOptions = {}): Promise<DictSaePool> {
  const flat: Record<string, Dataset> = {};
  for (const [name, d] of Object.entries(sets)) Object.assign(flat, { [dataPart(name, 'train')]: d.train, [dataPart(name, 'test')]: d.test });
  const pool = await openPool(flat, { ...options, title: options.title ?? 'dictionary SAEs, trained at once' }, 'DictSaePoolOptions');
  return new DictSaePool(sets, pool);
}
