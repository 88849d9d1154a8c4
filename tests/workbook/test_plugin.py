"""A new result sheet with its own input plugs in: layout entry, ResultSheet, registry line.

The sheet below exists only in this test. Its input must then be in the template (value,
validation, name, unlocked), be read and checked with its cell in messages, be copied to
the snapshot and watched for changes, and be safe from every write of a run.
"""

from __future__ import annotations

import openpyxl
import pytest

from engine import ParameterSpec
from excel_addin.cli import main
from excel_addin.files.operations import check_workbook, run_workbook
from excel_addin.workbook import layout, sheets
from excel_addin.workbook.errors import LayoutConflictError
from excel_addin.workbook.plan import Block, block, check_plan
from excel_addin.workbook.sheets import ResultSheet
from tests.support.workbook import make_workbook, set_inputs

SPEC = ParameterSpec(
    "demo_rate", "", "Demo rate", "share", 0.1, minimum=0, maximum=1, help="For the demo sheet."
)
DEMO = layout.SheetLayout(
    "Demo",
    "A sheet added by a later issue",
    output_row=8,
    header_row=4,
    sections=layout.input_sections("Demo", [("Demo inputs", [SPEC])], 5),
)


def build(ctx) -> list:
    return [block("Demo", 8, 1, [["Twice the rate", 2 * ctx.inputs.values["demo_rate"]]])]


def check(values) -> list[tuple[str, str]]:
    return (
        [("demo_rate", "demo_rate = 0.5 is not allowed on the demo sheet")]
        if values.get("demo_rate") == 0.5
        else []
    )


@pytest.fixture
def plugged(monkeypatch):
    monkeypatch.setattr(layout, "SHEETS", (*layout.SHEETS, DEMO))
    monkeypatch.setattr(sheets, "SHEETS", (*sheets.SHEETS, ResultSheet(DEMO, build, check)))


def test_the_input_is_in_the_template(plugged, tmp_path):
    wb = openpyxl.load_workbook(make_workbook(tmp_path))
    assert wb.sheetnames[-3:] == ["Demo", layout.SNAPSHOT, layout.XLWINGS_CONF]
    assert wb.defined_names["demo_rate"].attr_text == "Demo!$B$6"
    ws = wb["Demo"]
    assert ws["A6"].value == "Demo rate" and ws["B6"].value == 0.1 and ws["B6"].protection.locked is False
    assert [str(v.sqref) for v in ws.data_validations.dataValidation] == ["B6"]
    assert ws.protection.sheet
    assert "demo_rate" in {slot.cell.name for slot in layout.snapshot_slots()}


@pytest.mark.slow
def test_run_writes_the_sheet_and_watches_its_input(plugged, tmp_path):
    path = make_workbook(tmp_path, demo_rate=0.3)
    run_workbook(path)
    ws = openpyxl.load_workbook(path)["Demo"]
    assert (ws["A8"].value, ws["B8"].value) == ("Twice the rate", pytest.approx(0.6))
    assert ws["B6"].value == 0.3
    assert check_workbook(path).status == layout.UP_TO_DATE
    set_inputs(path, demo_rate=0.4)
    summary = check_workbook(path)
    assert (summary.status, summary.changed) == (layout.OUT_OF_DATE, ["demo_rate"])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2, "Demo rate (Demo!B6): demo_rate = 2 must be at most 1"),
        (0.5, "Demo rate (Demo!B6): demo_rate = 0.5 is not allowed on the demo sheet"),
    ],
)
def test_its_problems_name_its_cell(plugged, tmp_path, capsys, value, message):
    path = make_workbook(tmp_path, demo_rate=value)
    before = path.read_bytes()
    assert main(["run", str(path)]) == 2
    assert message in capsys.readouterr().err
    assert path.read_bytes() == before


def test_no_write_may_touch_it(plugged):
    with pytest.raises(LayoutConflictError, match="Demo!B6"):
        check_plan([Block("Demo", "A6", (("label", "overwritten"),))])
