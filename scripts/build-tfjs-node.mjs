#!/usr/bin/env node
/**
 * Builds @tensorflow/tfjs-node 4.22.0 (the 'tensorflow' backend) offline. Its own install script
 * downloads libtensorflow 2.9.1 from Google's own storage, which an offline machine or CI can't
 * reach; PyPI's tensorflow-cpu 2.9.1 wheel holds the same TensorFlow with its C API, so:
 *   1. the wheel is downloaded once with pip into the cache (SAE_TFJS_NODE_CACHE, default
 *      ~/.cache/sae-lab/tfjs-node) and checked against its sha256 (PyPI's);
 *   2. the package is installed without its scripts if it is missing (npm ci drops it when its
 *      download fails): npm install --no-save --ignore-scripts (package.json and the lock stay);
 *   3. from it, into the package's deps/: _pywrap_tensorflow_internal.so (the C API, also the
 *      Python module), libtensorflow_framework.so.2 and the C headers the binding includes;
 *   4. libtensorflow.so.2 = scripts/tfjs-node-shim.c: defines the CPython symbols that library
 *      needs (the C API never calls them) and loads it (DT_NEEDED, rpath $ORIGIN);
 *   5. the binding is built from source with node-gyp against the local Node headers, and loaded
 *      in a child process (backend 'tensorflow', TF 2.9.1, a 2x2 matMul) before a stamp is written.
 * An up-to-date build (the stamp) is left alone in a few milliseconds. Where it can't be built
 * (not linux-x64, no gcc/g++/make, no pip or no PyPI) it says so in one line and exits 0;
 * --strict exits 1 instead (CI). SAE_NO_TFJS_NODE=1 skips it.
 *
 * usage: node scripts/build-tfjs-node.mjs [--strict] [--root DIR]
 */
import { spawnSync } from 'child_process';
import crypto from 'crypto';
import fs from 'fs';
import { createRequire } from 'module';
import os from 'os';
import path from 'path';
import { fileURLToPath } from 'url';

const TFJS_NODE = '4.22.0';
const TF = '2.9.1';
const WHEEL = 'tensorflow_cpu-2.9.1-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl';
/** PyPI's sha256 of WHEEL (pip's --report download_info; the same as measured). */
const WHEEL_SHA256 = '6666ddeae45e1f41da788cb4bdea3435aba16edb0bc17b7ac00631c7c9eb052e';
const PYWRAP = '_pywrap_tensorflow_internal.so';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const strict = args.includes('--strict');
const rootArg = args.indexOf('--root');
const root = path.resolve(rootArg >= 0 ? args[rootArg + 1] : path.join(here, '..'));
const pkgDir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node');
const deps = path.join(pkgDir, 'deps');
const stampFile = path.join(deps, 'sae-lab-build.json');
const shimSource = path.join(here, 'tfjs-node-shim.c');
const cache = path.resolve(process.env.SAE_TFJS_NODE_CACHE || path.join(os.homedir(), '.cache', 'sae-lab', 'tfjs-node'));
const t0 = performance.now();

const secs = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const say = (msg) => console.log(`sae-lab: tfjs-node: ${msg}`);
function skip(why) {
  console.warn(`sae-lab: @tensorflow/tfjs-node not built (${why}); the tensorflow backend (SAE_BACKEND=tensorflow) stays untested`);
  process.exit(strict ? 1 : 0);
}
class Skip extends Error {}
const fail = (why) => { throw new Skip(why); };

