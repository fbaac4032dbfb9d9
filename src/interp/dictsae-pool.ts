/**
 * Trains and measures independent dictionary SAEs two at a time, one per core: this thread
 * trains one and a worker thread (interp/dictsae-worker.ts, its own TensorFlow.js backend, the
 * data read in place from SharedArrayBuffers) another. Notebook 14's sweeps are ~27 such models.
 * While the pool is open this thread runs the native kernels on one thread, as the workers do,
 * so a model gives the same numbers wherever it trains and however many workers there are: the
 * numbers of training it alone on one thread (on two, products can round differently: the losses
 * agree to ~1e-8 relative).
 *
 * Each measurement is kept in the results cache (dictsae/<key>.json beside the cached models; the
 * key hashes the config, seed, training settings, both data sets and the numerics; a sha256 covers
 * the file, see dictsae-measures.ts), so a second run of a notebook reads it instead of training;
 * an edited or damaged file trains again and is replaced; SAE_RETRAIN=1 trains again.
 *
 *   const pool = await startDictSaePool({ pixels: { train, test } });
 *   const [a, b] = await Promise.all([pool.measure(taskA), pool.measure(taskB)]);  // both at once
 *   await pool.close();
 */
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { Dataset } from '../data/mnist';
import { TrainConfig, fit, validateTrainConfig } from '../core/train';
import { ProgressReporter } from '../runtime/progress';
import { NativeThreads, nativeEnabled, nativeThreads, setNativeThreads } from '../runtime/native';
import { fusionWanted } from '../runtime/fused';
import * as tf from '../runtime/tf';
import { batchProgress, sharedSetup, startWorker } from '../store/pretrain-runners';
import type { WorkerSetup } from '../store/pretrain-worker';
import { defaultCacheDir, rememberDatasetHash } from '../store/cache';
import { envFlag } from '../runtime/settings';
import { DictSae, DictSaeOptions, evaluateDictSae } from './dictsae';
import { MeasureDescription, measureEntry, readMeasure, writeMeasure } from './dictsae-measures';

export { measureEntry } from './dictsae-measures';

/** Training and test data of one data set the tasks name. */
export interface DictSaeData { train: Dataset; test: Dataset }

/** One model to train and measure: its data set (a key of the pool's sets), config and training. */
export interface DictSaeTask {
  data: string;
  options: DictSaeOptions;
  /** the SAE's initialisation seed (42 unless given) */
  seed?: number;
  /** Adam and batches: the kit's defaults for what is not given */
  train?: Partial<TrainConfig>;
  /** for the progress line and errors */
  title?: string;
}

/** evaluateDictSae on the test set after training, with the training's seconds and final loss. */
export interface DictSaeMeasure { l0: number; fvu: number; fvuRaw: number; seconds: number; finalLoss: number }

/** Trains the task's SAE on its data set and measures it on the test set (this thread or a worker). */
export async function runDictSaeTask(task: DictSaeTask, data: DictSaeData, progress: ProgressReporter | false): Promise<DictSaeMeasure> {
  const sae = new DictSae(task.options, task.seed ?? 42);
  try {
    const history = await fit(sae, data.train, { ...task.train, progress });
    const r = evaluateDictSae(sae, data.test);
    return { ...r, seconds: history.reduce((s, h) => s + h.seconds, 0), finalLoss: history[history.length - 1].total };
  } finally {
    sae.dispose();
  }
}

/** A data set as SharedArrayBuffers (pretrain's sharedSetup: copied once, with its hash). */
export type SharedDataset = WorkerSetup;

export function datasetOf(s: SharedDataset): Dataset {
  const { sha256, ...rest } = s;
  const data = { ...rest, images: new Float32Array(s.images), labels: new Uint8Array(s.labels) };
  rememberDatasetHash(data, sha256);
  return data;
}

export type PoolMessage =
  | { type: 'ready' }
  | { type: 'batch'; id: number; epoch: number; epochs: number; batch: number; batches: number }
  | { type: 'done'; id: number; result: DictSaeMeasure }
  | { type: 'error'; id: number; message: string };

interface Pending {
  id: number;
  task: DictSaeTask;
  title: string;
  resolve(r: DictSaeMeasure): void;
  reject(e: Error): void;
  /** where its measurement is stored */
  file: string;
  description: MeasureDescription;
  /** set by close(): this thread's training of it stops at the next batch */
  cancelled?: boolean;
  /** fraction of its training done, for the progress line */
  fraction: number;
  epoch: number;
  epochs: number;
}

interface Slot { worker: Worker | null; busy: Pending | null; alive: boolean; running?: Promise<void> }

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

