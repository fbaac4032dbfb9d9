/**
 * Notebook 17's sentences: six SAE architectures trained on notebook 16's planted features, read at
 * matched L0 (MCC, firing F1, absorption and FVU, each read off the architecture's curve as notebook
 * 14 reads FVU), the line that reads the MCC chart, and the findings: which architecture recovers
 * the planted features best near the true L0, and whether the Matryoshka loss absorbs less than
 * plain BatchTopK. Each is decided from the run's numbers.
 */
import type { PlantedRow } from '../truth/sweep';
import { fvuAtL0 } from '../interp/pareto';
import { mccPeaks } from './truth';
import { finding } from './findings';
import { fixed, pct } from './format';

/** One architecture's scores read at one target L0; NaN where its sweep does not reach the target. */
export interface MatchedScores {
  l0: number;
  mcc: number;
  f1: number;
  absorption: number;
  fvu: number;
}

/** The scores compared at matched L0: higher MCC and F1, lower absorption and FVU are better. */
const SCORES = ['mcc', 'f1', 'absorption', 'fvu'] as const;
type Score = (typeof SCORES)[number];

/**
 * Absorption rates closer than this (5 percentage points) count as the same: the share notebook 16's
 * absorptionFinding takes as absorbing at all. With a few pairs a rate moves in large steps (a
 * pair is often absorbed almost wholly or not at all), so smaller differences are within one state.
 */
export const SAME_ABSORPTION = 0.05;

/** An MCC lead of this or less is too small for one seed to separate two architectures. */
export const CLOSE_MCC = 0.01;

/**
 * Every architecture's scores at each target L0, each read off its curve (linear in log L0 between
 * its two nearest models, fvuAtL0); NaN where its models do not reach the target, or (absorption)
 * where none of them could be scored.
 */
export function scoresAtL0(rows: readonly PlantedRow[], methods: readonly string[], targets: readonly number[]): Record<string, MatchedScores[]> {
  return Object.fromEntries(methods.map((m) => {
    const own = rows.filter((r) => r.method === m);
    const read = (score: Score, t: number) => fvuAtL0(own.filter((r) => Number.isFinite(r[score]))
      .map((r) => ({ l0: r.l0, fvu: r[score] })), t);
    return [m, targets.map((t) => ({ l0: t, mcc: read('mcc', t), f1: read('f1', t), absorption: read('absorption', t), fvu: read('fvu', t) }))];
  }));
}

/** The matched-L0 table: one row per target and architecture ('-' where its sweep does not reach the target). */
export function matchedScoresTable(at: Record<string, MatchedScores[]>, targets: readonly number[]): Record<string, string | number>[] {
  const cell = (v: number, show: (v: number) => string | number) => (Number.isFinite(v) ? show(v) : '-');
  return targets.flatMap((t, i) => Object.entries(at).map(([m, s]) => ({ L0: t, architecture: m,
    MCC: cell(s[i].mcc, (v) => fixed(v, 3)), F1: cell(s[i].f1, (v) => fixed(v, 3)),
    absorption: cell(s[i].absorption, (v) => pct(v, 1)), FVU: cell(s[i].fvu, (v) => fixed(v, 3)) })));
}

/** A difference of two rates in percentage points: "5 percentage points". */
const points = (v: number) => `${Number((100 * v).toFixed(1))} percentage points`;

/** The architectures reaching target i, best first by `score` (lower first for absorption and FVU). */
function ranked(at: Record<string, MatchedScores[]>, i: number, score: Score): { m: string; v: number }[] {
  const lowerWins = score === 'absorption' || score === 'fvu';
  return Object.entries(at).map(([m, s]) => ({ m, v: s[i][score] })).filter((e) => Number.isFinite(e.v))
    .sort((a, b) => (lowerWins ? a.v - b.v : b.v - a.v));
}

/** "JumpReLU's 0.870 (next TopK 0.846)": the best and the runner-up. */
function best(list: readonly { m: string; v: number }[]): string {
  const [a, b] = list;
  return `${a.m}'s ${a.v.toFixed(3)}` + (b ? ` (next ${b.m} ${b.v.toFixed(3)})` : '');
}

/**
 * Which architecture has the highest MCC, the highest F1 and the lowest FVU at each target L0 (of
 * those whose sweep reaches it), and which absorbs least at the target nearest the true L0 (every
 * one within SAME_ABSORPTION of the least).
 */
