/**
 * The reference engine's Adam: the lesson's update in TensorFlow.js ops. For each variable, in
 * float32, as PyTorch's Adam:
 *
 *   m <- b1 m + (1 - b1) g
 *   v <- b2 v + (1 - b2) g^2
 *   p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *
 * with the constants formed in float64 and rounded once, and the operations in the order of
 * native/adam.c, so a step overflows (or not) where the native one does. All or nothing: when a new
 * p is not finite, nothing changes and the step does not count.
 */
import * as tf from './tf';
import type { AdamSettings, AdamUpdate } from './engine';

/** One variable's moments, kept between steps. */
interface TensorMoments { m: tf.Tensor; v: tf.Tensor }

export class ReferenceAdam implements AdamUpdate {
  private readonly moments = new Map<string, TensorMoments>();

  constructor(private readonly settings: AdamSettings) {}

  /** Step `step` (1, 2, ...) on the variables `params` with their gradients; false when it was refused. */
  apply(step: number, names: string[], params: tf.Variable[], grads: Record<string, tf.Tensor>): boolean {
    const f = Math.fround;
    const { learningRate: lr, beta1, beta2, epsilon } = this.settings;
    const stepSize = f(lr / (1 - Math.pow(beta1, step)));
    const invSqrtC2 = f(1 / Math.sqrt(1 - Math.pow(beta2, step)));
    const [b1, b2, c1, c2, eps] = [f(beta1), f(beta2), f(1 - beta1), f(1 - beta2), f(epsilon)];
    const next = tf.tidy(() => names.map((name, i) => {
      const g = grads[name];
      const old = this.moments.get(name);
      const m = tf.add(tf.mul(old ? old.m : tf.zerosLike(g), b1), tf.mul(g, c1));
      const v = tf.add(tf.mul(old ? old.v : tf.zerosLike(g), b2), tf.mul(tf.mul(g, c2), g));
      const denominator = tf.add(tf.mul(tf.sqrt(v), invSqrtC2), eps);
      const p = tf.sub(params[i], tf.div(tf.mul(m, stepSize), denominator));
      return { m, v, p };
    }));
    const finite = tf.tidy(() => tf.all(tf.stack(next.map(({ p }) => tf.all(tf.isFinite(p))))).dataSync()[0] === 1);
    if (!finite) {
      next.forEach(({ m, v, p }) => tf.dispose([m, v, p]));
      return false;
    }
    next.forEach(({ m, v, p }, i) => {
      params[i].assign(p);
      p.dispose();
      const old = this.moments.get(names[i]);
      if (old) tf.dispose([old.m, old.v]);
      // kept: a training step calls this inside its own tidy, which would free them
      this.moments.set(names[i], { m: tf.keep(m), v: tf.keep(v) });
    });
    return true;
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}
