/**
 * What notebook 18 watches while a dictionary SAE trains: per epoch, the share of dead latents
 * (training's count: no firing for deadAfter steps), the mean decoder row norm, the mean code of
 * the latents that fire on a probe set, and that set's L0. A failure such as dead latents or an L1
 * penalty "cheated" by growing decoder rows shows in these numbers before it shows in the loss.
 */
import * as tf from '../runtime/tf';
import { floatsOf } from '../runtime/values';
import type { Dataset } from '../data/mnist';
import { fit, FitOptions, History } from '../core/train';
import { matrixOf } from '../data/matrix';
import { DictSae } from './dictsae';
import { firingRates } from './metrics';
import type { DictSaeOptions } from './dictsae-config';
import { progressView, viewReporter } from '../runtime/progress';

/** One epoch's numbers. */
export interface EpochDiagnostics {
  epoch: number;
  /** latents that have not fired for deadAfter steps, a fraction */
  dead: number;
  /** mean Euclidean norm of the decoder rows */
  rowNorm: number;
  /** mean of the codes above the firing threshold on the probe set (0 when none fires) */
  code: number;
  /** mean latents firing per probe input */
  l0: number;
}

/** The Euclidean norm of each row of `rows` ([count, width] row-major). */
export function rowNorms(rows: Float32Array, width: number): Float64Array {
  const m = matrixOf(rows, rows.length / width, width, 'rows');
  const norms = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let c = 0; c < m.cols; c++) s += m.data[r * m.cols + c] ** 2;
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

/** The codes of `inputs` inputs: the mean of those above `threshold`, and how many that is per input. */
export function firingStats(codes: ArrayLike<number>, inputs: number, threshold: number): { code: number; l0: number } {
  let [sum, count] = [0, 0];
  for (let i = 0; i < codes.length; i++) if (codes[i] > threshold) { sum += codes[i]; count += 1; }
  return { code: count ? sum / count : 0, l0: inputs ? count / inputs : 0 };
}

/**
 * The SAE's firing rate per latent on `probe`: the share of its inputs on which the latent's code is
 * above the kind's firing threshold (0 for all but sigmoid's 0.1): metrics.ts's firingRates of the code cut there.
 */
export function latentDensity(sae: DictSae, probe: Dataset): Float64Array {
  const codes = floatsOf(() => sae.encode(tf.tensor2d(probe.images, [probe.count, probe.dim])));
  const threshold = sae.rule.firingThreshold;
  return firingRates(codes.map((c) => (c > threshold ? c : 0)), sae.config.latentDim);
}

/** The SAE's numbers now: dead share, mean decoder row norm, firing codes of `probe`. */
export function diagnose(sae: DictSae, probe: Dataset, epoch = 0): EpochDiagnostics {
  const rows = floatsOf(() => tf.clone(sae.decoderMatrix()));
  const norms = rowNorms(rows, sae.config.inputDim);
  const codes = floatsOf(() => sae.encode(tf.tensor2d(probe.images, [probe.count, probe.dim])));
  const stats = firingStats(codes, probe.count, sae.rule.firingThreshold);
  return { epoch, dead: sae.deadFraction(), rowNorm: norms.reduce((a, b) => a + b, 0) / norms.length, ...stats };
}

/** `fit`, with `diagnose` after every epoch (epoch 0: before training); `onEpoch` is taken. */
export async function fitTraced(sae: DictSae, data: Dataset, probe: Dataset,
  options: Omit<FitOptions, 'onEpoch'> = {}): Promise<{ history: History; trace: EpochDiagnostics[] }> {
  const trace = [diagnose(sae, probe)];
  const history = await fit(sae, data, { ...options, onEpoch: (r) => trace.push(diagnose(sae, probe, r.epoch)) });
  return { history, trace };
}

/** One SAE to trace: its name and options (inputDim is the data's), and a learning rate of its own. */
export interface TracedSetting { name: string; options: DictSaeOptions; learningRate?: number }

/** How every traced SAE trains (fixed epochs, no stopping rule: the failures are watched over time). */
export interface TraceTraining { epochs: number; batchSize: number; learningRate: number; seed: number }

/** A traced SAE: its per-epoch numbers and what `score` read from it after training. */
export interface TracedRun<T> { name: string; trace: EpochDiagnostics[]; scores: T }

/** Trains each setting with `fitTraced` and scores it (`score`, then the SAE is disposed); one display shows them. */
export async function traceRuns<T = undefined>(settings: readonly TracedSetting[], train: Dataset, probe: Dataset,
  training: TraceTraining, score: (sae: DictSae) => T = () => undefined as T, title = 'traced SAEs'): Promise<TracedRun<T>[]> {
  const view = progressView(title);
  const runs: TracedRun<T>[] = [];
  for (const [i, s] of settings.entries()) {
    const sae = new DictSae({ ...s.options, inputDim: train.dim }, training.seed);
    try {
      const progress = { batch: viewReporter(view).batch, epoch: () => {} };
      const { trace } = await fitTraced(sae, train, probe,
        { ...training, learningRate: s.learningRate ?? training.learningRate, progress });
      runs.push({ name: s.name, trace, scores: score(sae) });
      view.finished(`${i + 1}/${settings.length} ${s.name}: ${training.epochs} epochs`);
    } finally {
      sae.dispose();
    }
  }
  return runs;
}

/** One field of every epoch of a trace, as a series. */
export function traced(trace: readonly EpochDiagnostics[], field: keyof Omit<EpochDiagnostics, 'epoch'>): number[] {
  return trace.map((e) => e[field]);
}
