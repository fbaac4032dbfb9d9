/**
 * The headless notebook runner (scripts/execute_notebook.py, executeNotebook, runLesson) on small
 * temporary notebooks in a real tslab kernel: a cell that hangs or busy-loops past the per-cell
 * timeout, or ends the kernel with process.exit, is the cell reported; the per-cell timeout is
 * configurable and validated; a failed re-run of the lesson keeps the last good page.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DEFAULT_CELL_TIMEOUT, PYTHON, ROOT, cellTimeout, executeNotebook, jupyterEnv, jupyterMissing, registerKernel,
} from '../../scripts/jupyter';
import { runLesson } from '../../scripts/lesson';

// Locally, a machine without Jupyter still runs the other tests; CI must have it.
const noJupyter = jupyterMissing();
const skipJupyter = noJupyter !== null && process.env.CI !== 'true'
  ? `skipped: ${noJupyter}` : false;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-runner-'));
let ids = 0;
const code = (source: string) => ({ id: `c${ids++}`, cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });
const markdown = (source: string) => ({ id: `m${ids++}`, cell_type: 'markdown', metadata: {}, source });
function notebook(name: string, cells: object[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({
    cells, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5,
  }));
  return file;
}

let registered = false;
function kernel(): void {
  if (noJupyter) assert.fail(noJupyter);
  if (!registered) registerKernel();
  registered = true;
}

/** The source block the runner prints for the failed cell. */
function reportedSource(stderr: string): string {
  const m = /--- source ---\n([\s\S]*?)\n--- stderr ---/.exec(stderr);
  assert.ok(m, `no source block in:\n${stderr}`);
  return m[1];
}

test('SAE_CELL_TIMEOUT and the timeout option are validated; the default follows quick or full mode', () => {
  assert.equal(cellTimeout({}), DEFAULT_CELL_TIMEOUT.full);
  assert.equal(cellTimeout({ SAE_QUICK: '1' }), DEFAULT_CELL_TIMEOUT.quick);
  assert.ok(DEFAULT_CELL_TIMEOUT.quick < DEFAULT_CELL_TIMEOUT.full);
  assert.equal(cellTimeout({ SAE_CELL_TIMEOUT: '42' }), 42);
  assert.equal(cellTimeout({ SAE_CELL_TIMEOUT: ' 7 ', SAE_QUICK: '1' }), 7);
  assert.equal(cellTimeout({ SAE_CELL_TIMEOUT: '' }), DEFAULT_CELL_TIMEOUT.full);
  for (const bad of ['0', '-5', '1.5', 'abc', '10s', 'Infinity']) {
    assert.throws(() => cellTimeout({ SAE_CELL_TIMEOUT: bad }),
      (err: Error) => err.message.includes(`SAE_CELL_TIMEOUT=${JSON.stringify(bad)}`) && /whole number of seconds > 0/.test(err.message),
      `SAE_CELL_TIMEOUT=${bad}`);
  }
  assert.throws(() => executeNotebook(path.join(dir, 'none.ipynb'), path.join(dir, 'none.out.ipynb'), { timeout: 0 }), /timeout=0 .*whole number of seconds/);
  // runLesson checks its settings before it starts any kernel.
  const none = { out: path.join(dir, 'none'), notebooks: [], only: ['zz-none'], log: false };
  assert.throws(() => runLesson({ ...none, env: { SAE_CELL_TIMEOUT: 'soon' } }), /SAE_CELL_TIMEOUT="soon"/);
  assert.throws(() => runLesson({ ...none, env: { SAE_QUICK: 'maybe' } }), /SAE_QUICK="maybe"/);
});

