"""What a run writes, as plain data: the bridge between the engine and any spreadsheet library.

A plan is a list of items (blocks of values, defined names, heat maps, charts, sheet set-up),
each naming its sheet and cells in A1 notation and holding only Python values: numbers,
text, dates, None for an empty cell, and formulas as ``formula.Formula`` (any other text is
written as text, even when it starts with "=": it may have come from a user). openpyxl
(files on disk) and xlwings (a live Excel) apply the same plan, so what the user sees
does not depend on how the model was run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from excel_addin.workbook import a1, layout
from excel_addin.workbook.errors import LayoutConflictError, LocatedProblem

Value = float | int | str | bool | datetime | None
Rows = tuple[tuple[Value, ...], ...]

STYLES = frozenset(
    {
        "title",
        "subtitle",
        "heading",
        "header",
        "axis",
        "note",
        "problem",
        "status",
        "total",
        "input",
        "label",
        "unit",
        "category",
        "axis_vertical",
        "pass",
        "fail",
        "status_top",
        "paragraph",
    }
)


@dataclass(frozen=True)
class Block:
    """Values for the rectangle whose top-left cell is ``top_left``; one format and style for all."""

    sheet: str
    top_left: str
    values: Rows
    number_format: str | None = None
    style: str | None = None

    @property
    def rectangle(self) -> tuple[int, int, int, int]:
        row, column = a1.parse_cell(self.top_left)
        return (row, column, len(self.values), max((len(r) for r in self.values), default=0))

    @property
    def ref(self) -> str:
        return a1.area(*self.rectangle)


@dataclass(frozen=True)
class Clear:
    """Empty every row from ``first_row`` down: values, formats, heat maps, charts, page breaks."""

    sheet: str
    first_row: int


@dataclass(frozen=True)
class Name:
    """A workbook-level defined name for ``sheet!ref``."""

    name: str
    sheet: str
    ref: str


@dataclass(frozen=True)
class HeatMap:
    """A red–white–green colour scale: white at ``mid``, green towards the better end."""

    sheet: str
    ref: str
    low: float
    mid: float
    high: float
    higher_is_better: bool = True


@dataclass(frozen=True)
class Series:
    title: str
    ref: str  # one row or one column of values, on the chart's own sheet
    colour: str | None = None  # "RRGGBB"; None: graded colours in series order
    marker: str | None = None  # a scatter series drawn as points, no line: "diamond", "circle", "square"…


@dataclass(frozen=True)
class CategoryColours:
    """Fill each cell of ``ref`` whose text is one of the categories with that category's colour.

    A map of words (the best contract in each cell) reads at a glance when each word has
    its own colour; the colours live in the spreadsheet as rules, so a legend written
    with the same words is coloured by the same rules.
    """

    sheet: str
    ref: str
    colours: tuple[tuple[str, str], ...]  # (text, "RRGGBB")


@dataclass(frozen=True)
class Chart:
    """Lines over a numeric x axis (occupancy or local use): one line per series.

    ``categories`` holds the x values and each series' ``ref`` the y values, both on
    ``sheet``. The x axis runs from ``x_min`` to ``x_max`` with a labelled tick every
    ``x_step``, so 21 or 101 points read the same: 0 %, 20 %, … 100 %.

    ``kind="column"`` draws bars instead (a histogram: ``categories`` are the bins' labels,
    the series side by side); ``kind="bar"`` horizontal bars with the first category at the
    top, the series overlapping (a tornado: one series for the low end, one for the high).
    The x settings are then unused: ``x_title`` names the categories, ``y_title`` the values.
    """

    sheet: str
    anchor: str
    title: str  # "" for none (a heading in a cell above the chart says what it shows)
    x_title: str
    y_title: str
    categories: str
    series: tuple[Series, ...]
    x_format: str = "General"
    y_format: str = "General"
    x_min: float = 0.0
    x_max: float = 1.0
    x_step: float = 0.2
    y_min: float | None = None
    y_max: float | None = None
    width_cm: float = 16.0
    height_cm: float = 9.0
    kind: str = "scatter"  # "scatter" (lines), "column" (histogram) or "bar" (tornado)


@dataclass(frozen=True)
class SheetSetup:
    """Column widths, frozen panes and printing: how a sheet looks on screen and on paper.

    Orientation, paper, fit, margins, footer and (unless ``repeat_rows`` is given) the rows
    repeated on each page come from the sheet's spec in ``printing``; ``merges`` are areas
    joined into one cell (a paragraph wrapped across the page).
    """

    sheet: str
    column_widths: tuple[tuple[str, float], ...] = ()
    freeze: str | None = None
    print_area: str | None = None
    repeat_rows: tuple[int, int] | None = None
    row_breaks: tuple[int, ...] = ()
    row_heights: tuple[tuple[int, float], ...] = ()
    merges: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filter:
    """An autofilter over a table (header row included)."""

    sheet: str
    ref: str


Item = Block | Clear | Name | HeatMap | Chart | SheetSetup | Filter | CategoryColours


def clean(value: Any) -> Value:
    """A value as a cell can hold it: numpy scalars become Python, NaN and ±inf become empty."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def block(
    sheet: str,
    row: int,
    column: int,
    values: Any,
    number_format: str | None = None,
    style: str | None = None,
) -> Block:
    """A block from any 2-D values (lists, numpy arrays, a scalar), cleaned for a spreadsheet."""
    if style is not None and style not in STYLES:
        raise ValueError(f"unknown style {style!r}")
    array = np.asarray(values, dtype=object)
    if array.ndim == 0:
        array = array.reshape(1, 1)
    elif array.ndim == 1:
        array = array.reshape(1, -1)
    rows = tuple(tuple(clean(v) for v in row) for row in array)
    return Block(sheet, a1.cell(row, column), rows, number_format, style)


