/**
 * The lesson's main run (Part 6) as data, so notebooks 04-06 ask the results cache for the
 * very same models: trained once, reused everywhere.
 */
import { Dataset, loadMnist } from '../data/mnist';
import { DEFAULT_SAE_CONFIG, SaeConfig, Sparsity, hasPenalty } from './config';
import { DEFAULT_TRAIN_CONFIG } from './train';
import { TrainSpec } from '../store/cache';
import { RunSizes, runSizes } from '../runtime/settings';
import type { SparseAutoencoder } from './sae';
import { reconstructionMse } from './evaluate';
import { analyzeSparsity, SparsityReport } from './analysis';

/**
 * Part 6's hyperparameters. They are the kit's defaults (DEFAULT_SAE_CONFIG for the model,
 * DEFAULT_TRAIN_CONFIG for training), stated there once and only collected here.
 */
export const PART6 = Object.freeze({
  inputDim: DEFAULT_SAE_CONFIG.inputDim,
  latentDim: DEFAULT_SAE_CONFIG.latentDim,
  batchSize: DEFAULT_TRAIN_CONFIG.batchSize,
  learningRate: DEFAULT_TRAIN_CONFIG.learningRate,
  epochs: DEFAULT_TRAIN_CONFIG.epochs,
  sparsityWeight: DEFAULT_SAE_CONFIG.sparsityWeight,
  rho: DEFAULT_SAE_CONFIG.rho,
  seed: DEFAULT_TRAIN_CONFIG.seed,
});

/**
 * The spec of Part 6's model of the given kind; the epoch count follows SAE_QUICK. The standard
 * autoencoders ('none-relu', 'none-sigmoid') get sparsityWeight 0, so their config says what they are.
 */
export function lessonSpec(sparsity: Sparsity, sizes: RunSizes = runSizes()): TrainSpec {
  const sparsityWeight = hasPenalty(sparsity) ? PART6.sparsityWeight : 0;
  return {
    model: { inputDim: PART6.inputDim, latentDim: PART6.latentDim, sparsity, sparsityWeight, rho: PART6.rho },
    train: { epochs: sizes.quick ? sizes.epochs : PART6.epochs, batchSize: PART6.batchSize, learningRate: PART6.learningRate, seed: PART6.seed },
    modelSeed: PART6.seed,
  };
}

/** Training and test images at the sizes SAE_QUICK asks for. */
export function lessonData(sizes: RunSizes = runSizes()): { train: Dataset; test: Dataset } {
  return {
    train: loadMnist({ split: 'train', limit: sizes.trainLimit }),
    test: loadMnist({ split: 'test', limit: sizes.testLimit }),
  };
}

/** Part 6's spec with some model settings changed (the exercises' variations). */
export function variantSpec(sparsity: Sparsity, changes: Partial<SaeConfig>, sizes: RunSizes = runSizes()): TrainSpec {
  const base = lessonSpec(sparsity, sizes);
  return { ...base, model: { ...base.model, ...changes, sparsity } };
}

export interface RunSummary {
  /** reconstruction MSE on the test images */
  testMse: number;
  populationSparsity: number;
  meanLifetime: number;
  inactive: number;
  report: SparsityReport & { activations: Float32Array };
}

/** Test-set reconstruction error and the Part 4 measures (on `numSamples` test images) of a model. */
export function summarizeModel(model: SparseAutoencoder, test: Dataset, numSamples = 1000): RunSummary {
  const report = analyzeSparsity(model, test, { numSamples });
  return {
    testMse: reconstructionMse(model, test),
    populationSparsity: report.populationSparsity,
    meanLifetime: report.meanLifetime,
    inactive: report.inactiveUnits.length,
    report,
  };
}
