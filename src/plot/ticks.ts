/**
 * Tick labels for log axes that show the values themselves (64, 128, ... 1024; 0.001, 0.01) instead of
 * Plotly's default of a few powers of ten in exponent form, with unlabelled ticks between them.
 */

export interface AxisTicks {
  tickmode: 'array';
  tickvals: number[];
  ticktext: string[];
}

/** A number as a reader writes it: 1024, 0.001, 2.5 (no exponent for 1e-6 ... 1e21, at most 6 digits). */
export function plainNumber(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** A value a sweep would use as a setting: two significant digits (0.003, 50, 1000) or a power of two (128). */
function roundSetting(v: number): boolean {
  return Number(v.toPrecision(2)) === v || Number.isInteger(Math.log2(v));
}

/**
 * Multiples of powers of ten (mantissas from `mantissas`) from `lo` to `hi`, widened by 10% each way:
 * Plotly pads a log axis's range by about that much for the markers, so a tick just beyond the data shows.
 */
function decadeTicks(dataLo: number, dataHi: number, mantissas: number[]): number[] {
  const [lo, hi] = [dataLo / 1.1, dataHi * 1.1];
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of mantissas) {
      const t = Number((m * 10 ** k).toPrecision(12));
      if (t >= lo && t <= hi) ticks.push(t);
    }
  }
  return ticks;
}

/**
 * Ticks for a log axis over these values (zeros, negatives and non-numbers are ignored): the values
 * themselves when they are a few well-spaced round settings (a sweep over 64 ... 1024 latent units,
 * or penalty weights 0.0001 ... 1), else 1-2-5 steps per decade (decades only over a wide range,
 * 1 ... 9 over a narrow one, the ends and middle within one step), each written out in full.
 * Null when no value is positive.
 */
export function logTicks(values: Iterable<number>): AxisTicks | null {
  const positive = [...new Set(Array.from(values).filter((v) => Number.isFinite(v) && v > 0))].sort((a, b) => a - b);
  if (positive.length === 0) return null;
  const lo = positive[0];
  const hi = positive[positive.length - 1];
  let tickvals: number[];
  const spaced = positive.every((v, i) => i === 0 || v / positive[i - 1] >= 1.4);
  if (positive.length >= 2 && positive.length <= 12 && spaced && positive.every(roundSetting)) {
    tickvals = positive;
  } else {
    tickvals = decadeTicks(lo, hi, [1]);
    if (tickvals.length > 12) {
      const step = Math.ceil(tickvals.length / 10);
      tickvals = tickvals.filter((t) => Math.round(Math.log10(t)) % step === 0);
    } else if (tickvals.length < 4) {
      tickvals = decadeTicks(lo, hi, [1, 2, 5]);
      if (tickvals.length < 4) tickvals = decadeTicks(lo, hi, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    // a range narrower than one step: its ends and middle, to two significant digits
    if (tickvals.length < 2) tickvals = [...new Set([lo, Math.sqrt(lo * hi), hi].map((v) => Number(v.toPrecision(2))))];
  }
  return { tickmode: 'array', tickvals, ticktext: tickvals.map(plainNumber) };
}

/** A log axis's settings for these values: type 'log' and logTicks (when any value is positive). */
export function logAxis(values: Iterable<number>): Record<string, unknown> {
  return { type: 'log', ...(logTicks(values) ?? {}) };
}
