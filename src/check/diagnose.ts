/**
 * Check of notebook 18's diagnosis task: name the failure in a short training record (per-epoch
 * numbers like the ones the notebook traces, without their label). The records are synthetic,
 * shaped like notebook 18's traces (nothing trains here), and each shows one failure clearly or
 * none, so any sensible rule names them all; the kit's answer is `diagnoseRecord`
 * (report/failures.ts), and a wrong answer is told the clue it missed. A table of independent
 * cases, so it runs past ~50 lines (CONTRIBUTING rule 4's exception).
 */
import { DIAGNOSES, diagnoseRecord, recordClue } from '../report/failures';
import type { Diagnosis } from '../report/failures';
import { Case, CheckOptions, CheckResult, runCheck } from './runner';
import { Failure, list, num } from './format';
import { callPlain } from './call';

/** One training run, per epoch (entry 0: before training), and its shrinkage at the end. */
export interface TrainingRecord {
  /** the training loss (reconstruction plus penalty) */
  loss: number[];
  /** the share of latents that have not fired for a while (0 to 1) */
  deadShare: number[];
  /** the mean norm of the decoder rows (1 at the start) */
  meanRowNorm: number[];
  /** the mean code of the latents where they fire */
  meanCode: number[];
  /** the mean number of latents firing per sample */
  l0: number[];
  /** after training: the magnitude the matched latents reconstruct over the true one (1: full size) */
  shrinkage: number;
}

export type { Diagnosis } from '../report/failures';

/** The learner's diagnosis: one of DIAGNOSES (any case, any spacing). */
export type DiagnoseFn = (record: TrainingRecord) => string;

/** A label as the check reads it: trimmed, lower case, one space between words. */
const normalise = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

const copy = (r: TrainingRecord): TrainingRecord => ({
  loss: [...r.loss], deadShare: [...r.deadShare], meanRowNorm: [...r.meanRowNorm], meanCode: [...r.meanCode],
  l0: [...r.l0], shrinkage: r.shrinkage,
});

const describe = (r: TrainingRecord) => `loss ${list(r.loss)}, deadShare ${list(r.deadShare)}, ` +
  `meanRowNorm ${list(r.meanRowNorm)}, meanCode ${list(r.meanCode)}, l0 ${list(r.l0)}, shrinkage ${num(r.shrinkage)}`;

// The shapes of notebook 18's traces: a loss that falls in every run (the loss alone shows no failure),
// ReLU/JumpReLU-style L0 that starts high and falls as the penalty bites, unit rows unless they drift.
const LOSS = [1.0, 0.42, 0.31, 0.27, 0.25, 0.24];
const L0 = [40, 18, 11, 8, 7, 6.5];
const UNIT = [1, 1, 1, 1, 1, 1];
const CODE = [0.5, 0.7, 0.8, 0.85, 0.87, 0.88];
const ALIVE = [0, 0, 0.01, 0.01, 0.01, 0.01];
const base: TrainingRecord = { loss: LOSS, deadShare: ALIVE, meanRowNorm: UNIT, meanCode: CODE, l0: L0, shrinkage: 0.94 };

/** The records, in the order tried: [name, record]. */
export const RECORDS: readonly [string, TrainingRecord][] = [
  ['record A', base],
  ['record B', { ...base, loss: [1.0, 0.45, 0.33, 0.29, 0.27, 0.26], deadShare: [0, 0.12, 0.25, 0.33, 0.37, 0.38],
    l0: [40, 16, 9, 6, 5, 4.8], shrinkage: 0.9 }],
  ['record C', { ...base, loss: [1.0, 0.5, 0.4, 0.37, 0.36, 0.35], meanCode: [0.5, 0.42, 0.38, 0.36, 0.35, 0.35],
    l0: [40, 12, 6, 4.5, 4, 3.8], shrinkage: 0.62 }],
  ['record D', { ...base, loss: [1.0, 0.38, 0.27, 0.22, 0.2, 0.19], meanRowNorm: [1, 1.3, 1.7, 2.0, 2.2, 2.4],
    meanCode: [0.8, 0.6, 0.45, 0.37, 0.32, 0.3], l0: [40, 22, 15, 12, 11, 10.5], shrinkage: 0.91 }],
  ['record E', { ...base, loss: [1.0, 0.6, 0.5, 0.46, 0.44, 0.43], deadShare: [0, 0, 0, 0, 0, 0],
    meanCode: [0.5, 0.55, 0.58, 0.6, 0.61, 0.61], l0: [40, 39.6, 39.2, 38.9, 38.7, 38.5], shrinkage: 0.93 }],
  ['record F', { ...base, deadShare: [0, 0.35, 0.3, 0.18, 0.07, 0.02], shrinkage: 0.92 }],
  ['record G', { ...base, meanRowNorm: [1, 1.01, 1.02, 1.03, 1.04, 1.05], meanCode: [0.5, 0.6, 0.7, 0.75, 0.78, 0.8] }],
  ['record H', { ...base, loss: [1.0, 0.55, 0.42, 0.35, 0.3, 0.27], l0: [40, 36, 32, 28, 24, 20], shrinkage: 0.95 }],
  ['record I', { ...base, deadShare: [0, 0.2, 0.41, 0.52, 0.56, 0.57], l0: [48, 20, 10, 7, 6, 6], shrinkage: 0.88 }],
  ['record J', { ...base, meanRowNorm: [1, 1.5, 2.1, 2.6, 3.0, 3.2], meanCode: [0.6, 0.4, 0.28, 0.22, 0.19, 0.18],
    shrinkage: 0.9 }],
  ['record K', { ...base, l0: [48, 47.5, 47.2, 47, 46.9, 46.8], meanCode: [0.5, 0.52, 0.53, 0.54, 0.54, 0.54] }],
  ['record L', { ...base, loss: [1.0, 0.55, 0.46, 0.43, 0.42, 0.41], l0: [40, 10, 5, 3.5, 3, 3],
    meanCode: [0.5, 0.45, 0.43, 0.42, 0.42, 0.42], shrinkage: 0.7 }],
];

const LABELS = DIAGNOSES.map((d) => `'${d}'`).join(', ');

/** Names the failure in each record (or none), against the kit's diagnoseRecord (report/failures.ts). */
export function diagnose(fn: DiagnoseFn, options: CheckOptions = {}): CheckResult {
  const make = (name: string, record: TrainingRecord): Case => ({
    name,
    inputs: describe(record),
    run(): Failure | null {
      const want = diagnoseRecord(record);
      const call = callPlain(() => fn(copy(record)));
      const got = call.returned as unknown;
      if (typeof got !== 'string') {
        return { expected: `'${want}'`, got: call.description, hint: `return one of the labels as a string: ${LABELS}` };
      }
      const label = normalise(got);
      if (label === want) return null;
      if (!(DIAGNOSES as readonly string[]).includes(label)) {
        return { expected: `'${want}'`, got: `'${got}'`, hint: `return one of the labels ${LABELS} (any case and spacing), not another word` };
      }
      return { expected: `'${want}'`, got: `'${got}'`, hint: recordClue(record, want, label as Diagnosis) };
    },
  });
  return runCheck('diagnose', RECORDS.map(([name, r]) => make(name, r)), options);
}
