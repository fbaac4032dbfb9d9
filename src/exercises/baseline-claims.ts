/**
 * The lesson's "Why sparsity?" claims, read from the measures of a sparse model and its standard
 * twin (baseline.ts measures them): one verdict and one sentence per claim, what each measure
 * captures and misses, and the summary table's pros and cons of L1 and KL. The sentences only
 * read the numbers.
 */
import type { ModelMeasures } from './baseline';

const one = (v: number) => v.toFixed(1);
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

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
 * Every claim for one pair (a sparse model and its dense twin), as numbers and a sentence
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
 * Where a drop in active units per image comes from, as a sentence (empty when there is no drop):
 * dead units, live units firing less, or both (dropSplit).
 */
function dropSentence(sparse: ModelMeasures, dense: ModelMeasures): string {
  const { drop, fromDead, fromLive } = dropSplit(sparse, dense);
  if (!(drop > 0)) return '';
  const S = activeSplit(sparse);
  const D = activeSplit(dense);
  const from = `Of the drop from ${one(D.active)} to ${one(S.active)} active units per image`;
  const deadUnits = `dead units (inactive: ${sparse.inactive} of ${sparse.latentDim} in the ${sparse.name} model ` +
    `vs ${dense.inactive} of ${dense.latentDim} in the ${dense.name} model)`;
  if (fromLive <= 0) {
    return ` ${from}, all comes from ${deadUnits}; its live units fire ` +
      `${fromLive < 0 ? 'more often' : 'as often'} than the ${dense.name} model's.`;
  }
  if (fromDead <= 0) return ` ${from}, all comes from live units firing less, none from dead units.`;
  const share = fromDead / drop;
  const most = share >= 0.55 ? 'mostly from dead units' : share <= 0.45 ? 'mostly from live units firing less'
    : 'about equally from dead units and from live units firing less';
  return ` ${from}, ${one(fromDead)} (${pct(share)}) comes from ${deadUnits} and ` +
    `${one(fromLive)} (${pct(1 - share)}) from live units firing less: ${most}.`;
}

/** The verdict of the "selective activation" line and its reading, from the verdicts on all units and on live units. */
function selectivityReading(all: Verdict, live: Verdict, sparse: ModelMeasures, dense: ModelMeasures): { v: Verdict; reading: string } {
  if (all !== 'better') return { v: all, reading: all === 'worse' ? 'sparsity does not help (it hurts)' : 'sparsity makes no clear difference' };
  if (live === 'better') {
    const { drop, fromDead } = dropSplit(sparse, dense);
    return {
      v: 'better',
      reading: 'sparsity helps: the live units themselves fire less often' + (fromDead / drop >= 0.55 ? ', although most of the drop is dead units' : ''),
    };
  }
  return {
    v: live,
    reading: live === 'worse'
      ? 'sparsity does not help selectivity: fewer units fire only because units die; live units fire more often'
      : 'sparsity makes no clear difference to selectivity: fewer units fire because units die; ' +
        'the live units fire about as often',
  };
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
  const under = `${Math.round(100 * sparse.inactiveBelow)}%`;
  const head = `${c.claim}: ${c.measure} is ${s.toFixed(c.digits)} for the ${sparse.name} model vs ` +
    `${d.toFixed(c.digits)} for the ${dense.name} model (${one(S.active)} vs ${one(D.active)} active units ` +
    `per image); among live units (active on at least ${under} of images: ${S.live} of ${sparse.latentDim} vs ` +
    `${D.live} of ${dense.latentDim}), ${pct(S.liveShare)} vs ${pct(D.liveShare)} of them are active per image.`;
  const { v, reading } = selectivityReading(all, live, sparse, dense);
  return {
    claim: c.claim, measure: c.measure, sparse: sparse.name, dense: dense.name, sparseValue: s, denseValue: d,
    verdict: v, sentence: `${head}${dropSentence(sparse, dense)} So here ${reading}.`,
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
export function methodLines(l1: ModelMeasures, kl: ModelMeasures, rho: number, timed?: { l1: number; kl: number; epochSteps: number; rounds: number; trained?: boolean }): string[] {
  // Per-epoch seconds: timed alone just now (secondsPerStep, scaled to an epoch), else as recorded in training.
  const [sl1, skl] = timed ? [timed.l1 * timed.epochSteps, timed.kl * timed.epochSteps] : [l1.secondsPerEpoch, kl.secondsPerEpoch];
  const how = timed ? `each timed alone just now, ${timed.trained ? 'copies of the trained models' : 'fresh models'}, the fastest of ${timed.rounds} interleaved runs, scaled to an epoch`
    : 'as recorded when each was trained, possibly beside another model on the same cores';
  const speed = verdict(sl1, skl, false, 0.1 * Math.max(sl1, skl));
  const off = Math.abs(kl.meanActivation - rho) / rho;
  return [
    `L1, pro "simple, fast": ${sl1.toFixed(2)} s/epoch for L1 vs ${skl.toFixed(2)} s/epoch ` +
      `for KL (${how}), so here L1 is ` +
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
