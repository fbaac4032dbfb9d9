/**
 * Notebook 14's sweeps and sentences: each penalty's sweep (its knob's starting grid and how the knob
 * steps past either end), training every setting through a pool, the table of what they measured, and
 * the verdicts at matched L0, each printed from the numbers it states.
 */
import type { DictSaeOptions } from '../interp/dictsae-config';
import { compareAtL0, fvuAtL0, notReached, sweepToCover } from '../interp/pareto';
import type { MatchedL0, SparsityPoint } from '../interp/pareto';
import type { TrainConfig } from '../core/train';
import type { DictSaeData, DictSaeMeasure, DictSaeTask } from '../store/dictsae-pool';
import { fixed, pct } from './format';

/**
 * One setting of a sweep: its label, its knob's value and the SAE options it stands for (a function of
 * the latent count where they depend on it: Matryoshka's prefixes).
 */
export interface SweepSetting {
  label: string;
  knob: number;
  config: DictSaeOptions | ((latent: number) => DictSaeOptions);
}

/** One penalty's sweep: where it starts, and the next setting past its sparsest and densest ends. */
export interface PenaltySweep {
  start: SweepSetting[];
  sparser: (s: SweepSetting) => SweepSetting;
  /** for a code of `latent` latents (TopK's k stops there) */
  denser: (latent: number) => (s: SweepSetting) => SweepSetting;
}

const two = (v: number) => Number(v.toPrecision(2));
const relu = (lambda: number): SweepSetting =>
  ({ label: `lambda ${lambda}`, knob: lambda, config: { activation: 'relu', sparsityWeight: lambda } });
const kl = (rho: number): SweepSetting =>
  ({ label: `rho ${rho}`, knob: rho, config: { activation: 'sigmoid', rho, sparsityWeight: 0.1 } });
const topK = (k: number): SweepSetting => ({ label: `k ${k}`, knob: k, config: { activation: 'topk', k, auxK: 64 } });
const batchTopK = (k: number): SweepSetting =>
  ({ label: `k ${k}`, knob: k, config: { activation: 'batchtopk', k, auxK: 64 } });
const jumpRelu = (lambda: number): SweepSetting =>
  ({ label: `lambda ${lambda}`, knob: lambda, config: { activation: 'jumprelu', sparsityWeight: lambda } });
/** Matryoshka's prefixes: an eighth, a quarter, a half and all of the latents. */
export const matryoshkaPrefixes = (latent: number): number[] =>
  [latent / 8, latent / 4, latent / 2].map(Math.round).concat(latent);
const matryoshka = (k: number): SweepSetting => ({ label: `k ${k}`, knob: k,
  config: (latent) => ({ activation: 'batchtopk', k, auxK: 64, prefixes: matryoshkaPrefixes(latent) }) });

/** The grids of each sweep's knob; the last three are optional (notebook 14 sweeps all six). */
export interface SweepGrids {
  relu: number[];
  kl: number[];
  topk: number[];
  batchtopk?: number[];
  jumprelu?: number[];
  matryoshka?: number[];
}

/** A sweep over k (TopK and its kin): halved sparser down to 1, doubled denser up to the latent count. */
const kSweep = (grid: number[], make: (k: number) => SweepSetting): PenaltySweep => ({ start: grid.map(make),
  sparser: (s) => make(Math.max(1, Math.floor(s.knob / 2))), denser: (latent) => (s) => make(Math.min(latent, s.knob * 2)) });

/**
 * The sweeps from their starting grids: ReLU + L1 over lambda (x3 sparser, /3 denser, 2 digits), sigmoid + KL
 * over the target rate rho with beta 0.1 (/3 sparser, x2 denser up to 0.5), TopK over k with AuxK 64
 * (halved sparser down to 1, doubled denser up to the latent count); where their grids are given, BatchTopK
 * and Matryoshka BatchTopK (prefixes matryoshkaPrefixes) over k as TopK, JumpReLU over its L0 penalty's
 * lambda as ReLU + L1.
 */
