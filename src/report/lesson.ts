/**
 * The sentences of notebooks 03 and 04, each printed from the numbers it states: how far each
 * model is past the mean-image baseline (03), and what a penalty buys and costs (04).
 */
import type { SparsityReport } from '../core/analysis';
import type { EpochRecord } from '../core/train';
import { fixed, pct } from './format';

/** One model's test reconstruction error. */
export interface NamedMse {
  name: string;
  testMse: number;
}

/** 03's table row: last epoch's train reconstruction, test error, the baseline and seconds per epoch. */
export function trainingRow(
  name: string, history: readonly EpochRecord[], testMse: number, baseline: number,
): Record<string, string | number> {
  return {
    model: name,
    'train recon (last epoch)': fixed(history[history.length - 1].reconstruction, 5),
    'test recon': fixed(testMse, 5),
    'mean-image baseline': fixed(baseline, 5),
    's/epoch': fixed(history.reduce((s, r) => s + r.seconds, 0) / history.length, 1),
  };
}

/**
 * 03's verdicts: per model, its test MSE as a share of the mean-image error and whether it encodes
 * its input (below 90%: clearly; below 100%: only begun; else not yet); then which model is further along.
 */
export function meanImageLines(models: readonly NamedMse[], baseline: number, epochs: number): string[] {
  const ratios = models.map((m) => m.testMse / baseline);
  const lines = models.map((m, i) => {
    const r = ratios[i];
    const verdict = r < 0.9 ? 'clearly encodes its input.'
      : r < 1 ? 'has only begun to encode its input (train longer).'
        : 'has not yet beaten a constant guess.';
    return `${m.name}: test MSE ${m.testMse.toFixed(4)} is ${pct(r, 0)} of the mean-image error, ` +
      `so it ${verdict}`;
  });
  if (models.length === 2) {
    const [ahead, behind] = ratios[0] <= ratios[1] ? [0, 1] : [1, 0];
    lines.push(`After ${epochs} epochs the ${models[ahead].name} model is further along: ` +
      `its test error is ${pct(ratios[ahead], 0)} of the baseline, ` +
      `the ${models[behind].name} model's ${pct(ratios[behind], 0)}.`);
  }
  return lines;
}

/** The models whose test MSE does not beat the baseline (ratio >= 1), by name. */
export function notBeatingBaseline(models: readonly NamedMse[], baseline: number): string[] {
  return models.filter((m) => m.testMse / baseline >= 1).map((m) => m.name);
}

/** 04's table row: test MSE, the Part 4 measures and the share of exact zeros among the activations. */
export interface SparsityRow {
  model: string;
  'test MSE': number;
  population: number;
  'lifetime (mean)': number;
  inactive: string;
  'exact zeros': number;
}

/** The share of exact zeros in `values`. */
export function zeroFraction(values: ArrayLike<number>): number {
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return zeros / values.length;
}

export function sparsityRow(
  name: string, testMse: number, report: SparsityReport & { activations: ArrayLike<number> },
): SparsityRow {
  return {
    model: name,
    'test MSE': fixed(testMse, 5),
    population: fixed(report.populationSparsity, 4),
    'lifetime (mean)': fixed(report.meanLifetime, 4),
    inactive: `${report.inactiveUnits.length}/${report.latentDim}`,
    'exact zeros': fixed(zeroFraction(report.activations), 4),
  };
}

/** 04's comparison of a penalised model `a` with its dense twin `b`: units active, inactive units, the MSE cost. */
export function penaltyCostLine(a: SparsityRow, b: SparsityRow): string {
  const fewer = a.population < b.population ? 'fewer' : 'no fewer';
  const change = (a['test MSE'] - b['test MSE']) / b['test MSE'];
  const sign = change >= 0 ? '+' : '';
  const cost = `${change > 0 ? 'higher' : 'no higher'} test MSE (${sign}${pct(change)})`;
  return `${a.model} vs ${b.model}: the penalty leaves ${fewer} units active per image ` +
    `(${pct(a.population)} vs ${pct(b.population)}), ` +
    `${a.inactive} vs ${b.inactive} inactive units, ` +
    `at a ${cost}: ${a['test MSE']} vs ${b['test MSE']}.`;
}
