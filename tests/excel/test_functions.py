"""The worksheet functions behind the add-in, called with values as xlwings passes them.

xlwings hands a UDF rows of cell values: ``None`` for an empty cell, floats for whole
numbers, text as typed, a 1-cell range as a scalar unless the argument is declared a
range (``ndim=2``: rows). Each function must return exactly the engine's values, spill as
rows of plain Python values (an undefined value as ""), and turn every bad input into one
line of text starting ``#PARAM!``, never a traceback.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import (
    DEFAULT_DRAWS,
    DEFAULT_RULES,
    DEFAULT_SEED,
    MEASURES,
    Parameters,
    Uncertainty,
    agreement_zone,
    balanced_points,
    break_even_occupancy,
    breakdown,
    default_axis,
    evaluate,
    make_axis,
    monte_carlo,
)
from excel_addin.excel import functions
from excel_addin.excel.functions import (
    PM_AGREEMENT,
    PM_BREAKDOWN,
    PM_BREAKEVEN,
    PM_GRID,
    PM_MEASURES,
    PM_POINT,
    PM_RISK,
)
from excel_addin.excel.param_range import read_range
from excel_addin.files.template import build_template
from excel_addin.workbook import layout


def as_xlwings(value):
    """A cell value as xlwings gives it: whole numbers as floats, formulas as their (unknown) result."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.startswith("="):
        return None
    return value


@pytest.fixture(scope="module")
def inputs_range():
    """The template's Inputs sheet, columns A:F, as =PM_GRID("…", Inputs!A1:F80) receives it."""
    ws = build_template()[layout.INPUTS]
    return [[as_xlwings(ws.cell(r, c).value) for c in range(1, 7)] for r in range(1, 81)]


def plain(rows):
    """Every cell is a plain value a spreadsheet shows: no numpy types, no NaN."""
    cells = rows if isinstance(rows, list) else [[rows]]
    for row in cells:
        for value in row:
            assert value is None or type(value) in (float, int, str, bool), (value, type(value))
            assert not (isinstance(value, float) and not math.isfinite(value))
    return rows


def numbers(rows):
    """Rows of cells as a float array, "" as NaN (how the functions show undefined values)."""
    return np.array([[np.nan if v == "" else float(v) for v in row] for row in rows])


# --- values -------------------------------------------------------------------------------------


def test_point_by_hand(inputs_range):
    # Default terms, occupancy 75 %, local use 50 %: L = u·o·N = 0.5·0.75·4 = 1.5 places;
    # host fees = W·L·p_L = 52 · 1.5 · 5,000 = £390,000.
    assert PM_POINT("local_places", inputs_range, 0.75, 0.5) == 1.5
    assert PM_POINT("host_fees", inputs_range, 0.75, 0.5) == 390_000.0


def test_grid_is_the_engine_grid(inputs_range):
    result = plain(PM_GRID("provider_surplus", inputs_range))
    axis = default_axis()
    assert result[0] == ["provider_surplus", *axis.tolist()]
    assert [row[0] for row in result[1:]] == axis.tolist()
    expected = evaluate(Parameters(), axis[:, None], axis[None, :])["provider_surplus"]
    np.testing.assert_array_equal(numbers([row[1:] for row in result[1:]]), expected)


def test_grid_axes_as_typed_with_gaps_and_percent_text(inputs_range):
    occupancy = [[0.5], [None], ["75%"], [1.0]]  # a column with an empty cell and a text share
    local_use = [[0.0, 0.25, 1.0]]
    result = plain(PM_GRID("host_cost_per_local_week", inputs_range, occupancy, local_use))
    o, u = np.array([0.5, 0.75, 1.0]), np.array([0.0, 0.25, 1.0])
    expected = evaluate(Parameters(), o[:, None], u[None, :])["host_cost_per_local_week"]
    assert [row[0] for row in result[1:]] == o.tolist()
    assert result[1][1] == ""  # no local weeks at local use 0: cost per local week undefined
    np.testing.assert_array_equal(numbers([row[1:] for row in result[1:]]), expected)


def test_grid_takes_the_ranges_grid_rows(inputs_range):
    rows = [row for row in inputs_range if row[0] not in ("Occupancy step", "Local use from")]
    rows += [["occupancy_step", 0.1], ["Local use from", 0.5]]
    result = PM_GRID("host_saving", rows)
    assert [row[0] for row in result[1:]] == make_axis(0, 1, 0.1).tolist()
    assert result[0][1:] == make_axis(0.5, 1, 0.05).tolist()


