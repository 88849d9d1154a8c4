"""The Compare sheet: its inputs, its values against the engine, its colours, charts and words.

The engine is tested on its own (tests/engine/contracts/); here the question is whether the
workbook carries the contract terms in and the engine's comparison out faithfully, so the
engine, called directly with the same inputs, is the oracle, plus one figure worked by hand.
"""

from __future__ import annotations

import re

import numpy as np
import openpyxl
import pytest

from engine import (
    CONTRACT_NAMES,
    CONTRACT_TERMS,
    ContractTerms,
    Parameters,
    Uncertainty,
    best_counts,
    best_for_host,
    best_for_provider,
    compare_contracts,
    contract_risk,
    evaluate_contracts,
    make_axis,
)
from excel_addin.cli import main
from excel_addin.files.operations import check_workbook, load_inputs, run_workbook
from excel_addin.workbook import layout
from excel_addin.workbook.contract_figures import (
    CONTRACT_HELP,
    FILLS,
    FORMULAS,
    LINES,
    POINT_MEASURES,
    SHORT_LABELS,
    default_counts,
    formula_text,
)
from excel_addin.workbook.errors import InvalidInputsError
from excel_addin.workbook.plan import CategoryColours, Chart
from excel_addin.workbook.run import plan_run
from tests.support.workbook import as_array, make_workbook, named_values, set_inputs

SHEET = layout.COMPARE
TERMS_TYPED = {
    "block_places": 2,
    "block_fee": "£5,750",  # as a finance officer types it
    "cost_plus_margin": "6%",
    "provider_outside_retention": 0,
    "compare_occupancy": 0.9,
    "compare_local_use": 0.7,
}
INPUTS_TYPED = {"places": 5, "reserved_places": 2, "occupancy_step": 0.1, "local_use_step": 0.25}
PARAMS = Parameters(places=5, reserved_places=2)
TERMS = ContractTerms(block_places=2, block_fee=5_750, cost_plus_margin=0.06, provider_outside_retention=0)
OCCUPANCY, LOCAL_USE = make_axis(0, 1, 0.1), make_axis(0, 1, 0.25)
BY_LABEL = {label: name for name, label in SHORT_LABELS.items()}


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    path = make_workbook(tmp_path_factory.mktemp("compare"), **INPUTS_TYPED, **TERMS_TYPED)
    run_workbook(path)
    return path, openpyxl.load_workbook(path)


def test_the_terms_are_inputs_of_the_template(tmp_path):
    wb = openpyxl.load_workbook(make_workbook(tmp_path))
    ws = wb[SHEET]
    for spec in CONTRACT_TERMS:
        cell = layout.input_cell(spec.name)
        assert cell.sheet == SHEET
        assert wb.defined_names[spec.name].attr_text == f"{SHEET}!${cell.ref[0]}${cell.ref[1:]}"
        assert ws[cell.ref].value == spec.default and ws[cell.ref].protection.locked is False
        assert (ws.cell(cell.label_row, 1).value, ws.cell(cell.label_row, 4).value) == (spec.label, spec.rule)
    rules = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    assert rules[layout.input_cell("block_places").ref].endswith("B6<=places)")
    assert ws.protection.sheet


def test_point_table_equals_the_engine(ran):
    _, wb = ran
    table = compare_contracts(PARAMS, TERMS, [0.9], [0.7]).set_index("contract")
    expected = table.loc[list(CONTRACT_NAMES), list(POINT_MEASURES)].to_numpy().T
    assert as_array(named_values(wb, "out_compare_point")) == pytest.approx(expected)
    # by hand: open book with k = 0 earns m × cost; cost = 775,000 + 52·0.9·5·300 = 845,200
    open_book = as_array(named_values(wb, "out_compare_point"))[POINT_MEASURES.index("provider_surplus"), 2]
    assert open_book == pytest.approx(0.06 * 845_200)


def test_chart_lines_equal_the_engine(ran):
    _, wb = ran
    lines = compare_contracts(PARAMS, TERMS, OCCUPANCY, [0.7])
    for measure in ("host_cost_per_local_week", "provider_surplus"):
        expected = np.column_stack(
            [lines.loc[lines["contract"] == c, measure].to_numpy() for c in CONTRACT_NAMES]
        )
        got = as_array(named_values(wb, f"out_compare_line_{measure}"))
        assert got == pytest.approx(expected, nan_ok=True)
    assert np.isnan(got[0]).sum() == 0 and got.shape == (11, 4)


