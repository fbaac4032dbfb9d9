/**
 * Progress of long runs: in a tslab notebook one display that rewrites itself in place,
 * in a terminal a progress bar on stderr, in a log (CI) one line per epoch.
 */

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

interface TslabDisplay {
  html(s: string): void;
}

/** A new in-place display when running inside a tslab kernel cell, else null. */
export function tslabDisplay(): TslabDisplay | null {
  try {
    // tslab sets this hook while a cell executes; outside the kernel it stays null.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const jupyter = require('tslab/dist/jupyter');
    if (jupyter.lastWriteDisplayData == null) return null;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('tslab').newDisplay() as TslabDisplay;
  } catch {
    return null;
  }
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
export function notebookProgress(display: TslabDisplay, title: string, throttleMs = 250): ProgressReporter {
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
