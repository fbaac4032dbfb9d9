/**
 * `npm run bench`: one training epoch of the lesson's KL model (784-256-128-256-784, batch 128,
 * Adam) on real MNIST, on the kit's default backend and on every other backend that loads, and
 * the lesson's own PyTorch code on the same data (bench/pytorch_epoch.py). Prints a table, then
 * as its last line one JSON object:
 *   {"backend", "epoch_s", "pytorch_epoch_s", "ratio", ...}
 * Exits non-zero when PyTorch is missing (apt-get install -y python3-torch libopenblas0-pthread).
 *
 * Both the kit's backend and PyTorch train two timed epochs after a warm-up; the faster counts.
 * Options: --steps N  time only N steps of the non-default backends and scale to an epoch
 * (default 60; the slow cpu backend would take minutes for a full epoch).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { initBackend, tf } from '../src/runtime/backend';
import { loadMnist, batches, MNIST_DIR, Dataset } from '../src/data/mnist';
import { createModel } from '../src/core/sae';
import { createOptimizer, trainEpoch } from '../src/core/train';

const PYTHON = process.env.SAE_PYTHON ?? '/usr/bin/python3';
/** Floating-point operations of the matrix products in one step: per layer x W, dz W^T and x^T dz. */
function stepFlop(batch: number): number {
  const layers: [number, number][] = [[784, 256], [256, 128], [128, 256], [256, 784]];
  // forward x W, backward dz W^T and x^T dz, per layer
  return layers.reduce((s, [i, o]) => s + 3 * 2 * batch * i * o, 0);
}

interface Row {
  backend: string;
  epoch_s: number;
  samples_per_s: number;
  gflop_s: number;
  peak_rss_mb: number;
  measured: string;
}

async function benchBackend(name: string, data: Dataset, steps: number | null): Promise<Row> {
  const model = createModel({ sparsity: 'kl', latentDim: 128, sparsityWeight: 0.01, rho: 0.05 }, 42);
  const optimizer = createOptimizer(1e-3);
  const warm = { ...data, count: 128 * 5 };
  await trainEpoch(model, warm, optimizer, { batchSize: 128, seed: 1 });
  const subset = steps === null ? data : { ...data, count: Math.min(data.count, 128 * steps) };
  let peak = process.memoryUsage().rss;
  const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
  // The full-epoch backend gets two timed epochs and reports the faster, as the PyTorch script does.
  let seconds = Infinity;
  for (let r = 0; r < (steps === null ? 2 : 1); r++) {
    const t0 = performance.now();
    await trainEpoch(model, subset, optimizer, { batchSize: 128, seed: 2 + r, progress: { batch: sample, epoch() {} } });
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  const scale = data.count / subset.count;
  const epoch = seconds * scale;
  optimizer.dispose();
  model.dispose();
  const nSteps = Math.ceil(data.count / 128);
  return {
    backend: name,
    epoch_s: epoch,
    samples_per_s: data.count / epoch,
    gflop_s: (stepFlop(128) * nSteps) / epoch / 1e9,
    peak_rss_mb: peak / 2 ** 20,
    measured: steps === null ? 'best of 2 epochs' : `${Math.ceil(subset.count / 128)} steps, scaled`,
  };
}

/** Time spent only making batches and tensors: the loop's own overhead. */
function batchingSeconds(data: Dataset): number {
  const t0 = performance.now();
  for (const b of batches(data, { batchSize: 128, seed: 3 })) tf.tidy(() => tf.tensor2d(b.images, [b.size, data.dim]));
  return (performance.now() - t0) / 1000;
}

function pytorch(): { epoch_s: number; threads: number } | string {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return `PyTorch not importable by ${PYTHON}: apt-get install -y python3-torch libopenblas0-pthread`;
  const script = path.join(__dirname, 'pytorch_epoch.py');
  let best: { epoch_s: number; threads: number } | null = null;
  // One thread is best on a 2-core machine (two oversubscribe); try both and keep the faster.
  for (const threads of [1, 2]) {
    const r = spawnSync(PYTHON, [script, MNIST_DIR, '--threads', String(threads)], {
      encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) },
    });
    if (r.status !== 0) return `PyTorch reference failed: ${r.stderr.trim().split('\n').pop()}`;
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    console.log(`pytorch, ${threads} thread(s): ${out.epoch_s.toFixed(2)} s/epoch`);
    if (best === null || out.epoch_s < best.epoch_s) best = { epoch_s: out.epoch_s, threads };
  }
  return best!;
}

async function main(): Promise<void> {
  const stepsArg = process.argv.indexOf('--steps');
  const steps = stepsArg > 0 ? Number(process.argv[stepsArg + 1]) : 60;
  const info = await initBackend();
  const data = loadMnist({ split: 'train' });
  const batching = batchingSeconds(data);
  const rows: Row[] = [];
  const others = ['tensorflow', 'wasm', 'cpu'].filter((b) => b !== info.name && tf.findBackend(b) !== null);
  rows.push(await benchBackend(info.name, data, null));
  for (const b of others) {
    if (!(await tf.setBackend(b).catch(() => false))) continue;
    rows.push(await benchBackend(b, data, steps));
  }
  await tf.setBackend(info.name);
  const torch = pytorch();
  console.log('\nbackend       s/epoch   samples/s   GFLOP/s   peak RSS MB   measured');
  for (const r of rows) {
    console.log(`${r.backend.padEnd(12)} ${r.epoch_s.toFixed(2).padStart(8)} ${r.samples_per_s.toFixed(0).padStart(11)} ` +
      `${r.gflop_s.toFixed(1).padStart(9)} ${r.peak_rss_mb.toFixed(0).padStart(13)}   ${r.measured}`);
  }
  if (typeof torch !== 'string') {
    console.log(`${'pytorch'.padEnd(12)} ${torch.epoch_s.toFixed(2).padStart(8)} ${(60000 / torch.epoch_s).toFixed(0).padStart(11)} ` +
      `${((stepFlop(128) * 469) / torch.epoch_s / 1e9).toFixed(1).padStart(9)} ${''.padStart(13)}   best of 2 epochs, ${torch.threads} thread(s)`);
  }
  const main = rows[0];
  console.log(`\nloop overhead: making batches and input tensors takes ${batching.toFixed(2)} s per epoch ` +
    `(${((100 * batching) / main.epoch_s).toFixed(1)}% of the ${main.backend} epoch)`);
  const result = {
    backend: main.backend,
    epoch_s: Number(main.epoch_s.toFixed(3)),
    pytorch_epoch_s: typeof torch === 'string' ? null : torch.epoch_s,
    ratio: typeof torch === 'string' ? null : Number((main.epoch_s / torch.epoch_s).toFixed(3)),
    peak_rss_mb: Number(main.peak_rss_mb.toFixed(0)),
    batching_s: Number(batching.toFixed(3)),
  };
  if (typeof torch === 'string') console.error(torch);
  console.log(JSON.stringify(result));
  process.exit(typeof torch === 'string' ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
