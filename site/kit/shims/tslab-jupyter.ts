/**
 * What the kit reads of tslab's kernel (`require('tslab/dist/jupyter')`, src/runtime/progress.ts):
 * the hook that sends a display_data (or update_display_data) from the cell that runs now. In the
 * browser the site's kernel (site/kernel/worker.ts) sets it while a cell runs.
 */
type Write = (data: { data: Record<string, unknown>; metadata: object; transient: object }, update: boolean) => void;

export let lastWriteDisplayData: Write | null = null;

export function setDisplayHook(write: Write | null): void {
  lastWriteDisplayData = write;
}
