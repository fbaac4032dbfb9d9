/** File writes that never leave a half-written file behind, and the cleanup of those that were killed. */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The temporary name writeFileAtomic writes `file` under: `.<name>.<pid>.<time>.<random>.tmp`.
 * The pid lets a later cleanup tell a killed writer's leftover from a live writer's file in progress;
 * the random part keeps two writers of one pid (worker threads) in the same millisecond apart.
 */
export function tempName(file: string): string {
  const random = crypto.randomBytes(4).toString('hex');
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.${random}.tmp`);
}

/** Writes to a temporary name in the same directory, then renames over `file`. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tempName(file);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }
}

/** Whether a process with this id runs on this machine (one owned by another user counts). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Temporary files of writeFileAtomic, `.<name>.<pid>.<time>.<random>.tmp`, and the older form
 * `.<name>.<pid>.<time>.tmp`. The current form is matched first: its random part may be all digits,
 * and read by the older pattern it would be taken for the time, and the time for the pid.
 */
const TEMP_FILES = [/^\..+\.(\d+)\.\d+\.[0-9a-f]{8}\.tmp$/, /^\..+\.(\d+)\.\d+\.tmp$/];

/** The pid in a temporary file's name, or null when the name is not one of writeFileAtomic's. */
function tempFilePid(name: string): number | null {
  for (const pattern of TEMP_FILES) {
    const match = pattern.exec(name);
    if (match) return Number(match[1]);
  }
  return null;
}

/** A write taking longer than this is taken as hung or killed even when its pid is in use again. */
export const STALE_AFTER_MS = 60 * 60 * 1000;

/**
 * Deletes `file` if it can; false when it cannot (permissions, a busy file). Cleanup is best effort:
 * a leftover that stays is removed by a later cleanup, and must not fail the write that triggered it.
 */
export function removeQuietly(file: string): boolean {
  try {
    fs.rmSync(file, { force: true });
    return true;
  } catch {
    return false;
  }
}

/** Age of a file in ms, or null when it is already gone (another cleanup removed it). */
function ageMs(file: string): number | null {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Removes the temporary files that killed writeFileAtomic calls left in `dir`: those whose writer is
 * no longer running, and any older than STALE_AFTER_MS. A live writer's file in progress is kept, so
 * its rename still finds it. Writers are assumed to run on this machine (pids are local).
 * Returns the names removed.
 */
export function removeOrphanTemps(dir: string): string[] {
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const pid = tempFilePid(name);
    if (pid === null) continue;
    const age = ageMs(path.join(dir, name));
    if (age === null) continue;
    if (processAlive(pid) && age < STALE_AFTER_MS) continue;
    if (removeQuietly(path.join(dir, name))) removed.push(name);
  }
  return removed;
}
