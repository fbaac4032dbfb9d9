/**
 * Which backend is faster for this kit, where no rule decides: a short measured probe. It runs the
 * lesson's training step (the 784-256-128-256-784 autoencoder's forward and backward pass on a
 * batch of 128, with an Adam-sized update) a few times on each candidate and keeps the faster.
 *
 * The rule that decides first (backend.ts): on a CPU with the native addon, wasm + the addon is
 * faster than tfjs-node for this kit (environment.md, "Which backend"); a probe is needed only where
 * the addon is missing and tfjs-node loads, so neither is known to win here.
 */
import * as tf from './tf';

/** Milliseconds per step on one backend, the median of `steps` timed steps after warm-up. */
export interface ProbeTime {
  backend: string;
  msPerStep: number;
}

const SIZES = [784, 256, 128, 256, 784];
const BATCH = 128;

/** One lesson-sized step: forward, mean squared error, gradients, and w -= 1e-3 * g. */
function step(ws: tf.Variable[], x: tf.Tensor2D): void {
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      let h: tf.Tensor2D = x;
      ws.forEach((w, i) => {
        const z = tf.matMul(h, w as tf.Tensor2D);
        h = (i === ws.length - 1 ? tf.sigmoid(z) : tf.relu(z)) as tf.Tensor2D;
      });
      return tf.mean(tf.square(tf.sub(h, x))) as tf.Scalar;
    }, ws);
    ws.forEach((w) => w.assign(tf.sub(w, tf.mul(grads[w.name], 1e-3))));
  });
}

let probes = 0;

/** Times the step on the active backend (which must already be set). */
export async function timeSteps(steps = 8, warmup = 2): Promise<number> {
  const seed = (i: number) => tf.randomUniform([SIZES[i], SIZES[i + 1]], -0.05, 0.05, 'float32', 1 + i);
  probes += 1;
  // tidy frees the initial values; it never disposes variables.
  const ws = tf.tidy(() => SIZES.slice(0, -1).map((_, i) => tf.variable(seed(i), true, `sae-lab-probe-${probes}-${i}`)));
  const x = tf.randomUniform([BATCH, SIZES[0]], 0, 1, 'float32', 7) as tf.Tensor2D;
  const times: number[] = [];
  try {
    for (let s = 0; s < warmup + steps; s++) {
      const t0 = performance.now();
      step(ws, x);
      await ws[0].data(); // the step is done when its values are
      if (s >= warmup) times.push(performance.now() - t0);
    }
  } finally {
    tf.dispose([x, ...ws]);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
