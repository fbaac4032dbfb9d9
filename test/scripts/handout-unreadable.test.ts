/**
 * The hand-out on an unparsable notebook (in a temporary folder, never in notebooks/): an error
 * naming the file and the parse error, with every other notebook's problems, exit 1 from the command.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HandoutError, ROOT, buildHandout, taskCounts } from '../../scripts/handout';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-handout-bad-'));

function unparsable(name: string, text: string): { file: string; error: string } {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  try {
    JSON.parse(text);
  } catch (err) {
    return { file, error: (err as Error).message };
  }
  throw new Error(`${name} parses`);
}

test('an unparsable notebook is a HandoutError naming the file and the parse error; nothing is written', () => {
  const bad = unparsable('99-bad.ipynb', '{"cells": [], "metadata": {"kernelspec": {}} "nbformat": 4}');
  const cut = unparsable('98-cut.ipynb', '{"cells": [');
  const good = path.join(ROOT, 'notebooks', '00-setup.ipynb');
  const out = path.join(dir, 'out');
  assert.throws(() => buildHandout({ notebooks: [good, cut.file, bad.file], out, zip: false }), (err: Error) => {
    assert.ok(err instanceof HandoutError, `${err.constructor.name}: ${err.message}`);
    assert.equal(err.message, [
      `${cut.file} is not a notebook: invalid JSON (${cut.error})`,
      `${bad.file} is not a notebook: invalid JSON (${bad.error})`,
    ].join('\n'));
    return true;
  });
  assert.ok(!fs.existsSync(out), 'the hand-out was written anyway');
  assert.throws(() => taskCounts([good, bad.file]), new RegExp(`^HandoutError: ${bad.file.replace(/[/.]/g, '\\$&')} is not a notebook`));
  assert.deepEqual(Object.keys(taskCounts([good])), ['00-setup']);
  fs.writeFileSync(path.join(dir, '97-empty.ipynb'), '{}');
  assert.throws(() => taskCounts([path.join(dir, '97-empty.ipynb')]), /97-empty\.ipynb is not a notebook: it has no list of cells$/);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
