/**
 * The lesson's "Why sparsity?" and its summary table's pros and cons, measured: each sparse model
 * (L1, KL) against its standard twin (same layers, same latent activation, no penalty). Every
 * number comes from the functions the rest of the kit uses (sparsityReport, reconstructionMse,
 * featureQuality) or from probe.ts and robustness.ts; the sentences only read them.
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
      'train-test gap': fixed(m.testMse - m.trainMse, 5),
      population: fixed(m.populationSparsity, 4),
      'lifetime (mean)': fixed(m.meanLifetime, 4),
      inactive: `${m.inactive}/${m.latentDim}`,
      'exact zeros': fixed(m.exactZeros, 4),
      'feature pixels': m.medianMassPixels,
      selectivity: fixed(m.medianSelectivity, 3),
      [`MSE at noise ${last.sigma}`]: fixed(last.mse, 5),
      [`code shift at ${last.sigma}`]: fixed(last.codeShift, 3),
      'probe accuracy': fixed(m.probe.testAccuracy, 4),
    };
  });
}

export type Verdict = 'better' | 'worse' | 'no clear difference';

/**
 * Is `sparse` better than `dense`? Differences up to `tolerance` (an absolute amount) count as
 * no clear difference.
 */
export function verdict(sparse: number, dense: number, higherIsBetter: boolean, tolerance: number): Verdict {
  const gain = higherIsBetter ? sparse - dense : dense - sparse;
  if (!(Math.abs(gain) > tolerance)) return 'no clear difference';
  return gain > 0 ? 'better' : 'worse';
}

/** The tolerance of relative comparisons: 5% of the larger value. */
export const RELATIVE_TOLERANCE = 0.05;
const relative = (a: number, b: number) => RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));

/** Two standard errors of the difference of two accuracies near p on n test images each. */
export function accuracyTolerance(p: number, n: number): number {
  return 2 * Math.sqrt((2 * p * (1 - p)) / n);
}

interface Claim {
  claim: string;
  measure: string;
  value: (m: ModelMeasures) => number;
  digits: number;
  higherIsBetter: boolean;
  tolerance: (sparse: number, dense: number, m: ModelMeasures) => number;
  /** what "better" means for this row: the pro holds, or the con (the cost) is absent */
  captures: string;
  misses: string;
}

const lastNoise = (m: ModelMeasures) => m.noise[m.noise.length - 1];

export const CLAIMS: readonly Claim[] = [
  { claim: 'Selective feature activation', measure: 'share of units active per image (population sparsity)',
    value: (m) => m.populationSparsity, digits: 4, higherIsBetter: false, tolerance: relative,
    captures: 'how many units each image uses (activation > 0.1), and how much of a drop comes from ' +
      'units that die (inactive: active on under 1% of images) rather than from live units firing less',
    misses: 'whether the units an image uses are the ones relevant to it' },
  { claim: 'Interpretable representations', measure: 'median pixels holding 80% of a decoded feature',
    value: (m) => m.medianMassPixels, digits: 0, higherIsBetter: false, tolerance: relative,
    captures: 'how local (stroke-like) the decoded one-hot images are',
    misses: 'whether a person finds the picture meaningful; a blob of noise can be local' },
  { claim: 'Interpretable representations', measure: 'median class selectivity of live units',
    value: (m) => m.medianSelectivity, digits: 3, higherIsBetter: true, tolerance: relative,
    captures: 'how strongly a unit prefers one digit',
    misses: 'parts shared by many digits, which are useful and not selective' },
  { claim: 'Robustness to noise', measure: 'test MSE against the clean image at the largest noise',
    value: (m) => lastNoise(m).mse, digits: 5, higherIsBetter: false, tolerance: relative,
    captures: 'how well the model reconstructs the clean digit from a noisy one (Gaussian, unclipped)',
    misses: 'other corruptions (blur, occlusion, shifts) and noise chosen to do harm' },
  { claim: 'Robustness to noise', measure: 'code shift at the largest noise (moved / spread of codes)',
    value: (m) => lastNoise(m).codeShift, digits: 3, higherIsBetter: false, tolerance: relative,
    captures: 'how far noise moves the code, in units of how far codes of different images lie apart',
    misses: 'whether the moved code still decodes to the same digit' },
  { claim: 'Better generalization', measure: 'test MSE minus train MSE, as a share of test MSE',
    value: (m) => (m.testMse - m.trainMse) / m.testMse, digits: 4, higherIsBetter: false, tolerance: () => 0.02,
    captures: 'overfitting of the reconstruction (differences under 2 points of test MSE count as none)',
    misses: 'generalization to other data (another digit style, another data set)' },
  { claim: 'Better generalization', measure: 'linear probe accuracy on test codes',
    value: (m) => m.probe.testAccuracy, digits: 4, higherIsBetter: true,
    tolerance: (a, b, m) => accuracyTolerance((a + b) / 2, m.probe.testCount),
    captures: 'how much of the digit label one linear layer reads from the code',
    misses: 'information held non-linearly, and tasks other than the label' },
  { claim: 'Cost: reconstruction', measure: 'test MSE',
    value: (m) => m.testMse, digits: 5, higherIsBetter: false, tolerance: relative,
    captures: 'how well the model reproduces unseen images', misses: 'which details are lost' },
];

