/**
 * What every check shares: run the learner's function on a list of cases, stop at the first case
 * it gets wrong, print one line on stdout, and return the result. A check shows inputs, the kit's
 * answer and the learner's, and a hint about the usual mistake; it never shows how the kit
 * computes its answer.
 *
 * A failed check raises, after printing its line: the cell turns red and Run All stops there, as
 * ARENA's tests do and as nbgrader scores a cell (a cell that raises fails). A teacher who wants
 * the other behaviour (the line only, the notebook running on) sets SAE_CHECK_RAISE=0 before
 * starting Jupyter, or calls setCheckDefaults({ throwOnFailure: false }) in a cell; one call can
 * pass { throwOnFailure } itself.
 */
import * as util from 'util';
import { NotImplemented, isNotImplemented, oneLine } from './notimplemented';
import type { Failure } from './format';
import { TimedOut, budget } from './call';

export type { Failure } from './format';

/** One input the learner's function is tried on. `run` returns null when the answer is right. */
export interface Case {
  /** short name, quoted in the failure line ("all-zero codes") */
  name: string;
  /** the inputs in words ("h 4x3 of zeros, rho 0.05") */
  inputs: string;
  run(): Failure | null;
}

/** A case of an async task (the learner's function returns a Promise). */
export interface AsyncCase {
  name: string;
  inputs: string;
  run(): Promise<Failure | null>;
}

export interface CheckOptions {
  /** where the line goes (console.log by default: stdout, never stderr) */
  log?: (line: string) => void;
  /**
   * throw a CheckFailed after printing when a case fails (the default; see the file's comment):
   * false prints the line and returns the failed result
   */
  throwOnFailure?: boolean;
  /**
   * the time budget of one call of the learner's function, in seconds (CALL_SECONDS, 10, by
   * default; an async task gets it for the whole call): a right answer takes well under 0.1 s
   */
  seconds?: number;
}

/** Runs `f` with the call budget that `options` asks for. */
async function withBudget<T>(options: CheckOptions, f: () => T): Promise<Awaited<T>> {
  const keep = { ...budget };
  setBudget(options);
  try {
    return await f();
  } finally {
    Object.assign(budget, keep);
  }
}

function setBudget(options: CheckOptions): void {
  const s = options.seconds;
  if (s === undefined) return;
  if (!(typeof s === 'number' && s > 0 && Number.isFinite(s))) throw new Error(`CheckOptions.seconds = ${String(s)} is invalid: expected a number > 0`);
  budget.seconds = s;
  budget.asyncSeconds = s;
}

const defaults: { throwOnFailure: boolean | null } = { throwOnFailure: null };

/** Sets what every later check does on a failure when its call does not say: { throwOnFailure: false } prints only. */
export function setCheckDefaults(options: { throwOnFailure?: boolean }): void {
  const value = options.throwOnFailure;
  if (value !== undefined && typeof value !== 'boolean') {
    throw new Error(`setCheckDefaults: throwOnFailure = ${JSON.stringify(value)} is invalid: expected true or false`);
  }
  defaults.throwOnFailure = value ?? null;
}

/** Whether a failed check throws: the call's option, else setCheckDefaults, else SAE_CHECK_RAISE (1 by default). */
export function raisesOnFailure(options: CheckOptions): boolean {
  if (options.throwOnFailure !== undefined) return options.throwOnFailure;
  if (defaults.throwOnFailure !== null) return defaults.throwOnFailure;
  const env = process.env.SAE_CHECK_RAISE;
  if (env === undefined || env === '' || env === '1') return true;
  if (env === '0') return false;
  throw new Error(`SAE_CHECK_RAISE = ${JSON.stringify(env)} is invalid: expected 1 (a failed check raises) or 0 (it only prints)`);
}

/** Thrown by a failed check (see raisesOnFailure); the ✘ line printed before it says what is wrong. */
export class CheckFailed extends Error {
  /** what the check found */
  declare readonly result: CheckResult;

  constructor(result: CheckResult) {
    super(`check.${result.task} failed at case "${result.failedCase}" (the ✘ line above says why): fix your function and run this cell again`);
    Object.setPrototypeOf(this, CheckFailed.prototype);
    this.name = 'CheckFailed';
    // Not enumerable, so the printed error is the line alone.
    Object.defineProperty(this, 'result', { value: result, enumerable: false });
    oneLine(this);
  }
}

