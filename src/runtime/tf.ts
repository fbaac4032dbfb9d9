/**
 * The kit's one entry to TensorFlow.js. tfjs-core alone registers no gradients, and its
 * `register_all_gradients` module is ESM-only (Node's require in the tslab kernel cannot load
 * it), so the union package's CommonJS bundle is loaded once here for its gradients.
 */
import '@tensorflow/tfjs';

export * from '@tensorflow/tfjs-core';
