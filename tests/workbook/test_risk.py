"""The Risk and Agreement sheets: inputs in, the engine's figures out, problems named at their cells.

The engine's risk and negotiation functions are tested on their own (closed forms,
brute-force zones, fine Nash searches). Here the question is whether the workbook carries
the sheet's inputs to them faithfully and writes their results where the names say, so the
oracle is the engine called directly with the same values typed out by hand in this file
(not read through the sheet's own parsers), plus the choices the template makes.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import openpyxl
import pytest

from engine import (
    CATEGORIES,
    DEFAULT_RULES,
    Parameters,
    Uncertainty,
    agreement_zone,
    assess_terms,
    balanced_points,
    draw_outcomes,
    monte_carlo,
    tornado,
)
from excel_addin.cli import main
from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout
from excel_addin.workbook.risk_figures import money
from excel_addin.workbook.sheets.agreement import MARKS, SYMBOLS
from tests.support.workbook import as_array, make_workbook, named_values

RULES = [
    ["provider", "probability_of_loss", "provider_surplus", "<=", "35%"],  # text, as typed
    ["provider", "mean", "provider_margin", ">=", 0.0],
    ["host", "mean", "host_saving", ">=", 0],
    ["host", "p95", "host_cost_per_local_week", "<=", 7_500],  # a percentile the list only suggests
]
CHANGED = {
    "fixed_cost": 900_000,
    "occupancy_low": 0.55,
    "occupancy_most_likely": 0.8,
    "local_use_high": 0.85,
    "correlation": 0.3,
    "fixed_cost_growth_high": 0.05,
    "draws": 20_000,
    "seed": 7,
    "acceptance_rules": RULES,
    "zone_terms": [["host_contribution", 50_000, 250_000, 11], ["local_fee", 4_500, 5_500, 9]],
    "tornado_measure": "host_net_cost",
    "tornado_change": 0.2,
    "tornado_exclude": [["places"], ["weeks_per_year"], ["spot_price"]],
    "tornado_ranges": [["deficit_support", 0, 0.5]],
}
PARAMS = Parameters(fixed_cost=900_000)
UNCERTAINTY = Uncertainty(
    occupancy_low=0.55,
    occupancy_most_likely=0.8,
    local_use_high=0.85,
    correlation=0.3,
    fixed_cost_growth_high=0.05,
)
ENGINE_RULES = [
    ("provider", "probability_of_loss", "provider_surplus", "<=", 0.35),
    ("provider", "mean", "provider_margin", ">=", 0.0),
    ("host", "mean", "host_saving", ">=", 0.0),
    ("host", "p95", "host_cost_per_local_week", "<=", 7_500.0),
]
TERMS = ("host_contribution", "local_fee")
SMALL = [["host_contribution", None, None, 5], ["deficit_support", None, None, 5]]  # default ranges
RANGES = {"host_contribution": (50_000, 250_000), "local_fee": (4_500, 5_500)}


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """A workbook with changed Risk and Agreement inputs, run through the command line."""
    path = make_workbook(tmp_path_factory.mktemp("risk"), **CHANGED)
    assert main(["run", str(path)]) == 0
    return path, openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def zone():
    outcomes = draw_outcomes(UNCERTAINTY, 20_000, 7)  # the Risk sheet's draws and seed
    found = agreement_zone(PARAMS, ENGINE_RULES, TERMS, RANGES, (11, 9), outcomes)
    return found, outcomes


def numbers(rows) -> np.ndarray:
    return as_array(rows)


@pytest.mark.parametrize("party", ["provider", "host"])
def test_risk_tables_equal_the_engine(ran, party):
    _, wb = ran
    expected = monte_carlo(PARAMS, UNCERTAINTY, draws=20_000, seed=7).table(party)
    rows = named_values(wb, layout.out_name(f"risk_{party}"))
    assert [row[0] for row in rows] == expected["label"].tolist()
    table = numbers([row[1:] for row in rows])
    np.testing.assert_allclose(table[:, 0], expected["partnership"], rtol=1e-12)
    np.testing.assert_allclose(table[:, 1], expected["spot"], rtol=1e-12)
    change = np.where(expected["statistic"] == "standard_error", np.nan, expected["change"])
    change = np.where(expected["unit"] == "share", change * 100, change)  # percentage points
    np.testing.assert_allclose(table[:, 2], change, rtol=1e-12, equal_nan=True)


def test_histograms_equal_the_engine_and_each_side_sums_to_one(ran):
    _, wb = ran
    risk = monte_carlo(PARAMS, UNCERTAINTY, draws=20_000, seed=7)
    for party, names in (
        ("provider", ["provider_surplus", "provider_spot_surplus"]),
        ("host", ["host_net_cost", "host_spot_cost"]),
    ):
        rows = named_values(wb, layout.out_name(f"risk_{party}_histogram"))
        shares = numbers([row[1:3] for row in rows])
        np.testing.assert_allclose(shares, risk.histogram(names, bins=20)[names].to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(shares.sum(axis=0), [1.0, 1.0])


def test_the_sentence_under_each_table_states_its_figures(ran):
    _, wb = ran
    ws = wb[layout.RISK]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value and c.font.bold)
    provider = monte_carlo(PARAMS, UNCERTAINTY, draws=20_000, seed=7).table("provider")
    loss = provider.set_index("statistic").loc["probability_of_loss"]
    # e.g. "lowers the provider's probability of a loss from 60.4 % to 13.2 % of years"
    assert f"from {loss['spot'] * 100:.1f} % to {loss['partnership'] * 100:.1f} % of years" in text
    assert "The host's expected net cost is £" in text


def test_zone_map_equals_the_engine(ran, zone):
    _, wb = ran
    found, _ = zone
    cells = np.array(named_values(wb, layout.out_name("agreement_zone")), dtype=object)
    expected = np.asarray([SYMBOLS[c] for c in CATEGORIES], dtype=object)[found.code_map().to_numpy()]
    marked = np.isin(cells, list(SYMBOLS.values()), invert=True)
    assert (cells[~marked] == expected[~marked]).all()
    assert 1 <= marked.sum() <= 3  # today's terms and the balanced deals, each in one cell
    assert (
        numbers(named_values(wb, layout.out_name("agreement_rows"))).ravel().tolist()
        == found.axes[0].tolist()
    )
    columns = numbers(named_values(wb, layout.out_name("agreement_columns"))).ravel()
    assert columns.tolist() == found.axes[1].tolist()


def test_today_is_marked_in_the_cell_nearest_its_terms(ran, zone):
    _, wb = ran
    found, _ = zone
    cells = np.array(named_values(wb, layout.out_name("agreement_zone")), dtype=object)
    i = int(np.argmin(np.abs(found.axes[0] - PARAMS.host_contribution)))
    j = int(np.argmin(np.abs(found.axes[1] - PARAMS.local_fee)))
    assert MARKS["today"] in cells[i, j]


def test_today_and_nash_columns_equal_the_engine(ran, zone):
    _, wb = ran
    found, outcomes = zone
    rows = named_values(wb, layout.out_name("agreement_points"))
    today = assess_terms(PARAMS, ENGINE_RULES, {t: [getattr(PARAMS, t)] for t in TERMS}, outcomes).iloc[0]
    nash = balanced_points(found).set_index("point").loc["nash"]
    by_label = {row[0]: row[1:] for row in rows}
    assert by_label["Host contribution (£ per year)"][:2] == [
        pytest.approx(200_000),
        pytest.approx(nash[TERMS[0]]),
    ]
    assert by_label["Local fee (£ per week)"][1] == pytest.approx(nash[TERMS[1]])
    gains = by_label["Provider's gain over the spot market (£ per year)"][:2]
    assert gains == [pytest.approx(today["provider_gain"]), pytest.approx(nash["provider_gain"])]
    p95 = by_label["Host: P95 (exceeded 1 year in 20) of host cost per local week ≤ £7,500"]
    assert p95[0] == pytest.approx(today["p95(host_cost_per_local_week)"])


def test_a_rule_that_fails_is_red_and_one_that_holds_green(ran, zone):
    _, wb = ran
    _, outcomes = zone
    today = assess_terms(PARAMS, ENGINE_RULES, {t: [getattr(PARAMS, t)] for t in TERMS}, outcomes).iloc[0]
    ws = wb[layout.AGREEMENT]
    fills = {}
    for row in ws.iter_rows(min_col=1, max_col=2):
        label, value = row
        if isinstance(label.value, str) and label.value.startswith(("Provider: ", "Host: ")):
            fills[label.value] = value.fill.fgColor.rgb[-6:]
    assert len(fills) == 4
    for index, (text, colour) in enumerate(fills.items(), start=1):
        assert colour == ("C6EFCE" if today[f"rule_{index}"] else "FFC7CE"), text


def test_tornado_equals_the_engine_without_the_excluded_terms(ran):
    _, wb = ran
    expected = tornado(PARAMS, "host_net_cost", 0.2, {"deficit_support": (0, 0.5)}, uncertainty=UNCERTAINTY)
    expected = expected[~expected["parameter"].isin(["places", "weeks_per_year", "spot_price"])]
    rows = named_values(wb, layout.out_name("tornado"))
    assert [row[0] for row in rows] == expected["label"].tolist()
    figures = numbers([row[1:] for row in rows])
    columns = ["low_value", "high_value", "low_change", "high_change", "swing"]
    np.testing.assert_allclose(figures, expected[columns].to_numpy(), rtol=1e-12)
    assert (np.diff(figures[:, 4]) <= 0).all()  # biggest swing first


def test_past_years_replace_the_ranges(tmp_path):
    years = [[0.9, 0.7], [0.6, 0.4], [None, None], [0.85, 0.55]]
    path = make_workbook(tmp_path, risk_source="past years", history=years, draws=5_000, zone_terms=SMALL)
    run_workbook(path)
    wb = openpyxl.load_workbook(path)
    history = ((0.9, 0.7), (0.6, 0.4), (0.85, 0.55))
    expected = monte_carlo(Parameters(), Uncertainty(history=history), draws=5_000, seed=20261126)
    table = numbers([row[1:3] for row in named_values(wb, layout.out_name("risk_provider"))])
    np.testing.assert_allclose(table[:, 0], expected.table("provider")["partnership"], rtol=1e-12)
    caption = wb[layout.RISK].cell(layout.RISK_SHEET.output_row, 1).value
    assert "3 past years, drawn at random" in caption


def test_a_run_with_the_template_shows_a_zone_and_three_verdicts(tmp_path):
    """The template's own rules and sweep: what a facilitator's first run shows.

    Host contribution helps the provider and costs the host; the top share does the opposite,
    so the map has a band both accept between one only the provider accepts (a dear
    contribution) and one only the host accepts (a small one or a high share).
    """
    path = make_workbook(tmp_path)
    run_workbook(path)
    wb = openpyxl.load_workbook(path)
    cells = {str(v) for row in named_values(wb, layout.out_name("agreement_zone")) for v in row}
    assert {SYMBOLS[c] for c in ("both", "provider_only", "host_only")} <= cells
    ws = wb[layout.AGREEMENT]
    text = " ".join(str(c.value) for row in ws.iter_rows(max_col=1) for c in row if c.value)
    assert "Both parties accept" in text and "Balanced deal: host contribution £" in text
    assert (
        "Today's terms (host contribution £200,000 and share of tier 3 (local use ≥ 75%) 60 %): both accept"
        in text
    )
    assert "The rules are an example" in text  # what the provider's spot comparison is for


def test_rules_no_terms_meet_give_no_zone_and_say_so(tmp_path, capsys):
    """The example rules plus an expected margin of 50 % for the provider: out of reach."""
    rules = [*(list(rule) for rule in DEFAULT_RULES), ["provider", "mean", "provider_margin", ">=", 0.5]]
    sweep = [["host_contribution", 0, 400_000, 41], ["top_share_rate", None, None, 5]]
    path = make_workbook(tmp_path, acceptance_rules=rules, zone_terms=sweep, draws=2_000)
    assert main(["negotiate", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["zone"]["ranges"] is None and data["zone"]["shares"]["both"] == 0
    assert data["points"]["nash"]["found"] is False
    assert data["sentences"][0].startswith("No terms in the sweep are accepted by both parties")
    free = data["points"]["equal_gains_free"]  # an even split, and who refuses it
    assert free["found"] and free["category"] in ("host_only", "neither")


# --- the template: drop-downs for the rules and choices --------------------------------------------------


def test_rule_columns_and_choices_have_drop_downs(tmp_path):
    wb = openpyxl.load_workbook(make_workbook(tmp_path))
    ws = wb[layout.AGREEMENT]
    rules = layout.input_cell("acceptance_rules")
    lists = {str(v.sqref): v for v in ws.data_validations.dataValidation if v.type == "list"}
    party = lists[rules.part(None, "party").split("!")[1]]
    assert party.formula1 == '"provider,host"' and party.errorStyle == "stop"
    measure = lists[rules.part(None, "measure").split("!")[1]]
    assert "host_cost_per_local_week" in measure.formula1 and measure.errorStyle == "warning"
    assert lists[rules.part(None, "operator").split("!")[1]].formula1 == '"<=,>=,<,>"'
    terms = lists[layout.input_cell("zone_terms").part(None, "term").split("!")[1]]
    assert "top_share_rate" in terms.formula1 and len(terms.formula1) <= 255  # Excel's limit for a list
    source = wb[layout.RISK].data_validations.dataValidation
    assert any(v.type == "list" and v.formula1 == '"ranges,past years"' for v in source)


# --- problems: each names its cell, nothing is written ---------------------------------------------------


def _rules(row: int, column: int, value) -> list[list]:
    rows = [list(rule) for rule in RULES]
    rows[row][column] = value
    return rows


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {"acceptance_rules": _rules(1, 0, "council")},
            "Acceptance rules (Agreement!B8): rule 2: party = 'council' must be provider or host",
        ),
        (
            {"acceptance_rules": _rules(0, 4, "lots")},
            "Acceptance rules (Agreement!F7): rule 1: threshold = 'lots' is not a number",
        ),
        (
            {"acceptance_rules": _rules(3, 1, "p100")},
            "Acceptance rules (Agreement!C10): rule 4: statistic = 'p100' is not a statistic",
        ),
        (
            {"zone_terms": [["host_contribution", None, None, 41], ["colour", 0, 1, 41]]},
            "Terms to sweep (Agreement!B21): row 2: term = 'colour' is not a term that can move",
        ),
        (
            {"zone_terms": [["host_contribution", None, None, 1], ["deficit_support", 0, 1, 41]]},
            "Terms to sweep (Agreement!E20): row 1: steps = 1 must be a whole number from 2 to 101",
        ),
        (
            {"zone_terms": [["host_contribution", None, None, 41], ["deficit_support", 0, 2, 41]]},
            "Terms to sweep (Agreement!B21:E21): row 2: deficit_support = 2 must be at most 1",
        ),
        (
            {"zone_terms": [["deficit_support", 0, 1, 41], ["deficit_support", 0, 1, 41]]},
            "Terms to sweep (Agreement!B21): the two terms to sweep must differ",
        ),
        (
            {"risk_source": "past years"},
            "Past years (Risk!B20:C29): risk_source = 'past years' needs at least one past year",
        ),
        (
            {"history": [[0.8, 0.5], [None, None], [0.9, 1.5]]},
            "Past years (Risk!C22): history row 3 local_use = 1.5 must be within [0, 1]",
        ),
        (
            {"occupancy_most_likely": 0.97},
            "Occupancy, most likely (Risk!B10): occupancy_most_likely = 0.97 must be between "
            "occupancy_low = 0.6 and occupancy_high = 0.95",
        ),
        ({"risk_source": "guess"}, "Uncertainty from (Risk!B6): risk_source = 'guess' must be one of ranges"),
        ({"tornado_exclude": [["colour"]]}, "Tornado: terms left out (Agreement!B29): term = 'colour'"),
        (
            {"tornado_ranges": [["deficit_support", 0.5, 0.2]]},
            "Tornado: own low and high (Agreement!B35:D35): deficit_support low = 0.5 is above high = 0.2",
        ),
    ],
)
def test_bad_inputs_exit_2_and_name_the_cell(tmp_path, capsys, inputs, message):
    path = make_workbook(tmp_path, **inputs)
    before = path.read_bytes()
    assert main(["run", str(path)]) == 2
    assert message in capsys.readouterr().err
    assert path.read_bytes() == before


def test_every_problem_at_once_in_the_problem_cells(tmp_path, capsys):
    path = make_workbook(
        tmp_path, acceptance_rules=_rules(1, 0, "council"), occupancy_most_likely=0.97, draws=10
    )
    assert main(["run", str(path), "--json"]) == 2
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert {p["cell"] for p in problems} == {"Agreement!B8", "Risk!B10", "Risk!B37"}


# --- the command line -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The template's rules over a small sweep, so each command runs in a blink."""
    path = make_workbook(
        tmp_path_factory.mktemp("negotiate"),
        zone_terms=[["host_contribution", 100_000, 300_000, 21], ["deficit_support", 0, 1, 11]],
        draws=2_000,
    )
    return path


