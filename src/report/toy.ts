/**
 * The sentences of notebook 15 (the toy model of superposition), each read from the numbers its
 * chart draws: which features each instance keeps, how its W^T W and its kept features' norms and
 * interference look, the 2-dimensional geometry (orthogonal pair, antipodal pairs, pentagon), and
 * the dimensions per feature. Instances are given densest first (featureProbabilities' order).
 */
import type { Matrix } from '../data/matrix';
import type { SuperpositionSummary } from '../toy/analysis';
import { REPRESENTED_NORM } from '../toy/analysis';
import { fixed, pct } from './format';

/** Interference below this: a kept feature has a dimension to itself (an antipodal partner gives 1, a pentagon 1.5). */
export const OWN_DIMENSION = 0.1;
/**
 * The shares of a dimension the paper finds features settle on: alone (1), in a tetrahedron (3/4),
 * a triangle (2/3), an antipodal pair (1/2), a pentagon (2/5), a square antiprism (3/8).
 */
export const FRACTIONS: readonly [string, number][] = [['1', 1], ['3/4', 3 / 4], ['2/3', 2 / 3], ['1/2', 1 / 2], ['2/5', 2 / 5], ['3/8', 3 / 8]];
/** A D_i within this of a fraction sits on it (2/5 and 3/8 are 0.025 apart). */
export const FRACTION_TOLERANCE = 0.01;
/** Angles within this many degrees of a shape's count as that shape. */
export const ANGLE_TOLERANCE = 12;

/** How the notebook writes a feature probability: 'p 0.57' (two significant digits). */
export function probabilityLabel(p: number): string {
  return `p ${Number(p.toPrecision(2))}`;
}

/** 'p 0.57 (S 43%)', and 'p 0.57, S 43%' inside brackets */
const at = (s: { featureProbability: number }) => `${probabilityLabel(s.featureProbability)} (S ${pct(1 - s.featureProbability, 0)})`;
const inner = (s: { featureProbability: number }) => `${probabilityLabel(s.featureProbability)}, S ${pct(1 - s.featureProbability, 0)}`;
const range = (values: number[], digits: number, unit = '') => {
  const [lo, hi] = [Math.min(...values).toFixed(digits), Math.max(...values).toFixed(digits)];
  return lo === hi ? `${lo}${unit}` : `${lo}${unit}-${hi}${unit}`;
};

/** "Finding: ..."; in quick mode marked as a short run. */
export function toyFinding(verdict: string, run: { quick: boolean; steps: number }): string {
  return run.quick ? `Finding (quick mode: a short run of ${run.steps} steps; in this run): ${verdict}` : `Finding: ${verdict}`;
}

/** What one batched run was: instances, sizes, steps, time. */
export function toyRunLine(config: { instances: number; inputDim: number; hiddenDim: number; steps: number; batchSize: number },
  seconds: number): string {
  const { instances, inputDim: n, hiddenDim: m, steps, batchSize } = config;
  return `${instances} instances of ${n} features in ${m} hidden dimensions, trained at once as one batched graph: ` +
    `${steps} Adam steps of ${batchSize} fresh samples each, in ${seconds.toFixed(1)} s.`;
}

/** Kept features with interference below OWN_DIMENSION. */
const ownDimension = (s: SuperpositionSummary) =>
  Array.from(s.norms).filter((v, i) => v > REPRESENTED_NORM && s.interference[i] < OWN_DIMENSION).length;

/** One row per instance, for console.table. */
export function sweepTable(summaries: readonly SuperpositionSummary[]): Record<string, number | string>[] {
  return summaries.map((s) => ({
    p: fixed(s.featureProbability, 3), 'sparsity S': pct(1 - s.featureProbability, 0), kept: s.represented,
    'kept, own dimension': ownDimension(s), 'D*': fixed(s.dimensionsPerFeature, 3),
  }));
}

