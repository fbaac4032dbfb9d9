#!/usr/bin/python3
"""Executes one notebook headless in a Jupyter kernel (nbclient), for tests and `npm run lesson`.

usage: execute_notebook.py IN.ipynb OUT.ipynb [--html OUT.html] [--kernel tslab] [--timeout S]

tslab reports a failing cell only on stderr (Jupyter just sees an error with no message),
so on failure this prints the failing cell's source and everything it wrote to stderr.
The last line printed is a JSON summary: {"cells", "seconds", "errors", "failed_cell"}.
"""
import argparse
import json
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--html")
    ap.add_argument("--kernel", default="tslab")
    ap.add_argument("--mathjax-url", help="MathJax.js for the HTML page (default: nbconvert's)")
    ap.add_argument("--require-url", help="require.js for the HTML page (default: nbconvert's)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = ap.parse_args()

    nb = nbformat.read(args.src, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.src))}},
    )
    start = time.time()
    failed = None
    message = ""
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as err:
        # tslab sends no "error" output, so the failing cell is the last one that started.
        message = "%s: %s" % (type(err).__name__, str(err).strip())
        started = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count") is not None]
        failed = started[-1] if started else -1
    except Exception as err:  # DeadKernelError, a zmq timeout, ...: the kernel itself failed
        message = "%s: %s" % (type(err).__name__, err)
        failed = -1
    if failed is None:
        # A cell that never ran means the run stopped early, whatever the client said.
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and cell.get("execution_count") is None:
                failed = i
                message = "cell %d never ran (did the kernel die?)" % i
                break
    if failed is None:
        # tslab reports some problems only on stderr without failing the cell: compile
        # diagnostics ("line:col - message", e.g. a file outside its rootDir) and errors thrown
        # while a module loads. Treat both as failures.
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and re.search(LOOKS_FAILED, cell_stderr(cell), re.M):
                failed = i
                break
    seconds = time.time() - start
    os.makedirs(os.path.dirname(os.path.abspath(args.dst)), exist_ok=True)
    write_atomic(args.dst, nbformat.writes(nb))
    if args.html:
        from nbconvert import HTMLExporter
        exporter = HTMLExporter()
        if args.mathjax_url:
            exporter.mathjax_url = args.mathjax_url
        if args.require_url:
            exporter.require_js_url = args.require_url
        body, _ = exporter.from_notebook_node(nb)
        write_atomic(args.html, body)

    code_cells = sum(1 for c in nb.cells if c.cell_type == "code")
    if failed is not None:
        sys.stderr.write("\n=== %s: cell %s failed ===\n" % (args.src, failed))
        if failed >= 0:
            cell = nb.cells[failed]
            sys.stderr.write("--- source ---\n%s\n--- stderr ---\n%s\n" % (cell.source, cell_stderr(cell)))
        if message:
            sys.stderr.write(message + "\n")
    print(json.dumps({"notebook": args.src, "cells": code_cells, "seconds": round(seconds, 1),
                      "errors": 0 if failed is None else 1, "failed_cell": failed}))
    sys.exit(0 if failed is None else 1)


if __name__ == "__main__":
    main()