export function penaltySweeps(grids: SweepGrids): Record<string, PenaltySweep> {
  const sweeps: Record<string, PenaltySweep> = {
    'ReLU + L1': { start: grids.relu.map(relu), sparser: (s) => relu(two(s.knob * 3)),
      denser: () => (s) => relu(two(s.knob / 3)) },
    'sigmoid + KL': { start: grids.kl.map(kl), sparser: (s) => kl(two(s.knob / 3)),
      denser: () => (s) => kl(Math.min(0.5, two(s.knob * 2))) },
    TopK: kSweep(grids.topk, topK),
  };
  if (grids.batchtopk) sweeps.BatchTopK = kSweep(grids.batchtopk, batchTopK);
  if (grids.jumprelu) {
    sweeps.JumpReLU = { start: grids.jumprelu.map(jumpRelu), sparser: (s) => jumpRelu(two(s.knob * 3)),
      denser: () => (s) => jumpRelu(two(s.knob / 3)) };
  }
  if (grids.matryoshka) sweeps['Matryoshka BatchTopK'] = kSweep(grids.matryoshka, matryoshka);
  return sweeps;
}

/** A data set to sweep on, and the latent count its SAEs get. */
export interface FrontData extends DictSaeData {
  latent: number;
}

/** One trained model of a sweep: L0 to 2 digits, FVU (cut code and raw code) to 4; `added` past the grid. */
export interface FrontRow {
  data: string;
  method: string;
  setting: string;
  l0: number;
  fvu: number;
  fvuRaw: number;
  added: boolean;
  /** epochs trained, and how much the last one lowered the training loss (a fraction) */
  epochs: number;
  lastGain: number;
}

/** How the sweeps train and how far they reach. */
export interface FrontOptions {
  /** train.epochs is the cap when stopGain is given */
  train: Partial<TrainConfig>;
  /** stop a model once an epoch changes its training loss by less than this fraction, either way */
  stopGain?: number;
  /** the SAEs' deadAfter (AuxK's dead latents) */
  deadAfter: number;
  /** each sweep grows at either end until its L0 reaches down to `lowest` and up to `highest` ... */
  lowest: number;
  highest: number;
  /** ... by at most this many settings per end */
  extraPerEnd: number;
}

/**
 * Every sweep on every data set (seed 42), all asked of `pool` at once (sweepToCover, concurrent): the rows
 * data set by data set, method by method, each sweep's starting grid first and then what it added.
 */
export async function sweepFronts(
  pool: { measure(task: DictSaeTask): Promise<DictSaeMeasure> }, sets: Record<string, FrontData>,
  sweeps: Record<string, PenaltySweep>, options: FrontOptions,
): Promise<FrontRow[]> {
  const sweepOf = async (data: string, method: string): Promise<FrontRow[]> => {
    const [set, sweep] = [sets[data], sweeps[method]];
    const measure = ({ label, config }: SweepSetting) => pool.measure({ data,
      options: { inputDim: set.train.dim, latentDim: set.latent, deadAfter: options.deadAfter,
        ...(typeof config === 'function' ? config(set.latent) : config) },
      seed: 42, train: options.train, ...(options.stopGain === undefined ? {} : { stopGain: options.stopGain }),
      title: `${data}: ${method}, ${label}` });
    const results = await sweepToCover(sweep.start, measure, { lowest: options.lowest, highest: options.highest,
      extraPerEnd: options.extraPerEnd, sparser: sweep.sparser, denser: sweep.denser(set.latent), concurrent: true });
    return results.map(({ setting, point }, i) => ({ data, method, setting: setting.label,
      l0: fixed(point.l0, 2), fvu: fixed(point.fvu, 4), fvuRaw: fixed(point.fvuRaw, 4),
      added: i >= sweep.start.length, epochs: point.epochs, lastGain: point.lastGain }));
  };
  const swept = await Promise.all(Object.keys(sets).flatMap((data) =>
    Object.keys(sweeps).map((method) => sweepOf(data, method))));
  return swept.flat();
}

