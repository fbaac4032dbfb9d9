/**
 * Notebook 18's findings: each training failure produced on purpose, read from the run's numbers
 * (the failing run against its fix), so every line is true whichever way the numbers go.
 */
import { finding } from './findings';
import { pct } from './format';
import type { TrainingRecord } from '../check/diagnose';

/** A dead share under this is no failure worth the name. */
export const DEAD_FAILURE = 0.05;

/** One run's dead share per epoch (epoch 0: before training). */
export interface DeadRun { name: string; dead: readonly number[] }

const last = (values: readonly number[]) => values[values.length - 1];

/** The first epoch at which `values` reaches half its final value (0 when it starts there). */
export function halfwayEpoch(values: readonly number[]): number {
  const target = last(values) / 2;
  const i = values.findIndex((v) => v >= target);
  return i < 0 ? values.length - 1 : i;
}

/** Dead latents: the failing run (first) against its fixes (the rest), by the dead share after the last epoch. */
export function deadLatentFinding(runs: readonly DeadRun[], quick: boolean): string {
  const [failing, ...fixes] = runs;
  const end = last(failing.dead);
  const fixed = fixes.map((r) => `${r.name} ${pct(last(r.dead))}`).join(' and ');
  if (end < DEAD_FAILURE) {
    return finding(`the failure did not appear in this run: ${failing.name} ends with ${pct(end)} of its ` +
      `latents dead (under ${pct(DEAD_FAILURE, 0)}); the others end with ${fixed} dead.`, quick);
  }
  const start = `${failing.name} ends with ${pct(end)} of its latents dead (${pct(failing.dead[0])} before ` +
    `training, half of that share by epoch ${halfwayEpoch(failing.dead)})`;
  const helped = fixes.filter((r) => last(r.dead) <= end / 2);
  const verdict = helped.length === fixes.length ? 'each fix keeps most of those latents alive'
    : helped.length === 0 ? 'no fix halves the dead share here'
      : `only ${helped.map((r) => r.name).join(', ')} halves the dead share`;
  return finding(`${start}; ${fixed} dead: ${verdict}.`, quick);
}

/** One model's L0 and shrinkage (scoreSae: reconstructed over true magnitude along each matched feature). */
export interface ShrinkRun { name: string; l0: number; shrinkage: number }

/** Shrinkages closer than this count as the same. */
export const SAME_SHRINKAGE = 0.05;

/** Two L0s count as matched when the larger is at most this times the smaller. */
export const MATCHED_L0 = 1.25;

/** Shrinkage under L1 against TopK at (about) the same L0. */
export function shrinkageFinding(l1: ShrinkRun, topk: ShrinkRun, quick: boolean): string {
  const ratio = Math.max(l1.l0, topk.l0) / Math.min(l1.l0, topk.l0);
  const l0s = `L0 ${l1.l0.toFixed(1)} and ${topk.l0.toFixed(1)}`;
  const both = `${l1.name} reconstructs its features at ${l1.shrinkage.toFixed(2)} of their true magnitude, ` +
    `${topk.name} at ${topk.shrinkage.toFixed(2)} (${l0s}${ratio > MATCHED_L0 ? ', not a matched pair' : ''})`;
  const gap = topk.shrinkage - l1.shrinkage;
  const verdict = gap > SAME_SHRINKAGE ? 'the L1 penalty shrinks the codes more'
    : gap < -SAME_SHRINKAGE ? 'here the L1 model shrinks its codes less, not more'
      : `the two shrink about alike (within ${SAME_SHRINKAGE})`;
  return finding(`${both}: ${verdict}.`, quick);
}

/** A run's mean decoder row norm and mean firing code per epoch (epoch 0: before training). */
export interface NormRun { rowNorm: readonly number[]; code: readonly number[] }

/** Row norms that end within this share of where they started have not drifted. */
export const NORM_DRIFT = 0.1;

/** Decoder-norm drift: the free decoder (rows may grow) against the unit-norm one. */
export function normDriftFinding(free: NormRun, unit: NormRun, quick: boolean): string {
  const [n0, n1] = [free.rowNorm[0], last(free.rowNorm)];
  const [c0, c1, u1] = [free.code[0], last(free.code), last(unit.code)];
  const rows = `without renormalisation the mean decoder row norm went from ${n0.toFixed(2)} to ${n1.toFixed(2)}`;
  const codes = `the mean firing code from ${c0.toFixed(3)} to ${c1.toFixed(3)}, against ${u1.toFixed(3)} with unit rows`;
  if (n1 <= n0 * (1 + NORM_DRIFT)) return finding(`${rows} and ${codes}: the rows did not grow here.`, quick);
  const verdict = c1 < u1
    ? `the free model pays its L1 penalty on codes ${pct(c1 / u1, 0)} the size of the unit-norm model's, ` +
      'lowering the penalty by growing its rows, not by firing less'
    : 'the rows grew, but the codes did not end smaller than with unit rows';
  return finding(`${rows} and ${codes}: ${verdict}.`, quick);
}

