/**
 * One worker thread of a DictSaePool (interp/dictsae-pool.ts): its own TensorFlow.js backend,
 * the data sets as views of the main thread's SharedArrayBuffers, and one task at a time:
 * train, measure on the test set, post the numbers. Messages: ready, batch (throttled), done, error.
 */
import { parentPort, workerData } from 'worker_threads';
import { initBackend } from '../runtime/backend';
import { ProgressReporter, throttledProgress } from '../runtime/progress';
import { DictSaeData, DictSaeTask, PoolMessage, SharedDataset, datasetOf, runDictSaeTask } from './dictsae-pool';

const port = parentPort!;
const shared = workerData as Record<string, { train: SharedDataset; test: SharedDataset }>;
const sets: Record<string, DictSaeData> = Object.fromEntries(
  Object.entries(shared).map(([k, s]) => [k, { train: datasetOf(s.train), test: datasetOf(s.test) }]));
const post = (m: PoolMessage) => port.postMessage(m);

function reporter(id: number): ProgressReporter {
  return throttledProgress((p) => post({ type: 'batch', id, epoch: p.epoch, epochs: p.epochs, batch: p.batch, batches: p.batches }));
}

const say = (err: unknown) => (err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err));

initBackend({ log: false }).then(() => {
  port.on('message', ({ id, task }: { id: number; task: DictSaeTask }) => {
    runDictSaeTask(task, sets[task.data], reporter(id)).then(
      (result) => post({ type: 'done', id, result }),
      (err) => post({ type: 'error', id, message: say(err) }));
  });
  post({ type: 'ready' });
}, (err) => post({ type: 'error', id: -1, message: `the worker's backend did not start: ${say(err)}` }));
