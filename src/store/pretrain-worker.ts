/**
 * One worker thread of `pretrain` (store/pretrain.ts): its own TensorFlow.js backend, the
 * training images as a view of the main thread's SharedArrayBuffer (no copy), and jobs one at a
 * time: train one spec through trainCached, which stores it in the results cache exactly as the
 * main thread would. Messages to the main thread: ready, batch (throttled), epoch, done, error.
 */
import { parentPort, workerData } from 'worker_threads';
import { initBackend } from '../runtime/backend';
import { ProgressReporter, throttledProgress } from '../runtime/progress';
import { Dataset } from '../data/mnist';
import { TrainSpec, cacheKey, numericsName, rememberDatasetHash, trainCached } from './cache';

/** What the main thread hands a worker when it starts it. */
export interface WorkerSetup {
  images: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  count: number;
  rows: number;
  cols: number;
  dim: number;
  source: string;
  sha256: string;
}

/** One job: train `spec` into `cacheDir`; `key` is the main thread's cache key, checked here. */
export interface WorkerJob { id: number; spec: TrainSpec; key: string; cacheDir: string; title: string }

export type WorkerMessage =
  | { type: 'ready'; numerics: string }
  | { type: 'batch'; id: number; epoch: number; epochs: number; batch: number; batches: number }
  | { type: 'epoch'; id: number; line: string }
  | { type: 'done'; id: number; stored: boolean; storeError?: string; seconds: number; total: number }
  | { type: 'error'; id: number; message: string };

const port = parentPort!;
const setup = workerData as WorkerSetup;
const data: Dataset = {
  images: new Float32Array(setup.images), labels: new Uint8Array(setup.labels),
  count: setup.count, rows: setup.rows, cols: setup.cols, dim: setup.dim, source: setup.source,
};
rememberDatasetHash(data, setup.sha256);
const post = (m: WorkerMessage) => port.postMessage(m);

function reporter(id: number): ProgressReporter {
  return throttledProgress((p) => post({ type: 'batch', id, epoch: p.epoch, epochs: p.epochs, batch: p.batch, batches: p.batches }),
    (line) => post({ type: 'epoch', id, line }));
}

async function run(job: WorkerJob): Promise<void> {
  const { key, description } = cacheKey(job.spec, data);
  if (key !== job.key) {
    throw new Error(`this worker computes on ${description.numerics}, which gives another cache key than the main ` +
      `thread's (${key} vs ${job.key}); train it with trainCached instead`);
  }
  const run = await trainCached(job.spec, data, { cacheDir: job.cacheDir, retrain: true, log: false, title: job.title, progress: reporter(job.id) });
  const last = run.history[run.history.length - 1];
  run.model.dispose();
  post({ type: 'done', id: job.id, stored: run.stored, storeError: run.storeError, seconds: run.history.reduce((s, r) => s + r.seconds, 0), total: last?.total ?? NaN });
}

const say = (err: unknown) => (err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err));

initBackend({ log: false }).then(() => {
  port.on('message', (job: WorkerJob) => {
    run(job).catch((err) => post({ type: 'error', id: job.id, message: say(err) }));
  });
  post({ type: 'ready', numerics: numericsName() });
}, (err) => post({ type: 'error', id: -1, message: `the worker's backend did not start: ${say(err)}` }));
