/**
 * An independent float64 implementation of the lesson's models and loss, in plain
 * JavaScript, used to check the TensorFlow.js code (forward values and gradients).
 */
import { SaeConfig } from '../../src/core/config';
import { KL_EPS, KL_UPPER } from '../../src/core/losses';

export interface RefLayer {
  w: Float64Array; // [inDim * outDim], row-major [in][out]
  b: Float64Array; // [outDim]
  inDim: number;
  outDim: number;
  act: 'relu' | 'sigmoid' | 'linear';
}

function layer(x: Float64Array[], l: RefLayer): Float64Array[] {
  return x.map((row) => {
    const out = new Float64Array(l.outDim);
    for (let o = 0; o < l.outDim; o++) {
      let z = l.b[o];
      for (let i = 0; i < l.inDim; i++) z += row[i] * l.w[i * l.outDim + o];
      out[o] = l.act === 'relu' ? Math.max(0, z) : l.act === 'sigmoid' ? 1 / (1 + Math.exp(-z)) : z;
    }
    return out;
  });
}

/**
 * total = mean (x - xHat)^2 + weight * penalty, computed in float64; the first two layers encode.
 * The standard autoencoders ('none-relu', 'none-sigmoid') have no penalty: total = the MSE.
 */
export function referenceLoss(layers: RefLayer[], x: Float64Array[], config: SaeConfig): number {
  const h = layer(layer(x, layers[0]), layers[1]);
  const xHat = layers.slice(2).reduce((a, l) => layer(a, l), h);
  let se = 0;
  for (let r = 0; r < x.length; r++) for (let i = 0; i < x[r].length; i++) se += (x[r][i] - xHat[r][i]) ** 2;
  const rec = se / (x.length * x[0].length);
  let penalty = 0;
  if (config.sparsity === 'none-relu' || config.sparsity === 'none-sigmoid') {
    return rec;
  } else if (config.sparsity === 'l1') {
    for (const row of h) for (const v of row) penalty += Math.abs(v);
    penalty /= h.length * h[0].length;
  } else {
    const rho = config.rho;
    for (let j = 0; j < config.latentDim; j++) {
      let q = 0;
      for (const row of h) q += row[j];
      q = Math.min(Math.max(q / h.length, KL_EPS), KL_UPPER);
      penalty += rho * Math.log(rho / q) + (1 - rho) * Math.log((1 - rho) / (1 - q));
    }
  }
  return rec + config.sparsityWeight * penalty;
}
