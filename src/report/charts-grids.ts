/**
 * Sentences that read the charts of notebooks 04 and 07-11 that had none, each printed from the
 * numbers the chart draws: Part 4's three sparsity panels, Exercise 1's trade-off curve, and feature
 * grids (which tiles are live units' and which live tile is the most and the least local).
 */
import { isAre, pct } from './format';
import { median } from '../data/stats';

/** Part 4's three panels, read left to right, from the report they draw and the activations of the right one. */
export function sparsityPanelsLine(name: string, report: {
  threshold: number; inactiveBelow: number; latentDim: number; populationPerSample: ArrayLike<number>; inactiveUnits: readonly number[];
}, activations: ArrayLike<number>): string {
  const t = report.threshold;
  const perImage = median(Array.from(report.populationPerSample, (f) => f * report.latentDim));
  let below = 0;
  let zeros = 0;
  let largest = -Infinity;
  for (let i = 0; i < activations.length; i++) {
    const v = activations[i];
    if (v <= t) below++;
    if (v === 0) zeros++;
    if (v > largest) largest = v;
  }
  const zeroPart = zeros > 0 ? `, ${pct(zeros / activations.length)} exactly 0` : ', none exactly 0';
  return `${name}, left to right: the median image has ${perImage} of ${report.latentDim} units above ${t}; ` +
    `${report.inactiveUnits.length} unit${report.inactiveUnits.length === 1 ? '' : 's'} ${isAre(report.inactiveUnits.length)} active on fewer than ${pct(report.inactiveBelow, 0)} of the images ` +
    `(inactive: the middle panel's bar at 0); ${pct(below / activations.length)} of the ${activations.length} ` +
    `activations are at or below ${t}${zeroPart}, and the largest is ${largest.toFixed(3)}.`;
}

/** One model of a sweep as the trade-off chart draws it: x the active fraction, y the test MSE. */
interface ChartPoint { weight: number; mse: number; active: number }

/** Exercise 1's trade-off chart, read: each curve's leftmost (sparsest) and lowest (most accurate) point. */
export function tradeoffChartLine(curves: readonly { name: string; points: readonly ChartPoint[] }[]): string {
  const show = (p: ChartPoint) => `weight ${p.weight} (${pct(p.active)} active, MSE ${p.mse.toFixed(5)})`;
  return 'On the chart, ' + curves.map(({ name, points }) => {
    const left = points.reduce((a, b) => (b.active < a.active ? b : a));
    const low = points.reduce((a, b) => (b.mse < a.mse ? b : a));
    return left === low ? `${name}'s leftmost point is also its lowest: ${show(left)}`
      : `${name}'s leftmost (sparsest) point is ${show(left)}, its lowest (most accurate) ${show(low)}`;
  }).join('; ') + '.';
}

/** What a feature grid's tiles are: the units shown, the live ones among them, and each unit's stroke locality. */
export interface GridTiles { live: readonly number[]; massPixels: ArrayLike<number> }

/** The most and the least local of `units` (fewest, most pixels holding 80% of the change). */
function extremes(units: readonly number[], massPixels: ArrayLike<number>): [number, number] {
  const byPixels = units.slice().sort((a, b) => massPixels[a] - massPixels[b]);
  return [byPixels[0], byPixels[byPixels.length - 1]];
}

/** A feature grid, read: how many of the units shown are live, and the most and least local live tile. */
export function gridLocalityLine(units: readonly number[], q: GridTiles): string {
  const live = units.filter((j) => q.live.includes(j));
  const head = `${live.length} of the ${units.length} features shown belong to live units (active on at least 1% of the test images)`;
  if (live.length === 0) return `${head}; every tile is an inactive unit's.`;
  const [most, least] = extremes(live, q.massPixels);
  if (live.length === 1) return `${head}: unit ${most}, 80% of its change in ${q.massPixels[most]} pixels.`;
  return `${head}; among them the most local is unit ${most} (80% of its change in ${q.massPixels[most]} pixels), ` +
    `the least local unit ${least} (${q.massPixels[least]} pixels).`;
}

/** A grid with one row per model (`label`), the same `units` in each: live tiles per row, and the most local live tile of all. */
export function gridRowsLine(name: string, units: readonly number[], rows: readonly ({ label: string } & GridTiles)[]): string {
  const counts = rows.map((r) => `${r.label} ${units.filter((j) => r.live.includes(j)).length}`).join(', ');
  const tiles = rows.flatMap((r) => units.filter((j) => r.live.includes(j)).map((j) => ({ label: r.label, j, px: r.massPixels[j] })));
  const best = tiles.reduce<(typeof tiles)[number] | null>((a, b) => (a === null || b.px < a.px ? b : a), null);
  const tail = best === null ? '; no row has a live tile'
    : `; the most local live tile is ${best.label}'s unit ${best.j} (80% of its change in ${best.px} pixels)`;
  const rest = tiles.length === units.length * rows.length ? 'every tile is a live unit\'s' : 'every other tile is an inactive unit\'s';
  return `${name}'s grid, live units among the ${units.length} shown, row by row: ${counts}${tail}; ${rest}.`;
}
