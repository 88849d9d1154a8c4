"""Add-in benchmark: worksheet functions, the run macro without Excel, the Lite bundle.

A worksheet function recalculates whenever its inputs change, so each must answer in a
blink; the run macro's Python side (read, compute, plan, turn into xlwings calls) is
timed on xlwings' remote interpreter, which records the calls instead of sending them to
Excel (Excel's own time to carry them out is not in these figures).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' remote interpreter

import numpy as np
import xlwings as xw

from excel_addin.cli.lite_files import write_lite
from excel_addin.excel import lite, macros
from excel_addin.excel.functions import PM_AGREEMENT, PM_BREAKDOWN, PM_BREAKEVEN, PM_GRID, PM_POINT, PM_RISK
from excel_addin.files.template import build_template
from excel_addin.workbook import layout

from .timing import best_time, fmt_seconds

TITLE = "Add-in: worksheet functions, run macro without Excel, xlwings Lite bundle"


def _inputs_range(step: float = 0.05) -> list[list]:
    """The template's Inputs sheet A1:F80 as a formula passes it, with the grid step typed in."""
    ws = build_template()[layout.INPUTS]
    for axis in ("occupancy", "local_use"):
        ws[layout.input_cell(f"{axis}_step").ref] = step
    rows = [[ws.cell(r, c).value for c in range(1, 7)] for r in range(1, 81)]
    return [[None if isinstance(v, str) and v.startswith("=") else v for v in row] for row in rows]


def _remote_book(step: float):
    from openpyxl.workbook.workbook import Workbook

    if "remote" not in [engine.name for engine in xw.engines]:
        from xlwings.pro import _xlremote

        xw.engines.add(xw.Engine(impl=_xlremote.engine))
    wb: Workbook = build_template()
    for axis in ("occupancy", "local_use"):
        wb[layout.INPUTS][layout.input_cell(f"{axis}_step").ref] = step
    from tests.support.addin import payload  # the JSON an Excel client sends, as the tests build it

    return payload(wb)


def _functions() -> list[tuple[str, float]]:
    rows = _inputs_range()
    fine = _inputs_range(0.01)
    column = [[x] for x in np.linspace(0, 1, 101)]
    row = [[x[0] for x in column]]
    return [
        ("PM_POINT, one cell", best_time(lambda: PM_POINT("host_saving", rows, 0.8, 0.5), repeat=20)),
        (
            "PM_POINT, 101 × 101 pairs",
            best_time(lambda: PM_POINT("host_saving", rows, column, row), repeat=5),
        ),
        ("PM_GRID, 21 × 21", best_time(lambda: PM_GRID("provider_surplus", rows), repeat=10)),
        ("PM_GRID, 101 × 101", best_time(lambda: PM_GRID("provider_surplus", fine), repeat=5)),
        ("PM_BREAKEVEN, 21 local uses", best_time(lambda: PM_BREAKEVEN(rows), repeat=10)),
        ("PM_BREAKDOWN", best_time(lambda: PM_BREAKDOWN(rows, 0.75, 0.5), repeat=10)),
        ("PM_RISK, 100,000 draws (default)", best_time(lambda: PM_RISK(rows), repeat=3)),
        ("PM_RISK, 20,000 draws", best_time(lambda: PM_RISK(rows, None, 20_000), repeat=5)),
        ("PM_AGREEMENT, 41 × 41 (default)", best_time(lambda: PM_AGREEMENT(rows), repeat=3)),
        (
            "PM_AGREEMENT, balanced points",
            best_time(lambda: PM_AGREEMENT(rows, None, None, None, "balanced"), repeat=3),
        ),
    ]


def _run_macro() -> list[tuple[str, float, str]]:
    out = []
    for label, step in (("21 × 21", 0.05), ("101 × 101", 0.01)):
        data = _remote_book(step)

        def once(data=data):
            book = xw.Book(json=data)
            macros.run_model(book, datetime(2026, 11, 26, 9, 30))
            return book

        seconds = best_time(once, repeat=2)
        count = len(once().json()["actions"])
        out.append((f"run_model, {label} grid", seconds, f"{count:,} xlwings calls"))
    return out


def _lite() -> list[tuple[str, float, str]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-lite-"))
    generate = best_time(lambda: write_lite(folder, workbook=False), repeat=2)
    size = (folder / "main.py").stat().st_size
    # Run in the folder: `python -c` puts the current folder first on the path, so main.py is found.
    code = "import time; t = time.perf_counter(); import main; print(time.perf_counter() - t)"
    env = {**os.environ, "XLWINGS_ON_SERVER": "true"}
    times = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True, check=True
        )
        times.append(float(done.stdout.strip().splitlines()[-1]))
    modules = len(lite.bundle_modules())
    return [
        (
            "partnership lite (main.py, requirements.txt)",
            generate,
            f"main.py {size / 1e3:.0f} kB, {modules} modules",
        ),
        ("import main.py in a fresh interpreter", min(times), "numpy, pandas, xlwings and the bundle"),
    ]


def run() -> str:
    started = time.perf_counter()
    lines = ["| worksheet function | best time |", "|---|---|"]
    lines += [f"| {name} | {fmt_seconds(seconds)} |" for name, seconds in _functions()]
    lines += ["", "| step | best time | size |", "|---|---|---|"]
    lines += [
        f"| {name} | {fmt_seconds(seconds)} | {note} |" for name, seconds, note in _run_macro() + _lite()
    ]
    lines += [
        "",
        "Functions take the template's Inputs sheet (A1:F80) as their parameters range, as a formula would. "
        "The run macro is timed up to the list of xlwings calls it makes (Excel's time to carry them out "
        "is not included). Pyodide in xlwings Lite runs the same Python a few times slower than CPython "
        f"(not measured here). Benchmark wall time {time.perf_counter() - started:.0f} s.",
    ]
    return "\n".join(lines)