/** How many features each instance keeps, and where the count first exceeds m. */
export function keptCountsLine(summaries: readonly SuperpositionSummary[], m: number): string {
  const counts = summaries.map((s) => `${probabilityLabel(s.featureProbability)}: ${s.represented}`).join(', ');
  const head = `Features kept (norm above ${REPRESENTED_NORM}), densest to sparsest: ${counts}; `;
  const first = summaries.findIndex((s) => s.represented > m);
  if (first < 0) return head + `no instance keeps more than m = ${m}.`;
  if (first === 0) return head + `even the densest instance keeps more than m = ${m}.`;
  const back = summaries.slice(first).filter((s) => s.represented <= m);
  return head + `the count first exceeds m = ${m} at ${at(summaries[first])}` +
    (back.length ? `, and falls back to m or fewer at ${back.map((s) => probabilityLabel(s.featureProbability)).join(', ')}.`
      : ', and stays above m at every sparser p.');
}

/** The kept directions of a W [2, n] in the plane, sorted by angle, and the shape they make. */
export interface PlaneGeometry {
  /** the kept features (norm above REPRESENTED_NORM), in order of angle */
  kept: number[];
  /** degrees from each kept direction to the next, around the circle (sums to 360; empty when fewer than 2) */
  gaps: number[];
  /** 'pentagon', 'square (two antipodal pairs)', 'orthogonal pair', 'antipodal pair', 'antipodal pairs', ... */
  shape: string;
}

const POLYGONS: Record<number, string> = { 3: 'triangle', 4: 'square (two antipodal pairs)', 5: 'pentagon' };

/** The shape of the kept directions of a W [2, n] (column i: feature i's direction). */
export function planeGeometry(w: Matrix): PlaneGeometry {
  if (w.rows !== 2) throw new Error(`planeGeometry: W has ${w.rows} rows; the plane needs 2`);
  const n = w.cols;
  const angle = (i: number) => ((Math.atan2(w.data[n + i], w.data[i]) * 180) / Math.PI + 360) % 360;
  const kept = Array.from({ length: n }, (_, i) => i).filter((i) => Math.hypot(w.data[i], w.data[n + i]) > REPRESENTED_NORM)
    .sort((a, b) => angle(a) - angle(b));
  const gaps = kept.length < 2 ? [] : kept.map((i, k) => (angle(kept[(k + 1) % kept.length]) - angle(i) + 360) % 360 || 360);
  const near = (v: number, target: number) => Math.abs(v - target) <= ANGLE_TOLERANCE;
  // the signed difference of two angles, in [-180, 180): near +-180 for opposite directions
  const opposite = (i: number, j: number) => near(Math.abs(((angle(i) - angle(j) + 540) % 360) - 180), 180);
  let shape = kept.length === 0 ? 'no feature kept' : 'one direction';
  if (kept.length === 2) {
    const a = Math.min(...gaps);
    shape = near(a, 90) ? 'orthogonal pair' : near(a, 180) ? 'antipodal pair' : `two directions ${a.toFixed(0)}° apart`;
  } else if (kept.length >= 3) {
    const pairs = kept.flatMap((i, k) => kept.slice(k + 1).filter((j) => opposite(i, j))).length;
    const paired = kept.filter((i) => kept.some((j) => j !== i && opposite(i, j))).length;
    if (gaps.every((g) => near(g, 360 / kept.length))) shape = POLYGONS[kept.length] ?? `regular ${kept.length}-gon`;
    else if (pairs > 0) shape = `${pairs} antipodal pair${pairs > 1 ? 's' : ''}` + (paired < kept.length ? ` and ${kept.length - paired} unpaired` : '');
    else shape = 'irregular';
  }
  return { kept, gaps, shape };
}

/** One line per instance of the direction plots: what it keeps and the shape. */
export function geometryLines(summaries: readonly SuperpositionSummary[], weights: readonly Matrix[]): string[] {
  return summaries.map((s, k) => {
    const g = planeGeometry(weights[k]);
    const n = weights[k].cols;
    const dropped = n - g.kept.length;
    const spread = g.kept.length >= 3 ? `, neighbouring directions ${range(g.gaps, 0, '°')} apart` : '';
    return `${at(s)}: ${g.kept.length} of ${n} kept${dropped ? ` (${dropped} dropped)` : ''}${spread}: ${g.shape}.`;
  });
}

