/**
 * The one worker thread of a training pool (store/pool.ts), for every kind of job
 * (store/jobs.ts): its own TensorFlow.js backend (SAE_BACKEND, SAE_ENGINE, SAE_NATIVE and
 * SAE_BLAS_THREADS=1 from the pool), the pool's data sets as views of the main thread's
 * SharedArrayBuffers (no copy), and one job at a time, trained and stored exactly as the main
 * thread would. Messages to the main thread: ready, batch (throttled), done, error.
 */
import { parentPort, workerData } from 'worker_threads';
import { initBackend } from '../runtime/backend';
import { throttledProgress } from '../runtime/progress';
import { numericsName } from './cache-key';
import { Job, runJob } from './jobs';
import { SharedDataset, WorkerMessage, datasetOf } from './pool-runners';

const port = parentPort!;
const shared = workerData as Record<string, SharedDataset>;
const sets = Object.fromEntries(Object.entries(shared).map(([name, s]) => [name, datasetOf(s)]));
const post = (m: WorkerMessage) => port.postMessage(m);

const say = (err: unknown) => (err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err));

initBackend({ log: false }).then(() => {
  port.on('message', (job: Job) => {
    const progress = throttledProgress((p) => post({ type: 'batch', id: job.id, epoch: p.epoch, epochs: p.epochs, batch: p.batch, batches: p.batches }));
    runJob(job, sets, progress).then(
      (result) => post({ type: 'done', id: job.id, result }),
      (err) => post({ type: 'error', id: job.id, message: say(err) }));
  });
  post({ type: 'ready', numerics: numericsName() });
}, (err) => post({ type: 'error', id: -1, message: `the worker's backend did not start: ${say(err)}` }));