def test_point_vectorised_column_against_row_and_same_shape(inputs_range):
    o, u = np.array([0.6, 0.8, 1.0]), np.array([0.2, 0.7])
    table = plain(PM_POINT("host_saving", inputs_range, [[x] for x in o], [u.tolist()]))
    np.testing.assert_array_equal(
        numbers(table), evaluate(Parameters(), o[:, None], u[None, :])["host_saving"]
    )
    pairs = plain(PM_POINT("provider_margin", inputs_range, [[0.6, 0.8]], [[0.2, 0.7]]))
    np.testing.assert_array_equal(
        numbers(pairs)[0],
        evaluate(Parameters(), np.array([0.6, 0.8]), np.array([0.2, 0.7]))["provider_margin"],
    )


def test_point_empty_cell_gives_empty_result(inputs_range):
    result = plain(PM_POINT("host_saving", inputs_range, [[0.8], [None]], [[0.5], [0.5]]))
    assert result[1] == [""]
    assert result[0][0] == float(evaluate(Parameters(), 0.8, 0.5)["host_saving"])


def test_breakeven_table_and_points(inputs_range):
    table = plain(PM_BREAKEVEN(inputs_range))
    axis = default_axis()
    assert table[0] == ["local_use", "break_even_occupancy"]
    np.testing.assert_array_equal(numbers(table[1:])[:, 0], axis)
    np.testing.assert_array_equal(numbers(table[1:])[:, 1], break_even_occupancy(Parameters(), axis))
    assert PM_BREAKEVEN(inputs_range, 0.5) == float(break_even_occupancy(Parameters(), 0.5))
    row = PM_BREAKEVEN(inputs_range, [[0.0, 0.5, 1.0]])
    np.testing.assert_array_equal(
        numbers(row)[0], break_even_occupancy(Parameters(), np.array([0.0, 0.5, 1.0]))
    )


def test_breakdown_is_the_engine_breakdown(inputs_range):
    result = plain(PM_BREAKDOWN(inputs_range, 0.75, [[0.5]]))
    frame = breakdown(Parameters(), 0.75, 0.5)
    assert result[0] == list(functions.BREAKDOWN_COLUMNS)
    assert [row[0] for row in result[1:]] == frame["line"].tolist()
    for column in ("amount", "host", "provider", "outside_authorities", "suppliers"):
        index = functions.BREAKDOWN_COLUMNS.index(column)
        np.testing.assert_array_equal(
            numbers([[row[index]] for row in result[1:]])[:, 0], frame[column].to_numpy()
        )
    assert result[-1][functions.BREAKDOWN_COLUMNS.index("amount")] == ""  # the total line has no amount


def test_measures_lists_the_registry():
    result = plain(PM_MEASURES())
    assert result[0] == list(functions.MEASURE_COLUMNS)
    assert [row[0] for row in result[1:]] == [m.name for m in MEASURES]
    assert result[1 + [m.name for m in MEASURES].index("host_saving")][4] == "higher"


def test_risk_is_the_seeded_monte_carlo(inputs_range):
    result = plain(PM_RISK(inputs_range))
    summary = monte_carlo(Parameters(), Uncertainty(), DEFAULT_DRAWS, DEFAULT_SEED).summary
    assert result[0] == list(functions.RISK_COLUMNS)
    assert [row[1] for row in result[1:]] == summary["statistic"].tolist()
    np.testing.assert_array_equal(
        numbers([row[4:] for row in result[1:]]), summary[["partnership", "spot", "change"]]
    )
    assert PM_RISK(inputs_range) == result  # deterministic: a recalculation shows the same figures


def test_risk_party_draws_seed_and_uncertainty_rows(inputs_range):
    rows = [*inputs_range, ["occupancy_low", "70%"], ["correlation", 0.3]]
    result = PM_RISK(rows, "host", 5000.0, 7.0)
    expected = monte_carlo(Parameters(), Uncertainty(occupancy_low=0.7, correlation=0.3), 5000, 7).summary
    expected = expected[expected["party"] == "host"]
    assert {row[0] for row in result[1:]} == {"host"}
    np.testing.assert_array_equal(
        numbers([row[4:] for row in result[1:]]), expected[["partnership", "spot", "change"]]
    )


def test_agreement_map_codes_and_balanced_points(inputs_range):
    zone = agreement_zone(Parameters(), DEFAULT_RULES, steps=7, outcomes=Uncertainty())
    categories = plain(PM_AGREEMENT(inputs_range, None, None, 7.0))
    assert categories[0][0] == "host_contribution ↓  top_share_rate →"
    assert categories[0][1:] == zone.category_map().columns.tolist()
    assert [row[0] for row in categories[1:]] == zone.category_map().index.tolist()
    assert [row[1:] for row in categories[1:]] == zone.category_map().to_numpy().tolist()
    codes = plain(PM_AGREEMENT(inputs_range, None, None, 7.0, "codes"))
    assert [row[1:] for row in codes[1:]] == zone.code_map().to_numpy().tolist()
    balanced = plain(PM_AGREEMENT(inputs_range, None, None, 7.0, "balanced"))
    points = balanced_points(zone)
    assert balanced[0] == ["", *points["point"].tolist()]
    assert balanced[1][0] == "found" and balanced[1][1:] == points["found"].tolist()