def test_maps_and_counts_equal_the_engine(ran):
    _, wb = ran
    table = compare_contracts(PARAMS, TERMS, OCCUPANCY, LOCAL_USE)
    for party, best in (("host", best_for_host(table)), ("provider", best_for_provider(table))):
        cells = [[BY_LABEL[v] for v in row] for row in named_values(wb, f"out_compare_best_{party}")]
        assert cells == best.to_numpy().tolist()
    counts = best_counts(table).loc[list(CONTRACT_NAMES)]
    got = as_array(named_values(wb, "out_compare_counts"))
    columns = ["host_best_cells", "host_best_share", "provider_best_cells", "provider_best_share"]
    assert got == pytest.approx(counts[columns].to_numpy().T)
    assert got[0].sum() == got[2].sum() == 11 * 5


def test_risk_equals_the_engine(ran):
    _, wb = ran
    # the Risk sheet's inputs are its defaults: the risk engine's, with 10,000 draws
    risk = contract_risk(PARAMS, TERMS, draws=10_000)
    assert as_array(named_values(wb, "out_compare_risk")) == pytest.approx(
        risk[list(CONTRACT_NAMES)].to_numpy()
    )
    words = _texts(wb[SHEET])
    assert any("10,000 simulated years of occupancy 60 % / 85 % / 95 %" in text for text in words)


@pytest.mark.slow
def test_risk_follows_the_risk_sheet(tmp_path):
    risk_typed = {"occupancy_low": 0.7, "correlation": 0.3, "draws": 20_000, "seed": 5}
    path = make_workbook(tmp_path, **TERMS_TYPED, **risk_typed)
    run_workbook(path)
    wb = openpyxl.load_workbook(path)
    uncertainty = Uncertainty(occupancy_low=0.7, correlation=0.3)
    expected = contract_risk(Parameters(), TERMS, uncertainty, draws=20_000, seed=5)
    got = as_array(named_values(wb, "out_compare_risk"))
    assert got == pytest.approx(expected[list(CONTRACT_NAMES)].to_numpy())
    # the very years the Risk sheet simulates: its partnership and spot figures are the same numbers
    provider = {row[0]: row[1:3] for row in named_values(wb, "out_risk_provider")}
    loss = provider["Probability of a loss (surplus below 0)"]
    assert got[1, [3, 0]] == pytest.approx(loss)
    host = {row[0]: row[1:3] for row in named_values(wb, "out_risk_host")}
    assert got[3, [3, 0]] == pytest.approx(host["P90: 1 year in 10 is higher"])
    assert any("20,000 simulated years" in text and "Risk sheet" in text for text in _texts(wb[SHEET]))


def test_risk_from_past_years(tmp_path):
    years = [[0.9, 0.7], [0.6, 0.4], [1.0, 0.8]]
    path = make_workbook(tmp_path, risk_source="past years", history=years, draws=10_000)
    run_workbook(path)
    got = as_array(named_values(openpyxl.load_workbook(path), "out_compare_risk"))
    uncertainty = Uncertainty(history=tuple(map(tuple, years)))
    expected = contract_risk(Parameters(), None, uncertainty, draws=10_000)
    assert got == pytest.approx(expected[list(CONTRACT_NAMES)].to_numpy())


def _texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_every_contract_has_its_colour(ran):
    _, wb = ran
    ws = wb[SHEET]
    body = named_values(wb, "out_compare_best_host")
    assert {v for row in body for v in row} <= set(SHORT_LABELS.values())
    ref = wb.defined_names["out_compare_best_host"].attr_text.split("!")[1].replace("$", "")
    rules = {
        (rule.formula[0], rule.dxf.fill.bgColor.rgb[-6:])
        for cf in ws.conditional_formatting
        if str(cf.sqref) == ref
        for rule in cf.rules
    }
    assert rules == {(f'"{SHORT_LABELS[c]}"', FILLS[c]) for c in CONTRACT_NAMES}
    # the legends above the maps and the tables' headers carry the same words: the same rules colour them
    rows = [
        [c.value for c in ws[str(cf.sqref)][0]]
        for cf in ws.conditional_formatting
        if ":" in str(cf.sqref) and len(ws[str(cf.sqref)]) == 1
    ]
    assert rows == [list(SHORT_LABELS.values())] * (3 + 2)


