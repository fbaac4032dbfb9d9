/**
 * The exercises' measuring loops (notebooks 07 and 09): each model loaded from the results cache
 * (trained there when missing), measured, and disposed. Loops live here, not in a notebook cell:
 * tslab runs a cell's top-level loop much slower.
 */
import { decodeUnits } from '../core/evaluate';
import { summarizeModel, variantSpec } from '../core/part6';
import type { RunSummary } from '../core/part6';
import type { Dataset } from '../data/mnist';
import { featureQuality } from '../exercises/locality';
import type { FeatureQuality } from '../exercises/locality';
import type { RunSizes } from '../runtime/settings';
import { trainCached } from '../store/cache';
import type { TrainSpec } from '../store/cache';

/** One model's measures: Part 4's summary, its feature quality, and its first decoded features. */
export interface MeasuredRun {
  summary: RunSummary;
  quality: FeatureQuality;
  features: Float32Array[];
}

/** Trains (or loads) `spec`, measures the model on `test` and decodes its first `featureCount` units. */
export async function measureCached(
  spec: TrainSpec, title: string, train: Dataset, test: Dataset, featureCount: number,
): Promise<MeasuredRun> {
  const run = await trainCached(spec, train, { title });
  const units = Array.from({ length: featureCount }, (_, j) => j);
  const measured = {
    summary: summarizeModel(run.model, test),
    quality: featureQuality(run.model, test),
    features: decodeUnits(run.model, units),
  };
  run.model.dispose();
  return measured;
}

/** Exercise 1's run: one penalty kind at one sparsity weight. */
export interface WeightRun extends MeasuredRun {
  kind: 'l1' | 'kl';
  weight: number;
}

/** Exercise 1: every weight of each kind's sweep (L1's first), with its first `featureCount` features. */
export async function weightRuns(
  sweeps: { readonly l1: readonly number[]; readonly kl: readonly number[] }, sizes: RunSizes,
  train: Dataset, test: Dataset, featureCount = 16,
): Promise<WeightRun[]> {
  const runs: WeightRun[] = [];
  for (const kind of ['l1', 'kl'] as const) {
    for (const weight of sweeps[kind]) {
      const spec = variantSpec(kind, { sparsityWeight: weight }, sizes);
      const title = `${kind.toUpperCase()}, weight ${weight}`;
      runs.push({ kind, weight, ...await measureCached(spec, title, train, test, featureCount) });
    }
  }
  return runs;
}

/** Exercise 3's run: the KL model at one latent width. */
export interface WidthRun extends MeasuredRun {
  latentDim: number;
}

/** Exercise 3: the KL model at every width of `latentDims`, with its first `featureCount` features. */
export async function widthRuns(
  latentDims: readonly number[], sizes: RunSizes, train: Dataset, test: Dataset, featureCount = 32,
): Promise<WidthRun[]> {
  const runs: WidthRun[] = [];
  for (const latentDim of latentDims) {
    const spec = variantSpec('kl', { latentDim }, sizes);
    const title = `KL, ${latentDim} latent units`;
    runs.push({ latentDim, ...await measureCached(spec, title, train, test, featureCount) });
  }
  return runs;
}
