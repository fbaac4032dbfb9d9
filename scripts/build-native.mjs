#!/usr/bin/env node
/**
 * Builds native/ (the OpenBLAS addon) with node-gyp. Runs on `npm install`; a machine that
 * can't build it (no g++/make/python3, no libopenblas-dev) gets a note and a working install
 * without it. `--strict` (npm run build:native) fails loudly instead. SAE_NATIVE=0 skips it.
 */
import { spawnSync } from 'child_process';
import { existsSync, rmSync } from 'fs';
import { createRequire } from 'module';
import path from 'path';
import { fileURLToPath } from 'url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  // npm bundles node-gyp; find it next to the npm that runs us, or the global one.
  const candidates = [];
  if (process.env.npm_execpath) candidates.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch { /* not installed locally */ }
  return candidates.find((c) => existsSync(c)) ?? null;
}

function done(ok, why) {
  if (ok) {
    console.log('sae-lab: built native/ (OpenBLAS matrix products and Adam)');
    process.exit(0);
  }
  const msg = `sae-lab: native addon not built (${why}). Everything works without it, only slower ` +
    '(see environment.md). To build it: apt-get install -y g++ make python3 libopenblas-dev && npm run build:native';
  console.warn(msg);
  process.exit(strict ? 1 : 0);
}

// The same words as src/runtime/settings.ts envFlag (this script runs before tsx exists, so it can't import it).
const nativeFlag = (process.env.SAE_NATIVE ?? '').trim().toLowerCase();
if (['0', 'false', 'no', 'off'].includes(nativeFlag)) done(false, `SAE_NATIVE=${process.env.SAE_NATIVE}`);
if (!['', '1', 'true', 'yes', 'on'].includes(nativeFlag)) {
  console.error(`sae-lab: SAE_NATIVE=${JSON.stringify(process.env.SAE_NATIVE)} is not understood; expected 1/true/yes/on or 0/false/no/off`);
  process.exit(1);
}
if (!existsSync('/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h') && !existsSync('/usr/include/cblas.h')) {
  done(false, 'no cblas.h: libopenblas-dev is not installed');
}
const gyp = nodeGyp();
if (gyp === null) done(false, 'node-gyp not found');
rmSync(path.join(root, 'native', 'build'), { recursive: true, force: true });
const args = [gyp, 'rebuild', `--directory=${path.join(root, 'native')}`];
if (process.env.npm_config_nodedir) args.push(`--nodedir=${process.env.npm_config_nodedir}`);
// Debian's node keeps its headers in /usr/include/node: no download needed.
else if (process.execPath === '/usr/bin/node' && existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');
const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
if (r.status !== 0) done(false, `node-gyp failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
done(true);