/** Runs a command; returns its stdout, or throws Skip with `what` and the output's last lines. */
function run(cmd, argv, what, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) fail(`${what}: ${r.error.code === 'ENOENT' ? `${cmd} not found` : r.error.message}`);
  if (r.status !== 0) fail(`${what} failed: ${(r.stderr + r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}
const has = (cmd) => !spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error;
const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const readJson = (file) => { try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return null; } };

/** What the stamp must say: the versions and everything the build is made from. */
function expectedStamp() {
  const self = crypto.createHash('sha256').update(fs.readFileSync(fileURLToPath(import.meta.url))).update(fs.readFileSync(shimSource));
  return { 'tfjs-node': TFJS_NODE, tensorflow: TF, wheel_sha256: WHEEL_SHA256, recipe_sha256: self.digest('hex').slice(0, 16) };
}

/** The binding's path as node-pre-gyp finds it: ./lib/napi-v<highest napi version of both>. */
function bindingTarget(pkg) {
  const napi = Math.max(...pkg.binary.napi_versions.filter((v) => v <= Number(process.versions.napi)));
  const modulePath = path.join(pkgDir, pkg.binary.module_path.replace('{napi_build_version}', String(napi)));
  return { napi, modulePath, file: path.join(modulePath, `${pkg.binary.module_name}.node`), name: pkg.binary.module_name };
}

/** Loads tfjs-node in a child process; returns null when it works, else why not. */
function loadCheck() {
  const code = "const tf = require('@tensorflow/tfjs-node'); const p = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]));" +
    'console.log(JSON.stringify({ backend: tf.getBackend(), tf: tf.backend().binding.TF_Version, product: p.arraySync() }));';
  // LD_BIND_NOW: a CPython symbol the shim lacks fails here, not at some later call.
  const r = spawnSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8', env: { ...process.env, LD_BIND_NOW: '1', TF_CPP_MIN_LOG_LEVEL: '2' } });
  const out = readJsonLine(r.stdout);
  if (r.status !== 0 || out === null) return `loading it failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ')}`;
  if (out.backend !== 'tensorflow' || JSON.stringify(out.product) !== '[[19,22],[43,50]]') return `it loads but gives ${JSON.stringify(out)}`;
  return null;
}
function readJsonLine(text) { try { return JSON.parse(text.trim().split('\n').pop()); } catch { return null; } }

/** 2. The package, without its install script; a tfjs-node-gpu that came along with it is removed. */
function ensurePackage() {
  if (readJson(path.join(pkgDir, 'package.json'))?.version === TFJS_NODE) return;
  const gpu = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node-gpu');
  const hadGpu = fs.existsSync(gpu);
  const npmCli = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? process.env.npm_execpath : null;
  say(`installing @tensorflow/tfjs-node@${TFJS_NODE} without its install script`);
  const npmArgs = ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `@tensorflow/tfjs-node@${TFJS_NODE}`];
  if (npmCli) run(process.execPath, [npmCli, ...npmArgs], 'npm install', { cwd: root });
  else run('npm', npmArgs, 'npm install', { cwd: root });
  // The lock's other optional package arrives too, without a binding: it would only fail to load.
  if (!hadGpu) fs.rmSync(gpu, { recursive: true, force: true });
  if (readJson(path.join(pkgDir, 'package.json'))?.version !== TFJS_NODE) fail(`npm install did not give @tensorflow/tfjs-node ${TFJS_NODE}`);
}

