/**
 * What every check does the same way: a stub's NotImplemented is reported and thrown again with the
 * task's name; the learner's other errors become a failed case; output goes to stdout only (nbgrader
 * fails a cell that wrote to stderr); one line per check; a failing check can throw for nbgrader;
 * every task in TASKS has its check.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as util from 'util';
import { tf } from '../../src/runtime/backend';
import { CheckFailed, NotImplemented, TASKS, check, isNotImplemented, setCheckDefaults, taskMarks } from '../../src/check';
import type { SparseAutoencoder } from '../../src/core/sae';
import type { Optimizer } from '../../src/core/train';
import { fvu as kitFvu } from '../../src/interp/metrics';
import { setup } from '../helpers';
import { capture } from './capture';
import { TASK_CELLS } from './cells';

test('NotImplemented says which task, in one line, with or without a name', () => {
  const named = new NotImplemented('klPenalty');
  assert.equal(named.message, 'not implemented yet: klPenalty');
  assert.equal(util.inspect(named), '[NotImplemented: not implemented yet: klPenalty]');
  assert.equal(named.task, 'klPenalty');
  assert.ok(named instanceof Error && named instanceof NotImplemented);
  assert.equal(new NotImplemented().message, 'not implemented yet');
  const foreign = Object.assign(new Error('not implemented yet: x'), { name: 'NotImplemented' });
  assert.ok(isNotImplemented(foreign));
  assert.ok(!isNotImplemented(new Error('other')));
});

test('a stub\'s NotImplemented is reported and thrown again, named after the task', async () => {
  await setup();
  const stub = (): never => {
    throw new NotImplemented(); // nbgrader's fixed code stub carries no task name
  };
  const lines: string[] = [];
  assert.throws(() => check.klPenalty(stub, { log: (l) => lines.push(l) }),
    (err: unknown) => err instanceof NotImplemented && err.message === 'not implemented yet: klPenalty');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /not implemented yet: klPenalty — write your function above/);
  // Async tasks reject the same way.
  const asyncStub = async (): Promise<never> => {
    throw new NotImplemented('sweep');
  };
  await assert.rejects(check.sweep(asyncStub, { log: () => undefined }),
    (err: unknown) => err instanceof NotImplemented && err.message === 'not implemented yet: sweep');
  await assert.rejects(check.matchSparsity(asyncStub, { log: () => undefined }),
    (err: unknown) => err instanceof NotImplemented && err.message === 'not implemented yet: matchSparsity');
});

test('any other error of the learner\'s function fails the case, naming the error', async () => {
  await setup();
  const { result, lines } = capture((o) => check.fvu(() => { throw new TypeError('x.map is not a function'); }, o));
  assert.equal(result.passed, false);
  assert.equal(result.failedCase, 'noisy reconstructions');
  assert.match(lines[0], /got an error: TypeError: x\.map is not a function\. Hint: /);
  // A loss computed outside tf.variableGrads: tfjs's error, and a hint about tracing.
  const outside = (model: SparseAutoencoder, x: tf.Tensor2D, optimizer: Optimizer) => tf.tidy(() => {
    const total = model.losses(x).total;
    const { value, grads } = tf.variableGrads(() => total, model.variables);
    optimizer.applyGradients(grads);
    return value.dataSync()[0];
  });
  const r = capture((o) => check.trainStep(outside, o));
  assert.equal(r.result.passed, false);
  assert.match(r.lines[0], /got an error: .*Hint: compute the loss inside the function you give tf\.variableGrads/);
});

test('checks write with console.log only (stdout), one line each, and leave no tensors behind', async () => {
  await setup();
  const written: string[] = [];
  const stderr = process.stderr.write.bind(process.stderr);
  const log = console.log;
  const warn = console.warn;
  const error = console.error;
  process.stderr.write = ((chunk: string | Uint8Array) => { written.push(`stderr: ${String(chunk)}`); return true; }) as typeof process.stderr.write;
  console.warn = (...args: unknown[]) => { written.push(`warn: ${args.join(' ')}`); };
  console.error = (...args: unknown[]) => { written.push(`error: ${args.join(' ')}`); };
  const out: string[] = [];
  console.log = (...args: unknown[]) => { out.push(args.join(' ')); };
  const before = tf.memory().numTensors;
  try {
    // A failing and a passing call of each kind of check, with the default log (console.log); a
    // failed check then raises (the default), so the failing calls say { throwOnFailure: false }.
    const quiet = { throwOnFailure: false };
    check.l1Penalty((h) => tf.sum(h), quiet);
    check.l1Penalty((h) => tf.tidy(() => tf.mean(tf.abs(h))));
    check.trainStep((() => 0) as (m: SparseAutoencoder, x: tf.Tensor2D, o: Optimizer) => number, quiet);
    check.fvu(() => 0, quiet);
    await check.sweep(async () => [], quiet);
  } finally {
    process.stderr.write = stderr;
    console.log = log;
    console.warn = warn;
    console.error = error;
  }
  assert.deepEqual(written, []);
  const lines = out;
  assert.equal(lines.length, 5, lines.join('\n'));
  assert.match(lines[1], /^✔ l1Penalty: passed 5 cases$/);
  for (const i of [0, 2, 3, 4]) assert.match(lines[i], /^✘ /);
  assert.equal(tf.memory().numTensors, before);
});

test('a result shows as nothing in tslab (the line is printed already); a failed check raises after its line, unless told not to', async () => {
  await setup();
  const { result, lines } = capture((o) => check.fvu((x) => x.length, o));
  assert.equal(util.inspect(result), '');
  assert.equal(String(result), lines[0]);
  const raised = (err: unknown) => err instanceof CheckFailed && err.result.line === lines[0] && err.result.failedCase === 'noisy reconstructions' &&
    err.message === 'check.fvu failed at case "noisy reconstructions" (the ✘ line above says why): fix your function and run this cell again';
  // The default: print the line, then raise (the cell turns red, Run All stops).
  const printed: string[] = [];
  assert.throws(() => check.fvu((x) => x.length, { log: (l) => printed.push(l) }), raised);
  assert.deepEqual(printed, [lines[0]]);
  // A passing check never raises.
  assert.equal(check.fvu(kitFvu, { log: () => undefined }).passed, true);
  // The teacher's switches: SAE_CHECK_RAISE=0, setCheckDefaults, and the call's own option, which wins.
  const env = process.env.SAE_CHECK_RAISE;
  try {
    process.env.SAE_CHECK_RAISE = '0';
    assert.equal(check.fvu((x) => x.length, { log: () => undefined }).passed, false);
    assert.throws(() => check.fvu((x) => x.length, { log: () => undefined, throwOnFailure: true }), raised);
    process.env.SAE_CHECK_RAISE = 'no';
    assert.throws(() => check.fvu((x) => x.length, { log: () => undefined }), /SAE_CHECK_RAISE = "no" is invalid: expected 1 \(a failed check raises\) or 0 \(it only prints\)/);
    delete process.env.SAE_CHECK_RAISE;
    setCheckDefaults({ throwOnFailure: false });
    assert.equal(check.fvu((x) => x.length, { log: () => undefined }).passed, false);
    setCheckDefaults({});
    assert.throws(() => check.fvu((x) => x.length, { log: () => undefined }), raised);
    assert.throws(() => setCheckDefaults({ throwOnFailure: 'yes' as unknown as boolean }), /throwOnFailure = "yes" is invalid: expected true or false/);
  } finally {
    setCheckDefaults({});
    if (env === undefined) delete process.env.SAE_CHECK_RAISE;
    else process.env.SAE_CHECK_RAISE = env;
  }
});

test('every task in TASKS has its check, and marks for its heading', () => {
  assert.equal(TASKS.length, 22);
  assert.deepEqual(TASKS.map((t) => t.name).sort(), Object.keys(check).sort());
  for (const t of TASKS) {
    assert.match(t.notebook, /^\d\d$/);
    assert.ok(t.difficulty >= 1 && t.difficulty <= 5 && t.importance >= 1 && t.importance <= 5 && t.minutes > 0, t.name);
  }
  assert.equal(taskMarks('klPenalty'), 'Difficulty ●●○○○ · Importance ●●●●● · about 15 minutes');
  // The task cells, as the notebooks hold them (test/check/cells.ts reads them from the notebook TASKS
  // names), follow the registry: order, marks, signature.
  assert.deepEqual(TASK_CELLS.map((c) => c.task), TASKS.map((t) => t.name));
  for (const [i, c] of TASK_CELLS.entries()) {
    const t = TASKS[i];
    assert.ok(c.markdown.includes(taskMarks(c.task)), `${c.task}: the heading's marks differ from TASKS`);
    const name = t.signature.slice(0, t.signature.search(/[(<]/));
    assert.match(c.cell, new RegExp(`^(async )?function ${name}[(<]`), `${c.task}: the cell does not declare ${name}`);
    assert.match(c.cell, new RegExp(`check\\.${c.task}\\(${name}\\);$`), `${c.task}: the cell does not end with its check`);
  }
  assert.throws(() => taskMarks('nope'), /no task named 'nope'/);
});
