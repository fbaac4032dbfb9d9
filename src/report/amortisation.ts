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

/** OMP's coefficients may be negative: codes no ReLU or TopK encoder can give, so it bounds the gap, it does not measure it. */
const SIGNED: readonly string[] = ['OMP'];

/** The solver with the lowest FVU among those whose codes the encoder could give (the encoder and signed methods excluded). */
function bestSolver(r: Amortisation): MethodScores {
  const solvers = r.methods.filter((m) => m.method !== 'encoder' && !SIGNED.includes(m.method));
  if (solvers.length === 0) throw new Error(`amortisationFinding: L0 ${r.k} has no non-negative solver's codes (methods: ${r.methods.map((m) => m.method).join(', ')})`);
  return solvers.reduce((a, b) => (b.fvu < a.fvu ? b : a));
}

function encoderOf(r: Amortisation): MethodScores {
  const e = r.methods.find((m) => m.method === 'encoder');
  if (!e) throw new Error(`amortisationFinding: L0 ${r.k} has no encoder row (methods: ${r.methods.map((m) => m.method).join(', ')})`);
  return e;
}

/** How much of the encoder's FVU the best non-negative solver removes: (encoder - best) / encoder; negative when none beats it. */
export function gapShare(r: Amortisation): number {
  const e = encoderOf(r).fvu;
  return e > 0 ? (e - bestSolver(r).fvu) / e : 0;
}

function size(share: number): string {
  if (share >= LARGE_GAP) return `large (a quarter or more of the encoder's error)`;
  if (share < SMALL_GAP) return `small (under a tenth of the encoder's error)`;
  return 'moderate (between a tenth and a quarter of the encoder\'s error)';
}

/** Two shares within this of each other count as the same support score. */
const SAME_SUPPORT = 0.02;

function supportClause(e: MethodScores, best: MethodScores): string {
  if (Number.isNaN(e.recall) || Number.isNaN(best.recall)) return '';
  const dr = best.recall - e.recall;
  const dp = Number.isNaN(best.precision) || Number.isNaN(e.precision) ? 0 : best.precision - e.precision;
  const found = Math.abs(dr) < SAME_SUPPORT ? 'about as many of the features that really fired as'
    : `${dr > 0 ? 'more' : 'fewer'} of the features that really fired than`;
  const wrong = Math.abs(dp) < SAME_SUPPORT ? 'about the same share of false ones' : `${dp > 0 ? 'fewer' : 'more'} false ones`;
  return `; ${best.method}'s non-zeros find ${found} the encoder's, with ${wrong} ` +
    `(recall ${fixed(best.recall, 3)} against ${fixed(e.recall, 3)}, precision ${fixed(best.precision, 3)} against ` +
    `${fixed(e.precision, 3)}; differences under ${SAME_SUPPORT} count as the same)`;
}

/**
 * At each L0: the encoder's FVU, the non-negative solvers' (codes the encoder could give), the share
 * of the encoder's FVU the best of them removes and its size in words, signed OMP's as a bound, and
 * how the best solver's support compares with the truth.
 */
export function amortisationFinding(results: readonly Amortisation[], quick: boolean): string {
  if (results.length === 0) throw new Error('amortisationFinding: no results (expected one per L0 compared)');
  const parts = results.map((r, i) => {
    const e = encoderOf(r);
    const best = bestSolver(r);
    const fair = r.methods.filter((m) => m.method !== 'encoder' && !SIGNED.includes(m.method));
    const share = gapShare(r);
    const removes = share > 0 ? `${best.method} removes ${pct(share, 0)} of it, a gap that is ${size(share)}` : 'there is no gap: no non-negative solver beats the encoder';
    const fewer = share > 0 && e.l0 < best.l0 - 0.02 * r.k
      ? ` (the encoder's codes hold ${fixed(e.l0, 2)} non-zeros a sample against ${best.method}'s ${fixed(best.l0, 2)}, ` +
        'so part of this gap is atoms the encoder leaves unused)' : '';
    const signed = r.methods.filter((m) => SIGNED.includes(m.method)).map((m) => `signed ${m.method}, whose codes no ReLU ` +
      `encoder can give, reaches ${fixed(m.fvu, 4)} (${m.fvu < e.fvu ? `${pct((e.fvu - m.fvu) / e.fvu, 0)} below` : 'not below'} the encoder)`);
    const head = `${i === 0 ? 'at' : 'At'} L0 ${r.k} the encoder's FVU is ${fixed(e.fvu, 4)}; on the same frozen decoder the ` +
      `non-negative lasso gives ${fair.map((m) => `${fixed(m.fvu, 4)} (${m.method})`).join(' and ')}`;
    return `${head}: ${removes}${fewer}${signed.length ? `; ${signed.join('; ')}` : ''}${supportClause(e, best)}`;
  });
  return finding(`${parts.join('. ')}.`, quick);
}
