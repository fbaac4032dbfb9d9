/**
 * Node's synchronous `fs` for the browser build of the kit: a file system in memory (the results
 * cache, checkpoints) with read-only folders of the site mounted into it (MNIST, the pre-filled
 * results cache). A mounted file is fetched on its first read with a synchronous XMLHttpRequest,
 * which a Web Worker may make (the kernel runs in one), so the kit's synchronous readers such as
 * loadMnist stay as they are. What a cell writes lasts as long as its kernel.
 */
import * as path from './path';
import { Buffer } from './buffer';

interface FileNode { kind: 'file'; data: Uint8Array | null; size: number; url?: string; mtimeMs: number }
interface DirNode { kind: 'dir'; mtimeMs: number }
type Node = FileNode | DirNode;

const nodes = new Map<string, Node>([['/', { kind: 'dir', mtimeMs: Date.now() }]]);

export const constants = Object.freeze({ O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_NOFOLLOW: 131072, O_NONBLOCK: 2048, F_OK: 0, R_OK: 4, W_OK: 2 });

function fsError(code: string, syscall: string, p: string): Error {
  const messages: Record<string, string> = {
    ENOENT: 'no such file or directory', EEXIST: 'file already exists', ENOTDIR: 'not a directory',
    EISDIR: 'illegal operation on a directory', ENOTEMPTY: 'directory not empty', EBADF: 'bad file descriptor',
  };
  const err = new Error(`${code}: ${messages[code] ?? code}, ${syscall} '${p}'`) as Error & { code: string; syscall: string; path: string };
  err.code = code;
  err.syscall = syscall;
  err.path = p;
  return err;
}

const abs = (p: string | URL): string => path.resolve(String(p));

function parentMustBeDir(p: string, syscall: string): void {
  const parent = nodes.get(path.dirname(p));
  if (parent === undefined) throw fsError('ENOENT', syscall, p);
  if (parent.kind !== 'dir') throw fsError('ENOTDIR', syscall, p);
}

/**
 * Mounts files served by the site: `files` maps each path under `dir` (relative, '/'-separated) to
 * its size in bytes; `base` is the URL they are fetched from (base + the relative path).
 */
