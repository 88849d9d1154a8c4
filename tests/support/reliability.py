"""What the reliability tests share: cell contents of every kind Excel stores, and how to put them in.

A ``Content`` is one cell as a file can hold it: a number, text, TRUE/FALSE, a date or
time, an error such as #N/A, nothing, or a formula with or without the result Excel saved
for it. ``put_in_memory`` sets it on a workbook openpyxl has loaded, exactly as openpyxl's
reader would have (value and type), for the fast fuzz path; ``put_on_disk`` writes it as a
file would hold it (a formula's saved result is patched into the sheet's XML, which
openpyxl cannot write), for the slow path through the command line.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import strategies as st
from openpyxl.cell.cell import ERROR_CODES

from excel_addin.files.openpyxl_apply import write_value
from excel_addin.workbook import layout

# Kinds a plain number input must refuse, whatever the value.
NEVER_A_NUMBER = {
    "bool",
    "date",
    "error",
    "empty",
    "formula_unsaved",
    "formula_error",
    "formula_bool",
    "text",
}


@dataclass(frozen=True)
class Content:
    """One cell's content. ``expected`` is the number a valid reading must give (None: none)."""

    kind: str  # number, numeric_text, text, bool, date, error, empty, formula_*
    value: Any = None
    cached: Any = None  # a formula's saved result
    cached_type: str | None = None  # "n", "s", "b", "e"; None: no saved result
    expected: float | None = None

    @property
    def never_a_number(self) -> bool:
        return self.kind in NEVER_A_NUMBER


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --- strategies -----------------------------------------------------------------------------

SPECIAL_NUMBERS = [
    0,
    1,
    -1,
    0.05,
    0.5,
    4,
    950_000,
    1e308,
    -1e308,
    5e-324,
    2.2250738585072014e-308,
    1e15,
    1e-15,
]
HOSTILE_TEXT = [
    "",
    " ",
    "\u00a0",
    "=1+1",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid","x")',
    "+1",
    "-1",
    "@SUM(A1)",
    "#N/A",
    "#DIV/0!",
    "TRUE",
    "1e999",
    "-1e999",
    "nan",
    "inf",
    "£",
    "%",
    "1,2",
    "5\n",
    "\t5",
    "x" * 5000,
    "٣",
    "½",
    "1_000",
    "0x10",
    "<!DOCTYPE x>",
    "&lt;b&gt;",
    "']]>",
]
NO_CONTROL = st.characters(blacklist_categories=("Cs", "Cc"))


def numbers(default: Any) -> st.SearchStrategy[float]:
    """Any finite double, special ones, and values near the input's default (often valid)."""
    near = []
    if isinstance(default, int | float) and not isinstance(default, bool):
        near = [st.floats(0, 2).map(lambda f, d=float(default): d * f), st.just(default)]
    return st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-(10**9), 10**9),
        st.sampled_from(SPECIAL_NUMBERS),
        *near,
    )


def numeric_texts(default: Any) -> st.SearchStrategy[Content]:
    """Numbers as a finance officer types them as text, with the number each one means."""

    def plain(x: float) -> Content:
        return Content("numeric_text", repr(x), expected=x)

    def pounds(n: int) -> Content:
        return Content("numeric_text", f"£{n:,}", expected=float(n))

    def percent(p: int) -> Content:
        return Content("numeric_text", f" {p}% ", expected=p / 100)

    return st.one_of(
        numbers(default).map(float).map(plain),
        st.integers(0, 10**7).map(pounds),
        st.integers(0, 100).map(percent),
    )


def contents(default: Any = None, disk: bool = False) -> st.SearchStrategy[Content]:
    """Every kind of cell content Excel can hold."""
    moments = st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31, 23, 59, 59))
    if disk:  # what survives a round trip through a file (a date cell reads back as a datetime)
        dates = st.one_of(
            moments.map(lambda d: d.replace(microsecond=0)),
            st.times().map(lambda t: t.replace(microsecond=0)),
        )
    else:
        dates = st.one_of(
            moments, st.dates(date(1900, 3, 1)), st.times(), st.timedeltas(timedelta(0), timedelta(days=9999))
        )
    cached = st.one_of(
        st.none().map(lambda _: ("formula_unsaved", None, None, None)),
        numbers(default).map(lambda v: ("formula_number", v, "n", float(v))),
        st.sampled_from(ERROR_CODES).map(lambda e: ("formula_error", e, "e", None)),
        st.booleans().map(lambda b: ("formula_bool", b, "b", None)),
        st.sampled_from(HOSTILE_TEXT).map(lambda t: ("text", t, "s", None)),
    )
    return st.one_of(
        numbers(default).map(lambda v: Content("number", v, expected=float(v))),
        numeric_texts(default),
        st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(NO_CONTROL, max_size=40)).map(
            lambda t: Content("text", t)
        ),
        st.booleans().map(lambda b: Content("bool", b)),
        dates.map(lambda d: Content("date", d)),
        st.sampled_from(ERROR_CODES).map(lambda e: Content("error", e)),
        st.just(Content("empty")),
        cached.map(lambda c: Content(c[0], "=Inputs!Z1+1", c[1], c[2], c[3])),
    )


