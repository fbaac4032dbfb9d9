/**
 * Node's `path` (POSIX flavour) for the browser build of the kit: the kit joins and splits the
 * paths of its virtual file system (site/kit/shims/fs.ts) with it.
 */
export const sep = '/';
export const delimiter = ':';

export function cwd(): string {
  const p = (globalThis as { process?: { cwd?: () => string } }).process;
  return p?.cwd ? p.cwd() : '/';
}

export function normalize(p: string): string {
  if (p === '') return '.';
  const absolute = p.startsWith('/');
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!absolute) parts.push('..');
    } else parts.push(part);
  }
  const out = (absolute ? '/' : '') + parts.join('/');
  return out === '' ? (absolute ? '/' : '.') : out;
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function join(...parts: string[]): string {
  const kept = parts.filter((p) => p !== '');
  return kept.length === 0 ? '.' : normalize(kept.join('/'));
}

export function resolve(...parts: string[]): string {
  let out = '';
  for (let i = parts.length - 1; i >= 0 && !out.startsWith('/'); i--) {
    if (parts[i] !== '') out = out === '' ? parts[i] : `${parts[i]}/${out}`;
  }
  if (!out.startsWith('/')) out = `${cwd()}/${out}`;
  const n = normalize(out);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export function dirname(p: string): string {
  const n = p.length > 1 ? p.replace(/\/+$/, '') : p;
  const i = n.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : n.slice(0, i);
}

export function basename(p: string, ext?: string): string {
  const n = p.replace(/\/+$/, '');
  const base = n.slice(n.lastIndexOf('/') + 1);
  return ext !== undefined && base.endsWith(ext) && base !== ext ? base.slice(0, -ext.length) : base;
}

export function extname(p: string): string {
  const base = basename(p);
  const i = base.lastIndexOf('.');
  return i <= 0 ? '' : base.slice(i);
}

export function relative(from: string, to: string): string {
  const a = resolve(from).split('/').filter(Boolean);
  const b = resolve(to).split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

export const posix = { sep, delimiter, normalize, isAbsolute, join, resolve, dirname, basename, extname, relative };
export default posix;
