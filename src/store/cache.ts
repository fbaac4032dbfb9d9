/**
 * A results cache for trained models, so the second run of a notebook (or of a workshop) is
 * instant. The key is a hash of everything that decides the result: the full model config,
 * the full training config, the initial-weights seed and the exact training data.
 * `retrain: true` or SAE_RETRAIN=1 trains again (and refreshes the entry).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Dataset } from '../data/mnist';
import { SaeConfig, makeConfig } from '../core/config';
import { SparseAutoencoder, createModel } from '../core/sae';
import { FitOptions, History, TrainConfig, fitChecked, validateTrainConfig } from '../core/train';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import * as tf from '../runtime/tf';
import { nativeEnabled } from '../runtime/native';
import { fusedActive } from '../runtime/fused';
import { envFlag } from '../runtime/settings';

/** Bump when a change to the kit makes old cached models wrong. */
const CACHE_VERSION = 2;

export interface TrainSpec {
  model: Partial<SaeConfig>;
  train?: Partial<TrainConfig>;
  /** seed of the initial weights; the training seed by default */
  modelSeed?: number;
}

export interface CacheOptions {
  /** where entries live; SAE_CACHE_DIR or ./.cache/sae-lab by default */
  cacheDir?: string;
  /** ignore an existing entry and train again; SAE_RETRAIN=1 does the same */
  retrain?: boolean;
  /** passed to fit */
  title?: string;
  progress?: FitOptions['progress'];
  /** print what happened (default true) */
  log?: boolean;
}

export interface CachedRun {
  model: SparseAutoencoder;
  history: History;
  /** true when the model came from the cache */
  cached: boolean;
  /** false when a trained model could not be stored (the warning said why); true otherwise */
  stored: boolean;
  key: string;
  dir: string;
}

const dataHashes = new WeakMap<Dataset, string>();

/** sha256 of a data set's pixels and labels (computed once per Dataset object). */
export function datasetHash(data: Dataset): string {
  let h = dataHashes.get(data);
  if (h === undefined) {
    h = crypto.createHash('sha256')
      .update(Buffer.from(data.images.buffer, data.images.byteOffset, data.images.byteLength))
      .update(Buffer.from(data.labels.buffer, data.labels.byteOffset, data.labels.byteLength))
      .digest('hex');
    dataHashes.set(data, h);
  }
  return h;
}

/**
 * Tells datasetHash the hash of `data` without reading it: a pretrain worker's view of images
 * whose hash the main thread has already computed (hashing 188 MB again in every worker costs).
 */
export function rememberDatasetHash(data: Dataset, sha256: string): void {
  dataHashes.set(data, sha256);
}

/**
 * Entries that pretrain (store/pretrain.ts) trained in this process: the next trainCached of the
 * same run loads its entry even under retrain (SAE_RETRAIN=1 then trains each model once, not twice).
 */
const freshEntries = new Set<string>();

/** Marks the entry in `dir` as just trained here (see freshEntries), or clears the mark. */
export function markFresh(dir: string, fresh = true): void {
  if (fresh) freshEntries.add(path.resolve(dir));
  else freshEntries.delete(path.resolve(dir));
}

/** Where the run of `spec` on `data` lives in the cache, and whether a usable entry is there (a quiet probe). */
export function cacheEntry(spec: TrainSpec, data: Dataset, cacheDir: string = defaultCacheDir()):
  { key: string; dir: string; description: RunDescription; hit: boolean } {
  const { key, description } = cacheKey(spec, data);
  const dir = path.join(cacheDir, key);
  let hit = false;
  if (fs.existsSync(path.join(dir, 'checkpoint.json'))) {
    const entry = loadEntry(dir, description, '', false);
    if (entry !== null) {
      entry.model.dispose();
      hit = true;
    }
  }
  return { key, dir, description, hit };
}

export function defaultCacheDir(): string {
  return process.env.SAE_CACHE_DIR || path.join(process.cwd(), '.cache', 'sae-lab');
}

/**
 * Which arithmetic produced a model: the backend, and on wasm/cpu whether the native addon's
 * products ran. Both change the numbers in the last float32 digits, so each gets its own entry.
 */
export function numericsName(): string {
  const backend = tf.getBackend();
  return backend === 'wasm' || backend === 'cpu' ? `${backend}${nativeEnabled() ? '+native' : ''}${fusedActive() ? '+fused' : ''}` : backend;
}

/** The cache key of a run: what it depends on, hashed. */
export interface RunDescription {
  cacheVersion: number;
  model: SaeConfig;
  train: TrainConfig;
  modelSeed: number;
  data: { count: number; dim: number; sha256: string };
  /** backend and native addon (see numericsName) */
  numerics: string;
}

