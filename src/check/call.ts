/**
 * How a check calls the learner's function: with a time budget, inside a scope that counts by
 * identity the tensors the call made and left alive, and frees them, so a check never leaks
 * whatever the function does.
 *
 * The time budget. A synchronous function that never returns would hang the cell with no message.
 * The call runs through `vm.runInNewContext` with a timeout: V8 stops the running code after
 * `CALL_SECONDS`, wherever it is (an endless loop too), and the check reports it. A stopped call
 * runs no `finally` block, so the tfjs scopes it opened are closed here. A right answer to any case
 * takes well under 0.1 s; the budget is 100 times that. Async tasks get `ASYNC_SECONDS` for the
 * whole call (a promise that never settles); a synchronous endless loop inside an async function
 * cannot be stopped from the same thread, and hangs the cell like any other.
 */
import * as vm from 'vm';
import * as tf from '../runtime/tf';
import { describeValue } from './format';

/** The budget of one synchronous call of the learner's function, in seconds. */
export const CALL_SECONDS = 10;
/** The budget of one async call (a whole sweep of stand-in training runs), in seconds. */
export const ASYNC_SECONDS = 10;

/** The budget of the check now running (runCheck sets it from CheckOptions.seconds). */
export const budget = { seconds: CALL_SECONDS, asyncSeconds: ASYNC_SECONDS };

/** The learner's function did not return within its budget. */
export class TimedOut extends Error {
  constructor(readonly seconds: number) {
    super(`your function did not return within ${seconds} s`);
    Object.setPrototypeOf(this, TimedOut.prototype);
    this.name = 'TimedOut';
  }
}

interface EngineState {
  scopeStack: { track: tf.Tensor[] }[];
  activeScope: { track: tf.Tensor[] } | null;
  gradientDepth: number;
  kernelDepth: number;
  activeTape: { saved?: tf.Tensor[] }[] | null;
  numDataMovesStack: unknown[];
}

/** tfjs's engine state: the scope stack, so a stopped call's open scopes can be closed. */
function engineState(): EngineState {
  return (tf.engine() as unknown as { state: EngineState }).state;
}

/** Runs `f` with the time budget; restores tfjs's scope bookkeeping when the budget stops it. */
export function withinBudget<T>(f: () => T, seconds = budget.seconds): T {
  const state = engineState();
  const saved = {
    depth: state.scopeStack.length, gradientDepth: state.gradientDepth, kernelDepth: state.kernelDepth,
    activeTape: state.activeTape, moves: state.numDataMovesStack.length,
  };
  try {
    return vm.runInNewContext('run()', { run: f }, { timeout: seconds * 1000 }) as T;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw err;
    while (state.scopeStack.length > saved.depth) tf.engine().endScope(null as unknown as tf.TensorContainer);
    state.gradientDepth = saved.gradientDepth;
    state.kernelDepth = saved.kernelDepth;
    state.activeTape = saved.activeTape;
    state.numDataMovesStack.length = saved.moves;
    throw new TimedOut(seconds);
  }
}

/**
 * Runs `f`, which takes gradients (tf.grads) of a function that may throw in its backward pass (a
 * learner's tf.customGrad): tfjs frees the tensors its tape saved for the backward pass only when
 * the pass succeeds, so on an error they are freed here before the error goes on.
 */
export function freeingTape<T>(f: () => T): T {
  const state = engineState();
  try {
    return f();
  } catch (err) {
    if (state.gradientDepth === 0 && state.activeTape) {
      for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
      state.activeTape = null;
    }
    throw err;
  }
}

/** What one call of the learner's function gave. */
export interface LearnerCall<T> {
  /** what the function returned; a returned tensor is disposed by now (read `values`) */
  returned: T;
  /** the returned value described when it was returned ("a tensor of shape [3]", "undefined ...") */
  description: string;
  /** a returned live tensor's values and shape (null / [] for anything else) */
  values: Float32Array | null;
  shape: number[];
  /** tensors the call made and left alive, not counting the returned one */
  leaked: number;
  /** the names of the input tensors the call disposed */
  disposed: string[];
}

/**
 * Calls `f` on the tensors `make` builds (named by `names`, for messages) inside a scope: reads a
 * returned tensor, counts the tensors made during the call that are still alive (by identity: a
 * leak is not hidden by a disposed input), then frees everything. Throws what `f` throws, or
 * TimedOut.
 */
export function callLearner<T>(make: () => tf.Tensor[], f: (inputs: tf.Tensor[]) => T, names: string[] = [],
  seconds = budget.seconds): LearnerCall<T> {
  let out: LearnerCall<T> | null = null;
  tf.tidy(() => {
    const inputs = make();
    const scope = engineState().activeScope as { track: tf.Tensor[] };
    const start = scope.track.length;
    const returned = withinBudget(() => f(inputs), seconds);
    const description = describeValue(returned);
    let values: Float32Array | null = null;
    let shape: number[] = [];
    if (returned instanceof tf.Tensor && !returned.isDisposed) {
      values = Float32Array.from(returned.dataSync());
      shape = returned.shape.slice();
    }
    const made = scope.track.slice(start).filter((t) => !t.isDisposed && t !== (returned as unknown) && !inputs.includes(t));
    const disposed = inputs.map((t, i) => (t.isDisposed ? names[i] ?? `input ${i}` : '')).filter(Boolean);
    // Kept tensors (tf.keep) survive the scope: free them here.
    for (const t of made) t.dispose();
    if (returned instanceof tf.Tensor && !inputs.includes(returned)) returned.dispose();
    out = { returned, description, values, shape, leaked: made.length, disposed };
  });
  return out as unknown as LearnerCall<T>;
}

/** Calls a learner's function that takes and returns no tensors, with the same budget and leak count. */
export function callPlain<T>(f: () => T, seconds = budget.seconds): LearnerCall<T> {
  return callLearner(() => [], () => f(), [], seconds);
}

/** Resolves to `p`'s value, or rejects with TimedOut after `seconds` (a promise that never settles). */
export async function withinAsync<T>(p: Promise<T>, seconds = budget.asyncSeconds): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(seconds)), seconds * 1000);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
