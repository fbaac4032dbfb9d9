/** Small statistics on plain arrays, shared by the notebooks and the analysis code. */

/**
 * The middle value of `values` (the mean of the two middle values when there is an even number
 * of them). The input is not reordered.
 */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error('median of an empty array: expected at least one value');
  const sorted = Float64Array.from(values);
  const bad = sorted.findIndex((v) => Number.isNaN(v));
  if (bad >= 0) throw new Error(`median: values[${bad}] is NaN; expected numbers`);
  sorted.sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
