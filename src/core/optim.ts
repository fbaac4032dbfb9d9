/**
 * Adam as PyTorch and the lesson define it, for every parameter tensor p with gradient g at step t:
 *
 *   m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2,
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 *
 * The update itself is an engine operation (runtime/engine.ts): a few tf ops per tensor on the
 * reference engine (runtime/reference-adam.ts), one loop in place on the native one. A step is all
 * or nothing: when it would make any parameter NaN or infinite (a learning rate of 3e38 does,
 * while the loss before it is still finite), no tensor and no moment changes and `applyGradients`
 * returns false, so the model keeps weights whose loss is known.
 */
import * as tf from '../runtime/tf';
import { AdamUpdate, engine, EngineName } from '../runtime/engine';

/** float32's smallest normal number, 2^-126: below it the native loop reads a number as 0. */
export const FLOAT32_MIN_NORMAL = 2 ** -126;

/** Adam with PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8). */
export class Adam {
  private step = 0;
  private update: { engine: EngineName; update: AdamUpdate } | null = null;

  /**
   * Throws, naming the value, for what PyTorch's Adam refuses too (a learning rate below 0, a beta
   * outside [0, 1)) and for an epsilon below float32's smallest normal number (1.2e-38), which the
   * native loop reads as 0.
   */
  constructor(readonly learningRate: number, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly epsilon = 1e-8) {
    const want = (what: string, value: number, ok: boolean, expected: string) => {
      if (!ok) throw new RangeError(`Adam.${what} = ${value} is invalid: expected ${expected}`);
    };
    want('learningRate', learningRate, Number.isFinite(learningRate) && learningRate >= 0, 'a finite number >= 0');
    want('beta1', beta1, beta1 >= 0 && beta1 < 1, '0 <= beta1 < 1');
    want('beta2', beta2, beta2 >= 0 && beta2 < 1, '0 <= beta2 < 1');
    want('epsilon', epsilon, Number.isFinite(epsilon) && epsilon >= FLOAT32_MIN_NORMAL, `a finite number >= ${FLOAT32_MIN_NORMAL} (float32's smallest normal)`);
  }

  /**
   * Applies one step; `grads` maps variable names to gradients, as tf.variableGrads returns them.
   * Returns false, changing nothing, when the step would make a parameter non-finite.
   */
  applyGradients(grads: Record<string, tf.Tensor>): boolean {
    const names = Object.keys(grads);
    if (names.length === 0) return true;
    const params = names.map((name) => {
      const p = tf.engine().registeredVariables[name];
      const g = grads[name];
      if (p === undefined) throw new Error(`Adam: no variable named ${name}`);
      if (p.dtype !== 'float32' || g.dtype !== 'float32' || g.size !== p.size) {
        throw new Error(`Adam: the gradient of ${name} is ${g.dtype} [${g.shape}], expected float32 [${p.shape}] as the variable`);
      }
      return p;
    });
    if (!this.updateOn(engine().name).apply(this.step + 1, names, params, grads)) return false;
    this.step += 1;
    return true;
  }

  /** The update of `name`'s engine; a switch of engine (a test's) starts its moments afresh. */
  private updateOn(name: EngineName): AdamUpdate {
    if (this.update?.engine !== name) {
      this.update?.update.dispose();
      const settings = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
      this.update = { engine: name, update: engine().adam(settings) };
    }
    return this.update.update;
  }

  dispose(): void {
    this.update?.update.dispose();
    this.update = null;
  }
}