def test_agreement_rules_terms_and_ranges_from_ranges(inputs_range):
    rules = [
        ["party", "statistic", "measure", "operator", "threshold"],
        ["provider", "probability_of_loss", "provider_surplus", "<=", "30%"],
        ["host", "mean", "host_saving", ">=", 0.0],
        [None, None, None, None, None],
    ]
    terms = [["host_contribution", 100_000.0, 300_000.0], ["deficit_support", 0.0, 1.0]]
    result = PM_AGREEMENT(inputs_range, rules, terms, 5.0)
    zone = agreement_zone(
        Parameters(),
        [tuple(row) for row in rules[1:3]],
        ("host_contribution", "deficit_support"),
        {"host_contribution": (100_000, 300_000), "deficit_support": (0, 1)},
        5,
        outcomes=Uncertainty(),
    )
    assert [row[1:] for row in result[1:]] == zone.category_map().to_numpy().tolist()
    assert [row[0] for row in result[1:]] == [100_000.0, 150_000.0, 200_000.0, 250_000.0, 300_000.0]


def test_labels_overrides_and_array_constants(inputs_range):
    by_label = [["Fixed cost", 900_000.0], ["Host contribution", "£250,000"]]
    expected = float(
        evaluate(Parameters(fixed_cost=900_000, host_contribution=250_000), 0.8, 0.5)["provider_surplus"]
    )
    assert PM_POINT("provider_surplus", by_label, 0.8, 0.5) == expected
    override_rows = [["host_contribution", 250_000.0]]
    changed = float(evaluate(Parameters(host_contribution=250_000), 0.8, 0.5)["provider_surplus"])
    assert PM_POINT("provider_surplus", inputs_range, 0.8, 0.5, override_rows) == changed
    constant = [["host_contribution", 250_000.0, "places", 5.0]]  # {"host_contribution",250000,"places",5}
    both = float(evaluate(Parameters(host_contribution=250_000, places=5), 0.8, 0.5)["provider_surplus"])
    assert PM_POINT("provider_surplus", inputs_range, 0.8, 0.5, constant) == both


def test_share_tiers_read_from_the_rows_under_their_name():
    rows = [
        ["share_tiers", "From local use", "Host's share"],
        [None, 0.0, 0.1],
        [None, 0.6, "50%"],
        [None, None, None],
        ["fixed_cost", 800_000.0, None],
    ]
    values = read_range(rows).family("parameters")
    assert values["share_tiers"] == [[0.0, 0.1], [0.6, "50%"], [None, None]]
    params = Parameters(share_tiers=((0.0, 0.1), (0.6, 0.5)), fixed_cost=800_000)
    assert PM_POINT("profit_share", rows, 1.0, 0.9) == float(evaluate(params, 1.0, 0.9)["profit_share"])


def test_the_inputs_sheet_gives_the_template_defaults(inputs_range):
    values = read_range(inputs_range)
    assert Parameters.from_mapping(values.family("parameters")) == Parameters()
    assert set(values.family("axes")) == {spec.name for spec in layout.AXIS_SPECS}


# --- problems -----------------------------------------------------------------------------------


