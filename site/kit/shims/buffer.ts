/**
 * The part of Node's Buffer the kit uses, for the browser build (set as the global `Buffer`):
 * bytes from a typed array's memory (no copy), from a string (utf8, base64, hex), alloc, concat,
 * and toString in utf8, base64 and hex.
 */
type Encoding = 'utf8' | 'utf-8' | 'base64' | 'hex' | 'latin1' | 'binary';

function encodingOf(e: string | undefined): Encoding {
  const v = (e ?? 'utf8').toLowerCase();
  if (['utf8', 'utf-8', 'base64', 'hex', 'latin1', 'binary'].includes(v)) return v as Encoding;
  throw new Error(`sae-lab in the browser: Buffer encoding ${JSON.stringify(e)} is not supported (utf8, base64, hex, latin1)`);
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export class Buffer extends Uint8Array {
  // The parameters are `any` only so that this static side still fits Uint8Array.from's overloads.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  static from(value: any, offsetOrEncoding?: any, length?: any): Buffer {
    if (typeof value === 'string') {
      const enc = encodingOf(offsetOrEncoding as string | undefined);
      if (enc === 'base64') {
        const s = atob(value);
        const b = new Buffer(s.length);
        for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
        return b;
      }
      if (enc === 'hex') {
        const b = new Buffer(value.length >> 1);
        for (let i = 0; i < b.length; i++) b[i] = parseInt(value.slice(2 * i, 2 * i + 2), 16);
        return b;
      }
      if (enc === 'latin1' || enc === 'binary') {
        const b = new Buffer(value.length);
        for (let i = 0; i < value.length; i++) b[i] = value.charCodeAt(i) & 0xff;
        return b;
      }
      const u = new TextEncoder().encode(value);
      return new Buffer(u.buffer, u.byteOffset, u.byteLength);
    }
    if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
      const offset = typeof offsetOrEncoding === 'number' ? offsetOrEncoding : 0;
      return new Buffer(value as ArrayBuffer, offset, length ?? (value as ArrayBuffer).byteLength - offset);
    }
    if (ArrayBuffer.isView(value)) {
      const copy = new Buffer(value.byteLength);
      copy.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      return copy;
    }
    if (Array.isArray(value)) return new Buffer(value.length).fill(0).map((_, i) => Number(value[i]) & 0xff) as Buffer;
    throw new TypeError(`sae-lab in the browser: Buffer.from(${typeof value}) is not supported`);
  }

  static alloc(size: number, fill = 0): Buffer {
    return new Buffer(size).fill(fill) as Buffer;
  }

  static isBuffer(value: unknown): value is Buffer {
    return value instanceof Buffer;
  }

  static byteLength(value: string | ArrayBufferView): number {
    return typeof value === 'string' ? new TextEncoder().encode(value).byteLength : value.byteLength;
  }

  static concat(list: Uint8Array[], total?: number): Buffer {
    const size = total ?? list.reduce((s, b) => s + b.length, 0);
    const out = new Buffer(size);
    let at = 0;
    for (const b of list) {
      out.set(b.subarray(0, Math.min(b.length, size - at)), at);
      at += b.length;
      if (at >= size) break;
    }
    return out;
  }

  toString(encoding?: string): string {
    const enc = encodingOf(encoding);
    const view = new Uint8Array(this.buffer, this.byteOffset, this.byteLength);
    if (enc === 'base64') return toBase64(view);
    if (enc === 'hex') return Array.from(view, (b) => b.toString(16).padStart(2, '0')).join('');
    if (enc === 'latin1' || enc === 'binary') return Array.from(view, (b) => String.fromCharCode(b)).join('');
    return new TextDecoder().decode(view);
  }

  equals(other: Uint8Array): boolean {
    if (other.length !== this.length) return false;
    for (let i = 0; i < this.length; i++) if (other[i] !== this[i]) return false;
    return true;
  }
}
