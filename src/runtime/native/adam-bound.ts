/**
 * What the native Adam (native/adam.c) computes, in JavaScript, and the bound that lets a step
 * skip its check: `jsAdam` is the loop's twin (float64 arithmetic, each stored value rounded to
 * float32), used by the tests as the reference for the C loop and the bound; `stepSurelyFinite`
 * proves from four maxima that no new weight overflows.
 */
export interface AdamAttrs { lr: number; beta1: number; beta2: number; epsilon: number; step: number }

/** Adam's arithmetic over lists of flat arrays: the native addon's (native/adam.c), or `jsAdam`. */
export interface AdamKernels {
  /**
   * arrays: 5 per tensor (p, m, v, g, pOut; pOut is p or apart from the others). Returns how many
   * new p are not finite. maxima null: writes nothing. Else m and v are updated in place, the new p
   * written to pOut, and maxima[2t], maxima[2t + 1] set to the float bits of tensor t's largest |m| and v.
   */
  adamStep(arrays: Float32Array[], lr: number, beta1: number, beta2: number, epsilon: number, step: number, maxima: Uint32Array | null): number;
  /** The float bits of the largest |x| over the arrays (above 0x7f7fffff: an infinity or a NaN). */
  absMaxBits(arrays: Float32Array[]): number;
}

const bits = new Uint32Array(1);
const bitsAsFloat = new Float32Array(bits.buffer);

/** The float32 whose bits are `b`. */
export function floatOfBits(b: number): number {
  bits[0] = b;
  return bitsAsFloat[0];
}

function bitsOfFloat(x: number): number {
  bitsAsFloat[0] = x;
  return bits[0];
}

/** The same arithmetic in JavaScript (in float64, each stored value rounded to float32). */
export const jsAdam: AdamKernels = {
  adamStep(arrays, lr, b1, b2, eps, step, maxima) {
    // lr * (m / c1) / (sqrt(v / c2) + eps) = stepSize * m / (sqrt(v) * invSqrtC2 + eps)
    const stepSize = lr / (1 - Math.pow(b1, step));
    const invSqrtC2 = 1 / Math.sqrt(1 - Math.pow(b2, step));
    let bad = 0;
    for (let t = 0; t < arrays.length / 5; t++) {
      const [p, m, v, g, pOut] = arrays.slice(5 * t, 5 * t + 5);
      let mMax = 0;
      let vMax = 0;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = Math.fround(b1 * m[i] + (1 - b1) * gi);
        const vi = Math.fround(b2 * v[i] + (1 - b2) * gi * gi);
        const pi = Math.fround(p[i] - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps));
        if (!Number.isFinite(pi)) bad += 1;
        if (maxima === null) continue;
        m[i] = mi;
        v[i] = vi;
        pOut[i] = pi;
        // NaN compares false: a NaN makes the maximum infinite, which no bound accepts
        mMax = Math.abs(mi) <= mMax ? mMax : Number.isNaN(mi) ? Infinity : Math.abs(mi);
        vMax = Math.abs(vi) <= vMax ? vMax : Number.isNaN(vi) ? Infinity : Math.abs(vi);
      }
      if (maxima !== null) {
        maxima[2 * t] = bitsOfFloat(mMax);
        maxima[2 * t + 1] = bitsOfFloat(vMax);
      }
    }
    return bad;
  },
  absMaxBits(arrays) {
    let max = 0;
    for (const x of arrays) {
      for (let i = 0; i < x.length; i++) {
        const a = Math.abs(x[i]);
        if (!(a <= max)) max = Number.isNaN(a) ? Infinity : a;
      }
    }
    return bitsOfFloat(max);
  },
};

/**
 * Whether every new p of an Adam step is surely finite, from the largest |p| (P), |g| (G), |m| (M)
 * and v (V) before it. Each float32 operation of the update (native/adam.c, in this order) is
 * bounded with its rounding, 1 + 2^-24, taken as 1 + 2^-20; every bound must stay below 1e38
 * (float32 overflows at 3.4e38). The denominator is at least eps > 0, so nothing divides by zero.
 * False for anything it cannot bound (a non-finite input, eps below 1.2e-38, beta2 outside [0, 1)).
 */
export function stepSurelyFinite(P: number, G: number, M: number, V: number, a: AdamAttrs): boolean {
  const f = Math.fround;
  const s = Math.abs(f(a.lr / (1 - Math.pow(a.beta1, a.step))));
  const k = f(1 / Math.sqrt(1 - Math.pow(a.beta2, a.step)));
  const b1 = Math.abs(f(a.beta1));
  const c1 = Math.abs(f(1 - a.beta1));
  const b2 = f(a.beta2);
  const c2 = f(1 - a.beta2);
  const eps = f(a.epsilon);
  if (![P, G, M, V, s, k, b1, c1, b2, c2, eps].every(Number.isFinite)) return false;
  // eps is read as 0 below float32's smallest normal (native/adam.c); beta2 is checked unrounded,
  // as the JavaScript loop uses it (a beta2 of -1e-50 rounds to -0 in float32)
  if (!(a.beta2 >= 0 && b2 >= 0 && c2 >= 0 && k >= 0 && eps >= 2 ** -126)) return false;
  const r = 1 + 2 ** -20;
  const LIMIT = 1e38;
  const mNew = (b1 * M + c1 * G) * r ** 2; // b1 m + c1 g
  const vNew = (b2 * V + c2 * G * G) * r ** 3; // b2 v + (c2 g) g
  const den = (Math.sqrt(vNew) * r * k * r + eps) * r; // sqrt(v) k + eps, at least eps
  const num = s * mNew * r; // step size times m
  const pNew = (P + (num / eps) * r) * r; // p - num / den
  return mNew < LIMIT && vNew < LIMIT && den < LIMIT && num < LIMIT && pNew < LIMIT;
}
