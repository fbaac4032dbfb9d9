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
 * Every field of checkpoint.json that the loader uses is covered by a stored sha256, so an edit
 * (even one that still is valid JSON and a valid config) is an error naming the field, never a
 * silently different model. Missing fields are errors; no defaults are filled in.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '../runtime/tf';
import { DEFAULT_SAE_CONFIG, SaeConfig, makeConfig } from '../core/config';
import { SparseAutoencoder, createModel } from '../core/sae';
import type { History } from '../core/train';
import { STALE_AFTER_MS, processAlive, removeOrphanTemps, removeQuietly, writeFileAtomic } from './files';

export const CHECKPOINT_FORMAT = 'sae-lab-checkpoint';
/** 2: content hashes, full config required, per-save weights file names. */
export const CHECKPOINT_VERSION = 2;

interface TensorEntry { name: string; shape: number[]; offset: number; length: number }

/** The fields of checkpoint.json covered by `hashes`: everything the loader uses or returns. */
const HASHED_FIELDS = ['config', 'seed', 'history', 'info', 'tensors', 'weightsFile', 'sha256', 'savedAt'] as const;
type HashedField = typeof HASHED_FIELDS[number];

export interface CheckpointMeta {
  format: string;
  version: number;
  config: SaeConfig;
  /** the seed of the initial weights */
  seed: number;
  history: History;
  /** free-form facts about the run (backend, data, train settings) */
  info: Record<string, unknown>;
  tensors: TensorEntry[];
  weightsFile: string;
  /** sha256 of the weights file */
  sha256: string;
  savedAt: string;
  /** sha256 of the canonical JSON of each hashed field, so that an edit names the field */
  hashes: Record<HashedField, string>;
}

export interface Checkpoint {
  model: SparseAutoencoder;
  history: History;
  seed: number;
  info: Record<string, unknown>;
}

const META_FILE = 'checkpoint.json';
/** Weights files, current (`weights-<sha16>-<random8>.bin`) and version 1 (`weights-<sha16>.bin`). */
const WEIGHTS_FILE = /^weights-[0-9a-f]+(?:-[0-9a-f]+)?\.bin$/;
/** A save in progress: `.<weights file>.<pid>.pending`. */
const PENDING_FILE = /^\.(weights-.+\.bin)\.(\d+)\.pending$/;
/** How often a load retries when concurrent saves keep replacing the checkpoint under it. */
const LOAD_ATTEMPTS = 5;

/** Tensor names without the model's global prefix (sae12/encoder/0/w -> encoder/0/w). */
function localNames(model: SparseAutoencoder): string[] {
  const layers = [...model.encoder.map((_, i) => `encoder/${i}`), ...model.decoder.map((_, i) => `decoder/${i}`)];
  return layers.flatMap((l) => [`${l}/w`, `${l}/b`]);
}

// ---------------------------------------------------------------------------------------------
// Hashes of the fields

/** JSON with object keys sorted at every level, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha256Hex(data: string | Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * The `hashes` of a checkpoint.json holding `meta`'s fields. Exported for tests and tools that
 * rewrite a checkpoint.json on purpose. The fields are hashed as JSON gives them back (NaN as null).
 */