# --- where the cells are --------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One cell of one input (a table has one slot per cell)."""

    input: layout.InputCell
    i: int = 0
    j: int = 0

    @property
    def row(self) -> int:
        return self.input.row + self.i

    @property
    def column(self) -> int:
        return self.input.column + self.j

    @property
    def default(self) -> Any:
        default = self.input.spec.default
        if not self.input.is_table:
            return default
        try:
            return list(default)[self.i][self.j]
        except (IndexError, TypeError, KeyError):
            return None


def slots() -> list[Slot]:
    """Every input cell of the workbook, tables cell by cell."""
    found = []
    for cell in layout.all_inputs():
        found += [Slot(cell, i, j) for i in range(cell.rows) for j in range(cell.columns)]
    return found


# --- putting contents into workbooks ---------------------------------------------------------


def put_in_memory(wb: openpyxl.Workbook, saved: openpyxl.Workbook, slot: Slot, content: Content) -> None:
    """Set the cell as openpyxl's reader would have loaded it from a file (value and type)."""
    cell = wb[slot.input.sheet].cell(slot.row, slot.column)
    twin = saved[slot.input.sheet].cell(slot.row, slot.column)
    kinds = {
        "number": "n",
        "numeric_text": "s",
        "text": "s",
        "bool": "b",
        "date": "d",
        "error": "e",
        "empty": "n",
    }
    if content.kind.startswith("formula"):
        cell._value, cell.data_type = content.value, "f"
        twin._value, twin.data_type = content.cached, content.cached_type or "n"
        return
    cell._value, cell.data_type = content.value, kinds[content.kind]
    twin._value, twin.data_type = content.value, kinds[content.kind]


def remember(wb: openpyxl.Workbook, saved: openpyxl.Workbook, slot: Slot) -> tuple[Any, ...]:
    cell = wb[slot.input.sheet].cell(slot.row, slot.column)
    twin = saved[slot.input.sheet].cell(slot.row, slot.column)
    return (cell._value, cell.data_type, twin._value, twin.data_type)


def restore(wb: openpyxl.Workbook, saved: openpyxl.Workbook, slot: Slot, kept: tuple[Any, ...]) -> None:
    cell = wb[slot.input.sheet].cell(slot.row, slot.column)
    twin = saved[slot.input.sheet].cell(slot.row, slot.column)
    cell._value, cell.data_type, twin._value, twin.data_type = kept


def put_on_disk(path: Path, changes: list[tuple[Slot, Content]]) -> None:
    """Write the contents into the workbook file as Excel would have saved them."""
    wb = openpyxl.load_workbook(path)
    cached: dict[tuple[str, str], tuple[Any, str]] = {}
    for slot, content in changes:
        cell = wb[slot.input.sheet].cell(slot.row, slot.column)
        if content.kind in ("text", "numeric_text"):
            write_value(cell, content.value)
        elif content.kind == "date":
            cell.value = content.value
            cell.number_format = "hh:mm:ss" if isinstance(content.value, time) else "yyyy-mm-dd hh:mm"
        elif content.kind.startswith("formula"):
            cell.value = content.value
            if content.cached_type is not None:
                cached[(slot.input.sheet, cell.coordinate)] = (content.cached, content.cached_type)
        else:
            cell.value = content.value
    wb.save(path)
    if cached:
        save_results(path, wb.sheetnames, cached)


def save_results(path: Path, sheet_names: list[str], results: dict[tuple[str, str], tuple[Any, str]]) -> None:
    """Patch formulas' saved results into a file openpyxl wrote (it writes formulas without them)."""
    parts = {f"xl/worksheets/sheet{index + 1}.xml": name for index, name in enumerate(sheet_names)}
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            sheet = parts.get(info.filename)
            if sheet is not None:
                text = data.decode("utf-8")
                for (target, coordinate), (value, kind) in results.items():
                    if target == sheet:
                        text = _with_result(text, coordinate, value, kind)
                data = text.encode("utf-8")
            archive.writestr(info, data)
    Path(path).write_bytes(out.getvalue())


def _with_result(xml: str, coordinate: str, value: Any, kind: str) -> str:
    # an empty result: <v /> from the standard library's writer, <v></v> from lxml's
    pattern = re.compile(rf'<c r="{coordinate}"([^>]*)>(<f>.*?</f>)(?:<v\s*/>|<v></v>)')
    if kind == "b":
        shown = "1" if value else "0"
    elif kind == "n":
        shown = repr(float(value))
    else:
        shown = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    attribute = {"n": "", "s": ' t="str"', "b": ' t="b"', "e": ' t="e"'}[kind]
    patched, count = pattern.subn(
        lambda m: f'<c r="{coordinate}"{m.group(1)}{attribute}>{m.group(2)}<v>{shown}</v>', xml
    )
    assert count == 1, f"formula cell {coordinate} not found"
    return patched


def input_cells(path: Path) -> dict[tuple[str, str], tuple[Any, str]]:
    """Every input cell's value and type as stored (formulas as formulas), by (sheet, cell)."""
    wb = openpyxl.load_workbook(path)
    found = {}
    for slot in slots():
        cell = wb[slot.input.sheet].cell(slot.row, slot.column)
        found[(slot.input.sheet, cell.coordinate)] = (cell.value, cell.data_type)
    return found
