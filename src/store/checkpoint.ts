/**
 * Checkpoints: a trained model's config, weights and history in a directory.
 *
 *   <dir>/checkpoint.json                 config, seed, history, tensor table, weights file name + sha256,
 *                                         and a sha256 of each of those fields ("hashes")
 *   <dir>/weights-<sha>-<random>.bin      all weights, float32 little-endian, in the table's order
 *
 * A save writes the new weights under a name no other save uses, then replaces checkpoint.json by
 * rename, then deletes the weights no checkpoint.json refers to any more. Stopped at any point, the
 * directory still holds one whole checkpoint.
 *
 * Several processes may save into and load from one directory at the same time:
 * - while a save is between writing its weights and renaming its checkpoint.json it keeps a marker
 *   `.<weights file>.<pid>.pending`, and no other save deletes weights that a live marker names;
 * - a load that finds its weights deleted (a newer checkpoint.json replaced the one it read) reads
 *   checkpoint.json again and retries;
 * - temporary files and markers of killed saves are removed by the next save.
 * Pids are checked on this machine: writers on other machines sharing the directory are not supported.
 *
 * A load reads regular files only (a link, a FIFO or a device is an error, never followed or read),
 * checkpoint.json up to 64 MiB and the weights only when their size is the table's.
 *
 * Every field of checkpoint.json that the loader uses is covered by a stored sha256, so an edit
 * (even one that still is valid JSON and a valid config) is an error naming the field, never a
 * silently different model. Missing fields are errors; no defaults are filled in. The fields,
 * their hashes and their checks are in checkpoint-meta.ts.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '../runtime/tf';
import { SparseAutoencoder, createModel } from '../core/sae';
import type { History } from '../core/train';
import { STALE_AFTER_MS, makeDirs, processAlive, readRegularFile, removeOrphanTemps, removeQuietly, writeFileAtomic } from './files';
import {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointMeta, TensorEntry, WEIGHTS_FILE, checkpointHashes, fail, parseMeta, sha256Hex,
} from './checkpoint-meta';

export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, checkpointHashes } from './checkpoint-meta';
export type { CheckpointMeta } from './checkpoint-meta';

export interface Checkpoint {
  model: SparseAutoencoder;
  history: History;
  seed: number;
  info: Record<string, unknown>;
}

const META_FILE = 'checkpoint.json';
/** A save in progress: `.<weights file>.<pid>.pending`. */
const PENDING_FILE = /^\.(weights-.+\.bin)\.(\d+)\.pending$/;
/** How often a load retries when concurrent saves keep replacing the checkpoint under it. */
const LOAD_ATTEMPTS = 5;
/** checkpoint.json is config, history and table: far below this (a bigger one is not ours). */
const META_MAX_BYTES = 64 * 1024 * 1024;
/** Codes of readRegularFile's own errors, whose messages already say what is wrong. */
const FILE_ERRORS = ['ELOOP', 'EFTYPE', 'EFBIG'];

/** Tensor names without the model's global prefix (sae12/encoder/0/w -> encoder/0/w). */
function localNames(model: SparseAutoencoder): string[] {
  const layers = [...model.encoder.map((_, i) => `encoder/${i}`), ...model.decoder.map((_, i) => `decoder/${i}`)];
  return layers.flatMap((l) => [`${l}/w`, `${l}/b`]);
}

// ---------------------------------------------------------------------------------------------
// Saving

/** "2 NaN and 1 infinite" for the non-finite values of one tensor, or null when all are finite. */
function nonFinite(values: Float32Array): string | null {
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) nan++;
    else if (!Number.isFinite(values[i])) inf++;
  }
  if (nan === 0 && inf === 0) return null;
  return [nan ? `${nan} NaN` : '', inf ? `${inf} infinite` : ''].filter(Boolean).join(' and ');
}

