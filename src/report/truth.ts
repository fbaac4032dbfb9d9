/**
 * Notebook 16's sentences: what was planted, the table of recovery scores, and the findings (which
 * method recovers the planted features best near the true L0, what the latent count does, where
 * absorption appears), each decided from the run's numbers.
 */
import type { PlantedModel } from '../truth/planted';
import type { PlantedRow } from '../truth/sweep';
import { absCosines } from '../truth/recovery';
import { finding } from './findings';
import { fixed, pct } from './format';
import { fvuAtL0 } from '../interp/pareto';

/** What was planted: sizes, how close two true features come, the firing probabilities, the pairs and the measured true L0. */
export function plantedLine(planted: PlantedModel, trueL0: number): string {
  const { n, d, hierarchy } = planted.config;
  const cos = absCosines(planted.features, planted.features, d);
  let closest = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) closest = Math.max(closest, cos.data[i * n + j]);
  const p = Array.from(planted.probabilities);
  return `${n} true features in ${d} dimensions (${n > d ? 'more features than dimensions, so they cannot all be orthogonal; ' : ''}` +
    `the closest two have |cos| ${closest.toFixed(3)}); each fires with probability ${pct(Math.max(...p))} down to ` +
    `${pct(Math.min(...p), 2)}; ${hierarchy.length} parent/child pairs; ${trueL0.toFixed(2)} features fire per sample (the true L0).`;
}

/** The scores, one row per model. */
export function recoveryTable(rows: readonly PlantedRow[]): Record<string, string | number>[] {
  return rows.map((r) => ({ method: r.method, setting: r.setting, latents: r.latents, epochs: r.epochs,
    L0: fixed(r.l0, 2), FVU: fixed(r.fvu, 3), MCC: fixed(r.mcc, 3), found: pct(r.found, 0), F1: fixed(r.f1, 3),
    shrinkage: fixed(r.shrinkage, 3), dead: pct(r.dead, 0), unique: pct(r.unique, 0),
    absorption: Number.isNaN(r.absorption) ? '-' : pct(r.absorption, 1) }));
}

/** Each method's MCC at each target L0, read off its curve (linear in log L0, as notebook 14 reads FVU); NaN where it does not reach. */
export function mccAtL0(rows: readonly PlantedRow[], methods: readonly string[], targets: readonly number[]): Record<string, number[]> {
  return Object.fromEntries(methods.map((m) => {
    const points = rows.filter((r) => r.method === m).map((r) => ({ l0: r.l0, fvu: r.mcc }));
    return [m, targets.map((t) => fvuAtL0(points, t))];
  }));
}

/** The matched-L0 table: one row per target, each method's MCC (3 digits, or '-' where its sweep does not reach it). */
export function matchedRecoveryTable(at: Record<string, number[]>, targets: readonly number[]): Record<string, string | number>[] {
  return targets.map((t, i) => ({ L0: t, ...Object.fromEntries(Object.entries(at).map(([m, v]) =>
    [m, Number.isFinite(v[i]) ? fixed(v[i], 3) : '-'])) }));
}

/**
 * Which method has the highest MCC at each target L0 (of those whose sweep reaches it), as one
 * finding: the winner where one method wins every compared target, else target by target.
 */
export function recoveryFinding(at: Record<string, number[]>, targets: readonly number[], trueL0: number, quick: boolean): string {
  const per = targets.map((t, i) => {
    const scored = Object.entries(at).filter(([, v]) => Number.isFinite(v[i])).sort((a, b) => b[1][i] - a[1][i]);
    return { t, scored: scored.map(([m, v]) => ({ m, v: v[i] })) };
  });
  const compared = per.filter((p) => p.scored.length >= 2);
  const skipped = per.filter((p) => p.scored.length < 2).map((p) => p.t);
  const none = skipped.length ? `; at L0 ${skipped.join(', ')} fewer than two methods reach it` : '';
  if (compared.length === 0) return finding(`no target L0 is reached by two methods${none}.`, quick);
  const show = (p: (typeof per)[number]) => `at L0 ${p.t} ${p.scored.map((s) => `${s.m} ${s.v.toFixed(3)}`).join(', ')}`;
  const winners = new Set(compared.map((p) => p.scored[0].m));
  const head = winners.size === 1
    ? `${compared[0].scored[0].m} has the highest MCC at every compared L0 (${compared.map((p) => p.t).join(', ')}; the true L0 is ${trueL0.toFixed(2)})`
    : `the method with the highest MCC changes with L0 (the true L0 is ${trueL0.toFixed(2)})`;
  return finding(`${head}: ${compared.map(show).join('; ')}${none}.`, quick);
}

