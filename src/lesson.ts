/**
 * The lesson's main run (Part 6) as data, so notebooks 04-06 ask the results cache for the
 * very same models: trained once, reused everywhere.
 */
import { Dataset, loadMnist } from './data/mnist';
import { Sparsity } from './models/config';
import { TrainSpec } from './cache';
import { RunSizes, runSizes } from './settings';

/** Part 6's hyperparameters. */
export const PART6 = Object.freeze({
  inputDim: 784,
  latentDim: 128,
  batchSize: 128,
  learningRate: 0.001,
  epochs: 15,
  sparsityWeight: 0.01,
  rho: 0.05,
  seed: 42,
});

/** The spec of Part 6's model of the given kind; the epoch count follows SAE_QUICK. */
export function lessonSpec(sparsity: Sparsity, sizes: RunSizes = runSizes()): TrainSpec {
  return {
    model: { inputDim: PART6.inputDim, latentDim: PART6.latentDim, sparsity, sparsityWeight: PART6.sparsityWeight, rho: PART6.rho },
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
