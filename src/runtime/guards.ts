/**
 * Checks on the tensors a learner hands to the kit, so a mistake gets a sentence instead of a
 * TypeError from deep inside TensorFlow.js (a disposed tensor there fails with "Cannot read
 * properties of undefined (reading 'backend')").
 */
import * as tf from './tf';

/** Throws unless `t` is a live (not disposed) tensor; `what` names it in the message. */
export function assertLive(t: tf.Tensor, what: string): void {
  if (!(t instanceof tf.Tensor)) {
    throw new Error(`${what} must be a tf.Tensor, got ${t === null ? 'null' : typeof t}`);
  }
  if (t.isDisposed) {
    throw new Error(`${what} was disposed (by tf.dispose, or at the end of the tf.tidy that made it) ` +
      'before it was passed here: compute it again, or tf.keep it inside the tidy');
  }
}

/**
 * Throws unless `t` is a live 2-D tensor with `cols` columns; `field` names the setting that
 * decides the width (e.g. 'SaeConfig.inputDim').
 */
export function assertMatrix(t: tf.Tensor, what: string, cols: number, field: string): void {
  assertLive(t, what);
  if (t.rank !== 2) throw new Error(`${what} must be 2-D [batch, ${cols}], got shape [${t.shape}]`);
  if (t.shape[1] !== cols) {
    throw new Error(`${what} has ${t.shape[1]} values per row, but ${field} is ${cols}`);
  }
}
