#!/usr/bin/env python3
"""Executes one notebook headless in a Jupyter kernel (nbclient), for tests and `npm run lesson`.

usage: execute_notebook.py IN.ipynb OUT.ipynb [--html OUT.html] [--kernel tslab] [--timeout S]
                           [--mathjax-url URL] [--plotly-url URL | --plotly-file FILE]

tslab reports a failing cell only on stderr (Jupyter just sees an error with no message),
so on failure this prints the failing cell's source and everything it wrote to stderr.
The failing cell is the one that was running when the run stopped (tracked as each cell starts,
not guessed from execution counts: a cell that hangs or kills the kernel never gets one).
Cells are numbered as in the notebook file, from 0, markdown cells included; messages also
give the code cell's ordinal ("cell 5 (3rd code cell)"). A kernel that fails before any cell ran
(it died at start, or never answered) is started afresh, three tries in all, saying so on stderr.

The last line printed is a JSON summary:
{"notebook", "cells", "seconds", "errors", "failed_cell", "code_cell", "reason"}
where reason is null, "error", "timeout", "kernel died" or "not run" (a cell never ran), or
"unreadable" when IN is not a notebook (then "message" says why in one line, and nothing is written).
"""
import argparse
import asyncio
import json
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


LOOKS_FAILED = r"^\d+:\d+ - |^\w*Error\b.*:|^\s+at .+[(:]\d+"


