/**
 * runtime/values.ts: reading a tensor's values out of a tf.tidy without tidy walking them. The
 * values are checked against products worked by hand, the tensor count against tf.memory(), and
 * the kit's sources against the slow pattern itself: a tidy that reads values (dataSync,
 * arraySync) and hands them out, which tidy then walks element by element.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../src/runtime/backend';
import { floatsOf, valuesOf } from '../../src/runtime/values';
import { setup } from '../helpers';

test('floatsOf and valuesOf: the values of the returned tensor, every tensor disposed', async () => {
  await setup();
  const before = tf.memory().numTensors;
  // [[1, 2], [3, 4]] x [[5, 6], [7, 8]] = [[19, 22], [43, 50]]
  const product = floatsOf(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])));
  assert.ok(product instanceof Float32Array);
  assert.deepEqual(Array.from(product), [19, 22, 43, 50]);
  const argmax = valuesOf(() => tf.argMax(tf.tensor2d([0.1, 0.7, 0.2, 0.9, 0.05, 0.05], [2, 3]), 1));
  assert.ok(argmax instanceof Int32Array);
  assert.deepEqual(Array.from(argmax), [1, 0]);
  assert.equal(tf.memory().numTensors, before);
});

test('floatsOf: an int32 result is an error naming its dtype, and leaks nothing', async () => {
  await setup();
  const before = tf.memory().numTensors;
  assert.throws(() => floatsOf(() => tf.tensor1d([1, 2], 'int32')), /floatsOf: the tensor has dtype int32, expected float32/);
  assert.equal(tf.memory().numTensors, before);
});

test('floatsOf: an error inside the function leaks nothing', async () => {
  await setup();
  const before = tf.memory().numTensors;
  assert.throws(() => floatsOf(() => {
    tf.ones([3, 3]);
    throw new Error('boom');
  }), /boom/);
  assert.equal(tf.memory().numTensors, before);
});

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/**
 * Reads of values inside a tf.tidy(...) call: `.dataSync()` or `.arraySync()` not followed by an
 * index (`[0]`, a scalar) and not cast to a number. Each is "file:line: text".
 */
function valueReadsInTidy(text: string, file: string): string[] {
  const found: string[] = [];
  const lines = text.split('\n');
  for (let i = text.indexOf('tidy('); i >= 0; i = text.indexOf('tidy(', i + 1)) {
    let depth = 0;
    let end = i + 4;
    for (; end < text.length; end++) {
      if (text[end] === '(') depth += 1;
      else if (text[end] === ')' && --depth === 0) break;
    }
    const body = text.slice(i, end + 1);
    for (const m of body.matchAll(/\.(dataSync|arraySync)\(\)(?!\[| as number)/g)) {
      const line = text.slice(0, i + m.index!).split('\n').length;
      found.push(`${file}:${line}: ${lines[line - 1].trim()}`);
    }
  }
  return found;
}

test('the scan finds a tidy that hands out read values, and passes one that does not', () => {
  const bad = "const v = tf.tidy(() => model.decode(c).dataSync());\nconst w = tf.tidy(() => {\n  return [h.dataSync()];\n});";
  assert.deepEqual(valueReadsInTidy(bad, 'x.ts'), [
    'x.ts:1: const v = tf.tidy(() => model.decode(c).dataSync());',
    'x.ts:3: return [h.dataSync()];',
  ]);
  const good = "const v = floatsOf(() => model.decode(c));\nconst s = tf.tidy(() => tf.sum(x).dataSync()[0]);\n" +
    "const t = tf.tidy(() => tf.mean(x).arraySync() as number);";
  assert.deepEqual(valueReadsInTidy(good, 'y.ts'), []);
});

// Reads that stay inside their tidy: not handed out to it, or a handful of numbers.
const ALLOWED = [
  // the checked function's result, copied into a variable outside; the tidy returns nothing
  /^src\/check\/call\.ts:\d+: values = Float32Array\.from\(returned\.dataSync\(\)\);$/,
  // a training step's two or three loss values
  /^src\/core\/train\.ts:\d+: const v = Array\.from\(kept!\.dataSync\(\)\);$/,
];

test('no tidy in the kit hands out an array of read values (tidy walks it element by element)', () => {
  const root = path.resolve(__dirname, '../..');
  const found = sources(path.join(root, 'src'))
    .flatMap((f) => valueReadsInTidy(fs.readFileSync(f, 'utf8'), path.relative(root, f).split(path.sep).join('/')))
    .filter((hit) => !ALLOWED.some((re) => re.test(hit)) && !hit.startsWith('src/runtime/values.ts:'));
  assert.deepEqual(found, [], 'read the tensor outside the tidy: floatsOf / valuesOf (src/runtime/values.ts)');
});
