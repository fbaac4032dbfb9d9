/**
 * `npm run bench`: one training epoch of the lesson's KL model (784-256-128-256-784, batch 128,
 * Adam) on real MNIST, on the kit's default backend in each of its thread configurations, on
 * every other backend that loads, and the lesson's own PyTorch code on the same data
 * (bench/pytorch_epoch.py) as its user runs it and over torch x OpenBLAS threads (bench/pytorch.ts).
 * Prints a table, then as its last line one JSON object:
 *   {"backend", "epoch_s" (the kit's best configuration), "kit_config", "kit_configs",
 *    "pytorch_epoch_s" (PyTorch's best), "pytorch_config", "pytorch_configs", "ratio", ...}
 * Exits non-zero when PyTorch is missing (apt-get install -y python3-torch libopenblas0-pthread).
 *
 * Every configuration, the kit's and PyTorch's, is timed `--rounds` times (default 2), the
 * rounds interleaved so that a passing load touches them all alike; each reports its fastest.
 * Then Exercise 1's sweep (notebook 07: the L1 model at 5 weights, the KL model at 5, one epoch
 * each on the full training set): through the kit's sweep path (`pretrain`, all cores, in the
 * compiled kit a notebook imports: bench/kit-sweep.mjs) and in
 * the lesson's PyTorch code one after another at PyTorch's best thread configuration, again
 * interleaved `--rounds` times: "sweep_s", "pytorch_sweep_s" and "sweep_ratio" in the JSON line.
 * tfjs-node ('tensorflow', the backend a learner with internet may have) is measured where it is
 * installed, though the kit does not pick it on a CPU: "tensorflow_epoch_s" (scaled from --steps)
 * and "tensorflow_vs_kit" (its epoch over the kit's best), null where it does not load.
 * Then the dictionary SAE (issue 23): a TopK SAE (k 32, 784 -> 1024 latents, no AuxK, batch 256,
 * Adam 1e-3, decoder rows renormalised after each step) for one epoch, the kit's DictSae in each of
 * its thread configurations against the same model in PyTorch (bench/pytorch_dictsae.py) over the
 * same thread settings, warmed up, interleaved and best of `--rounds` as the lesson's line:
 * "dictsae_epoch_s", "dictsae_pytorch_epoch_s", "dictsae_ratio" (and their configs) in the JSON.
 * --steps N  time only N steps of the non-default backends and scale to an epoch (default 60).
 * --dictsae-only  time only the dictionary SAE's line (the JSON holds its fields alone).
 * --dictsae-limit N  train the dictionary SAE on the first N images only, scaled to an epoch
 *   on both sides (a quick look while developing; the default is the whole training set).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { initBackend, tf } from '../src/runtime/backend';
import { loadMnist, batches, firstImages, MNIST_DIR, Dataset } from '../src/data/mnist';
import { createModel, SparseAutoencoder } from '../src/core/sae';
import { createOptimizer, trainEpoch, Optimizer, Trainable } from '../src/core/train';
import { DictSae } from '../src/interp/dictsae';
import { nativeEnabled, nativeThreads, setNativeThreads } from '../src/runtime/native';
import { engine } from '../src/runtime/engine';
import { describeTorch, runTorch, runTorchDictSae, runTorchSweep, TORCH_CONFIGS, torchMissing, TorchConfig, TorchRun } from './pytorch';
import { variantSpec } from '../src/core/part6';
import { runSizes } from '../src/runtime/settings';
import { PretrainSpec } from '../src/store/pretrain';

/** Exercise 1's sweep as notebook 07 runs it (bench/pytorch_epoch.py's SWEEP), one epoch per model. */
const EXERCISE1 = { l1: [1e-4, 1e-3, 1e-2, 1e-1, 1], kl: [1e-3, 1e-2, 1e-1, 1, 10] } as const;
function exercise1Specs(): PretrainSpec[] {
  const sizes = runSizes({});
  return (['l1', 'kl'] as const).flatMap((kind) => EXERCISE1[kind].map((weight) => {
    const spec = variantSpec(kind, { sparsityWeight: weight }, sizes);
    return { ...spec, train: { ...spec.train, epochs: 1 }, title: `${kind.toUpperCase()}, weight ${weight}` };
  }));
}

