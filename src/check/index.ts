/**
 * Course mode: checks a learner calls on the functions they write in the notebooks' task cells,
 * one per task, e.g. `check.klPenalty(myKlPenalty)`. Each runs the learner's function against the
 * kit's own on random and edge-case inputs and prints one line: `✔ klPenalty: passed 7 cases`, or
 * the first failing case with its inputs, the expected and the actual answer, and a hint about the
 * usual mistake. A stub that still throws NotImplemented makes the check print a reminder and
 * throw NotImplemented(task) again, so the task cell fails while every other cell runs on.
 * Output goes to stdout only; a check leaks no tensors.
 */
import * as penalties from './penalties';
import * as gradient from './gradient';
import * as training from './training';
import * as analysis from './analysis';
import * as loops from './loops';
import * as codes from './codes';
import * as ompCheck from './omp';
import * as interp from './interp';
import * as toy from './toy';
import * as truth from './truth';
import * as toyLossCheck from './toyloss';
import * as firingCheck from './firing';
import * as istaCheck from './ista';
import * as batchTopKCheck from './batchtopk';
import * as jumpReluCheck from './jumprelu';
import * as matryoshkaCheck from './matryoshka';
import * as diagnoseCheck from './diagnose';

/** One check per task, in course order; see tasks.ts for where each is taught and the learner's signature. */
export const check = Object.freeze({
  l1Penalty: penalties.l1Penalty,
  klPenalty: penalties.klPenalty,
  numericalGradient: gradient.numericalGradient,
  trainStep: training.trainStep,
  sparsity: analysis.sparsity,
  decodeOneHot: analysis.decodeOneHot,
  sweep: loops.sweep,
  matchSparsity: loops.matchSparsity,
  selectivity: codes.selectivity,
  keepTopK: codes.keepTopK,
  omp: ompCheck.omp,
  topK: interp.topK,
  fvu: interp.fvu,
  toyLoss: toyLossCheck.toyLoss,
  interference: toy.interference,
  mcc: truth.mcc,
  firing: firingCheck.firing,
  istaStep: istaCheck.istaStep,
  batchTopK: batchTopKCheck.batchTopK,
  jumpRelu: jumpReluCheck.jumpRelu,
  matryoshkaLoss: matryoshkaCheck.matryoshkaLoss,
  diagnose: diagnoseCheck.diagnose,
});

export { NotImplemented, isNotImplemented } from './notimplemented';
export { CheckResult, CheckFailed, setCheckDefaults } from './runner';
export { TimedOut, CALL_SECONDS, ASYNC_SECONDS } from './call';
export { FLOAT32 } from './format';
export type { CheckOptions } from './runner';
// The kit's own versions of the tasks that have none elsewhere (the cells after a task use them).
export { trainStep, numericalGradient, weightSweep, matchSparsity, leastSquares } from './reference';
export type { SweepRow, SparsityMatch } from './reference';
export { TASKS, taskInfo, taskMarks } from './tasks';
export type { TaskInfo } from './tasks';
export type { L1PenaltyFn, KlPenaltyFn } from './penalties';
export type { NumericalGradientFn } from './gradient';
export type { TrainStepFn } from './training';
export type { SparsityNumbers, SparsityFn, DecodeOneHotFn } from './analysis';
export type { SweepFn, MatchSparsityFn } from './loops';
export type { SelectivityFn, KeepTopKFn } from './codes';
export type { OmpFn, OmpCode } from './omp';
export type { TopKFn, FvuFn } from './interp';
export type { InterferenceFn } from './toy';
export type { MccFn } from './truth';
export type { ToyLossFn } from './toyloss';
export type { FiringFn, FiringNumbers } from './firing';
export type { IstaStepFn } from './ista';
export type { BatchTopKFn } from './batchtopk';
export type { JumpReluFn } from './jumprelu';
export type { MatryoshkaLossFn } from './matryoshka';
export type { DiagnoseFn, TrainingRecord, Diagnosis } from './diagnose';
