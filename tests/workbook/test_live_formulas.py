"""Live formulas without a spreadsheet: what they may use, and the results a run saves with them.

That the formulas compute the engine's numbers is checked in LibreOffice
(test_live_formulas_libreoffice.py); here: only functions Excel 2010 and LibreOffice share,
Excel's length limit, and that after ``partnership run`` every formula cell of the file
carries its result, so readers that do not recalculate (openpyxl ``data_only``) see numbers.
"""

from __future__ import annotations

import math
import re

import numpy as np
import openpyxl

import engine
from excel_addin.files.operations import run_workbook
from excel_addin.files.template import template_items
from excel_addin.workbook import layout
from excel_addin.workbook.formula import Formula
from excel_addin.workbook.live_formulas import (
    EXCEL_FORMULA_LIMIT,
    LIVE_QUANTITIES,
    Point,
    axis_formula,
    measure_formula,
)
from excel_addin.workbook.plan import Block
from tests.support.workbook import make_workbook, named_values

SHARED_FUNCTIONS = {"MAX", "IF", "OR", "INDEX", "SUMPRODUCT", "ROUND", "INT", "TEXT", "SUM", "IFERROR"}
FUNCTION = re.compile(r"([A-Z][A-Z0-9.]*)\(")


def template_formulas() -> list[str]:
    return [
        str(v)
        for item in template_items()
        if isinstance(item, Block)
        for row in item.values
        for v in row
        if isinstance(v, Formula)
    ]


def test_every_formula_uses_only_functions_excel_2010_and_libreoffice_share():
    formulas = template_formulas() + [
        str(measure_formula(name, Point("$A1", "B$1"))) for name in LIVE_QUANTITIES
    ]
    used = {
        name for text in formulas for name in FUNCTION.findall(text.replace('"0%"', "").replace('"0.0%"', ""))
    }
    assert used <= SHARED_FUNCTIONS, used - SHARED_FUNCTIONS
    assert len(formulas) > 3 * 21 * 21 * 2  # the Provider and Host tables are formulas


def test_formulas_stay_well_under_excels_limit():
    longest = max(
        len(measure_formula(name, Point("$A100", "AB$99"), ("$A100", "AB$99"))) for name in LIVE_QUANTITIES
    )
    assert longest < EXCEL_FORMULA_LIMIT / 2  # room for longer cell references and names


def test_axis_formula_follows_make_axis():
    """min + k·step rounded to 12 decimals while k ≤ (max − min)/step + 1e-9, else empty."""
    text = str(axis_formula("occupancy", 4))
    assert text == (
        '=IF(4>(occupancy_max-occupancy_min)/occupancy_step+1E-9,"",ROUND(occupancy_min+4*occupancy_step,12))'
    )


def test_after_a_run_every_formula_cell_carries_its_result(tmp_path):
    path = make_workbook(tmp_path, reserved_places=2.5)
    run_workbook(path)
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    missing, count = [], 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                count += 1
                if values[ws.title][cell.coordinate].value is None:
                    missing.append((ws.title, cell.coordinate))
    assert count > 6 * 21 * 21
    # only the cost per local week where the host has fewer than layout.MIN_LOCAL_WEEKS local weeks
    # (none at occupancy 0 or local use 0, where the engine is undefined, and 208·o·u < 13 besides);
    # the margin is defined everywhere (revenue includes K > 0)
    weeks = engine.payoff_grid(engine.Parameters.from_mapping({})).values["local_weeks"]
    rows = _rows(formulas, "host_cost_per_local_week")
    expected = {
        (layout.HOST, f"{openpyxl.utils.get_column_letter(2 + j)}{rows[i]}")
        for i, j in zip(*np.nonzero(weeks < layout.MIN_LOCAL_WEEKS), strict=True)
    }
    assert len(expected) > 2 * 21 - 1  # more than the first row and column
    assert set(missing) == expected


def _rows(wb: openpyxl.Workbook, measure: str) -> list[int]:
    """The sheet rows of a measure's table body."""
    _, ref = next(iter(wb.defined_names[layout.out_name(measure)].destinations))
    top, bottom = (int(re.sub(r"[^0-9]", "", part)) for part in ref.split(":"))
    return list(range(top, bottom + 1))


def test_saved_results_are_the_engines_numbers(tmp_path):
    """The saved results are the engine's (exactly: they were written from it), and empty where it is NaN."""
    path = make_workbook(tmp_path, host_contribution=0, local_fee=4800)
    run_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    params = engine.Parameters.from_mapping({"host_contribution": 0, "local_fee": 4800})
    grid = engine.payoff_grid(params)
    for name in (*engine.KEY_MEASURES["provider"], *engine.KEY_MEASURES["host"]):
        found = np.array(
            [
                [np.nan if v in (None, "") else v for v in row]
                for row in named_values(values, layout.out_name(name))
            ],
            dtype=float,
        )
        expected = grid.values[name]
        if name == "host_cost_per_local_week":  # shown only from layout.MIN_LOCAL_WEEKS local weeks
            expected = np.where(grid.values["local_weeks"] < layout.MIN_LOCAL_WEEKS, np.nan, expected)
        assert np.array_equal(np.isnan(found), np.isnan(expected)), name
        assert np.array_equal(found[~np.isnan(found)], expected[~np.isnan(expected)]), name
    margin = named_values(values, layout.out_name("provider_margin"))
    assert margin[0][0] is None and math.isnan(
        grid.values["provider_margin"][0, 0]
    )  # no revenue at o = 0, K = 0
    assert values[layout.INPUTS][layout.STATUS_BY_NAME["status_message"].ref].value == layout.UP_TO_DATE
