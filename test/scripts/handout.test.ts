/**
 * The hand-out (scripts/handout.ts) on small synthetic notebooks with nbgrader's markers: the student
 * version holds none of the solution lines (token by token), the stubs are as specified, markdown
 * answers are gone, outputs are cleared, bad markers are errors naming notebook and cell; the folder,
 * README, tasks.json and zip are written. With Jupyter: a notebook holding every task cell of
 * test/check/cells.ts runs in tslab, the solution version printing every check's pass line, the
 * student version (type-checking) raising exactly one `not implemented yet` per task and running
 * every other cell, also from the student folder's own copy of the kit.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CODE_STUB, HandoutError, Notebook, TEXT_STUB, buildHandout, crc32, findSolutionLeaks, makeHandout, tokens, topLevelNames, writeZip, zipFolder,
} from '../../scripts/handout';
import { PYTHON, ROOT, jupyterEnv, jupyterMissing, registerKernel } from '../../scripts/jupyter';
import { TASK_CELLS, TYPE_IMPORTS } from '../check/cells';

const noJupyter = jupyterMissing();
const skipJupyter = noJupyter !== null && process.env.CI !== 'true' ? `skipped: ${noJupyter}` : false;
const hasUnzip = spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0;
const hasZip = spawnSync('zip', ['-v'], { stdio: 'ignore' }).status === 0;

let ids = 0;
const code = (source: string) => ({ id: `c${ids++}`, cell_type: 'code' as const, metadata: {}, source, outputs: [] as unknown[], execution_count: null as number | null });
const markdown = (source: string) => ({ id: `m${ids++}`, cell_type: 'markdown' as const, metadata: {}, source });
const notebook = (cells: Notebook['cells']): Notebook => ({
  cells, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5,
});
const src = (cell: { source: string | string[] }) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

const IMPORT = "import { tf, check, NotImplemented } from './sae-lab';";

/** A small notebook: one task, one open question, a cell with outputs. */
function small(): Notebook {
  const withOutput = code("console.log('hi');");
  withOutput.outputs = [{ output_type: 'stream', name: 'stdout', text: 'hi\n' }];
  withOutput.execution_count = 3;
  return notebook([
    markdown('# 99 · A test notebook'),
    code(IMPORT),
    code(`function myL1Penalty(h: tf.Tensor2D): tf.Scalar {
  // BEGIN SOLUTION
  const absolute = tf.abs(h);
  return tf.tidy(() => tf.mean(absolute) as tf.Scalar);
  // END SOLUTION
}
check.l1Penalty(myL1Penalty);`),
    markdown(`**Question.** Why the mean?
<!-- BEGIN SOLUTION -->
Because the weight lambda absorbs the scale, and means keep batches comparable.
<!-- END SOLUTION -->
That is all.`),
    withOutput,
  ]);
}

test('the student version replaces each solution region by a typed stub and each answer by a line', () => {
  const h = makeHandout(small(), '99-test.ipynb');
  assert.deepEqual(h.tasks, [{ task: 'l1Penalty', cell: 2, checked: true }]);
  assert.equal(h.questions, 1);
  assert.equal(h.title, '99 · A test notebook');
  assert.equal(src(h.student.cells[2]), `function myL1Penalty(h: tf.Tensor2D): tf.Scalar {
  ${CODE_STUB}
  throw new NotImplemented('l1Penalty');
}
check.l1Penalty(myL1Penalty);`);
  assert.equal(src(h.student.cells[3]), `**Question.** Why the mean?\n${TEXT_STUB}\nThat is all.`);
  // The solution version keeps everything; both are cleared of outputs.
  assert.match(src(h.solution.cells[2]), /\/\/ BEGIN SOLUTION\n {2}const absolute = tf\.abs\(h\);/);
  assert.match(src(h.solution.cells[3]), /lambda absorbs the scale/);
  for (const nb of [h.student, h.solution]) {
    for (const cell of nb.cells) {
      if (cell.cell_type !== 'code') continue;
      assert.deepEqual(cell.outputs, []);
      assert.equal(cell.execution_count, null);
    }
  }
  // Sources are nbformat line lists.
  assert.ok(Array.isArray(h.student.cells[2].source) && (h.student.cells[2].source as string[]).every((l, i, a) => i === a.length - 1 || l.endsWith('\n')));
});

