/**
 * Sentences that read the charts of notebooks 10-13, each printed from the numbers the chart draws:
 * the class-mean heatmap, the most and least selective units' profiles, reconstructions from the k
 * largest codes, signed atom grids and top-activating images.
 */
import { pct } from './format';
import { median } from '../data/stats';

/** The heatmap of class means [classes, width]: its brightest cell and which class most units prefer. */
export function heatmapLine(means: ArrayLike<number>, width: number, classes: readonly string[]): string {
  let best = 0;
  for (let i = 1; i < means.length; i++) if (means[i] > means[best]) best = i;
  const prefer = new Array(classes.length).fill(0);
  for (let j = 0; j < width; j++) {
    let c = 0;
    for (let k = 1; k < classes.length; k++) if (means[k * width + j] > means[c * width + j]) c = k;
    prefer[c]++;
  }
  const top = prefer.indexOf(Math.max(...prefer));
  const none = classes.filter((_, c) => prefer[c] === 0);
  const head = `The brightest cell is unit ${best % width} on ${classes[Math.floor(best / width)]} ` +
    `(mean activation ${means[best].toFixed(3)}); `;
  if (prefer[top] === width) return head + `all ${width} units respond most to ${classes[top]}.`;
  return head + `${prefer[top]} of the ${width} units respond most to ${classes[top]}` +
    (none.length ? `, and no unit responds most to ${none.join(', ')}.` : ', and every class is the favourite of some unit.');
}

/** A group of units with class profiles: their contrast range, preferred classes, and how far each profile is from flat. */
export function selectiveGroupLine(name: string, group: readonly { unit: number; preferred: number; index: number; profile: ArrayLike<number> }[]): string {
  const idx = group.map((u) => u.index);
  const ratio = group.map((u) => {
    const p = Array.from(u.profile);
    const top = Math.max(...p);
    const rest = (p.reduce((a, b) => a + b, 0) - top) / (p.length - 1);
    return rest > 0 ? top / rest : Infinity;
  });
  const digits = Array.from(new Set(group.map((u) => u.preferred))).sort((a, b) => a - b);
  const show = (r: number) => (Number.isFinite(r) ? `${r.toFixed(1)}x` : 'no response to the rest');
  return `The ${group.length} ${name} selective units have contrast ${Math.min(...idx).toFixed(3)}-${Math.max(...idx).toFixed(3)} ` +
    `and prefer digit${digits.length > 1 ? 's' : ''} ${digits.join(', ')}; their top class mean is ` +
    `${show(Math.min(...ratio))} to ${show(Math.max(...ratio))} the mean of the other classes.`;
}

const mse = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += (a[t] - b[t]) ** 2;
  return s / a.length;
};

/** Reconstructions from the k largest codes: the mean MSE over the images shown at each k. */
export function keptUnitsLine(originals: readonly ArrayLike<number>[], byK: Record<number, readonly ArrayLike<number>[]>): string {
  const parts = Object.keys(byK).map(Number).sort((a, b) => a - b).map((k) => {
    const e = originals.reduce((s, o, i) => s + mse(o, byK[k][i]), 0) / originals.length;
    return `${k} units ${e.toFixed(4)}`;
  });
  return `Mean squared error of the ${originals.length} images shown, by units kept: ${parts.join(', ')}.`;
}

/** Signed atom grids: per method, the median share of an atom's sum |value| that is negative (blue on the diverging scale). */
export function signedAtomsLine(methods: Record<string, readonly ArrayLike<number>[]>): string {
  const share = (a: ArrayLike<number>) => {
    let neg = 0;
    let all = 0;
    for (let t = 0; t < a.length; t++) { all += Math.abs(a[t]); if (a[t] < 0) neg -= a[t]; }
    return all > 0 ? neg / all : 0;
  };
  return 'Negative share of each atom (median over the atoms shown; 0% all positive, 50% balanced): ' +
    Object.entries(methods).map(([name, atoms]) => `${name} ${pct(median(atoms.map(share)), 0)}`).join(', ') + '.';
}

/** Top-activating images: per row, its most common digit among the images shown and how many of them it is. */
export function topImagesLine(rows: readonly { label: string; idx: readonly number[] }[], labels: ArrayLike<number>): string {
  return 'Most common digit among the top images: ' + rows.map((r) => {
    const count = new Array(10).fill(0);
    for (const i of r.idx) count[labels[i]]++;
    const d = count.indexOf(Math.max(...count));
    return `${r.label} digit ${d} (${count[d]} of ${r.idx.length})`;
  }).join(', ') + '.';
}