/**
 * The sweep through the kit and in PyTorch, interleaved; best of `rounds` each. The kit's side runs
 * as a notebook's does: the compiled kit (./sae-lab.js, built first) in a node process of its own
 * (bench/kit-sweep.mjs), its workers started from compiled JavaScript, `pretrain` into a fresh cache.
 */
async function benchSweep(rounds: number, torchConfig: TorchConfig | null): Promise<{ kit: number; torch: number | null; peakRssMb: number }> {
  const root = path.join(__dirname, '..');
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-kit.mjs')], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`bench: building the compiled kit failed: ${build.stderr || build.stdout}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-bench-sweep-'));
  const specsFile = path.join(dir, 'specs.json');
  const specs = exercise1Specs();
  fs.writeFileSync(specsFile, JSON.stringify(specs));
  let kit = Infinity;
  let torch = Infinity;
  let peakRssMb = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      const run = spawnSync(process.execPath, [path.join(__dirname, 'kit-sweep.mjs'), specsFile, path.join(dir, 'cache')], { cwd: root, encoding: 'utf8' });
      const last = run.stdout.trim().split('\n').pop() ?? '';
      if (run.status !== 0 || !last.startsWith('{')) throw new Error(`bench: the kit's sweep failed (exit ${run.status}): ${run.stderr || run.stdout}`);
      const out = JSON.parse(last) as { seconds: number; workers: number; peak_rss_mb: number };
      kit = Math.min(kit, out.seconds);
      peakRssMb = Math.max(peakRssMb, out.peak_rss_mb);
      console.log(`round ${r + 1}: kit sweep (compiled kit, ${out.workers} at a time): ${out.seconds.toFixed(2)} s for ${specs.length} models`);
      if (torchConfig === null) continue;
      const t = runTorchSweep(torchConfig, MNIST_DIR);
      torch = Math.min(torch, t.sweep_s);
      console.log(`round ${r + 1}: pytorch sweep (${torchConfig.name}): ${t.sweep_s.toFixed(2)} s`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { kit, torch: torchConfig === null ? null : torch, peakRssMb };
}

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

let peakRss = process.memoryUsage().rss;
const sampleRss = () => { peakRss = Math.max(peakRss, process.memoryUsage().rss); };

function row(name: string, epoch: number, measured: string, data: Dataset): Row {
  const steps = Math.ceil(data.count / 128);
  return {
    backend: name, epoch_s: epoch, samples_per_s: data.count / epoch, gflop_s: (stepFlop(128) * steps) / epoch / 1e9,
    peak_rss_mb: peakRss / 2 ** 20, measured,
  };
}

/** A model and optimizer warmed up by 5 steps. */
async function trainee(data: Dataset): Promise<{ model: SparseAutoencoder; optimizer: Optimizer }> {
  const model = createModel({ sparsity: 'kl', latentDim: 128, sparsityWeight: 0.01, rho: 0.05 }, 42);
  const optimizer = createOptimizer(1e-3);
  await trainEpoch(model, firstImages(data, 128 * 5), optimizer, { batchSize: 128, seed: 1 });
  return { model, optimizer };
}

async function timeEpoch(t: { model: Trainable; optimizer: Optimizer }, data: Dataset, seed: number, batchSize = 128): Promise<number> {
  const t0 = performance.now();
  await trainEpoch(t.model, data, t.optimizer, { batchSize, seed, progress: { batch: sampleRss, epoch() {} } });
  return (performance.now() - t0) / 1000;
}

/** The dictsae line's model (bench/pytorch_dictsae.py is the same in PyTorch) and its batch size. */
const DICTSAE = { activation: 'topk', inputDim: 784, latentDim: 1024, k: 32, auxK: 0 } as const;
const DICTSAE_BATCH = 256;

/** A dictionary SAE and optimizer warmed up by 5 steps (pytorch_dictsae.py warms up by 5 too). */
async function dictTrainee(data: Dataset): Promise<{ model: DictSae; optimizer: Optimizer }> {
  const model = new DictSae(DICTSAE, 42);
  const optimizer = createOptimizer(1e-3);
  await trainEpoch(model, firstImages(data, DICTSAE_BATCH * 5), optimizer, { batchSize: DICTSAE_BATCH, seed: 1 });
  return { model, optimizer };
}

interface DictSaeBench { kit: Record<string, number>; torch: Record<string, number>; torchRuns: Record<string, TorchRun>; images: number; seconds: number }

