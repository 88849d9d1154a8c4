"""engine.members.portfolio_risk: occupancy and local use drawn per home, rank-correlated between homes."""

import math

import numpy as np
import pandas as pd
import pytest

from engine import (
    PORTFOLIO_RISK_COLUMNS,
    SUMMARY_COLUMNS,
    ParameterError,
    Parameters,
    Uncertainty,
    draw_home_outcomes,
    home_rank_correlation,
    monte_carlo,
    portfolio_point,
    portfolio_risk,
)

HEADER = ["Home", "Places", "Fixed cost", "Reserved places"]
TWO = [HEADER, ["Oak", 4, 950_000, 3], ["Elm", 2, 700_000, 1]]
THREE = [["Home"], ["A"], ["B"], ["C"]]  # three homes with the partnership's values
AGREEMENT = Parameters(host_contribution=300_000, deficit_support=0.5)
QUANTILES = ("p10", "p50", "p90")


def certain(occupancy: float, local_use: float) -> Uncertainty:
    return Uncertainty(
        occupancy_low=occupancy,
        occupancy_most_likely=occupancy,
        occupancy_high=occupancy,
        local_use_low=local_use,
        local_use_most_likely=local_use,
        local_use_high=local_use,
    )


def figures(frame: pd.DataFrame, sharing: str, party: str) -> pd.DataFrame:
    rows = frame[(frame["sharing"] == sharing) & (frame["party"] == party)]
    return rows.set_index("statistic")


def problems(call) -> dict[str, str]:
    with pytest.raises(ParameterError) as error:
        call()
    return dict(error.value.problems)


def test_same_seed_identical_and_another_seed_differs():
    first = portfolio_risk(AGREEMENT, TWO, home_correlation=0.4, draws=5_000, seed=11)
    again = portfolio_risk(AGREEMENT, TWO, home_correlation=0.4, draws=5_000, seed=11)
    other = portfolio_risk(AGREEMENT, TWO, home_correlation=0.4, draws=5_000, seed=12)
    pd.testing.assert_frame_equal(first, again)
    assert list(first.columns) == list(PORTFOLIO_RISK_COLUMNS)
    assert figures(first, "pooled", "provider").loc["mean", "partnership"] != pytest.approx(
        figures(other, "pooled", "provider").loc["mean", "partnership"], rel=1e-9
    )


def test_certain_ranges_reproduce_portfolio_point():
    # The golden point of test_portfolio (worked by hand there): occupancy 1, local use 0.5.
    # Provider surplus: per home 100,616.8, pooled 98,200; host net cost 970,616.8 and 968,200.
    frame = portfolio_risk(AGREEMENT, TWO, certain(1.0, 0.5), home_correlation=0.3, draws=1_000, seed=1)
    point = portfolio_point(AGREEMENT, TWO, 1.0, 0.5).set_index("sharing").iloc[2:]
    assert point.loc["per_home", "provider_surplus"] == pytest.approx(100_616.8)
    assert point.loc["pooled", "host_net_cost"] == pytest.approx(968_200)
    for sharing in ("per_home", "pooled"):
        for party, ours, spot in (
            ("provider", "provider_surplus", "provider_spot_surplus"),
            ("host", "host_net_cost", "host_spot_cost"),
        ):
            rows = figures(frame, sharing, party)
            for statistic in QUANTILES:  # a quantile is one of the draws: exactly the point's value
                assert rows.loc[statistic, "partnership"] == point.loc[sharing, ours]
                assert rows.loc[statistic, "spot"] == point.loc[sharing, spot]
            for statistic in ("mean", "expected_shortfall"):  # sums of 1,000 equal values: rounding only
                assert rows.loc[statistic, "partnership"] == pytest.approx(
                    point.loc[sharing, ours], rel=1e-12
                )
            assert rows.loc["std", "partnership"] == pytest.approx(0, abs=1e-6)
    assert figures(frame, "per_home", "provider").loc["probability_of_loss", "partnership"] == 0
    achieved = frame[frame["party"] == "homes"]
    assert achieved["partnership"].isna().all()  # no rank correlation between certain values


@pytest.mark.parametrize("correlation", [0.0, 0.4])
def test_one_home_is_monte_carlo_exactly(correlation):
    # The draws are the same numbers (same random stream, Iman–Conover on the same two
    # variables), and a portfolio of one home is the single-home model, so every figure is equal.
    uncertainty = Uncertainty(correlation=correlation)
    params = Parameters(host_contribution=250_000)
    frame = portfolio_risk(params, [["home"], ["Only"]], uncertainty, 0.7, draws=20_000, seed=3)
    single = monte_carlo(params, uncertainty, draws=20_000, seed=3).summary
    for sharing in ("per_home", "pooled"):
        ours = frame[frame["sharing"] == sharing][list(SUMMARY_COLUMNS)].reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, single, check_exact=True)


