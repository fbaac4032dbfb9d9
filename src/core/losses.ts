/**
 * The lesson's loss terms, as small pure functions. Shapes: x, xHat [batch, inputDim];
 * h [batch, latentDim]. Each returns a scalar tensor and owns no state.
 */
import * as tf from '../runtime/tf';
import { assertLive } from '../runtime/guards';

/** Reconstruction loss: mean over all elements of (x - xHat)^2 (PyTorch's nn.MSELoss). */
export function mse(x: tf.Tensor, xHat: tf.Tensor): tf.Scalar {
  assertLive(x, 'x');
  assertLive(xHat, 'xHat');
  return tf.tidy(() => tf.mean(tf.squaredDifference(x, xHat)) as tf.Scalar);
}

/** L1 sparsity penalty: the mean of |h| over batch and units, as in the lesson's `l1_loss`. */
export function l1Penalty(h: tf.Tensor2D): tf.Scalar {
  assertLive(h, 'the code h');
  return tf.tidy(() => tf.mean(tf.abs(h)) as tf.Scalar);
}

/** The lower clamp that keeps the logs finite in the KL penalty (the lesson's 1e-8). */
export const KL_EPS = 1e-8;

/**
 * The upper clamp: the largest float32 below 1, 1 - 2^-24. The lesson writes 1 - 1e-8, but in
 * float32 that rounds to exactly 1, so a unit saturated on every row of a batch (rhoHat = 1)
 * gave log(0): an infinite loss and NaN gradients. 1 - 2^-24 keeps the log finite (about -16.6)
 * and changes nothing else: every rhoHat below it is left as it is.
 */
export const KL_UPPER = 1 - 2 ** -24;

/**
 * KL sparsity penalty: sum over units j of KL(rho || rhoHat_j), where rhoHat_j is unit j's mean
 * activation over the batch, clamped to [KL_EPS, KL_UPPER]:
 *   KL(rho || q) = rho log(rho / q) + (1 - rho) log((1 - rho) / (1 - q)).
 */
export function klPenalty(h: tf.Tensor2D, rho: number): tf.Scalar {
  assertLive(h, 'the code h');
  return tf.tidy(() => {
    const rhoHat = tf.clipByValue(tf.mean(h, 0), KL_EPS, KL_UPPER);
    const a = tf.mul(rho, tf.log(tf.div(rho, rhoHat)));
    const b = tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, rhoHat))));
    return tf.sum(tf.add(a, b)) as tf.Scalar;
  });
}

/** KL(rho || q) for plain numbers: the same formula, for checks and for the notebooks' tables. */
export function klScalar(rho: number, q: number): number {
  return rho * Math.log(rho / q) + (1 - rho) * Math.log((1 - rho) / (1 - q));
}