/**
 * The dictionary SAE's line as the lesson's: each kit configuration's warmed-up SAE trains one
 * epoch per round, then each PyTorch configuration's process times 2 epochs (its fastest), `rounds`
 * times interleaved; best of the rounds each. With `limit` below the training set's size, both
 * sides train on its first `limit` images and their times are scaled to the whole set.
 */
async function benchDictSae(data: Dataset, rounds: number, configs: KitConfig[], withTorch: boolean, limit: number): Promise<DictSaeBench> {
  const start = performance.now();
  const subset = limit < data.count ? firstImages(data, limit) : data;
  const scale = data.count / subset.count;
  const defaults = nativeThreads();
  const trainees: { model: DictSae; optimizer: Optimizer }[] = [];
  for (let i = 0; i < configs.length; i++) trainees.push(await dictTrainee(data));
  const kit: Record<string, number> = {};
  const torch: Record<string, number> = {};
  const torchRuns: Record<string, TorchRun> = {};
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [i, c] of configs.entries()) {
        setNativeThreads(c.threads, c.openblas);
        kit[c.name] = Math.min(kit[c.name] ?? Infinity, scale * await timeEpoch(trainees[i], subset, 2 + r, DICTSAE_BATCH));
        console.log(`round ${r + 1}: dictsae kit ${c.name}: ${kit[c.name].toFixed(2)} s/epoch so far`);
      }
      if (!withTorch) continue;
      for (const c of TORCH_CONFIGS) {
        const run = runTorchDictSae(c, MNIST_DIR, 2, subset.count < data.count ? subset.count : undefined);
        run.epoch_s *= scale;
        if (torch[c.name] === undefined || run.epoch_s < torch[c.name]) torchRuns[c.name] = run;
        torch[c.name] = Math.min(torch[c.name] ?? Infinity, run.epoch_s);
        console.log(`round ${r + 1}: dictsae pytorch ${c.name}: ${run.epoch_s.toFixed(2)} s/epoch (best ${torch[c.name].toFixed(2)})`);
      }
    }
  } finally {
    setNativeThreads(defaults.threads, defaults.openblas);
    for (const t of trainees) {
      t.optimizer.dispose();
      t.model.dispose();
    }
  }
  return { kit, torch, torchRuns, images: subset.count, seconds: (performance.now() - start) / 1000 };
}

/** The dictsae line's table and its fields of the last-line JSON. */
function reportDictSae(d: DictSaeBench, configs: KitConfig[], rounds: number, data: Dataset, backend: string): Record<string, unknown> {
  const scaled = d.images < data.count ? `, ${d.images} images scaled to ${data.count}` : '';
  console.log(`\ndictionary SAE (TopK k ${DICTSAE.k}, ${DICTSAE.inputDim} -> ${DICTSAE.latentDim}, batch ${DICTSAE_BATCH}), one epoch (${d.seconds.toFixed(0)} s to measure):`);
  console.log('backend       s/epoch   samples/s   measured');
  const line = (name: string, s: number, how: string) => console.log(`${name.padEnd(12)} ${s.toFixed(2).padStart(8)} ${(data.count / s).toFixed(0).padStart(11)}   ${how}`);
  for (const c of configs) line(backend, d.kit[c.name], `${describeKit(c)}, best of ${rounds}${scaled}`);
  for (const c of TORCH_CONFIGS.filter((c) => d.torch[c.name] !== undefined)) {
    line('pytorch', d.torch[c.name], `${describeTorch(c, d.torchRuns[c.name].threads)}, best of ${rounds}${scaled}`);
  }
  const [kitName, kitBest] = best(d.kit);
  const torchBest = Object.keys(d.torch).length > 0 ? best(d.torch) : null;
  return {
    dictsae_epoch_s: Number(kitBest.toFixed(3)),
    dictsae_kit_config: kitName,
    dictsae_kit_configs: round3(d.kit),
    dictsae_pytorch_epoch_s: torchBest === null ? null : Number(torchBest[1].toFixed(3)),
    dictsae_pytorch_config: torchBest === null ? null : torchBest[0],
    dictsae_pytorch_configs: torchBest === null ? null : round3(d.torch),
    dictsae_ratio: torchBest === null ? null : Number((kitBest / torchBest[1]).toFixed(3)),
    dictsae_images: d.images,
    dictsae_bench_s: Number(d.seconds.toFixed(1)),
  };
}

