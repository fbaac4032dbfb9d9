/** The tiny run cache-faults.test.ts and its child process train (one epoch of 128 images). */
import type { TrainSpec } from '../../src/store/cache';

export const CHILD_SPEC: TrainSpec = { model: { sparsity: 'l1', latentDim: 8, hiddenDim: 16 }, train: { epochs: 1, batchSize: 64 } };
