/**
 * The headless notebook runner (scripts/execute_notebook.py, executeNotebook, runLesson) on small
 * temporary notebooks in a real tslab kernel: a cell that hangs or busy-loops past the per-cell
 * timeout, or ends the kernel with process.exit, is the cell reported; the per-cell timeout is
 * configurable and validated; a failed re-run of the lesson keeps the last good page; an unparsable
 * notebook (in a temporary folder, never in notebooks/) is a failed row naming the file, not a crash.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DEFAULT_CELL_TIMEOUT, PYTHON, ROOT, cellTimeout, describeFailure, executeNotebook, jupyterEnv, jupyterMissing, registerKernel,
} from '../../scripts/jupyter';
import { escapeHtml } from '../../src/runtime/progress';
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

test('a kernel that dies before any cell ran is started again, and the notebook then runs', { skip: skipJupyter }, () => {
  kernel();
  // A kernel spec whose first start exits at once (as tslab does when its sockets refuse the first
  // message on a busy machine) and whose second start is the real tslab kernel.
  const specs = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-flaky-'));
  const marker = path.join(specs, 'started-once');
  const tslab = path.join(ROOT, 'scripts', 'tslab-kernel');
  const script = `if [ -e "$1" ]; then exec "$2" kernel --config-path "$0"; else touch "$1"; exit 7; fi`;
  fs.mkdirSync(path.join(specs, 'kernels', 'flaky'), { recursive: true });
  fs.writeFileSync(path.join(specs, 'kernels', 'flaky', 'kernel.json'), JSON.stringify({
    argv: ['sh', '-c', script, '{connection_file}', marker, tslab], display_name: 'flaky', language: 'typescript',
  }));
  const nb = notebook('flaky.ipynb', [code("console.log('ran on the second kernel')")]);
  const out = path.join(dir, 'flaky.out.ipynb');
  const env = jupyterEnv({ JUPYTER_PATH: [specs, jupyterEnv().JUPYTER_PATH].join(path.delimiter) });
  const r = spawnSync(PYTHON, [path.join(ROOT, 'scripts', 'execute_notebook.py'), nb, out, '--kernel', 'flaky', '--timeout', '60'],
    { encoding: 'utf8', env, timeout: 240_000 });
  assert.equal(r.status, 0, `runner exit ${r.status} ${r.signal ?? ''}\n${r.stderr}`);
  assert.ok(fs.existsSync(marker), 'the first start did not happen');
  assert.match(r.stderr, /the kernel failed before any cell ran .*starting a fresh one \(try 2 of 3\)/);
  assert.equal(JSON.parse(r.stdout.trim().split('\n').pop()!).errors, 0);
  assert.match(fs.readFileSync(out, 'utf8'), /ran on the second kernel/);
  fs.rmSync(specs, { recursive: true, force: true });
});

test('a kernel that never starts is tried three times, then reported as failing before any cell ran', { skip: skipJupyter }, () => {
  const specs = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-dead-'));
  fs.mkdirSync(path.join(specs, 'kernels', 'dead'), { recursive: true });
  const tries = path.join(specs, 'tries');
  fs.writeFileSync(path.join(specs, 'kernels', 'dead', 'kernel.json'), JSON.stringify({
    argv: ['sh', '-c', 'echo x >> "$1"; exit 5', '{connection_file}', tries], display_name: 'dead', language: 'typescript',
  }));
  const nb = notebook('dead.ipynb', [code("console.log('never')")]);
  const env = jupyterEnv({ JUPYTER_PATH: [specs, jupyterEnv().JUPYTER_PATH].join(path.delimiter) });
  const r = spawnSync(PYTHON, [path.join(ROOT, 'scripts', 'execute_notebook.py'), nb, path.join(dir, 'dead.out.ipynb'), '--kernel', 'dead'],
    { encoding: 'utf8', env, timeout: 240_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(fs.readFileSync(tries, 'utf8').trim().split('\n').length, 3, 'three starts');
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(summary.errors, 1);
  assert.equal(summary.failed_cell, -1);
  assert.match(r.stderr, /the run failed before any cell ran|kernel died before any cell ran/);
  fs.rmSync(specs, { recursive: true, force: true });
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

/** A folder holding a tiny good notebook and two unparsable ones (never in notebooks/); each bad file with its JSON.parse error. */
function badFolder(): { folder: string; good: string; bad: { file: string; error: string }[] } {
  const folder = fs.mkdtempSync(path.join(dir, 'bad-'));
  const good = path.join(folder, '01-good.ipynb');
  fs.copyFileSync(notebook('good-src.ipynb', [markdown('# Good one'), code("console.log('the good notebook ran')")]), good);
  const texts = { '98-truncated.ipynb': '{"cells": [', '99-bad.ipynb': '{"cells": [], "metadata": {"kernelspec": {}} "nbformat": 4}' };
  const bad = Object.entries(texts).map(([name, text]) => {
    const file = path.join(folder, name);
    fs.writeFileSync(file, text);
    let error = '';
    try { JSON.parse(text); } catch (err) { error = (err as Error).message; }
    assert.ok(error !== '', `${name} parses`);
    return { file, error };
  });
  return { folder, good, bad };
}

