/**
 * A dictionary SAE's checkpoint: one file, `<dir>/dictsae.json`, holding its config, seed,
 * history, the dead-latent counts and every tensor of DictSae.namedTensors() (the weights, the
 * activation's trained parameters and its state, such as BatchTopK's running threshold), so a
 * loaded model encodes, and computes its loss, as the saved one did.
 *
 *   { format, version, config, seed, history, info, training: { auxK, stepsSinceFired },
 *     tensors: [{ name, shape }], weights: base64 of float32 little-endian in the table's order,
 *     sha256: of the canonical JSON of every other field }
 *
 * One file replaced by rename (files.ts), so a load sees the old checkpoint or the new one, never
 * a mix, and there is nothing to clean up. The sha256 makes any edit an error; the config is then
 * checked as every DictSae config is (makeDictSaeConfig), and the table against the model it builds.
 * The lesson's models have their own checkpoints (checkpoint.ts), with one weights file per save.
 */
import * as path from 'path';
import * as tf from '../runtime/tf';
import { DictSae, makeDictSaeConfig } from '../interp/dictsae';
import type { History } from '../core/train';
import { makeDirs, readRegularFile, writeFileAtomic } from './files';
import { canonicalJson, sha256Hex } from './checkpoint-meta';

export const DICTSAE_CHECKPOINT_FORMAT = 'sae-lab-dictsae';
export const DICTSAE_CHECKPOINT_VERSION = 1;
export const DICTSAE_CHECKPOINT_FILE = 'dictsae.json';
/** far above a 784 x 16384 SAE's two matrices in base64 (137 MB) */
const MAX_BYTES = 512 * 1024 * 1024;

export interface DictSaeCheckpoint {
  sae: DictSae;
  seed: number;
  history: History;
  info: Record<string, unknown>;
}

interface Stored {
  format: string;
  version: number;
  config: unknown;
  seed: number;
  history: History;
  info: Record<string, unknown>;
  training: { auxK: number; stepsSinceFired: number[] };
  tensors: { name: string; shape: number[] }[];
  weights: string;
  sha256?: string;
}

function fail(dir: string, what: string): never {
  throw new Error(`dictionary SAE checkpoint ${dir}: ${what}`);
}

/** Saves `sae` into `dir` (created if needed) as one file, atomically; refuses non-finite values. */
export function saveDictSae(dir: string, sae: DictSae, options: { seed?: number; history?: History; info?: Record<string, unknown> } = {}): string {
  if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f) throw new Error('checkpoints assume a little-endian machine');
  const named = sae.namedTensors();
  const values = named.map(([, v]) => v.dataSync() as Float32Array);
  const bad = named.filter((_, i) => !values[i].every(Number.isFinite)).map(([name]) => name);
  if (bad.length) fail(dir, `${bad.join(', ')} hold non-finite values; nothing was written`);
  const all = new Float32Array(values.reduce((n, v) => n + v.length, 0));
  values.reduce((at, v) => { all.set(v, at); return at + v.length; }, 0);
  const stored: Stored = {
    format: DICTSAE_CHECKPOINT_FORMAT, version: DICTSAE_CHECKPOINT_VERSION, config: sae.config,
    seed: options.seed ?? 0, history: options.history ?? [], info: options.info ?? {},
    training: { auxK: sae.auxK, stepsSinceFired: Array.from(sae.stepsSinceFired) },
    tensors: named.map(([name, v]) => ({ name, shape: v.shape.slice() })),
    weights: Buffer.from(all.buffer, all.byteOffset, all.byteLength).toString('base64'),
  };
  stored.sha256 = sha256Hex(canonicalJson(stored));
  makeDirs(dir);
  writeFileAtomic(path.join(dir, DICTSAE_CHECKPOINT_FILE), JSON.stringify(stored));
  return dir;
}

/** The file's fields, checked: format, version, the sha256 of the rest. */
function readStored(dir: string): Stored {
  let text: string;
  try {
    text = readRegularFile(path.join(dir, DICTSAE_CHECKPOINT_FILE), { maxBytes: MAX_BYTES }).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(dir, code === 'ENOENT' ? `no ${DICTSAE_CHECKPOINT_FILE} (is it a dictionary SAE checkpoint?)` : (err as Error).message);
  }
  let stored: Stored;
  try {
    stored = JSON.parse(text) as Stored;
  } catch (err) {
    fail(dir, `${DICTSAE_CHECKPOINT_FILE} is not JSON (${(err as Error).message})`);
  }
  if (stored?.format !== DICTSAE_CHECKPOINT_FORMAT) fail(dir, `format ${JSON.stringify(stored?.format)}, expected '${DICTSAE_CHECKPOINT_FORMAT}'`);
  if (stored.version !== DICTSAE_CHECKPOINT_VERSION) fail(dir, `version ${JSON.stringify(stored.version)}, expected ${DICTSAE_CHECKPOINT_VERSION}`);
  const { sha256, ...rest } = stored;
  if (sha256 !== sha256Hex(canonicalJson(rest))) fail(dir, `${DICTSAE_CHECKPOINT_FILE} was edited or is damaged (its sha256 does not match)`);
  return stored;
}

/** Assigns the stored tensors to `sae`'s, names and shapes checked against its table. */
function assignTensors(dir: string, sae: DictSae, stored: Stored): void {
  const named = sae.namedTensors();
  const want = named.map(([name, v]) => `${name} [${v.shape}]`).join(', ');
  const got = stored.tensors.map((t) => `${t.name} [${t.shape}]`).join(', ');
  if (got !== want) fail(dir, `the tensors are ${got}; the config needs ${want}`);
  const bytes = Buffer.from(stored.weights, 'base64');
  const total = named.reduce((n, [, v]) => n + v.size, 0);
  if (bytes.length !== 4 * total) fail(dir, `the weights hold ${bytes.length} bytes, expected ${4 * total}`);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let at = 0;
  for (const [, v] of named) {
    const part = all.subarray(at, at + v.size);
    tf.tidy(() => v.assign(tf.tensor(part, v.shape)));
    at += v.size;
  }
}

/** Loads what saveDictSae saved; every inconsistency is an error naming the checkpoint and what is wrong. */
export function loadDictSae(dir: string): DictSaeCheckpoint {
  const stored = readStored(dir);
  let config;
  try {
    config = makeDictSaeConfig(stored.config as never);
  } catch (err) {
    fail(dir, (err as Error).message);
  }
  const sae = new DictSae(config, stored.seed);
  try {
    assignTensors(dir, sae, stored);
    if (sae.auxK !== stored.training.auxK) sae.setAuxK(stored.training.auxK);
    sae.dead.restore(stored.training.stepsSinceFired);
  } catch (err) {
    sae.dispose();
    throw err;
  }
  return { sae, seed: stored.seed, history: stored.history, info: stored.info };
}