test('the student version holds none of the solution lines, token by token', () => {
  const h = makeHandout(small(), '99-test.ipynb');
  const studentTokens = ` ${h.student.cells.flatMap((c) => tokens(src(c))).join(' ')} `;
  const solutionOnly = [
    'const absolute = tf.abs(h);',
    'return tf.tidy(() => tf.mean(absolute) as tf.Scalar);',
    'Because the weight lambda absorbs the scale, and means keep batches comparable.',
  ];
  for (const line of solutionOnly) assert.ok(!studentTokens.includes(` ${tokens(line).join(' ')} `), `leaked: ${line}`);
  assert.deepEqual(findSolutionLeaks(h.solution, h.student), []);
  // The comparison does find a leak: the solution itself as "student" version leaks every line.
  assert.equal(findSolutionLeaks(h.solution, h.solution).length, 3);
});

test('open questions in the notebooks: every answer is gone from the student version, a placeholder in its place', () => {
  const dir = path.join(ROOT, 'notebooks');
  const answered = fs.readdirSync(dir).filter((f) => /^(0[7-9]|1[0-2])-.*\.ipynb$/.test(f)).sort();
  assert.equal(answered.length, 6, `notebooks 07-12: ${answered.join(', ')}`);
  for (const file of answered) {
    const nb: Notebook = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const h = makeHandout(nb, file);
    const regions = nb.cells.filter((c) => c.cell_type === 'markdown' && src(c).includes('<!-- BEGIN SOLUTION -->'));
    assert.ok(regions.length >= 1, `${file}: no answered question`);
    assert.equal(h.questions, regions.length, file);
    const studentText = h.student.cells.map(src).join('\n');
    const studentTokens = ` ${tokens(studentText).join(' ')} `;
    for (const cell of regions) {
      const text = src(cell);
      const question = text.slice(0, text.indexOf('<!-- BEGIN SOLUTION -->')).trim();
      const answer = text.slice(text.indexOf('<!-- BEGIN SOLUTION -->') + 23, text.indexOf('<!-- END SOLUTION -->')).trim();
      assert.match(question, /^\*\*Question \(the lesson's( challenge)?\)\.\*\* [\s\S]+\?$/, `${file}: the question comes first`);
      // The learner sees the question and the placeholder, in place of the answer.
      assert.ok(h.student.cells.some((c) => src(c) === `${question}\n\n${TEXT_STUB}`), `${file}: no placeholder after "${question}"`);
      // None of the answer's sentences (of 4 tokens or more) is left anywhere in the student version.
      for (const sentence of answer.replace(/\s+/g, ' ').split(/(?<=[.;:])\s/)) {
        const t = tokens(sentence);
        if (t.length >= 4) assert.ok(!studentTokens.includes(` ${t.join(' ')} `), `${file}: the student version holds "${sentence}"`);
      }
      // A result's number is printed by a code cell from the computed values, never written in an answer
      // (it would be wrong in the other mode); names such as L1 are not numbers.
      assert.doesNotMatch(answer, /(?<![A-Za-z])\d/, `${file}: an answer states a number: ${answer}`);
    }
    // The solution version keeps every answer.
    for (const cell of regions) assert.ok(h.solution.cells.some((c) => src(c) === src(cell)), file);
  }
});

test('a named region (no check) is a task too; async and indented regions keep their indentation', () => {
  const nb = notebook([
    code(IMPORT),
    code(`async function plotIt(): Promise<number> {
  if (Math.random() >= 0) {
    // BEGIN SOLUTION drawPlot
    return 1;
    // END SOLUTION
  }
  return 0;
}`),
  ]);
  const h = makeHandout(nb, '98-named.ipynb');
  assert.deepEqual(h.tasks, [{ task: 'drawPlot', cell: 1, checked: false }]);
  assert.match(src(h.student.cells[1]), /\n {4}\/\/ YOUR CODE HERE\n {4}throw new NotImplemented\('drawPlot'\);\n {2}\}/);
});

test('bad markers and misplaced tasks are errors naming the notebook and the cell', () => {
  const bad = (cells: Notebook['cells'], message: RegExp) => {
    assert.throws(() => makeHandout(notebook([code(IMPORT), ...cells]), '97-bad.ipynb'),
      (err: unknown) => err instanceof HandoutError && message.test(err.message), String(message));
  };
  const task = (body: string) => code(`function f(h: tf.Tensor2D): tf.Scalar {\n${body}\n}\ncheck.l1Penalty(f);`);
  bad([task('  // BEGIN SOLUTION\n  return tf.sum(h);')], /97-bad\.ipynb, cell 1 \(2nd code cell\): BEGIN SOLUTION on line 2 has no END SOLUTION/);
  bad([task('  return tf.sum(h);\n  // END SOLUTION')], /cell 1 \(2nd code cell\): END SOLUTION on line 3 without a BEGIN SOLUTION/);
  bad([task('  // BEGIN SOLUTION\n  // BEGIN SOLUTION\n  return tf.sum(h);\n  // END SOLUTION\n  // END SOLUTION')], /nested solution regions: BEGIN SOLUTION on line 3 inside the region opened on line 2/);
  bad([markdown('Answer:\n// BEGIN SOLUTION\nit is.\n// END SOLUTION')], /cell 1 \(1st markdown cell\): line 2 holds "BEGIN SOLUTION" but is not an `<!-- BEGIN SOLUTION -->` comment \(the \/\/ marker is for code cells\)/);
  bad([task('  <!-- BEGIN SOLUTION -->\n  return tf.sum(h);\n  <!-- END SOLUTION -->')], /cell 1 \(2nd code cell\): line 2 holds "BEGIN SOLUTION" but is not a `\/\/ BEGIN SOLUTION` comment \(the HTML comment marker is for markdown cells\)/);
  bad([{ id: 'r', cell_type: 'raw', metadata: {}, source: '// BEGIN SOLUTION\n// END SOLUTION' }], /cell 1 \(1st raw cell\): a raw cell holds "BEGIN SOLUTION"/);
  bad([code('function f(): number {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}')], /a solution region but no check\.<task>\(\.\.\.\) call/);
  bad([code('function f(h: tf.Tensor2D): tf.Scalar {\n  // BEGIN SOLUTION\n  return tf.sum(h);\n  // END SOLUTION\n}\ncheck.l1Penalty(f);\ncheck.fvu(() => 0);')],
    /calls check\.l1Penalty and check\.fvu; one task \(one check\) per cell/);
  bad([code('function f(h: tf.Tensor2D): tf.Scalar {\n  // BEGIN SOLUTION\n  return tf.sum(h);\n  // END SOLUTION\n}\ncheck.l1Penality(f);')],
    /check\.l1Penality is not a check of the kit; the checks are l1Penalty, klPenalty/);
  // A later cell that uses the learner's function (it does not exist in the student version).
  bad([task('  // BEGIN SOLUTION\n  return tf.sum(h);\n  // END SOLUTION'), code('const v = f(tf.zeros([2, 2]));')],
    /97-bad\.ipynb, cell 2 \(3rd code cell\) uses f, which task cell 1 \(l1Penalty\) declares/);
  // Tasks without the imports their stubs and checks need.
  assert.throws(() => makeHandout(notebook([code("import { tf } from './sae-lab';"), task('  // BEGIN SOLUTION\n  return tf.sum(h);\n  // END SOLUTION')]), '96-imports.ipynb'),
    /96-imports\.ipynb: it has tasks \(the first in cell 1\) but no cell before it imports NotImplemented from '\.\/sae-lab'/);
});

test('uses inside strings, comments and property names are not uses; destructured names are declarations', () => {
  assert.deepEqual(topLevelNames('const { a, b: c } = x;\nlet [d, e] = y;\nasync function f() {}\nclass G {}\n  const inner = 1;'), ['a', 'c', 'd', 'e', 'f', 'G']);
  const nb = notebook([
    code(IMPORT),
    code('function myF(h: tf.Tensor2D): tf.Scalar {\n  // BEGIN SOLUTION\n  return tf.sum(h);\n  // END SOLUTION\n}\ncheck.l1Penalty(myF);'),
    code("// myF is yours; the kit's l1Penalty is used below\nconsole.log('myF', `${1 + 1}`, { myF: 1 }.myF);"),
  ]);
  assert.doesNotThrow(() => makeHandout(nb, '95-uses.ipynb'));
});

test('buildHandout writes the student folder, the solutions, tasks.json, a README and a zip', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-handout-'));
  const nbFile = path.join(dir, '99-test.ipynb');
  fs.writeFileSync(nbFile, JSON.stringify(small()));
  const out = path.join(dir, 'out');
  const r = buildHandout({ notebooks: [nbFile], out, zipWith: 'node' });
  const student = path.join(out, 'student');
  for (const f of ['README.md', 'package.json', 'package-lock.json', 'tsconfig.json', 'notebooks/99-test.ipynb', 'src/index.ts',
    'src/check/index.ts', 'scripts/jupyter.ts', 'scripts/start.ts', 'scripts/tslab-kernel', 'scripts/execute_notebook.py']) {
    assert.ok(fs.existsSync(path.join(student, f)), `student/${f} missing`);
  }
  for (const f of ['scripts/handout.ts', 'scripts/handout-notebook.ts', 'scripts/handout-zip.ts', 'scripts/execute_with_errors.py', 'test', 'bench', 'native/build', 'docs']) {
    assert.ok(!fs.existsSync(path.join(student, f)), `student/${f} should not be handed out`);
  }
  assert.ok(fs.statSync(path.join(student, 'scripts/tslab-kernel')).mode & 0o100, 'the kernel launcher is executable');
  const pkg = JSON.parse(fs.readFileSync(path.join(student, 'package.json'), 'utf8'));
  assert.ok(pkg.scripts.start && pkg.scripts.install && !pkg.scripts.test && !pkg.scripts.bench);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(student, 'tsconfig.json'), 'utf8')).include, ['src', 'scripts']);
  const studentNb = JSON.parse(fs.readFileSync(path.join(student, 'notebooks/99-test.ipynb'), 'utf8'));
  assert.match(studentNb.cells[2].source.join(''), /throw new NotImplemented\('l1Penalty'\);/);
  const solution = JSON.parse(fs.readFileSync(path.join(out, 'solutions/99-test.ipynb'), 'utf8'));
  assert.match(solution.cells[2].source.join(''), /BEGIN SOLUTION/);
  assert.equal(solution.cells[4].outputs.length, 0);
  const tasks = JSON.parse(fs.readFileSync(path.join(out, 'tasks.json'), 'utf8'));
  assert.deepEqual(tasks.notebooks[0].tasks.map((t: { task: string }) => t.task), ['l1Penalty']);
  assert.equal(tasks.tasks, 1);
  assert.equal(tasks.questions, 1);
  const readme = fs.readFileSync(path.join(student, 'README.md'), 'utf8');
  assert.match(readme, /\| `99-test` \| 99 · A test notebook \| `check\.l1Penalty`: the L1 penalty/);
  assert.match(readme, /Run Selected Cell and All Below/);
  assert.equal(r.zippedWith, 'node');
  if (hasUnzip) {
    const t = spawnSync('unzip', ['-t', r.zip!], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stdout + t.stderr);
    const list = spawnSync('unzip', ['-Z1', r.zip!], { encoding: 'utf8' }).stdout.split('\n');
    assert.ok(list.includes('sae-lab-student/notebooks/99-test.ipynb') && list.includes('sae-lab-student/src/check/index.ts'));
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the zip writer: CRC-32 of a known string, and archives unzip reads back byte for byte', { skip: hasUnzip ? false : 'no unzip command' }, () => {
  assert.equal(crc32(Buffer.from('123456789')).toString(16), 'cbf43926');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-zip-'));
  const files = [
    { name: 'a/empty.txt', data: Buffer.alloc(0) },
    { name: 'a/text.txt', data: Buffer.from('hello '.repeat(1000)) },
    { name: 'b/random.bin', data: Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)) },
    { name: 'ü/ñame.txt', data: Buffer.from('utf-8 names') },
  ];
  writeZip(path.join(dir, 't.zip'), files);
  const t = spawnSync('unzip', ['-q', '-o', 't.zip', '-d', 'x'], { cwd: dir, encoding: 'utf8' });
  assert.equal(t.status, 0, t.stderr);
  for (const f of files) assert.deepEqual(fs.readFileSync(path.join(dir, 'x', f.name)), f.data, f.name);
  // A folder, by the zip command when there is one and by the writer: the same entries under the same top folder.
  const folder = path.join(dir, 'x');
  const entries = (zip: string) => spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l && !l.endsWith('/')).sort();
  assert.equal(zipFolder(folder, path.join(dir, 'node.zip'), 'top', false), 'node');
  assert.deepEqual(entries(path.join(dir, 'node.zip')), files.map((f) => `top/${f.name}`).sort());
  if (hasZip) {
    assert.equal(zipFolder(folder, path.join(dir, 'cli.zip'), 'top', true), 'zip');
    assert.deepEqual(entries(path.join(dir, 'cli.zip')), entries(path.join(dir, 'node.zip')));
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('.zip-')), [], 'the staging folder is removed');
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// In tslab.

