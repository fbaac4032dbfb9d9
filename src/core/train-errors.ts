/** The trainer's errors: a loss or an update that stops being finite, named by epoch and batch. */

/**
 * Thrown when a loss stops being a finite number. The step is not applied, so the model keeps
 * the weights it had: all finite (the trainer never applies an update that is not), but they give
 * this non-finite loss on this batch.
 */
export class NonFiniteLossError extends Error {
  constructor(readonly epoch: number, readonly batch: number, readonly values: Record<string, number>) {
    super(
      `loss is not finite at epoch ${epoch}, batch ${batch} (${describeLosses(values)}); ` +
      'this step was not applied. The model keeps its weights from before the step: they are all finite, ' +
      'but give this non-finite loss on this batch. Try a smaller learning rate or sparsity weight.');
    this.name = 'NonFiniteLossError';
  }
}

/**
 * Thrown when an optimizer step would make a weight NaN or infinite while the loss before it was
 * finite (a huge learning rate does this). The step is not applied: the model keeps the weights
 * that gave the finite loss `values` on this batch.
 */
export class NonFiniteUpdateError extends Error {
  constructor(readonly epoch: number, readonly batch: number, readonly values: Record<string, number>) {
    super(
      `the update at epoch ${epoch}, batch ${batch} would make weights NaN or infinite, so it was not applied; ` +
      `the model keeps the weights that gave a finite loss on this batch (total ${values.total}). ` +
      'Try a smaller learning rate.');
    this.name = 'NonFiniteUpdateError';
  }
}

/** "total 0.5, reconstruction 0.4, ..." */
function describeLosses(values: Record<string, number>): string {
  return Object.entries(values).map(([k, v]) => `${k} ${v}`).join(', ');
}

/** The losses of one batch by name. */
export function named(names: string[], values: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((k, i) => { out[k] = values[i]; });
  return out;
}
