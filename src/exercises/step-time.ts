/**
 * How long a training step of a model takes, measured alone: the summary table's "L1 is simple,
 * fast" needs the two models timed on an idle machine, one after the other, not the epoch times
 * recorded while they trained (the course trains two models at once, one per core).
 */
import type { SaeConfig } from '../core/config';
import { createModel, SparseAutoencoder } from '../core/sae';
import { createOptimizer, trainEpoch } from '../core/train';
import { firstImages } from '../data/mnist';
import type { Dataset } from '../data/mnist';

export interface StepTimeOptions {
  /** steps per timing (20) */
  steps?: number;
  /** timings per model, interleaved across the models; the fastest counts (3) */
  rounds?: number;
  batchSize?: number;
  /**
   * Trained models to start from, by the same names: their weights are copied into the timed
   * copies (they are not changed). A step's cost depends on the weights: a trained L1 code is
   * mostly zeros, which the engine decodes by its non-zeros; a fresh model's code is not.
   */
  from?: Record<string, SparseAutoencoder>;
}

/**
 * Seconds per training step of a model of each config (fixed seed, or a copy of `from`'s trained
 * weights), each timed alone on the first `steps` batches of `data`: every model once per round,
 * the rounds interleaved, the fastest round per model. The copies are thrown away: only their
 * time is kept.
 */
export async function secondsPerStep(configs: Record<string, Partial<SaeConfig>>, data: Dataset,
  options: StepTimeOptions = {}): Promise<Record<string, number>> {
  const { steps = 20, rounds = 3, batchSize = 128 } = options;
  const subset = firstImages(data, Math.min(data.count, steps * batchSize));
  const trainees = Object.entries(configs).map(([name, config]) => {
    const model = createModel(config, 42);
    const trained = options.from?.[name];
    if (trained) {
      if (trained.variables.length !== model.variables.length) {
        throw new Error(`secondsPerStep: the trained model '${name}' has ${trained.variables.length} variables; its config builds ${model.variables.length}`);
      }
      model.variables.forEach((v, i) => v.assign(trained.variables[i]));
    }
    return { name, model, optimizer: createOptimizer(1e-3) };
  });
  const best: Record<string, number> = {};
  try {
    // one warm-up epoch each (kernels compiled, memory allocated), then the timed rounds
    for (const t of trainees) await trainEpoch(t.model, subset, t.optimizer, { batchSize, seed: 0 });
    for (let r = 0; r < rounds; r++) {
      for (const t of trainees) {
        const start = performance.now();
        await trainEpoch(t.model, subset, t.optimizer, { batchSize, seed: r + 1 });
        const seconds = (performance.now() - start) / 1000 / Math.ceil(subset.count / batchSize);
        best[t.name] = Math.min(best[t.name] ?? Infinity, seconds);
      }
    }
  } finally {
    for (const t of trainees) {
      t.model.dispose();
      t.optimizer.dispose();
    }
  }
  return best;
}
