"""Compare sheet benchmark: what the comparison adds to a run, and `partnership compare`.

The Compare sheet's figures are the engine's (a comparison over the grid, one year, chart
lines, best-contract maps, counts) plus each contract's risk over the Risk sheet's draws;
the sheet then writes two maps of words with colour rules. Measured apart from the file's
XML, which bench_workbook measures for the whole workbook.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from datetime import datetime
from pathlib import Path

from excel_addin.cli import main
from excel_addin.files.openpyxl_apply import apply_plan
from excel_addin.files.openpyxl_io import open_workbook
from excel_addin.files.operations import load_inputs, new_workbook
from excel_addin.files.template import build_template
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.contract_figures import compare_inputs
from excel_addin.workbook.layout import INPUTS, input_cell
from excel_addin.workbook.sheets import compare

from .timing import best_time, fmt_seconds

TITLE = "Compare sheet: the contract comparison of a run, and partnership compare"
GRIDS = (("21 × 21 (default)", 0.05, 5), ("101 × 101 (finest)", 0.01, 3))


def _workbook(folder: Path, step: float) -> Path:
    path = new_workbook(folder / f"compare-{step}.xlsx")
    wb = open_workbook(path)
    for axis in ("occupancy", "local_use"):
        wb[INPUTS][input_cell(f"{axis}_step").ref] = step
    wb.save(path)
    return path


def _context(inputs) -> RunContext:
    """A fresh context: nothing cached from an earlier call."""
    return RunContext(inputs, datetime(2025, 1, 1), "bench")


def _quietly(argv: list[str]) -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        return main(argv)


def run() -> str:
    folder = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    lines = [
        f"## {TITLE}",
        "",
        "Figures: every engine table of the sheet (comparison over the grid, the year, chart lines, maps,",
        "counts, each contract's risk over the Risk sheet's 100,000 draws). Sheet: the figures and the",
        "plan items. Write: applying those items to a workbook in memory (openpyxl). CLI: `partnership",
        "compare --json` end to end (open the file, read and validate every input, compute, print).",
        "",
        "| grid | figures | Compare sheet plan | write (openpyxl) | CLI compare | plan items |",
        "|---|---|---|---|---|---|",
    ]
    for label, step, repeat in GRIDS:
        path = _workbook(folder, step)
        inputs = load_inputs(path)[1]
        figures = best_time(lambda i=inputs: compare_inputs(i), repeat=repeat)
        plan = best_time(lambda i=inputs: compare.build(_context(i)), repeat=repeat)
        items = compare.build(_context(inputs))
        write = best_time(lambda it=items: apply_plan(build_template(), it), repeat=1)
        cli = best_time(lambda p=path: _quietly(["compare", str(p), "--json"]), repeat=repeat)
        lines.append(
            f"| {label} | {fmt_seconds(figures)} | {fmt_seconds(plan)} | {fmt_seconds(write)} "
            f"| {fmt_seconds(cli)} | {len(items)} |"
        )
    return "\n".join(lines) + "\n"
