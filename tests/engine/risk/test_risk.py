"""Risk: distributions, draws, weighted statistics and the partnership-vs-spot tables."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import (
    SUMMARY_COLUMNS,
    ParameterError,
    Parameters,
    Uncertainty,
    describe,
    draw_outcomes,
    draw_pert,
    evaluate,
    expected_outcome,
    grid_outcomes,
    histogram,
    make_outcomes,
    monte_carlo,
    pert_mean,
    point_outcome,
    risk_over_outcomes,
    summarise,
)

# The golden point of engine/core/test_golden.py, worked by hand at o = 0.6, u = 0.5 (defaults):
# L = X = 1.2 places, local_weeks = outside_weeks = 62.4, X_rel = 1.2 − (4 − 3 − 0) = 0.2.
# S0 = 861,440 − 812,440 − 15,600 − 14,560 = 18,840 < threshold 64,995.2: no sharing.
SURPLUS = 18_840.0
SPOT_SURPLUS = 52 * 2.4 * (5_600 - 300) - 775_000  # −113,560
NET_COST = 62.4 * 5_000 + 200_000 - 15_600 - 14_560  # 481,840
SPOT_COST = 62.4 * 6_500  # 405,600


def fixed_point(o=0.6, u=0.5, **more):
    return Uncertainty(
        occupancy_low=o,
        occupancy_most_likely=o,
        occupancy_high=o,
        local_use_low=u,
        local_use_most_likely=u,
        local_use_high=u,
        **more,
    )


def row(result, party, statistic):
    table = result.table(party).set_index("statistic")
    return table.loc[statistic]


def test_degenerate_distributions_give_the_point_exactly():
    result = monte_carlo(Parameters(), fixed_point(), draws=1_000)
    provider, host = (
        result.table("provider").set_index("statistic"),
        result.table("host").set_index("statistic"),
    )
    for statistic in ("mean", "p10", "p50", "p90", "expected_shortfall"):
        assert provider.loc[statistic, "partnership"] == pytest.approx(SURPLUS)
        assert provider.loc[statistic, "spot"] == pytest.approx(SPOT_SURPLUS)
        assert host.loc[statistic, "partnership"] == pytest.approx(NET_COST)
        assert host.loc[statistic, "spot"] == pytest.approx(SPOT_COST)
    assert provider.loc["std", "partnership"] == pytest.approx(0, abs=1e-6)
    assert provider.loc["probability_of_loss", "partnership"] == 0
    assert provider.loc["probability_of_loss", "spot"] == 1
    # the host pays 481,840 against 405,600 at spot: more than spot in every draw
    assert host.loc["probability_above_spot", "partnership"] == 1
    assert host.loc["probability_above_spot", "spot"] == 0
    assert provider.loc["mean", "change"] == pytest.approx(SURPLUS - SPOT_SURPLUS)


def test_uniform_occupancy_linear_measure_converges_within_three_standard_errors():
    # λ = 0 makes PERT uniform: o ~ U[0.6, 1.0], u ~ U[0.2, 0.8], independent.
    # provider_spot_surplus = W·N·o·(p_X − v) − F is linear in o:
    #   mean = 52·4·5,300·0.8 − 775,000 = 106,920; std = 52·4·5,300·0.4/√12 = 127,266.4…
    # host_spot_cost = s·W·N·u·o: mean = 6,500·52·4·0.5·0.8 = 540,800.
    uncertainty = Uncertainty(
        occupancy_low=0.6,
        occupancy_most_likely=0.8,
        occupancy_high=1.0,
        local_use_low=0.2,
        local_use_most_likely=0.5,
        local_use_high=0.8,
        pert_lambda=0,
    )
    result = monte_carlo(Parameters(), uncertainty, draws=200_000, seed=7)
    provider = result.table("provider").set_index("statistic")
    slope = 52 * 4 * 5_300
    assert (
        abs(provider.loc["mean", "spot"] - (slope * 0.8 - 775_000))
        < 3 * provider.loc["standard_error", "spot"]
    )
    assert provider.loc["standard_error", "spot"] == pytest.approx(
        provider.loc["std", "spot"] / np.sqrt(200_000)
    )
    assert provider.loc["std", "spot"] == pytest.approx(slope * 0.4 / np.sqrt(12), rel=0.01)
    # P10 of a uniform: slope·(0.6 + 0.1·0.4) − F, to within the sampling error of a quantile
    assert provider.loc["p10", "spot"] == pytest.approx(slope * 0.64 - 775_000, abs=slope * 0.004)
    # the mean of the worst 10 % of a uniform is the midpoint of its lowest tenth: o = 0.62
    assert provider.loc["expected_shortfall", "spot"] == pytest.approx(
        slope * 0.62 - 775_000, abs=slope * 0.002
    )
    host = result.table("host").set_index("statistic")
    assert abs(host.loc["mean", "spot"] - 540_800) < 3 * host.loc["standard_error", "spot"]


def test_same_seed_same_results_and_another_seed_differs():
    uncertainty = Uncertainty(correlation=0.4, fixed_cost_growth_high=0.1)
    first = monte_carlo(Parameters(), uncertainty, draws=5_000, seed=11)
    again = monte_carlo(Parameters(), uncertainty, draws=5_000, seed=11)
    other = monte_carlo(Parameters(), uncertainty, draws=5_000, seed=12)
    pd.testing.assert_frame_equal(first.summary, again.summary)
    np.testing.assert_array_equal(first.values["provider_surplus"], again.values["provider_surplus"])
    assert not np.array_equal(first.values["provider_surplus"], other.values["provider_surplus"])


def test_pert_draws_match_the_pert_mean_and_stay_in_range():
    rng = np.random.default_rng(3)
    draws = draw_pert(rng, 0.6, 0.85, 0.95, 4.0, 400_000)
    assert draws.min() >= 0.6 and draws.max() <= 0.95
    # PERT mean (0.6 + 4·0.85 + 0.95)/6 = 0.825; std of the mean ≈ 0.065/√400,000 = 1e-4
    assert draws.mean() == pytest.approx(pert_mean(0.6, 0.85, 0.95), abs=5e-4)
    assert pert_mean(0.6, 0.85, 0.95) == pytest.approx(0.825)
    assert np.all(draw_pert(rng, 0.7, 0.7, 0.7, 4.0, 10) == 0.7)


@pytest.mark.parametrize("target", [-0.7, 0.0, 0.3, 0.9])
def test_rank_correlation_is_achieved_and_marginals_kept(target):
    uncertainty = Uncertainty(correlation=target)
    drawn = draw_outcomes(uncertainty, draws=200_000, seed=5)
    ranks_o = np.argsort(np.argsort(drawn.occupancy))
    ranks_u = np.argsort(np.argsort(drawn.local_use))
    spearman = np.corrcoef(ranks_o, ranks_u)[0, 1]
    assert spearman == pytest.approx(target, abs=0.01)
    # Iman–Conover only re-pairs: each marginal is exactly the independent draws' values
    independent = draw_outcomes(Uncertainty(), draws=200_000, seed=5)
    np.testing.assert_array_equal(np.sort(drawn.occupancy), np.sort(independent.occupancy))
    np.testing.assert_array_equal(np.sort(drawn.local_use), np.sort(independent.local_use))


def test_fixed_cost_growth_enters_as_a_scaled_fixed_cost():
    certain = fixed_point(
        fixed_cost_growth_low=0.1, fixed_cost_growth_most_likely=0.1, fixed_cost_growth_high=0.1
    )
    result = monte_carlo(Parameters(), certain, draws=100)
    expected = evaluate(Parameters(fixed_cost=852_500), 0.6, 0.5)  # 775,000·1.1
    assert result.values["provider_surplus"][0] == pytest.approx(float(expected["provider_surplus"]))
    assert result.samples()["fixed_cost"].iloc[0] == pytest.approx(852_500)
    # S0 = 18,840 − 77,500 = −58,660: a loss in every draw
    assert row(result, "provider", "probability_of_loss")["partnership"] == 1
    uncertain = Uncertainty(
        fixed_cost_growth_low=0.0, fixed_cost_growth_most_likely=0.03, fixed_cost_growth_high=0.09
    )
    drawn = draw_outcomes(uncertain, draws=100_000)
    assert drawn.fixed_cost_factor.mean() == pytest.approx(1 + pert_mean(0, 0.03, 0.09), abs=5e-4)
    grid = grid_outcomes(uncertain)
    np.testing.assert_allclose(grid.fixed_cost_factor, 1 + (0 + 4 * 0.03 + 0.09) / 6)


def test_history_is_resampled_and_weights_a_grid_exactly():
    history = Uncertainty(history=((0.8, 0.5), (0.9, 0.6), (0.8, 0.5)))
    assert history.source == "history"
    drawn = draw_outcomes(history, draws=30_000)
    pairs = set(zip(drawn.occupancy.tolist(), drawn.local_use.tolist(), strict=True))
    assert pairs == {(0.8, 0.5), (0.9, 0.6)}
    assert np.mean(drawn.occupancy == 0.9) == pytest.approx(1 / 3, abs=0.01)
    weights = grid_outcomes(history).weight_table()
    assert weights.loc[0.8, 0.5] == pytest.approx(2 / 3)
    assert weights.loc[0.9, 0.6] == pytest.approx(1 / 3)
    assert weights.to_numpy().sum() == pytest.approx(1)
    assert history.expected("occupancy") == pytest.approx((0.8 + 0.9 + 0.8) / 3)


def test_grid_weights_follow_the_distributions():
    grid = grid_outcomes(Uncertainty())
    weights = grid.weight_table()
    assert weights.shape == (21, 21)
    assert weights.to_numpy().sum() == pytest.approx(1)
    # no weight below the low occupancy (0.60, nearest grid point 0.60) or above the high
    assert weights.loc[:0.55].to_numpy().sum() == 0
    mean_occupancy = (weights.sum(axis=1) * weights.index).sum()
    assert mean_occupancy == pytest.approx(Uncertainty().expected("occupancy"), abs=0.005)
    equal = grid_outcomes()
    assert equal.weights is None and equal.size == 441


def test_expected_outcome_is_the_pert_means():
    point = expected_outcome(Uncertainty())
    assert point.occupancy[0] == pytest.approx(0.825)
    assert point.local_use[0] == pytest.approx(0.6)
    assert point.fixed_cost_factor is None


def test_risk_over_a_weighted_set_of_points():
    # Two outcomes, 3:1: mean surplus = 0.75·18,840 + 0.25·surplus(0.9, 0.5)
    outcomes = make_outcomes([0.6, 0.9], [0.5, 0.5], [3, 1])
    other = float(evaluate(Parameters(), 0.9, 0.5)["provider_surplus"])
    result = risk_over_outcomes(Parameters(), outcomes)
    assert row(result, "provider", "mean")["partnership"] == pytest.approx(0.75 * SURPLUS + 0.25 * other)
    assert np.isnan(row(result, "provider", "standard_error")["partnership"])  # no sampling: no error
    assert row(result, "provider", "p50")["partnership"] == pytest.approx(SURPLUS)  # 75 % of weight at 18,840
    assert row(result, "provider", "p90")["partnership"] == pytest.approx(other)


def test_summary_columns_and_parties():
    result = monte_carlo(Parameters(), draws=2_000)
    assert tuple(result.summary.columns) == SUMMARY_COLUMNS
    assert result.table("provider")["statistic"].tolist() == [
        "mean",
        "std",
        "standard_error",
        "p10",
        "p50",
        "p90",
        "probability_of_loss",
        "expected_shortfall",
    ]
    assert "probability_above_spot" in result.table("host")["statistic"].tolist()
    assert set(result.summary["unit"]) == {"£/year", "share"}
    samples = result.samples()
    assert len(samples) == 2_000 and {"occupancy", "provider_surplus", "host_net_cost"} <= set(
        samples.columns
    )
    with pytest.raises(ParameterError, match="party = 'council' must be provider or host"):
        result.table("council")


def test_host_expected_shortfall_is_the_costliest_tenth():
    result = monte_carlo(Parameters(), draws=10_000, seed=3)
    costs = np.sort(result.values["host_net_cost"])[::-1]
    assert row(result, "host", "expected_shortfall")["partnership"] == pytest.approx(costs[:1_000].mean())
    surpluses = np.sort(result.values["provider_surplus"])
    assert row(result, "provider", "expected_shortfall")["partnership"] == pytest.approx(
        surpluses[:1_000].mean()
    )


def test_histogram_bins_are_shared_and_shares_sum_to_one():
    result = monte_carlo(Parameters(), draws=5_000)
    frame = result.histogram(["provider_surplus", "provider_spot_surplus"], bins=12)
    assert list(frame.columns) == [
        "bin",
        "bin_low",
        "bin_high",
        "bin_mid",
        "provider_surplus",
        "provider_spot_surplus",
    ]
    assert len(frame) == 12
    assert frame["provider_surplus"].sum() == pytest.approx(1)
    low = min(result.values["provider_surplus"].min(), result.values["provider_spot_surplus"].min())
    assert frame["bin_low"].iloc[0] == pytest.approx(low)
    counts, _ = np.histogram(
        result.values["provider_surplus"], bins=np.append(frame["bin_low"], frame["bin_high"].iloc[-1])
    )
    np.testing.assert_allclose(frame["provider_surplus"], counts / 5_000)
    single = histogram({"host_net_cost": np.full(4, 7.0)}, "host_net_cost", bins=2)
    assert single["bin_low"].tolist() == [6.5, 7.0]  # one value: a bin of ±0.5 around it, halved
    assert single["host_net_cost"].tolist() == [0.0, 1.0]
    with pytest.raises(ParameterError, match="bins = 0"):
        result.histogram("provider_surplus", bins=0)


def test_uncertainty_validation_names_every_problem():
    with pytest.raises(ParameterError) as caught:
        Uncertainty(
            occupancy_low=0.9, occupancy_high=0.7, local_use_most_likely=1.2, correlation=2, pert_lambda=-1
        )
    messages = dict(caught.value.problems)
    assert messages["occupancy_high"] == "occupancy_high = 0.7 is below occupancy_low = 0.9"
    assert messages["local_use_most_likely"] == "local_use_most_likely = 1.2 must be at most 1"
    assert messages["correlation"] == "correlation = 2 must be at most 1"
    assert messages["pert_lambda"] == "pert_lambda = -1 must be at least 0"
    with pytest.raises(ParameterError) as caught:
        Uncertainty(occupancy_most_likely=0.97)
    assert caught.value.problems == [
        (
            "occupancy_most_likely",
            "occupancy_most_likely = 0.97 must be between occupancy_low = 0.6 and occupancy_high = 0.95",
        )
    ]
    with pytest.raises(ParameterError, match="fixed_cost_growth_low = -1 must be more than -1"):
        Uncertainty(fixed_cost_growth_low=-1)


def test_uncertainty_from_spreadsheet_values():
    uncertainty = Uncertainty.from_mapping(
        {"occupancy_low": "70%", "occupancy_most_likely": 0.8, "history": [[0.8, "50%"], [None, None]]}
    )
    assert uncertainty.occupancy_low == pytest.approx(0.7)
    assert uncertainty.history == ((0.8, 0.5),)
    assert Uncertainty.from_mapping(uncertainty.to_mapping()) == uncertainty
    with pytest.raises(ParameterError) as caught:
        Uncertainty.from_mapping({"occupancy": 0.8, "history": [[1.5, 0.2, 3]], "correlation": "high"})
    messages = [message for _, message in caught.value.problems]
    assert "occupancy is not an uncertainty input" in messages
    assert "history row 1 has 3 values; give occupancy and local_use" in messages
    assert "correlation = 'high' is not a number" in messages
    with pytest.raises(ParameterError, match=r"history row 1 occupancy = 1.5 must be within \[0, 1\]"):
        Uncertainty(history=((1.5, 0.2),))


def test_draws_and_seed_are_checked():
    with pytest.raises(ParameterError) as caught:
        monte_carlo(Parameters(), draws=0, seed=-1)
    assert [name for name, _ in caught.value.problems] == ["draws", "seed"]
    assert point_outcome(0.8, 0.5).size == 1


finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(
    st.lists(st.tuples(finite, st.integers(1, 4)), min_size=1, max_size=30),
    st.sampled_from(
        ["mean", "std", "p10", "p50", "p90", "p33", "probability_of_loss", "expected_shortfall", "min"]
    ),
    st.sampled_from(["lowest", "highest"]),
)
def test_integer_weights_equal_repeating_outcomes(pairs, statistic, worst):
    # An outcome with weight k is the same as k equally weighted copies of it.
    values = np.array([v for v, _ in pairs])
    counts = np.array([k for _, k in pairs])
    weighted = summarise(values, counts.astype(float), statistic, worst)
    repeated = summarise(np.repeat(values, counts), None, statistic, worst)
    assert weighted == pytest.approx(repeated, rel=1e-9, abs=1e-6)


@given(st.lists(finite, min_size=1, max_size=50), st.integers(1, 99))
def test_quantile_is_numpy_inverted_cdf(values, percent):
    x = np.array(values)
    expected = np.quantile(x, percent / 100, method="inverted_cdf")
    assert summarise(x, None, f"p{percent}") == pytest.approx(expected)


def test_statistics_leave_out_undefined_outcomes():
    x = np.array([[1.0, np.nan, 3.0, -2.0], [np.nan] * 4])
    figures = describe(x, np.array([0.25, 0.25, 0.25, 0.25]))
    assert figures["mean"][0] == pytest.approx(2 / 3)  # (1 + 3 − 2)/3
    assert figures["probability_of_loss"][0] == pytest.approx(1 / 3)
    assert figures["p50"][0] == 1.0
    assert np.isnan(figures["mean"][1]) and np.isnan(figures["p90"][1])
    with pytest.raises(ParameterError, match="statistic = 'average' is not a statistic"):
        summarise(x, None, "average")
