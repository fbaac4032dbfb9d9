/**
 * Reader for the IDX format used by MNIST and Fashion-MNIST.
 *
 * Layout: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions,
 * then each dimension as a big-endian uint32, then the data.
 * Files may be raw or gzipped (`.gz`).
 */
import * as fs from 'fs';
import * as zlib from 'zlib';

export interface IdxArray {
  /** Size of each dimension, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The values, row-major. */
  data: Uint8Array;
}

const UBYTE = 0x08;

/** Parses an IDX buffer of unsigned bytes with `expectedRank` dimensions; `name` is used in errors. */
export function parseIdx(buf: Uint8Array, expectedRank: number, name: string): IdxArray {
  if (buf.length < 4) {
    throw new Error(`${name}: file is truncated: ${buf.length} bytes, not even the 4-byte IDX magic number`);
  }
  const magic = ((buf[0] << 24) | (buf[1] << 16) | (buf[2] << 8) | buf[3]) >>> 0;
  const expectedMagic = (UBYTE << 8) | expectedRank;
  if (magic !== expectedMagic) {
    throw new Error(
      `${name}: wrong magic number 0x${magic.toString(16).padStart(8, '0')}; ` +
      `expected 0x${expectedMagic.toString(16).padStart(8, '0')} (IDX, unsigned bytes, ${expectedRank} dimension(s))`);
  }
  const headerBytes = 4 + 4 * expectedRank;
  if (buf.length < headerBytes) {
    throw new Error(`${name}: file is truncated inside its header: ${buf.length} bytes, expected at least ${headerBytes}`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < expectedRank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const have = buf.length - headerBytes;
  if (have < count) {
    throw new Error(
      `${name}: file is truncated: header says ${dims.join('x')} = ${count} bytes of data, found ${have}`);
  }
  if (have > count) {
    throw new Error(
      `${name}: file has ${have - count} unexpected bytes after the ${dims.join('x')} data (corrupt or not IDX)`);
  }
  return { dims, data: buf.subarray(headerBytes, headerBytes + count) };
}

/**
 * Reads `path`, or `path + '.gz'` when only the gzipped file exists.
 * `hint` tells the reader how to obtain the file when it is missing.
 */
export function readIdxFile(path: string, expectedRank: number, hint: string): IdxArray & { file: string } {
  let actual = path;
  if (!fs.existsSync(actual) && fs.existsSync(path + '.gz')) actual = path + '.gz';
  if (!fs.existsSync(actual)) {
    throw new Error(`data file not found: ${path} (nor ${path}.gz). ${hint}`);
  }
  if (!fs.statSync(actual).isFile()) {
    throw new Error(`${actual} is not a file (a directory?); expected the IDX file itself. ${hint}`);
  }
  let buf: Uint8Array;
  try {
    buf = fs.readFileSync(actual);
  } catch (err) {
    throw new Error(`${actual}: cannot be read (${(err as Error).message})`);
  }
  if (actual.endsWith('.gz')) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch (err) {
      throw new Error(`${actual}: not a valid gzip file (${(err as Error).message})`);
    }
  }
  return { ...parseIdx(buf, expectedRank, actual), file: actual };
}

/**
 * Throws, naming `file`, the index and the value, unless every label is a class in 0..classes-1
 * (MNIST's and Fashion-MNIST's label files hold 0..9).
 */
export function checkLabels(labels: Uint8Array, classes: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      throw new Error(`${file}: label[${i}] = ${labels[i]} is invalid: expected a class in 0..${classes - 1} (LoadOptions.classes = ${classes})`);
    }
  }
}
