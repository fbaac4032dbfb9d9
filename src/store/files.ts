/**
 * File writes that never leave a half-written file behind, the cleanup of those that were killed,
 * and the reads and directories that the results cache trusts: regular files of a known size
 * (never a link, a FIFO or a device), directories made one level at a time.
 */
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

/**
 * Writes to a temporary name in the same directory, then renames over `file`. The temporary file
 * is created new ('wx': never an existing file or a link's target), and the rename replaces what
 * `file` was (a link included) instead of writing through it.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tempName(file);
  try {
    fs.writeFileSync(tmp, data, { flag: 'wx' });
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

/** What a directory entry is, for errors: "a symbolic link", "a FIFO", "a directory", ... */
export function kindOf(st: fs.Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return st.isFile() ? 'a regular file' : 'not a regular file';
}

/** An error with a code, as fs gives them (so callers can tell ENOENT from the rest). */
function codedError(message: string, code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/**
 * The bytes of `file` when it is a regular file (not a link: O_NOFOLLOW; not a FIFO or device:
 * checked on the open descriptor, which O_NONBLOCK keeps a FIFO from blocking) of at most
 * `maxBytes`, or of exactly `exactBytes`; the size is checked before anything is read. Errors:
 * ENOENT as fs gives it; ELOOP "is a symbolic link"; EFTYPE "is a FIFO" (not a regular file);
 * EFBIG "holds N bytes, expected ...".
 */
export function readRegularFile(file: string, limit: { maxBytes?: number; exactBytes?: number }): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw codedError(`${path.basename(file)} is a symbolic link, not a regular file`, 'ELOOP');
    throw err;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw codedError(`${path.basename(file)} is ${kindOf(st)}, not a regular file`, 'EFTYPE');
    const { maxBytes, exactBytes } = limit;
    if (exactBytes !== undefined && st.size !== exactBytes) {
      throw codedError(`${path.basename(file)} holds ${st.size} bytes, expected ${exactBytes} (truncated?)`, 'EFBIG');
    }
    if (maxBytes !== undefined && st.size > maxBytes) {
      throw codedError(`${path.basename(file)} holds ${st.size} bytes, expected at most ${maxBytes}`, 'EFBIG');
    }
    // One byte more than the size, to notice a file that grows while it is read.
    const bytes = Buffer.alloc(st.size + 1);
    let got = 0;
    for (;;) {
      const n = fs.readSync(fd, bytes, got, bytes.length - got, got);
      got += n;
      if (n === 0 || got === bytes.length) break;
    }
    if (got !== st.size) throw codedError(`${path.basename(file)} changed size while it was read`, 'EFBIG');
    return bytes.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync spins forever under /proc and says
 * ENOENT where the truth is EROFS or EACCES. Errors read "cannot create <dir>: <why>".
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  const fail = (why: string, code: string | undefined) => codedError(`cannot create ${dir}: ${why}`, code ?? 'EIO');
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(at);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') throw fail(e.message, e.code);
    }
    if (st !== null) {
      if (!st.isDirectory()) throw fail(`${at} exists and is ${kindOf(st)}, not a directory`, 'ENOTDIR');
      break;
    }
    missing.push(at);
    if (path.dirname(at) === at) break;
  }
  for (const at of missing.reverse()) {
    try {
      fs.mkdirSync(at);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EEXIST' && fs.statSync(at).isDirectory()) continue; // another writer made it
      throw fail(e.message, e.code);
    }
  }
}

/**
 * Makes `dir` a directory of its own in its (existing or made) parent: a link there is removed, not
 * followed, and so is a file, FIFO or socket. Nothing outside the parent is touched.
 */
export function ownDirectory(dir: string): void {
  makeDirs(path.dirname(dir));
  let st: fs.Stats | null = null;
  try {
    st = fs.lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (st?.isDirectory()) return;
  if (st !== null) fs.unlinkSync(dir); // the link itself, never what it points to
  try {
    fs.mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.lstatSync(dir).isDirectory()) throw err;
  }
}
