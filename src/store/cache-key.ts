/**
 * The results cache's key (store/cache.ts): a run's spec checked, and hashed with everything that
 * decides its result: the full model config, the full training config, the initial-weights seed,
 * the exact training data and the arithmetic.
 */
import * as crypto from 'crypto';
import { Dataset } from '../data/mnist';
import { checkDataset } from '../data/check';
import { SaeConfig, makeConfig } from '../core/config';
import { TrainConfig, validateTrainConfig } from '../core/train';
import { Checks, anInteger, checkConfig } from '../core/checks';
import * as tf from '../runtime/tf';
import { nativeEnabled } from '../runtime/native';
import { fusedActive } from '../runtime/fused';

/** Bump when a change to the kit makes old cached models wrong. */
export const CACHE_VERSION = 2;

export interface TrainSpec {
  model: Partial<SaeConfig>;
  train?: Partial<TrainConfig>;
  /** seed of the initial weights; the training seed by default */
  modelSeed?: number;
}

const anObject = (what: string) => (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? null : what);
const optional = (check: (v: unknown) => string | null) => (v: unknown) => (v === undefined ? null : check(v));

/** The fields of a TrainSpec; what pretrain's specs add (a title) is checked by pretrain. */
export const TRAIN_SPEC_CHECKS: Checks<TrainSpec> = {
  model: anObject('an object of SaeConfig fields'),
  train: optional(anObject('an object of TrainConfig fields')),
  modelSeed: optional((v) => anInteger(v, {})),
};

/**
 * `spec` checked as `name` (TrainSpec, or PretrainSpec with `checks` holding its title): an unknown
 * field (`modelseed`) is an error naming it and the fields, in the kit's one wording.
 */
export function checkSpec<T extends TrainSpec>(spec: T, name = 'TrainSpec', checks: Checks<T> = TRAIN_SPEC_CHECKS as unknown as Checks<T>): T {
  return checkConfig(name, checks, { model: {} } as T, spec);
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
  // Every way into the cache (trainCached, cacheEntry, pretrain) computes the key first.
  checkDataset(data);
  const checked = checkSpec(spec);
  const train = validateTrainConfig(checked.train ?? {});
  const description: RunDescription = {
    cacheVersion: CACHE_VERSION,
    model: makeConfig(checked.model),
    train,
    modelSeed: checked.modelSeed ?? train.seed,
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
