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

/**
 * The one progress renderer: a title, the lines kept so far (finished epochs, finished models) and
 * the line of what runs now with a bar of its fraction. `update` is throttled to one render per
 * `throttleMs` unless `force` (an epoch's last batch); `finished` keeps a line and renders at once.
 */
export interface ProgressView {
  update(now: string, fraction: number, force?: boolean): void;
  finished(line: string): void;
}

function throttled(throttleMs: number, render: (now: string, fraction: number) => void): ProgressView['update'] {
  let last = 0;
  return (now, fraction, force = false) => {
    const t = Date.now();
    if (t - last < throttleMs && !force) return;
    last = t;
    render(now, fraction);
  };
}

/** In a tslab display that overwrites itself: the title, the kept lines, a <progress> bar. */
export function htmlView(display: Pick<TslabDisplay, 'html'>, title: string, throttleMs = 250): ProgressView {
  const lines: string[] = [];
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
    update: throttled(throttleMs, render),
    finished(line) {
      lines.push(line);
      render('', 1);
    },
  };
}

/** On a terminal a bar rewritten with \r; where stderr is not a terminal (a log), the kept lines only. */
export function terminalView(stream: NodeJS.WriteStream = process.stderr, throttleMs = 200): ProgressView {
  const tty = Boolean(stream.isTTY);
  const update = throttled(throttleMs, (now, fraction) => {
    const full = Math.round(fraction * 30);
    if (now) stream.write(`\r[${'#'.repeat(full)}${'.'.repeat(30 - full)}] ${now}\x1b[K`);
  });
  return {
    update: (now, fraction, force) => (tty ? update(now, fraction, force) : undefined),
    finished(line) {
      stream.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    },
  };
}

/** The right view for where the code runs: a notebook display, else the terminal (or log). */
export function progressView(title: string, throttleMs?: number): ProgressView {
  const display = tslabDisplay();
  return display ? htmlView(display, title, throttleMs) : terminalView(process.stderr, throttleMs);
}

/** A training's reporter over a view: each batch the current line, each epoch a kept line. */
export function viewReporter(view: ProgressView): ProgressReporter {
  return {
    batch: (p) => view.update(describe(p), p.batch / p.batches, p.batch >= p.batches),
    epoch: (line) => view.finished(line),
  };
}

/** Shows progress in a tslab display that overwrites itself. */
export function notebookProgress(display: Pick<TslabDisplay, 'html'>, title: string, throttleMs = 250): ProgressReporter {
  return viewReporter(htmlView(display, title, throttleMs));
}

/** A bar on a terminal (rewritten with \r), or plain epoch lines when stderr is not a terminal. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr, throttleMs = 200): ProgressReporter {
  return viewReporter(terminalView(stream, throttleMs));
}

/** The right reporter for where the code runs. */
export function autoProgress(title = 'training'): ProgressReporter {
  return viewReporter(progressView(title));
}

/**
 * The one line of several models training at once (a pool, store/pool.ts): models finished are
 * kept lines, the models training now share the bar. Rendered at most every 250 ms.
 */
export function batchProgress(title: string): ProgressView {
  return progressView(title, 250);
}

/**
 * The quick-mode banner at the top of a notebook (a plain line outside one): the same in Node's
 * tslab and in the browser edition's kernel.
 */
export function showQuickBanner(notice: string): void {
  const display = tslabDisplay();
  if (display === null) {
    console.log(notice);
    return;
  }
  display.html(`<div class="sae-quick-banner" style="border:2px solid #b35900;background:#fff3e0;color:#5a2d00;` +
    `padding:.6em 1em;margin:.3em 0;font-weight:bold">${escapeHtml(notice)}</div>`);
}