export function cacheKey(spec: TrainSpec, data: Dataset): { key: string; description: RunDescription } {
  const train = validateTrainConfig(spec.train ?? {});
  const description: RunDescription = {
    cacheVersion: CACHE_VERSION,
    model: makeConfig(spec.model),
    train,
    modelSeed: spec.modelSeed ?? train.seed,
    data: { count: data.count, dim: data.dim, sha256: datasetHash(data) },
    numerics: numericsName(),
  };
  const key = crypto.createHash('sha256').update(JSON.stringify(description)).digest('hex').slice(0, 24);
  return { key, description };
}

/**
 * Where a stored run differs from the one asked for, as "field: stored vs wanted" phrases
 * (empty when it is the same run). The model's config is read from the loaded weights' own
 * checkpoint (covered by its hash), the rest from the description stored beside it.
 */
export function runDifferences(wanted: RunDescription, storedConfig: SaeConfig, storedSeed: number, info: Record<string, unknown>): string[] {
  const diffs: string[] = [];
  const compare = (what: string, stored: unknown, want: unknown) => {
    if (JSON.stringify(stored) !== JSON.stringify(want)) diffs.push(`${what}: stored ${JSON.stringify(stored)}, wanted ${JSON.stringify(want)}`);
  };
  for (const key of Object.keys(wanted.model) as (keyof SaeConfig)[]) compare(`model.${key}`, storedConfig[key], wanted.model[key]);
  compare('modelSeed', storedSeed, wanted.modelSeed);
  for (const key of ['cacheVersion', 'train', 'data', 'numerics'] as const) compare(key, info[key], wanted[key]);
  return diffs;
}

/** Throws unless files can be created in `dir` (made if missing). */
function checkWritable(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const probe = path.join(dir, `.write-test-${process.pid}-${Date.now()}`);
  fs.writeFileSync(probe, '');
  fs.rmSync(probe, { force: true });
}

function unwritable(root: string, err: unknown): string {
  return `the results cache ${root} is not writable (${(err as Error).message}); ` +
    'set SAE_CACHE_DIR to a writable directory to keep trained models between runs';
}

/** Resolves to the cached model for `spec` on `data`, or trains it (with progress) and caches it. */
export async function trainCached(spec: TrainSpec, data: Dataset, options: CacheOptions = {}): Promise<CachedRun> {
  (require('../data/check') as typeof import('../data/check')).checkDataset(data);
  const { key, description } = cacheKey(spec, data);
  const root = options.cacheDir ?? defaultCacheDir();
  const dir = path.join(root, key);
  const fresh = freshEntries.delete(path.resolve(dir));
  const retrain = !fresh && (options.retrain ?? envFlag('SAE_RETRAIN', false));
  const log = options.log ?? true;
  const name = options.title ?? `${description.model.sparsity} model`;
  if (!retrain && fs.existsSync(path.join(dir, 'checkpoint.json'))) {
    const hit = loadEntry(dir, description, name);
    if (hit !== null) {
      const seconds = hit.history.reduce((s, r) => s + r.seconds, 0);
      if (log) {
        console.log(`${name}: loaded from the results cache (${hit.history.length} epochs, trained in ${seconds.toFixed(0)} s ` +
          `on ${description.numerics}); retrain: true or SAE_RETRAIN=1 trains it again`);
      }
      return { model: hit.model, history: hit.history, cached: true, stored: true, key, dir };
    }
  }
  // Find out now, not after minutes of training, that the model can't be stored.
  let canStore = true;
  try {
    checkWritable(root);
  } catch (err) {
    canStore = false;
    console.warn(`${name}: ${unwritable(root, err)}. Training anyway; the model will not be cached.`);
  }
  const model = createModel(description.model, description.modelSeed);
  let history: History;
  try {
    history = await fitChecked(model, data, description.train, { title: options.title, progress: options.progress });
  } catch (err) {
    model.dispose();
    throw err;
  }
  let stored = false;
  if (canStore) {
    try {
      saveCheckpoint(dir, model, { history, seed: description.modelSeed, info: { ...description, backend: tf.getBackend() } });
      stored = true;
    } catch (err) {
      console.warn(`${name}: trained, but not cached: ${unwritable(root, err)}. The trained model is returned as usual.`);
    }
  }
  return { model, history, cached: false, stored, key, dir };
}

/** The entry in `dir` when it loads and holds exactly the run described, else null (saying why). */
function loadEntry(dir: string, description: RunDescription, name: string, warn = true): { model: SparseAutoencoder; history: History } | null {
  let ck;
  try {
    ck = loadCheckpoint(dir);
  } catch (err) {
    if (warn) console.warn(`${name}: cache entry ${dir} is unusable (${(err as Error).message}); training again`);
    return null;
  }
  const diffs = runDifferences(description, ck.model.config, ck.seed, ck.info);
  if (diffs.length === 0) return { model: ck.model, history: ck.history };
  ck.model.dispose();
  if (warn) console.warn(`${name}: cache entry ${dir} holds another run (${diffs.join('; ')}); training again`);
  return null;
}
