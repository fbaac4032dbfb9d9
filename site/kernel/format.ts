/**
 * What a Node console prints, for the site's kernel (its console.log / console.table and a cell's
 * last value go out as text, as tslab's do): util.format's placeholders, a compact util.inspect
 * (honouring util.inspect.custom, which the course checks use) and console.table's box.
 */
const CUSTOM = Symbol.for('nodejs.util.inspect.custom');
const MAX_ITEMS = 100;

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function key(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k);
}

function list(items: string[], open: string, close: string, more: number): string {
  if (more > 0) items.push(`... ${more} more item${more > 1 ? 's' : ''}`);
  if (items.length === 0) return `${open}${close}`;
  const flat = `${open} ${items.join(', ')} ${close}`;
  return flat.length <= 72 && !flat.includes('\n') ? flat : `${open}\n${items.map((i) => `  ${i.replace(/\n/g, '\n  ')}`).join(',\n')}\n${close}`;
}

function number(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

export function inspect(value: unknown, depth = 2, seen: unknown[] = [], nested = false): string {
  if (typeof value === 'string') return nested ? quote(value) : value;
  if (typeof value === 'number') return number(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined || value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') {
    const isClass = /^class\b/.test(Function.prototype.toString.call(value));
    return `[${isClass ? 'class' : 'Function'}${value.name ? `: ${value.name}` : ' (anonymous)'}]`;
  }
  const obj = value as Record<string | symbol, unknown>;
  if (typeof obj[CUSTOM] === 'function') {
    const out = (obj[CUSTOM] as (d: number, o: object) => unknown)(depth, {});
    return typeof out === 'string' ? out : inspect(out, depth, seen, nested);
  }
  if (seen.includes(value)) return '[Circular *1]';
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (value instanceof Promise) return 'Promise { <pending> }';
  const next = [...seen, value];
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = value as unknown as ArrayLike<number | bigint>;
    const shown = Array.from({ length: Math.min(arr.length, MAX_ITEMS) }, (_, i) => (typeof arr[i] === 'bigint' ? `${arr[i]}n` : number(arr[i] as number)));
    return `${value.constructor.name}(${arr.length}) ${list(shown, '[', ']', arr.length - shown.length)}`;
  }
  if (Array.isArray(value)) {
    if (depth < 0) return '[Array]';
    const shown = value.slice(0, MAX_ITEMS).map((v) => inspect(v, depth - 1, next, true));
    return list(shown, '[', ']', value.length - shown.length);
  }
  if (value instanceof Map) {
    if (depth < 0) return '[Map]';
    return `Map(${value.size}) ${list([...value].map(([k, v]) => `${inspect(k, depth - 1, next, true)} => ${inspect(v, depth - 1, next, true)}`), '{', '}', 0)}`;
  }
  if (value instanceof Set) {
    if (depth < 0) return '[Set]';
    return `Set(${value.size}) ${list([...value].map((v) => inspect(v, depth - 1, next, true)), '{', '}', 0)}`;
  }
  const proto = Object.getPrototypeOf(value);
  const name = proto === null ? '[Object: null prototype]' : proto === Object.prototype ? '' : (proto.constructor?.name ?? '');
  if (depth < 0) return name ? `[${name}]` : '[Object]';
  const items = Object.keys(obj).map((k) => `${key(k)}: ${inspect(obj[k], depth - 1, next, true)}`);
  const body = list(items, '{', '}', 0);
  return name ? `${name} ${body}` : body;
}

/** util.format: %s %d %i %f %j %o %O %c %% in a first string argument, the rest inspected. */
export function format(...args: unknown[]): string {
  const out: string[] = [];
  let rest = args;
  if (typeof args[0] === 'string' && args[0].includes('%')) {
    let i = 1;
    const first = args[0].replace(/%([sdifjoOc%])/g, (m, c: string) => {
      if (c === '%') return '%';
      if (i >= args.length) return m;
      const a = args[i++];
      switch (c) {
        case 's': return typeof a === 'string' ? a : inspect(a, 1, [], true);
        case 'd': case 'i': { const n = Number(a); return c === 'i' ? String(Math.trunc(n)) : number(n); }
        case 'f': return number(Number(a));
        case 'j': try { return JSON.stringify(a); } catch { return '[Circular]'; }
        case 'c': return '';
        default: return inspect(a, 4, [], true);
      }
    });
    out.push(first);
    rest = args.slice(i);
  } else if (args.length > 0) {
    out.push(inspect(args[0]));
    rest = args.slice(1);
  }
  for (const a of rest) out.push(inspect(a));
  return out.join(' ');
}

function center(s: string, width: number): string {
  const left = Math.floor((width - s.length) / 2);
  return ' '.repeat(left) + s + ' '.repeat(width - s.length - left);
}

/** console.table's box, as Node 20 draws it: (index), each row's keys as columns, Values for plain rows. */
export function table(data: unknown, columns?: string[]): string {
  if (data === null || typeof data !== 'object') return format(data);
  const entries: [string, unknown][] = data instanceof Map ? [...data].map(([k, v]) => [inspect(k, 0, [], true), v])
    : Array.isArray(data) ? data.map((v, i) => [String(i), v]) : Object.entries(data as object);
  const cols: string[] = columns ? [...columns] : [];
  let values = false;
  for (const [, row] of entries) {
    if (row !== null && typeof row === 'object' && !columns) {
      for (const k of Object.keys(row)) if (!cols.includes(k)) cols.push(k);
    } else if (row === null || typeof row !== 'object') values = true;
  }
  const head = ['(index)', ...cols, ...(values ? ['Values'] : [])];
  const cell = (v: unknown) => inspect(v, 0, [], true);
  const rows = entries.map(([k, row]) => {
    const isObj = row !== null && typeof row === 'object';
    const r = [k, ...cols.map((c) => (isObj && c in (row as object) ? cell((row as Record<string, unknown>)[c]) : ''))];
    if (values) r.push(isObj ? '' : cell(row));
    return r;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
  const line = (l: string, m: string, r: string) => l + widths.map((w) => '─'.repeat(w)).join(m) + r;
  const text = (cells: string[]) => `│${cells.map((c, i) => center(c, widths[i])).join('│')}│`;
  return [line('┌', '┬', '┐'), text(head), line('├', '┼', '┤'), ...rows.map(text), line('└', '┴', '┘')].join('\n');
}
