/**
 * Zipping the student folder: with the zip command where there is one, else with a minimal writer
 * (stored and deflated entries, UTF-8 names, no zip64) on Node's zlib.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Writes `files` (name in the archive -> contents) as a zip archive. */
export function writeZip(file: string, files: { name: string; data: Buffer; mtime?: Date }[]): void {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const deflated = zlib.deflateRawSync(f.data, { level: 9 });
    const useDeflate = deflated.length < f.data.length;
    const body = useDeflate ? deflated : f.data;
    const crc = crc32(f.data);
    const d = f.mtime ?? new Date(2020, 0, 1);
    const time = (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2);
    const date = ((Math.max(1980, d.getFullYear()) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
    if (body.length > 0xfffffff0 || offset > 0xfffffff0) throw new Error(`${f.name}: too large for a zip without zip64`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(useDeflate ? 8 : 0, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(0x031e, 4); // made by: Unix, spec 3.0
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(useDeflate ? 8 : 0, 10);
    entry.writeUInt16LE(time, 12);
    entry.writeUInt16LE(date, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(f.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // -rw-r--r--
    entry.writeUInt32LE(offset, 42);
    chunks.push(local, name, body);
    central.push(entry, name);
    offset += local.length + name.length + body.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...chunks, ...central, end]));
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile()) out.push(abs);
    }
  };
  walk(dir);
  return out;
}

/** Zips `dir` into `zipFile` under the top folder `top`: with the zip command when there is one, else in JavaScript. */
export function zipFolder(dir: string, zipFile: string, top: string, useCli = spawnSync('zip', ['-v'], { stdio: 'ignore' }).status === 0): 'zip' | 'node' {
  fs.rmSync(zipFile, { force: true });
  if (useCli) {
    // zip stores paths as given: zip a link named `top` that points at dir (zip follows links by default).
    const staging = fs.mkdtempSync(path.join(path.dirname(zipFile), '.zip-'));
    try {
      fs.symlinkSync(path.resolve(dir), path.join(staging, top), 'dir');
      const r = spawnSync('zip', ['-r', '-q', '-X', path.resolve(zipFile), top], { cwd: staging, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`zip failed (${r.status}): ${r.stderr || r.stdout}`);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    return 'zip';
  }
  writeZip(zipFile, listFiles(dir).map((abs) => ({
    name: `${top}/${path.relative(dir, abs).split(path.sep).join('/')}`,
    data: fs.readFileSync(abs),
    mtime: fs.statSync(abs).mtime,
  })));
  return 'node';
}
