/**
 * The kit's loss terms, as small pure functions: the lesson's (MSE, mean-L1, KL) and the
 * dictionary SAE's (row-sum L1, AuxK). Shapes: x, xHat [batch, inputDim]; h, f [batch, latentDim].
 * Each returns a scalar tensor and owns no state. The MSE and the KL penalty are engine operations
 * (runtime/engine.ts: the formulas below in plain ops in runtime/reference.ts, one kernel each on
 * the native engine); the others are written here.
 */
import * as tf from '../runtime/tf';
import { assertLive } from '../runtime/guards';
import { engine } from '../runtime/engine';

/** Reconstruction loss: mean over all elements of (x - xHat)^2 (PyTorch's nn.MSELoss). x, xHat [batch, inputDim] -> scalar */
export function mse(x: tf.Tensor, xHat: tf.Tensor): tf.Scalar {
  assertLive(x, 'x');
  assertLive(xHat, 'xHat');
  return engine().mse(x, xHat);
}

/** L1 sparsity penalty: the mean of |h| over batch and units, as in the lesson's `l1_loss`. h [batch, latentDim] -> scalar */
export function l1Penalty(h: tf.Tensor2D): tf.Scalar {
  assertLive(h, 'the code h');
  return tf.tidy(() => tf.mean(tf.abs(h)) as tf.Scalar);
}

/**
 * The dictionary SAE's L1 penalty: the mean over the batch of sum_j |f_j| (Anthropic's
 * "Towards Monosemanticity"), so its weight does not shrink as latentDim grows.
 *   f [batch, latentDim] -> scalar
 */
export function l1SumPenalty(f: tf.Tensor2D): tf.Scalar {
  assertLive(f, 'the code f');
  return tf.tidy(() => tf.mean(tf.sum(tf.abs(f), 1)) as tf.Scalar);
}

/**
 * The AuxK loss (Gao et al. 2024): how badly the dead latents' reconstruction eHat misses the
 * main model's residual e = x - xHat, normalised by the residual's own mean square so the term
 * stays O(1) even when the main error is small:
 *   mean((e - eHat)^2) / (mean(e^2) + 1e-12)
 *   residual, residualHat [batch, inputDim] -> scalar
 */
export function auxKLoss(residual: tf.Tensor2D, residualHat: tf.Tensor2D): tf.Scalar {
  assertLive(residual, 'the residual');
  assertLive(residualHat, 'the residual estimate');
  return tf.tidy(() => tf.div(tf.mean(tf.squaredDifference(residual, residualHat)), tf.add(tf.mean(tf.square(residual)), 1e-12)) as tf.Scalar);
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
 *   h [batch, latentDim] (activations in (0, 1)) -> scalar
 */
export function klPenalty(h: tf.Tensor2D, rho: number): tf.Scalar {
  assertLive(h, 'the code h');
  return engine().klPenalty(h, rho, KL_EPS, KL_UPPER);
}

/** KL(rho || q) for plain numbers: the same formula, for checks and for the notebooks' tables. */
export function klScalar(rho: number, q: number): number {
  return rho * Math.log(rho / q) + (1 - rho) * Math.log((1 - rho) / (1 - q));
}
