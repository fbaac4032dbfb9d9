/**
 * Reading a tensor's values out of a tf.tidy. `tf.tidy(() => t.dataSync())` looks harmless, but
 * tidy searches whatever its function returns for tensors to keep, and it walks a typed array
 * (or a plain array) element by element, remembering every value in a Set: in tfjs 4.22 about
 * 2 microseconds an element, 8.5 s for the [10000, 784] reconstructions of notebook 14's test
 * set, where the product itself takes 0.07 s. valuesOf returns the tensor from the tidy and
 * reads it outside.
 */
import * as tf from './tf';

/** The values of the tensor `make` returns; every tensor `make` creates is disposed. */
export function valuesOf(make: () => tf.Tensor): tf.TypedArray {
  const t = tf.tidy(make);
  try {
    return t.dataSync() as tf.TypedArray;
  } finally {
    t.dispose();
  }
}

/** valuesOf for a float32 result: its values as a Float32Array (an error names any other dtype). */
export function floatsOf(make: () => tf.Tensor): Float32Array {
  return valuesOf(() => {
    const t = make();
    if (t.dtype !== 'float32') throw new Error(`floatsOf: the tensor has dtype ${t.dtype}, expected float32`);
    return t;
  }) as Float32Array;
}
