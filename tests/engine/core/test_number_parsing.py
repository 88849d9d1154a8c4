"""Numbers typed as text the UK way are read exactly; anything ambiguous is refused at its cell.

A comma is read only as a thousands separator ("5,000"), a point only as the decimal point.
"5,5" (five and a half the European way, or 55 with a slip) and "1.234,56" (1234.56 in
Europe) were once read as 55 and 1.23456: now each is refused, naming its cell and why.
Money inputs have a largest value, so that no result can overflow; messages show a value
with every digit it was typed with.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import (
    MEASURES,
    MONEY_MAX,
    PARAMETERS,
    PLACES_MAX,
    ParameterError,
    Parameters,
    payoff_grid,
    to_number,
)
from excel_addin.cli import main
from excel_addin.workbook import layout
from tests.support.workbook import make_workbook

# What a UK finance officer types, and the number it means (worked out by hand).
ACCEPTED = [
    ("£5,000", 5000.0),
    ("5 000", 5000.0),
    ("5\u00a0000", 5000.0),  # no-break space, as some programs paste it
    ("50%", 0.5),
    (" 12.5 % ", 0.125),
    ("5,000.00", 5000.0),
    ("£1,234,567.89", 1234567.89),
    ("-£250", -250.0),
    ("£-250", -250.0),
    ("1,234", 1234.0),  # a thousands separator, never a decimal comma
    ("1.234", 1.234),
    ("1e6", 1e6),
    (".5", 0.5),
]
# What must be refused, and words of the reason the message gives.
REFUSED = [
    ("5,5", "not between thousands"),
    ("1.234,56", "after the decimal point"),
    ("1,2", "not between thousands"),
    ("12,34,567", "not between thousands"),
    ("5,000,00", "not between thousands"),
    ("1 234,567", "not between thousands"),  # two kinds of separator
    ("5,", "not between thousands"),
    (",5", "not between thousands"),
    ("1.234.567", "more than one decimal point"),
    ("1,000e3", "exponent"),
    ("--5", "is not a number"),
    ("٣", "is not a number"),  # an Arabic-Indic digit: not what a UK user types
    ("1e999", "not a finite number"),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_uk_number_text_is_read_exactly(text, expected):
    coerced = to_number("fixed_cost", text)
    assert coerced.problem is None and coerced.value == expected


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_ambiguous_or_malformed_separators_are_refused_with_the_reason(text, reason):
    coerced = to_number("fixed_cost", text)
    assert coerced.value is None
    assert coerced.problem.startswith(f"fixed_cost = {text!r} ")  # the value as typed
    assert reason in coerced.problem


@given(st.integers(0, 10**12), st.integers(0, 99))
def test_grouped_thousands_with_pence_read_exactly(pounds, pence):
    for separator in (",", " "):
        text = f"£{pounds:,}.{pence:02d}".replace(",", separator)
        assert to_number("x", text).value == float(f"{pounds}.{pence:02d}")


@given(st.integers(1, 999), st.integers(0, 10**6).filter(lambda n: len(str(n)) != 3))
def test_a_comma_not_followed_by_three_digits_is_never_read(head, tail):
    """'5,5', '12,3456': whatever digits surround it, such a comma is refused, never dropped."""
    assert to_number("x", f"{head},{tail}").problem is not None


def test_the_european_number_is_refused_at_its_cell_in_the_workbook(tmp_path, capsys):
    path = make_workbook(tmp_path, fixed_cost="1.234,56", local_fee="5,5")
    before = path.read_bytes()
    assert main(["run", str(path), "--json"]) == 2
    problems = {p["name"]: p for p in json.loads(capsys.readouterr().out)["problems"]}
    assert problems["fixed_cost"]["cell"] == "Inputs!" + layout.input_cell("fixed_cost").ref
    assert "'1.234,56'" in problems["fixed_cost"]["message"]
    assert "after the decimal point" in problems["fixed_cost"]["message"]
    assert "not between thousands" in problems["local_fee"]["message"]
    assert path.read_bytes() == before


# --- values shown as typed --------------------------------------------------------------------


def test_messages_show_every_digit_of_the_value():
    with pytest.raises(ParameterError) as caught:
        Parameters.from_mapping({"places": 4.0000000001, "weeks_per_year": 53.000000000001})
    messages = dict(caught.value.problems)
    assert messages["places"] == "places = 4.0000000001 must be a whole number"
    assert messages["weeks_per_year"] == "weeks_per_year = 53.000000000001 must be at most 53"


# --- the largest values accepted ----------------------------------------------------------------

MONEY = [spec.name for spec in PARAMETERS if spec.unit.startswith("£")]


def test_every_money_input_and_places_has_a_stated_largest_value():
    assert MONEY == [
        "fixed_cost",
        "variable_cost",
        "local_fee",
        "outside_fee",
        "spot_price",
        "host_contribution",
        "compensation_per_week",
    ]
    for spec in PARAMETERS:
        if spec.unit.startswith("£"):
            assert spec.maximum == MONEY_MAX == 1e12
            assert spec.rule == "≥ 0 and ≤ £1,000,000,000,000"
    assert Parameters.from_mapping({"places": PLACES_MAX}).places == 10_000


@pytest.mark.parametrize("name", MONEY)
def test_a_money_value_above_the_limit_is_refused_naming_the_limit(name):
    with pytest.raises(ParameterError) as caught:
        Parameters.from_mapping({name: 1e308})
    assert dict(caught.value.problems)[name] == f"{name} = 1e+308 must be at most £1,000,000,000,000"
    assert Parameters.from_mapping({name: MONEY_MAX}).to_mapping()[name] == MONEY_MAX


def test_at_the_limits_every_measure_is_finite_at_every_point():
    """The largest accepted inputs, and the smallest, on a fine grid: no overflow, no inf.

    NaN appears only where docs/model.md defines it: provider_margin where revenue is 0,
    host_cost_per_local_week where there are no local weeks.
    """
    extremes = [
        {name: MONEY_MAX for name in MONEY}
        | {"places": PLACES_MAX, "reserved_places": PLACES_MAX, "weeks_per_year": 53.0},
        {name: MONEY_MAX for name in MONEY}
        | {"places": PLACES_MAX, "reserved_places": 0, "weeks_per_year": 53.0, "deficit_support": 1.0},
        {name: 0.0 for name in MONEY} | {"places": 1, "reserved_places": 0, "weeks_per_year": 1e-9},
        {"fixed_cost": MONEY_MAX, "places": PLACES_MAX, "reasonable_return": 0.999999, "release_share": 1},
    ]
    axis = np.linspace(0, 1, 41)
    for inputs in extremes:
        params = Parameters.from_mapping(inputs)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # an overflow would raise here
            values = payoff_grid(params, axis, axis).values
        for spec in MEASURES:
            grid = np.asarray(values[spec.name], dtype=float)
            assert not np.isinf(grid).any(), (spec.name, inputs)
            if spec.name not in ("provider_margin", "host_cost_per_local_week"):
                assert np.isfinite(grid).all(), (spec.name, inputs)
        grids = [np.asarray(values[s.name], dtype=float) for s in MEASURES]
        largest = max(np.abs(g[np.isfinite(g)]).max(initial=0.0) for g in grids)
        assert largest < 1e22  # 10,000 places × 53 weeks × £10^12 ≈ 5.3e20, far from 1.8e308


def test_1e308_in_a_money_cell_is_refused_at_its_cell(tmp_path, capsys):
    path = make_workbook(tmp_path, fixed_cost=1e308, spot_price=1e308)
    before = path.read_bytes()
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"Inputs!{layout.input_cell('fixed_cost').ref}" in err
    assert "fixed_cost = 1e+308 must be at most £1,000,000,000,000" in err
    assert "spot_price = 1e+308 must be at most £1,000,000,000,000" in err
    assert path.read_bytes() == before


def test_a_run_at_the_limits_writes_numbers_not_nan(tmp_path, capsys):
    """Every money input at its largest value: the run succeeds and no sentence says '£nan'."""
    path = make_workbook(tmp_path, **{name: MONEY_MAX for name in MONEY}, places=PLACES_MAX)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert main(["run", str(path)]) == 0
    captured = capsys.readouterr()
    assert "overflow" not in captured.err.lower()
    wb = openpyxl.load_workbook(path)
    texts = [
        cell.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert texts and not [
        t for t in texts if "£nan" in t.lower() or "£inf" in t.lower() or "£-inf" in t.lower()
    ]
