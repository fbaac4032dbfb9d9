/** Node's `util` for the browser build: the kit only uses inspect.custom (src/check/runner.ts). */
function inspect(value: unknown): string {
  return String(value);
}
inspect.custom = Symbol.for('nodejs.util.inspect.custom');
export { inspect };
export default { inspect };