/** A threshold run per epoch (epoch 0: before training): the mean θ and the training L0. */
export interface ThresholdRun { theta: readonly number[]; l0: readonly number[] }

/** The L0 of a log-θ run counts as stuck when it fell by less than this share of the θ run's fall. */
export const STUCK_SHARE = 0.5;

/** JumpReLU's threshold stored as θ against as log θ, over the same steps. */
export function thresholdFinding(direct: ThresholdRun, log: ThresholdRun, steps: number, quick: boolean): string {
  const line = (name: string, r: ThresholdRun) => `stored as ${name}, the mean threshold went from ` +
    `${r.theta[0].toFixed(3)} to ${last(r.theta).toFixed(3)} and the L0 from ${r.l0[0].toFixed(1)} to ${last(r.l0).toFixed(1)}`;
  const [fallDirect, fallLog] = [direct.l0[0] - last(direct.l0), log.l0[0] - last(log.l0)];
  const verdict = fallDirect <= 0 ? 'θ stored as it is did not lower L0 either, so this run shows no difference'
    : fallLog < STUCK_SHARE * fallDirect
      ? `log θ's L0 fell ${pct(Math.max(fallLog, 0) / fallDirect, 0)} as far as θ's: the log threshold is stuck`
      : `log θ's L0 fell ${pct(fallLog / fallDirect, 0)} as far as θ's: not stuck in this run`;
  return finding(`over ${steps} steps, ${line('θ', direct)}; ${line('log θ', log)}: ${verdict}.`, quick);
}

/** Gradient ratios within this share of θ count as θ. */
export const RATIO_WITHIN = 0.01;

/** The chain rule read from two gradients at the same θ: what log θ gets over what θ gets. */
export function gradientRatioLine(theta: number, thetaGradient: number, logGradient: number): string {
  const ratio = logGradient / thetaGradient;
  const reading = Math.abs(ratio - theta) <= RATIO_WITHIN * theta
    ? 'θ itself, as the chain rule ∂L/∂log θ = θ ∂L/∂θ says'
    : `not θ: the two models' gradients are not the chain rule's pair here`;
  return `At θ = ${theta} the mean |∂L/∂θ| is ${thetaGradient.toExponential(2)} and the mean |∂L/∂log θ| ` +
    `${logGradient.toExponential(2)}: a ratio of ${ratio.toFixed(3)}, ${reading}.`;
}

/** One run's firing rate per latent on the test samples. */
export interface DenseRun { name: string; density: readonly number[] }

/** A failing run counts as showing dense latents when at least this share of its latents are dense. */
export const DENSE_FAILURE = 0.05;

/**
 * Dense latents: the latents of each run that fire on more test samples than the most frequent true
 * feature does (`ceiling`: no latent that stands for one feature should fire more often), the failing
 * run (first) against its fix.
 */
export function denseLatentFinding(failing: DenseRun, fix: DenseRun, ceiling: number, quick: boolean): string {
  const dense = (r: DenseRun) => r.density.filter((v) => v > ceiling).length;
  const densest = (r: DenseRun) => Math.max(...r.density);
  const say = (r: DenseRun) => `${r.name} has ${dense(r)} of ${r.density.length} latents firing on more ` +
    `test samples than that (its densest on ${pct(densest(r))})`;
  const head = `the most frequent true feature fires on ${pct(ceiling)} of the samples; ${say(failing)}, ${say(fix)}`;
  const [d, f] = [dense(failing), dense(fix)];
  const verdict = d < DENSE_FAILURE * failing.density.length
    ? `the failure did not appear in this run (under ${pct(DENSE_FAILURE, 0)} of the latents dense)`
    : f === 0 ? 'the fix removes every one of them'
      : f <= d / 2 ? 'the fix removes most of the dense latents' : 'the fix does not halve the dense latents here';
  return finding(`${head}: ${verdict}.`, quick);
}

