/**
 * A results cache for trained models, so the second run of a notebook (or of a workshop) is
 * instant. The key is a hash of everything that decides the result: the full model config,
 * the full training config, the initial-weights seed and the exact training data.
 * `retrain: true` or SAE_RETRAIN=1 trains again (and refreshes the entry).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Dataset } from './data/mnist';
import { SaeConfig, makeConfig } from './models/config';
import { SparseAutoencoder, createModel } from './models/sae';
import { FitOptions, History, TrainConfig, fit, validateTrainConfig } from './train';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import * as tf from './tf';

/** Bump when a change to the kit makes old cached models wrong. */
const CACHE_VERSION = 1;

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

export function defaultCacheDir(): string {
  return process.env.SAE_CACHE_DIR || path.join(process.cwd(), '.cache', 'sae-lab');
}

/** The cache key of a run: what it depends on, hashed. */
export interface RunDescription {
  cacheVersion: number;
  model: SaeConfig;
  train: TrainConfig;
  modelSeed: number;
  data: { count: number; dim: number; sha256: string };
}

export function cacheKey(spec: TrainSpec, data: Dataset): { key: string; description: RunDescription } {
  const train = validateTrainConfig(spec.train ?? {});
  const description: RunDescription = {
    cacheVersion: CACHE_VERSION,
    model: makeConfig(spec.model),
    train,
    modelSeed: spec.modelSeed ?? train.seed,
    data: { count: data.count, dim: data.dim, sha256: datasetHash(data) },
  };
  const key = crypto.createHash('sha256').update(JSON.stringify(description)).digest('hex').slice(0, 24);
  return { key, description };
}

/** Resolves to the cached model for `spec` on `data`, or trains it (with progress) and caches it. */
export async function trainCached(spec: TrainSpec, data: Dataset, options: CacheOptions = {}): Promise<CachedRun> {
  const { key, description } = cacheKey(spec, data);
  const dir = path.join(options.cacheDir ?? defaultCacheDir(), key);
  const retrain = options.retrain ?? process.env.SAE_RETRAIN === '1';
  const log = options.log ?? true;
  const name = options.title ?? `${description.model.sparsity} model`;
  if (!retrain && fs.existsSync(path.join(dir, 'checkpoint.json'))) {
    try {
      const ck = loadCheckpoint(dir);
      const seconds = ck.history.reduce((s, r) => s + r.seconds, 0);
      if (log) {
        console.log(`${name}: loaded from the results cache (${ck.history.length} epochs, trained in ${seconds.toFixed(0)} s ` +
          `on ${String(ck.info.backend ?? '?')}); retrain: true or SAE_RETRAIN=1 trains it again`);
      }
      return { model: ck.model, history: ck.history, cached: true, key, dir };
    } catch (err) {
      console.warn(`${name}: cache entry ${dir} is unusable (${(err as Error).message}); training again`);
    }
  }
  const model = createModel(description.model, description.modelSeed);
  try {
    const history = await fit(model, data, { ...description.train, title: options.title, progress: options.progress });
    saveCheckpoint(dir, model, { history, seed: description.modelSeed, info: { ...description, backend: tf.getBackend() } });
    return { model, history, cached: false, key, dir };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