/** 1. The wheel in the cache, checked. */
function ensureWheel() {
  const wheel = path.join(cache, WHEEL);
  if (fs.existsSync(wheel) && sha256(wheel) === WHEEL_SHA256) return wheel;
  const venvPip = path.join(root, '.venv', 'bin', 'pip');
  const [pip, pre] = fs.existsSync(venvPip) ? [venvPip, []] : ['python3', ['-m', 'pip']];
  const tmp = path.join(cache, `.download-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  say(`downloading PyPI's tensorflow-cpu ${TF} wheel (~198 MiB, used only for its files) into ${cache}`);
  try {
    run(pip, [...pre, 'download', '--no-deps', '--no-cache-dir', '--only-binary=:all:', '--python-version', '3.10',
      '--platform', 'manylinux2014_x86_64', '--disable-pip-version-check', '-q', '-d', tmp, `tensorflow-cpu==${TF}`], 'pip download tensorflow-cpu');
    const got = path.join(tmp, WHEEL);
    if (!fs.existsSync(got)) fail(`pip gave ${fs.readdirSync(tmp).join(', ') || 'nothing'}, not ${WHEEL}`);
    const sum = sha256(got);
    if (sum !== WHEEL_SHA256) fail(`the wheel's sha256 is ${sum}, expected ${WHEEL_SHA256}`);
    fs.renameSync(got, wheel);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return wheel;
}

/** 3. The libraries and the headers' include closure, from the wheel into deps/. */
const EXTRACT = `
import os, re, shutil, sys, zipfile
wheel, deps, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
z = zipfile.ZipFile(wheel)
names = set(z.namelist())
def put(member, dest):
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with z.open(member) as f, open(dest, 'wb') as o:
        shutil.copyfileobj(f, o, 1 << 22)
put('tensorflow/python/${PYWRAP}', os.path.join(deps, 'lib', '${PYWRAP}'))
put('tensorflow/libtensorflow_framework.so.2', os.path.join(deps, 'lib', 'libtensorflow_framework.so.2'))
todo, seen = list(seeds), set()
while todo:
    h = todo.pop()
    if h in seen: continue
    seen.add(h)
    member = 'tensorflow/include/' + h
    if member not in names: sys.exit('the wheel has no header ' + h)
    todo += re.findall(r'#include\\s+"(tensorflow/[^"]+)"', z.read(member).decode())
    put(member, os.path.join(deps, 'include', h))
print(len(seen))
`;

function layDeps(wheel) {
  const seeds = new Set();
  for (const f of fs.readdirSync(path.join(pkgDir, 'binding'))) {
    for (const m of fs.readFileSync(path.join(pkgDir, 'binding', f), 'utf8').matchAll(/#include\s+"(tensorflow\/[^"]+)"/g)) seeds.add(m[1]);
  }
  const lib = path.join(deps, 'lib');
  const headers = run('python3', ['-c', EXTRACT, wheel, deps, ...seeds], 'extracting the wheel').trim();
  for (const f of [PYWRAP, 'libtensorflow_framework.so.2']) {
    fs.chmodSync(path.join(lib, f), 0o755);
    // Their symbol tables (not the dynamic ones): 117 MB of 507.
    if (has('strip')) run('strip', ['--strip-unneeded', path.join(lib, f)], `strip ${f}`);
  }
  run('gcc', ['-shared', '-fPIC', '-O2', '-o', path.join(lib, 'libtensorflow.so.2'), '-Wl,-soname,libtensorflow.so.2', shimSource,
    `-L${lib}`, '-Wl,--no-as-needed', `-l:${PYWRAP}`, '-Wl,--as-needed', '-Wl,-rpath,$ORIGIN'], 'compiling the shim (gcc)');
  // What -ltensorflow links: the shim and the C API, so every TF_* the binding calls binds to the C API's copy
  // (libtensorflow_framework.so.2 exports a few too).
  fs.writeFileSync(path.join(lib, 'libtensorflow.so'), `/* sae-lab: the shim (CPython symbols), then the TensorFlow C API */\nINPUT(libtensorflow.so.2 ${PYWRAP})\n`);
  fs.symlinkSync('libtensorflow_framework.so.2', path.join(lib, 'libtensorflow_framework.so'));
  say(`laid deps/ from the wheel (${headers} headers) and built the shim (${secs()})`);
}

function nodeGyp() {
  if (process.env.npm_config_node_gyp && fs.existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const candidates = [];
  if (process.env.npm_execpath) candidates.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try { candidates.push(createRequire(path.join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js')); } catch { /* not installed locally */ }
  return candidates.find((c) => fs.existsSync(c)) ?? null;
}

/** 5. The binding, built as node-pre-gyp would (its variables), against the local headers. */
function buildBinding(target) {
  const gyp = nodeGyp();
  if (gyp === null) fail('node-gyp not found');
  const gypArgs = [gyp, 'rebuild', `--directory=${pkgDir}`, `--module_name=${target.name}`, `--module_path=${target.modulePath}`,
    `--napi_build_version=${target.napi}`, `--napi_version=${process.versions.napi}`, `--node_napi_label=napi-v${target.napi}`];
  const prefix = path.join(path.dirname(process.execPath), '..');
  if (process.env.npm_config_nodedir) gypArgs.push(`--nodedir=${process.env.npm_config_nodedir}`);
  // Debian's node (and a tarball's) carries its headers: no download.
  else if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) gypArgs.push(`--nodedir=${path.resolve(prefix)}`);
  // gcc here passes --as-needed, which would drop the shim: the binding calls nothing the shim itself defines.
  const env = { ...process.env, LDFLAGS: `${process.env.LDFLAGS ?? ''} -Wl,--no-as-needed`.trim() };
  run(process.execPath, gypArgs, 'node-gyp (the binding)', { env });
  if (!fs.existsSync(target.file)) fail(`node-gyp gave no ${path.relative(root, target.file)}`);
}

/** One builder at a time per cache (the download and the node_modules it writes). */
function lock() {
  fs.mkdirSync(cache, { recursive: true });
  const file = path.join(cache, '.build.lock');
  for (let waited = 0; ; waited++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      process.on('exit', () => fs.rmSync(file, { force: true }));
      return;
    } catch (e) { if (e.code !== 'EEXIST') throw e; }
    const pid = Number(fs.readFileSync(file, 'utf8'));
    let alive = false;
    try { process.kill(pid, 0); alive = pid > 0; } catch { /* gone */ }
    if (!alive) { fs.rmSync(file, { force: true }); continue; }
    if (waited === 0) say(`waiting for the build in process ${pid}`);
    if (waited > 1200) fail(`process ${pid} has held ${file} for 20 min`);
    spawnSync('sleep', ['1']);
  }
}

function main() {
  const flag = (process.env.SAE_NO_TFJS_NODE ?? '').trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(flag)) {
    console.log(`sae-lab: SAE_NO_TFJS_NODE=${process.env.SAE_NO_TFJS_NODE}: @tensorflow/tfjs-node left as it is (nothing built)`);
    process.exit(0);
  }
  if (!['', '0', 'false', 'no', 'off'].includes(flag)) {
    console.error(`sae-lab: SAE_NO_TFJS_NODE=${JSON.stringify(process.env.SAE_NO_TFJS_NODE)} is not understood; expected 1/true/yes/on or 0/false/no/off`);
    process.exit(1);
  }
  const want = expectedStamp();
  const upToDate = () => {
    const stamp = readJson(stampFile);
    if (!(stamp && readJson(path.join(pkgDir, 'package.json'))?.version === TFJS_NODE &&
      JSON.stringify(stamp.build) === JSON.stringify(want) && fs.existsSync(stamp.binding))) return false;
    say(`up to date (TensorFlow ${TF} from PyPI's wheel; ${path.relative(root, stamp.binding)})`);
    return true;
  };
  if (upToDate()) return;
  if (process.platform !== 'linux' || process.arch !== 'x64') fail(`the wheel is for linux-x64, this is ${process.platform}-${process.arch}`);
  for (const tool of ['gcc', 'g++', 'make', 'python3']) if (!has(tool)) fail(`no ${tool}`);
  lock();
  if (upToDate()) return; // built by the process we waited for
  const pkg = readJson(path.join(pkgDir, 'package.json'));
  if (pkg?.version === TFJS_NODE && !readJson(stampFile) && fs.existsSync(bindingTarget(pkg).file) && loadCheck() === null) {
    say('already loads (not built by this script: no stamp); left as it is');
    return;
  }
  // The wheel first: offline, pip fails before npm has installed a package that can't be built.
  const wheel = ensureWheel();
  ensurePackage();
  const target = bindingTarget(readJson(path.join(pkgDir, 'package.json')));
  say(`wheel and package ready (${secs()}); laying deps/`);
  for (const d of [deps, path.join(pkgDir, 'build'), target.modulePath]) fs.rmSync(d, { recursive: true, force: true });
  layDeps(wheel);
  buildBinding(target);
  const why = loadCheck();
  if (why) fail(`the built binding: ${why}`);
  fs.writeFileSync(stampFile, JSON.stringify({ build: want, binding: target.file, built: new Date().toISOString() }, null, 2) + '\n');
  say(`built: the 'tensorflow' backend with TensorFlow ${TF} loads (${secs()})`);
}

try {
  main();
} catch (e) {
  if (e instanceof Skip) skip(e.message);
  throw e;
}
