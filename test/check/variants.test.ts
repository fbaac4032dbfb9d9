/**
 * Every learner-style variant in variants.ts through its check: a correct one must pass, a wrong
 * one must fail, every check must print exactly one line, throw nothing (with throwOnFailure
 * false), and leave tf.memory().numTensors as it found it. All mismatches are collected and
 * reported at once: "task / variant / expected pass|fail / printed line".
 *
 *   SAE_VARIANTS_ONLY=sparsity,omp   run only these tasks (or single variants: 'task/variant name')
 *   SAE_VARIANTS_REPORT=/tmp/r.json  also write every outcome (passing ones too) there as JSON
 *
 * A wrong variant listed in variant-hints.ts must also get a hint that names its mistake. The
 * variants that never return run last, with a 1 s budget: the check must stop them and say so.
 *   SAE_VARIANTS_TIMEOUT_MS=120000   how long an async check may take before it counts as hung
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tf } from '../../src/runtime/backend';
import { check } from '../../src/check';
import type { CheckOptions, CheckResult } from '../../src/check';
import { setup } from '../helpers';
import { ASYNC_TASKS, VARIANTS } from './variants';
import { HINTS } from './variant-hints';
import type { Variant } from './variants';

const only = (process.env.SAE_VARIANTS_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const selected = VARIANTS.filter((v) => only.length === 0 || only.includes(v.task) || only.includes(`${v.task}/${v.name}`));
const TIMEOUT_MS = Number(process.env.SAE_VARIANTS_TIMEOUT_MS ?? 120_000);

export interface Outcome {
  task: string;
  name: string;
  correct: boolean;
  mistake?: string;
  note?: string;
  doubt?: string;
  /** null when the check threw or did not settle */
  passed: boolean | null;
  lines: string[];
  error?: string;
  /** numTensors after the call minus before */
  leaked: number;
  /** the same, measured again after a pause (async tasks: a learner's stray callbacks may still run) */
  leakedLater?: number;
  ms: number;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split('\n')[0]}`;
  return `thrown ${typeof err}: ${String(err)}`;
}

async function settle<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the check did not settle within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

type AnyCheck = (fn: unknown, options: CheckOptions) => CheckResult | Promise<CheckResult>;

async function runVariant(v: Variant, seconds?: number): Promise<Outcome> {
  const lines: string[] = [];
  const options: CheckOptions = { log: (line) => lines.push(line), throwOnFailure: false, seconds };
  const run = (check as unknown as Record<string, AnyCheck>)[v.task];
  const isAsync = ASYNC_TASKS.has(v.task);
  const before = tf.memory().numTensors;
  const t0 = Date.now();
  let passed: boolean | null = null;
  let error: string | undefined;
  try {
    const r = isAsync ? await settle(Promise.resolve(run(v.fn, options)), TIMEOUT_MS) : run(v.fn, options);
    if (r instanceof Promise) throw new Error('a sync check returned a Promise');
    passed = (r as CheckResult).passed;
    if (typeof passed !== 'boolean') throw new Error(`the check returned ${String(r)} (no .passed)`);
  } catch (err) {
    passed = null;
    error = describe(err);
  }
  const ms = Date.now() - t0;
  const leaked = tf.memory().numTensors - before;
  let leakedLater: number | undefined;
  if (isAsync) {
    await delay(300);
    leakedLater = tf.memory().numTensors - before;
  }
  return { task: v.task, name: v.name, correct: v.correct, mistake: v.mistake, note: v.note, doubt: v.doubt, passed, lines, error, leaked, leakedLater, ms };
}

/** What is wrong with an outcome, or null. */
function problems(o: Outcome): string[] {
  const out: string[] = [];
  const expected = o.correct ? 'pass' : 'fail';
  const printed = o.lines.length ? o.lines.join(' ⏎ ') : '(nothing printed)';
  if (o.error !== undefined) out.push(`check threw (${o.error}); printed: ${printed}`);
  else if (o.passed !== o.correct) out.push(`${o.passed ? 'passed' : 'failed'}: ${printed}`);
  if (o.error === undefined && o.lines.length !== 1) out.push(`printed ${o.lines.length} lines: ${printed}`);
  const hint = HINTS[`${o.task}/${o.name}`];
  if (!o.correct && hint && o.passed === false && !hint.test(o.lines[0] ?? '')) out.push(`the hint does not name the mistake (${hint}): ${printed}`);
  if (o.leaked !== 0) out.push(`numTensors changed by ${o.leaked} across the check call`);
  else if (o.leakedLater !== undefined && o.leakedLater !== 0) out.push(`numTensors changed by ${o.leakedLater} 300 ms after the check returned`);
  return out.map((p) => `${o.task} / ${o.name} / expected ${expected} / ${p}`);
}

function report(outcomes: Outcome[]): void {
  const path = process.env.SAE_VARIANTS_REPORT;
  if (path) fs.writeFileSync(path, JSON.stringify(outcomes, null, 2));
}

const outcomes: Outcome[] = [];

test('every learner-style variant: correct ones pass, wrong ones fail, no check leaks', async () => {
  await setup();
  // A 3 s budget: every right variant answers in well under 0.1 s; a wrong one that never settles costs 3 s, not 10.
  for (const v of selected.filter((x) => !x.hangs)) outcomes.push(await runVariant(v, 3));
  report(outcomes);
  const mismatches = outcomes.flatMap(problems);
  assert.ok(mismatches.length === 0,
    `${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'} in ${outcomes.length} variants:\n${mismatches.join('\n')}`);
});

test('every hint listed in variant-hints.ts belongs to a wrong variant', () => {
  const wrong = new Set(VARIANTS.filter((v) => !v.correct).map((v) => `${v.task}/${v.name}`));
  assert.deepEqual(Object.keys(HINTS).filter((k) => !wrong.has(k)), []);
});

test('variants that never return are stopped within their budget and fail', async () => {
  await setup();
  const hung: Outcome[] = [];
  for (const v of selected.filter((x) => x.hangs)) {
    const o = await runVariant(v, 1);
    hung.push(o);
    outcomes.push(o);
    report(outcomes);
  }
  const mismatches = hung.flatMap(problems);
  assert.ok(mismatches.length === 0, `${mismatches.length} mismatch(es):\n${mismatches.join('\n')}`);
});