/** What a check found. */
export class CheckResult {
  constructor(
    /** the task's name, as in check.<task> */
    readonly task: string,
    readonly passed: boolean,
    /** cases tried: all of them when passed, up to the failing one otherwise */
    readonly cases: number,
    /** the name of the first failing case (null when passed) */
    readonly failedCase: string | null,
    /** the line the check printed */
    readonly line: string,
  ) {}

  toString(): string {
    return this.line;
  }

  /**
   * tslab prints the value of a cell's last expression: the check has printed its line already,
   * so the result shows as nothing (its fields are there to read: `.passed`, `.failedCase`).
   */
  [util.inspect.custom](): string {
    return '';
  }
}

export const PASS = '✔';
export const FAIL = '✘';

function notImplementedLine(task: string): string {
  return `… not implemented yet: ${task} — write your function above (replace the throw), then run this cell again`;
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split('\n')[0].replace(/[.\s]+$/, '')}`;
  return `a thrown ${typeof err} (${String(err)})`;
}

function failureLine(task: string, c: { name: string; inputs: string }, f: Failure): string {
  return `${FAIL} ${task}: case "${c.name}" (${c.inputs}): expected ${f.expected}, got ${f.got}. Hint: ${f.hint}`;
}

function finish(task: string, passed: boolean, cases: number, failed: string | null, line: string, options: CheckOptions): CheckResult {
  (options.log ?? ((l: string) => console.log(l)))(line);
  const result = new CheckResult(task, passed, cases, failed, line);
  if (!passed && raisesOnFailure(options)) throw new CheckFailed(result);
  return result;
}

/** What the learner's error becomes: a failure of the case, or (NotImplemented) a rethrow. */
function caught(task: string, err: unknown, options: CheckOptions, errorHint?: (err: unknown) => string | null): Failure {
  if (isNotImplemented(err)) {
    (options.log ?? ((l: string) => console.log(l)))(notImplementedLine(task));
    throw new NotImplemented(task);
  }
  if (err instanceof TimedOut) {
    return {
      expected: `an answer within ${err.seconds} s (a right answer takes well under 0.1 s here)`,
      got: `no answer: your function did not return within ${err.seconds} s and was stopped`,
      hint: 'look for a loop that never ends (a while whose condition never changes, an index that is never increased) or an await on something that never resolves',
    };
  }
  return {
    expected: 'an answer',
    got: `an error: ${describeError(err)}`,
    hint: errorHint?.(err) ?? 'your function threw this error on these inputs: call it yourself on them to see where',
  };
}

/** Runs the cases in order; prints and returns the first failure, or the pass line. */
export function runCheck(task: string, cases: Case[], options: CheckOptions = {}, errorHint?: (err: unknown) => string | null): CheckResult {
  const keep = { ...budget };
  setBudget(options);
  try {
    return runCases(task, cases, options, errorHint);
  } finally {
    Object.assign(budget, keep);
  }
}

function runCases(task: string, cases: Case[], options: CheckOptions, errorHint?: (err: unknown) => string | null): CheckResult {
  for (let i = 0; i < cases.length; i++) {
    let failure: Failure | null;
    try {
      failure = cases[i].run();
    } catch (err) {
      failure = caught(task, err, options, errorHint);
    }
    if (failure) return finish(task, false, i + 1, cases[i].name, failureLine(task, cases[i], failure), options);
  }
  return finish(task, true, cases.length, null, `${PASS} ${task}: passed ${cases.length} cases`, options);
}

/** runCheck for async tasks. */
export async function runCheckAsync(task: string, cases: AsyncCase[], options: CheckOptions = {}, errorHint?: (err: unknown) => string | null): Promise<CheckResult> {
  return withBudget(options, () => runCasesAsync(task, cases, options, errorHint));
}

async function runCasesAsync(task: string, cases: AsyncCase[], options: CheckOptions, errorHint?: (err: unknown) => string | null): Promise<CheckResult> {
  for (let i = 0; i < cases.length; i++) {
    let failure: Failure | null;
    try {
      failure = await cases[i].run();
    } catch (err) {
      failure = caught(task, err, options, errorHint);
    }
    if (failure) return finish(task, false, i + 1, cases[i].name, failureLine(task, cases[i], failure), options);
  }
  return finish(task, true, cases.length, null, `${PASS} ${task}: passed ${cases.length} cases`, options);
}
