/**
 * One way to train many models: a pool of runners, this thread and worker threads (one entry for
 * every kind of job: store/pool-worker.ts, the kinds in store/jobs.ts), each training one job at a
 * time, with one progress line for all. A pool kept open takes jobs as they come (notebook 14's
 * sweeps, through DictSaePool).
 *
 * Numbers: while the pool is open this thread runs the native kernels on one thread, as the
 * workers do (SAE_BLAS_THREADS=1; the addon's thread pool is one per process), and a batch gives
 * all of them back for its last model; the kernels split products for the main thread's thread
 * count whoever runs them, so every job's result is bitwise the one of training it alone.
 * A worker that dies under a job hands it back: the job goes to the front of the queue and a fresh
 * worker takes the dead one's place, up to MAX_TRIES tries per job; then the job fails with an
 * error naming it. A job's own error (a wrong input size) is not tried again. Where no worker is
 * left, this thread trains what is queued. trainMany (store/train-many.ts) runs a batch.
 */
import { Dataset } from '../data/mnist';
import { NativeThreads, nativeEnabled, nativeThreads, setNativeThreads } from '../runtime/native';
import { engineWanted } from '../runtime/engine';
import { ProgressView, batchProgress } from '../runtime/progress';
import * as tf from '../runtime/tf';
import { Job, JobOutcome, JobRequest, jobData, jobKind } from './jobs';

export type { JobOutcome, JobRequest } from './jobs';
import { Runner, SharedDataset, localRunner, sharedSetup, starters } from './pool-runners';

/** Tries of one job on workers that die under it, before it fails. */
export const MAX_TRIES = 3;

export interface PoolOptions {
  /** models trained at once, an integer >= 1 */
  workers: number;
  /** this thread is one of them (default true); false starts `workers` worker threads */
  thisThread?: boolean;
  /** the progress line's title, also in warnings */
  title: string;
  /** false: no progress line */
  progress?: boolean;
  /** every job comes at once (trainMany): the last one to train gets the native threads back */
  batch?: boolean;
}

interface Entry { job: Job; cost: number; epochs: number; resolve(o: JobOutcome): void; tries: number; fraction: number; epoch: number; cancelled: boolean; done: boolean }

interface Slot { runner: Runner | null; local: boolean; busy: Entry | null; state: 'starting' | 'ready' | 'dead'; starting?: Promise<void>; running?: Promise<void> }

const CLOSED_WHILE = 'the pool was closed while it trained';
const silent: ProgressView = { update() {}, finished() {} };

export class TrainingPool {
  private queue: Entry[] = [];
  private readonly all = new Map<number, Entry>();
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private done = 0;
  private closed = false;
  private restored = false;
  private readonly shared: Record<string, SharedDataset> = {};
  private readonly env: NodeJS.ProcessEnv = {};
  private readonly show: ProgressView;
  private readonly threadsBefore: NativeThreads = nativeThreads();
  private readonly startAt = Date.now();

  /** Starts the workers (worker places first, so a single job goes to a worker and this thread stays free). */
  constructor(private readonly sets: Record<string, Dataset>, private readonly options: PoolOptions) {
    const { workers } = options;
    if (!(Number.isInteger(workers) && workers >= 1)) throw new Error(`workers = ${String(workers)} is invalid: expected an integer >= 1`);
    const thisThread = options.thisThread ?? true;
    const threads = thisThread ? workers - 1 : workers;
    this.show = options.progress === false ? silent : batchProgress(options.title);
    if (threads > 0) {
      for (const [name, d] of Object.entries(sets)) this.shared[name] = sharedSetup(d);
      Object.assign(this.env, process.env, { SAE_BLAS_THREADS: '1', SAE_BACKEND: tf.getBackend(), SAE_ENGINE: engineWanted() });
      if (!nativeEnabled()) this.env.SAE_NATIVE = '0';
    }
    if (!options.batch || workers > 1) setNativeThreads(1);
    for (let i = 0; i < threads; i++) {
      const slot: Slot = { runner: null, local: false, busy: null, state: 'starting' };
      this.slots.push(slot);
      this.start(slot);
    }
    if (thisThread) this.addLocal();
  }

  /** Runners that train or can train (workers starting included). */
  get size(): number {
    return this.slots.filter((s) => s.state !== 'dead').length;
  }

