#!/usr/bin/python3
"""Executes a notebook headless in a Jupyter kernel with errors allowed: every code cell runs,
whatever the cells before it did. For the handout tests (the student version of a notebook must
raise exactly one `not implemented yet` error per task and run every other cell).

usage: execute_with_errors.py IN.ipynb OUT.ipynb [--kernel tslab] [--timeout S] [--cwd DIR]

tslab aborts every request that reaches it within 200 ms of a failed cell (its fix for
yunabe/tslab#19, like ipykernel's stop_on_error), so after a failed cell this waits before
sending the next one; without the wait, the cells after a failure would be reported as run
while the kernel never ran them.

The last line printed is a JSON list, one entry per code cell:
{"cell": index in nb.cells, "status": "ok" | "error" | "abort", "stdout": ..., "stderr": ...}
"""
import argparse
import asyncio
import json
import os
import sys

import nbformat
from nbclient import NotebookClient

AFTER_ERROR_S = 0.5


class AllowErrorsClient(NotebookClient):
    replies = None

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        result = await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        reply = (self.replies or {}).get(cell_index)
        if reply is not None and reply != "ok":
            await asyncio.sleep(AFTER_ERROR_S)
        return result


def stream(cell, name):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--kernel", default="tslab")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--cwd", help="the kernel's working directory (default: the notebook's folder)")
    args = ap.parse_args()
    try:
        nb = nbformat.read(args.src, as_version=4)
    except Exception as err:  # not JSON, not a notebook, not readable: one line, no traceback
        sys.exit("%s is not a readable notebook: %s: %s" % (args.src, type(err).__name__, " ".join(str(err).split())))
    replies = {}
    client = AllowErrorsClient(
        nb, kernel_name=args.kernel, timeout=args.timeout, allow_errors=True,
        resources={"metadata": {"path": args.cwd or os.path.dirname(os.path.abspath(args.src))}},
    )
    client.replies = replies

    def on_executed(cell, cell_index, execute_reply):
        replies[cell_index] = execute_reply["content"].get("status", "ok") if execute_reply else "ok"

    client.on_cell_executed = on_executed
    client.execute()
    with open(args.dst, "w", encoding="utf-8") as f:
        f.write(nbformat.writes(nb))
    rows = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        error_text = "".join("%s: %s\n" % (o.get("ename", ""), o.get("evalue", ""))
                             for o in cell.get("outputs", []) if o.get("output_type") == "error")
        rows.append({"cell": i, "status": replies.get(i, "not run"), "stdout": stream(cell, "stdout"),
                     "stderr": stream(cell, "stderr") + error_text})
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