/** The table of every model: data, method, setting, L0 and both FVUs. */
export function frontTable(rows: readonly FrontRow[]): Record<string, string | number>[] {
  return rows.map((r) => ({ data: r.data, method: r.method, setting: r.setting, L0: r.l0,
    FVU: r.fvu, 'FVU, raw code': r.fvuRaw, epochs: r.epochs, 'last epoch gain': pct(r.lastGain, 1) }));
}

/** How a sweep trains its models: the epoch cap and, when given, the stopping rule's least gain. */
export interface Budget { cap: number; stopGain?: number; stepsPerEpoch: number }

/** How many models, how many settings the sweeps added to reach `lowest` and `highest`, and how each was trained. */
export function modelCountLine(rows: readonly FrontRow[], reach: { lowest: number; highest: number }, budget: Budget): string {
  const added = rows.filter((r) => r.added).length;
  const how = budget.stopGain === undefined ? `${budget.cap} epochs each` :
    `each trained until an epoch changed its training loss by less than ${pct(budget.stopGain, 0)} either way, ` +
    `at most ${budget.cap} epochs`;
  return `${rows.length} models (${added} settings added beyond the starting grids ` +
    `to reach L0 ${reach.lowest} and ${reach.highest}), ${how} (${budget.stepsPerEpoch} steps an epoch).`;
}

const span = (values: number[], show: (v: number) => string) => {
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  return lo === hi ? show(lo) : `${show(lo)}-${show(hi)}`;
};

/**
 * Per data set and method: how many models the rule stopped (their epochs) and how many ran to the cap
 * still improving (their last epoch's gain): a model at the cap has not flattened by the rule, so
 * its FVU is where training stopped, not where that penalty ends up.
 */
export function budgetLines(rows: readonly FrontRow[], budget: Budget): string[] {
  const groups = Array.from(new Set(rows.map((r) => `${r.data}\u0000${r.method}`))).map((g) => g.split('\u0000'));
  return groups.map(([data, method]) => {
    const mine = rows.filter((r) => r.data === data && r.method === method);
    const capped = budget.stopGain === undefined ? mine : mine.filter((r) => Math.abs(r.lastGain) >= budget.stopGain!);
    const stopped = mine.filter((r) => !capped.includes(r));
    const parts = [];
    if (stopped.length) parts.push(`${stopped.length} flattened after ${span(stopped.map((r) => r.epochs), String)} epochs`);
    if (capped.length) {
      parts.push(`${capped.length} ran to the cap of ${budget.cap} epochs, the last one still changing the loss by ` +
        `${span(capped.map((r) => r.lastGain), (v) => pct(v, 1))}`);
    }
    return `${data}, ${method}: of ${mine.length} ${mine.length === 1 ? 'model' : 'models'}, ${parts.join('; ')}.`;
  });
}

/** Per FVU (cut code, raw code): how many models are worse than predicting the mean input, by sweep. */
export function fvuAboveOneLines(rows: readonly FrontRow[]): string[] {
  return ([['FVU', 'fvu'], ['FVU with the raw code', 'fvuRaw']] as const).map(([what, key]) => {
    const above = rows.filter((r) => r[key] > 1);
    const group = (r: FrontRow) => `${r.data}, ${r.method}`;
    const where = Array.from(new Set(above.map(group)))
      .map((g) => `${g}: ${above.filter((r) => group(r) === g).length}`);
    return `${above.length} of ${rows.length} models have an ${what} above 1 ` +
      `(worse than predicting the mean input)${above.length ? `: ${where.join('; ')}` : ''}.`;
  });
}

/** The models a log-L0 chart of `data` cannot draw (L0 0.00 as stored, to 2 decimals), named; '' when none. */
export function offAxisLine(rows: readonly FrontRow[], data: string): string {
  const off = rows.filter((r) => r.data === data && r.l0 === 0);
  return off.length === 0 ? '' : `Not drawn on the log axis (L0 0.00: under 0.005 active latents per input): ` +
    `${off.map((r) => `${r.method}, ${r.setting} (FVU ${r.fvu}, raw code ${r.fvuRaw})`).join('; ')}.`;
}

