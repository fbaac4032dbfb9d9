/**
 * sae-lab: what the notebooks, the learner's task cells and the docs use, by name. Nothing else:
 * the library's other functions and types are imported by path (`src/<folder>/<file>`) by scripts,
 * bench and tests.
 */
export { tf, initBackend } from './runtime/backend';
export type { BackendInfo } from './runtime/backend';
export { useEngine } from './runtime/engine';
export type { EngineName } from './runtime/engine';
export { runSizes } from './runtime/settings';
export { loadMnist, batchCount, pixelStats, image, MNIST_DIR, FASHION_MNIST_DIR } from './data/mnist';
export type { Dataset } from './data/mnist';
export { datasetFromMatrix } from './data/matrix';
export { median } from './data/stats';
export type { Sparsity } from './core/config';
export { SparseAutoencoder, L1SparseAutoencoder, KLSparseAutoencoder, createModel } from './core/sae';
export { l1Penalty, klPenalty, klScalar, KL_EPS, KL_UPPER } from './core/losses';
export { fit, formatEpoch, createOptimizer } from './core/train';
export type { Optimizer } from './core/train';
export { lineFigure, lossCurves, sparsityHistograms, heatmapFigure, barFigure, DIVERGING } from './plot/figures';
export { imageGrid, featureGrid, reconstructionGrid } from './plot/grid';
export { directionsFigure, gramFigure, featureNormsFigure, dimensionalityFigure } from './plot/toy';
export { show, saveHtml } from './plot/show';
export { reconstructionMse, meanImageMse, encodeAll, decodeCodes, decodeUnits, reconstruct, layerSummary } from './core/evaluate';
export { sparsityReport, analyzeSparsity, formatSparsity, kneeIndex, correlation, rankCorrelation } from './core/analysis';
export type { SparsityReport } from './core/analysis';
export { saveCheckpoint, loadCheckpoint } from './store/checkpoint';
export { trainCached } from './store/cache';
export type { CachedRun } from './store/cache';
export { pretrain } from './store/pretrain';
export { PART6, lessonSpec, lessonData, variantSpec, summarizeModel } from './core/part6';
export type { RunSummary } from './core/part6';
export { classMeans, selectivity } from './exercises/selectivity';
export { keepTopK, sparseCodeCurve, unitsForQuality, unitImportance } from './exercises/sparsecode';
export { omp, denseCodes } from './exercises/omp';
export { ksvd } from './exercises/ksvd';
export { fitPca, pcaTransform } from './exercises/pca';
export { trainClassifier, predictProba, accuracy } from './exercises/softmax';
export { probePixels } from './exercises/probe';
export { massPixels, meanImage, featureQuality } from './exercises/locality';
export type { FeatureQuality } from './exercises/locality';
export { measureModel, measuresTable } from './exercises/baseline';
export type { ModelMeasures } from './exercises/baseline';
export { claimLines, claimScope, methodLines } from './exercises/baseline-claims';
export { secondsPerStep } from './exercises/step-time';
export { startDictSaePool } from './store/dictsae-pool';
export { DictSae, topK, evaluateDictSae, firingCounts } from './interp/dictsae';
export type { DictSaeOptions } from './interp/dictsae';
export { batchTopK, jumpRelu, matryoshkaReconstruction } from './interp/activations/index';
export { l0, fvu, firingRates, densityReport } from './interp/metrics';
export { MlpClassifier } from './interp/mlp';
export { featureDashboard, topActivating } from './interp/dashboard';
export { fvuAtL0, compareAtL0, sweepToCover, notReached } from './interp/pareto';
export type { SparsityPoint } from './interp/pareto';
export { diagnose, fitTraced, traceRuns, traced, rowNorms, firingStats, latentDensity } from './interp/diagnostics';
export type { EpochDiagnostics, TracedSetting, TraceTraining, TracedRun } from './interp/diagnostics';
export { FrozenJumpRelu, thresholdTrace } from './interp/threshold-param';
export type { ThresholdParam, FrozenJumpReluOptions, ThresholdEpoch } from './interp/threshold-param';
export { makeToyConfig, featureProbabilities } from './toy/config';
export type { ToyConfig } from './toy/config';
export { ToyModel, createToyModel } from './toy/model';
export { trainToy } from './toy/train';
export type { ToyTrainResult } from './toy/train';
export {
  instanceWeights, gramMatrix, featureNorms, interference, featureDimensionality, dimensionsPerFeature, representedFeatures,
  superpositionSummaries, REPRESENTED_NORM,
} from './toy/analysis';
export type { SuperpositionSummary } from './toy/analysis';
export { plantedModel } from './truth/planted';
export type { PlantedConfig, PlantedOptions, PlantedModel, FeatureTruth } from './truth/planted';
export { samplePlanted, plantedDataset } from './truth/planted-sample';
export type { PlantedSample } from './truth/planted-sample';
export { assignMax } from './truth/hungarian';
export { mcc } from './truth/recovery';
export { firingScores } from './truth/recovery-codes';
export { scoreSae, FOUND_COS, UNIQUE_COS } from './truth/score';
export type { RecoveryScores } from './truth/score';
export { trainPlanted } from './truth/sweep';
export type { PlantedSetting, PlantedRow, PlantedTraining, KeptDictionary } from './truth/sweep';
export { softThreshold, istaStep, fista } from './truth/ista';
export { amortisation } from './truth/amortisation';
export type { Amortisation, AmortisationInput, MethodScores } from './truth/amortisation';
export { toyTruth } from './truth/toy-truth';
export type { ToyTruth, ToyTruthData } from './truth/toy-truth';
export { toyTruthLine, toySuperpositionFinding, closestPair, foundCount } from './report/toy-truth';
export {
  check, NotImplemented, CheckFailed, setCheckDefaults, taskMarks, trainStep, numericalGradient, weightSweep, matchSparsity, leastSquares,
} from './check/index';
export type { CheckOptions, SweepRow, SparsityMatch, SparsityNumbers, OmpCode, TrainingRecord, Diagnosis } from './check/index';
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
  densityChartLines, dashboardLine,
} from './report/codes';
export type { Representation, RepresentationAccuracy, SilentLatentRun } from './report/codes';
export {
  finding, beatsBaseline, weightEffectFinding, tradeoffFinding, qualityPoint, qualityTrendFinding, epochOfGain, stallNear,
  dynamicsFinding, activeFraction, sparserFinding, featuresCompareFinding, widthSparsityFinding, overcompleteNote, MIN_LIVE,
} from './report/findings';
export type { SweepPoint, QualityPoint, ActiveAt, TrendOptions } from './report/findings';
export {
  selectiveUnitsFinding, unitsNeededFinding, importanceFinding, atomLocalityFinding, accuracyGap, classifierFinding, pcaFinding,
  strength, topOverlap,
} from './report/findings-codes';
export type { UnitContrast } from './report/findings-codes';
export { featureGridLine, inkChangeLine, reconstructionLine, lossCurvesLine, unitsPerImageLine } from './report/charts';
export { sparsityPanelsLine, tradeoffChartLine, gridLocalityLine, gridRowsLine } from './report/charts-grids';
export type { GridTiles } from './report/charts-grids';
export {
  penaltySweeps, sweepFronts, frontTable, modelCountLine, budgetLines, fvuAboveOneLines, frontCurve, matchedFronts,
  matchedTable, lowestFvuLine, offAxisLine,
} from './report/fronts';
export type { SweepSetting, PenaltySweep, FrontData, FrontRow, FrontOptions, MatchedFronts, Budget } from './report/fronts';
export { matchedFinding, againstReferenceFinding } from './report/findings-fronts';
export { heatmapLine, selectiveGroupLine, keptUnitsLine, signedAtomsLine, topImagesLine } from './report/charts-read';
export {
  probabilityLabel, toyFinding, toyRunLine, sweepTable, keptCountsLine, planeGeometry, geometryLines, polygonFinding, gramLine,
  normsLines, dimensionsLines, superpositionFinding, FRACTIONS,
} from './report/toy';
export type { PlaneGeometry } from './report/toy';
export {
  plantedLine, recoveryTable, mccAtL0, matchedRecoveryTable, recoveryFinding, latentCountFinding, absorptionFinding,
  plantedTrainingLine, peakFinding,
} from './report/truth';
export { amortisationTable, amortisationFinding, gapShare } from './report/amortisation';
export { scoresAtL0, matchedScoresTable, architectureFinding, matryoshkaFinding, mccCurveLine, SAME_ABSORPTION } from './report/architectures';
export type { MatchedScores } from './report/architectures';
export {
  deadLatentFinding, shrinkageFinding, normDriftFinding, thresholdFinding, gradientRatioLine, halfwayEpoch,
  diagnoseRecord, DIAGNOSES, denseLatentFinding,
} from './report/failures';
export type { DeadRun, ShrinkRun, NormRun, ThresholdRun, DenseRun } from './report/failures';
