/**
 * Checks of the exercises' loops around training: the sweep of Exercise 1 (notebook 07) and the
 * search for a matching sparsity of Exercise 2 (notebook 08). Both run on stand-ins (small models
 * that take a few ms to "train", sparsity curves given as formulas), so they take a second, not hours.
 * A check is one function, a table of independent cases: its `make` (the learner's call and the
 * usual mistakes' hints, in the order they are tried) and the list of cases, so it runs past ~50 lines
 * (CONTRIBUTING rule 4's exception for a list of independent cases).
 */
import { SparseAutoencoder, createModel } from '../core/sae';
import { SparsityMatch, SweepRow, matchSparsity as kitMatchSparsity } from './reference';
import { AsyncCase, CheckOptions, CheckResult, runCheckAsync } from './runner';
import { Failure, describeValue, list, num } from './format';
import { withinAsync, withinBudget } from './call';

/**
 * The learner's Exercise 1 loop: for each weight in order, `await trainAt(weight)`, measure the
 * model, dispose it; resolves to one row per weight.
 */
export type SweepFn = (weights: readonly number[], trainAt: (weight: number) => Promise<SparseAutoencoder>,
  measure: (model: SparseAutoencoder) => unknown) => Promise<SweepRow<unknown>[]>;

/** The learner's search for the weight whose population sparsity is closest to `target`, with at most `steps` measurements. */
export type MatchSparsityFn = (target: number, measure: (weight: number) => Promise<number>, low: number, high: number,
  steps: number) => Promise<SparsityMatch>;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const TINY = { inputDim: 3, hiddenDim: 2, latentDim: 2 } as const;

interface Trained {
  weight: number;
  model: SparseAutoencoder;
  /** what measure returns for this model: an object of its own, with no field a row could be mistaken for */
  token: { measurement: number };
  measured: number;
  disposed: boolean;
  release(): void;
}