def test_two_charts_a_line_per_contract_in_its_colour(tmp_path):
    _, inputs = load_inputs(make_workbook(tmp_path, **TERMS_TYPED))
    charts = [item for item in plan_run(inputs) if isinstance(item, Chart) and item.sheet == SHEET]
    assert [chart.title for chart in charts] == [
        "Host cost per local week, local use 70%",
        "Provider surplus, local use 70%",
    ]
    for chart in charts:
        assert [(s.title, s.colour) for s in chart.series] == [
            (SHORT_LABELS[c], LINES[c]) for c in CONTRACT_NAMES
        ]
    assert charts[0].y_max == 15_000 and charts[1].y_max is None  # two spot prices, rounded up to £5,000
    colours = [item for item in plan_run(inputs) if isinstance(item, CategoryColours) and item.sheet == SHEET]
    assert len(colours) == 1 + 3 + 2 * 2  # help labels, three table headers, each map and its legend
    assert all(dict(item.colours) == {SHORT_LABELS[c]: FILLS[c] for c in CONTRACT_NAMES} for item in colours)


@pytest.mark.parametrize(
    ("typed", "located"),
    [
        ({"block_places": 5}, ["Block places (Compare!B6): block_places = 5 exceeds places = 4"]),
        ({"block_fee": -1}, ["Block fee (Compare!B7): block_fee = -1 must be at least 0"]),
        (
            {"cost_plus_margin": "lots"},
            ["Cost-plus margin (Compare!B10): cost_plus_margin = 'lots' is not a number"],
        ),
        (
            {"provider_outside_retention": 1.5, "block_places": None},
            [
                "Block places (Compare!B6): block_places is missing (the cell is empty)",
                "Provider's retained share of outside income (Compare!B11): "
                "provider_outside_retention = 1.5 must be at most 1",
            ],
        ),
        (
            {"compare_local_use": 1.2},
            [
                "Local use of that year and the charts (Compare!B15): "
                "compare_local_use = 1.2 must be at most 1"
            ],
        ),
    ],
)
def test_validation_names_the_cells(tmp_path, capsys, typed, located):
    path = make_workbook(tmp_path, **typed)
    with pytest.raises(InvalidInputsError) as error:
        load_inputs(path)
    assert [str(p) for p in error.value.located] == located
    # the same messages as the engine's own reading of the terms
    terms = {k: v for k, v in typed.items() if k in ContractTerms.__dataclass_fields__}
    if terms:
        with pytest.raises(Exception) as engine_error:
            ContractTerms.from_mapping({**ContractTerms().to_mapping(), **terms}, Parameters())
        assert [m for _, m in engine_error.value.problems] == [p.message for p in error.value.located]
    before = path.read_bytes()
    assert main(["run", str(path)]) == 2
    assert located[0] in capsys.readouterr().err
    assert path.read_bytes() == before


def test_a_block_that_fits_a_bigger_home(tmp_path):
    path = make_workbook(tmp_path, places=6, block_places=5)
    assert load_inputs(path)[1].values["block_places"] == 5


@pytest.mark.slow
def test_changing_a_term_makes_the_results_out_of_date(ran, tmp_path):
    path = make_workbook(tmp_path)
    run_workbook(path)
    set_inputs(path, block_fee=6_000)
    summary = check_workbook(path)
    assert (summary.status, summary.changed) == (layout.OUT_OF_DATE, ["block_fee"])


@pytest.mark.slow
def test_a_smaller_grid_leaves_no_stale_cells(ran, tmp_path):
    path = make_workbook(tmp_path)
    run_workbook(path)
    rows = openpyxl.load_workbook(path)[SHEET].max_row
    set_inputs(path, occupancy_step=0.25, local_use_step=0.5)
    run_workbook(path)
    wb = openpyxl.load_workbook(path)
    assert len(named_values(wb, "out_compare_best_provider")) == 5
    assert len(named_values(wb, "out_compare_best_provider")[0]) == 3
    assert wb[SHEET].max_row < rows - 30


