/**
 * The lesson's "Why sparsity?" and its summary table's pros and cons, measured: each sparse model
 * (L1, KL) against its dense twin (same layers, same latent activation, no penalty). This file
 * measures one model; baseline-claims.ts reads a pair of measures into sentences. Every number
 * comes from the functions the rest of the kit uses (sparsityReport, reconstructionMse,
 * featureQuality) or from probe.ts and robustness.ts.
 */
import type { Dataset } from '../data/mnist';
import type { Sparsity } from '../core/config';
import type { History } from '../core/train';
import type { SparseAutoencoder } from '../core/sae';
import { reconstructionMse } from '../core/evaluate';
import { analyzeSparsity } from '../core/analysis';
import type { SparsityReport } from '../core/analysis';
import { featureQuality } from './locality';
import { NoisePoint, noiseCurve } from './robustness';
import { ProbeResult, probeCodes } from './probe';
import type { ClassifierOptions } from './softmax';

/** Noise levels of the robustness measure (pixel units; MNIST pixels are in [0, 1]). */
export const NOISE_SIGMAS: readonly number[] = Object.freeze([0, 0.1, 0.25, 0.5]);

export interface ModelMeasures {
  name: string;
  sparsity: Sparsity;
  latentDim: number;
  testMse: number;
  /** reconstruction MSE on as many training images as there are test images */
  trainMse: number;
  populationSparsity: number;
  /**
   * share of the LIVE units active per image, averaged over images (population sparsity with the
   * inactive units left out; 0 when no unit is live)
   */
  livePopulationSparsity: number;
  meanLifetime: number;
  inactive: number;
  /** a code entry counts as active above this (sparsityReport's threshold, 0.1 in the lesson) */
  activeThreshold: number;
  /** a unit active on fewer than this share of images is inactive (sparsityReport's, 0.01) */
  inactiveBelow: number;
  /** mean code value (the KL model's rhoHat, averaged over units and images) */
  meanActivation: number;
  /** share of code entries exactly 0 */
  exactZeros: number;
  /** median over live units of the pixels holding 80% of a feature's change (locality.ts) */
  medianMassPixels: number;
  /** median over live units of the class-selectivity index (locality.ts) */
  medianSelectivity: number;
  noise: NoisePoint[];
  probe: ProbeResult;
  /** mean seconds per epoch, as recorded when the model was trained */
  secondsPerEpoch: number;
}

export interface MeasureOptions {
  /** test images for the sparsity and feature measures (1000, the lesson's) */
  numSamples?: number;
  sigmas?: readonly number[];
  noiseSeed?: number;
  /** training images whose codes train the probe (all) */
  probeTrainLimit?: number;
  probe?: ClassifierOptions;
}

/** The first n images of `data`, as a Dataset of its own. */
function head(data: Dataset, n: number): Dataset {
  const count = Math.min(n, data.count);
  return { ...data, images: data.images.subarray(0, count * data.dim), labels: data.labels.subarray(0, count), count };
}

/**
 * Population sparsity among live units: the share of live units (those not in
 * report.inactiveUnits) active per sample, averaged over samples. It equals the mean lifetime
 * sparsity of the live units; 0 when every unit is inactive.
 */
export function livePopulationSparsity(report: SparsityReport): number {
  const dead = new Set(report.inactiveUnits);
  let sum = 0;
  let live = 0;
  report.lifetimePerUnit.forEach((v, j) => {
    if (!dead.has(j)) { sum += v; live += 1; }
  });
  return live ? sum / live : 0;
}

/** Every measure of one trained model. */
export async function measureModel(name: string, model: SparseAutoencoder, history: History, train: Dataset,
  test: Dataset, options: MeasureOptions = {}): Promise<ModelMeasures> {
  const numSamples = options.numSamples ?? 1000;
  const report = analyzeSparsity(model, test, { numSamples });
  const codes = report.activations;
  const quality = featureQuality(model, test, { numSamples });
  return {
    name, sparsity: model.config.sparsity, latentDim: model.latentDim,
    testMse: reconstructionMse(model, test),
    trainMse: reconstructionMse(model, head(train, test.count)),
    populationSparsity: report.populationSparsity,
    livePopulationSparsity: livePopulationSparsity(report),
    meanLifetime: report.meanLifetime,
    inactive: report.inactiveUnits.length,
    activeThreshold: report.threshold,
    inactiveBelow: report.inactiveBelow,
    meanActivation: codes.reduce((s, v) => s + v, 0) / codes.length,
    exactZeros: codes.filter((v) => v === 0).length / codes.length,
    medianMassPixels: quality.medianMassPixels,
    medianSelectivity: quality.medianSelectivity,
    noise: noiseCurve(model, test, options.sigmas ?? NOISE_SIGMAS, { seed: options.noiseSeed ?? 0 }),
    probe: await probeCodes(model, train, test, { ...options.probe, trainLimit: options.probeTrainLimit }),
    secondsPerEpoch: history.length ? history.reduce((s, r) => s + r.seconds, 0) / history.length : NaN,
  };
}

const fixed = (v: number, d: number) => Number(v.toFixed(d));

/** One row per model for console.table. */
export function measuresTable(ms: readonly ModelMeasures[]): Record<string, string | number>[] {
  return ms.map((m) => {
    const last = m.noise[m.noise.length - 1];
    return {
      model: m.name,
      'test MSE': fixed(m.testMse, 5),
      'test - train MSE': fixed(m.testMse - m.trainMse, 5),
      population: fixed(m.populationSparsity, 4),
      'lifetime (mean)': fixed(m.meanLifetime, 4),
      inactive: `${m.inactive}/${m.latentDim}`,
      'exact zeros': fixed(m.exactZeros, 4),
      'stroke locality (px)': m.medianMassPixels,
      selectivity: fixed(m.medianSelectivity, 3),
      [`MSE at noise ${last.sigma}`]: fixed(last.mse, 5),
      [`code shift at ${last.sigma}`]: fixed(last.codeShift, 3),
      'probe accuracy': fixed(m.probe.testAccuracy, 4),
    };
  });
}
