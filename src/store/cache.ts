/**
 * The results cache's lesson models, so the second run of a notebook (or of a workshop) is
 * instant. The key (store/cache-key.ts) is a hash of everything that decides the result: the full
 * model config, the full training config, the initial-weights seed and the exact training data.
 * `retrain: true` or SAE_RETRAIN=1 trains again (and refreshes the entry).
 *
 * An entry (store/cache-entry.ts: the one reader of every kind of entry) is a directory of the
 * cache's own, `<cache>/<key>`, holding regular files: entry.json, checkpoint.json and the weights.
 * A link (to a folder or a file anywhere), a FIFO, a device or a directory where a file belongs is
 * a miss, never followed or read, and the save that follows replaces it. Nothing outside the cache
 * directory is written or deleted.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Dataset } from '../data/mnist';
import { SparseAutoencoder, createModel } from '../core/sae';
import { FitOptions, History, fitChecked } from '../core/train';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import * as tf from '../runtime/tf';
import { envFlag } from '../runtime/settings';
import { ownDirectory } from './files';
import { RunDescription, TrainSpec, cacheKey, runDifferences } from './cache-key';
import { cacheRoot, checkWritable, clearEntry, defaultCacheDir, readEntry, saveFailure, unwritable, writeEntry } from './cache-entry';

export { CACHE_VERSION, cacheKey, checkSpec, datasetHash, entryKey, numericsName, rememberDatasetHash } from './cache-key';
export type { EntryDescription, RunDescription, TrainSpec } from './cache-key';
export { defaultCacheDir, readEntry } from './cache-entry';

/** The files of a lesson model's entry besides entry.json. */
const CHECKPOINT_FILES = ['checkpoint.json'];

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
  /** why it was not stored (the warning's reason); absent when it was stored or loaded */
  storeError?: string;
  key: string;
  dir: string;
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
  const entry = loadEntry(dir, description, '', false);
  entry?.model.dispose();
  return { key, dir, description, hit: entry !== null };
}

/** Resolves to the cached model for `spec` on `data`, or trains it (with progress) and caches it. */
export async function trainCached(spec: TrainSpec, data: Dataset, options: CacheOptions = {}): Promise<CachedRun> {
  const { key, description } = cacheKey(spec, data);
  const { root, origin } = cacheRoot(options.cacheDir);
  const dir = path.join(root, key);
  const fresh = freshEntries.delete(path.resolve(dir));
  const retrain = !fresh && (options.retrain ?? envFlag('SAE_RETRAIN', false));
  const log = options.log ?? true;
  const name = options.title ?? `${description.model.sparsity} model`;
  const hit = retrain ? null : loadEntry(dir, description, name);
  if (hit !== null) {
    const seconds = hit.history.reduce((s, r) => s + r.seconds, 0);
    if (log) {
      console.log(`${name}: loaded from the results cache (${hit.history.length} epochs, trained in ${seconds.toFixed(0)} s ` +
        `on ${description.numerics}); retrain: true or SAE_RETRAIN=1 trains it again`);
    }
    return { model: hit.model, history: hit.history, cached: true, stored: true, key, dir };
  }
  // Find out now, not after minutes of training, that the model can't be stored.
  let storeError: string | undefined;
  try {
    checkWritable(root);
  } catch (err) {
    storeError = unwritable(root, origin, err);
  }
  try {
    if (storeError === undefined) clearEntry(dir, CHECKPOINT_FILES);
  } catch (err) {
    storeError = `cache entry ${dir} cannot be replaced (${(err as Error).message})`;
  }
  if (storeError !== undefined) console.warn(`${name}: ${storeError}. Training anyway; the model will not be cached.`);
  const model = createModel(description.model, description.modelSeed);
  let history: History;
  try {
    history = await fitChecked(model, data, description.train, { title: options.title, progress: options.progress });
  } catch (err) {
    model.dispose();
    throw err;
  }
  if (storeError === undefined) {
    try {
      ownDirectory(dir);
      clearEntry(dir, CHECKPOINT_FILES);
      saveCheckpoint(dir, model, { history, seed: description.modelSeed, info: { ...description, backend: tf.getBackend() } });
      writeEntry(dir, description, { files: CHECKPOINT_FILES });
    } catch (err) {
      storeError = saveFailure(root, origin, dir, err);
      console.warn(`${name}: trained, but not cached: ${storeError}. The trained model is returned as usual.`);
    }
  }
  return { model, history, cached: false, stored: storeError === undefined, ...(storeError === undefined ? {} : { storeError }), key, dir };
}

/**
 * The entry in `dir` when entry.json holds exactly the run described and its checkpoint loads and
 * holds it too, else null (saying why, unless it is simply not there).
 */
function loadEntry(dir: string, description: RunDescription, name: string, warn = true): { model: SparseAutoencoder; history: History } | null {
  const unusable = (why: string) => {
    if (warn) console.warn(`${name}: cache entry ${dir} is unusable (${why}); training again`);
    return null;
  };
  const read = readEntry(dir, description);
  if ('why' in read) return read.missing ? null : unusable(read.why);
  let ck;
  try {
    ck = loadCheckpoint(dir);
  } catch (err) {
    return unusable((err as Error).message);
  }
  const diffs = runDifferences(description, ck.model.config, ck.seed, ck.info);
  if (diffs.length === 0) return { model: ck.model, history: ck.history };
  ck.model.dispose();
  return unusable(`its checkpoint holds another run (${diffs.join('; ')})`);
}
