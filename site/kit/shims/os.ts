/**
 * Node's `os` for the browser build: one core, so the kit's training pools train in this thread
 * (a web page has no worker_threads; site/kit/shims/worker_threads.ts).
 */
export function cpus(): { model: string; speed: number }[] {
  return [{ model: 'browser', speed: 0 }];
}
export function availableParallelism(): number {
  return 1;
}
export function platform(): string {
  return 'browser';
}
export function tmpdir(): string {
  return '/tmp';
}
export function homedir(): string {
  return '/home/learner';
}
export const EOL = '\n';
export default { cpus, availableParallelism, platform, tmpdir, homedir, EOL };
