/**
 * The kit's own versions of the course tasks that have no function elsewhere in the kit: the cells
 * after a task use these (never the learner's function), so a learner who skips a task can still
 * run the rest of the notebook. The other tasks' kit versions live where the lesson puts them
 * (klPenalty in core/losses.ts, sparsityReport in core/analysis.ts, ...); see tasks.ts.
 */
import * as tf from '../runtime/tf';
import type { SparseAutoencoder } from '../core/sae';
import type { Optimizer } from '../core/train';
import { choleskySolve } from '../exercises/omp';

/**
 * One optimizer step of the lesson's training loop (Part 3) on the batch x [batch, inputDim]:
 * the gradient of model.losses(x).total with respect to every weight, applied by `optimizer`.
 * Returns the total loss at the weights before the step (what tf.variableGrads computed), as the
 * lesson's loop records it. Leaves no tensors behind.
 */
export function trainStep(model: SparseAutoencoder, x: tf.Tensor2D, optimizer: Optimizer): number {
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  try {
    optimizer.applyGradients(grads);
    return value.dataSync()[0];
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}

/**
 * Entry i of the central-difference gradient, (f(x + eps e_i) - f(x - eps e_i)) / (2 eps): x[i] is
 * moved both ways in place and put back.
 */
export function centralDifference(f: (x: Float64Array) => number, x: Float64Array, i: number, eps: number): number {
  const keep = x[i];
  x[i] = keep + eps;
  const up = f(x);
  x[i] = keep - eps;
  const down = f(x);
  x[i] = keep;
  return (up - down) / (2 * eps);
}

/**
 * Central finite differences: entry i is (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), whose error
 * shrinks like eps^2 (forward differences: like eps). `x` is perturbed in place, one entry at a
 * time, and left as it was.
 */
export function numericalGradient(f: (x: Float64Array) => number, x: Float64Array, eps = 1e-5): Float64Array {
  if (!(eps > 0 && Number.isFinite(eps))) throw new Error(`eps = ${eps} is invalid: expected a finite number > 0`);
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) g[i] = centralDifference(f, x, i, eps);
  return g;
}

/** One row of a sweep: the weight and what `measure` returned for the model trained with it. */
export interface SweepRow<T> {
  weight: number;
  result: T;
}

/**
 * Exercise 1's loop: for each weight in order, train a model (`trainAt`, e.g. through the results
 * cache), measure it, and dispose it before the next, so one model at a time is in memory.
 */
export async function weightSweep<T>(weights: readonly number[], trainAt: (weight: number) => Promise<SparseAutoencoder>,
  measure: (model: SparseAutoencoder) => T): Promise<SweepRow<T>[]> {
  const rows: SweepRow<T>[] = [];
  for (const weight of weights) {
    const model = await trainAt(weight);
    try {
      rows.push({ weight, result: measure(model) });
    } finally {
      model.dispose();
    }
  }
  return rows;
}

/** A penalty weight and the population sparsity measured with it. */
export interface SparsityMatch {
  weight: number;
  sparsity: number;
}

/**
 * Exercise 2 at matched sparsity: the weight in [low, high] whose model's population sparsity
 * is closest to `target`, found with `steps` measurements (each one a training run). Sparsity
 * falls as the weight grows, so this bisects the bracket; the weights span decades, so it bisects
 * in log space (the middle of [low, high] is sqrt(low * high)). Returns the closest measurement.
 */
export async function matchSparsity(target: number, measure: (weight: number) => Promise<number>, low: number, high: number,
  steps: number): Promise<SparsityMatch> {
  if (!(target > 0 && target < 1)) throw new Error(`target = ${target} is invalid: expected a fraction strictly between 0 and 1`);
  if (!(low > 0 && high > low && Number.isFinite(high))) throw new Error(`[low, high] = [${low}, ${high}] is invalid: expected 0 < low < high`);
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`steps = ${steps} is invalid: expected an integer >= 1`);
  let best: SparsityMatch | null = null;
  for (let s = 0; s < steps; s++) {
    const weight = Math.sqrt(low * high);
    const sparsity = await measure(weight);
    if (best === null || Math.abs(sparsity - target) < Math.abs(best.sparsity - target)) best = { weight, sparsity };
    if (sparsity > target) low = weight;
    else high = weight;
  }
  return best as SparsityMatch;
}

/**
 * The coefficients c that make sum_s c[s] atom[support[s]] closest to x (least squares, through the
 * normal equations G c = D_S x with G the support atoms' Gram matrix, solved by Cholesky).
 * `atoms` holds one atom per row ([count, dim]). Throws when the chosen atoms are linearly dependent.
 * A tool for the OMP task: OMP's refit step is exactly this.
 */
export function leastSquares(atoms: Float64Array, dim: number, support: readonly number[], x: Float64Array): number[] {
  const n = support.length;
  const count = atoms.length / dim;
  if (x.length !== dim) throw new Error(`x has ${x.length} values, expected dim = ${dim}`);
  for (const j of support) {
    if (!(Number.isInteger(j) && j >= 0 && j < count)) throw new Error(`support holds ${j}, not an atom index in [0, ${count - 1}]`);
  }
  const dot = (a: number, b: number) => {
    let s = 0;
    for (let t = 0; t < dim; t++) s += atoms[a * dim + t] * atoms[b * dim + t];
    return s;
  };
  const rhs = support.map((j) => {
    let s = 0;
    for (let t = 0; t < dim; t++) s += atoms[j * dim + t] * x[t];
    return s;
  });
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) gram[i * n + j] = dot(support[i], support[j]);
  const c = choleskySolve(gram, rhs, n);
  if (c === null) throw new Error(`the atoms ${support.join(', ')} are linearly dependent: no unique least-squares fit`);
  return c;
}