export function checkpointHashes(meta: Pick<CheckpointMeta, HashedField>): Record<HashedField, string> {
  const asStored = JSON.parse(JSON.stringify(meta)) as Record<string, unknown>;
  const hashes = {} as Record<HashedField, string>;
  for (const field of HASHED_FIELDS) hashes[field] = sha256Hex(canonicalJson(asStored[field]));
  return hashes;
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
    const meta = JSON.parse(fs.readFileSync(path.join(dir, META_FILE), 'utf8')) as { weightsFile?: unknown };
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
  fs.mkdirSync(dir, { recursive: true });
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
  fs.writeFileSync(marker, '');
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
// Loading: checkpoint.json is checked field by field, then against its hashes, before the weights

function fail(dir: string, what: string): never {
  throw new Error(`checkpoint ${dir}: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A value as an error message shows it: null, an array, an object, 3, "x". */
function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v !== null && typeof v === 'object') return 'an object';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

type Check = [test: (v: unknown) => boolean, expected: string];

const FIELD_CHECKS: Record<HashedField | 'hashes', Check> = {
  config: [isObject, 'an object'],
  seed: [(v) => typeof v === 'number' && Number.isFinite(v), 'a number'],
  history: [Array.isArray, 'an array of epoch records'],
  info: [isObject, 'an object'],
  tensors: [(v) => Array.isArray(v) && v.length > 0, 'a non-empty array of tensor entries'],
  weightsFile: [(v) => typeof v === 'string' && WEIGHTS_FILE.test(v), 'a file name weights-<hex>.bin'],
  sha256: [(v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v), 'a sha256 in hex'],
  savedAt: [(v) => typeof v === 'string', 'a date string'],
  hashes: [isObject, 'an object of sha256s'],
};

function checkVersion(dir: string, raw: Record<string, unknown>): void {
  if (raw.format !== CHECKPOINT_FORMAT) fail(dir, `format is ${describe(raw.format)}, expected "${CHECKPOINT_FORMAT}"`);
  if (!('version' in raw)) fail(dir, `checkpoint.json has no "version" field (expected ${CHECKPOINT_VERSION})`);
  const version = raw.version;
  if (typeof version === 'number' && version >= 1 && version < CHECKPOINT_VERSION) {
    fail(dir, `version ${version} was written by an older sae-lab kit (no content hashes); ` +
      `retrain the model (the results cache does so by itself) or save it again with this kit`);
  }
  if (version !== CHECKPOINT_VERSION) fail(dir, `version ${describe(version)} is not supported (this kit reads version ${CHECKPOINT_VERSION})`);
}

function checkFields(dir: string, raw: Record<string, unknown>): void {
  for (const [field, [test, expected]] of Object.entries(FIELD_CHECKS)) {
    if (!(field in raw)) fail(dir, `checkpoint.json has no "${field}" field (expected ${expected})`);
    if (!test(raw[field])) fail(dir, `checkpoint.json field "${field}" is ${describe(raw[field])}, expected ${expected}`);
  }
}

/** Each epoch record an object (the cache sums their seconds). */
function checkHistory(dir: string, history: unknown[]): void {
  history.forEach((r, i) => {
    if (!isObject(r)) fail(dir, `history[${i}] is ${describe(r)}, expected an epoch record (an object)`);
  });
}

/** The stored config, every field present (no defaults filled in) and valid. */
function checkConfig(dir: string, config: Record<string, unknown>): SaeConfig {
  for (const key of Object.keys(DEFAULT_SAE_CONFIG)) {
    if (!(key in config)) fail(dir, `config.${key} is missing (a checkpoint holds the full config; no default is filled in)`);
  }
  try {
    return makeConfig(config as Partial<SaeConfig>);
  } catch (err) {
    fail(dir, `bad config: ${(err as Error).message}`);
  }
}

/** Each entry well-formed, its length the product of its shape, and the entries back to back. */
function checkTensorTable(dir: string, tensors: unknown[]): void {
  const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  let offset = 0;
  tensors.forEach((e, i) => {
    if (!isObject(e)) fail(dir, `tensors[${i}] is ${describe(e)}, expected an object {name, shape, offset, length}`);
    if (typeof e.name !== 'string') fail(dir, `tensors[${i}].name is ${describe(e.name)}, expected a string`);
    const label = `tensor ${i} (${e.name})`;
    if (!Array.isArray(e.shape) || !e.shape.every(count)) fail(dir, `${label}: shape ${JSON.stringify(e.shape)} is not an array of sizes`);
    if (!count(e.offset)) fail(dir, `${label}: offset ${describe(e.offset)}, expected an integer >= 0`);
    if (!count(e.length)) fail(dir, `${label}: length ${describe(e.length)}, expected an integer >= 0`);
    const size = (e.shape as number[]).reduce((n, d) => n * d, 1);
    if (e.length !== size) fail(dir, `${label}: length ${e.length}, but shape [${e.shape}] holds ${size} values`);
    if (e.offset !== offset) fail(dir, `${label}: offset ${e.offset}, expected ${offset} (tensors are stored back to back)`);
    offset += size;
  });
}

/** Every hashed field still has the sha256 it was saved with. */
function checkHashes(dir: string, raw: Record<string, unknown>): void {
  const stored = raw.hashes as Record<string, unknown>;
  const actual = checkpointHashes(raw as unknown as CheckpointMeta);
  const edited = HASHED_FIELDS.filter((f) => stored[f] !== actual[f]);
  if (edited.length) {
    fail(dir, `checkpoint.json was edited or corrupted after it was saved: ${edited.join(', ')} ` +
      `no longer match${edited.length === 1 ? 'es' : ''} the sha256 stored in "hashes"; retrain the model or save it again`);
  }
}

/** checkpoint.json's text, checked; the returned config is the validated one. */
function parseMeta(dir: string, text: string): CheckpointMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(dir, `checkpoint.json is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(raw)) fail(dir, `checkpoint.json holds ${describe(raw)}, expected an object`);
  checkVersion(dir, raw);
  checkFields(dir, raw);
  checkHistory(dir, raw.history as unknown[]);
  const config = checkConfig(dir, raw.config as Record<string, unknown>);
  checkTensorTable(dir, raw.tensors as unknown[]);
  checkHashes(dir, raw);
  return { ...(raw as unknown as CheckpointMeta), config };
}

/** The weights file's bytes, checked against the table and the sha256; null when the file is gone. */
function readWeights(dir: string, meta: CheckpointMeta): Buffer | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.join(dir, meta.weightsFile));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    fail(dir, `cannot read ${meta.weightsFile}: ${(err as Error).message}`);
  }
  const expectedBytes = 4 * meta.tensors.reduce((n, t) => n + t.length, 0);
  if (bytes.length !== expectedBytes) fail(dir, `${meta.weightsFile} holds ${bytes.length} bytes, expected ${expectedBytes} (truncated?)`);
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
  const file = path.join(dir, META_FILE);
  if (!fs.existsSync(file)) fail(dir, `no checkpoint.json (is ${dir} a checkpoint directory?)`);
  let text = fs.readFileSync(file, 'utf8');
  for (let attempt = 1; ; attempt++) {
    const meta = parseMeta(dir, text);
    const bytes = readWeights(dir, meta);
    if (bytes) return { model: buildModel(dir, meta, bytes), history: meta.history, seed: meta.seed, info: meta.info };
    // Gone: either a concurrent save replaced checkpoint.json and deleted these weights (read the
    // new checkpoint.json and try again), or the file really is missing (checkpoint.json unchanged).
    const again = fs.readFileSync(file, 'utf8');
    if (again === text) fail(dir, `weights file ${meta.weightsFile} is missing`);
    if (attempt === LOAD_ATTEMPTS) {
      fail(dir, `weights file ${meta.weightsFile} is missing: checkpoint.json was replaced ${attempt} times while loading ` +
        `(another process is saving here in a loop?)`);
    }
    text = again;
  }
}
