/** sae-lab: everything the notebooks import, by name. */
export { tf, initBackend, requestedBackend, BACKEND_NAMES } from './backend';
export type { BackendInfo, BackendName } from './backend';
export { Rng } from './random';
export { parseIdx, readIdxFile } from './data/idx';
export type { IdxArray } from './data/idx';
export { loadMnist, batches, batchCount, batchOrder, gatherRows, pixelStats, image, MNIST_DIR, FASHION_MNIST_DIR } from './data/mnist';
export type { Dataset, Batch, BatchOptions, LoadOptions, Split } from './data/mnist';
export { makeConfig, DEFAULT_SAE_CONFIG } from './models/config';
export type { SaeConfig, Sparsity } from './models/config';
export { SparseAutoencoder, L1SparseAutoencoder, KLSparseAutoencoder, createModel } from './models/sae';
export type { LossParts, ForwardResult } from './models/sae';
export { mse, l1Penalty, klPenalty, klScalar, KL_EPS } from './losses';
export {
  fit, trainEpoch, formatEpoch, createOptimizer, validateTrainConfig, epochSeed, yieldToEventLoop, NonFiniteLossError, DEFAULT_TRAIN_CONFIG,
} from './train';
export type { TrainConfig, EpochRecord, History, FitOptions, Trainable } from './train';
export { autoProgress, terminalProgress, notebookProgress, silentProgress } from './progress';
export type { ProgressReporter, BatchProgress } from './progress';
export { runSizes, isQuick } from './settings';
export type { RunSizes } from './settings';
export { lineFigure, lossCurves, imageGrid, sparsityHistograms, featureGrid, reconstructionGrid, PALETTE } from './plot/figures';
export type { Figure, Series, LineOptions, GridOptions } from './plot/figures';
export { show, saveHtml, figureHtml } from './plot/show';
export { writeFileAtomic } from './files';
export { reconstructionMse, meanImageMse, encodeAll, decodeCodes, decodeUnits, reconstruct, layerSummary } from './evaluate';
export { sparsityReport, analyzeSparsity, histogram, formatSparsity } from './analysis';
export type { SparsityReport, SparsityOptions, AnalyzeOptions, Histogram } from './analysis';
export { saveCheckpoint, loadCheckpoint } from './checkpoint';
export type { Checkpoint, CheckpointMeta } from './checkpoint';
export { trainCached, cacheKey, datasetHash, defaultCacheDir } from './cache';
export type { TrainSpec, CacheOptions, CachedRun } from './cache';
export { PART6, lessonSpec, lessonData } from './lesson';