/** A notebook with every task cell of test/check/cells.ts, each followed by a cell using the kit's own function. */
function courseNotebook(): Notebook {
  const names = new Set<string>();
  const types = new Set<string>();
  for (const t of TASK_CELLS) for (const i of t.imports) (TYPE_IMPORTS.has(i) ? types : names).add(i);
  const cells: Notebook['cells'] = [
    markdown('# 90 · Every task'),
    code(`import { tf, check, NotImplemented, initBackend, ${Array.from(names).join(', ')} } from './sae-lab';\n` +
      `import type { ${Array.from(types).join(', ')} } from './sae-lab';\nawait initBackend({ log: false });`),
  ];
  for (const t of TASK_CELLS) cells.push(markdown(t.markdown), code(t.cell), code(t.after));
  cells.push(markdown('**Question.** Anything?\n<!-- BEGIN SOLUTION -->\nYes: a full answer.\n<!-- END SOLUTION -->'), code("console.log('the end');"));
  return notebook(cells);
}

interface CellRun { cell: number; status: string; stdout: string; stderr: string }

/** Runs a notebook with errors allowed (scripts/execute_with_errors.py); one row per code cell. */
function runAllowingErrors(file: string, cwd: string, env: NodeJS.ProcessEnv): CellRun[] {
  const r = spawnSync(PYTHON, [path.join(ROOT, 'scripts', 'execute_with_errors.py'), file, `${file}.out.ipynb`, '--cwd', cwd, '--timeout', '300'],
    { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  const last = (r.stdout || '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`execute_with_errors.py failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  }
}

/** The student run: exactly one error per task cell, each `not implemented yet: <task>`; every other cell ran cleanly. */
function assertStudentRun(rows: CellRun[], tasks: { task: string; cell: number }[]): void {
  assert.deepEqual(tasks.map((t) => t.task), TASK_CELLS.map((t) => t.task));
  const taskCells = new Map(tasks.map((t) => [t.cell, t.task]));
  const errors = rows.filter((r) => r.status !== 'ok');
  assert.equal(errors.length, TASK_CELLS.length, `errors in cells ${errors.map((e) => `${e.cell}: ${e.stderr}`).join('\n')}`);
  for (const row of rows) {
    const task = taskCells.get(row.cell);
    if (task) {
      assert.equal(row.status, 'error', `task ${task} did not fail`);
      const raised = row.stderr.match(/not implemented yet(: \w+)?/g) ?? [];
      assert.deepEqual(raised, [`not implemented yet: ${task}`], `cell ${row.cell}: ${row.stderr}`);
      assert.match(row.stdout, new RegExp(`not implemented yet: ${task} — write your function above`));
    } else {
      assert.equal(row.status, 'ok', `cell ${row.cell} failed: ${row.stderr}`);
      assert.equal(row.stderr, '', `cell ${row.cell} wrote to stderr: ${row.stderr}`);
    }
  }
  assert.match(rows[rows.length - 1].stdout, /the end/);
}

test('in tslab: the solution version passes every check; the student version raises one not-implemented error per task and runs the rest',
  { skip: skipJupyter, timeout: 900_000 }, () => {
    if (noJupyter) assert.fail(noJupyter);
    registerKernel();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-course-'));
    const h = makeHandout(courseNotebook(), '90-every-task.ipynb');
    assert.equal(h.tasks.length, TASK_CELLS.length);
    const solutionFile = path.join(dir, 'solution.ipynb');
    const studentFile = path.join(dir, 'student.ipynb');
    fs.writeFileSync(solutionFile, JSON.stringify(h.solution));
    fs.writeFileSync(studentFile, JSON.stringify(h.student));

    const solved = runAllowingErrors(solutionFile, ROOT, jupyterEnv({ SAE_QUICK: '1' }));
    const failed = solved.filter((r) => r.status !== 'ok' || r.stderr !== '');
    assert.deepEqual(failed, [], `the solution version failed:\n${failed.map((r) => `cell ${r.cell}: ${r.stderr}`).join('\n')}`);
    const passLines = solved.flatMap((r) => r.stdout.split('\n')).filter((l) => l.startsWith('✔ '));
    assert.deepEqual(passLines.map((l) => l.split(':')[0].slice(2)), TASK_CELLS.map((t) => t.task));
    for (const l of passLines) assert.match(l, /^✔ \w+: passed \d+ cases$/);

    assertStudentRun(runAllowingErrors(studentFile, ROOT, jupyterEnv({ SAE_QUICK: '1' })), h.tasks);
    fs.rmSync(dir, { recursive: true, force: true });
  });

test('in tslab: the student folder runs with its own copy of the kit', { skip: skipJupyter, timeout: 900_000 }, () => {
  if (noJupyter) assert.fail(noJupyter);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-folder-'));
  const nbFile = path.join(dir, '90-every-task.ipynb');
  fs.writeFileSync(nbFile, JSON.stringify(courseNotebook()));
  const out = path.join(dir, 'out');
  const built = buildHandout({ notebooks: [nbFile], out, zip: false });
  const student = path.join(out, 'student');
  // The learner runs npm install; here the project's node_modules stand in for it.
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(student, 'node_modules'), 'dir');
  // A kernel spec that starts the student folder's own launcher (as its npm start registers it).
  const jupyterPath = path.join(dir, 'jupyter');
  const spec = path.join(jupyterPath, 'kernels', 'tslab');
  fs.mkdirSync(spec, { recursive: true });
  fs.writeFileSync(path.join(spec, 'kernel.json'), JSON.stringify({
    argv: [path.join(student, 'scripts', 'tslab-kernel'), 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript',
  }));
  const env = { ...process.env, JUPYTER_PATH: jupyterPath, SAE_QUICK: '1' };
  const studentNb = path.join(student, 'notebooks', '90-every-task.ipynb');
  assertStudentRun(runAllowingErrors(studentNb, path.join(student, 'notebooks'), env), built.summary.notebooks[0].tasks);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('in tslab: a wrong answer prints its ✘ line and fails the cell; an endless loop is stopped; the kernel works on; SAE_CHECK_RAISE=0 only prints',
  { skip: skipJupyter, timeout: 600_000 }, () => {
    if (noJupyter) assert.fail(noJupyter);
    registerKernel();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-wrong-'));
    const file = path.join(dir, 'wrong.ipynb');
    fs.writeFileSync(file, JSON.stringify(notebook([
      code(`${IMPORT}\nimport { initBackend } from './sae-lab';\nawait initBackend({ log: false });`),
      code('function myL1Penalty(h: tf.Tensor2D): tf.Scalar {\n  return tf.tidy(() => tf.sum(tf.abs(h)));\n}\ncheck.l1Penalty(myL1Penalty);'),
      code('function myFvu(x: Float32Array, xHat: Float32Array, dim: number): number {\n  let i = 0;\n  while (i < x.length) { /* i never grows */ }\n  return 0;\n}\ncheck.fvu(myFvu, { seconds: 2 });'),
      code('console.log(`after: ${tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0])}, tensors ${tf.memory().numTensors}`);'),
    ])));
    const rows = runAllowingErrors(file, ROOT, jupyterEnv({ SAE_QUICK: '1' }));
    const [, wrong, loop, after] = rows;
    assert.equal(wrong.status, 'error', 'a failed check fails its cell');
    assert.match(wrong.stdout, /✘ l1Penalty: case "ReLU codes" .*Hint: you summed \|h\| over everything/);
    assert.match(wrong.stderr, /check\.l1Penalty failed at case "ReLU codes" \(the ✘ line above says why\)/);
    assert.equal(loop.status, 'error');
    assert.match(loop.stdout, /✘ fvu: case "noisy reconstructions" .*did not return within 2 s and was stopped/);
    assert.equal(after.status, 'ok', after.stderr);
    assert.match(after.stdout, /after: 6, tensors 0/);
    // The teacher's switch: the line only, the cell green.
    const quiet = runAllowingErrors(file, ROOT, jupyterEnv({ SAE_QUICK: '1', SAE_CHECK_RAISE: '0' }));
    assert.equal(quiet[1].status, 'ok', quiet[1].stderr);
    assert.match(quiet[1].stdout, /✘ l1Penalty: case "ReLU codes"/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