def column_block(sheet: str, row: int, column: int, values: Any, **kwargs: Any) -> Block:
    """A block one column wide (a 1-d sequence written downwards)."""
    return block(sheet, row, column, np.asarray(values, dtype=object).reshape(-1, 1), **kwargs)


def has_gaps(values: Any) -> bool:
    """Whether any value is NaN or infinite (written as an empty cell)."""
    array = np.asarray(values, dtype=float)
    return bool(np.any(~np.isfinite(array)))


# --- the parts every run writes, whatever the result sheets ------------------------------------


def status_items(fingerprint: str, computed_at: datetime, version: str, problems: str) -> list[Item]:
    """The status area of the Inputs sheet (the out-of-date formula is rewritten too)."""
    values = {
        "status_message": layout.status_formula().with_result(
            layout.UP_TO_DATE
        ),  # what it gives after the run
        "status_computed_at": computed_at,
        "status_version": version,
        "status_fingerprint": fingerprint,
        "status_problems": problems,
    }
    items: list[Item] = []
    for cell in layout.STATUS:
        fmt = "yyyy-mm-dd hh:mm" if isinstance(values[cell.name], datetime) else None
        style = "problem" if cell.name == "status_problems" and problems != "None" else "status"
        items.append(block(layout.INPUTS, cell.row, layout.COLUMNS.value, values[cell.name], fmt, style))
    return items


def problem_items(problems: Sequence[LocatedProblem]) -> list[Item]:
    """Each input's problem next to its label (empty where there is none)."""
    by_name: dict[str, list[str]] = {}
    for problem in problems:
        by_name.setdefault(problem.name, []).append(problem.message)
    items: list[Item] = []
    for cell in layout.all_inputs():
        text = "; ".join(by_name.get(cell.name, [])) or None
        items.append(block(cell.sheet, cell.problem_row, cell.problem_column, text, style="problem"))
    return items


def problems_summary(problems: Sequence[LocatedProblem]) -> str:
    if not problems:
        return "None"
    count = len(problems)
    return (
        f"{count} problem{'s' if count > 1 else ''}: no results were written. "
        "See the Problem column next to each input."
    )


def failure_items(problems: Sequence[LocatedProblem]) -> list[Item]:
    """What a run with invalid inputs writes: the problems, nothing else (results stay as they were)."""
    summary = problems_summary(problems)
    cell = layout.STATUS_BY_NAME["status_problems"]
    return [
        *problem_items(problems),
        block(layout.INPUTS, cell.row, layout.COLUMNS.value, summary, style="problem"),
    ]


def snapshot_items(raw: Mapping[str, Any], fingerprint: str | None) -> list[Item]:
    """Copy every input as read into the hidden snapshot sheet, with the change-count formulas.

    The template writes it with no values and no fingerprint: "not run yet". After a run
    every input equals its copy, so each change count is 0, and the formulas carry that.
    """
    changes = 0 if fingerprint is not None else None
    items: list[Item] = []
    for slot in layout.snapshot_slots():
        value = raw.get(slot.cell.name)
        rows = value if isinstance(value, list | tuple) else [[value]]
        row, column, _, _ = a1.parse_area(slot.ref)
        items.append(
            block(layout.SNAPSHOT, row, 1, [[slot.cell.name, slot.changed_formula.with_result(changes)]])
        )
        items.append(block(layout.SNAPSHOT, row, column, _as_rows(rows, slot.cell.rows, slot.cell.columns)))
    items.append(block(layout.SNAPSHOT, layout.SNAPSHOT_FINGERPRINT.row, 2, fingerprint))
    total = layout.snapshot_changes_formula().with_result(changes)
    items.append(block(layout.SNAPSHOT, layout.SNAPSHOT_CHANGES.row, 2, total))
    return items


def _as_rows(rows: Any, height: int, width: int) -> list[list[Value]]:
    """Pad or cut to the input's shape so the snapshot always mirrors the input cells."""
    out: list[list[Value]] = [[None] * width for _ in range(height)]
    for i, row in enumerate(list(rows)[:height]):
        cells = row if isinstance(row, list | tuple) else [row]
        for j, value in enumerate(list(cells)[:width]):
            out[i][j] = clean(value)
    return out


def check_plan(items: Iterable[Item], inputs: Iterable[layout.InputCell] | None = None) -> None:
    """Refuse a plan that would write into an input cell: what users type is never overwritten."""
    inputs = tuple(layout.all_inputs() if inputs is None else inputs)
    for item in items:
        for cell in inputs:
            if item.sheet != cell.sheet:
                continue
            if isinstance(item, Block) and a1.overlaps(item.rectangle, cell.rectangle):
                raise LayoutConflictError(f"{item.sheet}!{item.ref} would overwrite the input {cell.address}")
            if isinstance(item, Clear) and item.first_row <= cell.row + cell.rows - 1:
                raise LayoutConflictError(
                    f"clearing {item.sheet} from row {item.first_row} would erase {cell.address}"
                )