test('execute_notebook.py on an unparsable notebook: one line naming the file and the error, a summary, no traceback', { skip: skipJupyter }, () => {
  const { bad } = badFolder();
  const r = spawnSync(PYTHON, [path.join(ROOT, 'scripts', 'execute_notebook.py'), bad[0].file, path.join(dir, 'never.ipynb')],
    { encoding: 'utf8', env: jupyterEnv(), timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /Traceback/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.ok(r.stderr.startsWith(`${bad[0].file} is not a readable notebook: `), r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual({ ...summary, message: undefined }, {
    notebook: bad[0].file, cells: 0, seconds: 0, errors: 1, failed_cell: -1, code_cell: null, reason: 'unreadable', message: undefined,
  });
  assert.equal(summary.message, r.stderr.trim());
  assert.ok(!fs.existsSync(path.join(dir, 'never.ipynb')));
});

test('an unparsable notebook is a FAILED row naming the file and the parse error; the others run; summary and index are written', { skip: skipJupyter }, () => {
  kernel();
  const { good, bad } = badFolder();
  const notebooks = [good, ...bad.map((b) => b.file)];
  const out = fs.mkdtempSync(path.join(dir, 'bad-out-'));
  const rows = runLesson({ out, notebooks, timeout: 60, log: false });
  assert.deepEqual(rows.map((r) => [r.name, r.result!.errors]), [['01-good', 0], ['98-truncated', 1], ['99-bad', 1]]);
  for (const [i, b] of bad.entries()) {
    const row = rows[i + 1];
    assert.equal(row.result!.reason, 'unreadable');
    assert.equal(row.result!.message, `${b.file} is not a notebook: invalid JSON (${b.error})`);
    assert.equal(describeFailure(row.result!), `reading the notebook: ${row.result!.message}`);
    assert.equal(row.failedPage, null);
    assert.equal(row.title, path.basename(b.file, '.ipynb'));
  }
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.deepEqual(summary.lastRun.notebooks, ['01-good', '98-truncated', '99-bad']);
  assert.equal(summary.notebooks['99-bad'].result.message, rows[2].result!.message);
  const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  assert.ok(index.includes('href="01-good.html"'), 'the good notebook has no page in the index');
  assert.ok(index.includes(`failed at reading the notebook: ${escapeHtml(rows[2].result!.message!)}`), index);
  // Asked for one notebook, the unparsable one beside it no longer stops the run.
  const [only] = runLesson({ out, notebooks, only: ['01'], timeout: 60, log: false });
  assert.equal(only.result!.errors, 0, only.result!.stderr);
  // executeNotebook on its own gives the same result, without starting Python.
  const direct = executeNotebook(bad[1].file, path.join(out, 'never.ipynb'), { timeout: 60 });
  assert.deepEqual({ ...direct, seconds: 0 }, { ...rows[2].result!, seconds: 0 });
  assert.ok(!fs.existsSync(path.join(out, 'never.ipynb')));
});

test('npm run lesson with an unparsable notebook: FAILED rows naming the file, exit 1, no traceback, summary and index written', { skip: skipJupyter }, () => {
  kernel();
  const { folder, bad } = badFolder();
  const lesson = (out: string, ...only: string[]) => spawnSync(process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'scripts', 'lesson.ts'), '--notebooks', folder, '--out', out, ...only],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SAE_CELL_TIMEOUT: '60' }, timeout: 300_000 });
  for (const only of [[], ['99']]) {
    const out = fs.mkdtempSync(path.join(dir, 'cli-out-'));
    const r = lesson(out, ...only);
    const all = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 1, `lesson ${only.join(' ')}: exit ${r.status}\n${all}`);
    assert.doesNotMatch(all, /Traceback|SyntaxError/);
    const line = r.stdout.split('\n').find((l) => l.startsWith('99-bad '));
    assert.ok(line, `no 99-bad row in:\n${r.stdout}`);
    assert.ok(line.includes(`FAILED at reading the notebook: ${bad[1].file} is not a notebook: invalid JSON (${bad[1].error})`), line);
    assert.ok(fs.existsSync(path.join(out, 'summary.json')) && fs.existsSync(path.join(out, 'index.html')), fs.readdirSync(out).join(', '));
    if (only.length === 0) {
      assert.match(r.stdout, /^01-good .* 0 errors$/m);
      assert.match(r.stdout, /1 notebooks ok, 2 failed/);
    }
  }
  // A folder option that is not a folder is an error naming it, exit 2.
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'lesson.ts'), '--notebooks', path.join(folder, 'none')],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`--notebooks ${path.join(folder, 'none').replace(/[/.]/g, '\\$&')}: no such folder`));
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