/** Exercise 1's loop, on stand-in training runs (small real models that take a few ms each). */
export async function sweep(fn: SweepFn, options: CheckOptions = {}): Promise<CheckResult> {
  const make = (name: string, weights: number[], delayMs: number): AsyncCase => ({
    name,
    inputs: `weights ${list(weights)}, each training run taking ${delayMs} ms`,
    async run(): Promise<Failure | null> {
      const trained: Trained[] = [];
      // A run is open from its trainAt call until its model is disposed.
      let open = 0;
      let maxOpen = 0;
      let gotPromise = false;
      let measuredDead = false;
      let foreign = false;
      const trainAt = async (weight: number): Promise<SparseAutoencoder> => {
        open += 1;
        maxOpen = Math.max(maxOpen, open);
        await delay(delayMs);
        const model = createModel({ ...TINY, sparsityWeight: weight }, trained.length + 1);
        const free = model.dispose.bind(model);
        const rec: Trained = {
          weight, model, token: { measurement: trained.length + 1 }, measured: 0, disposed: false,
          release: () => { if (!rec.disposed) { rec.disposed = true; open -= 1; free(); } },
        };
        model.dispose = () => rec.release();
        trained.push(rec);
        return model;
      };
      const measure = (model: SparseAutoencoder): unknown => {
        if ((model as unknown) instanceof Promise) {
          gotPromise = true;
          return { measurement: -1 };
        }
        const rec = trained.find((r) => r.model === model);
        if (!rec) {
          foreign = true;
          return { measurement: -1 };
        }
        if (rec.disposed) measuredDead = true;
        rec.measured += 1;
        return rec.token;
      };
      let started = 0;
      const counted = async (weight: number) => {
        started += 1;
        return trainAt(weight);
      };
      try {
        // The part before the function's first await runs in this call: an endless loop there is stopped by the budget.
        const resolved = await withinAsync(withinBudget(() => fn(weights, counted, measure)));
        // What the function resolved to, as it was then (an array filled later by callbacks that nobody awaited is still empty).
        const rows = Array.isArray(resolved) ? resolved.slice() : resolved;
        const unfinished = started - trained.filter((r) => r.measured > 0).length;
        // Training runs the loop forgot to await finish now, so they can be checked and freed.
        await delay(delayMs * (weights.length + 2) + 5);
        const want = `rows for weights ${list(weights)}`;
        if (gotPromise) return { expected: 'measure to get a trained model', got: 'a Promise', hint: 'trainAt returns a Promise: await it before measuring the model' };
        if (foreign) return { expected: 'measure to get the model trainAt gave', got: 'another object', hint: 'measure exactly the model that trainAt(weight) resolved to' };
        if (unfinished > 0 && weights.length > 0) {
          return {
            expected: `${weights.length} rows when your function's promise resolves`,
            got: `${Array.isArray(rows) ? rows.length : 0} rows then, with ${unfinished} of ${started} training runs still unfinished`,
            hint: 'your function resolved before its training runs finished: forEach (and map without awaiting the promises) does not wait for an async callback. ' +
              'Use for (const weight of weights) { const model = await trainAt(weight); ... }',
          };
        }
        if (!Array.isArray(rows)) return { expected: want, got: describeValue(rows), hint: 'return (resolve to) an array with one { weight, result } row per weight' };
        const order = trained.map((r) => r.weight);
        if (order.length !== weights.length || order.some((w, i) => w !== weights[i])) {
          return {
            expected: `training runs for ${list(weights)}`,
            got: `training runs for ${list(order)}`,
            hint: 'train once per weight, in the order given: one trainAt(weight) call each',
          };
        }
        if (measuredDead) return { expected: 'each model measured before it is disposed', got: 'a disposed model measured', hint: 'measure the model first, then dispose it' };
        const unmeasured = trained.filter((r) => r.measured !== 1);
        if (unmeasured.length > 0) {
          const r = unmeasured[0];
          return { expected: 'each model measured once', got: `the model of weight ${num(r.weight)} measured ${r.measured} times`, hint: 'call measure(model) once per trained model and keep what it returns' };
        }
        const bad = rows.findIndex((row, i) => !row || row.weight !== weights[i] || row.result !== trained[i]?.token);
        if (rows.length !== weights.length || bad >= 0) {
          const got = rows.map((row) => (row && typeof row === 'object' ? ('weight' in row ? num(row.weight) : 'a row without a weight') : describeValue(row)));
          return {
            expected: `${weights.length} rows { weight, result } in the order of the weights, ${list(weights)}`,
            got: `${rows.length} rows with weights [${got.join(', ')}]`,
            hint: bad >= 0 && rows[bad] && rows[bad].weight === weights[bad]
              ? 'each row\'s result is what measure returned for the model trained with that row\'s weight'
              : 'one row per weight, in the order given: { weight, result: measure(model) }',
          };
        }
        const kept = trained.filter((r) => !r.disposed);
        if (kept.length > 0) {
          return {
            expected: 'every model disposed after it is measured',
            got: `${kept.length} of ${trained.length} still in memory`,
            hint: 'dispose each model (model.dispose()) once it is measured: ten lesson-sized models would hold about 40 MB of weights',
          };
        }
        if (maxOpen > 1) {
          return {
            expected: 'one training run at a time (each model trained, measured and disposed before the next starts)',
            got: `${maxOpen} at once`,
            hint: 'train, measure and dispose one model before training the next: a for...of loop with await, not weights.map with Promise.all',
          };
        }
        return null;
      } finally {
        for (const r of trained) r.release();
      }
    },
  });
  return runCheckAsync('sweep', [
    make('three weights', [1e-3, 1e-2, 1e-1], 5),
    make('Exercise 1\'s L1 weights', [1e-4, 1e-3, 1e-2, 1e-1, 1], 1),
    make('weights out of order', [0.1, 1e-3, 1, 1e-2], 2),
    make('one weight', [0.5], 20),
    make('no weights', [], 1),
  ], options);
}

/** A population sparsity that falls with the weight: a / (1 + (w / w0)^p). */
function curve(a: number, w0: number, p: number): (w: number) => number {
  return (w) => a / (1 + (w / w0) ** p);
}

