"""Helpers shared by the workbook and CLI tests: make workbooks, set inputs, read named tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import openpyxl

from excel_addin.files.operations import new_workbook
from excel_addin.workbook import a1, layout


def make_workbook(folder: Path, name: str = "model.xlsx", **inputs: Any) -> Path:
    """A fresh template at ``folder/name`` with ``inputs`` typed into their cells."""
    path = new_workbook(folder / name)
    if inputs:
        set_inputs(path, **inputs)
    return path


def set_inputs(path: Path, **inputs: Any) -> None:
    """Type values into input cells by name, as a user would (tables as rows)."""
    wb = openpyxl.load_workbook(path)
    for name, value in inputs.items():
        cell = layout.input_cell(name)
        rows = value if cell.rows > 1 or cell.columns > 1 else [[value]]
        for i in range(cell.rows):
            for j in range(cell.columns):
                row = rows[i] if i < len(rows) else [None] * cell.columns
                wb[cell.sheet].cell(cell.row + i, cell.column + j).value = row[j]  # None clears
    wb.save(path)


def input_values(path: Path) -> dict[str, list[list[Any]]]:
    """Every input cell's value, by name (tables and single cells alike as rows)."""
    wb = openpyxl.load_workbook(path)
    return {cell.name: named_values(wb, cell.name) for cell in layout.all_inputs()}


def named_values(wb: openpyxl.Workbook, name: str) -> list[list[Any]]:
    """The values of a defined name's range, as rows."""
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    row, column, rows, columns = a1.parse_area(ref.replace("$", ""))
    ws = wb[sheet]
    return [[ws.cell(row + i, column + j).value for j in range(columns)] for i in range(rows)]


def as_array(rows: list[list[Any]]) -> np.ndarray:
    """Named values as floats, empty cells as NaN (how the workbook writes NaN)."""
    return np.array([[np.nan if v is None else float(v) for v in row] for row in rows])


def all_values(path: Path, skip: set[tuple[str, str]] = frozenset()) -> dict[tuple[str, str], Any]:
    """Every non-empty cell of every sheet, by (sheet, cell), except ``skip``."""
    wb = openpyxl.load_workbook(path)
    values = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and (ws.title, cell.coordinate) not in skip:
                    values[(ws.title, cell.coordinate)] = cell.value
    return values


def planned_charts(path: Path) -> int:
    """How many charts a run of this workbook's inputs draws: the Chart items of its plan.

    Sheets come and go with the issues; a test that counts charts compares the file with
    the plan rather than with a number that every new sheet would change.
    """
    from excel_addin.files.operations import load_inputs
    from excel_addin.workbook.plan import Chart
    from excel_addin.workbook.run import plan_run

    _, inputs = load_inputs(path)
    return sum(isinstance(item, Chart) for item in plan_run(inputs))


def chart_count(path: Path) -> int:
    """Chart parts inside an .xlsx (what Excel and LibreOffice draw)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return sum(1 for n in archive.namelist() if n.startswith("xl/charts/chart") and n.endswith(".xml"))