/** The model's weights back to back, and their table; refuses non-finite weights. */
function packWeights(dir: string, model: SparseAutoencoder): { tensors: TensorEntry[]; bytes: Buffer } {
  const names = localNames(model);
  const tensors: TensorEntry[] = [];
  const parts: Float32Array[] = [];
  const bad: string[] = [];
  let offset = 0;
  model.variables.forEach((v, i) => {
    const values = v.dataSync() as Float32Array;
    const problem = nonFinite(values);
    if (problem) bad.push(`${names[i]} holds ${problem} of ${values.length} values`);
    tensors.push({ name: names[i], shape: v.shape.slice(), offset, length: values.length });
    parts.push(values);
    offset += values.length;
  });
  // A checkpoint of a diverged model would load as a model that only outputs NaN: refuse it.
  if (bad.length) throw new Error(`cannot save checkpoint ${dir}: the model has non-finite weights (${bad.join('; ')}); nothing was written`);
  const all = new Float32Array(offset);
  parts.forEach((p, i) => all.set(p, tensors[i].offset));
  return { tensors, bytes: Buffer.from(all.buffer, all.byteOffset, all.byteLength) };
}

/** The weights files that saves in progress (live writers) are about to refer to. Drops dead writers' markers. */
function pendingWeights(dir: string): Set<string> {
  const pending = new Set<string>();
  for (const name of fs.readdirSync(dir)) {
    const match = PENDING_FILE.exec(name);
    if (!match) continue;
    let age: number;
    try {
      age = Date.now() - fs.statSync(path.join(dir, name)).mtimeMs;
    } catch {
      continue; // its save just finished
    }
    if (processAlive(Number(match[2])) && age < STALE_AFTER_MS) pending.add(match[1]);
    else removeQuietly(path.join(dir, name));
  }
  return pending;
}

/** The weights file the current checkpoint.json names, or null when that cannot be read. */
function currentWeightsFile(dir: string): string | null {
  try {
    const meta = JSON.parse(readRegularFile(path.join(dir, META_FILE), { maxBytes: META_MAX_BYTES }).toString('utf8')) as { weightsFile?: unknown };
    return typeof meta?.weightsFile === 'string' ? meta.weightsFile : null;
  } catch {
    return null;
  }
}

/**
 * Deletes the weights files that checkpoint.json no longer names and no save in progress will.
 * The order matters: the weights are listed first, then the markers, then checkpoint.json is read.
 * A save creates its marker before its weights and removes it only after its checkpoint.json landed,
 * so weights seen in the first listing either have their marker in the second, or their
 * checkpoint.json was in place before ours is read. Weights names are never reused, so a file found
 * unreferenced here is never referenced again.
 */
function removeReplacedWeights(dir: string): void {
  const weights = fs.readdirSync(dir).filter((f) => WEIGHTS_FILE.test(f));
  const pending = pendingWeights(dir);
  const current = currentWeightsFile(dir);
  if (current === null) return; // which file is in use is unknown: keep them all
  for (const f of weights) {
    if (f !== current && !pending.has(f)) removeQuietly(path.join(dir, f));
  }
}

/** Saves `model` with its history into `dir` (created if needed), atomically. */
export function saveCheckpoint(dir: string, model: SparseAutoencoder, options: { history?: History; seed?: number; info?: Record<string, unknown> } = {}): string {
  if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f) throw new Error('checkpoints assume a little-endian machine');
  const { tensors, bytes } = packWeights(dir, model);
  makeDirs(dir);
  removeOrphanTemps(dir);
  const sha256 = sha256Hex(bytes);
  // A name of its own: a concurrent save of the same weights must not share (and delete) this file.
  const weightsFile = `weights-${sha256.slice(0, 16)}-${crypto.randomBytes(4).toString('hex')}.bin`;
  const fields = {
    config: model.config, seed: options.seed ?? 0, history: options.history ?? [], info: options.info ?? {},
    tensors, weightsFile, sha256, savedAt: new Date().toISOString(),
  };
  const meta: CheckpointMeta = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, ...fields, hashes: checkpointHashes(fields) };
  const marker = path.join(dir, `.${weightsFile}.${process.pid}.pending`);
  fs.writeFileSync(marker, '', { flag: 'wx' });
  try {
    writeFileAtomic(path.join(dir, weightsFile), bytes);
    writeFileAtomic(path.join(dir, META_FILE), JSON.stringify(meta, null, 1));
  } finally {
    removeQuietly(marker); // a failure here must not hide the save's own error
  }
  removeReplacedWeights(dir);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Loading: checkpoint.json is checked (checkpoint-meta.ts) before the weights

