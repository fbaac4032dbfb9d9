/**
 * The one seam for speed (CONTRIBUTING rule 10): the models' folders name no part of the native
 * engine or a backend's internals. The scan is the grep
 *   grep -rnE 'native|fused|Fused|dataIdMap|registerTensor|refCount|typedArrayFromHeap|runKernel|registerKernel|registerGradient|loadNative|sae_blas' src/core src/interp src/exercises
 * with comments left out, and it is tried on lines that break the rule.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', '..', 'src');
const FOLDERS = ['core', 'interp', 'exercises'];
const FORBIDDEN = /native|fused|Fused|dataIdMap|registerTensor|refCount|typedArrayFromHeap|runKernel|registerKernel|registerGradient|loadNative|sae_blas/;

/** The lines of `text` outside comments that name something FORBIDDEN, as 'line: text'. */
export function seamBreaks(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).split('\n').map((l) => l.replace(/\/\/.*$/, ''));
  return code.flatMap((line, i) => (FORBIDDEN.test(line) ? [`${i + 1}: ${line.trim()}`] : []));
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

test('the scan finds an import of the addon, a fused kernel and backend internals, and passes comments', () => {
  assert.equal(seamBreaks("import { loadNative } from '../runtime/native';").length, 1);
  assert.equal(seamBreaks('const y = fusedDense(x, w, b);').length, 1);
  assert.equal(seamBreaks('backend.dataIdMap.get(t.dataId);').length, 1);
  assert.equal(seamBreaks("tf.engine().runKernel('SaeMse', { a, b }, {});").length, 1);
  assert.equal(seamBreaks('// the native engine runs this as one kernel\n/* fused, native */\nconst y = engine().dense(x, w, b);').length, 0);
});

test('core/, interp/ and exercises/ call engine operations only: no addon, fused kernel or backend internals', () => {
  const found = FOLDERS.flatMap((f) => files(path.join(SRC, f)).flatMap((file) =>
    seamBreaks(fs.readFileSync(file, 'utf8')).map((line) => `${path.relative(SRC, file)}:${line}`)));
  assert.deepEqual(found, []);
});
