/**
 * Node's `worker_threads` for the browser build: the kernel's worker is the main thread as far as
 * the kit knows, and no worker can be started (the kit's pools see one core: os.ts).
 */
export const isMainThread = true;
export const parentPort = null;
export const workerData = null;
export class Worker {
  constructor() {
    throw new Error('sae-lab in the browser: worker threads are not available here (models train one after another in this tab)');
  }
}
export default { isMainThread, parentPort, workerData, Worker };
