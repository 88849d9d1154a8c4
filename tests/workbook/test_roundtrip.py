"""Round trip: new → type inputs → run → every out_ table holds the engine's values.

The engine is tested on its own (golden values, an independent reference model); here
the question is whether the workbook carries inputs in and results out faithfully, so
the engine is the oracle, plus one point worked by hand.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import openpyxl
import pytest

from engine import (
    KEY_MEASURES,
    MEASURE_NAMES,
    Parameters,
    break_even_occupancy,
    breakdown,
    make_axis,
    payoff_grid,
)
from excel_addin.cli import main
from excel_addin.files.openpyxl_apply import apply_plan
from excel_addin.files.openpyxl_io import callbacks, open_workbook, read_snapshot
from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout
from excel_addin.workbook.errors import InvalidInputsError
from excel_addin.workbook.plan import failure_items
from excel_addin.workbook.reader import changed_inputs
from excel_addin.workbook.run import read_inputs
from tests.support.workbook import (
    all_values,
    as_array,
    chart_count,
    input_values,
    make_workbook,
    named_values,
    planned_charts,
    set_inputs,
)

CHANGED = {
    "places": 6,
    "fixed_cost": 800_000,
    "reserved_places": 2,
    "outside_fee": "£5,600",  # text as a finance officer might type it
    "share_tiers": [[0, 0.2], [0.4, "50%"]],
    "occupancy_step": 0.1,
    "local_use_min": 0.2,
    "local_use_step": 0.2,
    "breakdown_occupancy": 0.6,
    "breakdown_local_use": 0.4,
}
PARAMS = Parameters(places=6, fixed_cost=800_000, reserved_places=2, share_tiers=((0, 0.2), (0.4, 0.5)))
OCCUPANCY = make_axis(0, 1, 0.1)
LOCAL_USE = make_axis(0.2, 1, 0.2)


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """A workbook with changed inputs, run through the command line; with its inputs before the run."""
    path = make_workbook(tmp_path_factory.mktemp("roundtrip"), **CHANGED)
    before = input_values(path)
    assert main(["run", str(path)]) == 0
    return path, before


def test_every_key_measure_table_equals_the_engine(ran):
    path, _ = ran
    wb = openpyxl.load_workbook(path, data_only=True)  # the tables are formulas; the run saved their results
    grid = payoff_grid(PARAMS, OCCUPANCY, LOCAL_USE)
    for name in (*KEY_MEASURES["provider"], *KEY_MEASURES["host"]):
        table = as_array(named_values(wb, layout.out_name(name)))
        expected = grid.values[name]
        if name == "host_cost_per_local_week":  # shown only from layout.MIN_LOCAL_WEEKS local weeks
            expected = np.where(grid.values["local_weeks"] < layout.MIN_LOCAL_WEEKS, np.nan, expected)
        np.testing.assert_allclose(table, expected, rtol=1e-12, equal_nan=True, err_msg=name)
    assert as_array(named_values(wb, "out_occupancy")).ravel().tolist() == OCCUPANCY.tolist()
    assert as_array(named_values(wb, "out_local_use")).ravel().tolist() == LOCAL_USE.tolist()


def test_a_point_worked_by_hand(ran):
    # o = 1, u = 0.2 would mix tiers; take o = 1 (last row), u = 0.2 (first column) with
    # N = 6, R = 2: L = 0.2·6 = 1.2, X = 4.8, L_unres = 0, X_rel = max(4.8 − 4, 0) = 0.8.
    # fees = 52·(1.2·5000 + 4.8·5600) = 52·32,880 = 1,709,760; revenue = 1,909,760
    # cost = 800,000 + 52·6·300 = 893,600; compensation = 250·52·4.8 = 62,400
    # release credit = 0.25·5600·52·0.8 = 58,240; S0 = 1,909,760 − 893,600 − 62,400 − 58,240 = 895,520
    # threshold = 0.08·893,600 = 71,488; σ(0.2) = 0.2; share = 0.2·(895,520 − 71,488) = 164,806.4
    # provider_surplus = 895,520 − 164,806.4 = 730,713.6
    path, _ = ran
    table = named_values(openpyxl.load_workbook(path, data_only=True), "out_provider_surplus")
    assert table[-1][0] == pytest.approx(730_713.6, abs=1e-6)


def test_break_even_results_and_breakdown_tables(ran):
    path, _ = ran
    wb = openpyxl.load_workbook(path, data_only=True)  # the breakdown is formulas with saved results
    expected = break_even_occupancy(PARAMS, LOCAL_USE)
    np.testing.assert_allclose(
        as_array(named_values(wb, "out_break_even_occupancy"))[0], expected, equal_nan=True
    )
    rows = named_values(wb, "out_results")
    frame = payoff_grid(PARAMS, OCCUPANCY, LOCAL_USE).to_frame()
    assert rows[0] == list(frame.columns) == ["occupancy", "local_use", *MEASURE_NAMES]
    np.testing.assert_allclose(as_array(rows[1:]), frame.to_numpy(dtype=float), rtol=1e-12, equal_nan=True)
    lines = breakdown(PARAMS, 0.6, 0.4)
    table = named_values(wb, "out_breakdown")
    assert [row[0] for row in table] == lines["line"].tolist()
    np.testing.assert_allclose(
        as_array([row[5:] for row in table]),
        lines[["host", "provider", "outside_authorities", "suppliers"]].to_numpy(),
        rtol=1e-12,
    )


def test_inputs_are_unchanged_by_the_run(ran):
    path, before = ran
    assert input_values(path) == before


def test_status_and_snapshot_record_the_run(ran):
    path, _ = ran
    wb = open_workbook(path)
    status = {cell.name: wb[layout.INPUTS][cell.ref].value for cell in layout.STATUS}
    assert status["status_message"] == layout.status_formula()
    assert isinstance(status["status_computed_at"], datetime)
    assert status["status_version"] == "0.1.0" and status["status_problems"] == "None"
    assert len(status["status_fingerprint"]) == 12
    kept = read_snapshot(wb)
    value_of, _ = callbacks(wb, path)
    raw = {cell.name: value_of(cell.name) for cell in layout.all_inputs()}
    assert changed_inputs(raw, kept) == []
    assert kept["outside_fee"] == "£5,600" and kept["share_tiers"][1] == [0.4, "50%"]


def test_every_planned_chart_is_drawn(ran):
    path, _ = ran
    assert chart_count(path) == planned_charts(path) >= 4


def test_running_twice_gives_identical_workbooks(tmp_path):
    path = make_workbook(tmp_path, **CHANGED)
    when = datetime(2025, 1, 2, 3, 4)
    run_workbook(path, computed_at=when)
    first = all_values(path)
    run_workbook(path, computed_at=when)
    assert all_values(path) == first
    assert chart_count(path) == planned_charts(path) >= 4


@pytest.mark.slow
def test_a_smaller_grid_leaves_no_stale_cells(tmp_path):
    path = make_workbook(tmp_path)
    run_workbook(path)
    set_inputs(path, occupancy_step=0.25, local_use_step=0.5)
    run_workbook(path)
    wb = openpyxl.load_workbook(path)
    assert len(named_values(wb, "out_results")) == 1 + 5 * 3
    assert wb[layout.RESULTS].max_row == layout.RESULTS_SHEET.output_row + 3 + 15
    assert len(named_values(wb, "out_provider_surplus")) == 5


def test_output_option_leaves_the_source_untouched(tmp_path):
    path = make_workbook(tmp_path)
    before = path.read_bytes()
    out = tmp_path / "out.xlsx"
    assert main(["run", str(path), "--output", str(out)]) == 0
    assert path.read_bytes() == before
    assert named_values(openpyxl.load_workbook(out), "out_provider_surplus")


def test_an_input_formula_is_read_through_its_saved_value(tmp_path):
    path = make_workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    cell = layout.input_cell("fixed_cost")
    wb[cell.sheet][cell.ref] = "=900000+50000"
    wb.save(path)
    # openpyxl saves no result for a formula: the run must say so rather than guess
    assert main(["run", str(path)]) == 2


def test_a_failed_run_shows_each_problem_next_to_its_label(tmp_path):
    """What the add-in writes when inputs are invalid: problems and a summary, no results."""
    path = make_workbook(tmp_path, fixed_cost="lots", reserved_places=9)
    wb = open_workbook(path)
    with pytest.raises(InvalidInputsError) as error:
        read_inputs(*callbacks(wb, path))
    apply_plan(wb, failure_items(error.value.located))
    ws = wb[layout.INPUTS]
    problem = {
        cell.name: ws[cell.problem_cell].value for cell in layout.all_inputs() if cell.sheet == layout.INPUTS
    }
    assert problem["fixed_cost"] == "fixed_cost = 'lots' is not a number"
    assert problem["reserved_places"] == "reserved_places = 9 exceeds places = 4"
    assert sum(v is not None for v in problem.values()) == 2
    summary = ws[layout.STATUS_BY_NAME["status_problems"].ref].value
    assert summary.startswith("2 problems: no results were written")
    assert ws[layout.input_cell("fixed_cost").ref].value == "lots"  # what the user typed stays
    # results stay as they were: the new workbook's live tables, and no results on the other sheets
    assert wb[layout.PROVIDER].cell(layout.PROVIDER_SHEET.output_row, 1).value.startswith("Not run yet")
    assert wb[layout.RESULTS].cell(layout.RESULTS_SHEET.output_row, 1).value.startswith("No results yet")
