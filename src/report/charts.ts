/**
 * Sentences that read notebook 05's charts, each printed from the numbers the chart draws: which
 * of the units shown fire, which feature changes the zero-code image most and least, and how
 * close the reconstructions come.
 */
import { pct } from './format';

/** A feature grid's units: how many fire on at least `liveAt` of the images, and the busiest and quietest of them. */
export function featureGridLine(units: readonly number[], lifetime: ArrayLike<number>, liveAt = 0.01): string {
  const live = units.filter((j) => lifetime[j] >= liveAt);
  const byRate = units.slice().sort((a, b) => lifetime[b] - lifetime[a]);
  const [hi, lo] = [byRate[0], byRate[byRate.length - 1]];
  return `${live.length} of the ${units.length} units shown fire on at least ${pct(liveAt, 0)} of the test images; ` +
    `unit ${hi} fires most often (${pct(lifetime[hi])}), unit ${lo} least (${pct(lifetime[lo])}).`;
}

const sumAbs = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]);
  return s;
};

/** The difference grid (feature minus zero-code image): the units whose one-hot code changes the image most and least. */
export function inkChangeLine(changes: readonly ArrayLike<number>[], units: readonly number[]): string {
  const total = changes.map(sumAbs);
  const order = units.map((_, i) => i).sort((a, b) => total[b] - total[a]);
  const [hi, lo] = [order[0], order[order.length - 1]];
  const peak = Math.max(...changes.map((c) => Math.max(...Array.from(c, Math.abs))));
  return `Switching unit ${units[hi]} on changes the image most (sum of |change| ${total[hi].toFixed(1)} over its ${changes[hi].length} pixels), ` +
    `unit ${units[lo]} least (${total[lo].toFixed(1)}); the largest change to one pixel is ${peak.toFixed(3)}, ` +
    'the end of the colour scale.';
}

/** The reconstruction grid: each pair's MSE, their range and mean, against the mean image's MSE on the test set. */
export function reconstructionLine(originals: readonly ArrayLike<number>[], recons: readonly ArrayLike<number>[], meanImageMse: number): string {
  const mse = originals.map((o, i) => {
    let s = 0;
    for (let t = 0; t < o.length; t++) s += (o[t] - recons[i][t]) ** 2;
    return s / o.length;
  });
  const mean = mse.reduce((a, b) => a + b, 0) / mse.length;
  const worst = mse.indexOf(Math.max(...mse));
  return `These ${mse.length} reconstructions have MSE ${Math.min(...mse).toFixed(4)}-${Math.max(...mse).toFixed(4)} ` +
    `(mean ${mean.toFixed(4)}; the worst is image ${worst + 1} from the left), against ${meanImageMse.toFixed(4)} ` +
    'for drawing the mean training image.';
}

/** Loss curves, read: each model's reconstruction after the first and the last epoch, and which ends lowest. */
export function lossCurvesLine(histories: Record<string, readonly Record<string, number>[]>): string {
  const ends = Object.entries(histories).map(([name, h]) => ({ name, first: h[0].reconstruction, last: h[h.length - 1].reconstruction }));
  const lowest = ends.reduce((a, b) => (b.last < a.last ? b : a));
  return `Reconstruction (training batches), first -> last epoch: ` +
    ends.map((e) => `${e.name} ${e.first.toFixed(4)} -> ${e.last.toFixed(4)}`).join(', ') + `; lowest at the end: ${lowest.name}.`;
}

/** Sparsity histograms, read: the median number of units above `threshold` per image, per model. */
export function unitsPerImageLine(codes: Record<string, ArrayLike<number>>, width: number, threshold = 0.1): string {
  const medianCount = (a: ArrayLike<number>) => {
    const counts: number[] = [];
    for (let r = 0; r * width < a.length; r++) {
      let n = 0;
      for (let j = 0; j < width; j++) if (a[r * width + j] > threshold) n++;
      counts.push(n);
    }
    counts.sort((x, y) => x - y);
    const m = counts.length >> 1;
    return counts.length % 2 ? counts[m] : (counts[m - 1] + counts[m]) / 2;
  };
  return `Units above ${threshold} per image (median over images, of ${width}): ` +
    Object.entries(codes).map(([name, a]) => `${name} ${medianCount(a)}`).join(', ') + '.';
}
