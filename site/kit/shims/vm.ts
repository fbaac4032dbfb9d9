/**
 * Node's `vm` for the browser build: the course checks run a learner's function through
 * vm.runInNewContext('run()', { run }, { timeout }) (src/check/call.ts). A browser has no way to stop
 * running code from the same thread, so here the function simply runs, with no time budget.
 */
export function runInNewContext(code: string, context: Record<string, unknown>): unknown {
  if (code !== 'run()' || typeof context.run !== 'function') {
    throw new Error(`sae-lab in the browser: vm.runInNewContext only runs 'run()' with a run function, not ${JSON.stringify(code)}`);
  }
  return (context.run as () => unknown)();
}
export default { runInNewContext };