/** The sparsest instance's geometry: does it store all n features as a regular n-gon (a pentagon for n = 5)? */
export function polygonFinding(summaries: readonly SuperpositionSummary[], weights: readonly Matrix[],
  run: { quick: boolean; steps: number }): string {
  const k = summaries.length - 1;
  const s = summaries[k];
  const g = planeGeometry(weights[k]);
  const n = weights[k].cols;
  const regular = g.kept.length === n && g.gaps.every((v) => Math.abs(v - 360 / n) <= ANGLE_TOLERANCE);
  const name = POLYGONS[n] ?? `regular ${n}-gon`;
  if (!regular) {
    const spread = g.gaps.length ? `, neighbouring directions ${range(g.gaps, 0, '°')} apart` : '';
    return toyFinding(`the sparsest instance (${inner(s)}) does not form a ${name}: it keeps ${g.kept.length} of ${n} features` +
      `${spread} (${g.shape}).`, run);
  }
  const same = summaries.filter((x, j) => planeGeometry(weights[j]).shape === name).map((x) => probabilityLabel(x.featureProbability));
  return toyFinding(`the sparsest instance (${inner(s)}) stores all ${n} features in 2 dimensions as a ${name}: neighbouring ` +
    `directions ${range(g.gaps, 0, '°')} apart (${(360 / n).toFixed(0)}° in a regular one), norms ${range(Array.from(s.norms), 2)}, ` +
    `each feature's D_i ${range(Array.from(s.dimensionality), 2)} (a regular ${name} gives each 2/${n} of a dimension); ` +
    `the instances that form one: ${same.join(', ')}.`, run);
}

/** The W^T W heatmaps: how many pairs of features overlap (|W_i . W_j| above OWN_DIMENSION) at each p. */
export function gramLine(grams: readonly Matrix[], summaries: readonly SuperpositionSummary[]): string {
  const overlaps = grams.map((g) => {
    let count = 0;
    let largest = 0;
    for (let i = 0; i < g.cols; i++) {
      for (let j = i + 1; j < g.cols; j++) {
        const v = Math.abs(g.data[i * g.cols + j]);
        largest = Math.max(largest, v);
        if (v > OWN_DIMENSION) count++;
      }
    }
    return { count, largest };
  });
  const pairs = (grams[0].cols * (grams[0].cols - 1)) / 2;
  const list = overlaps.map((o, k) => `${probabilityLabel(summaries[k].featureProbability)}: ${o.count}`).join(', ');
  const first = overlaps.findIndex((o) => o.count > 0);
  const last = overlaps.length - 1;
  const head = `Pairs of features whose directions overlap (|W_i . W_j| above ${OWN_DIMENSION}, off the diagonal), of ${pairs}: ${list}. `;
  if (first < 0) return head + `Every W^T W is diagonal to within ${OWN_DIMENSION}: no feature shares a direction.`;
  const start = first === 0 ? `The densest instance already has ${overlaps[0].count} (largest ${overlaps[0].largest.toFixed(2)})`
    : `At ${at(summaries[0])} W^T W is diagonal to within ${OWN_DIMENSION} (largest off-diagonal ${overlaps[0].largest.toFixed(2)}); ` +
      `overlaps first appear at ${probabilityLabel(summaries[first].featureProbability)} (${overlaps[first].count})`;
  return head + `${start}, and the sparsest instance has ${overlaps[last].count} (largest ${overlaps[last].largest.toFixed(2)}).`;
}

/** The norm and interference bars: kept features with a dimension of their own or sharing, and whether importance decides what is kept. */
export function normsLines(summaries: readonly SuperpositionSummary[]): string[] {
  const list = summaries.map((s) => `${probabilityLabel(s.featureProbability)}: ${ownDimension(s)} / ${s.represented - ownDimension(s)}`);
  const prefix = summaries.map((s) => Array.from(s.norms).every((v, i) => (v > REPRESENTED_NORM) === (i < s.represented)));
  const exceptions = summaries.filter((_, k) => !prefix[k]).map((s) => {
    const kept = Array.from(s.norms, (v, i) => (v > REPRESENTED_NORM ? i : -1)).filter((i) => i >= 0);
    const skipped = Array.from({ length: s.represented }, (_, i) => i).filter((i) => !kept.includes(i));
    return `${probabilityLabel(s.featureProbability)} (it keeps feature ${kept.filter((i) => i >= s.represented).join(', ')} ` +
      `and drops ${skipped.join(', ')})`;
  });
  const count = prefix.filter(Boolean).length;
  return [
    `Kept features with a dimension of their own (interference below ${OWN_DIMENSION}) / sharing one: ${list.join(', ')}.`,
    `Importance decides what is dropped at ${count} of ${summaries.length} sparsities: the kept features are the most ` +
      `important ones (features 0, 1, ... in order)${exceptions.length ? `; not so at ${exceptions.join(' or at ')}` : ''}.`,
  ];
}

