/**
 * The answers to the lesson's open questions about units and codes (notebooks 10-12), as
 * findings.ts words them: one "Finding:" line each, decided from this run's numbers.
 */
import { finding } from './findings';
import { isAre, pct } from './format';

/** One unit's selectivity: its contrast index, its entropy index and the digit it prefers. */
export interface UnitContrast { unit: number; index: number; entropyIndex: number; preferred: number }

/** How strong a correlation is, by its size: strong from 0.7, moderate from 0.3, weak below (the rule each finding states). */
export function strength(r: number): 'strong' | 'moderate' | 'weak' {
  return Math.abs(r) >= 0.7 ? 'strong' : Math.abs(r) >= 0.3 ? 'moderate' : 'weak';
}

/** How many of the `n` largest of `a` are among the `n` largest of `b` (two scores per item). */
export function topOverlap(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  const top = (v: ArrayLike<number>) => Array.from(v, (x, i) => [x, i]).sort((p, q) => q[0] - p[0]).slice(0, n).map(([, i]) => i);
  const inB = new Set(top(b));
  return top(a).filter((i) => inB.has(i)).length;
}

/** The two indices' agreement, concluded: how strongly they correlate and whether they name the same most selective units. */
function indicesAgreePhrase(units: readonly UnitContrast[], correlation: number, n: number): string {
  const same = topOverlap(units.map((u) => u.index), units.map((u) => u.entropyIndex), n);
  const verdict = same >= 0.75 * n ? 'so the choice of index barely changes which units count as the most selective'
    : same >= 0.25 * n ? 'so the choice of index changes some of the units named as the most selective'
      : 'so the two indices name different units as the most selective';
  return `The contrast and entropy indices agree ${strength(correlation) === 'weak' ? 'weakly' : strength(correlation) === 'moderate' ? 'moderately' : 'strongly'} ` +
    `(correlation ${correlation.toFixed(2)} over all ${units.length} units; strong from 0.7, weak below 0.3), ` +
    `and ${same} of the ${n} units most selective by contrast are among the ${n} most selective by entropy: ${verdict}.`;
}

/** Exercise 4: how many units are highly selective, which are the most, which digits they serve, and whether the indices agree. */
export function selectiveUnitsFinding(units: readonly UnitContrast[], correlation: number, quick: boolean, above = 0.5, n = 8): string {
  const ranked = units.slice().sort((a, b) => b.index - a.index);
  const strong = ranked.filter((u) => u.index > above);
  const perDigit = Array.from({ length: 10 }, (_, c) => strong.filter((u) => u.preferred === c).length);
  const most = Math.max(...perDigit);
  const busiest = perDigit.map((k, c) => [k, c]).filter(([k]) => k === most && k > 0).map(([, c]) => c);
  const unserved = perDigit.map((k, c) => [k, c]).filter(([k]) => k === 0).map(([, c]) => c);
  const top = ranked.slice(0, 3).map((u) => `unit ${u.unit} (digit ${u.preferred}, ${u.index.toFixed(2)})`).join(', ');
  const spread = strong.length === 0 ? ''
    : `; among them digit ${busiest.join(' and ')} ${busiest.length > 1 ? 'have' : 'has'} the most (${most})` +
      (unserved.length ? `, and no highly selective unit prefers digit ${unserved.join(', ')}` : ', and every digit has at least one');
  return finding(`${strong.length} of ${units.length} units are highly selective (contrast above ${above}); ` +
    `the most selective are ${top}${spread}. ${indicesAgreePhrase(units, correlation, Math.min(n, units.length))}`, quick);
}

/** Exercise 5, question 1: units needed for 90% of the full code's quality against the active ones, and the empty code's start. */
export function unitsNeededFinding(curve: readonly { k: number; mse: number }[], k90: number, active: number, width: number,
  meanMse: number, quick: boolean): string {
  const relation = k90 > active * 1.1 ? 'more than' : k90 < active * 0.9 ? 'fewer than' : 'about as many as';
  const [emptyMse, fullMse] = [curve[0].mse, curve[curve.length - 1].mse];
  // the same 90%, counted from the mean image's error instead of the empty code's
  const fromMean = curve.find((p) => p.k > 0 && meanMse - p.mse >= 0.9 * (meanMse - fullMse));
  const other = fromMean === undefined ? 'no k reaches it (the full code is no better than the mean image)' : `it takes k = ${fromMean.k}`;
  return finding(`${k90} of ${width} units per image (each image's largest) give 90% of the full code's quality, ` +
    `${relation} the ${active.toFixed(1)} above the activity threshold 0.1 per image. Quality counts from the empty ` +
    `code, whose MSE ${emptyMse.toFixed(4)} is ${(emptyMse / meanMse).toFixed(1)} times the mean image's ${meanMse.toFixed(4)}; ` +
    `counted from the mean image's error instead, ${other}.`, quick);
}

/**
 * Exercise 5, question 2: the most important units, and whether they are the busiest, concluded twice:
 * over all units (the rank correlation's strength) and among the top (the overlap of the two top lists).
 */
