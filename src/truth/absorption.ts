/**
 * Feature absorption on hierarchy pairs: when a child feature only ever fires with its parent,
 * a sparse code can save a latent per sample by letting the parent's latent stand for
 * "parent and child" and leaving the child's latent silent. This file measures how often that
 * happens on the samples, and whether the parent latent's decoder row has leaned toward the child.
 */
import type { Matrix } from '../data/matrix';
import { checkedData, matchingFor, meanDefined, RecoveryData } from './recovery-data';

export interface AbsorptionPair {
  parent: number;
  child: number;
  /** the latents matched to the parent and the child (-1 when unmatched) */
  parentLatent: number;
  childLatent: number;
  /** how many samples the child fires in */
  childFires: number;
  /** of those, how many have the child's latent silent while the parent's latent fires */
  absorbed: number;
  /** absorbed / childFires; NaN when either feature is unmatched or the child never fires */
  rate: number;
  /** cos(the parent latent's decoder row, turned to point along the parent (cos > 0), the child feature); NaN when unmatched */
  parentLatentCosChild: number;
  /** cos(parent feature, child feature): what parentLatentCosChild is for a row that is exactly the parent */
  parentCosChild: number;
}

export interface Absorption {
  pairs: AbsorptionPair[];
  /** the mean rate over the pairs where it is defined */
  meanRate: number;
}

/** cos(row r of a, row k of b), 0 when either is all zeros. */
function rowCos(a: Matrix, r: number, b: Matrix, k: number): number {
  const d = a.cols;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let t = 0; t < d; t++) {
    const x = a.data[r * d + t];
    const y = b.data[k * d + t];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/**
 * Absorption of each [parent, child] pair of true features, with their matched latents jp and jc
 * (latentOf, mcc's matching by default). Over the samples where the child fires (coefficient > 0;
 * in planted data the parent then fires too), `rate` is the fraction where latent jc does not fire
 * (code <= threshold) while latent jp fires (code > threshold): the parent's latent took the
 * child's place. 0 for a dictionary whose latents fire exactly with their features.
 *
 * The direction: `parentLatentCosChild` is the cosine between jp's decoder row (its sign chosen
 * to agree with the parent feature) and the child feature; a row that has taken up the child's
 * direction shows a cosine above `parentCosChild`, the value for a row that is the parent exactly.
 */
export function absorption(data: RecoveryData, hierarchy: readonly (readonly [number, number])[], latentOf?: Int32Array): Absorption {
  const { decoder, truth, codes, coefficients, threshold } = checkedData(data);
  const match = matchingFor(data, latentOf);
  const n = truth.rows;
  const pairs = hierarchy.map(([parent, child], k): AbsorptionPair => {
    if (![parent, child].every((i) => Number.isInteger(i) && i >= 0 && i < n)) {
      throw new Error(`absorption: hierarchy[${k}] = [${parent},${child}] is invalid: expected two feature indices in [0, n - 1 = ${n - 1}]`);
    }
    const [jp, jc] = [match[parent], match[child]];
    const parentCosChild = rowCos(truth, parent, truth, child);
    let childFires = 0;
    let absorbed = 0;
    for (let s = 0; s < codes.rows; s++) {
      if (!(coefficients.data[s * n + child] > 0)) continue;
      childFires += 1;
      if (jp >= 0 && jc >= 0 && !(codes.data[s * codes.cols + jc] > threshold) && codes.data[s * codes.cols + jp] > threshold) absorbed += 1;
    }
    const matched = jp >= 0 && jc >= 0;
    const rate = matched && childFires > 0 ? absorbed / childFires : NaN;
    const sign = jp >= 0 && rowCos(decoder, jp, truth, parent) < 0 ? -1 : 1;
    const parentLatentCosChild = jp >= 0 ? sign * rowCos(decoder, jp, truth, child) : NaN;
    return { parent, child, parentLatent: jp, childLatent: jc, childFires, absorbed, rate, parentLatentCosChild, parentCosChild };
  });
  return { pairs, meanRate: meanDefined(Float64Array.from(pairs, (p) => p.rate)) };
}
