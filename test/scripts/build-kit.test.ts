/**
 * scripts/build-kit.mjs on a small project of its own (a temporary root with two source files and
 * this project's node_modules): the entry files load the build, an unchanged tree is not rebuilt,
 * an edit gives a new build beside the old one, compile errors reach whoever imports the kit, two
 * builders at once agree, and old builds are pruned.
 */
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts', 'build-kit.mjs');

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-kit-'));
  made.push(dir);
  return dir;
}

function project(): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name": "kit-test", "private": true}\n');
  fs.mkdirSync(path.join(dir, 'src', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'src', 'index.ts'), "export { double } from './lib/double';\nexport const answer: number = 42;\n");
  fs.writeFileSync(path.join(dir, 'src', 'lib', 'double.ts'), 'export function double(x: number): number {\n  return 2 * x;\n}\n');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function build(dir: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT, '--root', dir], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** The build the entry files point to. */
function current(dir: string): string {
  const m = /\.kit\/([0-9a-f]{16})\/index/.exec(fs.readFileSync(path.join(dir, 'sae-lab.d.ts'), 'utf8'));
  assert.ok(m, 'sae-lab.d.ts names a build');
  return m[1];
}

/** Loads the entry in a fresh Node (a require cache of its own) and evaluates `expr` on it. */
function load(dir: string, expr: string): { status: number | null; out: string } {
  const code = `const kit = require(${JSON.stringify(path.join(dir, 'sae-lab'))}); console.log(JSON.stringify(${expr}));`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim() || r.stderr };
}

const builds = (dir: string) => fs.readdirSync(path.join(dir, '.kit')).filter((n) => !n.startsWith('.')).sort();

test('build-kit: the entry files load the compiled sources, with their declarations', () => {
  const dir = project();
  const r = build(dir);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /compiled the kit for the notebooks into \.kit\/[0-9a-f]{16} \(2 files/);
  const id = current(dir);
  assert.deepEqual(JSON.parse(load(dir, '[kit.answer, kit.double(21)]').out), [42, 42]);
  const dts = fs.readFileSync(path.join(dir, '.kit', id, 'lib', 'double.d.ts'), 'utf8');
  assert.match(dts, /export declare function double\(x: number\): number;/);
  // unchanged sources: nothing rebuilt
  const again = build(dir);
  assert.equal(again.status, 0, again.out);
  assert.match(again.out, /up to date \(\.kit\/[0-9a-f]{16}\)/);
  assert.equal(current(dir), id);
  assert.deepEqual(builds(dir), [id]);
});

test('build-kit: an edit gives a new build, the old one stays for kernels that use it, old ones are pruned', () => {
  const dir = project();
  assert.equal(build(dir).status, 0);
  const first = current(dir);
  const ids = [first];
  for (let i = 3; i <= 7; i++) {
    fs.writeFileSync(path.join(dir, 'src', 'lib', 'double.ts'), `export function double(x: number): number {\n  return ${i} * x;\n}\n`);
    assert.equal(build(dir).status, 0);
    ids.push(current(dir));
    assert.deepEqual(JSON.parse(load(dir, 'kit.double(2)').out), 2 * i);
  }
  assert.equal(new Set(ids).size, ids.length, 'each edit gives its own build');
  // the current build and the three before it
  assert.deepEqual(builds(dir), ids.slice(-4).sort());
});

test('build-kit: sources that do not compile give an entry that throws the errors', () => {
  const dir = project();
  fs.writeFileSync(path.join(dir, 'src', 'lib', 'double.ts'), "export function double(x: number): number {\n  return 'twice';\n}\n");
  const r = build(dir);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /the kit's sources do not compile/);
  const loaded = load(dir, 'kit.answer');
  assert.notEqual(loaded.status, 0);
  assert.match(loaded.out, /sae-lab: the kit's sources \(src\/\) do not compile/);
  assert.match(loaded.out, /src\/lib\/double\.ts.*Type 'string' is not assignable to type 'number'/);
  // fixed: the entry loads again
  fs.writeFileSync(path.join(dir, 'src', 'lib', 'double.ts'), 'export function double(x: number): number {\n  return 2 * x;\n}\n');
  assert.equal(build(dir).status, 0);
  assert.deepEqual(JSON.parse(load(dir, 'kit.double(4)').out), 8);
});

test('build-kit: two builders at once agree on one build and leave no scratch folder', async () => {
  const dir = project();
  const run = () => new Promise<number | null>((resolve) => {
    const p = spawn(process.execPath, [SCRIPT, '--root', dir], { stdio: 'ignore' });
    p.on('exit', (code) => resolve(code));
  });
  assert.deepEqual(await Promise.all([run(), run()]), [0, 0]);
  const id = current(dir);
  assert.deepEqual(fs.readdirSync(path.join(dir, '.kit')), [id]);
  assert.deepEqual(JSON.parse(load(dir, 'kit.double(5)').out), 10);
});

test('build-kit: a root without src/index.ts is an error that names it', () => {
  const dir = tempDir();
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const r = build(dir);
  assert.equal(r.status, 1);
  assert.match(r.out, /could not build the notebooks' kit: .*src\/index\.ts is missing/);
});