export function mount(dir: string, base: string, files: Record<string, number>): void {
  const root = abs(dir);
  mkdirSync(root, { recursive: true });
  for (const [rel, size] of Object.entries(files)) {
    const p = path.join(root, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    nodes.set(p, { kind: 'file', data: null, size, url: base.replace(/\/?$/, '/') + rel.split('/').map(encodeURIComponent).join('/'), mtimeMs: Date.now() });
  }
}

function contents(p: string, node: FileNode): Uint8Array {
  if (node.data === null) {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', node.url!, false);
    xhr.responseType = 'arraybuffer';
    xhr.send();
    if (xhr.status !== 200) throw new Error(`sae-lab in the browser: could not fetch ${p} from ${node.url} (HTTP ${xhr.status})`);
    node.data = new Uint8Array(xhr.response as ArrayBuffer);
    node.size = node.data.length;
  }
  return node.data;
}

export class Stats {
  constructor(private readonly node: Node, readonly size: number) {}
  get mtimeMs(): number { return this.node.mtimeMs; }
  get mtime(): Date { return new Date(this.node.mtimeMs); }
  isFile(): boolean { return this.node.kind === 'file'; }
  isDirectory(): boolean { return this.node.kind === 'dir'; }
  isSymbolicLink(): boolean { return false; }
  isFIFO(): boolean { return false; }
  isSocket(): boolean { return false; }
  isCharacterDevice(): boolean { return false; }
  isBlockDevice(): boolean { return false; }
}

const statOf = (node: Node): Stats => new Stats(node, node.kind === 'file' ? (node.data?.length ?? node.size) : 4096);

export function existsSync(p: string | URL): boolean {
  return nodes.has(abs(p));
}

export function statSync(p: string | URL, options?: { throwIfNoEntry?: boolean }): Stats | undefined {
  const node = nodes.get(abs(p));
  if (node === undefined) {
    if (options?.throwIfNoEntry === false) return undefined;
    throw fsError('ENOENT', 'stat', String(p));
  }
  return statOf(node);
}

export const lstatSync = statSync;

type ReadOptions = string | { encoding?: string | null; flag?: string } | undefined | null;
const encodingOf = (o: ReadOptions): string | null => (typeof o === 'string' ? o : o?.encoding ?? null);

export function readFileSync(p: string | URL, options?: ReadOptions): string | Buffer {
  const file = abs(p);
  const node = nodes.get(file);
  if (node === undefined) throw fsError('ENOENT', 'open', String(p));
  if (node.kind === 'dir') throw fsError('EISDIR', 'read', String(p));
  const data = contents(file, node);
  const enc = encodingOf(options);
  const buf = new Buffer(data.buffer, data.byteOffset, data.byteLength);
  return enc === null ? buf : buf.toString(enc);
}

export function writeFileSync(p: string | URL, data: string | ArrayBufferView, options?: string | { flag?: string; encoding?: string }): void {
  const file = abs(p);
  parentMustBeDir(file, 'open');
  const existing = nodes.get(file);
  const flag = typeof options === 'object' ? options.flag : undefined;
  if (existing !== undefined && flag !== undefined && flag.includes('x')) throw fsError('EEXIST', 'open', String(p));
  if (existing?.kind === 'dir') throw fsError('EISDIR', 'open', String(p));
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  nodes.set(file, { kind: 'file', data: bytes, size: bytes.length, mtimeMs: Date.now() });
}

export function mkdirSync(p: string | URL, options?: { recursive?: boolean }): string | undefined {
  const dir = abs(p);
  const existing = nodes.get(dir);
  if (existing !== undefined) {
    if (options?.recursive && existing.kind === 'dir') return undefined;
    throw fsError('EEXIST', 'mkdir', String(p));
  }
  if (options?.recursive) {
    const parent = path.dirname(dir);
    if (!nodes.has(parent)) mkdirSync(parent, options);
  }
  parentMustBeDir(dir, 'mkdir');
  nodes.set(dir, { kind: 'dir', mtimeMs: Date.now() });
  return dir;
}

function children(dir: string): string[] {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  return [...nodes.keys()].filter((k) => k.startsWith(prefix) && k !== dir && !k.slice(prefix.length).includes('/'));
}

export function readdirSync(p: string | URL, options?: { withFileTypes?: boolean }): (string | { name: string; isFile(): boolean; isDirectory(): boolean })[] {
  const dir = abs(p);
  const node = nodes.get(dir);
  if (node === undefined) throw fsError('ENOENT', 'scandir', String(p));
  if (node.kind !== 'dir') throw fsError('ENOTDIR', 'scandir', String(p));
  const names = children(dir).map((k) => path.basename(k)).sort();
  if (!options?.withFileTypes) return names;
  return names.map((name) => {
    const st = statOf(nodes.get(path.join(dir, name))!);
    return { name, isFile: () => st.isFile(), isDirectory: () => st.isDirectory(), isSymbolicLink: () => false };
  });
}

export function rmSync(p: string | URL, options?: { recursive?: boolean; force?: boolean }): void {
  const target = abs(p);
  const node = nodes.get(target);
  if (node === undefined) {
    if (options?.force) return;
    throw fsError('ENOENT', 'rm', String(p));
  }
  if (node.kind === 'dir') {
    if (!options?.recursive) throw fsError('EISDIR', 'rm', String(p));
    for (const k of [...nodes.keys()]) if (k.startsWith(`${target}/`)) nodes.delete(k);
  }
  if (target !== '/') nodes.delete(target);
}

export function unlinkSync(p: string | URL): void {
  const node = nodes.get(abs(p));
  if (node === undefined) throw fsError('ENOENT', 'unlink', String(p));
  if (node.kind === 'dir') throw fsError('EISDIR', 'unlink', String(p));
  nodes.delete(abs(p));
}

export function rmdirSync(p: string | URL): void {
  const dir = abs(p);
  if (!nodes.has(dir)) throw fsError('ENOENT', 'rmdir', String(p));
  if (children(dir).length > 0) throw fsError('ENOTEMPTY', 'rmdir', String(p));
  nodes.delete(dir);
}

export function renameSync(from: string | URL, to: string | URL): void {
  const a = abs(from);
  const b = abs(to);
  const node = nodes.get(a);
  if (node === undefined) throw fsError('ENOENT', 'rename', String(from));
  parentMustBeDir(b, 'rename');
  if (nodes.get(b)?.kind === 'dir' && node.kind !== 'dir') throw fsError('EISDIR', 'rename', String(to));
  for (const k of [...nodes.keys()]) {
    if (k === a || k.startsWith(`${a}/`)) {
      const moved = nodes.get(k)!;
      nodes.delete(k);
      nodes.set(b + k.slice(a.length), moved);
    }
  }
}

const open = new Map<number, string>();
let nextFd = 3;

export function openSync(p: string | URL, flags: number | string = 'r'): number {
  const file = abs(p);
  const node = nodes.get(file);
  const reading = flags === 'r' || flags === constants.O_RDONLY || (typeof flags === 'number' && (flags & 3) === 0);
  if (!reading) throw new Error(`sae-lab in the browser: fs.openSync(${JSON.stringify(String(p))}, ${String(flags)}) opens files for reading only`);
  if (node === undefined) throw fsError('ENOENT', 'open', String(p));
  const fd = nextFd++;
  open.set(fd, file);
  return fd;
}

function nodeOf(fd: number, syscall: string): [string, Node] {
  const file = open.get(fd);
  const node = file === undefined ? undefined : nodes.get(file);
  if (file === undefined || node === undefined) throw fsError('EBADF', syscall, String(fd));
  return [file, node];
}

export function fstatSync(fd: number): Stats {
  const [file, node] = nodeOf(fd, 'fstat');
  if (node.kind === 'file') contents(file, node);
  return statOf(node);
}

export function readSync(fd: number, buffer: ArrayBufferView, offset: number, length: number, position: number | null): number {
  const [file, node] = nodeOf(fd, 'read');
  if (node.kind !== 'file') throw fsError('EISDIR', 'read', file);
  const data = contents(file, node);
  const start = position ?? 0;
  const n = Math.max(0, Math.min(length, data.length - start));
  new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).set(data.subarray(start, start + n), offset);
  return n;
}

export function closeSync(fd: number): void {
  nodeOf(fd, 'close');
  open.delete(fd);
}

export default {
  constants, mount, Stats, existsSync, statSync, lstatSync, readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync,
  unlinkSync, rmdirSync, renameSync, openSync, fstatSync, readSync, closeSync,
};