def test_achieved_rank_correlation_three_homes():
    occupancy, local_use = draw_home_outcomes(Uncertainty(correlation=0.3), 3, 0.5, seed=8)
    assert occupancy.shape == local_use.shape == (3, 100_000)
    # independently: pandas' Spearman correlation of every pair of homes
    for values in (occupancy, local_use):
        spearman = pd.DataFrame(values.T).rank().corr().to_numpy()  # Spearman = Pearson of ranks (no scipy)
        pairs = spearman[np.triu_indices(3, k=1)]
        assert pairs == pytest.approx([0.5] * 3, abs=0.02)
        assert home_rank_correlation(values) == pytest.approx(pairs.mean(), abs=1e-9)
    # within a home: occupancy and local use keep Uncertainty.correlation; across homes 0.5·0.3
    within = pd.Series(occupancy[0]).rank().corr(pd.Series(local_use[0]).rank())
    across = pd.Series(occupancy[0]).rank().corr(pd.Series(local_use[2]).rank())
    assert within == pytest.approx(0.3, abs=0.02)
    assert across == pytest.approx(0.15, abs=0.02)
    frame = portfolio_risk(Parameters(), THREE, Uncertainty(correlation=0.3), 0.5, seed=8)
    rows = frame[frame["party"] == "homes"].set_index("partnership_measure")
    assert rows.loc["occupancy", "partnership"] == pytest.approx(home_rank_correlation(occupancy))
    assert rows.loc["occupancy", "spot"] == 0.5


def test_correlation_widens_the_portfolio_but_keeps_its_mean():
    # Local use certain: with sharing per home each home's figures depend on its occupancy
    # only, and Iman–Conover keeps every home's draws (only the pairing changes), so the mean
    # of their sum cannot move. (Pooled, the surplus above the pool's reasonable return is
    # shared, a kink in the pool's total, so its mean may move once surpluses pass the return,
    # as they do at the example's fixed cost.) The spot surplus is linear in occupancy: its
    # std over 3 alike homes grows by √(1 + 2r) with r the Pearson correlation of the scores
    # (2·sin(π·0.9/6) = 0.908): √2.816 = 1.678.
    uncertainty = Uncertainty(local_use_low=0.6, local_use_high=0.6)
    independent = portfolio_risk(Parameters(), THREE, uncertainty, 0.0, seed=5)
    together = portfolio_risk(Parameters(), THREE, uncertainty, 0.9, seed=5)
    for party in ("provider", "host"):
        loose, tight = figures(independent, "per_home", party), figures(together, "per_home", party)
        assert tight.loc["mean", "partnership"] == pytest.approx(loose.loc["mean", "partnership"], rel=1e-9)
        assert tight.loc["std", "partnership"] > loose.loc["std", "partnership"]
    loose, tight = figures(independent, "pooled", "provider"), figures(together, "pooled", "provider")
    expected = math.sqrt(1 + 2 * 2 * math.sin(math.pi * 0.9 / 6))
    assert tight.loc["std", "spot"] / loose.loc["std", "spot"] == pytest.approx(expected, rel=0.03)


def test_most_negative_correlation_is_allowed():
    # −1/(n − 1): −1 for two homes (exactly opposite ranks), −0.5 for three
    occupancy, _ = draw_home_outcomes(Uncertainty(), 2, -1.0, draws=10_000, seed=2)
    assert home_rank_correlation(occupancy) == pytest.approx(-1, abs=1e-9)
    occupancy, _ = draw_home_outcomes(Uncertainty(), 3, -0.5, draws=10_000, seed=2)
    assert home_rank_correlation(occupancy) < -0.45


def test_correlation_outside_minus_one_to_one_is_named():
    found = problems(lambda: portfolio_risk(AGREEMENT, TWO, home_correlation=1.5))
    assert found["home_correlation"] == "home_correlation = 1.5 must be at most 1"
    found = problems(lambda: portfolio_risk(AGREEMENT, TWO, home_correlation="high"))
    assert found["home_correlation"] == "home_correlation = 'high' is not a finite number"


def test_correlation_impossible_for_that_many_homes_is_named():
    found = problems(lambda: portfolio_risk(Parameters(), THREE, home_correlation=-0.6))
    assert "home_correlation = -0.6 is impossible for 3 homes" in found["home_correlation"]
    assert "at least −1/(3 − 1) = -0.5" in found["home_correlation"]
    assert "positive semi-definite" in found["home_correlation"]
    portfolio_risk(Parameters(), TWO, home_correlation=-0.6, draws=100)  # two homes: fine


def test_every_problem_at_once():
    bad_home = [HEADER, ["Oak", 4, 950_000, 5]]
    uncertainty = Uncertainty(fixed_cost_growth_high=0.05, history=((0.8, 0.5),))
    found = problems(lambda: portfolio_risk(AGREEMENT, bad_home, uncertainty, 2, draws=0, seed=-1))
    assert set(found) == {
        "homes[1].reserved_places",
        "home_correlation",
        "history",
        "fixed_cost_growth",
        "draws",
        "seed",
    }
    assert "Oak" in found["homes[1].reserved_places"]
    assert found["draws"].startswith("draws = 0 must be a whole number")