/** The five answers of notebook 18's diagnosis task: one per section of the notebook, and none. */
export const DIAGNOSES = ['dead latents', 'shrinkage', 'decoder drift', 'stuck threshold', 'healthy'] as const;
export type Diagnosis = typeof DIAGNOSES[number];

/** The share of its start that L0 must fall by for the thresholds to count as learning. */
export const L0_FALL = 0.2;

/** A shrinkage below this is a failure (a healthy matched latent reconstructs 0.9 or more of its feature). */
export const SHRUNK = 0.8;

/**
 * The kit's diagnosis of a training record (check/diagnose.ts's TrainingRecord), by the clue each of
 * notebook 18's sections reads, in this order:
 *  - dead latents: the dead share at the END is at least DEAD_FAILURE (5%), as deadLatentFinding
 *    counts; a share that rose and fell back below it is the fix (AuxK) reviving latents;
 *  - decoder drift: the row norms grew by more than NORM_DRIFT (10%) AND the firing codes fell by more
 *    than that share: the penalty paid by rescaling (rows growing alone, or with the codes, is not it);
 *  - stuck threshold: L0 fell by less than L0_FALL (20%) of where it started (the log-θ run of
 *    section 4; thresholdFinding compares with a θ run, here the records' L0s that learn fall by half or more);
 *  - shrinkage: the shrinkage is below SHRUNK (0.8), with unit rows (section 2's L1 model);
 *  - healthy: none of these.
 */
export function diagnoseRecord(r: TrainingRecord): Diagnosis {
  if (last(r.deadShare) >= DEAD_FAILURE) return 'dead latents';
  const grew = last(r.meanRowNorm) > r.meanRowNorm[0] * (1 + NORM_DRIFT);
  if (grew && last(r.meanCode) < r.meanCode[0] * (1 - NORM_DRIFT)) return 'decoder drift';
  if (last(r.l0) > r.l0[0] * (1 - L0_FALL)) return 'stuck threshold';
  if (r.shrinkage < SHRUNK) return 'shrinkage';
  return 'healthy';
}

const arrow = (v: readonly number[], digits = 2) => `${v[0].toFixed(digits)} → ${last(v).toFixed(digits)}`;

/** The clue of `label` in the record: why it is there (label = the kit's answer) or why not. */
function clue(r: TrainingRecord, label: Diagnosis, present: boolean): string {
  const fall = 1 - last(r.l0) / r.l0[0];
  switch (label) {
    case 'dead latents': {
      const peak = Math.max(...r.deadShare);
      if (present) return `the dead share ends at ${pct(last(r.deadShare), 0)}: that many latents stopped firing and never came back`;
      return peak >= DEAD_FAILURE && peak > 2 * last(r.deadShare)
        ? `the dead share peaked at ${pct(peak, 0)} but ends at ${pct(last(r.deadShare), 0)}: the latents came back to life ` +
          '(what AuxK does), so read where it ends, not its peak'
        : `the dead share ends at ${pct(last(r.deadShare), 0)}: a latent or two resting now and then is no failure`;
    }
    case 'decoder drift':
      return present
        ? `the row norms grew ${arrow(r.meanRowNorm)} while the codes shrank ${arrow(r.meanCode)}: the L1 penalty ` +
          'was dodged by rescaling, not paid by firing less'
        : `the row norms went ${arrow(r.meanRowNorm)} and the codes ${arrow(r.meanCode)}: drift is rows that grow ` +
          'while the codes shrink, both by far';
    case 'stuck threshold':
      return present
        ? `the L0 went ${arrow(r.l0, 1)}, a fall of only ${pct(fall, 0)}: the thresholds never learnt to silence latents`
        : `the L0 fell ${arrow(r.l0, 1)}, by ${pct(fall, 0)} of its start: the thresholds did learn, however slowly each epoch`;
    case 'shrinkage':
      return present
        ? `the shrinkage is ${r.shrinkage.toFixed(2)}: the codes reconstruct only ${pct(r.shrinkage, 0)} of their ` +
          `features' true magnitude, while the row norms stayed at ${arrow(r.meanRowNorm)} (no drift to make up for it)`
        : `the shrinkage is ${r.shrinkage.toFixed(2)}: close to full size, as a healthy model's matched latents are`;
    default:
      return 'the record shows a failure clearly';
  }
}

/** The clue a learner who answered `got` missed: the kit's failure's clue, or (healthy) why `got`'s is not there. */
export function recordClue(r: TrainingRecord, want: Diagnosis, got: Diagnosis): string {
  if (want !== 'healthy') return clue(r, want, true);
  return `${clue(r, got, false)}; this run shows no failure`;
}
