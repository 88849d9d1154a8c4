"""The Portfolio sheet's risk table: engine.members.portfolio_risk for the workbook's homes and Risk sheet.

The engine is the oracle (tests/engine/members/test_portfolio_risk.py checks its draws and
figures); here the question is whether the workbook carries the homes, the correlation and the Risk
sheet's ranges, draws and seed in, and the figures out, and what it does with inputs the
engine refuses: a correlation out of range stops the run naming its cell; past years or a
fixed-cost growth on the Risk sheet leave a note in place of the table, the rest runs.
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest

from engine import Parameters, Uncertainty, portfolio_risk
from excel_addin.cli import main
from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout, member_inputs
from excel_addin.workbook.sheets import portfolio
from tests.support.workbook import make_workbook, named_values

HOME_KEYS = [spec.name for spec in member_inputs.HOME_COLUMN_SPECS]
EXAMPLE = [HOME_KEYS, *(list(row) for row in member_inputs.EXAMPLE_HOMES)]
SEED = 20261126  # the template's Risk sheet seed
FAST = {"draws": 4_000}
NAME = layout.out_name("portfolio_risk")


def risk_table(path) -> tuple[list, list[list]]:
    """The table by its defined name: the headings, and its lines (label first) in order."""
    rows = named_values(openpyxl.load_workbook(path), NAME)
    return rows[0][1:], rows[1:]


def check_against_engine(lines: list[list], expected) -> None:
    """Every statistic of each party: spot, per home, pooled and the two differences."""
    for party in ("provider", "host"):
        rows = expected[expected["party"] == party].set_index(["statistic", "sharing"])
        statistics = [s for s in portfolio.RISK_STATISTICS if (s, "per_home") in rows.index]
        assert len(statistics) == 6  # mean, P10, P50, P90, probability of loss / above spot, shortfall
        for statistic in statistics:
            per_home, pooled = rows.loc[(statistic, "per_home")], rows.loc[(statistic, "pooled")]
            spot, a, b = per_home["spot"], per_home["partnership"], pooled["partnership"]
            assert pooled["spot"] == pytest.approx(spot, rel=1e-12)
            want = [spot, a, b, a - spot, b - spot]
            got = party_lines(lines, party)[per_home["label"]]
            np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=1e-12, atol=1e-9)


def party_lines(lines: list[list], party: str) -> dict[str, list]:
    """Lines under the party's heading (labels such as 'Median (P50)' recur for both parties)."""
    labels = [line[0] for line in lines]
    start = labels.index(portfolio.RISK_PARTIES[party]) + 1
    ends = [i for i in range(start, len(lines)) if all(v is None for v in lines[i][1:])]
    return {line[0]: line[1:] for line in lines[start : (ends or [len(lines)])[0]]}


def test_the_example_table_equals_the_engine_for_the_workbooks_inputs(tmp_path):
    path = make_workbook(tmp_path, **FAST)
    run_workbook(path)
    headings, lines = risk_table(path)
    assert headings == list(portfolio.RISK_COLUMNS)
    expected = portfolio_risk(Parameters(), EXAMPLE, Uncertainty(), 0.3, draws=4_000, seed=SEED)
    check_against_engine(lines, expected)
    achieved = expected[expected["party"] == "homes"]["partnership"].to_numpy(float)
    correlations = [line[1:] for line in lines if line[0].startswith("Rank correlation")]
    assert len(correlations) == 2
    assert all("target 30%" in line[0] for line in lines if line[0].startswith("Rank correlation"))
    np.testing.assert_allclose([row[1] for row in correlations], achieved, rtol=1e-12)
    np.testing.assert_allclose([row[2] for row in correlations], achieved, rtol=1e-12)
    assert abs(achieved - 0.3).max() < 0.05  # Iman–Conover lands near the target


def test_changed_homes_correlation_and_risk_ranges_travel_to_the_engine(tmp_path):
    homes = [["A", 5, 700_000, None, None, None, 2, None], ["B", 3, None, None, None, None, 1, 0.8]]
    homes += [["C", 4, 900_000, 310, None, None, 3, None]]
    ranges = {"occupancy_low": 0.5, "occupancy_most_likely": 0.8, "local_use_high": 0.7}
    path = make_workbook(tmp_path, homes=homes, portfolio_home_correlation=-0.4, seed=7, **ranges, **FAST)
    run_workbook(path)
    _, lines = risk_table(path)
    uncertainty = Uncertainty(**ranges)
    expected = portfolio_risk(Parameters(), [HOME_KEYS, *homes], uncertainty, -0.4, draws=4_000, seed=7)
    check_against_engine(lines, expected)
    # a different correlation gives different pooled figures: the input is read, not the default
    other = portfolio_risk(Parameters(), [HOME_KEYS, *homes], uncertainty, 0.3, draws=4_000, seed=7)
    pooled = other[(other["sharing"] == "pooled") & (other["statistic"] == "p10")]["partnership"]
    assert party_lines(lines, "provider")["P10: 1 year in 10 is lower"][2] != pytest.approx(pooled.iloc[0])


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {"portfolio_home_correlation": 1.5},
            "Rank correlation between homes (Portfolio!B25): "
            "portfolio_home_correlation = 1.5 must be at most 1",
        ),
        (
            {
                "portfolio_home_correlation": -0.9,
                "homes": [[f"Home {k}", 3, *[None] * 4, 1, None] for k in (1, 2, 3)],
            },
            "Rank correlation between homes (Portfolio!B25): "
            "home_correlation = -0.9 is impossible for 3 homes",
        ),
    ],
)
def test_a_bad_correlation_exits_2_and_names_the_cell(tmp_path, capsys, inputs, message):
    path = make_workbook(tmp_path, **inputs)
    before = path.read_bytes()
    assert main(["run", str(path)]) == 2
    assert message in capsys.readouterr().err
    assert path.read_bytes() == before


def test_minus_09_is_possible_for_two_homes(tmp_path):
    """The bound is −1/(homes − 1): −0.9 is refused for three homes (above) but not for two."""
    path = make_workbook(tmp_path, portfolio_home_correlation=-0.9, **FAST)
    assert main(["run", str(path)]) == 0
    _, lines = risk_table(path)
    expected = portfolio_risk(Parameters(), EXAMPLE, Uncertainty(), -0.9, draws=4_000, seed=SEED)
    check_against_engine(lines, expected)


@pytest.mark.parametrize(
    ("inputs", "words"),
    [
        (
            {"risk_source": "past years", "history": [[0.9, 0.7], [0.6, 0.4], [0.85, 0.55]]},
            "the Risk sheet draws its years from past years",
        ),
        ({"fixed_cost_growth_high": 0.05}, "the Risk sheet's fixed-cost growth is not 0"),
    ],
)
def test_inputs_the_portfolio_cannot_draw_leave_a_note_not_a_failed_run(tmp_path, inputs, words):
    path = make_workbook(tmp_path, **inputs, **FAST)
    assert main(["run", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    assert NAME not in wb.defined_names
    texts = [str(c.value) for row in wb[layout.PORTFOLIO].iter_rows() for c in row if c.value is not None]
    notes = [text for text in texts if text.startswith("No risk table across the homes")]
    assert len(notes) == 1 and words in notes[0]
    assert portfolio.RISK_TITLE in texts
    # the rest of the sheet ran: the statement at one point is there
    assert layout.out_name("portfolio_summary") in wb.defined_names
