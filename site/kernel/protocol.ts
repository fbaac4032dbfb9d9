/** The messages between the site's kernel (extension.ts, the page) and its worker (worker.ts). */
export type ToWorker =
  | { type: 'init'; env: Record<string, string> }
  | { type: 'execute'; id: number; code: string };

export type IopubType = 'stream' | 'display_data' | 'update_display_data' | 'execute_result' | 'error' | 'clear_output';

export type FromWorker =
  | { type: 'ready'; error?: string }
  | { type: 'iopub'; id: number; msgType: IopubType; content: Record<string, unknown> }
  | { type: 'reply'; id: number; content: Record<string, unknown> };

/** The kernel's settings a page may set (site/kernel/env.ts), each as the SAE_* variable of the same name. */
export const SETTINGS = ['SAE_QUICK', 'SAE_BACKEND', 'SAE_RETRAIN', 'SAE_CHECK_RAISE', 'SAE_ENGINE'] as const;
