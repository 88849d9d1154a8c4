"""engine.members.region: councils' parts of the host side, golden by hand, identities, bad input."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import (
    COUNCIL_MEASURES,
    ParameterError,
    Parameters,
    RegionRules,
    allocate,
    allocation_keys,
    evaluate,
    explain_rules,
    portfolio_evaluate,
    read_councils,
    read_region,
    region_evaluate,
    region_grid,
    region_point,
    region_total,
)
from tests.support.strategies import axis, parameters

HEADER = ["Council", "Contribution share", "Use share", "Spot price"]
TWO = [HEADER, ["Westshire", 0.6, "25%", "£7,000"], ["Eastshire", 0.4, 0.75, None], [None, None, None, None]]

# The partnership at the example's defaults (fixed cost 775,000), occupancy 1, local use 0.5:
#   L = 0.5·1·4 = 2, X = 2, local_weeks = outside_weeks = 104
#   L_unres = max(2 − 3, 0) = 0, X_rel = max(2 − (4 − 3 − 0), 0) = 1, released_weeks = 52
#   provider_fees = 52·(2·5,000 + 2·5,600) = 1,102,400; revenue = 1,302,400
#   provider_cost = 775,000 + 52·4·300 = 837,400
#   compensation = 250·104 = 26,000; release_credit = 0.25·5,600·52 = 72,800
#   S0 = 1,302,400 − 837,400 − 26,000 − 72,800 = 366,200
#   threshold = 0.08·837,400 = 66,992; σ(0.5) = 0.40
#   profit_share = 0.40·(366,200 − 66,992) = 119,683.2; deficit_cover = 0
#   host_fees = 104·5,000 = 520,000
#   host_net_cost = 520,000 + 200,000 − 26,000 − 72,800 − 119,683.2 = 501,516.8
# Westshire (contribution 0.6, use 0.25, spot £7,000), Eastshire (0.4, 0.75, spot empty = £6,500),
# default rules: credits by contribution, profit share by use:
#   Westshire: weeks 26, fees 130,000, contribution 120,000, compensation 15,600,
#     release 43,680, profit 0.25·119,683.2 = 29,920.8
#     → net 130,000 + 120,000 − 15,600 − 43,680 − 29,920.8 = 160,799.2
#     spot 26·7,000 = 182,000 → saving 21,200.8
#   Eastshire: weeks 78, fees 390,000, contribution 80,000, compensation 10,400,
#     release 29,120, profit 0.75·119,683.2 = 89,762.4
#     → net 390,000 + 80,000 − 10,400 − 29,120 − 89,762.4 = 340,717.6
#     spot 78·6,500 = 507,000 → saving 166,282.4
GOLDEN = {
    "local_weeks": (26, 78),
    "host_fees": (130_000, 390_000),
    "host_contribution": (120_000, 80_000),
    "compensation": (15_600, 10_400),
    "release_credit": (43_680, 29_120),
    "profit_share": (29_920.8, 89_762.4),
    "deficit_cover": (0, 0),
    "host_net_cost": (160_799.2, 340_717.6),
    "host_cost_per_local_week": (160_799.2 / 26, 340_717.6 / 78),
    "host_spot_cost": (182_000, 507_000),
    "host_saving": (21_200.8, 166_282.4),
}


def test_golden_two_councils_one_point():
    table = region_point(Parameters(), TWO, 1.0, 0.5)
    assert list(table["council"]) == ["Westshire", "Eastshire"]
    assert list(table["spot_price"]) == [7_000, 6_500]
    for name, expected in GOLDEN.items():
        np.testing.assert_allclose(table[name], expected, rtol=1e-12, atol=1e-9, err_msg=name)
    assert table["host_net_cost"].sum() == pytest.approx(501_516.8, rel=1e-12)


def test_golden_mix_and_use_rules():
    # profit mix m = 0.5: Westshire key 0.5·0.6 + 0.5·0.25 = 0.425 → 0.425·119,683.2 = 50,865.36
    # credits by use: Westshire 0.25·(26,000 + 72,800) = 24,700
    rules = RegionRules(credit_rule="use", profit_rule="mix", profit_mix=0.5)
    table = region_point(Parameters(), TWO, 1.0, 0.5, rules)
    assert list(table["profit_key"]) == pytest.approx([0.425, 0.575])
    assert table["profit_share"][0] == pytest.approx(50_865.36, rel=1e-12)
    assert table["compensation"][0] + table["release_credit"][0] == pytest.approx(24_700, rel=1e-12)
    assert table["host_net_cost"].sum() == pytest.approx(501_516.8, rel=1e-12)


def test_split_by_use_ignores_the_contribution_column():
    # contribution follows use: Westshire pays 0.25·200,000 = 50,000 whatever its column says
    rows = [HEADER, ["Westshire", "not read", 0.25, None], ["Eastshire", None, 0.75, None]]
    rules = RegionRules(contribution_split="use")
    table = region_point(Parameters(), rows, 1.0, 0.5, rules)
    assert list(table["host_contribution"]) == pytest.approx([50_000, 150_000])
    assert list(table["credit_key"]) == pytest.approx([0.25, 0.75])
    with pytest.raises(ParameterError, match="contribution_share = 'not read' is not a number"):
        region_point(Parameters(), rows, 1.0, 0.5)


def test_region_of_a_pooled_portfolio():
    # Two councils hosting two homes, pooled, occupancy 1, local use 0.5 (the golden of
    # test_portfolio.py): fees 780,000, K 300,000, compensation 39,000, release 72,800, profit 0.
    #   Westshire (0.6, 0.25, £7,000): weeks 0.25·156 = 39, fees 195,000, contribution 180,000,
    #     compensation 23,400, release 43,680 → net 307,920; spot 273,000 → saving −34,920
    #   Eastshire: weeks 117, fees 585,000, contribution 120,000, compensation 15,600,
    #     release 29,120 → net 660,280; spot 117·6,500 = 760,500 → saving 100,220
    params = Parameters(host_contribution=300_000, deficit_support=0.5)
    homes = [
        ["home", "places", "fixed_cost", "reserved_places"],
        ["Oak", 4, 950_000, 3],
        ["Elm", 2, 700_000, 1],
    ]
    pooled = portfolio_evaluate(params, homes, 1.0, 0.5)["pooled"]
    keys = allocation_keys(TWO, RegionRules(), params.spot_price)
    councils = allocate(pooled, params.host_contribution, keys)
    np.testing.assert_allclose(councils["host_net_cost"], [307_920, 660_280], rtol=1e-12)
    np.testing.assert_allclose(councils["host_saving"], [-34_920, 100_220], rtol=1e-12)


@st.composite
def councils(draw, count=None):
    """A valid councils table: 1–6 councils, shares drawn then rescaled to add up to 1."""
    count = count or draw(st.integers(1, 6))
    raw = draw(st.lists(st.lists(st.floats(0.01, 1), min_size=2, max_size=2), min_size=count, max_size=count))
    weights = np.array(raw)
    shares = weights / weights.sum(axis=0)
    spots = draw(st.lists(st.one_of(st.none(), st.floats(0, 20_000)), min_size=count, max_size=count))
    rows = [["council", "contribution_share", "use_share", "spot_price"]]
    rows += [[f"C{i}", float(shares[i, 0]), float(shares[i, 1]), spots[i]] for i in range(count)]
    return rows


rules_strategy = st.builds(
    RegionRules,
    contribution_split=st.sampled_from(["entered", "use"]),
    credit_rule=st.sampled_from(["contribution", "use", "mix"]),
    credit_mix=st.floats(0, 1),
    profit_rule=st.sampled_from(["contribution", "use", "mix"]),
    profit_mix=st.floats(0, 1),
)
points = st.lists(st.tuples(axis, axis), min_size=1, max_size=12)


@given(parameters(), rules_strategy, points)
def test_one_council_is_the_single_host_model_exactly(p, rules, pts):
    o, u = np.array(pts).T
    rows = [["council", "contribution_share", "use_share"], ["Only", 1, 1]]
    region = region_evaluate(p, rows, o, u, rules)
    host = evaluate(p, o, u)
    for name in COUNCIL_MEASURES:
        expected = np.full_like(o, p.host_contribution) if name == "host_contribution" else host[name]
        np.testing.assert_array_equal(region[name][0], expected, err_msg=name)


@given(parameters(), st.floats(0, 20_000), axis, axis)
def test_one_council_with_its_own_spot_price(p, spot, o, u):
    rows = [["council", "contribution_share", "use_share", "spot_price"], ["Only", 1, 1, spot]]
    region = region_evaluate(p, rows, o, u)
    host = evaluate(p.replace(spot_price=spot), o, u)
    for name in ("host_spot_cost", "host_saving", "host_net_cost"):
        assert region[name][0] == host[name], name


def _scale(p):
    return max(p.fixed_cost, p.host_contribution, p.places * p.weeks_per_year * 20_000, 1.0)


@given(parameters(), councils(), rules_strategy, points)
def test_councils_add_up_to_the_host_totals(p, rows, rules, pts):
    """Σ over councils = the host measure of docs/model.md, except the spot cost and saving,
    which add up to local_weeks·Σ use_share_i·spot_i (each council's own spot price)."""
    o, u = np.array(pts).T
    region = region_evaluate(p, rows, o, u, rules)
    host = evaluate(p, o, u)
    total = region_total(region)
    tolerance = {"rtol": 1e-9, "atol": 1e-9 * _scale(p)}
    for name in COUNCIL_MEASURES:
        summed = np.sum(region[name], axis=0)
        if name == "host_contribution":
            np.testing.assert_allclose(summed, p.host_contribution, **tolerance)
        elif name not in ("host_spot_cost", "host_saving", "host_cost_per_local_week"):
            np.testing.assert_allclose(summed, host[name], **tolerance, err_msg=name)
            np.testing.assert_allclose(total[name], host[name], **tolerance, err_msg=name)
    weeks = host["local_weeks"] > 1e-6
    np.testing.assert_allclose(
        total["host_cost_per_local_week"][weeks], host["host_cost_per_local_week"][weeks], rtol=1e-6
    )
    use = np.array([row[2] for row in rows[1:]])
    spot = np.array([p.spot_price if row[3] is None else row[3] for row in rows[1:]])
    np.testing.assert_allclose(total["host_spot_cost"], host["local_weeks"] * float(use @ spot), **tolerance)
    np.testing.assert_allclose(
        total["host_saving"], total["host_spot_cost"] - host["host_net_cost"], **tolerance
    )


@given(parameters(), councils(), rules_strategy, points)
def test_keys_follow_the_rules(p, rows, rules, pts):
    keys = allocation_keys(rows, rules, p.spot_price)
    assert math.isclose(keys["credit_key"].sum(), 1, abs_tol=1e-12)
    assert math.isclose(keys["profit_key"].sum(), 1, abs_tol=1e-12)
    if rules.split_by_use:
        assert list(keys["contribution_share"]) == list(keys["use_share"])
    if rules.profit_rule == "use":
        assert list(keys["profit_key"]) == list(keys["use_share"])
    if rules.credit_rule == "contribution":
        assert list(keys["credit_key"]) == list(keys["contribution_share"])
    if rules.credit_rule == "mix":
        expected = rules.credit_mix * keys["contribution_share"] + (1 - rules.credit_mix) * keys["use_share"]
        np.testing.assert_allclose(keys["credit_key"], expected, rtol=1e-12, atol=1e-15)


def test_input_forms_agree():
    as_dicts = [
        {"name": "Westshire", "contribution_share": 0.6, "use_share": 0.25, "spot_price": 7000},
        {"name": "Eastshire", "contribution_share": 0.4, "use_share": 0.75},
    ]
    as_frame = pd.DataFrame(
        {"council": ["Westshire", "Eastshire"], "contribution_share": [0.6, 0.4], "use_share": [0.25, 0.75],
         "spot_price": [7000, np.nan]}
    )  # fmt: skip
    expected = read_councils(TWO)
    assert list(expected.columns) == ["council", "contribution_share", "use_share", "spot_price"]
    pd.testing.assert_frame_equal(read_councils(as_dicts), expected)
    pd.testing.assert_frame_equal(read_councils(as_frame), expected)
    pd.testing.assert_frame_equal(read_councils(expected), expected)
    assert math.isnan(expected["spot_price"][1])


def _problems(rows, **kwargs):
    with pytest.raises(ParameterError) as caught:
        read_councils(rows, **kwargs)
    return caught.value.problems


def test_shares_not_adding_up_to_one_are_named():
    rows = [HEADER, ["Westshire", 0.5, 0.5, None], ["Eastshire", 0.4, 0.5, None]]
    [(name, message)] = _problems(rows)
    assert name == "councils.contribution_share"
    assert "add up to 0.9 (Westshire 0.5, Eastshire 0.4)" in message
    assert "contribution_split = use" in message
    # within 1e-9 is fine, and the shares are rescaled so the parts add up exactly
    rows = [HEADER, ["Westshire", 0.5 + 5e-10, 0.5, None], ["Eastshire", 0.5, 0.5, None]]
    assert allocation_keys(rows)["contribution_share"].sum() == pytest.approx(1, abs=1e-15)


def test_council_with_no_name_and_duplicates_are_named():
    rows = [HEADER, [None, 0.2, 0.2, None], ["Westshire", 0.4, 0.4, None], [" westshire ", 0.4, 0.4, None]]
    problems = _problems(rows)
    assert ("councils[1].council", "council in row 1 has no name") in problems
    assert (
        "councils[3].council",
        "council 'Westshire' appears in rows 2 and 3; each council needs a different name",
    ) in problems
    assert len(problems) == 2


def test_every_problem_at_once():
    rows = [
        HEADER,
        ["Westshire", 1.2, "abc", -5],
        [None, 0.3, None, None],
        [],
        ["Northshire", "40%", 0.5, "TRUE"],
        ["Northshire", 0.1, 0.5, None, "extra"],
    ]
    problems = dict(_problems(rows))
    assert problems == {
        "councils[1].contribution_share": "council 'Westshire' contribution_share = 1.2 must be at most 1",
        "councils[1].use_share": "council 'Westshire' use_share = 'abc' is not a number",
        "councils[1].spot_price": "council 'Westshire' spot_price = -5 must be at least 0",
        "councils[2].council": "council in row 2 has no name",
        "councils[2].use_share": "council in row 2 use_share is missing (the cell is empty)",
        "councils[4].spot_price": "council 'Northshire' spot_price = 'TRUE' is not a number",
        "councils[5]": "council in row 5 has values beyond the headings",
        "councils[5].council": (
            "council 'Northshire' appears in rows 4 and 5; each council needs a different name"
        ),
        "councils.contribution_share": (
            "the councils' contribution_share values add up to 2 (Westshire 1.2, row 2 0.3, Northshire 0.4, "
            "Northshire 0.1); they must add up to 1 (100 %), or choose contribution_split = use"
        ),
    }


def test_table_shape_problems():
    assert _problems([["council", "use_share"], ["A", 1]]) == [
        ("councils.contribution_share", "the councils table needs a column contribution_share")
    ]
    assert _problems([HEADER, [None] * 4]) == [
        ("councils", "the councils table has no councils: give one row per council")
    ]
    [(_, message)] = _problems([["council", "share", "contribution_share", "use_share"], ["A", 1, 1, 1]])
    assert message == (
        "the councils table heading 'share' is not one of council, contribution_share, use_share, spot_price"
    )
    [(_, message)] = _problems("Westshire")
    assert message.startswith("the councils table must be rows under a header")
    assert (
        read_councils([["council", "use_share"], ["A", 1]], split_by_use=True)["contribution_share"][0] == 1
    )


def test_rules_from_spreadsheet_text_and_their_problems():
    rules = RegionRules.from_mapping(
        {
            "contribution_split": "Split by use",
            "credit_rule": "By use share",
            "profit_rule": "MIX",
            "profit_mix": "30%",
        }
    )
    assert rules == RegionRules("use", "use", 0.5, "mix", 0.3)
    lines = explain_rules(rules)
    assert "split by use" in lines[0]
    assert "m = 30%: 30% by contribution, 70% by use" in lines[3]
    with pytest.raises(ParameterError) as caught:
        read_region(TWO, {"credit_rule": "by size", "profit_mix": 2, "colour": "red"})
    assert dict(caught.value.problems) == {
        "colour": "colour is not a region rule",
        "credit_rule": "credit_rule = 'by size' must be contribution, use or mix",
        "profit_mix": "profit_mix = 2 must be at most 1",
    }
    with pytest.raises(ParameterError) as caught:
        read_region([HEADER, ["A", 2, 1, None]], {"profit_rule": None})
    assert [name for name, _ in caught.value.problems] == [
        "profit_rule",
        "councils[1].contribution_share",
        "councils.contribution_share",
    ]


def test_region_grid_tables():
    p = Parameters()
    result = region_grid(p, TWO, occupancy=[0.5, 1.0], local_use=[0.25, 0.5, 0.75])
    table = result.table("host_net_cost", "eastshire")
    assert table.shape == (2, 3)
    assert table.index.name == "occupancy" and table.columns.name == "local_use"
    assert table.loc[1.0, 0.5] == pytest.approx(340_717.6, rel=1e-12)  # GOLDEN
    total = result.table("host_net_cost")
    np.testing.assert_allclose(
        total, evaluate(p, [[0.5], [1.0]], [0.25, 0.5, 0.75])["host_net_cost"], rtol=1e-12
    )
    frame = result.to_frame()
    assert len(frame) == 2 * 2 * 3
    assert list(frame.columns) == ["council", "occupancy", "local_use", *COUNCIL_MEASURES]
    row = frame[(frame.council == "Westshire") & (frame.occupancy == 1.0) & (frame.local_use == 0.5)]
    assert float(row["host_saving"].iloc[0]) == pytest.approx(21_200.8, rel=1e-12)  # GOLDEN
    with pytest.raises(ParameterError, match="council = 'Northshire' is not in the region"):
        result.table("host_net_cost", "Northshire")
    with pytest.raises(ParameterError, match="not a council measure"):
        result.table("provider_surplus", "Westshire")
    with pytest.raises(ParameterError, match="local_use values must be within"):
        region_evaluate(p, TWO, 0.5, 1.5)
