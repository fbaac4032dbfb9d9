/**
 * The results cache's entries, of every kind, and its one reader. An entry is `<cache>/<key>/`
 * (the key: store/cache-key.ts), a directory of the cache's own holding regular files, and in it
 * `entry.json`: { format, description, result, sha256 }, the sha256 covering description and
 * result. A kind's own files sit beside it (a checkpoint's checkpoint.json and weights).
 * readEntry gives the result only when the directory is a real directory (a link to a folder
 * anywhere is a miss, never followed), entry.json a regular file (not a link, FIFO or device), its
 * sha256 matches (an edited or damaged file is a miss) and its description is the one wanted.
 * An entry of an older kit (another key, no entry.json) is simply a miss. Nothing outside the
 * cache directory is written or deleted.
 */
import * as fs from 'fs';
import * as path from 'path';
import { canonicalJson, sha256Hex } from './checkpoint-meta';
import { kindOf, makeDirs, ownDirectory, readRegularFile, writeFileAtomic } from './files';
import { EntryDescription, differences } from './cache-key';

export const ENTRY_FILE = 'entry.json';
const ENTRY_FORMAT = 'sae-lab-cache-entry';
/** An entry.json is a description and a small result: far below this. */
const MAX_BYTES = 1 << 20;

/** What reading an entry gave: its result, or why there is none (`missing`: nothing there, nothing to say). */
export type EntryRead = { result: unknown } | { why: string; missing?: true };

export function defaultCacheDir(): string {
  return process.env.SAE_CACHE_DIR || path.join(process.cwd(), '.cache', 'sae-lab');
}

/** The cache's directory, and how messages name it: "SAE_CACHE_DIR=<path>: " when the variable chose it. */
export function cacheRoot(given: string | undefined): { root: string; origin: string } {
  const env = process.env.SAE_CACHE_DIR;
  if (given !== undefined || !env) return { root: given ?? defaultCacheDir(), origin: '' };
  return { root: env, origin: `SAE_CACHE_DIR=${env}: ` };
}

/** Throws unless files can be created in `dir` (made if missing, one level at a time: no hang under /proc). */
export function checkWritable(dir: string): void {
  makeDirs(dir);
  const probe = path.join(dir, `.write-test-${process.pid}-${Date.now()}`);
  fs.writeFileSync(probe, '', { flag: 'wx' });
  fs.rmSync(probe, { force: true });
}

export function unwritable(root: string, origin: string, err: unknown): string {
  return `${origin}the results cache ${root} is not writable (${(err as Error).message}); ` +
    'set SAE_CACHE_DIR to a writable directory to keep trained models between runs';
}

/** Why a save into the entry `dir` failed: the whole cache when it is not writable, else that entry. */
export function saveFailure(root: string, origin: string, dir: string, err: unknown): string {
  try {
    checkWritable(root);
  } catch {
    return unwritable(root, origin, err);
  }
  return `cache entry ${dir} could not be written (${(err as Error).message})`;
}

/** The sha256 stored in entry.json: of its description and result, as JSON gives them back. */
function entryHash(description: unknown, result: unknown): string {
  return sha256Hex(canonicalJson(JSON.parse(JSON.stringify({ description, result }))));
}

function lstat(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The one reader: the result stored in the entry `dir` when it is an intact entry of `wanted`, else why not. */
export function readEntry(dir: string, wanted: EntryDescription): EntryRead {
  let stored: { format?: unknown; description?: Record<string, unknown>; result?: unknown; sha256?: unknown };
  try {
    const st = lstat(dir);
    if (st === null) return { why: 'no such entry', missing: true };
    if (!st.isDirectory()) return { why: `it is ${kindOf(st)}, not a directory of the cache` };
    stored = JSON.parse(readRegularFile(path.join(dir, ENTRY_FILE), { maxBytes: MAX_BYTES }).toString('utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { why: `no ${ENTRY_FILE}`, missing: true };
    return { why: (err as Error).message };
  }
  if (stored === null || typeof stored !== 'object' || stored.format !== ENTRY_FORMAT) return { why: `${ENTRY_FILE} holds no entry of this kit` };
  if (typeof stored.sha256 !== 'string') return { why: `${ENTRY_FILE} has no sha256` };
  if (stored.sha256 !== entryHash(stored.description, stored.result)) {
    return { why: 'it was edited or corrupted after it was stored: its sha256 does not match' };
  }
  const diffs = differences(stored.description ?? {}, wanted as unknown as Record<string, unknown>);
  if (diffs.length > 0) return { why: `it holds another run (${diffs.join('; ')})` };
  return { result: stored.result };
}

/**
 * Clears what would block a save into the entry `dir`: a link, file or FIFO in its place is removed
 * (the link, never its target), and so is any of entry.json and `files` that is not a regular file
 * (a directory, a link, a FIFO). entry.json goes in any case, so a save that stops half-way leaves
 * a miss. Throws when that cannot be done.
 */
export function clearEntry(dir: string, files: string[] = []): void {
  const st = lstat(dir);
  if (st === null) return;
  if (!st.isDirectory()) return fs.unlinkSync(dir);
  for (const f of files) {
    const p = path.join(dir, f);
    if (!(lstat(p)?.isFile() ?? true)) fs.rmSync(p, { recursive: true, force: true });
  }
  fs.rmSync(path.join(dir, ENTRY_FILE), { recursive: true, force: true });
}

/** Writes entry.json last (atomically), once the kind's own files are in place; `dir` is made a directory of the cache's own. */
export function writeEntry(dir: string, description: EntryDescription, result: unknown): void {
  ownDirectory(dir);
  writeFileAtomic(path.join(dir, ENTRY_FILE),
    JSON.stringify({ format: ENTRY_FORMAT, description, result, sha256: entryHash(description, result) }, null, 1));
}

/**
 * Stores `result` as the entry `key` of the cache `cacheDir` (clearing what is in its way first);
 * resolves to why it was not stored, or undefined.
 */
export function storeResult(cacheDir: string | undefined, key: string, description: EntryDescription, result: unknown): string | undefined {
  const { root, origin } = cacheRoot(cacheDir);
  const dir = path.join(root, key);
  try {
    checkWritable(root);
  } catch (err) {
    return unwritable(root, origin, err);
  }
  try {
    clearEntry(dir);
    writeEntry(dir, description, result);
  } catch (err) {
    return saveFailure(root, origin, dir, err);
  }
  return undefined;
}
