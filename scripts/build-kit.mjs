#!/usr/bin/env node
/**
 * Compiles the kit (src/) for the notebooks: JavaScript plus declaration files in .kit/<hash>/,
 * and two entry files at the project root that the notebooks import, `./sae-lab`:
 *   sae-lab.d.ts  export * from './.kit/<hash>/index';   (what tslab type-checks a cell against)
 *   sae-lab.js    module.exports = require('./.kit/<hash>/index');   (what the cell runs)
 * Why: tslab type-checks and compiles every TypeScript file a cell imports, each time a kernel
 * starts: importing the sources (./src/index) cost every notebook's first cell about 6 s; against declaration
 * files it takes about 1.5 s.
 *
 * <hash> hashes the sources, the compiler options and the compiler's version, so an edit of
 * src/ gives a new folder and a build never overwrites one that a running kernel uses.
 * scripts/tslab-kernel runs this before each kernel starts (it only checks the hash, ~0.1 s,
 * when nothing changed); npm install runs it too. Two builders at once each compile into a
 * scratch folder and rename it into place; the entry files are replaced atomically.
 * Sources with compile errors give a sae-lab.js that throws them, so the cell that imports the
 * kit shows the errors (as tslab did when it compiled src/ itself).
 * The compiler is tslab's own TypeScript (the kernel's), so the declarations are ones it reads.
 *
 * usage: node scripts/build-kit.mjs [--root DIR] [--quiet]
 * The last line it prints (unless --quiet and nothing was built) says what it did.
 */
import crypto from 'crypto';
import fs from 'fs';
import { createRequire } from 'module';
import path from 'path';
import { fileURLToPath } from 'url';

const args = process.argv.slice(2);
const rootArg = args.indexOf('--root');
const root = path.resolve(rootArg >= 0 ? args[rootArg + 1] : path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const quiet = args.includes('--quiet');
const KIT = path.join(root, '.kit');
/** builds kept beside the current one (a kernel started before an edit may still load from them) */
const KEEP = 3;

function loadTypeScript() {
  const req = createRequire(path.join(root, 'package.json'));
  for (const name of ['@tslab/typescript-for-tslab', 'typescript']) {
    try {
      return req(name);
    } catch { /* try the next */ }
  }
  throw new Error(`no TypeScript compiler under ${path.join(root, 'node_modules')} (@tslab/typescript-for-tslab or typescript): run npm install`);
}

/** Every .ts file under dir, as paths relative to root with '/', sorted. */
function sources(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(path.relative(root, p).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

function writeAtomic(file, text) {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return;
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * The project's tsconfig.json (what `npx tsc --noEmit -p .` checks), emitting JavaScript and
 * declarations for src/ into outDir. A root without one (the tests' small projects) gets the
 * same strict defaults.
 */
function compilerOptions(ts, outDir) {
  const file = path.join(root, 'tsconfig.json');
  let base = { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, strict: true, esModuleInterop: true, skipLibCheck: true, types: ['node'] };
  if (fs.existsSync(file)) {
    const parsed = ts.getParsedCommandLineOfConfigFile(file, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    if (!parsed || parsed.errors.length > 0) {
      throw new Error(`${file} does not parse: ${parsed ? ts.flattenDiagnosticMessageText(parsed.errors[0].messageText, '\n') : 'unreadable'}`);
    }
    base = parsed.options;
  }
  return { ...base, noEmit: false, declaration: true, rootDir: path.join(root, 'src'), outDir, newLine: ts.NewLineKind.LineFeed };
}

/** Compiles src/ into dir; returns the compile errors as text ('' when there are none). */
function compile(ts, files, dir) {
  const options = compilerOptions(ts, dir);
  const program = ts.createProgram(files.map((f) => path.join(root, f)), options);
  const emitted = program.emit();
  const diagnostics = ts.getPreEmitDiagnostics(program).concat(emitted.diagnostics);
  return ts.formatDiagnostics(diagnostics, {
    getCurrentDirectory: () => root,
    getCanonicalFileName: (f) => f,
    getNewLine: () => '\n',
  }).trim();
}

function entryFiles(id, errors) {
  const from = `./.kit/${id}/index`;
  const head = '// Written by scripts/build-kit.mjs: the kit (src/) compiled for the notebooks. Do not edit.\n';
  const js = errors
    ? `${head}throw new Error(${JSON.stringify(`sae-lab: the kit's sources (src/) do not compile, so the notebooks can't import them:\n${errors}\n` +
      'Fix them (npx tsc --noEmit -p . shows the same), then restart the kernel.')});\n`
    : `${head}module.exports = require(${JSON.stringify(from)});\n`;
  writeAtomic(path.join(root, 'sae-lab.d.ts'), `${head}export * from '${from}';\n`);
  writeAtomic(path.join(root, 'sae-lab.js'), js);
}

/** Removes all but the newest KEEP builds besides `current` (and scratch folders over an hour old). */
function prune(current) {
  const now = Date.now();
  // Another builder may rename or remove its scratch folder between the listing and the stat.
  const entries = fs.readdirSync(KIT, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => {
    const p = path.join(KIT, e.name);
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    return stat === undefined ? [] : [{ name: e.name, p, mtime: stat.mtimeMs }];
  });
  const builds = entries.filter((e) => !e.name.startsWith('.') && e.name !== current).sort((a, b) => b.mtime - a.mtime);
  const scratch = entries.filter((e) => e.name.startsWith('.tmp-') && now - e.mtime > 3600e3);
  for (const e of [...builds.slice(KEEP), ...scratch]) fs.rmSync(e.p, { recursive: true, force: true });
}

function main() {
  const ts = loadTypeScript();
  const src = path.join(root, 'src');
  if (!fs.existsSync(path.join(src, 'index.ts'))) throw new Error(`${path.join(src, 'index.ts')} is missing: nothing to build`);
  const files = sources(src);
  const hash = crypto.createHash('sha256');
  hash.update(`${ts.version}\0${JSON.stringify(compilerOptions(ts, ''))}\0`);
  for (const f of files) hash.update(`${f}\0`).update(fs.readFileSync(path.join(root, f))).update('\0');
  const id = hash.digest('hex').slice(0, 16);
  const dir = path.join(KIT, id);
  const done = path.join(dir, '.built');
  if (fs.existsSync(done)) {
    entryFiles(id, fs.readFileSync(done, 'utf8'));
    if (!quiet) console.log(`sae-lab: the notebooks' kit is up to date (.kit/${id})`);
    return;
  }
  fs.mkdirSync(KIT, { recursive: true });
  const scratch = path.join(KIT, `.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const t0 = Date.now();
  try {
    const errors = compile(ts, files, scratch);
    fs.mkdirSync(scratch, { recursive: true });
    fs.writeFileSync(path.join(scratch, '.built'), errors);
    try {
      fs.renameSync(scratch, dir);
    } catch (err) {
      // another builder renamed the same build into place first: keep theirs
      if (!fs.existsSync(done)) throw err;
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const errors = fs.readFileSync(done, 'utf8');
  entryFiles(id, errors);
  prune(id);
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (errors) console.error(`sae-lab: the kit's sources do not compile (built .kit/${id} anyway, ${seconds} s); importing it shows:\n${errors}`);
  else console.log(`sae-lab: compiled the kit for the notebooks into .kit/${id} (${files.length} files, ${seconds} s)`);
}

try {
  main();
} catch (err) {
  console.error(`sae-lab: could not build the notebooks' kit: ${err.message}`);
  process.exit(1);
}
