/**
 * The lesson's loss terms, as small pure functions. Shapes: x, xHat [batch, inputDim];
 * h [batch, latentDim]. Each returns a scalar tensor and owns no state.
 */
import * as tf from './tf';

/** Reconstruction loss: mean over all elements of (x - xHat)^2 (PyTorch's nn.MSELoss). */
export function mse(x: tf.Tensor, xHat: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(x, xHat)) as tf.Scalar);
}

/** L1 sparsity penalty: the mean of |h| over batch and units, as in the lesson's `l1_loss`. */
export function l1Penalty(h: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(h)) as tf.Scalar);
}

/** The clamp that keeps the logs finite in the KL penalty. */
export const KL_EPS = 1e-8;

/**
 * KL sparsity penalty: sum over units j of KL(rho || rhoHat_j), where rhoHat_j is unit j's mean
 * activation over the batch, clamped to [1e-8, 1 - 1e-8]:
 *   KL(rho || q) = rho log(rho / q) + (1 - rho) log((1 - rho) / (1 - q)).
 * Note: in float32, 1 - 1e-8 rounds to 1, so (as in the lesson's PyTorch code) the upper clamp
 * does nothing; a sigmoid unit has to saturate on every row of the batch to reach rhoHat = 1.
 */
export function klPenalty(h: tf.Tensor2D, rho: number): tf.Scalar {
  return tf.tidy(() => {
    const rhoHat = tf.clipByValue(tf.mean(h, 0), KL_EPS, 1 - KL_EPS);
    const a = tf.mul(rho, tf.log(tf.div(rho, rhoHat)));
    const b = tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, rhoHat))));
    return tf.sum(tf.add(a, b)) as tf.Scalar;
  });
}

/** KL(rho || q) for plain numbers: the same formula, for checks and for the notebooks' tables. */
export function klScalar(rho: number, q: number): number {
  return rho * Math.log(rho / q) + (1 - rho) * Math.log((1 - rho) / (1 - q));
}