/** Matching a target sparsity by searching the penalty weight, on stand-in sparsity curves. */
export async function matchSparsity(fn: MatchSparsityFn, options: CheckOptions = {}): Promise<CheckResult> {
  const make = (name: string, target: number, s: (w: number) => number, low: number, high: number, steps: number): AsyncCase => ({
    name,
    inputs: `target ${target}, weights in [${low}, ${high}], ${steps} measurement${steps === 1 ? '' : 's'}`,
    async run(): Promise<Failure | null> {
      const ref = await kitMatchSparsity(target, async (w) => s(w), low, high, steps);
      const refError = Math.abs(ref.sparsity - target);
      const calls: { weight: number; sparsity: number }[] = [];
      const measure = async (weight: number): Promise<number> => {
        await delay(1);
        const sparsity = s(weight);
        calls.push({ weight, sparsity });
        return sparsity;
      };
      const got = await withinAsync(withinBudget(() => fn(target, measure, low, high, steps)));
      const expected = `a measured weight with |sparsity - ${target}| <= ${num(refError)} (as close as bisection gets)`;
      if (!got || typeof got !== 'object') return { expected, got: describeValue(got), hint: 'return (resolve to) { weight, sparsity }' };
      if ((got.sparsity as unknown) instanceof Promise || (got.weight as unknown) instanceof Promise) {
        return { expected, got: 'a Promise in the result', hint: 'measure returns a Promise (it trains a model): await measure(weight)' };
      }
      if (calls.length === 0) return { expected, got: 'no measurements', hint: 'measure the sparsity at the weights you try: measure(weight)' };
      if (calls.length > steps) {
        return { expected: `at most ${steps} measurements`, got: `${calls.length}`, hint: `each measurement is a training run: use at most steps = ${steps}` };
      }
      const outside = calls.find((c) => !(c.weight >= low * (1 - 1e-12) && c.weight <= high * (1 + 1e-12)));
      if (outside) return { expected: `weights in [${low}, ${high}]`, got: `a measurement at ${num(outside.weight)}`, hint: 'search inside [low, high]' };
      const gotText = `weight ${num(got.weight)}, sparsity ${num(got.sparsity)}`;
      if (!calls.some((c) => c.weight === got.weight && c.sparsity === got.sparsity)) {
        return { expected, got: `${gotText}, not a measured pair`, hint: 'return a weight you measured, with the sparsity measured at it' };
      }
      if (Math.abs(got.sparsity - target) <= refError + 1e-12) return null;
      let hint = 'keep a bracket [low, high] around the target and halve it with each measurement; return the closest measurement';
      const first = calls[0];
      const arithmetic = Math.abs(first.weight - (low + high) / 2) <= 1e-9 * high;
      const closest = calls.reduce((a, b) => (Math.abs(b.sparsity - target) < Math.abs(a.sparsity - target) ? b : a));
      if (arithmetic) {
        hint = 'the weights span decades: bisect in log space, where the middle of [low, high] is sqrt(low * high), not (low + high) / 2';
      } else if (calls.length >= 2 && (first.sparsity > target ? calls[1].weight < first.weight : calls[1].weight > first.weight)) {
        hint = 'sparsity falls as the weight grows: when the measured sparsity is above the target, try a larger weight';
      } else if (Math.abs(closest.sparsity - target) < Math.abs(got.sparsity - target)) {
        const last = calls[calls.length - 1];
        hint = got.weight === last.weight && got.sparsity === last.sparsity ? 'return the measurement closest to the target, not the last one'
          : 'return the measurement whose distance to the target, |sparsity - target|, is smallest (the absolute value: above and below count alike)';
      }
      return { expected, got: gotText, hint };
    },
  });
  return runCheckAsync('matchSparsity', [
    make('an L1-like curve', 0.05, curve(0.5, 0.003, 0.8), 1e-4, 1, 6),
    make('a KL-like curve', 0.2, curve(0.6, 0.05, 1.2), 1e-3, 10, 8),
    make('a steep curve', 0.1, curve(0.5, 0.02, 3), 1e-4, 1, 7),
    make('one measurement', 0.1, curve(0.5, 0.003, 0.8), 1e-4, 1, 1),
    make('a target no weight reaches', 0.9, curve(0.5, 0.003, 0.8), 1e-4, 1, 5),
  ], options);
}
