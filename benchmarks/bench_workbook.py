"""Workbook benchmark: template, headless run and check, default and finest grid.

What a finance officer waits for after `partnership run`: reading the file, computing,
writing every result sheet and chart, and saving. openpyxl's XML reading and writing
dominates; the engine's share is milliseconds.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from excel_addin.files.openpyxl_apply import apply_plan
from excel_addin.files.openpyxl_io import callbacks, open_workbook, save_atomic
from excel_addin.files.operations import check_workbook, new_workbook, run_workbook
from excel_addin.files.template import build_template
from excel_addin.workbook.layout import INPUTS, input_cell
from excel_addin.workbook.run import plan_run, read_inputs

from .timing import best_time, fmt_seconds

TITLE = "Workbook: template, headless run and check (openpyxl)"


def _grid(folder: Path, name: str, step: float) -> Path:
    path = new_workbook(folder / name)
    wb = open_workbook(path)
    for axis in ("occupancy", "local_use"):
        wb[INPUTS][input_cell(f"{axis}_step").ref] = step
    wb.save(path)
    return path


def _stages(path: Path) -> dict[str, float]:
    """One run of a file already run once, stage by stage."""
    marks = [time.perf_counter()]
    wb = open_workbook(path)
    marks.append(time.perf_counter())
    items = plan_run(read_inputs(*callbacks(wb, path)))
    marks.append(time.perf_counter())
    apply_plan(wb, items)
    marks.append(time.perf_counter())
    save_atomic(wb, path)
    marks.append(time.perf_counter())
    names = ("load", "read + compute + plan", "apply", "save")
    return {name: marks[i + 1] - marks[i] for i, name in enumerate(names)}


def run() -> str:
    folder = Path(tempfile.mkdtemp(prefix="bench-workbook-"))
    template_time = best_time(build_template, repeat=3)
    rows = [("build the template in memory", template_time, "", "")]
    for label, step, repeat in (("21 × 21 (default)", 0.05, 3), ("101 × 101 (finest)", 0.01, 1)):
        path = _grid(folder, f"grid-{step}.xlsx", step)
        first = best_time(lambda p=path: run_workbook(p), repeat=repeat)
        stages = _stages(path)
        check = best_time(lambda p=path: check_workbook(p), repeat=repeat)
        size = f"{path.stat().st_size / 1e6:.1f} MB"
        rows.append(
            (f"run, {label}", first, size, ", ".join(f"{k} {fmt_seconds(v)}" for k, v in stages.items()))
        )
        rows.append((f"check, {label}", check, "", ""))
    lines = [
        "| case | best time | file size | stages of one more run |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {fmt_seconds(seconds)} | {size} | {stages} |" for name, seconds, size, stages in rows
    ]
    lines += [
        "",
        "A run reloads the workbook it last wrote, so its time grows with the Results sheet "
        "(one row per grid point, 29 columns). openpyxl is used without lxml here.",
    ]
    return "\n".join(lines)