export class DictSaePool {
  private queue: Pending[] = [];
  private nextId = 0;
  private done = 0;
  private fromCache = 0;
  private closed = false;
  private readonly cacheDir: string;
  private readonly retrain: boolean;
  private readonly show: { update(now: string, fraction: number): void; finished(line: string): void };

  /**
   * Use startDictSaePool. `threadsBefore`: the native threads before the workers started (the
   * addon's thread pool is one per process, and a worker sets it to 1 as it starts). Worker
   * slots come first, so a single task goes to a worker and this thread stays free.
   */
  constructor(private readonly sets: Record<string, DictSaeData>, private readonly slots: Slot[], options: DictSaePoolOptions,
    private readonly threadsBefore: NativeThreads) {
    this.cacheDir = options.cacheDir ?? defaultCacheDir();
    this.retrain = options.retrain ?? envFlag('SAE_RETRAIN', false);
    this.show = options.progress === false ? { update() {}, finished() {} } : batchProgress(options.title ?? 'dictionary SAEs, trained at once');
    for (const slot of slots) if (slot.worker) this.listen(slot);
    setNativeThreads(1);
  }

  /** Measurements trained in this pool so far, and read from the results cache. */
  get trained(): number {
    return this.done;
  }

  get cached(): number {
    return this.fromCache;
  }

  /** How many models train at once. */
  get size(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  /** Queues the task; resolves when it has been trained and measured (a bad config rejects at once). */
  measure(task: DictSaeTask): Promise<DictSaeMeasure> {
    if (this.closed) return Promise.reject(new Error('measure: the pool is closed'));
    const data = this.sets[task.data];
    if (data === undefined) {
      return Promise.reject(new Error(`measure: no data set '${task.data}' in the pool (it has ${Object.keys(this.sets).map((k) => `'${k}'`).join(', ')})`));
    }
    let entry: { file: string; description: MeasureDescription };
    try {
      entry = measureEntry(task, data, this.cacheDir); // checks the config and the training settings
    } catch (err) {
      return Promise.reject(err);
    }
    const title = task.title ?? `${task.data}: ${entry.description.config.activation} SAE`;
    const stored = this.retrain ? null : readMeasure(entry.file, entry.description);
    if (stored !== null && 'measure' in stored) {
      const m = stored.measure;
      this.fromCache += 1;
      this.show.finished(`${title}: L0 ${m.l0.toFixed(2)}, FVU ${m.fvu.toFixed(4)} (from the results cache)`);
      return Promise.resolve(m);
    }
    if (stored !== null && !stored.missing) console.warn(`${title}: cached measurement ${entry.file} is unusable (${stored.why}); training again`);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, title, resolve, reject, file: entry.file, description: entry.description,
        fraction: 0, epoch: 1, epochs: validateTrainConfig(task.train ?? {}).epochs });
      this.pump();
    });
  }

  /**
   * Stops the workers and gives the native threads back. A task still queued or training is
   * rejected (and not stored); this thread's training of one stops at its next batch first.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.queue) p.reject(new Error(`${p.title}: the pool was closed before it ran`));
    this.queue = [];
    for (const s of this.slots) {
      if (s.busy === null) continue;
      s.busy.cancelled = true;
      if (s.worker) {
        s.busy.reject(new Error(`${s.busy.title}: the pool was closed while it trained`));
        s.busy = null;
      }
    }
    await Promise.all(this.slots.map((s) => s.running));
    await Promise.all(this.slots.map((s) => s.worker?.terminate().then(() => undefined, () => undefined)));
    for (const s of this.slots) s.alive = false;
    setNativeThreads(this.threadsBefore.threads, this.threadsBefore.openblas);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (!slot.alive || slot.busy) continue;
      const job = this.queue.shift()!;
      slot.busy = job;
      if (slot.worker) {
        slot.worker.postMessage({ id: job.id, task: job.task });
      } else {
        const report: ProgressReporter = {
          batch: (p) => {
            if (job.cancelled) throw new Error('the pool was closed while it trained');
            this.progress(job, p.epoch, p.epochs, p.batch, p.batches);
          },
          epoch() {},
        };
        slot.running = runDictSaeTask(job.task, this.sets[job.task.data], report).then((r) => this.finish(slot, r), (e: Error) => this.fail(slot, e));
      }
    }
  }

  private progress(job: Pending, epoch: number, epochs: number, batch: number, batches: number): void {
    Object.assign(job, { epoch, epochs, fraction: (epoch - 1 + batch / batches) / epochs });
    const running = this.slots.filter((s) => s.busy).map((s) => s.busy!);
    const total = this.done + running.length + this.queue.length;
    const fraction = (this.done + running.reduce((a, p) => a + p.fraction, 0)) / total;
    this.show.update(`${this.done}/${total} trained, ${this.size} at a time; now ` +
      running.map((p) => `${p.title} (epoch ${p.epoch}/${p.epochs})`).join(', '), fraction);
  }

  private finish(slot: Slot, r: DictSaeMeasure): void {
    const job = slot.busy!;
    slot.busy = null;
    if (job.cancelled) return job.reject(new Error(`${job.title}: the pool was closed while it trained`));
    this.done += 1;
    let note = '';
    try {
      writeMeasure(job.file, job.description, r);
    } catch (err) {
      note = `; not stored: ${(err as Error).message}`;
    }
    this.show.finished(`${job.title}: L0 ${r.l0.toFixed(2)}, FVU ${r.fvu.toFixed(4)} (${r.seconds.toFixed(1)} s${note})`);
    job.resolve(r);
    this.pump();
  }

  private fail(slot: Slot, err: Error): void {
    const job = slot.busy!;
    slot.busy = null;
    job.reject(new Error(`${job.title}: ${err.message}`));
    this.pump();
  }

  private listen(slot: Slot): void {
    const w = slot.worker!;
    // A worker that stops hands its model back to the queue (this thread trains it), never loses it.
    const stop = (why: string) => {
      if (!slot.alive) return;
      slot.alive = false;
      const job = slot.busy;
      slot.busy = null;
      if (job && this.closed) job.reject(new Error(`${job.title}: the pool was closed while it trained`));
      else if (job) {
        console.warn(`${job.title}: the worker stopped (${why}); this thread trains it`);
        this.queue.unshift(job);
        this.pump();
      }
    };
    w.on('message', (m: PoolMessage) => {
      if (m.type === 'batch' && slot.busy?.id === m.id) this.progress(slot.busy, m.epoch, m.epochs, m.batch, m.batches);
      else if (m.type === 'done' && slot.busy?.id === m.id) this.finish(slot, m.result);
      else if (m.type === 'error' && slot.busy?.id === m.id) this.fail(slot, new Error(m.message));
    });
    w.on('error', (err) => stop(err.message));
    w.on('exit', (code) => stop(`exit code ${code}`));
  }
}

/**
 * A pool over `sets` with this thread and `workers - 1` worker threads (default: one per core).
 * A worker that does not start is left out with a warning: this thread then trains its share.
 */