export function importanceFinding(top: readonly number[], importance: ArrayLike<number>, lifetime: ArrayLike<number>,
  spearman: number, quick: boolean): string {
  const [u, ...rest] = top;
  const s = strength(spearman);
  const all = spearman <= -0.3 ? 'the less often a unit fires, the more it tends to matter'
    : s === 'strong' ? 'the more often a unit fires, the more it tends to matter'
      : s === 'moderate' ? 'units that fire more often tend to matter more, with many exceptions'
        : 'how often a unit fires says little about how much it matters';
  const n = top.length;
  // the units in `top` (the grid's) among the n that fire most often
  const busiest = new Set(Array.from(lifetime, (v, j) => [v, j]).sort((a, b) => b[0] - a[0]).slice(0, n).map(([, j]) => j));
  const same = top.filter((j) => busiest.has(j)).length;
  const atTop = same >= 0.75 * n ? 'the most important units are mostly the busiest ones'
    : same >= 0.25 * n ? 'only some of the most important units are among the busiest'
      : 'the most important units are mostly not the busiest ones';
  return finding(`unit ${u} is the most important (removing it raises the MSE by ${importance[u].toExponential(2)}; ` +
    `it is active on ${pct(lifetime[u])} of images), then units ${rest.slice(0, 4).join(', ')}. Over all units, ${all} ` +
    `(rank correlation ${spearman.toFixed(2)} between importance and how often a unit fires, a ${s} one: strong from 0.7, ` +
    `weak below 0.3). At the top, ${same} of the ${n} most important units are among the ${n} that fire most often, ` +
    `so ${atTop}.`, quick);
}

/** The challenge, question 1: the atom sets by locality (median pixels holding 80% of an atom's mass). */
export function atomLocalityFinding(sets: readonly { atoms: string; pixels: number }[], quick: boolean): string {
  const ranked = sets.slice().sort((a, b) => a.pixels - b.pixels);
  return finding(`from most to least local: ${ranked.map((s) => `${s.atoms} (${s.pixels} pixels)`).join(', ')}.`, quick);
}

/** The standard error, in accuracy (0-1), of one accuracy `p` on `n` test images. */
export function accuracyError(p: number, n: number): number {
  return Math.sqrt((p * (1 - p)) / n);
}

/** How `a` compares with `b` (accuracies 0-1) on `n` test images: beyond two standard errors, or not. */
export function accuracyGap(a: number, b: number, n: number): string {
  const se = Math.sqrt(accuracyError(a, n) ** 2 + accuracyError(b, n) ** 2);
  return a - b > 2 * se ? 'more than two standard errors above' : b - a > 2 * se ? 'more than two standard errors below'
    : 'within two standard errors of';
}

/** The challenge, question 2: the best code as classifier features against the raw pixels (`results[0]`). */
export function classifierFinding(results: readonly { representation: string; 'test accuracy': number }[], testCount: number,
  quick: boolean): string {
  const raw = results[0];
  const best = results.slice(1).reduce((a, b) => (b['test accuracy'] > a['test accuracy'] ? b : a));
  const [pb, pr] = [best['test accuracy'], raw['test accuracy']];
  return finding(`the most useful code for a linear classifier is ${best.representation} at ${pct(pb, 2)}, ` +
    `${accuracyGap(pb, pr, testCount)} the raw pixels' ${pct(pr, 2)} on ${testCount} test images.`, quick);
}

/** The challenge, question 3: the learned atoms and codes against PCA's, on locality and as classifier features. */
export function pcaFinding(sets: readonly { atoms: string; pixels: number }[], results: readonly { representation: string; 'test accuracy': number }[],
  testCount: number, quick: boolean): string {
  const pca = sets.find((s) => s.atoms.startsWith('PCA'))!;
  // clearly more local: at least 5% fewer pixels (the course's "no clear difference" margin)
  const more = sets.filter((s) => s !== pca && s.pixels < 0.95 * pca.pixels).map((s) => `${s.atoms} (${s.pixels})`);
  const learnedSets = sets.length - 1;
  const local = more.length === 0 ? `none of the ${learnedSets} learned atom sets is clearly more local than PCA's components (${pca.pixels} pixels)`
    : `${more.length} of the ${learnedSets} learned atom sets ${isAre(more.length)} clearly (5% or more) more local than PCA's components ` +
      `(${pca.pixels} pixels): ${more.join(', ')}`;
  const pcaAcc = results.find((r) => r.representation.startsWith('PCA'))!['test accuracy'];
  const codes = results.slice(1).filter((r) => !r.representation.startsWith('PCA'))
    .map((r) => `${r.representation} ${pct(r['test accuracy'], 2)}, ${accuracyGap(r['test accuracy'], pcaAcc, testCount)} it`);
  return finding(`on locality, ${local}. As classifier inputs, against PCA's ${pct(pcaAcc, 2)}: ${codes.join('; ')}.`, quick);
}