/** The kit's thread configurations: its own threads (1, and 2 where there are 2 cores), or OpenBLAS's. */
interface KitConfig { name: string; threads: number; openblas: number }
function kitConfigs(): KitConfig[] {
  if (!nativeEnabled()) return [{ name: 'plain', threads: 1, openblas: 1 }];
  const cores = Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
  const configs = [{ name: 'threads1', threads: 1, openblas: 1 }];
  if (cores > 1) configs.push({ name: `threads${cores}`, threads: cores, openblas: 1 }, { name: `openblas${cores}`, threads: 1, openblas: cores });
  return configs;
}

function describeKit(c: KitConfig): string {
  if (c.name === 'plain') return 'no native addon';
  return c.openblas > 1 ? `1 kit thread, OpenBLAS ${c.openblas} threads` : `${c.threads} kit thread(s) (SAE_BLAS_THREADS=${c.threads})`;
}

/** Loads @tensorflow/tfjs-node if it is installed: null when it loads, else why not (in a few words). */
function loadTfjsNode(): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require('@tensorflow/tfjs-node');
    return null;
  } catch (err) {
    return `not measured: @tensorflow/tfjs-node does not load (${String((err as Error).message).split('\n')[0]}; npm run build:tfjs-node builds it offline)`;
  }
}

/** One non-default backend: `steps` steps, scaled to an epoch. */
async function benchOther(name: string, data: Dataset, steps: number): Promise<Row> {
  const t = await trainee(data);
  const subset = firstImages(data, Math.min(data.count, 128 * steps));
  const seconds = await timeEpoch(t, subset, 2);
  t.optimizer.dispose();
  t.model.dispose();
  return row(name, seconds * (data.count / subset.count), `${Math.ceil(subset.count / 128)} steps, scaled`, data);
}

/** Time spent only making batches and tensors: the loop's own overhead. */
function batchingSeconds(data: Dataset): number {
  const t0 = performance.now();
  // Each tensor disposed, as the training step's tidy disposes it. (This used to return it from a
  // tidy, which keeps it: 188 MB of tensors kept per epoch, and the wasm heap grew for each, so the
  // line said 0.26 s where making the batches takes ~0.07 s.)
  for (const b of batches(data, { batchSize: 128, seed: 3 })) tf.tensor2d(b.images, [b.size, data.dim]).dispose();
  return (performance.now() - t0) / 1000;
}

const best = (m: Record<string, number>) => Object.entries(m).reduce((a, b) => (b[1] < a[1] ? b : a));
const round3 = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number(v.toFixed(3))]));

