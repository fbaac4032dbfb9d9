/**
 * What `pretrain` (store/pretrain.ts) trains with: this thread or a worker thread as a "runner"
 * that takes one job at a time, the shared copy of the training images the workers read, and the
 * one progress line of the whole batch.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { Dataset } from '../data/mnist';
import { BatchProgress, escapeHtml, tslabDisplay } from '../runtime/progress';
import { datasetHash, markFresh, trainCached } from './cache';
import type { WorkerJob, WorkerMessage, WorkerSetup } from './pretrain-worker';

/** One line of progress for the whole batch: a notebook display, a terminal bar, or plain lines in a log. */
export function batchProgress(title: string) {
  const display = tslabDisplay();
  const tty = display === null && Boolean(process.stderr.isTTY);
  const done: string[] = [];
  let last = 0;
  const render = (now: string, fraction: number) => {
    if (display !== null) {
      const lines = done.map((l) => `<div>${escapeHtml(l)}</div>`).join('');
      const bar = now ? `<div><progress value="${fraction.toFixed(4)}" max="1" style="width:16em"></progress> ${escapeHtml(now)}</div>` : '';
      try {
        display.html(`<div style="font-family:monospace"><b>${escapeHtml(title)}</b>${lines}${bar}</div>`);
      } catch {
        // a display must never stop training
      }
    } else if (tty && now) {
      const full = Math.round(fraction * 30);
      process.stderr.write(`\r[${'#'.repeat(full)}${'.'.repeat(30 - full)}] ${now}\x1b[K`);
    }
  };
  return {
    update(now: string, fraction: number) {
      const t = Date.now();
      if (t - last < 250) return;
      last = t;
      render(now, fraction);
    },
    finished(line: string) {
      done.push(line);
      if (display === null) process.stderr.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
      render('', 1);
    },
  };
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

/** Copies `data` once into shared memory, for the workers to read in place. */
export function sharedSetup(data: Dataset): WorkerSetup {
  const images = new SharedArrayBuffer(data.images.byteLength);
  new Float32Array(images).set(data.images);
  const labels = new SharedArrayBuffer(data.labels.byteLength);
  new Uint8Array(labels).set(data.labels);
  return { images, labels, count: data.count, rows: data.rows, cols: data.cols, dim: data.dim, source: data.source, sha256: datasetHash(data) };
}

/** What one finished job reports; `storeError` says why it was not stored. */
export interface JobResult { stored: boolean; storeError?: string; seconds: number; total: number }
export type BatchUpdate = (epoch: number, epochs: number, batch: number, batches: number) => void;

/** Something that trains jobs one at a time: this thread, or a worker. */
export interface Runner {
  run(job: WorkerJob, onBatch: BatchUpdate): Promise<JobResult>;
  /** false once it can take no more jobs (its worker stopped) */
  alive: boolean;
  close(): Promise<void>;
}

/** This thread as a runner (so a sweep on two cores starts one worker, not two). */
export function localRunner(data: Dataset): Runner {
  return {
    alive: true,
    async run(job, onBatch) {
      const progress = { batch: (p: BatchProgress) => onBatch(p.epoch, p.epochs, p.batch, p.batches), epoch() {} };
      markFresh(path.join(job.cacheDir, job.key), false); // train it, even if an earlier pretrain did
      const run = await trainCached(job.spec, data, { cacheDir: job.cacheDir, retrain: true, log: false, title: job.title, progress });
      run.model.dispose();
      return { stored: run.stored, storeError: run.storeError, seconds: run.history.reduce((s, r) => s + r.seconds, 0), total: run.history[run.history.length - 1]?.total ?? NaN };
    },
    async close() {},
  };
}

/** A worker thread as a runner; resolves once its backend has started (or rejects, saying why). */
export function workerRunner(setup: WorkerSetup, env: NodeJS.ProcessEnv): Promise<Runner> {
  let w: Worker;
  try {
    w = startWorker(path.join(__dirname, 'pretrain-worker'), setup, env); // throws where tsx (a dev dependency) is missing
  } catch (err) {
    return Promise.reject(err);
  }
  let pending: { resolve(r: JobResult): void; reject(e: Error): void; onBatch: BatchUpdate } | null = null;
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
      if (m.type === 'epoch') return;
      if (m.type === 'done') pending?.resolve(m);
      else if (m.id < 0) return stop(m.message);
      else pending?.reject(new Error(m.message));
      pending = null;
    });
    w.on('error', (err) => stop(`the worker stopped: ${err.message}`));
    w.on('exit', (code) => stop(`the worker exited with code ${code}`));
  });
}

/**
 * How pretrain starts its worker runners. A test wraps `worker` to stop workers mid-job for real
 * (Runner.close terminates the thread) and see the job trained again on a fresh one.
 */
export const starters = { worker: workerRunner };
