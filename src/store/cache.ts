/**
 * A results cache for trained models, so the second run of a notebook (or of a workshop) is
 * instant. The key (store/cache-key.ts) is a hash of everything that decides the result: the full
 * model config, the full training config, the initial-weights seed and the exact training data.
 * `retrain: true` or SAE_RETRAIN=1 trains again (and refreshes the entry).
 *
 * An entry is a directory of the cache's own, `<cache>/<key>`, holding regular files: a link (to
 * a folder or a file anywhere), a FIFO, a device or a directory where a file belongs is a miss,
 * never followed or read, and the save that follows replaces it. Nothing outside the cache
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
import { kindOf, makeDirs, ownDirectory } from './files';
import { RunDescription, TrainSpec, cacheKey, runDifferences } from './cache-key';

export { CACHE_VERSION, cacheKey, checkSpec, datasetHash, numericsName, rememberDatasetHash, runDifferences } from './cache-key';
export type { RunDescription, TrainSpec } from './cache-key';

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

/** The cache's directory, and how messages name it: "SAE_CACHE_DIR=<path>: " when the variable chose it. */
function cacheRoot(given: string | undefined): { root: string; origin: string } {
  const env = process.env.SAE_CACHE_DIR;
  if (given !== undefined || !env) return { root: given ?? defaultCacheDir(), origin: '' };
  return { root: env, origin: `SAE_CACHE_DIR=${env}: ` };
}

/** Throws unless files can be created in `dir` (made if missing, one level at a time: no hang under /proc). */
function checkWritable(dir: string): void {
  makeDirs(dir);
  const probe = path.join(dir, `.write-test-${process.pid}-${Date.now()}`);
  fs.writeFileSync(probe, '', { flag: 'wx' });
  fs.rmSync(probe, { force: true });
}

function unwritable(root: string, origin: string, err: unknown): string {
  return `${origin}the results cache ${root} is not writable (${(err as Error).message}); ` +
    'set SAE_CACHE_DIR to a writable directory to keep trained models between runs';
}

/** Why a save into the entry `dir` failed: the whole cache when it is not writable, else that entry. */
function saveFailure(root: string, origin: string, dir: string, err: unknown): string {
  try {
    checkWritable(root);
  } catch {
    return unwritable(root, origin, err);
  }
  return `cache entry ${dir} could not be written (${(err as Error).message})`;
}

/**
 * Clears what would block a save into the entry `dir`: a link, file or FIFO in its place is
 * removed (the link, never its target), and so is a checkpoint.json that is not a regular file
 * (a directory, a link, a FIFO). Throws when that cannot be done.
 */
function clearEntry(dir: string): void {
  const lstat = (p: string) => {
    try {
      return fs.lstatSync(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  };
  const st = lstat(dir);
  if (st === null) return;
  if (!st.isDirectory()) return fs.unlinkSync(dir);
  const meta = path.join(dir, 'checkpoint.json');
  if (!(lstat(meta)?.isFile() ?? true)) fs.rmSync(meta, { recursive: true, force: true });
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
  let storeError: string | undefined;
  try {
    checkWritable(root);
  } catch (err) {
    storeError = unwritable(root, origin, err);
  }
  try {
    if (storeError === undefined) clearEntry(dir);
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
      clearEntry(dir);
      saveCheckpoint(dir, model, { history, seed: description.modelSeed, info: { ...description, backend: tf.getBackend() } });
    } catch (err) {
      storeError = saveFailure(root, origin, dir, err);
      console.warn(`${name}: trained, but not cached: ${storeError}. The trained model is returned as usual.`);
    }
  }
  return { model, history, cached: false, stored: storeError === undefined, ...(storeError === undefined ? {} : { storeError }), key, dir };
}

/** The entry in `dir` when it loads and holds exactly the run described, else null (saying why). */
function loadEntry(dir: string, description: RunDescription, name: string, warn = true): { model: SparseAutoencoder; history: History } | null {
  let ck;
  try {
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) throw new Error(`it is ${kindOf(st)}, not a directory of the cache`);
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
