/**
 * The error a task's stub throws in the student notebooks:
 *
 *   function myKlPenalty(h: tf.Tensor2D, rho: number): tf.Scalar {
 *     // YOUR CODE HERE
 *     throw new NotImplemented('klPenalty');
 *   }
 *
 * A body that only throws type-checks against any signature, so the student version of a notebook
 * compiles in tslab (which runs nothing in a cell that has a type error). The task name is optional
 * because nbgrader's code stub is one fixed string per language; the check that catches the error
 * knows its task and names it.
 */
export class NotImplemented extends Error {
  /** the task (the check's name), when the stub gave it */
  declare readonly task: string | null;

  constructor(task?: string) {
    super(task ? `not implemented yet: ${task}` : 'not implemented yet');
    Object.setPrototypeOf(this, NotImplemented.prototype);
    this.name = 'NotImplemented';
    // Not enumerable, so the printed error does not end in "{ task: ... }".
    Object.defineProperty(this, 'task', { value: task ?? null, enumerable: false });
    oneLine(this);
  }
}

/**
 * Makes `err` print as one line, `[Name: message]`, in tslab. tslab prints a failed cell's error with
 * console.error, and Node's vm prefixes the stack of an error thrown out of a cell with the source
 * line that threw it (here a line of the kit, which says nothing to a learner). Node decorates only a
 * string stack, and util.inspect falls back to "Name: message" when there is none: so, no stack.
 */
export function oneLine(err: Error): void {
  delete (err as { stack?: string }).stack;
}

/** True for a NotImplemented, also one from another copy of this module (a reloaded kit). */
export function isNotImplemented(err: unknown): err is NotImplemented {
  return err instanceof NotImplemented || (err instanceof Error && err.name === 'NotImplemented');
}