def test_the_finding_at_the_defaults_is_computed_and_holds(ran):
    _, wb = ran
    counts = default_counts()
    # the sheet explains why spot wins most cells for the host at the defaults: it must
    assert counts["host_best_cells"].idxmax() == "spot" and counts.loc["spot", "host_best_cells"] > 441 / 2
    texts = " ".join(_texts(wb[SHEET]))
    assert (
        f"spot is the cheapest contract for the host in {counts.loc['spot', 'host_best_cells']} of the 441"
        in texts
    )
    # block and open book win only where the home is busy
    best = best_for_host(compare_contracts(Parameters(), ContractTerms()))
    for contract in ("block", "open_book"):
        rows, _ = np.nonzero(best.to_numpy() == contract)
        assert best.index[rows].min() >= 0.65
    # By hand at the lowest occupancies where they win (host net cost, £ a year):
    #   o = 0.65, u = 1: spot 52·2.6·6,500 = 878,800; block 52·3·5,500 = 858,000 (no spot weeks, no
    #     release); open book (775,000 + 52·2.6·300)·1.08 = 880,804.8 → block. At o = 0.60 spot is
    #     811,200 < 858,000, so block wins from 65 %.
    #   o = 0.70, u = 0.75: spot 109.2·6,500 = 709,800; open book 818,680·1.08 − 0.9·52·0.7·5,600 =
    #     700,718.4; partnership 546,000 + 200,000 − 9,100 − 0.6·(122,060 − 65,494.4) = 702,960.64;
    #     block 858,000 → open book. At u = 0.70 open book costs 664,027.2 > spot 662,480.
    #   o = 0.70, u = 1: open book 884,174.4 (no outside income) > block 858,000 < spot 946,400.
    assert re.search(
        r"block from 65% occupancy \(at local use 100%\), "
        r"open book from 70% occupancy \(at local use 75% to 95%\)",
        texts,
    )


def test_help_words_are_on_the_sheet(ran):
    _, wb = ran
    texts = " ".join(_texts(wb[SHEET]))
    for contract in CONTRACT_NAMES:
        what, risk = CONTRACT_HELP[contract]
        assert what.split(";")[0] in texts and f"Risk: {risk}".split(";")[0][:60] in texts
        assert formula_text(contract)[:60] in texts


SYMBOLS = {
    "W": "weeks_per_year",
    "N": "places",
    "s": "spot_price",
    "p_X": "outside_fee",
    "v": "variable_cost",
    "F": "fixed_cost",
    "r": "release_share",
}


@pytest.mark.parametrize("contract", list(FORMULAS))
def test_the_formulas_shown_are_the_engines(contract):
    """Evaluate the help text's formulas and compare them with the engine at a few points."""
    params, terms = Parameters(places=5), ContractTerms(block_places=2, provider_outside_retention=0.2)
    o, u = np.array([0.3, 0.7, 0.9, 1.0]), np.array([0.9, 0.2, 0.6, 1.0])
    flows = evaluate_contracts(params, terms, o, u)[contract]
    names = {symbol: getattr(params, name) for symbol, name in SYMBOLS.items()}
    names.update(B=terms.block_places, b=terms.block_fee, m=terms.cost_plus_margin)
    names.update(k=terms.provider_outside_retention, L=u * o * 5, X=(1 - u) * o * 5)
    names.update(cost=flows["provider_cost"], min=np.minimum, max=np.maximum)
    formulas = FORMULAS[contract]
    for name, expression in formulas["where"]:
        names[name] = _evaluate(expression, names)
    assert _evaluate(formulas["host"], names) == pytest.approx(flows["host_net_cost"])
    assert _evaluate(formulas["provider"], names) == pytest.approx(flows["provider_surplus"])


def _evaluate(expression: str, names: dict) -> np.ndarray:
    python = expression.replace("·", "*").replace("−", "-")
    return np.asarray(eval(python, {"__builtins__": {}}, names), dtype=float)  # our own text