/** The D* chart: how D* moves with sparsity, and where the kept features' D_i settle. */
export function dimensionsLines(summaries: readonly SuperpositionSummary[], m: number, n: number): string[] {
  const d = summaries.map((s) => s.dimensionsPerFeature);
  const rises = summaries.slice(1).filter((s, k) => d[k + 1] > d[k] + 0.02).map((s) => probabilityLabel(s.featureProbability));
  const [first, last] = [summaries[0], summaries[summaries.length - 1]];
  const trend = `D* goes from ${d[0].toFixed(2)} at ${at(first)} to ${d[d.length - 1].toFixed(2)} at ${at(last)}, ` +
    (rises.length ? `rising by more than 0.02 at ${rises.join(', ')}` : 'never rising by more than 0.02 from one p to the next');
  const below = Math.min(...d) < m / n ? `; below m/n = ${(m / n).toFixed(2)}, ||W||_F^2 = m / D* is more than n: ` +
    'the squared norms average above 1' : '';
  const kept = summaries.flatMap((s) => Array.from(s.dimensionality).filter((_, i) => s.norms[i] > REPRESENTED_NORM));
  const on = (x: number, v: number) => Math.abs(x - v) <= FRACTION_TOLERANCE;
  const counts = FRACTIONS.map(([name, v]) => `${kept.filter((x) => on(x, v)).length} on ${name}`);
  const elsewhere = kept.filter((x) => FRACTIONS.every(([, v]) => !on(x, v))).length;
  return [`${trend}${below}.`,
    `Of the ${kept.length} kept features over the sweep (the dots), D_i sits within ${FRACTION_TOLERANCE} of a fraction the ` +
    `paper finds stable for ${kept.length - elsewhere}: ${counts.join(', ')}; ${elsewhere} lie between them.`];
}

/** The notebook's main verdict: dense features get dimensions of their own, sparse ones share. */
export function superpositionFinding(summaries: readonly SuperpositionSummary[], m: number, n: number,
  run: { quick: boolean; steps: number }): string {
  const [dense, sparse] = [summaries[0], summaries[summaries.length - 1]];
  const most = Math.max(...summaries.map((s) => s.represented));
  const end = `the sparsest (${inner(sparse)}) keeps ${sparse.represented} of ${n} in ${m} dimensions (D* ${sparse.dimensionsPerFeature.toFixed(2)})`;
  if (most <= m) return toyFinding(`no instance keeps more than m = ${m} features, so none is in superposition by this count; ${end}.`, run);
  const first = summaries.findIndex((s) => s.represented > m);
  const denseOwn = ownDimension(dense) === dense.represented && dense.represented <= m;
  const start = denseOwn
    ? `the densest instance (${inner(dense)}) keeps ${dense.represented} features, each with a dimension of its own (D* ${dense.dimensionsPerFeature.toFixed(2)})`
    : `the densest instance (${inner(dense)}) keeps ${dense.represented} features, ${ownDimension(dense) ? `only ${ownDimension(dense)}` : 'none'} of them with a dimension of their own`;
  const cross = first > 0 ? `; the count first exceeds m = ${m} at ${at(summaries[first])}` : '';
  const sharing = (s: SuperpositionSummary) => s.represented - ownDimension(s);
  const verdict = denseOwn && first > 0 ? 'as sparsity rises the model moves into superposition'
    : sharing(sparse) > sharing(dense) ? 'more features share dimensions as sparsity rises, though even the densest instance shares some'
      : 'the sparsest instance shares dimensions no more than the densest';
  return toyFinding(`${verdict}: ${start}${cross}, and ${end}.`, run);
}
