/**
 * Every notebook in notebooks/ executed headless by a real Jupyter client (nbclient) in this
 * project's tslab kernel, in quick mode. Any failing cell fails the test, with its source and stderr.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { executeNotebook, jupyterMissing, lessonNotebooks, registerKernel } from '../scripts/jupyter';

const missing = jupyterMissing();
// On a machine without Jupyter a developer still gets the other tests; CI must have it.
const skip = missing !== null && process.env.CI !== 'true' ? missing : false;

test('notebooks are committed clean (no outputs, no execution counts)', () => {
  for (const nb of lessonNotebooks()) {
    const json = JSON.parse(fs.readFileSync(nb, 'utf8'));
    assert.equal(json.metadata.kernelspec.name, 'tslab', `${nb}: kernel`);
    for (const cell of json.cells) {
      if (cell.cell_type !== 'code') continue;
      assert.deepEqual(cell.outputs, [], `${path.basename(nb)} has outputs`);
      assert.equal(cell.execution_count, null, `${path.basename(nb)} has execution counts`);
    }
  }
});

test('every notebook runs top to bottom on a fresh tslab kernel (SAE_QUICK=1)', { skip }, () => {
  if (missing) assert.fail(missing);
  registerKernel();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-nb-'));
  const notebooks = lessonNotebooks();
  assert.ok(notebooks.length >= 4, `found only ${notebooks.length} notebooks`);
  const failures: string[] = [];
  for (const nb of notebooks) {
    const r = executeNotebook(nb, path.join(out, path.basename(nb)), { env: { SAE_QUICK: '1' } });
    console.log(`${path.basename(nb)}: ${r.cells} code cells, ${r.seconds} s, ${r.errors} errors`);
    if (r.errors) failures.push(r.stderr);
    // The kernel really ran: every code cell got an execution count.
    const executed = JSON.parse(fs.readFileSync(path.join(out, path.basename(nb)), 'utf8'));
    const counts = executed.cells.filter((c: { cell_type: string }) => c.cell_type === 'code').map((c: { execution_count: number | null }) => c.execution_count);
    if (!r.errors) assert.ok(counts.every((c: number | null) => typeof c === 'number'), `${nb}: a cell did not run`);
  }
  assert.equal(failures.length, 0, failures.join('\n'));
});