  /** Resolves once every worker started so far is ready or left out (with a warning). */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.starting));
  }

  /** Queues the jobs (in this order); each promise resolves to its job's outcome, never rejects. */
  submitMany(requests: JobRequest[]): Promise<JobOutcome>[] {
    const promises = requests.map((req) => new Promise<JobOutcome>((resolve) => {
      if (this.closed) return resolve({ ok: false, error: 'the pool is closed' });
      try {
        const kind = jobKind(req.kind);
        const data = jobData(req, this.sets);
        const [cost, epochs] = [kind.cost(req.spec, data), kind.epochs(req.spec)];
        const entry: Entry = { job: { ...req, id: this.nextId++ }, cost, epochs, resolve, tries: 1, fraction: 0, epoch: 1, cancelled: false, done: false };
        this.all.set(entry.job.id, entry);
        this.queue.push(entry);
      } catch (err) {
        resolve({ ok: false, error: (err as Error).message });
      }
    }));
    this.pump();
    return promises;
  }

  submit = (request: JobRequest): Promise<JobOutcome> => this.submitMany([request])[0];

  /** A line for the progress display (a result read from the cache). */
  note(line: string): void {
    this.show.finished(line);
  }

  /**
   * Stops the workers and gives the native threads back. A job still queued or training fails
   * (and is not stored); this thread's training of one stops at its next batch first.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const e of this.queue) this.settle(e, { ok: false, error: 'the pool was closed before it ran' });
    this.queue = [];
    for (const s of this.slots) {
      if (s.busy === null) continue;
      s.busy.cancelled = true;
      if (!s.local) this.settle(s.busy, { ok: false, error: CLOSED_WHILE });
    }
    await this.ready();
    await Promise.all(this.slots.map((s) => s.runner?.close()));
    await Promise.all(this.slots.map((s) => s.running));
    for (const s of this.slots) s.state = 'dead';
    setNativeThreads(this.threadsBefore.threads, this.threadsBefore.openblas);
  }

  private addLocal(): void {
    this.slots.push({ runner: localRunner(this.sets, (job) => this.all.get(job.id)?.cancelled ?? false), local: true, busy: null, state: 'ready' });
  }

  /** A fresh worker in `slot`; one that does not start is left out with a warning. */
  private start(slot: Slot): void {
    Object.assign(slot, { state: 'starting', runner: null });
    slot.starting = starters.worker(this.shared, this.env).then((runner) => {
      if (this.closed) {
        slot.state = 'dead';
        return runner.close();
      }
      Object.assign(slot, { runner, state: 'ready' });
      this.pump();
    }, (err: Error) => {
      slot.state = 'dead';
      if (this.closed) return;
      console.warn(`${this.options.title}: a worker did not start (${err.message}); the others train its share`);
      this.whenNoWorkerLeft();
    });
  }

  private whenNoWorkerLeft(): void {
    if (this.slots.some((s) => s.state !== 'dead')) return;
    if (this.queue.length > 0) console.warn(`${this.options.title}: no worker is left; this thread trains the ${this.queue.length} models still queued`);
    this.addLocal();
    this.pump();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.closed || this.queue.length === 0) break;
      if (slot.state === 'ready' && slot.busy === null) this.runOn(slot, this.queue.shift()!);
    }
    this.balanceThreads();
  }

  /** A batch's last model (nothing queued, one training) trains on the native threads there were. */
  private balanceThreads(): void {
    if (!this.options.batch || this.restored || this.closed) return;
    if (this.queue.length > 0 || this.slots.filter((s) => s.busy).length > 1) return;
    this.restored = true;
    setNativeThreads(this.threadsBefore.threads, this.threadsBefore.openblas);
  }

  private runOn(slot: Slot, entry: Entry): void {
    const runner = slot.runner!;
    slot.busy = entry;
    Object.assign(entry, { fraction: 0, epoch: 1 });
    slot.running = runner.run(entry.job, (epoch, epochs, batch, batches) => {
      Object.assign(entry, { epoch, epochs, fraction: (epoch - 1 + batch / batches) / epochs });
      this.render();
    }).then(
      (result) => this.finish(slot, entry, { ok: true, result, inWorker: !slot.local }),
      (err: Error) => (slot.local || runner.alive ? this.finish(slot, entry, { ok: false, error: err.message }) : this.died(slot, entry, err.message)));
  }

  private finish(slot: Slot, entry: Entry, outcome: JobOutcome): void {
    if (slot.busy === entry) slot.busy = null;
    this.settle(entry, entry.cancelled ? { ok: false, error: CLOSED_WHILE } : outcome);
    this.pump();
  }

  /** Resolves the job's promise once; the progress display keeps its line. */
  private settle(entry: Entry, outcome: JobOutcome): void {
    if (entry.done) return;
    Object.assign(entry, { done: true, fraction: 1 });
    if (!this.closed) {
      this.done += 1;
      const title = entry.job.title;
      this.show.finished(outcome.ok ? jobKind(entry.job.kind).line(outcome.result, title) : `${title}: failed (${outcome.error})`);
    }
    entry.resolve(outcome);
  }

  /** The worker under `entry` stopped: the job goes back to the front of the queue (or fails after MAX_TRIES). */
  private died(slot: Slot, entry: Entry, why: string): void {
    slot.busy = null;
    slot.state = 'dead';
    void slot.runner?.close();
    if (this.closed) return this.settle(entry, { ok: false, error: CLOSED_WHILE });
    if (entry.tries >= MAX_TRIES) {
      this.settle(entry, { ok: false, error: `its worker stopped ${entry.tries} times (last: ${why})` });
    } else {
      entry.tries += 1;
      console.warn(`${entry.job.title}: its worker stopped (${why}); training it again on a fresh worker (try ${entry.tries} of ${MAX_TRIES})`);
      entry.fraction = 0;
      this.queue.unshift(entry);
    }
    if (!this.options.batch || this.queue.length > 0) this.start(slot);
    else this.whenNoWorkerLeft();
    this.pump();
  }

  private render(): void {
    let total = 0;
    let sum = 0;
    for (const e of this.all.values()) {
      total += e.cost;
      sum += e.cost * (e.done ? 1 : e.fraction);
    }
    const now = this.slots.filter((s) => s.busy).map((s) => `${s.busy!.job.title} (epoch ${s.busy!.epoch}/${s.busy!.epochs})`);
    this.show.update(`${this.done}/${this.all.size} trained, ${this.size} at a time; now ${now.join(', ')}; ` +
      `${((Date.now() - this.startAt) / 1000).toFixed(0)} s`, total > 0 ? sum / total : 0);
  }
}