/** `file` of `dir` as readRegularFile reads it (null when it is gone); other errors name the checkpoint. */
function readFile(dir: string, file: string, limit: { maxBytes?: number; exactBytes?: number }): Buffer | null {
  try {
    return readRegularFile(path.join(dir, file), limit);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') return null;
    fail(dir, FILE_ERRORS.includes(code) ? (err as Error).message : `cannot read ${file}: ${(err as Error).message}`);
  }
}

/** checkpoint.json's text; an error when it is missing or not a regular file of at most 64 MiB. */
function readMetaText(dir: string): string {
  const bytes = readFile(dir, META_FILE, { maxBytes: META_MAX_BYTES });
  if (bytes === null) fail(dir, `no checkpoint.json (is ${dir} a checkpoint directory?)`);
  return bytes.toString('utf8');
}

/**
 * The weights file's bytes, checked against the table (its size before it is read) and the
 * sha256; null when the file is gone.
 */
function readWeights(dir: string, meta: CheckpointMeta): Buffer | null {
  const expectedBytes = 4 * meta.tensors.reduce((n, t) => n + t.length, 0);
  const bytes = readFile(dir, meta.weightsFile, { exactBytes: expectedBytes });
  if (bytes === null) return null;
  const sha = sha256Hex(bytes);
  if (sha !== meta.sha256) fail(dir, `${meta.weightsFile} is corrupt: sha256 ${sha.slice(0, 12)}..., expected ${meta.sha256.slice(0, 12)}...`);
  return bytes;
}

/** The model the config describes, with the weights assigned; names and shapes checked. */
function buildModel(dir: string, meta: CheckpointMeta, bytes: Buffer): SparseAutoencoder {
  const model = createModel(meta.config, meta.seed);
  const names = localNames(model);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  try {
    if (meta.tensors.length !== names.length) fail(dir, `${meta.tensors.length} tensors, the model has ${names.length}`);
    model.variables.forEach((v, i) => {
      const entry = meta.tensors[i];
      if (entry.name !== names[i]) fail(dir, `tensor ${i} is ${entry.name}, expected ${names[i]}`);
      if (entry.shape.join('x') !== v.shape.join('x')) {
        fail(dir, `tensor ${entry.name} has shape [${entry.shape}], the config needs [${v.shape}]`);
      }
      tf.tidy(() => v.assign(tf.tensor(values.subarray(entry.offset, entry.offset + entry.length), v.shape)));
    });
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/**
 * Loads a checkpoint saved by saveCheckpoint; every inconsistency is an error naming what is wrong.
 * Safe while other processes save into `dir`: it returns one whole checkpoint, old or new.
 */
export function loadCheckpoint(dir: string): Checkpoint {
  let text = readMetaText(dir);
  for (let attempt = 1; ; attempt++) {
    const meta = parseMeta(dir, text);
    const bytes = readWeights(dir, meta);
    if (bytes) return { model: buildModel(dir, meta, bytes), history: meta.history, seed: meta.seed, info: meta.info };
    // Gone: either a concurrent save replaced checkpoint.json and deleted these weights (read the
    // new checkpoint.json and try again), or the file really is missing (checkpoint.json unchanged).
    const again = readMetaText(dir);
    if (again === text) fail(dir, `weights file ${meta.weightsFile} is missing`);
    if (attempt === LOAD_ATTEMPTS) {
      fail(dir, `weights file ${meta.weightsFile} is missing: checkpoint.json was replaced ${attempt} times while loading ` +
        `(another process is saving here in a loop?)`);
    }
    text = again;
  }
}
