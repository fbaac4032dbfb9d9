/**
 * Which backend is faster for this kit, where no rule decides: a short measured probe. It runs the
 * lesson's training step itself (the KL model, 784-256-128-256-784, a batch of 128, Adam) a few
 * times on each candidate and keeps the faster. A stand-in (plain tf.matMul layers) would not do:
 * on wasm without the addon it took 154 ms a step against the kit's 35 ms, on tensorflow 13 ms
 * against 25 ms, so it would answer another question.
 *
 * The rule that decides first (backend.ts): on a CPU with the native addon, wasm + the addon is
 * faster than tfjs-node for this kit (environment.md, "TensorFlow.js backends"); a probe is needed only where
 * the addon is missing and tfjs-node loads, so neither is known to win here.
 */
import * as tf from './tf';

/** Milliseconds per training step on the active backend: the median of `steps` after `warmup`. */
export async function timeSteps(steps = 8, warmup = 5): Promise<number> {
  // Loaded here, not at the top: the models sit above runtime/, and only the probe needs them.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { createModel } = require('../core/sae') as typeof import('../core/sae');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { createOptimizer } = require('../core/train') as typeof import('../core/train');
  const model = createModel({ sparsity: 'kl', latentDim: 128, sparsityWeight: 0.01, rho: 0.05 }, 1);
  const optimizer = createOptimizer(1e-3);
  const x = tf.randomUniform([128, 784], 0, 1, 'float32', 7) as tf.Tensor2D;
  const times: number[] = [];
  try {
    for (let s = 0; s < warmup + steps; s++) {
      const t0 = performance.now();
      const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
      optimizer.applyGradients(grads);
      await value.data(); // the step is done when its values are
      tf.dispose([value, ...Object.values(grads)]);
      if (s >= warmup) times.push(performance.now() - t0);
    }
  } finally {
    tf.dispose(x);
    optimizer.dispose();
    model.dispose();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
