/**
 * Notebook 16's amortisation-gap sentences: the table of the encoder's codes against OMP and the
 * lasso on the same frozen decoder, and the finding, at each L0 compared, of how much error the
 * one-pass encoder leaves that a per-signal solver removes, and whether the solvers pick the true
 * features better. The wording (large, moderate, small; better, worse) is decided from the numbers.
 */
import type { Amortisation, MethodScores } from '../truth/amortisation';
import { finding } from './findings';
import { fixed, pct } from './format';

/** A gap counts as large when the best solver removes at least this share of the encoder's FVU ... */
export const LARGE_GAP = 0.25;
/** ... and as small below this share. */
export const SMALL_GAP = 0.1;

/** One row per L0 and method: FVU, the L0 reached, support precision and recall ('-' without the truth). */
export function amortisationTable(results: readonly Amortisation[]): Record<string, string | number>[] {
  const share = (v: number) => (Number.isNaN(v) ? '-' : fixed(v, 3));
  return results.flatMap((r) => r.methods.map((m) => ({
    'target L0': r.k, method: m.method, FVU: fixed(m.fvu, 4), 'L0 reached': fixed(m.l0, 2),
    'support precision': share(m.precision), 'support recall': share(m.recall),
  })));
}

/** The solver with the lowest FVU (the encoder excluded). */
function bestSolver(r: Amortisation): MethodScores {
  const solvers = r.methods.filter((m) => m.method !== 'encoder');
  if (solvers.length === 0) throw new Error(`amortisationFinding: L0 ${r.k} has no solver's codes, only the encoder's`);
  return solvers.reduce((a, b) => (b.fvu < a.fvu ? b : a));
}

function encoderOf(r: Amortisation): MethodScores {
  const e = r.methods.find((m) => m.method === 'encoder');
  if (!e) throw new Error(`amortisationFinding: L0 ${r.k} has no encoder row (methods: ${r.methods.map((m) => m.method).join(', ')})`);
  return e;
}

/** How much of the encoder's FVU the best solver removes: (encoder - best) / encoder; negative when no solver beats it. */
export function gapShare(r: Amortisation): number {
  const e = encoderOf(r).fvu;
  return e > 0 ? (e - bestSolver(r).fvu) / e : 0;
}

function size(share: number): string {
  if (share <= 0) return 'none: no solver beats the encoder';
  if (share >= LARGE_GAP) return `large (a quarter or more of the encoder's error)`;
  if (share < SMALL_GAP) return `small (under a tenth of the encoder's error)`;
  return 'moderate (between a tenth and a quarter of the encoder\'s error)';
}

function supportClause(e: MethodScores, best: MethodScores): string {
  if (Number.isNaN(e.recall) || Number.isNaN(best.recall)) return '';
  const d = best.recall - e.recall;
  const verb = Math.abs(d) < 0.005 ? 'about as often as' : d > 0 ? 'more often than' : 'less often than';
  return `; ${best.method}'s non-zeros pick out the features that really fired ${verb} the encoder's ` +
    `(recall ${fixed(best.recall, 3)} against ${fixed(e.recall, 3)}, precision ${fixed(best.precision, 3)} against ${fixed(e.precision, 3)})`;
}

/**
 * At each L0: the encoder's FVU, every solver's, the best solver's share of the encoder's FVU that
 * it removes and its size in words, and how the best solver's support compares with the truth.
 */
export function amortisationFinding(results: readonly Amortisation[], quick: boolean): string {
  if (results.length === 0) throw new Error('amortisationFinding: no results (expected one per L0 compared)');
  const parts = results.map((r) => {
    const e = encoderOf(r);
    const best = bestSolver(r);
    const solvers = r.methods.filter((m) => m.method !== 'encoder').map((m) => `${m.method} ${fixed(m.fvu, 4)}`).join(', ');
    const share = gapShare(r);
    const removes = share > 0 ? `${best.method} removes ${pct(share, 0)} of it, a gap that is ${size(share)}` : `the gap is ${size(share)}`;
    return `at L0 ${r.k} the encoder's FVU is ${fixed(e.fvu, 4)} and on the same frozen decoder ${solvers}: ${removes}${supportClause(e, best)}`;
  });
  return finding(`${parts.join('. ')}.`, quick);
}
