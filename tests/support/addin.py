"""Helpers for the add-in tests: a real xlwings Book without Excel, and what it was told to do.

xlwings' remote interpreter (``xw.Book(json=...)``, the engine of xlwings Lite and xlwings
Server) holds a workbook as the JSON an Excel client sends and records every write as an
"action" (``setValues``, ``addChart``, ``namesAdd``…) for the client to carry out. The
tests build that JSON from a workbook made by our own code (openpyxl), run the macros on
the Book, and read the actions back: which cells got which values, which charts, names
and colour scales were asked for. ``replay`` writes the value actions into an openpyxl
copy so a run through xlwings can be compared cell by cell with a run of the command line.
"""

from __future__ import annotations

import inspect
import os
from datetime import date, datetime
from typing import Any

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # the remote engine's licence (noncommercial)

import xlwings as xw
from openpyxl.workbook.workbook import Workbook

from excel_addin.workbook import a1


def ensure_remote() -> None:
    """Register xlwings' remote engine if xlwings was imported before the licence was set."""
    if "remote" not in [engine.name for engine in xw.engines]:
        from xlwings.pro import _xlremote

        xw.engines.add(xw.Engine(impl=_xlremote.engine))


def _json_value(value: Any) -> Any:
    """A cell value as an Excel client sends it: "" for empty, ISO text for dates, formulas unknown."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith("="):
        return ""  # a client sends the formula's result, which openpyxl does not know
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # Excel has no integers
    return value


def _charts(ws: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": f"Chart {k + 1}",
            "chart_type": "XYScatterLinesNoMarkers",
            "left": 0,
            "top": 0,
            "width": 1,
            "height": 1,
        }
        for k in range(len(ws._charts))
    ]


def payload(wb: Workbook, client: str = "Office.js") -> dict[str, Any]:
    """The JSON an Excel client would send for ``wb``: every sheet's values, the names, the charts."""
    names = []
    for name, defined in wb.defined_names.items():
        destinations = list(defined.destinations)
        if len(destinations) != 1:
            continue
        sheet, ref = destinations[0]
        names.append(
            {
                "name": name,
                "sheet_index": wb.sheetnames.index(sheet),
                "address": ref.replace("$", ""),
                "book_scope": True,
                "scope_sheet_name": None,
                "scope_sheet_index": None,
                "refers_to": "=" + defined.attr_text,
            }
        )
    sheets = []
    for ws in wb.worksheets:
        values = [[_json_value(cell.value) for cell in row] for row in ws.iter_rows()]
        sheets.append(
            {
                "name": ws.title,
                "values": values or [[]],
                "pictures": [],
                "shapes": [],
                "charts": _charts(ws),
                "notes": [],
                "tables": [],
                "pivot_tables": [],
                "print_area": None,
                "show_gridlines": True,
            }
        )
    return {
        "client": client,
        "version": xw.__version__,
        "book": {"name": "deal.xlsx", "active_sheet_index": 1, "selection": "A1"},
        "names": names,
        "sheets": sheets,
    }


def remote_book(wb: Workbook) -> Any:
    """An xlwings Book (remote interpreter) holding ``wb``'s values, names and charts."""
    ensure_remote()
    return xw.Book(json=payload(wb))


def actions(book: Any) -> list[dict[str, Any]]:
    return list(book.json()["actions"])


def sheet_name(wb: Workbook, action: dict[str, Any]) -> str:
    return wb.sheetnames[action["sheet_position"]]


def rectangle(action: dict[str, Any]) -> tuple[int, int, int, int]:
    """(row, column, rows, columns), 1-based, of a range action."""
    return (action["start_row"] + 1, action["start_column"] + 1, action["row_count"], action["column_count"])


def range_actions(acts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for a in acts if a.get("start_row") is not None]


def _cell_value(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]  # Excel's text mark is not part of the value
    return value


def replay(wb: Workbook, acts: list[dict[str, Any]]) -> Workbook:
    """Carry out the value actions (clears, values, formulas) on an openpyxl workbook, in order."""
    for action in range_actions(acts):
        ws = wb[sheet_name(wb, action)]
        row, column, _, _ = rectangle(action)
        if action["func"] == "rangeClear":
            for cells in ws.iter_rows(min_row=row, max_row=max(ws.max_row, row)):
                for cell in cells:
                    if cell.column >= column:
                        cell.value = None
        elif action["func"] in ("setValues", "setFormula"):
            for i, values in enumerate(action["values"]):
                for j, value in enumerate(values):
                    ws.cell(row + i, column + j).value = _cell_value(value)
    return wb


def written(wb: Workbook, acts: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    """Every cell a value action wrote, by (sheet, "B14"), last write wins."""
    cells = {}
    for action in range_actions(acts):
        if action["func"] not in ("setValues", "setFormula"):
            continue
        row, column, _, _ = rectangle(action)
        for i, values in enumerate(action["values"]):
            for j, value in enumerate(values):
                cells[(sheet_name(wb, action), a1.cell(row + i, column + j))] = _cell_value(value)
    return cells


def values_of(wb: Workbook) -> dict[tuple[str, str], Any]:
    """Every non-empty cell, by (sheet, "B14"), dates as text the way the actions carry them."""
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, datetime):
                    value = value.isoformat(sep=" ")
                if value is not None and value != "":
                    out[(ws.title, cell.coordinate)] = value
    return out


class Counter:
    """How many calls a ``Counting`` book saw."""

    calls = 0


class Counting:
    """An xlwings object that counts every attribute read, attribute write, item and method call."""

    def __init__(self, target: Any, counter: Counter):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_counter", counter)

    def __getattr__(self, name: str) -> Any:
        self._counter.calls += 1
        value = getattr(self._target, name)
        if inspect.ismethod(value):  # not every callable: xlwings' Names and Sheets are callable too

            def call(*args: Any, **kwargs: Any) -> Any:
                args = tuple(_plain(a) for a in args)
                kwargs = {k: _plain(v) for k, v in kwargs.items()}
                return _wrap(value(*args, **kwargs), self._counter)

            return call
        return _wrap(value, self._counter)

    def __setattr__(self, name: str, value: Any) -> None:
        self._counter.calls += 1
        setattr(self._target, name, _plain(value))

    def __getitem__(self, key: Any) -> Any:
        self._counter.calls += 1
        return _wrap(self._target[key], self._counter)

    def __contains__(self, key: Any) -> bool:
        self._counter.calls += 1
        return key in self._target

    def __iter__(self) -> Any:
        self._counter.calls += 1
        return (_wrap(item, self._counter) for item in self._target)

    def __len__(self) -> int:
        self._counter.calls += 1
        return len(self._target)


def _wrap(value: Any, counter: Counter) -> Any:
    return Counting(value, counter) if type(value).__module__.startswith("xlwings") else value


def _plain(value: Any) -> Any:
    return object.__getattribute__(value, "_target") if isinstance(value, Counting) else value
