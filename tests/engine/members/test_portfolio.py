"""engine.members.portfolio: homes under one agreement, sharing per home and pooled."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import (
    ADDITIVE,
    HOME_PARAMETERS,
    MEASURE_NAMES,
    ParameterError,
    Parameters,
    evaluate,
    home_table,
    portfolio_evaluate,
    portfolio_grid,
    portfolio_point,
    read_homes,
)
from tests.support.strategies import axis, money_week, money_year, parameters

HEADER = ["Home", "Places", "Fixed cost", "Reserved places"]
TWO = [HEADER, ["Oak", 4, "£950,000", 3], ["Elm", 2, 700_000, 1], [None, None, None, None]]
AGREEMENT = Parameters(host_contribution=300_000, deficit_support=0.5)

# Agreement: the defaults of docs/model.md with K = 300,000 and δ = 0.5; occupancy 1, local use 0.5.
# K by places: Oak 300,000·4/6 = 200,000, Elm 100,000.
# Oak (N 4, F 950,000, R 3, K 200,000): L = X = 2, weeks 104 each; X_rel = max(2 − (4 − 3 − 0), 0) = 1
#   fees 52·(2·5,000 + 2·5,600) = 1,102,400, revenue 1,302,400, cost 950,000 + 52·4·300 = 1,012,400
#   compensation 250·104 = 26,000, release 0.25·5,600·52 = 72,800
#   S0 = 1,302,400 − 1,012,400 − 26,000 − 72,800 = 191,200; threshold 0.08·1,012,400 = 80,992
#   profit share 0.40·(191,200 − 80,992) = 44,083.2; deficit cover 0
# Elm (N 2, F 700,000, R 1, K 100,000): L = X = 1, weeks 52 each; X_rel = max(1 − (2 − 1 − 0), 0) = 0
#   fees 52·(5,000 + 5,600) = 551,200, revenue 651,200, cost 700,000 + 52·2·300 = 731,200
#   compensation 250·52 = 13,000, release 0; S0 = 651,200 − 731,200 − 13,000 = −93,000
#   threshold 58,496; profit share 0; deficit cover 0.5·93,000 = 46,500
# Per home: profit share 44,083.2, deficit cover 46,500
#   provider surplus (191,200 − 44,083.2) + (−93,000 + 46,500) = 100,616.8
#   host net cost = fees 780,000 + K 300,000 − compensation 39,000 − release 72,800
#                   − 44,083.2 + 46,500 = 970,616.8
# Pooled: S0 = 191,200 − 93,000 = 98,200; threshold 0.08·(1,012,400 + 731,200) = 139,488 > S0
#   profit share 0, deficit cover 0 → provider surplus 98,200, host net cost 968,200
# Difference (pooled − per home): profit share −44,083.2, deficit cover −46,500,
#   provider surplus and host net cost both −2,416.8 (the clause moves money host → provider)
GOLDEN = {
    #                       Oak          Elm        per home      pooled
    "surplus_before_sharing": (191_200, -93_000, 98_200, 98_200),
    "sharing_threshold": (80_992, 58_496, 139_488, 139_488),
    "profit_share": (44_083.2, 0, 44_083.2, 0),
    "deficit_cover": (0, 46_500, 46_500, 0),
    "provider_surplus": (147_116.8, -46_500, 100_616.8, 98_200),
    "host_contribution_split": (200_000, 100_000, None, None),
    "host_net_cost": (520_000 + 200_000 - 26_000 - 72_800 - 44_083.2, 260_000 + 100_000 - 13_000 + 46_500,
                      970_616.8, 968_200),
}  # fmt: skip


def test_golden_two_homes_one_point():
    table = portfolio_point(AGREEMENT, TWO, 1.0, 0.5)
    assert list(table["level"]) == ["home", "home", "portfolio", "portfolio", "portfolio"]
    assert list(table["home"]) == ["Oak", "Elm", "", "", ""]
    assert list(table["sharing"]) == ["per_home", "per_home", "per_home", "pooled", "difference"]
    for name, expected in GOLDEN.items():
        if name == "host_contribution_split":
            assert list(home_table(TWO, AGREEMENT)["host_contribution"]) == [200_000, 100_000]
            continue
        np.testing.assert_allclose(table[name][:4], expected, rtol=1e-12, atol=1e-9, err_msg=name)
        assert table[name][4] == pytest.approx(expected[3] - expected[2], abs=1e-6)
    assert table["provider_surplus"][4] == pytest.approx(-2_416.8, rel=1e-9)
    assert table["host_net_cost"][4] == pytest.approx(-2_416.8, rel=1e-9)
    assert list(table["share_rate"]) == [0.4, 0.4, 0.4, 0.4, 0]


def test_a_home_with_its_own_occupancy_keeps_it():
    rows = [[*HEADER, "Occupancy"], ["Oak", 4, 950_000, 3, None], ["Elm", 2, 700_000, 1, "50%"]]
    values = portfolio_evaluate(AGREEMENT, rows, np.array([0.2, 1.0]), 0.5)
    elm = AGREEMENT.replace(places=2, fixed_cost=700_000, reserved_places=1, host_contribution=100_000)
    for name in MEASURE_NAMES:
        np.testing.assert_array_equal(
            values["homes"][name][1], evaluate(elm, [0.5, 0.5], 0.5)[name], err_msg=name
        )
    oak = AGREEMENT.replace(host_contribution=200_000, fixed_cost=950_000)  # Oak's row, not the default
    np.testing.assert_array_equal(
        values["homes"]["provider_surplus"][0], evaluate(oak, [0.2, 1.0], 0.5)["provider_surplus"]
    )


points = st.lists(st.tuples(axis, axis), min_size=1, max_size=12)


def test_homes_with_their_own_draws_share_at_the_portfolio_local_use():
    # per_home_axes: Oak at local use 0.5, Elm at 1, both full. L = 2 + 2, L + X = 4 + 2:
    # the portfolio's local use is 4/6 = 0.667, so the pooled tier is 0.40 (Elm alone: 0.60).
    # With nothing occupied the places-weighted local use (4·0.5 + 2·1)/6 = 0.667 applies.
    occupancy = np.array([[1.0, 0.0], [1.0, 0.0]])
    local_use = np.array([[0.5, 0.5], [1.0, 1.0]])
    values = portfolio_evaluate(AGREEMENT, TWO, occupancy, local_use, per_home_axes=True)
    assert values["homes"]["share_rate"].tolist() == [[0.4, 0.4], [0.6, 0.6]]
    assert values["pooled"]["share_rate"].tolist() == [0.4, 0.4]
    # Elm alone at (1, 1): fees 52·2·5,000 = 520,000, K 100,000, cost 731,200 → S0 = −111,200
    assert values["homes"]["surplus_before_sharing"][:, 0].tolist() == pytest.approx([191_200, -111_200])


@given(parameters(), points, st.booleans())
def test_one_home_is_the_single_home_model_exactly(p, pts, from_table):
    o, u = np.array(pts).T
    if from_table:  # every cell given
        rows = [["home", *HOME_PARAMETERS], ["Only", *(getattr(p, name) for name in HOME_PARAMETERS)]]
    else:  # every cell empty: the partnership's values
        rows = [["home", "places"], ["Only", None]]
    values = portfolio_evaluate(p, rows, o, u)
    single = evaluate(p, o, u)
    for name in MEASURE_NAMES:
        np.testing.assert_array_equal(values["homes"][name][0], single[name], err_msg=name)
        np.testing.assert_array_equal(values["per_home"][name], single[name], err_msg=name)
        np.testing.assert_array_equal(values["pooled"][name], single[name], err_msg=name)


@st.composite
def homes(draw):
    """1–4 valid homes, some cells empty (the partnership's value), some with own occupancy."""
    rows = [["home", *HOME_PARAMETERS, "occupancy"]]
    for index in range(draw(st.integers(1, 4))):
        places = draw(st.integers(1, 12))
        cells = [
            places,
            draw(money_year),
            draw(st.floats(0, 2_000)),
            draw(money_week),
            draw(money_week),
            draw(st.floats(0, places)),
            draw(st.one_of(st.none(), axis)),
        ]
        rows.append([f"Home {index}", *cells])
    return rows


def _scale(p, rows):
    return max(p.fixed_cost, p.host_contribution, *(row[2] for row in rows[1:]), 20_000 * 53 * 50, 1.0)


@given(parameters(), homes(), points)
def test_portfolio_identities(p, rows, pts):
    """Sums over homes; pooling changes only the sharing clause; and pooled shares never more."""
    o, u = np.array(pts).T
    values = portfolio_evaluate(p, rows, o, u)
    per_home, pooled, difference = values["per_home"], values["pooled"], values["difference"]
    tolerance = {"rtol": 1e-9, "atol": 1e-9 * _scale(p, rows)}
    for name in ADDITIVE:
        np.testing.assert_allclose(
            per_home[name], np.sum(values["homes"][name], axis=0), **tolerance, err_msg=name
        )
    for name in (
        "provider_revenue",
        "provider_cost",
        "compensation",
        "release_credit",
        "surplus_before_sharing",
    ):
        np.testing.assert_array_equal(pooled[name], per_home[name], err_msg=name)
    np.testing.assert_array_equal(
        difference["provider_surplus"], pooled["provider_surplus"] - per_home["provider_surplus"]
    )
    # the clause moves money between host and provider: what one gains, the other pays
    np.testing.assert_allclose(difference["provider_surplus"], difference["host_net_cost"], **tolerance)
    # Σ max(a_h, 0) ≥ max(Σ a_h, 0): pooling never raises the profit share or the deficit cover
    assert np.all(pooled["profit_share"] <= per_home["profit_share"] + tolerance["atol"])
    assert np.all(pooled["deficit_cover"] <= per_home["deficit_cover"] + tolerance["atol"])
    # the portfolio's identity of docs/model.md, with each home's own outside fee
    outside_fee = np.array([row[5] for row in rows[1:]])[:, None]
    outside_income = np.sum(values["homes"]["outside_weeks"] * outside_fee, axis=0)
    for totals in (per_home, pooled):
        rhs = totals["host_net_cost"] + outside_income - totals["provider_cost"]
        np.testing.assert_allclose(totals["provider_surplus"], rhs, rtol=1e-6, atol=1e-6 * _scale(p, rows))


@pytest.mark.slow
@given(parameters(), homes(), points)
def test_shared_axes_given_per_home_agree(p, rows, pts):
    o, u = np.array(pts).T
    shared = portfolio_evaluate(p, rows, o, u)
    own = portfolio_evaluate(p, rows, o[None, :], u[None, :], per_home_axes=True)
    for name in MEASURE_NAMES:
        np.testing.assert_array_equal(own["homes"][name], shared["homes"][name], err_msg=name)
        np.testing.assert_allclose(own["pooled"][name], shared["pooled"][name], rtol=1e-12, err_msg=name)


@given(parameters(), points)
def test_identical_homes_pool_to_the_same_deal(p, pts):
    """Two copies of a home with twice the contribution: pooling offsets nothing, totals double."""
    o, u = np.array(pts).T
    rows = [["home"], ["A"], ["B"]]
    values = portfolio_evaluate(p.replace(host_contribution=2 * p.host_contribution), rows, o, u)
    single = evaluate(p, o, u)
    tolerance = {"rtol": 1e-9, "atol": 1e-9 * max(p.fixed_cost, p.host_contribution, 1e6)}
    for name in ADDITIVE:
        np.testing.assert_allclose(values["pooled"][name], 2 * single[name], **tolerance, err_msg=name)
        np.testing.assert_allclose(values["per_home"][name], 2 * single[name], **tolerance, err_msg=name)


def _problems(rows, params=None):
    with pytest.raises(ParameterError) as caught:
        read_homes(rows, params)
    return caught.value.problems


def test_reserved_places_above_places_are_named():
    rows = [HEADER, ["Oak", 4, 950_000, 5], ["Elm", 2, 700_000, None]]
    assert _problems(rows) == [
        ("homes[1].reserved_places", "home 'Oak' reserved_places = 5 exceeds places = 4")
    ]
    assert _problems(rows, Parameters()) == [
        ("homes[1].reserved_places", "home 'Oak' reserved_places = 5 exceeds places = 4"),
        (
            "homes[2].reserved_places",
            "home 'Elm' reserved_places = 3 (the partnership's, the cell is empty) exceeds places = 2",
        ),
    ]
    with pytest.raises(ParameterError, match="home 'Elm' reserved_places = 3"):
        portfolio_point(Parameters(), rows[:1] + rows[2:], 0.5, 0.5)


def test_every_problem_at_once():
    rows = [
        [*HEADER, "Occupancy"],
        [None, 0, 950_000, 1, None],
        ["Oak", 2.5, -1, None, "110%"],
        ["oak", 2, 100, 3, None],
    ]
    assert dict(_problems(rows, Parameters())) == {
        "homes[1].home": "home in row 1 has no name",
        "homes[1].places": "home in row 1 places = 0 must be at least 1",
        "homes[2].places": "home 'Oak' places = 2.5 must be a whole number",
        "homes[2].fixed_cost": "home 'Oak' fixed_cost = -1 must be at least 0",
        "homes[2].occupancy": "home 'Oak' occupancy = 1.1 must be at most 1",
        "homes[3].home": "home 'Oak' appears in rows 2 and 3; each home needs a different name",
        "homes[3].reserved_places": "home 'oak' reserved_places = 3 exceeds places = 2",
    }


def test_input_forms_agree():
    as_dicts = [
        {"name": "Oak", "places": 4, "fixed_cost": 950_000, "reserved_places": 3},
        {"name": "Elm", "places": 2, "fixed_cost": 700_000, "reserved_places": 1},
    ]
    expected = read_homes(TWO)
    assert list(expected.columns) == ["home", *HOME_PARAMETERS, "occupancy"]
    assert expected["variable_cost"].isna().all()
    pd.testing.assert_frame_equal(read_homes(as_dicts), expected)
    pd.testing.assert_frame_equal(read_homes(pd.DataFrame(as_dicts)), expected)
    pd.testing.assert_frame_equal(read_homes(expected), expected)


def test_portfolio_grid_tables():
    result = portfolio_grid(AGREEMENT, TWO, occupancy=[0.5, 1.0], local_use=[0.25, 0.5])
    assert result.names == ("Oak", "Elm")
    assert result.table("surplus_before_sharing", "elm").loc[1.0, 0.5] == pytest.approx(-93_000)
    assert result.table("host_net_cost", sharing="per_home").loc[1.0, 0.5] == pytest.approx(970_616.8)
    assert result.table("host_net_cost").loc[1.0, 0.5] == pytest.approx(968_200)
    assert result.table("host_net_cost", sharing="difference").loc[1.0, 0.5] == pytest.approx(-2_416.8)
    frame = result.to_frame()
    assert len(frame) == (2 + 3) * 4
    assert list(frame.columns[:5]) == ["level", "home", "sharing", "occupancy", "local_use"]
    pooled = frame[(frame.sharing == "pooled") & (frame.occupancy == 1.0) & (frame.local_use == 0.5)]
    assert float(pooled["provider_surplus"].iloc[0]) == pytest.approx(98_200)
    with pytest.raises(ParameterError, match="home = 'Ash' is not in the portfolio"):
        result.table("host_net_cost", "Ash")
    with pytest.raises(ParameterError, match="sharing = 'both' must be one of"):
        result.table("host_net_cost", sharing="both")