test('a cell awaiting a promise that never settles is reported by index and source when it times out', { skip: skipJupyter }, () => {
  kernel();
  const nb = notebook('hang.ipynb', [markdown('# hangs'), code("console.log('first cell ran')"), code('await new Promise(() => {});'),
    code("console.log('never')")]);
  // The runner itself, bounded from outside, so that a runner ignoring --timeout fails here instead of hanging.
  const r = spawnSync(PYTHON, [path.join(ROOT, 'scripts', 'execute_notebook.py'), nb, path.join(dir, 'hang.out.ipynb'), '--timeout', '5'],
    { encoding: 'utf8', env: jupyterEnv(), timeout: 120_000 });
  assert.equal(r.status, 1, `runner exit ${r.status} ${r.signal ?? ''}\n${r.stderr}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(summary.errors, 1);
  assert.equal(summary.failed_cell, 2, r.stderr);
  assert.equal(summary.code_cell, 2);
  assert.equal(summary.reason, 'timeout');
  assert.equal(reportedSource(r.stderr), 'await new Promise(() => {});');
  assert.match(r.stderr, /cell 2 \(2nd code cell\) timed out after 5 s/);
});

test('a busy loop is stopped by SAE_CELL_TIMEOUT and reported as the cell that was running', { skip: skipJupyter }, () => {
  kernel();
  const busy = 'const t = Date.now(); while (Date.now() - t < 60000) {}';
  const nb = notebook('busy.ipynb', [code("console.log('first cell ran')"), markdown('## then'), code(busy), code("console.log('never')")]);
  const started = Date.now();
  const r = executeNotebook(nb, path.join(dir, 'busy.out.ipynb'), { env: { SAE_CELL_TIMEOUT: '5' } });
  assert.ok(Date.now() - started < 45_000, `took ${(Date.now() - started) / 1000} s: the 5 s timeout was not applied`);
  assert.equal(r.timeout, 5);
  assert.equal(r.errors, 1, r.stderr);
  assert.equal(r.failed_cell, 2, r.stderr);
  assert.equal(r.code_cell, 2);
  assert.equal(r.reason, 'timeout');
  assert.equal(reportedSource(r.stderr), busy);
  assert.match(r.stderr, /cell 2 \(2nd code cell\) timed out after 5 s/);
  // The output notebook still has the first cell's result.
  const executed = JSON.parse(fs.readFileSync(path.join(dir, 'busy.out.ipynb'), 'utf8'));
  assert.match(JSON.stringify(executed.cells[0].outputs), /first cell ran/);
});

test('process.exit in a cell is reported as that cell, with the kernel\'s exit code', { skip: skipJupyter }, () => {
  kernel();
  const nb = notebook('exit.ipynb', [code("console.log('first cell ran')"), code('process.exit(3);'), code("console.log('never')")]);
  const r = executeNotebook(nb, path.join(dir, 'exit.out.ipynb'), { timeout: 60 });
  assert.equal(r.errors, 1, r.stderr);
  assert.equal(r.failed_cell, 1, r.stderr);
  assert.equal(r.reason, 'kernel died');
  assert.equal(reportedSource(r.stderr), 'process.exit(3);');
  assert.match(r.stderr, /kernel died \(exit code 3\)/);
});

test('a failed re-run of the lesson keeps the last good page and puts the failed run beside it', { skip: skipJupyter }, () => {
  kernel();
  const out = path.join(dir, 'lesson');
  const good = [markdown('# Kept page'), code("console.log('the good run')")];
  const file = notebook('zz-kept.ipynb', good);
  const options = { out, notebooks: [file], only: ['zz'], env: { SAE_QUICK: '1' }, timeout: 60, log: false };
  const page = (suffix: string) => path.join(out, `zz-kept${suffix}`);

  const [first] = runLesson(options);
  assert.equal(first.result!.errors, 0, first.result!.stderr);
  const goodHtml = fs.readFileSync(page('.html'), 'utf8');
  const goodIpynb = fs.readFileSync(page('.ipynb'), 'utf8');
  assert.match(goodHtml, /the good run/);

  notebook('zz-kept.ipynb', [markdown('# Kept page'), code("console.log('the second run')"), code("throw new Error('broken on purpose')")]);
  const [second] = runLesson(options);
  assert.equal(second.result!.errors, 1);
  assert.equal(second.result!.failed_cell, 2);
  assert.equal(fs.readFileSync(page('.html'), 'utf8'), goodHtml, 'the good page was overwritten');
  assert.equal(fs.readFileSync(page('.ipynb'), 'utf8'), goodIpynb, 'the good notebook was overwritten');
  assert.match(fs.readFileSync(page('.failed.html'), 'utf8'), /the second run/);
  assert.match(fs.readFileSync(page('.failed.ipynb'), 'utf8'), /the second run/);
  assert.deepEqual(second.good, first.good);
  assert.equal(second.failedPage, 'zz-kept.failed.html');
  let index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  assert.ok(index.includes('href="zz-kept.html"'), 'index.html no longer links the good page');
  assert.ok(index.includes('href="zz-kept.failed.html"'), 'index.html does not link the failed run');
  assert.match(index, /failed at cell 2 \(2nd code cell\), error/);
  assert.ok(index.includes(`last good run (quick, ${first.at})`), 'index.html does not say when the good page is from');
  assert.deepEqual(fs.readdirSync(out).filter((f) => f.startsWith('.')), [], 'scratch files left behind');

  // A good run again replaces the page and removes the stale failed one.
  notebook('zz-kept.ipynb', [markdown('# Kept page'), code("console.log('the third run')")]);
  const [third] = runLesson(options);
  assert.equal(third.result!.errors, 0, third.result!.stderr);
  assert.match(fs.readFileSync(page('.html'), 'utf8'), /the third run/);
  assert.ok(!fs.existsSync(page('.failed.html')) && !fs.existsSync(page('.failed.ipynb')), 'the stale failed page is still there');
  index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  assert.ok(index.includes('href="zz-kept.html"') && !index.includes('.failed.html') && !index.includes('failed at'), index);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
