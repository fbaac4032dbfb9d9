/**
 * What a training pool (store/pool.ts) trains with: this thread or a worker thread (the one entry,
 * store/pool-worker.ts) as a "runner" that takes one job at a time, and the pool's data sets copied
 * once into SharedArrayBuffers that the workers read in place.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { Dataset } from '../data/mnist';
import { ProgressReporter } from '../runtime/progress';
import { datasetHash, rememberDatasetHash } from './cache-key';
import { Job, runJob } from './jobs';

/** A data set as SharedArrayBuffers, with its hash (so no worker hashes it again). */
export interface SharedDataset {
  images: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  count: number;
  rows: number;
  cols: number;
  dim: number;
  source: string;
  sha256: string;
}

export type WorkerMessage =
  | { type: 'ready'; numerics: string }
  | { type: 'batch'; id: number; epoch: number; epochs: number; batch: number; batches: number }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'error'; id: number; message: string };

/** Copies `data` once into shared memory, for the workers to read in place. */
export function sharedSetup(data: Dataset): SharedDataset {
  const images = new SharedArrayBuffer(data.images.byteLength);
  new Float32Array(images).set(data.images);
  const labels = new SharedArrayBuffer(data.labels.byteLength);
  new Uint8Array(labels).set(data.labels);
  return { images, labels, count: data.count, rows: data.rows, cols: data.cols, dim: data.dim, source: data.source, sha256: datasetHash(data) };
}

/** A worker's view of a shared data set (no copy); its hash is the main thread's. */
export function datasetOf(s: SharedDataset): Dataset {
  const { sha256, ...rest } = s;
  const data = { ...rest, images: new Float32Array(s.images), labels: new Uint8Array(s.labels) };
  rememberDatasetHash(data, sha256);
  return data;
}

/**
 * Starts a worker thread running `file` (a path without its extension: the compiled .js beside
 * this file where the kit runs compiled, else the TypeScript source through tsx).
 */
export function startWorker(file: string, workerData: unknown, env: NodeJS.ProcessEnv): Worker {
  const compiled = `${file}.js`;
  if (__filename.endsWith('.js') && fs.existsSync(compiled)) return new Worker(compiled, { workerData, env });
  const tsx = require.resolve('tsx/cjs/api');
  const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(`${file}.ts`)});`;
  return new Worker(code, { eval: true, workerData, env });
}

export type BatchUpdate = (epoch: number, epochs: number, batch: number, batches: number) => void;

/** Something that trains jobs one at a time: this thread, or a worker. */
export interface Runner {
  /** resolves to the job kind's result; rejects with the job's error, or because the worker stopped */
  run(job: Job, onBatch: BatchUpdate): Promise<unknown>;
  /** false once it can take no more jobs (its worker stopped) */
  alive: boolean;
  close(): Promise<void>;
}

/** This thread as a runner; `cancelled(job)` true stops the job's training at its next batch. */
export function localRunner(sets: Record<string, Dataset>, cancelled: (job: Job) => boolean): Runner {
  return {
    alive: true,
    run(job, onBatch) {
      const progress: ProgressReporter = {
        batch: (p) => {
          if (cancelled(job)) throw new Error('the pool was closed while it trained');
          onBatch(p.epoch, p.epochs, p.batch, p.batches);
        },
        epoch() {},
      };
      return runJob(job, sets, progress);
    },
    async close() {},
  };
}

/** A worker thread as a runner; resolves once its backend has started (or rejects, saying why). */
export function workerRunner(shared: Record<string, SharedDataset>, env: NodeJS.ProcessEnv): Promise<Runner> {
  let w: Worker;
  try {
    w = startWorker(path.join(__dirname, 'pool-worker'), shared, env); // throws where tsx (a dev dependency) is missing
  } catch (err) {
    return Promise.reject(err);
  }
  let pending: { resolve(r: unknown): void; reject(e: Error): void; onBatch: BatchUpdate } | null = null;
  let stopped = 'the worker stopped';
  return new Promise((ready, failed) => {
    const runner: Runner = {
      alive: true,
      run(job, onBatch) {
        if (!runner.alive) return Promise.reject(new Error(stopped));
        return new Promise((resolve, reject) => {
          pending = { resolve, reject, onBatch };
          w.postMessage(job);
        });
      },
      close: () => w.terminate().then(() => undefined, () => undefined),
    };
    const stop = (why: string) => {
      if (runner.alive) stopped = why;
      runner.alive = false;
      pending?.reject(new Error(why));
      pending = null;
      failed(new Error(why));
    };
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') return ready(runner);
      if (m.type === 'batch') return pending?.onBatch(m.epoch, m.epochs, m.batch, m.batches);
      if (m.type === 'done') pending?.resolve(m.result);
      else if (m.id < 0) return stop(m.message);
      else pending?.reject(new Error(m.message));
      pending = null;
    });
    w.on('error', (err) => stop(`the worker stopped: ${err.message}`));
    w.on('exit', (code) => stop(`the worker exited with code ${code}`));
  });
}

/**
 * How a pool starts its worker runners. A test wraps `worker` to stop workers mid-job for real
 * (Runner.close terminates the thread) and see the job trained again on a fresh one.
 */
export const starters = { worker: workerRunner };