def cell_stderr(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        if out.get("output_type") == "error":
            parts.append("%s: %s" % (out.get("ename", ""), out.get("evalue", "")))
    return "".join(parts)


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError("%r is not a whole number of seconds > 0" % text)
    return value


def ordinal(n):
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return "%d%s" % (n, suffix)


class TrackingClient(NotebookClient):
    """Remembers which cell is running, so a timeout or a dead kernel is blamed on the right one."""

    running = None        # index (in nb.cells) of the code cell that started last
    running_done = False  # whether that cell finished
    exit_code = None      # the kernel's exit status, when it died

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        if cell.cell_type == "code" and cell.source.strip():
            self.running = cell_index
            self.running_done = False
        try:
            result = await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        except (CellTimeoutError, DeadKernelError) as err:
            # Kill the kernel outright: a busy or hanging kernel would not answer a polite shutdown.
            self.shutdown_kernel = "immediate"
            # nbclient leaves the cell's output reader pending after a timeout ("Task was destroyed
            # but it is pending!" at exit); stop it.
            for task in asyncio.all_tasks():
                if getattr(task.get_coro(), "__name__", "") == "_async_poll_output_msg":
                    task.cancel()
            if isinstance(err, DeadKernelError):
                self.exit_code = self._kernel_exit_code()
            raise
        if cell_index == self.running:
            self.running_done = True
        return result

    def _kernel_exit_code(self):
        km = getattr(self, "km", None)
        process = getattr(getattr(km, "provisioner", None), "process", None) or getattr(km, "kernel", None)
        try:
            return process.poll() if process is not None else None
        except Exception:
            return None


def html_page(nb, args):
    """The notebook as one HTML page, with scripts/nbconvert/lesson (every script from a local copy)."""
    from nbconvert import HTMLExporter
    exporter = HTMLExporter(
        extra_template_basedirs=[os.path.join(os.path.dirname(os.path.abspath(__file__)), "nbconvert")],
        template_name="lesson",
    )
    sae = {"mathjax_url": args.mathjax_url, "plotly_url": args.plotly_url, "plotly_js": None}
    if args.plotly_file and not args.plotly_url:
        with open(args.plotly_file, encoding="utf-8") as f:
            sae["plotly_js"] = re.sub(r"</(script)", r"<\\/\1", f.read(), flags=re.I)
    body, _ = exporter.from_notebook_node(nb, resources={"sae": sae})
    return body


def run_once(nb, args):
    """Runs the notebook once; returns (client, failed, reason, what, message)."""
    client = TrackingClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.src))}},
    )
    failed = None
    reason = None
    what = "failed"
    message = ""
    try:
        client.execute()
    except CellTimeoutError as err:
        failed = client.running if client.running is not None else -1
        reason = "timeout"
        what = "timed out after %d s" % args.timeout
        message = ("CellTimeoutError: the cell was still running after %d s (the per-cell timeout: "
                   "--timeout, SAE_CELL_TIMEOUT); the kernel was stopped and the cells after it did not run"
                   % args.timeout)
    except DeadKernelError as err:
        reason = "kernel died"
        code = client.exit_code
        status = "exit code %s" % code if code is not None and code >= 0 else (
            "killed by signal %d" % -code if code is not None else "exit status unknown")
        if client.running is not None:
            failed = client.running
            what = "was running when the kernel died (%s)" % status
            message = ("DeadKernelError: the kernel process exited (%s) while cell %d was running "
                       "(process.exit()? out of memory?); the cells after it did not run" % (status, failed))
        else:
            failed = -1
            what = "kernel died before any cell ran"
            message = "DeadKernelError: the kernel exited (%s) before any cell ran: %s" % (status, err)
    except CellExecutionError as err:
        # tslab sends no "error" output; the failing cell is the one that was running.
        failed = client.running if client.running is not None else -1
        reason = "error"
        message = "%s: %s" % (type(err).__name__, str(err).strip())
    except Exception as err:  # a zmq timeout, a kernel that never started, ...
        failed = client.running if client.running is not None and not client.running_done else -1
        reason = "kernel died" if failed >= 0 else "error"
        if failed < 0:
            what = "the run failed before any cell ran" if client.running is None else "the run failed after the last cell"
        message = "%s: %s" % (type(err).__name__, err)
    return client, failed, reason, what, message


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--html")
    ap.add_argument("--kernel", default="tslab")
    ap.add_argument("--mathjax-url", help="MathJax 3 (tex-chtml-full.js) for the HTML page (default: nbconvert's MathJax 2 from its CDN)")
    ap.add_argument("--plotly-url", help="plotly.js for the HTML page's charts, as a <script src>")
    ap.add_argument("--plotly-file", help="plotly.js for the HTML page's charts, inlined")
    ap.add_argument("--timeout", type=positive_int, default=1800, help="seconds per cell (default 1800)")
    args = ap.parse_args()

    try:
        nb = nbformat.read(args.src, as_version=4)
    except Exception as err:  # not JSON, not a notebook, not readable: one line, no traceback
        message = "%s is not a readable notebook: %s: %s" % (
            args.src, type(err).__name__, " ".join(str(err).split()))
        sys.stderr.write(message + "\n")
        print(json.dumps({"notebook": args.src, "cells": 0, "seconds": 0, "errors": 1, "failed_cell": -1,
                          "code_cell": None, "reason": "unreadable", "message": message}))
        sys.exit(1)
    # A kernel that fails before any cell runs is not the notebook's fault: tslab's ZeroMQ sockets
    # can refuse the first message while they are still binding on a busy machine ("Socket is
    # blocked by a bind or unbind operation"). Start a fresh kernel, at most twice more.
    attempts = 3
    for attempt in range(1, attempts + 1):
        start = time.time()
        client, failed, reason, what, message = run_once(nb, args)
        no_kernel = message.startswith("NoSuchKernel")
        if client.running is not None or failed is None or no_kernel or attempt == attempts:
            break
        sys.stderr.write("the kernel failed before any cell ran (%s); starting a fresh one (try %d of %d)\n"
                         % (message, attempt + 1, attempts))
        nb = nbformat.read(args.src, as_version=4)
    if failed is None:
        # A cell that never ran means the run stopped early, whatever the client said.
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and cell.source.strip() and cell.get("execution_count") is None:
                failed = i
                reason = "not run"
                what = "never ran"
                message = "cell %d never ran (did the kernel die?)" % i
                break
    if failed is None:
        # tslab reports some problems only on stderr without failing the cell: compile
        # diagnostics ("line:col - message", e.g. a file outside its rootDir) and errors thrown
        # while a module loads. Treat both as failures.
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and re.search(LOOKS_FAILED, cell_stderr(cell), re.M):
                failed = i
                reason = "error"
                break
    seconds = time.time() - start
    os.makedirs(os.path.dirname(os.path.abspath(args.dst)), exist_ok=True)
    write_atomic(args.dst, nbformat.writes(nb))
    if args.html:
        write_atomic(args.html, html_page(nb, args))

    code_cells = sum(1 for c in nb.cells if c.cell_type == "code")
    code_cell = None
    if failed is not None and failed >= 0:
        code_cell = sum(1 for c in nb.cells[:failed + 1] if c.cell_type == "code")
        sys.stderr.write("\n=== %s: cell %d (%s code cell) %s ===\n"
                         "(cells count from 0 over the whole notebook, markdown included)\n"
                         % (args.src, failed, ordinal(code_cell), what))
        cell = nb.cells[failed]
        sys.stderr.write("--- source ---\n%s\n--- stderr ---\n%s\n" % (cell.source, cell_stderr(cell)))
    elif failed is not None:
        sys.stderr.write("\n=== %s: %s ===\n" % (args.src, what))
    if failed is not None and message:
        sys.stderr.write(message + "\n")
    print(json.dumps({"notebook": args.src, "cells": code_cells, "seconds": round(seconds, 1),
                      "errors": 0 if failed is None else 1, "failed_cell": failed,
                      "code_cell": code_cell, "reason": reason}))
    sys.exit(0 if failed is None else 1)


if __name__ == "__main__":
    main()