def test_negotiate_prints_the_balanced_terms_and_each_partys_figures(small, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: the table's rows on one line each
    assert main(["negotiate", str(small)]) == 0
    out = capsys.readouterr().out
    assert (
        "Balanced deal: host contribution £" in out
        and "product of their two gains" in out
        and "the provider gains £" in out
    )
    assert "Today's terms (host contribution £200,000 and deficit support 0 %)" in out
    assert "Provider: probability below zero of provider surplus ≤ 10 %" in out
    assert "Provider: expected provider gain from the partnership ≥ £0" in out


def test_negotiate_json_equals_the_engine(small, capsys):
    assert main(["negotiate", str(small), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rules = [  # the template's, typed again
        ("provider", "mean", "provider_gain", ">=", 0.0),
        ("provider", "probability_of_loss", "provider_surplus", "<=", 0.10),
        ("provider", "mean", "provider_margin", ">=", 0.05),
        ("host", "mean", "host_saving", ">=", 0.0),
        ("host", "p90", "host_cost_per_local_week", "<=", 6_500.0),
    ]
    outcomes = draw_outcomes(Uncertainty(), 2_000, 20261126)  # the Risk sheet's draws (set above) and seed
    terms = ("host_contribution", "deficit_support")
    found = agreement_zone(
        Parameters(), rules, terms, {"host_contribution": (100_000, 300_000)}, (21, 11), outcomes
    )
    nash = balanced_points(found).set_index("point").loc["nash"]
    assert data["terms"] == list(terms) and data["zone"]["pairs"] == 21 * 11
    point = data["points"]["nash"]
    assert point["found"] and point["terms"]["host_contribution"] == pytest.approx(nash["host_contribution"])
    assert point["provider_gain"] == pytest.approx(nash["provider_gain"])
    assert point["host_gain"] == pytest.approx(nash["host_gain"])
    assert [r["holds"] for r in point["rules"]] == [True] * 5
    assert point["decided_by"] == [] and point["held_by"].startswith("It is held there by")
    shares = data["zone"]["shares"]
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["both"] == pytest.approx((found.table["category"] == "both").mean())


def test_risk_and_negotiate_agree_on_todays_gains_to_the_pound(small, capsys):
    """One set of simulated years: the Risk sheet's change in each party's expected figure against spot
    is the Agreement sheet's gain at today's terms (the same draws and seed, read from the workbook)."""
    assert main(["risk", str(small), "--json"]) == 0
    risk = json.loads(capsys.readouterr().out)
    assert main(["negotiate", str(small), "--json"]) == 0
    today = json.loads(capsys.readouterr().out)["points"]["today"]
    change = {
        party: next(r["change"] for r in rows if r["statistic"] == "mean")
        for party, rows in risk["parties"].items()
    }
    assert abs(today["provider_gain"] - change["provider"]) < 0.5
    assert abs(today["host_gain"] + change["host"]) < 0.5  # the host's gain is its cost's fall
    assert risk["uncertainty"]["draws"] == 2_000
    assert today["provider_gain"] == pytest.approx(
        monte_carlo(Parameters(), Uncertainty(), draws=2_000)
        .table("provider")
        .set_index("statistic")
        .loc["mean", "change"],
        rel=1e-12,
    )


def test_negotiate_says_which_rule_decides_and_never_calls_a_loss_against_no_deal_acceptable(
    tmp_path, capsys
):
    """Six places, a local fee of £4,500 and two reserved places: the provider gains less than nothing
    against spot at today's terms, so it does not accept them, and the command says why."""
    path = make_workbook(tmp_path, places=6, local_fee=4_500, reserved_places=2, draws=2_000)
    assert main(["negotiate", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    today = data["points"]["today"]
    assert today["provider_gain"] < 0 and not today["provider_accepts"]
    assert today["category"] == "host_only"
    rule = "the provider's expected provider gain from the partnership ≥ £0"
    assert today["decided_by"] == [f"{rule} (it is {money(today['provider_gain'])})"]
    assert data["explanation"]["provider_accepts_any"] is False
    blocking = [r for r in data["explanation"]["rules"] if r["blocks_alone"]]
    assert [r["rule"] for r in blocking] == ["Provider: expected provider gain from the partnership ≥ £0"]
    assert any(
        line.startswith("Blocking: the provider's expected provider gain") for line in data["sentences"]
    )
    assert any("decided by the provider's expected provider gain" in line for line in data["sentences"])


def test_negotiate_on_bad_inputs_exits_2_with_the_cell(tmp_path, capsys):
    path = make_workbook(tmp_path, acceptance_rules=_rules(1, 0, "council"))
    assert main(["negotiate", str(path), "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["error"] == "invalid_inputs" and data["problems"][0]["cell"] == "Agreement!B8"
    assert main(["negotiate", str(tmp_path / "missing.xlsx")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_risk_command_json_equals_the_engine(small, capsys):
    assert main(["risk", str(small), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = monte_carlo(Parameters(), Uncertainty(), draws=2_000, seed=20261126).table("provider")
    got = data["parties"]["provider"]
    assert [r["statistic"] for r in got] == expected["statistic"].tolist()
    assert [r["partnership"] for r in got] == pytest.approx(expected["partnership"].tolist())
    assert data["uncertainty"] == {"source": "pert", "draws": 2_000, "seed": 20261126}
    assert "lowers the provider's probability of a loss" in data["sentences"]["provider"]
    # and raises its expected surplus: on the spot market the provider's surplus in a year is
    # 52·4·o·(5,600 − 300) − 775,000 = 1,102,400·o − 775,000, so its mean over these 2,000 drawn
    # years is 1,102,400·mean(o) − 775,000 (near £134,480 at the PERT mean 0.825; docs/example.md)
    years = draw_outcomes(Uncertainty(), 2_000, 20261126)
    spot_mean = 1_102_400 * float(np.mean(years.occupancy)) - 775_000
    assert f"and raises its expected surplus from £{spot_mean:,.0f} to £" in data["sentences"]["provider"]


def test_charts_on_our_sheets(ran):
    path, _ = ran
    with zipfile.ZipFile(path) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]
    titles = (
        "Provider surplus over 20,000 simulated years",
        "Host net cost over 20,000 simulated years",
        "Tornado: change in host net cost when one term moves",
    )
    for title in titles:
        assert sum(title in chart for chart in charts) == 1, title
    tornado_xml = next(chart for chart in charts if "Tornado:" in chart)
    assert '<c:barDir val="bar"' in tornado_xml or '<barDir val="bar"' in tornado_xml
    assert "strRef" in tornado_xml  # term names as text categories