def test_the_issue_example(inputs_range):
    assert PM_GRID("provider_surplus", [["places", 4.0], ["reserved_places", 5.0]]) == (
        "#PARAM! reserved_places = 5 exceeds places = 4"
    )
    assert PM_POINT("host_saving", inputs_range, 0.8, 0.5, [["reserved_places", 5.0]]) == (
        "#PARAM! reserved_places = 5 exceeds places = 4"
    )


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda r: PM_POINT("host_saving", [["plcaes", 4.0]], 0.8, 0.5),
            "#PARAM! parameters row 1: 'plcaes'",
        ),
        (
            lambda r: PM_POINT("host_saving", [["fixed_cost", "lots"]], 0.8, 0.5),
            "#PARAM! fixed_cost = 'lots' is not",
        ),
        (
            lambda r: PM_POINT("host_saving", [["fixed_cost", None]], 0.8, 0.5),
            "#PARAM! fixed_cost is missing",
        ),
        (
            lambda r: PM_POINT("host_saving", [["places", 4.0], ["Registered places", 5.0]], 0.8, 0.5),
            "given twice",
        ),
        (
            lambda r: PM_POINT("host_savings", r, 0.8, 0.5),
            "#PARAM! measure = 'host_savings' is not a measure",
        ),
        (lambda r: PM_POINT("host_saving", r, 1.2, 0.5), "#PARAM! occupancy"),
        (lambda r: PM_POINT("host_saving", r, "high", 0.5), "#PARAM! occupancy = 'high' is not a number"),
        (lambda r: PM_POINT("host_saving", r, [[0.1, 0.2, 0.3]], [[0.1, 0.2]]), "cannot be paired"),
        (lambda r: PM_BREAKDOWN(r, [[0.5, 0.6]], 0.5), "#PARAM! occupancy must be one cell, not 1×2"),
        (lambda r: PM_RISK(r, "council"), "#PARAM! party = 'council' must be one of provider, host, both"),
        (lambda r: PM_RISK(r, None, 100.5), "#PARAM! draws = 100.5 must be a whole number"),
        (lambda r: PM_AGREEMENT(r, None, None, None, "picture"), "#PARAM! output = 'picture' must be one of"),
        (lambda r: PM_AGREEMENT(r, None, [["host_contribution"]]), "#PARAM! terms must be two names"),
        (lambda r: PM_AGREEMENT(r, [["provider", "mean", "provider_margin", "=>", "x"]]), "threshold"),
        (lambda r: PM_GRID("host_saving", r, None, None, [["nonsense", 1.0]]), "#PARAM! overrides row 1"),
    ],
)
def test_problems_come_back_as_one_line(inputs_range, call, expected):
    result = call(inputs_range)
    assert isinstance(result, str) and result.startswith("#PARAM! ")
    assert expected in result
    assert "Traceback" not in result and "\n" not in result


def test_every_problem_at_once():
    result = PM_POINT(
        "host_saving", [["fixed_cost", "lots"], ["places", 0.0], ["spot_price", -1.0]], 2.0, 0.5
    )
    assert result.startswith("#PARAM! ")
    for part in ("fixed_cost = 'lots'", "places = 0", "spot_price = -1", "occupancy"):
        assert part in result


def test_unexpected_errors_are_text_not_tracebacks(monkeypatch, inputs_range):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("something deep inside")

    monkeypatch.setattr(functions, "evaluate", broken)
    assert (
        PM_POINT("host_saving", inputs_range, 0.8, 0.5) == "#ERROR! ZeroDivisionError: something deep inside"
    )


def test_workbook_words_are_skipped_but_values_never_guessed(inputs_range):
    # The Inputs sheet's title, headers, status rows and the breakdown inputs are not parameters.
    assert read_range(
        [["Status", "Results are up to date"], ["Input", "Value"], ["breakdown_occupancy", 0.3]]
    )
    assert read_range([["Commissioning Partnership Model – inputs", None]]).families == {}


# --- declarations: the same functions for desktop xlwings and xlwings Lite -------------------------


def test_every_function_is_declared_once_with_its_arguments():
    import inspect

    for spec in functions.FUNCTIONS:
        parameters = list(inspect.signature(spec.function).parameters)
        assert [arg.name for arg in spec.args] == parameters, spec.name
        assert spec.description and len(spec.description) <= 255  # Excel's limit for a description
    assert {spec.name for spec in functions.FUNCTIONS} == {
        "PM_GRID",
        "PM_POINT",
        "PM_BREAKEVEN",
        "PM_BREAKDOWN",
        "PM_MEASURES",
        "PM_RISK",
        "PM_AGREEMENT",
    }


def test_udfs_declares_ranges_as_two_dimensional():
    from excel_addin.excel import udfs

    calls = []

    def arg(name, **options):
        calls.append((name, options))
        return lambda f: f

    grid = next(spec for spec in functions.FUNCTIONS if spec.name == "PM_GRID")
    assert udfs.declare(grid, lambda f: f, arg) is PM_GRID
    options = dict(calls)
    assert options["parameters"]["ndim"] == 2 and "ndim" not in options["measure"]
    assert options["overrides"]["doc"].startswith("Terms replacing")
    assert udfs.PM_GRID is PM_GRID and callable(udfs.run_model)


def test_reference_lists_every_function_and_argument():
    text = functions.reference_markdown()
    for spec in functions.FUNCTIONS:
        assert f"`{spec.signature}`" in text
        for arg in spec.args:
            assert f"| {spec.name} | `{arg.name}` |" in text
    assert "`PM_GRID(measure, [parameters], [occupancy], [local_use], [overrides])`" in text