/** One method's curve on one data set, by L0: (L0, FVU) with its setting; the raw code's FVU when `raw`. */
export function frontCurve(
  rows: readonly FrontRow[], data: string, method: string, raw = false,
): (SparsityPoint & { setting: string })[] {
  return rows.filter((r) => r.data === data && r.method === method).sort((a, b) => a.l0 - b.l0)
    .map((r) => ({ l0: r.l0, fvu: raw ? r.fvuRaw : r.fvu, setting: r.setting }));
}

/** The method whose curve is read twice: its code cut at 0.1 (what L0 counts) and its raw code. */
export const KL_METHOD = 'sigmoid + KL';

/** One data set's curves read at matched L0, with KL's code cut at 0.1 and with its raw code. */
export interface MatchedFronts {
  targets: number[];
  /** every method on the data set, in the rows' order (KL among them) */
  methods: string[];
  /** each method's curve but KL's, by name */
  curves: Record<string, SparsityPoint[]>;
  cut: SparsityPoint[];
  raw: SparsityPoint[];
  withCut: MatchedL0[];
  withRaw: MatchedL0[];
}

/** Reads every method's curve on `data` at each of `targets` (compareAtL0), KL both ways. */
export function matchedFronts(rows: readonly FrontRow[], data: string, targets: number[]): MatchedFronts {
  const methods = Array.from(new Set(rows.filter((r) => r.data === data).map((r) => r.method)));
  const curves: Record<string, SparsityPoint[]> = {};
  for (const method of methods) if (method !== KL_METHOD) curves[method] = frontCurve(rows, data, method);
  const [cut, raw] = [frontCurve(rows, data, KL_METHOD), frontCurve(rows, data, KL_METHOD, true)];
  const withKl = (kl: SparsityPoint[]) => Object.fromEntries(methods.map((m) => [m, m === KL_METHOD ? kl : curves[m]]));
  return { targets, methods, curves, cut, raw, withCut: compareAtL0(withKl(cut), targets),
    withRaw: compareAtL0(withKl(raw), targets) };
}

/** The matched-L0 table: each curve's FVU at each target (4 digits, or why it has none) and the lowest. */
export function matchedTable(m: MatchedFronts): Record<string, string | number>[] {
  const cell = (pts: SparsityPoint[], l0: number) => notReached(pts, l0) ?? fixed(fvuAtL0(pts, l0), 4);
  const lowest = (a: string | null, b: string | null) =>
    a === b ? a ?? 'fewer than two methods reach it' : `${a} (KL code > 0.1) / ${b} (KL raw code)`;
  return m.targets.map((l0, i) => {
    const row: Record<string, string | number> = { L0: l0 };
    for (const method of m.methods) {
      if (method === KL_METHOD) Object.assign(row, { 'KL, code > 0.1': cell(m.cut, l0), 'KL, raw code': cell(m.raw, l0) });
      else row[method] = cell(m.curves[method], l0);
    }
    row.lowest = lowest(m.withCut[i].best, m.withRaw[i].best);
    return row;
  });
}

/** Which method has the lowest FVU at each target, and whether that holds however KL is measured. */
export function lowestFvuLine(m: MatchedFronts): string {
  const verdicts = m.targets.map((l0, i) => {
    const [a, b] = [m.withCut[i].best, m.withRaw[i].best];
    if (a === null && b === null) return `no comparison at L0 ${l0} (fewer than two methods reach it)`;
    const how = notReached(m.cut, l0) === null ? 'whichever way KL is measured' : 'KL does not reach it';
    if (a === b) return `${a} at L0 ${l0} (${how})`;
    return `at L0 ${l0} it depends on how KL is measured: ${a} with its code cut at 0.1, ` +
      `${b} with its raw code`;
  });
  return `lowest FVU: ${verdicts.join('; ')}`;
}