export function architectureFinding(at: Record<string, MatchedScores[]>, targets: readonly number[], trueL0: number, quick: boolean): string {
  const reached = targets.map((t, i) => ({ t, i, n: ranked(at, i, 'mcc').length }));
  const compared = reached.filter((r) => r.n >= 2);
  const skipped = reached.filter((r) => r.n < 2).map((r) => r.t);
  const none = skipped.length ? `; at L0 ${skipped.join(', ')} fewer than two architectures reach it` : '';
  if (compared.length === 0) return finding(`no target L0 is reached by two architectures${none}.`, quick);
  const near = compared.reduce((b, r) => (Math.abs(Math.log(r.t / trueL0)) < Math.abs(Math.log(b.t / trueL0)) ? r : b));
  const [mccTop, f1Top] = [ranked(at, near.i, 'mcc')[0].m, ranked(at, near.i, 'f1')[0].m];
  const mccs = ranked(at, near.i, 'mcc');
  const close = mccs.length > 1 && mccs[0].v - mccs[1].v <= CLOSE_MCC
    ? ` (by MCC only ${(mccs[0].v - mccs[1].v).toFixed(3)} ahead of ${mccs[1].m}: too close for one seed to separate)` : '';
  const head = mccTop === f1Top
    ? `${mccTop} recovers the planted features best near the true L0 (${trueL0.toFixed(2)}): it has the highest MCC and F1 at L0 ${near.t}${close}`
    : `near the true L0 (${trueL0.toFixed(2)}), at L0 ${near.t}, no architecture leads on both: ${mccTop} has the highest MCC${close}, ${f1Top} the highest F1`;
  const per = compared.map((r) => `at L0 ${r.t} the highest MCC is ${best(ranked(at, r.i, 'mcc'))}, the highest F1 ` +
    `${best(ranked(at, r.i, 'f1'))}, the lowest FVU ${best(ranked(at, r.i, 'fvu'))}`);
  const absorbed = ranked(at, near.i, 'absorption');
  const show = (e: { m: string; v: number }) => `${e.m} ${pct(e.v, 1)}`;
  const low = absorbed.filter((e) => e.v - absorbed[0].v <= SAME_ABSORPTION);
  const least = absorbed.length === 0 ? `at L0 ${near.t} no architecture could be scored for absorption`
    : `the least absorption at L0 ${near.t}: ${low.map(show).join(', ')}` +
      (low.length > 1 ? ` (within ${points(SAME_ABSORPTION)} of the least)` : '') +
      (absorbed.length > low.length ? `; the most ${show(absorbed[absorbed.length - 1])}` : '');
  return finding(`${head}; ${per.join('; ')}; ${least}${none}.`, quick);
}

/**
 * Does the Matryoshka loss absorb less than plain BatchTopK? yes (less at some compared target, more
 * at none), no (more, or about the same everywhere) or mixed (less at one, more at another), over the
 * targets both sweeps reach (a difference of SAME_ABSORPTION or less counts as the same), with the matched
 * rates and MCCs, and each model's own rate.
 */
export function matryoshkaFinding(rows: readonly PlantedRow[], at: Record<string, MatchedScores[]>, targets: readonly number[],
  quick: boolean, names = { plain: 'BatchTopK', nested: 'Matryoshka BatchTopK' }): string {
  const { plain, nested } = names;
  if (!at[plain] || !at[nested]) throw new Error(`matryoshkaFinding: expected scores of '${plain}' and '${nested}', got ${Object.keys(at).join(', ')}`);
  const both = targets.map((t, i) => ({ t, a: at[plain][i], b: at[nested][i] }))
    .filter((p) => Number.isFinite(p.a.absorption) && Number.isFinite(p.b.absorption));
  const models = (m: string) => rows.filter((r) => r.method === m).sort((x, y) => x.l0 - y.l0)
    .map((r) => `${Number.isNaN(r.absorption) ? '-' : pct(r.absorption, 1)} at L0 ${r.l0.toFixed(2)}`).join(', ');
  const own = `each model's own rate: ${plain} ${models(plain)}; ${nested} ${models(nested)}`;
  if (both.length === 0) return finding(`no target L0 is reached by both ${plain} and ${nested} with absorption scored; ${own}.`, quick);
  const sign = (p: (typeof both)[number]) => {
    const diff = p.b.absorption - p.a.absorption;
    return Math.abs(diff) <= SAME_ABSORPTION ? 0 : Math.sign(diff);
  };
  const where = (s: number) => both.filter((p) => sign(p) === s).map((p) => p.t).join(', ');
  const [less, same, more] = [where(-1), where(0), where(1)];
  const also = (what: string, ts: string) => (ts ? `, ${what} at L0 ${ts}` : '');
  const verdict = less && more ? `mixed: ${nested} absorbs less than ${plain} at L0 ${less}, more at L0 ${more}${also('about as much', same)}`
    : less ? `yes, ${nested} absorbs less than ${plain}${same ? ` at L0 ${less}, about as much at L0 ${same}` : ' at every compared L0'}`
      : more ? `no, ${nested} absorbs more than ${plain}${same ? ` at L0 ${more}, about as much at L0 ${same}` : ' at every compared L0'}`
        : `no, ${nested} absorbs about as much as ${plain} at every compared L0`;
  const per = both.map((p) => `at L0 ${p.t} ${pct(p.b.absorption, 1)} against ${pct(p.a.absorption, 1)} ` +
    `(MCC ${p.b.mcc.toFixed(3)} against ${p.a.mcc.toFixed(3)})`);
  return finding(`${verdict} (a difference of ${points(SAME_ABSORPTION)} or less counts as the same): ${per.join('; ')}; ${own}.`, quick);
}

/**
 * What the MCC-against-L0 chart shows: each architecture's highest point (its model and L0), the
 * highest of all, and how far each peak lies from the true L0.
 */
export function mccCurveLine(rows: readonly PlantedRow[], methods: readonly string[], trueL0: number): string {
  const peaks = mccPeaks(rows, methods);
  if (peaks.length === 0) throw new Error('mccCurveLine: no rows of the architectures given');
  const top = peaks.reduce((a, b) => (b.mcc > a.mcc ? b : a));
  const near = peaks.filter((p) => Math.abs(Math.log(p.l0 / trueL0)) <= Math.log(2));
  return `The highest point is ${top.method}, ${top.setting} (MCC ${top.mcc.toFixed(3)} at L0 ${top.l0.toFixed(2)}); ` +
    `each line peaks at ${peaks.map((p) => `${p.method} ${p.mcc.toFixed(3)} (L0 ${p.l0.toFixed(2)})`).join(', ')}; ` +
    `${near.length} of ${peaks.length} peak within a factor of 2 of the true L0 (${trueL0.toFixed(2)}).`;
}