export interface ClaimLine {
  claim: string;
  measure: string;
  sparse: string;
  dense: string;
  sparseValue: number;
  denseValue: number;
  verdict: Verdict;
  sentence: string;
}

/**
 * Every claim for one pair (a sparse model and its standard twin), as numbers and a sentence
 * computed from them.
 */
export function claimLines(sparse: ModelMeasures, dense: ModelMeasures): ClaimLine[] {
  return CLAIMS.map((c) => {
    const s = c.value(sparse);
    const d = c.value(dense);
    if (c === CLAIMS[0]) return selectivityLine(c, sparse, dense);
    const v = verdict(s, d, c.higherIsBetter, c.tolerance(s, d, sparse));
    const cost = c.claim.startsWith('Cost');
    const reading = v === 'no clear difference' ? 'sparsity makes no clear difference'
      : cost ? (v === 'better' ? 'sparsity costs nothing here (it even helps)' : 'sparsity has a price')
        : (v === 'better' ? 'sparsity helps' : 'sparsity does not help (it hurts)');
    const sentence = `${c.claim}: ${c.measure} is ${s.toFixed(c.digits)} for the ${sparse.name} model vs ` +
      `${d.toFixed(c.digits)} for the ${dense.name} model, so here ${reading}.`;
    return { claim: c.claim, measure: c.measure, sparse: sparse.name, dense: dense.name, sparseValue: s, denseValue: d, verdict: v, sentence };
  });
}

/** Active units per image, split into live units and inactive ("dead") ones. */
export interface ActiveSplit {
  /** active units per image, all units */
  active: number;
  /** live units (not inactive) */
  live: number;
  /** share of the live units active per image */
  liveShare: number;
}

export function activeSplit(m: ModelMeasures): ActiveSplit {
  return {
    active: m.populationSparsity * m.latentDim,
    live: m.latentDim - m.inactive,
    liveShare: m.livePopulationSparsity,
  };
}

/**
 * How a drop in active units per image, from `dense` to `sparse`, splits into a part from units
 * that are dead in the sparse model (the difference in live units, each firing at the dense
 * model's live rate, plus the little the dead units fire) and a part from the sparse model's live
 * units firing less than the dense model's. The two parts add up to the drop; either can be
 * negative (live units firing more, or fewer dead units).
 */
export function dropSplit(sparse: ModelMeasures, dense: ModelMeasures): { drop: number; fromDead: number; fromLive: number } {
  const s = activeSplit(sparse);
  const d = activeSplit(dense);
  const drop = d.active - s.active;
  const fromLive = s.live * (d.liveShare - s.liveShare);
  return { drop, fromDead: drop - fromLive, fromLive };
}

/**
 * The "selective activation" line: the share of units active per image, and the same share among
 * live units, so that units which die do not pass for selectivity. "Helps" needs both to drop
 * clearly (the claim's relative tolerance).
 */
