"""The library-free half: layout, A1 addresses, the reader callbacks and the plan."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import datetime

import numpy as np
import pytest

from engine import PARAMETERS, Parameters
from excel_addin.workbook import a1, layout
from excel_addin.workbook.errors import InvalidInputsError, LayoutConflictError, WorkbookError
from excel_addin.workbook.plan import (
    Block,
    Clear,
    block,
    check_plan,
    failure_items,
    problem_items,
    snapshot_items,
)
from excel_addin.workbook.reader import Unreadable, as_text, changed_inputs, name_problems
from excel_addin.workbook.run import parse_inputs, plan_run, read_inputs


def defaults() -> dict:
    """Every input as a template holds it: what a reader returns for a fresh workbook."""
    raw = {}
    for cell in layout.all_inputs():
        if cell.name == "share_tiers":
            raw[cell.name] = [list(t) for t in cell.spec.default] + [[None, None]] * 2
        else:
            raw[cell.name] = cell.spec.default
    return raw


def test_a1_round_trips():
    assert [a1.column_letter(i) for i in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
    assert all(a1.column_index(a1.column_letter(i)) == i for i in range(1, 2000))
    assert a1.area(7, 2, 5, 2) == "B7:C11" and a1.parse_area("B7:C11") == (7, 2, 5, 2)
    assert a1.sheet_ref("xlwings.conf", "A1") == "'xlwings.conf'!$A$1"
    assert a1.split_sheet_ref("'It''s'!$B$7:$C$8") == ("It's", "B7:C8")
    assert a1.overlaps((1, 1, 2, 2), (2, 2, 1, 1)) and not a1.overlaps((1, 1, 2, 2), (3, 1, 1, 1))


def test_layout_covers_every_parameter_once_without_overlaps():
    cells = layout.all_inputs()
    names = [c.name for c in cells]
    assert len(names) == len(set(names))
    assert set(layout.parameter_names()) <= set(names)
    assert [c.name for c in cells if c.sheet == layout.INPUTS][: len(PARAMETERS)] == [
        s.name for s in PARAMETERS
    ]
    for i, one in enumerate(cells):
        for other in cells[i + 1 :]:
            assert one.sheet != other.sheet or not a1.overlaps(one.rectangle, other.rectangle)
    for sheet in layout.SHEETS:
        for cell in sheet.inputs:
            assert sheet.output_row is None or cell.row + cell.rows - 1 < sheet.output_row
    fixed = layout.fixed_names()
    assert len(fixed) == len(cells) + len(layout.STATUS) + 2
    assert not any(name.startswith(layout.OUT_PREFIX) for name in fixed)


def test_snapshot_formula_compares_each_input_as_text():
    slot = next(s for s in layout.snapshot_slots() if s.cell.name == "share_tiers")
    assert slot.changed_formula == '=IFERROR(SUMPRODUCT(--(Inputs!$B$35:$C$39&""<>$C$17:$D$21&"")),1)'
    last = (
        layout.SNAPSHOT_FIRST_ROW + sum(cell.rows for cell in layout.all_inputs()) - 1
    )  # one row per input row
    assert layout.snapshot_changes_formula() == f"=SUM($B$5:$B${last})"


def test_reader_with_plain_callbacks_as_the_add_in_will_use_it():
    raw = defaults()
    names = layout.fixed_names()
    inputs = read_inputs(raw.__getitem__, names.get)
    assert inputs.params == Parameters()
    assert inputs.occupancy.tolist() == pytest.approx(np.arange(21) / 20)
    assert inputs.values["breakdown_occupancy"] == 0.75
    assert inputs.fingerprint == parse_inputs(raw).fingerprint
    # the example's fixed cost typed as text means the same inputs
    assert parse_inputs({**raw, "fixed_cost": "£775,000"}).fingerprint == inputs.fingerprint
    assert parse_inputs({**raw, "fixed_cost": 775_001}).fingerprint != inputs.fingerprint


def test_reader_reports_every_problem_with_its_cell():
    raw = {
        **defaults(),
        "places": "four",
        "local_use_max": 2,
        "breakdown_local_use": Unreadable("x: unreadable"),
    }
    with pytest.raises(InvalidInputsError) as error:
        parse_inputs(raw)
    located = {p.name: str(p) for p in error.value.located}
    assert located == {
        "places": "Registered places (Inputs!B12): places = 'four' is not a number",
        "local_use_max": "Local use to (Inputs!B49): local_use_max = 2 must be at most 1",
        "breakdown_local_use": "Local use (Breakdown!B7): x: unreadable",
    }


def test_names_missing_or_moved_are_workbook_errors():
    names = dict(layout.fixed_names())
    del names["places"]
    names["fixed_cost"] = "Inputs!$B$99"
    problems = name_problems(names.get)
    assert problems == [
        "the name 'places' is missing (it should point to Inputs!B12)",
        "the name 'fixed_cost' points to Inputs!B99 but the model expects Inputs!B14",
    ]
    with pytest.raises(WorkbookError, match="does not have the layout"):
        read_inputs(defaults().__getitem__, names.get)


def test_changed_inputs_follows_the_formula_rule():
    raw = defaults()
    assert changed_inputs(raw, raw) == []
    assert changed_inputs({**raw, "deficit_support": None}, raw) == ["deficit_support"]  # 0 → blank
    assert changed_inputs({**raw, "places": 4.0}, raw) == []  # 4 and 4.0 look the same in a cell
    assert as_text(0.1 + 0.2) == "0.3" and as_text(True) == "TRUE" and as_text("Ab") == "ab"


def test_block_cleans_values_for_a_spreadsheet():
    item = block("Provider", 3, 2, np.array([[1.0, np.nan], [np.inf, np.float64(2.5)]]))
    assert item.values == ((1.0, None), (None, 2.5))
    assert type(item.values[1][1]) is float
    assert item.ref == "B3:C4"
    assert block("Inputs", 1, 1, "x").values == (("x",),)
    with pytest.raises(ValueError, match="unknown style"):
        block("Inputs", 1, 1, "x", style="sparkly")


def test_plan_never_writes_into_an_input_cell():
    fee = layout.input_cell("local_fee")
    with pytest.raises(LayoutConflictError, match="Inputs!B16"):
        check_plan([Block(layout.INPUTS, "A16", (("label", 1, "unit"),))])
    with pytest.raises(LayoutConflictError, match="would erase Breakdown!B6"):
        check_plan([Clear(layout.BREAKDOWN, 6)])
    check_plan([Block(layout.INPUTS, fee.problem_cell, (("a problem",),))])


def test_a_run_plan_touches_no_input_and_is_plain_data():
    inputs = parse_inputs(defaults())
    items = plan_run(inputs, datetime(2025, 1, 1))
    check_plan(items)
    for item in items:
        if isinstance(item, Block):
            for value in (v for row in item.values for v in row):
                assert value is None or isinstance(value, str | int | float | bool | datetime)
                assert not (isinstance(value, float) and not math.isfinite(value))


def test_failure_items_list_problems_next_to_labels():
    with pytest.raises(InvalidInputsError) as error:
        parse_inputs({**defaults(), "fixed_cost": -1})
    items = failure_items(error.value.located)
    fixed = layout.input_cell("fixed_cost")
    written = {(i.sheet, i.top_left): i.values[0][0] for i in items}
    assert written[(layout.INPUTS, fixed.problem_cell)] == "fixed_cost = -1 must be at least 0"
    assert written[(layout.INPUTS, layout.input_cell("places").problem_cell)] is None
    summary = written[(layout.INPUTS, layout.STATUS_BY_NAME["status_problems"].ref)]
    assert summary.startswith("1 problem: no results were written")
    assert len(problem_items([])) == len(layout.all_inputs())


def test_snapshot_items_mirror_each_input_shape():
    items = snapshot_items(defaults(), "abc")
    tiers = next(s for s in layout.snapshot_slots() if s.cell.name == "share_tiers")
    body = next(i for i in items if isinstance(i, Block) and i.ref == tiers.ref)
    assert body.values == ((0, 0.25), (0.5, 0.4), (0.75, 0.6), (None, None), (None, None))


def test_plan_modules_do_not_import_a_spreadsheet_library():
    code = (
        "import sys, excel_addin.workbook.run, excel_addin.workbook.reader, "
        "excel_addin.workbook.plan, excel_addin.workbook.layout; "
        "bad = [m for m in ('openpyxl', 'xlwings') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
