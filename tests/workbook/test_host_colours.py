"""The Host sheet's colours judge the host against the spot market, and its cost per local week
is shown only where there are enough local weeks for it to mean something."""

from __future__ import annotations

import math

import openpyxl
import pytest

import engine
from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout
from tests.support.workbook import make_workbook, named_values


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> tuple[openpyxl.Workbook, openpyxl.Workbook]:
    path = make_workbook(tmp_path_factory.mktemp("host"), "host.xlsx")
    run_workbook(path)
    return openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)


def test_cost_per_local_week_is_empty_below_the_minimum_of_local_weeks(ran):
    _, values = ran
    grid = engine.payoff_grid(engine.Parameters.from_mapping({}))
    weeks = grid.values["local_weeks"]
    found = named_values(values, layout.out_name("host_cost_per_local_week"))
    # 4 places, 52 weeks: local weeks = 208·o·u, so 100 % occupancy at 5 % local use has 10.4
    # weeks (the −£4,949 a week the engine gives there is blanked) and 25 % at 25 % has 13.0 (kept).
    assert weeks[20, 1] == pytest.approx(10.4) and found[20][1] in (None, "")
    assert weeks[5, 5] == pytest.approx(13.0) and found[5][5] == pytest.approx(
        grid.values["host_cost_per_local_week"][5, 5]
    )
    blank = sum(v in (None, "") for row in found for v in row)
    assert blank == int((weeks < layout.MIN_LOCAL_WEEKS).sum()) > 0
    for i, row in enumerate(found):
        for j, value in enumerate(row):
            if weeks[i, j] >= layout.MIN_LOCAL_WEEKS:
                assert math.isclose(value, grid.values["host_cost_per_local_week"][i, j], rel_tol=1e-12)


def test_host_headings_say_what_green_means_and_raw_spend_is_not_coloured(ran):
    formulas, _ = ran
    ws = formulas[layout.HOST]
    headings = {str(ws.cell(r, 1).value) for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    assert any(h.endswith("green: the host pays less than on the spot market") for h in headings)
    assert any(h.endswith("green: below the spot price (£6,500 a week)") for h in headings)
    assert any(h.endswith("not coloured: compare it with the saving against spot") for h in headings)
    body = formulas.defined_names[layout.out_name("host_net_cost")].attr_text.split("!")[1].replace("$", "")
    coloured = {str(rng.sqref) for rng in ws.conditional_formatting}
    assert body not in coloured
    assert (
        formulas.defined_names[layout.out_name("host_saving")].attr_text.split("!")[1].replace("$", "")
        in coloured
    )


def test_guide_states_the_threshold(ran):
    formulas, _ = ran
    ws = formulas[layout.GUIDE]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert f"fewer than {layout.MIN_LOCAL_WEEKS} placement-weeks a year" in text
