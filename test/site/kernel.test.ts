/**
 * The browser edition's pieces that run without a browser (site/): the cell compiler (transform.ts)
 * run here on Node with the real TypeScript, the console's formatting (format.ts), the site's
 * settings (env.ts), and the kit's browser shims: the in-memory file system with a mounted folder,
 * the synchronous SHA-256 against Node's, Buffer and path against Node's.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as nodeCrypto from 'crypto';
import * as nodePath from 'path';
import * as ts from 'typescript';
import { compileCell } from '../../site/kernel/transform';
import { format, inspect, table } from '../../site/kernel/format';
import { siteSettings } from '../../site/kernel/env';
import { createHash, randomBytes } from '../../site/kit/shims/crypto';
import { Buffer as ShimBuffer } from '../../site/kit/shims/buffer';
import * as shimPath from '../../site/kit/shims/path';
import * as vfs from '../../site/kit/shims/fs';

/** Runs compiled cells one after another in one scope object, as the worker's global scope. */
async function runCells(cells: string[], modules: Record<string, unknown> = {}): Promise<{ scope: Record<string, unknown>; results: unknown[] }> {
  const scope: Record<string, unknown> = {
    __saeImport: (name: string) => {
      if (!(name in modules)) throw new Error(`Cannot find module '${name}'`);
      return modules[name];
    },
    __saeDefault: (m: { default?: unknown }) => m.default ?? m,
  };
  scope.globalThis = scope;
  const results: unknown[] = [];
  for (const cell of cells) {
    const script = compileCell(ts, cell);
    // `with` gives the cell this scope as its globals (sloppy-mode Function, like the worker's indirect eval).
    // eslint-disable-next-line no-new-func
    results.push(await new Function('scope', `with (scope) { return ${script}; }`)(new Proxy(scope, {
      has: (_t, k) => typeof k === 'string' && !['Promise', 'Math', 'Object', 'Array', 'JSON', 'Error', 'undefined', 'console', 'Symbol'].includes(k),
      get: (t, k) => (k === Symbol.unscopables ? undefined : t[k as string]),
      set: (t, k, v) => { t[k as string] = v; return true; },
    })));
  }
  return { scope, results };
}

describe('site kernel: a cell compiled as tslab runs it', () => {
  test('declarations outlive the cell, may be declared again, and imports become look-ups', async () => {
    const kit = { answer: 42, twice: (n: number) => 2 * n };
    const { scope, results } = await runCells([
      "import { answer, twice as double } from './sae-lab';\nimport type { Foo } from './sae-lab';\nconst x: number = double(answer);",
      'let y = x + 1;\nfunction inc(n: number): number { return n + y; }\nclass Box { v = 3 }\nconst { a, b: [c] } = { a: 1, b: [2] } as const;',
      'const x = inc(1) + new Box().v + a + c;\nx',
    ], { './sae-lab': kit });
    assert.equal(scope.y, 85);
    assert.equal(scope.x, 1 + 85 + 3 + 1 + 2);
    assert.deepEqual(results, [undefined, undefined, 92]);
    assert.equal(scope.double, kit.twice);
    assert.equal('Foo' in scope, false, 'a type-only import left a binding');
  });

  test('top-level await; the last expression is the result, a declaration or import is not', async () => {
    const { results } = await runCells([
      'const v = await Promise.resolve(5);\nv * 2',
      "import * as fs from 'fs';",
      'const z = 1;',
    ], { fs: { existsSync: () => true } });
    assert.deepEqual(results, [10, undefined, undefined]);
  });

  test('a syntax error names its line; an export is refused; a missing module says which', async () => {
    assert.throws(() => compileCell(ts, 'const a = 1;\nconst = ;'), /line 2/);
    assert.throws(() => compileCell(ts, 'export const a = 1;'), /cannot export/);
    await assert.rejects(runCells(["import { x } from 'nope';"]), /Cannot find module 'nope'/);
  });
});

describe('site kernel: what the console prints', () => {
  test('format and inspect as Node prints them', () => {
    assert.equal(format('a', 1, 'b'), 'a 1 b');
    assert.equal(format('%s is %d', 'x', 3.5), 'x is 3.5');
    assert.equal(inspect({ a: 1, b: 'x', c: [1, 2] }), "{ a: 1, b: 'x', c: [ 1, 2 ] }");
    assert.equal(inspect(new Float32Array([1, 2])), 'Float32Array(2) [ 1, 2 ]');
    assert.equal(inspect({ [Symbol.for('nodejs.util.inspect.custom')]: () => '' }), '');
    assert.equal(inspect(-0), '-0');
  });

  test('console.table draws the box with (index), the keys and the values', () => {
    const t = table([{ a: 1, b: 'x' }, { a: 22 }]);
    assert.equal(t.split('\n').length, 6);
    assert.match(t, /│ \(index\) │ +a +│ +b +│/);
    assert.match(t, /│ +0 +│ +1 +│ +'x' +│/);
    assert.match(t, /│ +1 +│ +22 +│ +│/);
  });
});

