/**
 * The queue of `pretrain` (store/pretrain.ts): jobs, longest first, served by this thread and
 * worker threads (store/pretrain-runners.ts). A worker that dies under a job hands it back: the
 * job goes to the front of the queue and a fresh worker takes the dead one's place, up to
 * MAX_TRIES tries per job; then the job fails with an error naming it. A model's own error (a
 * wrong input size) is not tried again.
 */
import { Dataset } from '../data/mnist';
import { makeConfig } from '../core/config';
import { validateTrainConfig } from '../core/train';
import { nativeEnabled, nativeThreads, setNativeThreads } from '../runtime/native';
import { fusionWanted } from '../runtime/fused';
import * as tf from '../runtime/tf';
import type { TrainSpec } from './cache';
import type { WorkerJob } from './pretrain-worker';
import { JobResult, Runner, batchProgress, localRunner, sharedSetup, starters } from './pretrain-runners';

/** Tries of one job on workers that die under it, before it fails. */
export const MAX_TRIES = 3;

/** How one job ended: trained (stored or not), or failed. */
export type JobOutcome = { ok: true; result: JobResult; inWorker: boolean } | { ok: false; error: string };

/** Multiply-adds of one training step per image, roughly: what orders the queue (longest first). */
export function cost(spec: TrainSpec, data: Dataset): number {
  const m = makeConfig(spec.model);
  const dense = m.decoder === 'linear' ? m.latentDim * m.inputDim : m.latentDim * m.hiddenDim + m.hiddenDim * m.inputDim;
  return (m.inputDim * m.hiddenDim + m.hiddenDim * m.latentDim + dense) * validateTrainConfig(spec.train ?? {}).epochs * data.count;
}

const notStored = (r: JobResult) => (r.stored ? '' : ` (not stored: ${r.storeError ?? 'the cache is not writable'})`);

/**
 * Runs `jobs` on this thread (unless `thisThread` is false) and worker threads, `count` at a time,
 * longest first; resolves to each job's outcome by id. The native kernels' pool (one per process)
 * runs one thread while several models train, and all of them again for the last one.
 */
export async function trainInWorkers(jobs: WorkerJob[], data: Dataset, count: number,
  { title, thisThread, progress }: { title: string; thisThread: boolean; progress: boolean }): Promise<Map<number, JobOutcome>> {
  const setup = sharedSetup(data);
  const env: NodeJS.ProcessEnv = { ...process.env, SAE_BLAS_THREADS: '1', SAE_BACKEND: tf.getBackend() };
  if (!nativeEnabled()) env.SAE_NATIVE = '0';
  if (!fusionWanted()) env.SAE_FUSED = '0';
  const queue = jobs.slice().sort((a, b) => cost(b.spec, data) - cost(a.spec, data));
  const total = jobs.reduce((s, j) => s + cost(j.spec, data), 0);
  const done = new Map<number, { fraction: number; epoch: number; epochs: number }>();
  const outcomes = new Map<number, JobOutcome>();
  const tries = new Map<number, number>();
  const show = progress ? batchProgress(title) : { update() {}, finished() {} };
  const threadsBefore = nativeThreads();
  const startAt = Date.now();
  // fresh workers in all: one per job death at most, so a worker that keeps dying while idle stops too
  let startsLeft = count + jobs.length * MAX_TRIES;
  let active = count;
  const render = () => {
    let sum = 0;
    const now: string[] = [];
    for (const [id, d] of done) {
      sum += cost(jobs[id].spec, data) * d.fraction;
      if (d.fraction < 1) now.push(`${jobs[id].title} (epoch ${d.epoch}/${d.epochs})`);
    }
    show.update(`${outcomes.size}/${jobs.length} trained, ${active} at a time; now ${now.join(', ')}; ` +
      `${((Date.now() - startAt) / 1000).toFixed(0)} s`, sum / total);
  };
  /** A job whose worker died under it: back to the front of the queue, or failed after MAX_TRIES. */
  const workerDied = (job: WorkerJob, why: string) => {
    const tried = tries.get(job.id) ?? 1;
    if (tried >= MAX_TRIES) {
      outcomes.set(job.id, { ok: false, error: `its worker stopped ${tried} times (last: ${why})` });
      return;
    }
    tries.set(job.id, tried + 1);
    console.warn(`${job.title}: its worker stopped (${why}); training it again on a fresh worker (try ${tried + 1} of ${MAX_TRIES})`);
    done.delete(job.id);
    queue.unshift(job);
  };
  const serve = async (runner: Runner, inWorker: boolean) => {
    while (runner.alive && queue.length > 0) {
      const job = queue.shift()!;
      const state = { fraction: 0, epoch: 1, epochs: validateTrainConfig(job.spec.train ?? {}).epochs };
      done.set(job.id, state);
      try {
        const r = await runner.run(job, (epoch, epochs, batch, batches) => {
          Object.assign(state, { epoch, epochs, fraction: (epoch - 1 + batch / batches) / epochs });
          render();
        });
        outcomes.set(job.id, { ok: true, result: r, inWorker });
        show.finished(`${job.title}: trained in ${r.seconds.toFixed(1)} s, final loss ${r.total.toFixed(6)}${notStored(r)}`);
      } catch (err) {
        if (inWorker && !runner.alive) workerDied(job, (err as Error).message);
        else outcomes.set(job.id, { ok: false, error: (err as Error).message });
      }
      const outcome = outcomes.get(job.id);
      if (outcome?.ok === false) show.finished(`${job.title}: failed (${outcome.error})`);
      state.fraction = 1;
    }
  };
  const retire = () => {
    active -= 1;
    if (active === 1) setNativeThreads(threadsBefore.threads, threadsBefore.openblas);
  };
  /** One worker's place: a fresh worker after each one that dies, while jobs are left. */
  const workerPlace = async () => {
    while (queue.length > 0 && startsLeft > 0) {
      startsLeft -= 1;
      let runner: Runner;
      try {
        runner = await starters.worker(setup, env);
      } catch (err) {
        console.warn(`${title}: a worker did not start (${(err as Error).message}); the others train its share`);
        break;
      }
      await serve(runner, true);
      const died = !runner.alive;
      await runner.close();
      if (!died) break;
    }
    retire();
  };
  setNativeThreads(1);
  try {
    const here = thisThread ? [serve(localRunner(data), false).then(retire)] : [];
    await Promise.all([...here, ...Array.from({ length: thisThread ? count - 1 : count }, workerPlace)]);
    if (queue.length > 0) {
      console.warn(`${title}: no worker is left; this thread trains the ${queue.length} models still queued`);
      await serve(localRunner(data), false);
    }
  } finally {
    setNativeThreads(threadsBefore.threads, threadsBefore.openblas);
  }
  return outcomes;
}
