/** Runs a check with its printed lines captured, and asserts what a failure names. */
import * as assert from 'node:assert/strict';
import type { CheckOptions, CheckResult } from '../../src/check';

export interface Captured {
  result: CheckResult;
  lines: string[];
}

/** Calls `run` with a log that collects the printed lines. */
export function capture(run: (options: CheckOptions) => CheckResult): Captured {
  const lines: string[] = [];
  const result = run({ log: (line) => lines.push(line), throwOnFailure: false });
  return { result, lines };
}

export async function captureAsync(run: (options: CheckOptions) => Promise<CheckResult>): Promise<Captured> {
  const lines: string[] = [];
  const result = await run({ log: (line) => lines.push(line), throwOnFailure: false });
  return { result, lines };
}

/** The check passed and printed exactly its pass line. */
export function assertPassed({ result, lines }: Captured, task: string): void {
  assert.equal(lines.length, 1, `${task}: printed ${lines.length} lines:\n${lines.join('\n')}`);
  assert.ok(result.passed, `${task} should pass, printed: ${lines[0]}`);
  assert.match(lines[0], new RegExp(`^✔ ${task}: passed ${result.cases} cases$`));
}

/** The check failed at case `caseName` and its one line quotes the case and matches `hint`. */
export function assertFailed({ result, lines }: Captured, task: string, caseName: string, hint: RegExp): void {
  assert.equal(lines.length, 1, `${task}: printed ${lines.length} lines:\n${lines.join('\n')}`);
  assert.equal(result.passed, false, `${task} should fail, printed: ${lines[0]}`);
  assert.equal(result.failedCase, caseName, `${task}: failed at another case: ${lines[0]}`);
  assert.ok(lines[0].startsWith(`✘ ${task}: case "${caseName}" (`), `${task}: line does not name the case: ${lines[0]}`);
  assert.match(lines[0], / expected .*, got .*\. Hint: /, `${task}: line lacks expected/got/hint: ${lines[0]}`);
  assert.match(lines[0], hint, `${task}: hint does not match ${hint}: ${lines[0]}`);
  assert.equal(result.line, lines[0]);
}
