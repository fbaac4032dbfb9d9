/**
 * The DictSaePool's measurements in the results cache: `<cache>/dictsae/<key>.json` holds the
 * description its numbers depend on (the key hashes it), the numbers, and a sha256 of both, so
 * that an edited or corrupted file (`fvu` changed, `l0 = 9` for k = 4) is a miss that trains again
 * and replaces it, never a cache hit. As for checkpoints: regular files only (a link, a FIFO or a
 * device is a miss, never followed or read), `dictsae` a directory of the cache's own.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { validateTrainConfig } from '../core/train';
import { datasetHash, numericsName } from '../store/cache';
import { canonicalJson, sha256Hex } from '../store/checkpoint-meta';
import { ownDirectory, readRegularFile, writeFileAtomic } from '../store/files';
import { makeDictSaeConfig } from './dictsae';
import type { DictSaeData, DictSaeMeasure, DictSaeTask } from './dictsae-pool';

/** What a measurement depends on (its key is a hash of this). */
export interface MeasureDescription {
  kind: 'dictsae-measure';
  version: number;
  config: ReturnType<typeof makeDictSaeConfig>;
  seed: number;
  train: ReturnType<typeof validateTrainConfig>;
  data: { count: number; dim: number; sha256: string }[];
  numerics: string;
}

/** A measurement file is a description and five numbers: far below this. */
const MAX_BYTES = 1 << 20;
const NUMBERS = ['l0', 'fvu', 'fvuRaw', 'seconds', 'finalLoss'] as const;

/** The results-cache file of a task and what its numbers depend on. */
export function measureEntry(task: DictSaeTask, data: DictSaeData, cacheDir: string): { file: string; description: MeasureDescription } {
  const description: MeasureDescription = {
    kind: 'dictsae-measure',
    // bump when DictSae's training numbers change (its code, not its config), so old entries miss
    version: 1,
    config: makeDictSaeConfig(task.options),
    seed: task.seed ?? 42,
    train: validateTrainConfig(task.train ?? {}),
    data: [data.train, data.test].map((d) => ({ count: d.count, dim: d.dim, sha256: datasetHash(d) })),
    numerics: numericsName(),
  };
  const key = crypto.createHash('sha256').update(JSON.stringify(description)).digest('hex').slice(0, 24);
  return { file: path.join(cacheDir, 'dictsae', `${key}.json`), description };
}

/** The sha256 stored beside a measurement: of its description and numbers, as JSON gives them back. */
function measureHash(description: unknown, result: unknown): string {
  return sha256Hex(canonicalJson(JSON.parse(JSON.stringify({ description, result }))));
}

/**
 * The stored measurement, or why there is none usable: `missing` (no file: nothing to say), else
 * a phrase for a warning (not a regular file, edited, stored for another description).
 */
export function readMeasure(file: string, description: MeasureDescription): { measure: DictSaeMeasure } | { why: string; missing?: true } {
  let stored: { description?: unknown; result?: Record<string, unknown>; sha256?: unknown };
  try {
    const dir = fs.lstatSync(path.dirname(file));
    if (!dir.isDirectory()) return { why: `${path.dirname(file)} is not a directory of the cache (a link?)` };
    stored = JSON.parse(readRegularFile(file, { maxBytes: MAX_BYTES }).toString('utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { why: 'no such file', missing: true };
    return { why: (err as Error).message };
  }
  if (stored === null || typeof stored !== 'object') return { why: 'it holds no measurement' };
  if (typeof stored.sha256 !== 'string') return { why: 'it has no sha256 (written by an older kit)' };
  if (stored.sha256 !== measureHash(stored.description, stored.result)) {
    return { why: 'it was edited or corrupted after it was stored: its sha256 does not match' };
  }
  if (JSON.stringify(stored.description) !== JSON.stringify(description)) return { why: 'it holds another run\'s measurement' };
  const r = stored.result;
  if (!r || !NUMBERS.every((k) => typeof r[k] === 'number' && Number.isFinite(r[k]))) return { why: 'its numbers are not all finite' };
  return { measure: r as unknown as DictSaeMeasure };
}

/** Stores a measurement atomically; `dictsae` is made a directory of the cache's own first (a link there is replaced). */
export function writeMeasure(file: string, description: MeasureDescription, result: DictSaeMeasure): void {
  ownDirectory(path.dirname(file));
  writeFileAtomic(file, JSON.stringify({ description, result, sha256: measureHash(description, result) }, null, 1));
}
