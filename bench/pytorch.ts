/**
 * The PyTorch side of `npm run bench`: the lesson's code (bench/pytorch_epoch.py), and the
 * dictsae line's TopK SAE (bench/pytorch_dictsae.py), as its user
 * runs it (no thread settings at all) and over a grid of torch intra-op threads x OpenBLAS
 * threads. Every run gets this process's environment with only the thread variables changed, so
 * what the machine sets (OPENBLAS_CORETYPE, ...) is the same for PyTorch as for the kit.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

export const PYTHON = process.env.SAE_PYTHON ?? '/usr/bin/python3';

/** One PyTorch configuration: torch.set_num_threads and OPENBLAS_NUM_THREADS, or null for unset. */
export interface TorchConfig { name: string; torch: number | null; openblas: number | null }

/** The user's default first, then torch 1/2 x OpenBLAS 1/2. */
export const TORCH_CONFIGS: TorchConfig[] = [
  { name: 'default', torch: null, openblas: null },
  ...[1, 2].flatMap((torch) => [1, 2].map((openblas) => ({ name: `torch${torch}_openblas${openblas}`, torch, openblas }))),
];

/** Variables that set thread counts; removed for the default run and replaced in the grid. */
const THREAD_VARS = ['OPENBLAS_NUM_THREADS', 'GOTO_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'];

export interface TorchRun { epoch_s: number; threads: number; final_loss: number }

/** Why PyTorch can't run here, or null when it can. */
export function torchMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `PyTorch not importable by ${PYTHON}: apt-get install -y python3-torch libopenblas0-pthread`;
}

/** The bench's PyTorch scripts: the lesson's model and Exercise 1's sweep, and the dictsae line's TopK SAE. */
export type TorchScript = 'pytorch_epoch.py' | 'pytorch_dictsae.py';

/** The environment and arguments of one `script` process under `config`. */
function torchProcess(config: TorchConfig, mnistDir: string, extra: string[], script: TorchScript): { args: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const v of THREAD_VARS) delete env[v];
  // OpenBLAS reads OPENBLAS_NUM_THREADS (then GOTO_, then OMP_NUM_THREADS); torch's threads are set in the script.
  if (config.openblas !== null) env.OPENBLAS_NUM_THREADS = String(config.openblas);
  const args = [path.join(__dirname, script), mnistDir, ...extra];
  if (config.torch !== null) args.push('--threads', String(config.torch));
  return { args, env };
}

/** Runs `script` (pytorch_epoch.py by default) and returns its last line, parsed. */
function runScript<T>(config: TorchConfig, mnistDir: string, extra: string[], script: TorchScript = 'pytorch_epoch.py'): T {
  const { args, env } = torchProcess(config, mnistDir, extra, script);
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`PyTorch reference (${config.name}) failed: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

/** One process of pytorch_epoch.py under `config`: its fastest of `epochs` timed epochs. */
export function runTorch(config: TorchConfig, mnistDir: string, epochs: number): TorchRun {
  const out = runScript<TorchRun>(config, mnistDir, ['--epochs', String(epochs)]);
  return { epoch_s: out.epoch_s, threads: out.threads, final_loss: out.final_loss };
}

/**
 * One process of pytorch_dictsae.py under `config`: the dictsae line's TopK SAE (k 32, 784 -> 1024,
 * batch 256), its fastest of `epochs` timed epochs (over the first `limit` images when given).
 */
export function runTorchDictSae(config: TorchConfig, mnistDir: string, epochs: number, limit?: number): TorchRun {
  const extra = ['--epochs', String(epochs), ...(limit === undefined ? [] : ['--limit', String(limit)])];
  const out = runScript<TorchRun>(config, mnistDir, extra, 'pytorch_dictsae.py');
  return { epoch_s: out.epoch_s, threads: out.threads, final_loss: out.final_loss };
}

/** Exercise 1's ten models, one epoch each, one after another (pytorch_epoch.py --sweep): seconds for all ten. */
export function runTorchSweep(config: TorchConfig, mnistDir: string): { sweep_s: number; models_s: number[] } {
  const out = runScript<{ sweep_s: number; models_s: number[] }>(config, mnistDir, ['--sweep']);
  return { sweep_s: out.sweep_s, models_s: out.models_s };
}

/** What a config means, for the table: the default names torch's own thread count. */
export function describeTorch(config: TorchConfig, threads: number): string {
  if (config.torch === null) return `default: no thread settings (torch picked ${threads}, OpenBLAS its own)`;
  return `torch.set_num_threads(${config.torch}), OPENBLAS_NUM_THREADS=${config.openblas}`;
}
