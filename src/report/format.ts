/**
 * How the notebooks print numbers in their sentences and tables: one formatter per kind of number,
 * for the whole course (a notebook defines none of its own), and the prefix of every Finding line.
 */

/** A fraction as a percentage: `pct(0.1234)` is `'12.3%'`, `pct(0.5, 0)` is `'50%'`. */
export function pct(fraction: number, digits = 1): string {
  return `${(100 * fraction).toFixed(digits)}%`;
}

/** A number rounded for a table cell: `fixed(0.123456, 4)` is `0.1235` (a number, so tables align it). */
export function fixed(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** Names as prose: `'a'`, `'a and b'`, `'a, b and c'`. */
export function listing(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** `'is'` for one, `'are'` for any other count. */
export function isAre(count: number): 'is' | 'are' {
  return count === 1 ? 'is' : 'are';
}

/** The line for a verdict: "Finding: ..." (in quick mode, marked as too short to tell). */
export function finding(verdict: string, quick: boolean): string {
  return quick
    ? `Finding (quick mode: too few epochs to tell what the lesson's run shows; in this run): ${verdict}`
    : `Finding: ${verdict}`;
}
