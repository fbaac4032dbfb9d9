/**
 * The results cache's one key scheme (store/cache.ts, store/cache-entry.ts): an entry's key is a
 * hash of its description, which holds the cache's version, the kind of entry ('sae': a lesson
 * model's checkpoint; 'dictsae': a dictionary SAE's measurement), every setting that decides the
 * result, the exact data (count, width, sha256) and the arithmetic. Checked specs enter here.
 */
import * as crypto from 'crypto';
import { Dataset } from '../data/mnist';
import { checkDataset } from '../data/check';
import { SaeConfig, makeConfig } from '../core/config';
import { TrainConfig, validateTrainConfig } from '../core/train';
import { Checks, anInteger, checkConfig } from '../core/checks';
import { numericsName } from '../runtime/engine';
import { canonicalJson, sha256Hex } from './checkpoint-meta';

/** Bump when a change to the kit makes old cached results wrong (every kind at once); 3: one key scheme for all kinds. */
export const CACHE_VERSION = 3;

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
 * Tells datasetHash the hash of `data` without reading it: a pool worker's view of images
 * whose hash the main thread has already computed (hashing 188 MB again in every worker costs).
 */
export function rememberDatasetHash(data: Dataset, sha256: string): void {
  dataHashes.set(data, sha256);
}

/** Which arithmetic produced a model: the backend and the engine (runtime/engine.ts), e.g. 'wasm+native'. */
export { numericsName };

/** What an entry's result depends on; its key is a hash of it. `data`: the data sets, in the kind's order. */
export interface EntryDescription {
  cacheVersion: number;
  kind: string;
  data: { count: number; dim: number; sha256: string }[];
  /** backend and engine (see numericsName) */
  numerics: string;
}

/** The description of a result of `kind` with `fields` on `data` (the version, data and numerics added). */
export function describeEntry<K extends string, F extends object>(kind: K, fields: F, data: Dataset[]): EntryDescription & { kind: K } & F {
  return {
    cacheVersion: CACHE_VERSION, kind, ...fields,
    data: data.map((d) => ({ count: d.count, dim: d.dim, sha256: datasetHash(d) })),
    numerics: numericsName(),
  };
}

/** The key of an entry: 24 hex digits of the sha256 of its description (keys sorted, so field order does not matter). */
export function entryKey(description: EntryDescription): string {
  return sha256Hex(canonicalJson(description)).slice(0, 24);
}

/** A lesson model's run: the full model and training configs and the initial-weights seed. */
export type RunDescription = EntryDescription & { kind: 'sae'; model: SaeConfig; train: TrainConfig; modelSeed: number };

export function cacheKey(spec: TrainSpec, data: Dataset): { key: string; description: RunDescription } {
  // Every way into the cache (trainCached, cacheEntry, pretrain) computes the key first.
  checkDataset(data);
  const checked = checkSpec(spec);
  const train = validateTrainConfig(checked.train ?? {});
  const description: RunDescription = describeEntry('sae', { model: makeConfig(checked.model), train, modelSeed: checked.modelSeed ?? train.seed }, [data]);
  return { key: entryKey(description), description };
}

/**
 * Where a stored description differs from the one wanted, as "field: stored X, wanted Y" phrases
 * (empty when it is the same), one level into objects: "model.latentDim: stored 32, wanted 16".
 */
export function differences(stored: Record<string, unknown>, wanted: Record<string, unknown>, prefix = ''): string[] {
  const diffs: string[] = [];
  for (const key of Object.keys(wanted)) {
    const [s, w] = [stored?.[key], wanted[key]];
    if (canonicalJson(s) === canonicalJson(w)) continue;
    const objects = !prefix && [s, w].every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    if (objects) diffs.push(...differences(s as Record<string, unknown>, w as Record<string, unknown>, `${key}.`));
    else diffs.push(`${prefix}${key}: stored ${JSON.stringify(s)}, wanted ${JSON.stringify(w)}`);
  }
  return diffs;
}

/**
 * Where a loaded checkpoint differs from the run wanted: its model config is read from the weights'
 * own checkpoint (covered by its hashes), the rest from the description saved in it.
 */
export function runDifferences(wanted: RunDescription, storedConfig: SaeConfig, storedSeed: number, info: Record<string, unknown>): string[] {
  const { model, modelSeed, ...rest } = wanted;
  return [...differences({ model: storedConfig, modelSeed: storedSeed }, { model, modelSeed }), ...differences(info, rest)];
}
