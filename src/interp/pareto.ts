/**
 * Comparing sparse coders at matched sparsity (notebook 14): each method's sweep gives points
 * (L0, FVU); reading every curve at the same L0 values says which method reconstructs best at
 * each sparsity. Works on plain numbers, so any model's points fit.
 */

/** One trained model: mean active latents per input, and its fraction of variance unexplained. */
export interface SparsityPoint {
  l0: number;
  fvu: number;
}

/**
 * The FVU of a curve at `l0`, by linear interpolation in log L0 between the two neighbouring
 * points (log because the sweeps space L0 geometrically). NaN outside the range of the points'
 * L0, where the curve says nothing. Points with L0 = 0 (a model that never fires) have no log
 * and are left out; at an L0 that several points share, the first one's FVU is returned.
 */
export function fvuAtL0(points: SparsityPoint[], l0: number): number {
  if (!(l0 > 0 && Number.isFinite(l0))) throw new Error(`fvuAtL0: l0 = ${l0} is invalid: expected a finite number > 0`);
  points.forEach((p, i) => {
    if (!(p.l0 >= 0 && Number.isFinite(p.l0) && Number.isFinite(p.fvu))) {
      throw new Error(`fvuAtL0: points[${i}] = (l0 ${p.l0}, fvu ${p.fvu}) is invalid: expected l0 >= 0 and a finite fvu`);
    }
  });
  const s = points.filter((p) => p.l0 > 0).sort((a, b) => a.l0 - b.l0);
  if (s.length === 0 || l0 < s[0].l0 || l0 > s[s.length - 1].l0) return NaN;
  const i = s.findIndex((p) => p.l0 >= l0);
  if (s[i].l0 === l0) return s[i].fvu;
  // Here s[i - 1].l0 < l0 < s[i].l0, so the denominator is not 0.
  const t = (Math.log(l0) - Math.log(s[i - 1].l0)) / (Math.log(s[i].l0) - Math.log(s[i - 1].l0));
  return s[i - 1].fvu + t * (s[i].fvu - s[i - 1].fvu);
}

/** Every method's FVU at one L0, and the method with the lowest. */
export interface MatchedL0 {
  l0: number;
  /** method -> interpolated FVU (NaN where that method's curve does not reach this L0) */
  fvu: Record<string, number>;
  /** the method with the lowest FVU, or null when fewer than two methods reach this L0 */
  best: string | null;
}

/** Reads each method's curve (method -> its points) at each of `l0s`. */
export function compareAtL0(curves: Record<string, SparsityPoint[]>, l0s: number[]): MatchedL0[] {
  return l0s.map((l0) => {
    const fvu: Record<string, number> = {};
    for (const [method, points] of Object.entries(curves)) fvu[method] = fvuAtL0(points, l0);
    const scored = Object.entries(fvu).filter(([, v]) => Number.isFinite(v));
    const best = scored.length >= 2 ? scored.reduce((a, b) => (b[1] < a[1] ? b : a))[0] : null;
    return { l0, fvu, best };
  });
}

/** One setting of a sweep and what it measured. */
export interface SweepResult<S, P extends SparsityPoint = SparsityPoint> {
  setting: S;
  point: P;
}

export interface CoverOptions<S> {
  /** the curve should reach down to this L0 ... */
  lowest: number;
  /** ... and up to this one */
  highest: number;
  /** the next setting past the sparsest one (a larger lambda, a smaller rho, a smaller k) */
  sparser: (setting: S) => S;
  /** the next setting past the densest one */
  denser: (setting: S) => S;
  /** at most this many settings added at each end */
  extraPerEnd: number;
  /**
   * Call `measure` for several settings at once (all starting settings, then the two ends side by
   * side): for a measure that trains in a DictSaePool, which runs them in parallel. Default false:
   * one at a time, in the order of the results.
   */
  concurrent?: boolean;
}

/**
 * Measures every setting of a sweep, then extends the sweep where its curve stops short of
 * [lowest, highest] in L0, so that matched-L0 comparisons have points on both sides: while the
 * smallest L0 measured is above `lowest`, the setting that gave it is made sparser and measured
 * (at most extraPerEnd times); likewise at the dense end. An end stops early when a new setting
 * does not move L0 further that way (the knob has stopped working there).
 *
 * Each end extends from the starting settings and its own additions. With `concurrent`, measure
 * is called for all starting settings at once, then for the two ends side by side (a measure that
 * trains in a DictSaePool then trains them in parallel). Either way the results come in one order:
 * the starting settings as given, then the sparse end's additions, then the dense end's.
 */
export async function sweepToCover<S, P extends SparsityPoint>(settings: S[], measure: (setting: S) => Promise<P>,
  options: CoverOptions<S>): Promise<SweepResult<S, P>[]> {
  const { lowest, highest, sparser, denser, extraPerEnd } = options;
  if (!(lowest > 0 && highest >= lowest)) throw new Error(`sweepToCover: expected 0 < lowest <= highest, got ${lowest} and ${highest}`);
  if (!(Number.isInteger(extraPerEnd) && extraPerEnd >= 0)) throw new Error(`sweepToCover: extraPerEnd = ${extraPerEnd} is invalid: expected an integer >= 0`);
  if (settings.length === 0) throw new Error('sweepToCover: no settings to start from');
  const measured = async (setting: S) => ({ setting, point: await measure(setting) });
  const start: SweepResult<S, P>[] = [];
  if (options.concurrent) start.push(...await Promise.all(settings.map(measured)));
  else for (const setting of settings) start.push(await measured(setting));
  const extend = async (sparse: boolean) => {
    const added: SweepResult<S, P>[] = [];
    while (added.length < extraPerEnd) {
      const end = [...start, ...added].reduce((a, b) => ((sparse ? b.point.l0 < a.point.l0 : b.point.l0 > a.point.l0) ? b : a));
      if (sparse ? end.point.l0 <= lowest : end.point.l0 >= highest) break;
      const setting = (sparse ? sparser : denser)(end.setting);
      const point = await measure(setting);
      added.push({ setting, point });
      if (!(sparse ? point.l0 < end.point.l0 : point.l0 > end.point.l0)) break;
    }
    return added;
  };
  const [sparseEnd, denseEnd] = options.concurrent ? await Promise.all([extend(true), extend(false)])
    : [await extend(true), await extend(false)];
  return [...start, ...sparseEnd, ...denseEnd];
}

/**
 * Why a curve has no FVU at `l0`, for a table cell: "not reached (the sweep's smallest L0 is 30.3)"
 * (or largest); null where fvuAtL0 gives a number.
 */
export function notReached(points: SparsityPoint[], l0: number): string | null {
  if (Number.isFinite(fvuAtL0(points, l0))) return null;
  const fired = points.filter((p) => p.l0 > 0).map((p) => p.l0);
  if (fired.length === 0) return 'not reached (no model of the sweep fires)';
  const [low, high] = [Math.min(...fired), Math.max(...fired)];
  return l0 < low ? `not reached (the sweep's smallest L0 is ${Number(low.toPrecision(3))})`
    : `not reached (the sweep's largest L0 is ${Number(high.toPrecision(3))})`;
}