async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const steps = arg('--steps', 60);
  const rounds = arg('--rounds', 2);
  const loadBefore = os.loadavg()[0];
  const info = await initBackend();
  console.log(`cores ${os.cpus().length}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ` +
    `OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? '(unset)'} (passed unchanged to PyTorch)`);
  const data = loadMnist({ split: 'train' });
  const missing = torchMissing();
  const configs = kitConfigs();
  const dictLimit = arg('--dictsae-limit', data.count);
  if (process.argv.includes('--dictsae-only')) {
    const dict = reportDictSae(await benchDictSae(data, rounds, configs, missing === null, dictLimit), configs, rounds, data, info.name);
    if (missing !== null) console.error(missing);
    console.log(JSON.stringify({ backend: info.name, engine: engine().name, ...dict, load: [Number(loadBefore.toFixed(2)), Number(os.loadavg()[0].toFixed(2))] }));
    process.exit(missing !== null ? 1 : 0);
  }
  const batching = batchingSeconds(data);
  const defaults = nativeThreads();
  const trainees = await Promise.all(configs.map(() => trainee(data)));
  const kit: Record<string, number> = {};
  const torch: Record<string, number> = {};
  const torchRuns: Record<string, TorchRun> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of configs.entries()) {
      setNativeThreads(c.threads, c.openblas);
      kit[c.name] = Math.min(kit[c.name] ?? Infinity, await timeEpoch(trainees[i], data, 2 + r));
      console.log(`round ${r + 1}: kit ${c.name}: ${kit[c.name].toFixed(2)} s/epoch so far`);
    }
    if (missing !== null) continue;
    for (const c of TORCH_CONFIGS) {
      const run = runTorch(c, MNIST_DIR, 2);
      if (torch[c.name] === undefined || run.epoch_s < torch[c.name]) torchRuns[c.name] = run;
      torch[c.name] = Math.min(torch[c.name] ?? Infinity, run.epoch_s);
      console.log(`round ${r + 1}: pytorch ${c.name}: ${run.epoch_s.toFixed(2)} s/epoch (best ${torch[c.name].toFixed(2)})`);
    }
  }
  setNativeThreads(defaults.threads, defaults.openblas);
  for (const t of trainees) {
    t.optimizer.dispose();
    t.model.dispose();
  }
  const [kitName, kitBest] = best(kit);
  const rows: Row[] = configs.map((c) => row(`${info.name}`, kit[c.name], `${describeKit(c)}, best of ${rounds}`, data));
  // tfjs-node where it is installed: the kit does not load it on a CPU with the addon, the bench measures it anyway.
  const tfjsNode = loadTfjsNode();
  if (tfjsNode !== null) console.log(`tensorflow: ${tfjsNode}`);
  for (const b of ['tensorflow', 'wasm', 'cpu'].filter((b) => b !== info.name && tf.findBackend(b) !== null)) {
    if (!(await tf.setBackend(b).catch(() => false))) continue;
    rows.push(await benchOther(b, data, steps));
  }
  await tf.setBackend(info.name);
  const tensorflowRow = rows.find((r) => r.backend === 'tensorflow');
  console.log('\nbackend       s/epoch   samples/s   GFLOP/s   peak RSS MB   measured');
  const line = (name: string, s: number, rss: string, how: string) => console.log(`${name.padEnd(12)} ${s.toFixed(2).padStart(8)} ` +
    `${(60000 / s).toFixed(0).padStart(11)} ${((stepFlop(128) * 469) / s / 1e9).toFixed(1).padStart(9)} ${rss.padStart(13)}   ${how}`);
  for (const r of rows) line(r.backend, r.epoch_s, r.peak_rss_mb.toFixed(0), r.measured);
  for (const c of TORCH_CONFIGS.filter((c) => torch[c.name] !== undefined)) {
    line('pytorch', torch[c.name], '', `${describeTorch(c, torchRuns[c.name].threads)}, best of ${rounds}`);
  }
  console.log(`\nloop overhead: making batches and input tensors takes ${batching.toFixed(2)} s per epoch ` +
    `(${((100 * batching) / kitBest).toFixed(1)}% of the ${info.name} epoch)`);
  const torchBest = missing === null ? best(torch) : null;
  const epochPeakRss = peakRss;
  const dict = reportDictSae(await benchDictSae(data, rounds, configs, missing === null, dictLimit), configs, rounds, data, info.name);
  console.log('');
  const sweep = await benchSweep(rounds, torchBest === null ? null : TORCH_CONFIGS.find((c) => c.name === torchBest[0])!);
  console.log(`Exercise 1's sweep (10 models, 1 epoch each): kit ${sweep.kit.toFixed(2)} s` +
    (sweep.torch === null ? '' : `, PyTorch one after another (${torchBest![0]}) ${sweep.torch.toFixed(2)} s`));
  const result = {
    backend: info.name,
    epoch_s: Number(kitBest.toFixed(3)),
    kit_config: kitName,
    kit_configs: round3(kit),
    engine: engine().name,
    pytorch_epoch_s: torchBest === null ? null : torchBest[1],
    pytorch_config: torchBest === null ? null : torchBest[0],
    pytorch_configs: missing === null ? round3(torch) : null,
    ratio: torchBest === null ? null : Number((kitBest / torchBest[1]).toFixed(3)),
    peak_rss_mb: Number((epochPeakRss / 2 ** 20).toFixed(0)),
    batching_s: Number(batching.toFixed(3)),
    openblas_coretype: process.env.OPENBLAS_CORETYPE ?? null,
    load: [Number(loadBefore.toFixed(2)), Number(os.loadavg()[0].toFixed(2))],
    sweep_s: Number(sweep.kit.toFixed(3)),
    pytorch_sweep_s: sweep.torch,
    sweep_ratio: sweep.torch === null ? null : Number((sweep.kit / sweep.torch).toFixed(3)),
    sweep_peak_rss_mb: sweep.peakRssMb,
    tensorflow_epoch_s: tensorflowRow === undefined ? null : Number(tensorflowRow.epoch_s.toFixed(3)),
    tensorflow_vs_kit: tensorflowRow === undefined ? null : Number((tensorflowRow.epoch_s / kitBest).toFixed(2)),
    ...dict,
  };
  if (missing !== null) console.error(missing);
  console.log(JSON.stringify(result));
  process.exit(missing !== null ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