describe('site settings', () => {
  test('the address sets a setting, storage keeps it, an empty value forgets it', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => { store.set(k, v); }, removeItem: (k: string) => { store.delete(k); } };
    assert.deepEqual(siteSettings('?SAE_QUICK=1&path=a.ipynb', storage), { SAE_QUICK: '1' });
    assert.deepEqual(siteSettings('', storage), { SAE_QUICK: '1' });
    assert.deepEqual(siteSettings('?SAE_BACKEND=webgl', storage), { SAE_QUICK: '1', SAE_BACKEND: 'webgl' });
    assert.deepEqual(siteSettings('?SAE_QUICK=', storage), { SAE_BACKEND: 'webgl' });
    assert.deepEqual(siteSettings('?OTHER=1', null), {});
  });
});

describe('the kit\'s browser shims', () => {
  test('SHA-256 agrees with Node\'s at every padding boundary, fed in pieces', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 70000]) {
      const data = nodeCrypto.randomBytes(n);
      const h = createHash('sha256');
      h.update(data.subarray(0, n >> 1));
      h.update(data.subarray(n >> 1));
      assert.equal(h.digest('hex'), nodeCrypto.createHash('sha256').update(data).digest('hex'), `${n} bytes`);
    }
    assert.equal(createHash('sha256').update('abc').digest('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.throws(() => createHash('md5'), /only sha256/);
    assert.equal(randomBytes(8).length, 8);
  });

  test('Buffer encodes and decodes as Node\'s does', () => {
    const bytes = new Uint8Array([0, 1, 250, 255, 65]);
    assert.equal(ShimBuffer.from(bytes.buffer).toString('base64'), Buffer.from(bytes).toString('base64'));
    assert.equal(ShimBuffer.from(bytes.buffer).toString('hex'), Buffer.from(bytes).toString('hex'));
    assert.deepEqual(Array.from(ShimBuffer.from('AAH6/0E=', 'base64')), Array.from(bytes));
    assert.equal(ShimBuffer.from('héllo').toString('utf8'), 'héllo');
    assert.equal(ShimBuffer.concat([ShimBuffer.from('ab'), ShimBuffer.from('c')]).toString(), 'abc');
  });

  test('path agrees with Node\'s posix path', () => {
    for (const args of [['/a/b', '../c'], ['a', 'b/', './c'], ['/x', '/y', 'z'], ['/']]) {
      assert.equal(shimPath.join(...args), nodePath.posix.join(...args), `join ${args}`);
      if (args[0].startsWith('/')) assert.equal(shimPath.resolve(...args), nodePath.posix.resolve(...args), `resolve ${args}`);
    }
    for (const p of ['/a/b/c.txt', '/a/', 'c', '/']) {
      assert.equal(shimPath.dirname(p), nodePath.posix.dirname(p), `dirname ${p}`);
      assert.equal(shimPath.basename(p), nodePath.posix.basename(p), `basename ${p}`);
      assert.equal(shimPath.extname(p), nodePath.posix.extname(p), `extname ${p}`);
    }
    assert.equal(shimPath.relative('/a/b', '/a/c/d'), nodePath.posix.relative('/a/b', '/a/c/d'));
  });

  test('the in-memory file system: atomic writes, exclusive create, listing, errors with codes', () => {
    const dir = '/vfs-test/cache';
    vfs.mkdirSync(dir, { recursive: true });
    vfs.writeFileSync(`${dir}/.e.tmp`, 'one', { flag: 'wx' });
    assert.throws(() => vfs.writeFileSync(`${dir}/.e.tmp`, 'two', { flag: 'wx' }), (e: NodeJS.ErrnoException) => e.code === 'EEXIST');
    vfs.renameSync(`${dir}/.e.tmp`, `${dir}/entry.json`);
    assert.equal(vfs.readFileSync(`${dir}/entry.json`, 'utf8'), 'one');
    assert.deepEqual(vfs.readdirSync(dir), ['entry.json']);
    const fd = vfs.openSync(`${dir}/entry.json`, vfs.constants.O_RDONLY | vfs.constants.O_NOFOLLOW);
    const buf = new Uint8Array(8);
    assert.equal(vfs.readSync(fd, buf, 0, 8, 0), 3);
    assert.equal(vfs.fstatSync(fd).size, 3);
    vfs.closeSync(fd);
    assert.throws(() => vfs.readFileSync('/vfs-test/none'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && /no such file/.test(e.message));
    assert.throws(() => vfs.writeFileSync('/vfs-test/no/dir/f', 'x'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    assert.equal(vfs.statSync('/vfs-test/none', { throwIfNoEntry: false }), undefined);
    vfs.rmSync('/vfs-test', { recursive: true });
    assert.equal(vfs.existsSync(dir), false);
  });

  test('a mounted folder lists the site\'s files with their sizes before any is fetched', () => {
    vfs.mount('/site/data', 'http://127.0.0.1:1/data/', { 'a.bin': 10, 'sub/b.bin': 20 });
    assert.deepEqual(vfs.readdirSync('/site/data'), ['a.bin', 'sub']);
    assert.equal(vfs.statSync('/site/data/sub/b.bin')!.size, 20);
    assert.ok(vfs.statSync('/site/data/a.bin')!.isFile());
  });
});