function selectivityLine(c: Claim, sparse: ModelMeasures, dense: ModelMeasures): ClaimLine {
  const s = c.value(sparse);
  const d = c.value(dense);
  const all = verdict(s, d, false, c.tolerance(s, d, sparse));
  const sl = sparse.livePopulationSparsity;
  const dl = dense.livePopulationSparsity;
  const live = verdict(sl, dl, false, c.tolerance(sl, dl, sparse));
  const S = activeSplit(sparse);
  const D = activeSplit(dense);
  const one = (v: number) => v.toFixed(1);
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const under = `${Math.round(100 * sparse.inactiveBelow)}%`;
  const head = `${c.claim}: ${c.measure} is ${s.toFixed(c.digits)} for the ${sparse.name} model vs ` +
    `${d.toFixed(c.digits)} for the ${dense.name} model (${one(S.active)} vs ${one(D.active)} active units ` +
    `per image); among live units (active on at least ${under} of images: ${S.live} of ${sparse.latentDim} vs ` +
    `${D.live} of ${dense.latentDim}), ${pct(S.liveShare)} vs ${pct(D.liveShare)} of them are active per image.`;
  const { drop, fromDead, fromLive } = dropSplit(sparse, dense);
  let split = '';
  if (drop > 0) {
    const from = `Of the drop from ${one(D.active)} to ${one(S.active)} active units per image`;
    const deadUnits = `dead units (inactive: ${sparse.inactive} of ${sparse.latentDim} in the ${sparse.name} model ` +
      `vs ${dense.inactive} of ${dense.latentDim} in the ${dense.name} model)`;
    if (fromLive <= 0) {
      split = ` ${from}, all comes from ${deadUnits}; its live units fire ` +
        `${fromLive < 0 ? 'more often' : 'as often'} than the ${dense.name} model's.`;
    } else if (fromDead <= 0) {
      split = ` ${from}, all comes from live units firing less, none from dead units.`;
    } else {
      const share = fromDead / drop;
      const most = share >= 0.55 ? 'mostly from dead units' : share <= 0.45 ? 'mostly from live units firing less'
        : 'about equally from dead units and from live units firing less';
      split = ` ${from}, ${one(fromDead)} (${pct(share)}) comes from ${deadUnits} and ` +
        `${one(fromLive)} (${pct(1 - share)}) from live units firing less: ${most}.`;
    }
  }
  let v: Verdict;
  let reading: string;
  if (all !== 'better') {
    v = all;
    reading = all === 'worse' ? 'sparsity does not help (it hurts)' : 'sparsity makes no clear difference';
  } else if (live === 'better') {
    v = 'better';
    reading = 'sparsity helps: the live units themselves fire less often' +
      (fromDead / drop >= 0.55 ? ', although most of the drop is dead units' : '');
  } else {
    v = live;
    reading = live === 'worse'
      ? 'sparsity does not help selectivity: fewer units fire only because units die; live units fire more often'
      : 'sparsity makes no clear difference to selectivity: fewer units fire because units die; ' +
        'the live units fire about as often';
  }
  return {
    claim: c.claim, measure: c.measure, sparse: sparse.name, dense: dense.name, sparseValue: s, denseValue: d,
    verdict: v, sentence: `${head}${split} So here ${reading}.`,
  };
}

/** What each claim's measure captures and misses, one line per measure. */
export function claimScope(): string[] {
  return CLAIMS.map((c) => `${c.measure}: captures ${c.captures}; does not capture ${c.misses}.`);
}

/**
 * The summary table's pros and cons of L1 and KL (not against the dense twin: against each
 * other and against rho), each read from the measures.
 */
export function methodLines(l1: ModelMeasures, kl: ModelMeasures, rho: number): string[] {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const speed = verdict(l1.secondsPerEpoch, kl.secondsPerEpoch, false, 0.1 * Math.max(l1.secondsPerEpoch, kl.secondsPerEpoch));
  const off = Math.abs(kl.meanActivation - rho) / rho;
  return [
    `L1, pro "simple, fast": ${l1.secondsPerEpoch.toFixed(2)} s/epoch for L1 vs ${kl.secondsPerEpoch.toFixed(2)} s/epoch ` +
      `for KL (as recorded when each was trained), so here L1 is ` +
      `${speed === 'better' ? 'faster' : speed === 'worse' ? 'slower' : 'about as fast (within 10%)'}.`,
    `L1, con "may not reach exact target sparsity": L1 has no target; its mean activation came out at ` +
      `${l1.meanActivation.toFixed(4)} and its population sparsity at ${l1.populationSparsity.toFixed(4)}; ` +
      'moving them means training again with another lambda (Exercise 2).',
    `KL, pro "precise control over sparsity": its units' mean activation is ${kl.meanActivation.toFixed(4)} ` +
      `against the target rho = ${rho}. Rho is a target for each unit's mean activation, not for the share of ` +
      `activations above the ${kl.activeThreshold} threshold: the KL model controls the mean activation ` +
      `${off <= 0.2 ? 'closely' : 'loosely'} (off by ${pct(off)}${off <= 0.2 ? '' : ', more than 20%'}); ` +
      `the fraction of active units is ${pct(kl.populationSparsity)}, ` +
      `${(kl.populationSparsity / rho).toFixed(1)} times rho.`,
    `KL, con "requires sigmoid activation": ${pct(kl.exactZeros)} of the KL codes are exactly 0 (a sigmoid never ` +
      `reaches 0) vs ${pct(l1.exactZeros)} of the L1 codes, so the KL model's "active" depends on the ${kl.activeThreshold} threshold.`,
  ];
}
