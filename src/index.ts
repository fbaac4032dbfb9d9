/** sae-lab: everything the notebooks import, by name. */
export { tf, initBackend, requestedBackend, BACKEND_NAMES } from './runtime/backend';
export type { BackendInfo, BackendName } from './runtime/backend';
export { Rng } from './runtime/random';
export { parseIdx, readIdxFile } from './data/idx';
export type { IdxArray } from './data/idx';
export { loadMnist, batches, batchCount, batchOrder, gatherRows, pixelStats, image, MNIST_DIR, FASHION_MNIST_DIR } from './data/mnist';
export type { Dataset, Batch, BatchOptions, LoadOptions, Split } from './data/mnist';
export { datasetFromMatrix } from './data/matrix';
export { asMatrix, matrixOf, columnMeans, rowMeans } from './data/matrix';
export type { Matrix } from './data/matrix';
export { median } from './data/stats';
export { makeConfig, DEFAULT_SAE_CONFIG } from './core/config';
export type { SaeConfig, Sparsity } from './core/config';
export { SparseAutoencoder, L1SparseAutoencoder, KLSparseAutoencoder, createModel } from './core/sae';
export type { SaeLossParts, ForwardResult } from './core/sae';
export { mse, l1Penalty, klPenalty, klScalar, l1SumPenalty, auxKLoss, KL_EPS, KL_UPPER } from './core/losses';
export { assertLive, assertMatrix } from './runtime/guards';
export {
  fit, trainEpoch, formatEpoch, createOptimizer, validateTrainConfig, epochSeed, NonFiniteLossError, NonFiniteUpdateError,
  DEFAULT_TRAIN_CONFIG,
} from './core/train';
export type { TrainConfig, EpochRecord, History, FitOptions, Trainable, LossParts } from './core/train';
export { autoProgress, terminalProgress, notebookProgress, silentProgress, yieldToEventLoop } from './runtime/progress';
export type { ProgressReporter, BatchProgress } from './runtime/progress';
export { runSizes, isQuick, envFlag } from './runtime/settings';
export type { RunSizes } from './runtime/settings';
export { lineFigure, lossCurves, imageGrid, sparsityHistograms, featureGrid, reconstructionGrid, heatmapFigure, barFigure, PALETTE, DIVERGING } from './plot/figures';
export type { Figure, Series, LineOptions, GridOptions } from './plot/figures';
export { show, saveHtml, figureHtml } from './plot/show';
export { writeFileAtomic } from './store/files';
export { reconstructionMse, meanImageMse, encodeAll, decodeCodes, decodeUnits, reconstruct, layerSummary } from './core/evaluate';
export type { Encoder, Decoder, CodeWidths } from './core/evaluate';
export { sparsityReport, analyzeSparsity, formatSparsity, kneeIndex, correlation, rankCorrelation } from './core/analysis';
export type { SparsityReport, SparsityOptions, AnalyzeOptions } from './core/analysis';
export { histogram } from './data/histogram';
export type { Histogram } from './data/histogram';
export { saveCheckpoint, loadCheckpoint } from './store/checkpoint';
export type { Checkpoint, CheckpointMeta } from './store/checkpoint';
export { trainCached, cacheKey, datasetHash, defaultCacheDir } from './store/cache';
export type { TrainSpec, CacheOptions, CachedRun } from './store/cache';
export { pretrain } from './store/pretrain';
export { trainMany } from './store/train-many';
export { TrainingPool } from './store/pool';
export type { JobOutcome, JobRequest, PoolOptions } from './store/pool';
export type { PretrainSpec, PretrainOptions, PretrainResult } from './store/pretrain';
export { PART6, lessonSpec, lessonData, variantSpec, summarizeModel } from './core/part6';
export type { RunSummary } from './core/part6';
export { classMeans, selectivity } from './exercises/selectivity';
export type { UnitSelectivity } from './exercises/selectivity';
export { keepTopK, decodeMse, sparseCodeCurve, unitsForQuality, unitImportance } from './exercises/sparsecode';
export type { SparseCodePoint } from './exercises/sparsecode';
export { omp, ksvd, gram, denseCodes, ompFromCorrelations } from './exercises/ksvd';
export type { SparseCode, KsvdOptions, KsvdResult } from './exercises/ksvd';
export { fitPca, pcaTransform } from './exercises/pca';
export type { PcaModel } from './exercises/pca';
export { trainClassifier, predict, predictProba, accuracy } from './exercises/softmax';
export type { Classifier, ClassifierOptions } from './exercises/softmax';
export { startDictSaePool, DictSaePool, runDictSaeTask } from './store/dictsae-pool';
export type { DictSaeTask, DictSaeMeasure, DictSaeData, DictSaePoolOptions } from './store/dictsae-pool';
export { DictSae, makeDictSaeConfig, topK, evaluateDictSae, resampleDeadLatents, firingCounts, DEFAULT_DICT_SAE } from './interp/dictsae';
export type { DictSaeConfig, DictSaeOptions, ReluSaeConfig, TopKSaeConfig, SigmoidSaeConfig } from './interp/dictsae';
export { ACTIVATIONS } from './interp/activations/index';
export type { ActivationRule, ActivationName } from './interp/activations/index';
export { l0, fvu, firingRates, densityReport } from './interp/metrics';
export type { DensityReport } from './interp/metrics';
export { MlpClassifier } from './interp/mlp';
export { featureDashboard, topActivating } from './interp/dashboard';
export type { FeatureDashboard } from './interp/dashboard';
export { fvuAtL0, compareAtL0, sweepToCover, notReached } from './interp/pareto';
export type { SparsityPoint, MatchedL0, SweepResult, CoverOptions } from './interp/pareto';
export { massPixels, meanImage, featureQuality } from './exercises/locality';
export type { FeatureQuality, FeatureQualityOptions } from './exercises/locality';
export type { Optimizer } from './core/train';
export { check, NotImplemented, CheckResult, CheckFailed, setCheckDefaults, TASKS, taskMarks, trainStep, numericalGradient, weightSweep, matchSparsity, leastSquares } from './check/index';
export type { CheckOptions, TaskInfo, SweepRow, SparsityMatch, SparsityNumbers, OmpCode } from './check/index';
export { StandardAutoencoder } from './core/sae';
export { NO_PENALTY, hasPenalty } from './core/config';
export { gaussianNoise, noisePoint, noiseCurve } from './exercises/robustness';
export type { NoisePoint, NoiseOptions } from './exercises/robustness';
export { linearProbe, probeCodes, probePixels } from './exercises/probe';
export type { ProbeResult, LabelledRows, ProbeModelOptions } from './exercises/probe';
export {
  NOISE_SIGMAS, measureModel, measuresTable, verdict, accuracyTolerance, CLAIMS, claimLines, claimScope, methodLines,
} from './exercises/baseline';
export type { ModelMeasures, MeasureOptions, Verdict, ClaimLine } from './exercises/baseline';
export { pct, fixed, isAre } from './report/format';
export { trainingRow, meanImageLines, notBeatingBaseline, zeroFraction, sparsityRow, penaltyCostLine } from './report/lesson';
export type { NamedMse, SparsityRow } from './report/lesson';
export { measureCached, weightRuns, widthRuns } from './report/runs';
export type { MeasuredRun, WeightRun, WidthRun } from './report/runs';
export {
  compareLevel, isSteady, weightTable, meanImageBaselineLine, featureQualityTable, featureTrendLines, featureLabel,
  inactiveUnitLines, aheadPhrase, l1VsKlFeaturesLine, widthTrendLine,
} from './report/features';
export {
  unitsForQualityLine, emptyCodeLine, representationAccuracies, representationLines, silentByTrainingCount, silentLatentLines,
} from './report/codes';
export type { Representation, RepresentationAccuracy, SilentLatentRun } from './report/codes';
