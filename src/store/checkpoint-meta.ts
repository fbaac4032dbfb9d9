/**
 * checkpoint.json: its fields, the sha256 of each (so an edit names the field), and the checks a
 * load runs on it, field by field and against those hashes, before any weights are read. The
 * files, saving and loading are in checkpoint.ts.
 */
import * as crypto from 'crypto';
import { DEFAULT_SAE_CONFIG, SaeConfig, makeConfig } from '../core/config';
import type { History } from '../core/train';

export const CHECKPOINT_FORMAT = 'sae-lab-checkpoint';
/** 2: content hashes, full config required, per-save weights file names. */
export const CHECKPOINT_VERSION = 2;

export interface TensorEntry { name: string; shape: number[]; offset: number; length: number }

/** The fields of checkpoint.json covered by `hashes`: everything the loader uses or returns. */
export const HASHED_FIELDS = ['config', 'seed', 'history', 'info', 'tensors', 'weightsFile', 'sha256', 'savedAt'] as const;
export type HashedField = typeof HASHED_FIELDS[number];

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

/** Weights files, current (`weights-<sha16>-<random8>.bin`) and version 1 (`weights-<sha16>.bin`). */
export const WEIGHTS_FILE = /^weights-[0-9a-f]+(?:-[0-9a-f]+)?\.bin$/;

// ---------------------------------------------------------------------------------------------
// Hashes of the fields

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sha256Hex(data: string | Uint8Array): string {
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
// Checks: checkpoint.json field by field, then against its hashes

export function fail(dir: string, what: string): never {
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
function checkStoredConfig(dir: string, config: Record<string, unknown>): SaeConfig {
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
export function parseMeta(dir: string, text: string): CheckpointMeta {
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
  const config = checkStoredConfig(dir, raw.config as Record<string, unknown>);
  checkTensorTable(dir, raw.tensors as unknown[]);
  checkHashes(dir, raw);
  return { ...(raw as unknown as CheckpointMeta), config };
}
