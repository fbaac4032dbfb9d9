/**
 * Progress of long runs: in a tslab notebook one display that rewrites itself in place,
 * in a terminal a progress bar on stderr, in a log (CI) one line per epoch.
 */
import { randomBytes } from 'crypto';

/**
 * Lets Node's event loop run. Inside a Jupyter kernel, output (progress displays, charts, printed
 * lines) leaves the kernel only when the event loop runs, so long loops call this now and then.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface BatchProgress {
  epoch: number;
  epochs: number;
  /** batches finished in this epoch */
  batch: number;
  batches: number;
  /** running mean of the total loss in this epoch */
  loss: number;
  /** seconds since this epoch began */
  seconds: number;
}

export interface ProgressReporter {
  /** After each batch (reporters throttle themselves). */
  batch(p: BatchProgress): void;
  /** After each epoch, with the line to keep. */
  epoch(line: string): void;
}

/** A reporter that shows nothing. */
export const silentProgress: ProgressReporter = { batch() {}, epoch() {} };

/**
 * A worker thread's reporter: passes on at most one batch every 200 ms (and each epoch's last
 * batch), so the messages to the main thread stay few; every epoch line goes through.
 */
export function throttledProgress(batch: (p: BatchProgress) => void, epoch: (line: string) => void = () => {}): ProgressReporter {
  let last = 0;
  return {
    batch(p) {
      const t = Date.now();
      if (t - last < 200 && p.batch < p.batches) return;
      last = t;
      batch(p);
    },
    epoch,
  };
}

export interface TslabDisplay {
  /** shows (first call) or replaces (later calls) this display's output with HTML */
  html(s: string): void;
  /**
   * the same with one output that carries several MIME types at once (a bundle such as
   * {'application/vnd.plotly.v1+json': ..., 'text/html': ...}); tslab's own display API sends one
   * MIME type per call, and two calls make two outputs
   */
  bundle(data: Record<string, unknown>): void;
}

interface TslabJupyter {
  lastWriteDisplayData: ((data: { data: Record<string, unknown>; metadata: object; transient: object }, update: boolean) => void) | null;
}

/** tslab's kernel module when running inside a tslab kernel cell, else null. */
function tslabJupyter(): TslabJupyter | null {
  try {
    // tslab sets this hook while a cell executes; outside the kernel it stays null.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const jupyter = require('tslab/dist/jupyter') as TslabJupyter;
    return jupyter.lastWriteDisplayData == null ? null : jupyter;
  } catch {
    return null;
  }
}

/**
 * A new in-place display when running inside a tslab kernel cell, else null. It does what tslab's
 * newDisplay() does (display_data, then update_display_data under one display_id, through the hook
 * of the cell that runs now), with any number of MIME types per output.
 */
export function tslabDisplay(): TslabDisplay | null {
  const jupyter = tslabJupyter();
  if (jupyter === null) return null;
  const id = randomBytes(8).toString('hex');
  let update = false;
  const send = (data: Record<string, unknown>) => {
    const write = jupyter.lastWriteDisplayData;
    if (write == null) throw new Error('Not ready');
    write({ data, metadata: {}, transient: { display_id: id } }, update);
    update = true;
  };
  return { html: (s) => send({ 'text/html': s }), bundle: send };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function describe(p: BatchProgress): string {
  return `epoch ${p.epoch}/${p.epochs}  batch ${p.batch}/${p.batches}  loss ${p.loss.toFixed(6)}  ${p.seconds.toFixed(1)} s`;
}

function bar(fraction: number, width: number): string {
  const full = Math.round(fraction * width);
  return '#'.repeat(full) + '.'.repeat(width - full);
}

/** Shows progress in a tslab display that overwrites itself. */
export function notebookProgress(display: Pick<TslabDisplay, 'html'>, title: string, throttleMs = 250): ProgressReporter {
  const lines: string[] = [];
  let last = 0;
  const render = (current: string, fraction: number) => {
    const done = lines.map((l) => `<div>${escapeHtml(l)}</div>`).join('');
    const now = current
      ? `<div><progress value="${fraction.toFixed(4)}" max="1" style="width:16em"></progress> ${escapeHtml(current)}</div>`
      : '';
    try {
      display.html(`<div style="font-family:monospace"><b>${escapeHtml(title)}</b>${done}${now}</div>`);
    } catch {
      // A progress display must never stop training (tslab throws when its output queue is
      // full, which happens when a loop does not yield to the event loop).
    }
  };
  return {
    batch(p) {
      const t = Date.now();
      if (t - last < throttleMs && p.batch < p.batches) return;
      last = t;
      render(describe(p), p.batch / p.batches);
    },
    epoch(line) {
      lines.push(line);
      render('', 1);
    },
  };
}

/** A bar on a terminal (rewritten with \r), or plain epoch lines when stderr is not a terminal. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr, throttleMs = 200): ProgressReporter {
  let last = 0;
  const tty = Boolean(stream.isTTY);
  return {
    batch(p) {
      if (!tty) return;
      const t = Date.now();
      if (t - last < throttleMs && p.batch < p.batches) return;
      last = t;
      stream.write(`\r[${bar(p.batch / p.batches, 30)}] ${describe(p)}\x1b[K`);
    },
    epoch(line) {
      stream.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    },
  };
}

/** The right reporter for where the code runs. */
export function autoProgress(title = 'training'): ProgressReporter {
  const display = tslabDisplay();
  return display ? notebookProgress(display, title) : terminalProgress();
}