/** The latent-count sweep of one method (one row per count): MCC and how the features are shared between latents. */
export function latentCountFinding(rows: readonly PlantedRow[], n: number, quick: boolean): string {
  const byCount = rows.slice().sort((a, b) => a.latents - b.latents);
  const top = byCount.reduce((a, b) => (b.mcc > a.mcc ? b : a));
  const few = byCount.filter((r) => r.latents < n);
  const many = byCount.filter((r) => r.latents > n);
  const parts = [`MCC is highest with ${top.latents} latents (${top.mcc.toFixed(3)}); by latent count: ` +
    byCount.map((r) => `${r.latents}: MCC ${r.mcc.toFixed(3)}, unique ${pct(r.unique, 0)}, ` +
      `${r.latentsPerCovered.toFixed(2)} latents per covered feature, ${pct(r.dead, 0)} dead`).join('; ')];
  if (few.length) parts.push(`with fewer latents than the ${n} true features the MCC cannot exceed latents/${n}`);
  if (many.length) {
    const last = many[many.length - 1];
    const at = byCount.find((r) => r.latents === n);
    if (at) parts.push(`past ${n} latents the latents per covered feature go ${at.latentsPerCovered.toFixed(2)} -> ` +
      `${last.latentsPerCovered.toFixed(2)} (${last.latentsPerCovered > at.latentsPerCovered ? 'features split over more latents' : 'no more splitting'})`);
  }
  return finding(parts.join('; ') + '.', quick);
}

/** Where absorption appears: the models whose mean absorption rate over the pairs is above `above`, and the largest. */
export function absorptionFinding(rows: readonly PlantedRow[], quick: boolean, above = 0.05): string {
  const rated = rows.filter((r) => !Number.isNaN(r.absorption));
  if (rated.length === 0) return finding('no model could be scored for absorption (no matched parent/child pair).', quick);
  const most = rated.reduce((a, b) => (b.absorption > a.absorption ? b : a));
  const over = rated.filter((r) => r.absorption > above);
  const list = over.map((r) => `${r.method}, ${r.setting}, ${r.latents} latents (${pct(r.absorption, 1)})`);
  return finding(`${over.length} of ${rated.length} models absorb more than ${pct(above, 0)} of a child's samples ` +
    `(its latent silent while the parent's fires)${over.length ? `: ${list.join('; ')}` : ''}; the most is ` +
    `${most.method}, ${most.setting}, ${most.latents} latents, at ${pct(most.absorption, 1)}.`, quick);
}

/** How the sweep's training ended: the models the stopping rule stopped, and those that reached the epoch cap still changing. */
export function plantedTrainingLine(rows: readonly PlantedRow[], training: { cap: number; stopGain: number }): string {
  if (rows.length === 0) throw new Error('plantedTrainingLine: no rows (expected one per trained model)');
  const flat = rows.filter((r) => Math.abs(r.lastGain) < training.stopGain);
  const open = rows.filter((r) => Math.abs(r.lastGain) >= training.stopGain);
  const range = (v: number[], f: (x: number) => string) =>
    (Math.min(...v) === Math.max(...v) ? f(v[0]) : `${f(Math.min(...v))} to ${f(Math.max(...v))}`);
  const stopped = flat.length === 0 ? `no model's loss flattened to under ${pct(training.stopGain, 0)} an epoch`
    : `${flat.length} of ${rows.length} models stopped when an epoch changed the training loss by under ` +
      `${pct(training.stopGain, 0)} (after ${range(flat.map((r) => r.epochs), String)} epochs)`;
  if (open.length === 0) return `${stopped}.`;
  return `${stopped}; ${open.length} ran to the ${training.cap}-epoch cap with the last epoch still changing the ` +
    `loss by ${range(open.map((r) => Math.abs(r.lastGain)), (g) => pct(g, 1))}: ` +
    `${open.map((r) => `${r.method} ${r.setting} (${r.latents} latents)`).join(', ')}; their scores are of models still training.`;
}

/** Each method's model with the highest MCC, in `methods` order (methods without rows left out). */
export function mccPeaks(rows: readonly PlantedRow[], methods: readonly string[]): PlantedRow[] {
  return methods.map((m) => rows.filter((r) => r.method === m))
    .filter((rs) => rs.length > 0)
    .map((rs) => rs.reduce((a, b) => (b.mcc > a.mcc ? b : a)));
}

/** At which sparsity each method recovers most: its model with the highest MCC, that model's L0, against the true L0. */
export function peakFinding(rows: readonly PlantedRow[], methods: readonly string[], trueL0: number, quick: boolean): string {
  const peaks = mccPeaks(rows, methods);
  if (peaks.length === 0) throw new Error(`peakFinding: no rows for the methods ${methods.join(', ')}`);
  const near = (l0: number) => (Math.abs(Math.log(l0 / trueL0)) <= Math.log(1.5) ? 'near' : l0 < trueL0 ? 'below' : 'above');
  return finding(`each method's MCC peaks at: ${peaks.map((p) => `${p.method} ${p.mcc.toFixed(3)} at L0 ` +
    `${p.l0.toFixed(2)} (${p.setting}, ${near(p.l0)} the true L0 ${trueL0.toFixed(2)})`).join('; ')}.`, quick);
}
