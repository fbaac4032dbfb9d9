/**
 * Matryoshka reconstruction (Bussmann et al., "Learning Multi-Level Features with Matryoshka Sparse
 * Autoencoders", arXiv:2503.17547, as SAELens' `matryoshka_batchtopk_sae.py` cites it; Nabeshima's
 * Matryoshka SAEs; dictionary_learning `MatryoshkaBatchTopKTrainer`). For prefix sizes
 * m_1 < m_2 < ... < m_n = latentDim the first m_i latents must reconstruct x on their own:
 *
 *   x_hat_i = f[:, :m_i] W_dec[:m_i] + b_dec
 *   reconstruction = sum over i of mse(x, x_hat_i)        mse: mean over batch and inputDim
 *
 * A sum, as the paper's loss and SAELens (which adds each inner level's loss to the full one)
 * write it; dictionary_learning weights the levels (1/n each by default) instead. The last
 * prefix is the whole code, so x_hat_n is the SAE's own x_hat and the sum holds the plain loss.
 * The code is BatchTopK's, chosen over all latents at once; only the decoding is nested.
 */
import * as tf from '../../runtime/tf';
import type { Check } from '../../core/checks';
import { mse } from '../../core/losses';
import { engine } from '../../runtime/engine';
import type { ReconstructionInput } from './types';

/** An empty list, or strictly increasing integers from 1 up, the last equal to latentDim. */
export const prefixesCheck: Check<{ latentDim: number }> = (v, config) => {
  const m = config.latentDim;
  const expected = `[] or strictly increasing integers in [1, latentDim = ${m}], the last equal to latentDim`;
  if (!Array.isArray(v)) return expected;
  if (v.length === 0) return null;
  const ok = v.every((p, i) => Number.isInteger(p) && p >= 1 && (i === 0 || p > v[i - 1])) && v[v.length - 1] === m;
  return ok ? null : expected;
};

/**
 * The sum over prefixes of mse(x, x_hat_i), x_hat_i decoded from the first `prefixes[i]` latents:
 * f with the latents past m_i zeroed, decoded whole by the engine as the SAE decodes its own code.
 */
export function matryoshkaReconstruction(input: ReconstructionInput, prefixes: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const { x, f, xHat, bias } = input;
    const decoder = input.decoder();
    const m = f.shape[1];
    let total = mse(x, xHat); // the last prefix: the whole code
    for (const width of prefixes.slice(0, -1)) {
      const mask = tf.tensor2d(Array.from({ length: m }, (_, j) => (j < width ? 1 : 0)), [1, m]);
      const prefixCode = tf.mul(f, mask) as tf.Tensor2D;
      total = tf.add(total, mse(x, engine().sparseDecode(prefixCode, decoder, bias))) as tf.Scalar;
    }
    return total;
  });
}
