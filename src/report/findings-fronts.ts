/**
 * Notebook 14's finding: which penalty reconstructs best at matched L0 on one data set, over the
 * targets where the comparison holds whichever way KL is measured, and whether the models it rests on
 * finished training by the stopping rule (a model at the epoch cap was still improving).
 */
import { finding } from './findings';
import { listing, pct } from './format';
import { fvuAtL0 } from '../interp/pareto';
import { KL_METHOD } from './fronts';
import type { Budget, FrontRow, MatchedFronts } from './fronts';

/** The methods in the order of how many targets each wins outright (ties by name), with their targets. */
function winners(m: MatchedFronts): { method: string; at: number[] }[] {
  const won = new Map<string, number[]>();
  m.targets.forEach((l0, i) => {
    const [a, b] = [m.withCut[i].best, m.withRaw[i].best];
    if (a !== null && a === b) won.set(a, [...(won.get(a) ?? []), l0]);
  });
  return Array.from(won, ([method, at]) => ({ method, at }))
    .sort((x, y) => y.at.length - x.at.length || x.method.localeCompare(y.method));
}

/** The methods on `data` with a model that ran to the cap still improving by the rule's gain or more. */
export function unfinishedMethods(rows: readonly FrontRow[], data: string, budget: Budget): string[] {
  const open = rows.filter((r) => r.data === data && (budget.stopGain === undefined || Math.abs(r.lastGain) >= budget.stopGain));
  return Array.from(new Set(open.map((r) => r.method)));
}

/**
 * "Finding: on <data>, <method> has the lowest FVU at L0 ... (whichever way KL is measured)", the
 * targets where the verdict depends on KL's measure or no comparison exists, and the methods with
 * models still improving at the cap (their FVU is an upper bound on what more epochs would give).
 */
export function matchedFinding(data: string, m: MatchedFronts, rows: readonly FrontRow[], budget: Budget, quick: boolean): string {
  const wins = winners(m);
  const decided = new Set(wins.flatMap((w) => w.at));
  const open = m.targets.filter((l0) => !decided.has(l0));
  const head = wins.length === 0
    ? `on ${data} no method has the lowest FVU whichever way KL is measured at any of L0 ${m.targets.join(', ')}`
    : `on ${data}, ` + wins.map((w, i) => `${w.method} has the lowest FVU at ${i === 0 && w.at.length === m.targets.length
      ? `every matched L0 (${w.at.join(', ')})` : `L0 ${w.at.join(', ')}`}`).join('; ');
  const undecided = open.length && wins.length ? `; at L0 ${open.join(', ')} the winner depends on how KL is measured ` +
    'or fewer than two methods reach it' : '';
  const unfinished = unfinishedMethods(rows, data, budget);
  const tail = unfinished.length === 0 ? `; every model had flattened by the stopping rule`
    : `; ${listing(unfinished)} had models still changing at the ${budget.cap}-epoch cap, so their FVU is ` +
      'where training stopped, not where that penalty settles';
  return finding(`${head}${undecided}${open.length ? withoutKl(m, open) : ''}${tail}.`, quick);
}

/** Where KL's two measures disagree: which of the other methods is lowest at those targets. */
function withoutKl(m: MatchedFronts, targets: number[]): string {
  const best = targets.map((l0) => {
    const at = m.withCut[m.targets.indexOf(l0)].fvu;
    const scored = Object.entries(at).filter(([k, v]) => k !== KL_METHOD && Number.isFinite(v)).sort((a, b) => a[1] - b[1]);
    return scored.length >= 2 ? scored[0][0] : null;
  });
  const names = Array.from(new Set(best.filter((b): b is string => b !== null)));
  if (names.length === 0) return '';
  if (names.length === 1 && best.every((b) => b !== null)) return `; leaving KL out, ${names[0]} is lowest at L0 ${targets.join(', ')}`;
  return `; leaving KL out: ${targets.map((l0, i) => `${best[i] ?? 'no comparison'} at L0 ${l0}`).join(', ')}`;
}

/** Two FVUs within this fraction of each other count as the same. */
export const SAME_FVU = 0.02;

/**
 * Each of `methods` against `reference` (TopK) on one data set, at every matched L0 both curves reach:
 * lower, about the same (within SAME_FVU) or higher FVU, with the spread of the relative differences;
 * given the rows and budget, the compared methods with models that ran to the cap still changing.
 */
export function againstReferenceFinding(data: string, m: MatchedFronts, methods: readonly string[], quick: boolean,
  reference = 'TopK', unfinished?: { rows: readonly FrontRow[]; budget: Budget }): string {
  const ref = m.curves[reference];
  if (!ref) throw new Error(`againstReferenceFinding: no curve named ${JSON.stringify(reference)} on ${data}`);
  const parts = methods.map((method) => {
    const curve = m.curves[method];
    if (!curve) throw new Error(`againstReferenceFinding: no curve named ${JSON.stringify(method)} on ${data}`);
    const diffs = m.targets.map((l0) => ({ l0, d: fvuAtL0(curve, l0) / fvuAtL0(ref, l0) - 1 }))
      .filter((x) => Number.isFinite(x.d));
    if (diffs.length === 0) return `${method} and ${reference} reach none of L0 ${m.targets.join(', ')} together`;
    const group = (keep: (d: number) => boolean, word: string, sign: number) => {
      const at = diffs.filter((x) => keep(x.d));
      if (at.length === 0) return [];
      const by = at.map((x) => sign * x.d);
      const [lo, hi] = [Math.min(...by), Math.max(...by)];
      const size = word === 'about the same' ? ` (within ${pct(SAME_FVU, 0)})`
        : ` (by ${lo === hi ? pct(lo) : `${pct(lo)}-${pct(hi)}`})`;
      return [`${word} at L0 ${at.map((x) => x.l0).join(', ')}${size}`];
    };
    const words = [...group((d) => d < -SAME_FVU, 'lower', -1), ...group((d) => Math.abs(d) <= SAME_FVU, 'about the same', 1),
      ...group((d) => d > SAME_FVU, 'higher', 1)];
    return `${method}: ${words.join(', ')}`;
  });
  const open = unfinished ? unfinishedMethods(unfinished.rows, data, unfinished.budget)
    .filter((name) => name === reference || methods.includes(name)) : [];
  const tail = open.length === 0 ? '' : `; ${listing(open)} had models still changing at the ` +
    `${unfinished!.budget.cap}-epoch cap, so a difference resting on those models may change with more epochs`;
  return finding(`on ${data}, FVU against ${reference}'s at matched L0: ${parts.join('; ')}${tail}.`, quick);
}