export async function startDictSaePool(sets: Record<string, DictSaeData>, options: DictSaePoolOptions = {}): Promise<DictSaePool> {
  const threadsBefore = nativeThreads();
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const count = options.workers ?? cores;
  if (!(Number.isInteger(count) && count >= 1)) {
    throw new Error(`DictSaePoolOptions.workers = ${String(count)} is invalid: expected an integer >= 1 (models trained at once)`);
  }
  const slots: Slot[] = [];
  if (count > 1) {
    const shared = Object.fromEntries(Object.entries(sets).map(([k, d]) => [k, { train: sharedSetup(d.train), test: sharedSetup(d.test) }]));
    const env: NodeJS.ProcessEnv = { ...process.env, SAE_BLAS_THREADS: '1', SAE_BACKEND: tf.getBackend() };
    if (!nativeEnabled()) env.SAE_NATIVE = '0';
    if (!fusionWanted()) env.SAE_FUSED = '0';
    const started = await Promise.all(Array.from({ length: count - 1 }, () => readyWorker(shared, env).then(
      (worker) => worker,
      (err: Error) => {
        console.warn(`${options.title ?? 'dictionary SAEs'}: a worker did not start (${err.message}); this thread trains its share`);
        return null;
      })));
    // a worker that stopped after it was ready (while another started) is left out
    for (const worker of started) if (worker && !exited.has(worker)) slots.push({ worker, busy: null, alive: true });
  }
  slots.push({ worker: null, busy: null, alive: true });
  return new DictSaePool(sets, slots, options, threadsBefore);
}

const exited = new WeakSet<Worker>();

function readyWorker(shared: Record<string, { train: SharedDataset; test: SharedDataset }>, env: NodeJS.ProcessEnv): Promise<Worker> {
  let w: Worker;
  try {
    w = startWorker(path.join(__dirname, 'dictsae-worker'), shared, env); // throws where tsx (a dev dependency) is missing
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const first = (m: PoolMessage) => {
      w.off('message', first);
      if (m.type === 'ready') resolve(w);
      else {
        reject(new Error(m.type === 'error' ? m.message : `unexpected message '${m.type}'`));
        void w.terminate();
      }
    };
    w.on('message', first);
    w.once('error', (err) => reject(err));
    w.once('exit', (code) => {
      exited.add(w);
      reject(new Error(`the worker exited with code ${code}`));
    });
  });
}
