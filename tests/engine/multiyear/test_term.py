"""Multi-year terms (issue 8): the one-year model repeated, a golden three-year example worked
by hand, the fee-fixed property, uplift rules, validation, and the solved uplift rate."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import (
    COST_ASSUMPTIONS,
    MEASURE_NAMES,
    MONEY_MEASURES,
    TERM_PARAMETERS,
    UPLIFT_KINDS,
    ParameterError,
    Parameters,
    TermInputs,
    UpliftRule,
    cost_assumption,
    cost_assumptions_table,
    cost_index,
    cumulative_table,
    discount_factors,
    evaluate,
    fee_rule_variants,
    first_negative_year,
    first_negative_year_grids,
    index_from_rises,
    measure_by_rule,
    payoff_grid,
    price_paths,
    reasonable_return_gap,
    reasonable_return_uplift_grid,
    reasonable_return_uplift_rate,
    rule_comparison,
    rule_index,
    share_rate,
    term_grid,
    term_prices,
    term_summary,
    term_table,
    term_totals,
    year_parameters,
)
from tests.support.reference_model import reference_point
from tests.support.strategies import axis, parameters

FLAT = {
    "fixed_cost_inflation": 0.0,
    "variable_cost_inflation": 0.0,
    **{f"{rule}": "fixed" for rule in ("fee_uplift", "host_contribution_uplift", "compensation_uplift")},
    "spot_price_uplift": "fixed",
}


def _scale(p, index=1.0):
    return max(p.fixed_cost, p.host_contribution, p.places * p.weeks_per_year * 20_000, 1.0) * index


# --- nothing moves: each year is the one-year model, NPV at 0 % is years × one year ---------------

still_rules = st.sampled_from(
    [
        UpliftRule("fixed"),
        UpliftRule("index", rate=0.0),
        UpliftRule("cost_linked"),
        UpliftRule("capped", 0, 0, 0),
    ]
)


@given(parameters(), st.integers(1, 25), still_rules, still_rules, still_rules)
def test_nothing_moves_each_year_is_the_one_year_model(p, years, fee, host, comp):
    term = TermInputs(
        years=years,
        discount_rate=0.0,
        fixed_cost_inflation=0.0,
        variable_cost_inflation=0.0,
        fee_uplift=fee,
        host_contribution_uplift=host,
        compensation_uplift=comp,
        spot_price_uplift=fee,
    )
    result = term_grid(p, term)
    one_year = payoff_grid(p)
    for name in MEASURE_NAMES:
        expected = np.broadcast_to(one_year.values[name], result.values[name].shape)
        np.testing.assert_array_equal(result.values[name], expected, err_msg=name)
    for name in MONEY_MEASURES:
        np.testing.assert_allclose(
            result.npv(name), years * one_year.values[name], rtol=1e-12, atol=1e-9 * _scale(p), err_msg=name
        )


def test_nothing_moves_on_the_chosen_path_too():
    p = Parameters()
    term = TermInputs(years=7, discount_rate=0.0, occupancy=0.8, local_use=0.5, **FLAT)
    one = {name: float(v) for name, v in evaluate(p, 0.8, 0.5).items()}
    totals = term_totals(p, term)
    for name in MONEY_MEASURES:
        assert totals.loc[name, "npv"] == pytest.approx(7 * one[name], rel=1e-12, abs=1e-6)
        assert totals.loc[name, "total"] == pytest.approx(7 * one[name], rel=1e-12, abs=1e-6)
    table = term_table(p, term)
    assert (table["provider_surplus"] == one["provider_surplus"]).all()


def test_discounting_convention_year_one_is_not_discounted():
    # Nothing moves, d = 3.5 %: NPV = x·(1 + 1/1.035 + … + 1/1.035^9) = x·(1 − 1.035^−10)/(1 − 1/1.035)
    p = Parameters()
    term = TermInputs(years=10, discount_rate=0.035, occupancy=0.8, local_use=0.5, **FLAT)
    x = float(evaluate(p, 0.8, 0.5)["provider_surplus"])
    annuity = (1 - 1.035**-10) / (1 - 1 / 1.035)
    assert term_totals(p, term).loc["provider_surplus", "npv"] == pytest.approx(x * annuity, rel=1e-12)
    np.testing.assert_allclose(discount_factors(0.035, 3), [1, 1 / 1.035, 1 / 1.035**2])


# --- golden three-year example, worked by hand ---------------------------------------------------

GOLDEN = Parameters(
    places=2,
    weeks_per_year=50,
    fixed_cost=150_000,
    variable_cost=100,
    local_fee=2_000,
    outside_fee=2_000,
    spot_price=3_000,
    host_contribution=20_000,
    reserved_places=1,
    release_share=0,
    compensation_per_week=0,
    reasonable_return=0.1,
    share_tiers=((0.0, 0.5),),
    deficit_support=0.5,
)
GOLDEN_TERM = TermInputs(
    years=3,
    discount_rate=0.10,
    fixed_cost_inflation=0.10,
    variable_cost_inflation=0.10,
    occupancy=1.0,
    local_use=0.5,
    fee_uplift=UpliftRule("index", rate=0.05),
    host_contribution_uplift=UpliftRule("fixed"),
    compensation_uplift=UpliftRule("fixed"),
    spot_price_uplift=UpliftRule("cost_linked"),
)


def test_golden_three_years():
    # N=2, W=50, F=150,000, v=100, p_L=p_X=2,000, s=3,000, K=20,000, R=1, r=0, c=0, ρ=0.1,
    # σ=0.5 at every local use, δ=0.5. Costs +10 % a year, fees index-linked +5 % a year, K fixed,
    # spot price cost-linked: (F·1.1^(t−1) + W·N·v·1.1^(t−1))/(F + W·N·v) = 1.1^(t−1).
    # o=1, u=0.5: L = X = 1, 50 local and 50 outside weeks, nothing released (R=1 holds L=1).
    #                     year 1      year 2               year 3
    # fee p_L = p_X       2,000       2,100                2,205
    # fees W·(L+X)·p      200,000     210,000              220,500
    # revenue (+K)        220,000     230,000              240,500
    # cost F + W·2·v      150,000+10,000=160,000  165,000+11,000=176,000  181,500+12,100=193,600
    # S0                  60,000      54,000               46,900
    # threshold ρ·cost    16,000      17,600               19,360
    # profit share ½(S0−thr) 22,000   18,200               13,770
    # provider surplus    38,000      35,800               33,130
    # host net cost 50·p_L + K − share  98,000   106,800   116,480
    # host spot cost 50·s 150,000     165,000              181,500
    # provider spot W·2·(p_X − v) − F   40,000   34,000    26,900
    # NPV at 10 %, year 1 undiscounted: 38,000 + 35,800/1.1 + 33,130/1.21 = 97,925.619835
    #   spot: 40,000 + 34,000/1.1 + 26,900/1.21 = 93,140.495868
    #   host: 98,000 + 106,800/1.1 + 116,480/1.21 = 291,355.371901; spot 3 × 150,000 = 450,000
    table = term_table(GOLDEN, GOLDEN_TERM)
    np.testing.assert_allclose(table["local_fee"], [2_000, 2_100, 2_205])
    np.testing.assert_allclose(table["spot_price"], [3_000, 3_300, 3_630])
    np.testing.assert_allclose(table["host_contribution"], [20_000] * 3)
    np.testing.assert_allclose(table["provider_cost"], [160_000, 176_000, 193_600])
    np.testing.assert_allclose(table["surplus_before_sharing"], [60_000, 54_000, 46_900])
    np.testing.assert_allclose(table["profit_share"], [22_000, 18_200, 13_770])
    np.testing.assert_allclose(table["provider_surplus"], [38_000, 35_800, 33_130])
    np.testing.assert_allclose(
        table["provider_margin"], [38_000 / 220_000, 35_800 / 230_000, 33_130 / 240_500]
    )
    np.testing.assert_allclose(table["host_net_cost"], [98_000, 106_800, 116_480])
    np.testing.assert_allclose(table["host_spot_cost"], [150_000, 165_000, 181_500])
    np.testing.assert_allclose(table["provider_spot_surplus"], [40_000, 34_000, 26_900])
    totals = term_totals(GOLDEN, GOLDEN_TERM)
    assert totals.loc["provider_surplus", "total"] == pytest.approx(106_930)
    assert totals.loc["provider_surplus", "npv"] == pytest.approx(97_925.619835)
    assert totals.loc["provider_spot_surplus", "npv"] == pytest.approx(93_140.495868)
    assert totals.loc["provider_gain", "npv"] == pytest.approx(97_925.619835 - 93_140.495868)
    assert totals.loc["host_net_cost", "npv"] == pytest.approx(291_355.371901)
    assert totals.loc["host_spot_cost", "npv"] == pytest.approx(450_000)
    assert totals.loc["host_saving", "npv"] == pytest.approx(450_000 - 291_355.371901)
    summary = term_summary(GOLDEN, GOLDEN_TERM)
    assert math.isnan(summary["first_negative_year"])
    assert summary["npv_provider_surplus"] == pytest.approx(97_925.619835)


def test_cumulative_table_runs_to_the_totals():
    table = term_table(GOLDEN, GOLDEN_TERM)
    cumulative = cumulative_table(table)
    np.testing.assert_allclose(cumulative["provider_surplus"], [38_000, 73_800, 106_930])
    assert list(cumulative.columns) == list(MONEY_MEASURES)


# --- each year through an independent route --------------------------------------------------------


@given(
    parameters(), st.integers(1, 6), st.floats(-0.2, 0.3), st.floats(-0.2, 0.3), st.sampled_from(UPLIFT_KINDS)
)
def test_each_year_matches_the_scalar_reference_model(p, years, i_f, i_v, kind):
    term = TermInputs(
        years=years,
        fixed_cost_inflation=i_f,
        variable_cost_inflation=i_v,
        fee_uplift=UpliftRule(kind, rate=0.03),
        host_contribution_uplift="index",
        compensation_uplift="capped",
        occupancy=0.7,
        local_use=0.6,
    )
    table = term_table(p, term)
    for t, year_params in enumerate(year_parameters(p, term), start=1):
        ref = reference_point(year_params.to_mapping(), 0.7, 0.6)
        for name, value in ref.items():
            assert table.loc[t, name] == pytest.approx(
                value, rel=1e-9, abs=1e-6 * _scale(p, 2.0**years), nan_ok=True
            ), name


def test_year_result_is_the_grid_of_that_years_parameters():
    term = TermInputs(years=4)
    result = term_grid(Parameters(), term)
    year3 = result.year_result(3)
    expected = payoff_grid(year_parameters(Parameters(), term)[2])
    pd.testing.assert_frame_equal(year3.table("host_saving"), expected.table("host_saving"))
    pd.testing.assert_frame_equal(result.table("host_saving", 3), expected.table("host_saving"))
    assert year3.params.fixed_cost == pytest.approx(775_000 * 1.04**2)


# --- fees fixed, costs inflating: the provider's surplus never rises ---------------------------------

rises = st.floats(0, 0.3)


@given(
    parameters(),
    st.integers(2, 8).flatmap(
        lambda n: st.tuples(st.just(n), st.lists(rises, min_size=n - 1, max_size=n - 1))
    ),
    rises,
    st.sampled_from(["fixed", "cost_linked", "index"]),
    st.floats(0, 0.3),
)
def test_fees_fixed_costs_rising_surplus_never_rises(p, years_and_path, i_v, comp_kind, comp_rate):
    # What holds exactly: with fees and host contribution fixed, costs and the compensation rate
    # not falling, S0 never rises; surplus = S0 in [0, ρC], (1−δ)·S0 below 0 and
    # (1−σ)·S0 + σ·ρ·C above ρC. S0 falls by at least the cost rise ΔC, so above the threshold the
    # surplus changes by −(1−σ)ΔC + σρΔC ≤ 0 exactly when σ(u)·(1 + ρ) ≤ 1. Where σ(u)·(1 + ρ) > 1
    # a rising threshold can lift the surplus (next test), so only those cells are checked.
    years, path = years_and_path
    term = TermInputs(
        years=years,
        fixed_cost_inflation=tuple(path),
        variable_cost_inflation=i_v,
        fee_uplift="fixed",
        host_contribution_uplift="fixed",
        compensation_uplift=UpliftRule(comp_kind, rate=comp_rate),
    )
    result = term_grid(p, term)
    surplus = result.values["provider_surplus"]
    sigma = share_rate(p.share_tiers, result.local_use)
    holds = sigma * (1 + p.reasonable_return) <= 1
    rise = np.diff(surplus, axis=0)[:, :, holds]
    assert np.all(rise <= 1e-9 * _scale(p, 1.3 ** (years - 1)))


def test_surplus_can_rise_when_the_host_takes_nearly_all_the_surplus():
    # σ = 1, ρ = 0.1: above the threshold the provider keeps exactly ρ·cost, so a cost rise lifts it.
    # N=1, W=50, F=100,000, v=0, p=4,000, o=u=1: fees 200,000 (fixed).
    # year 1: cost 100,000, S0 100,000 > 10,000 → surplus 10,000; year 2 (+10 %): cost 110,000 → 11,000
    p = Parameters(
        places=1,
        weeks_per_year=50,
        fixed_cost=100_000,
        variable_cost=0,
        local_fee=4_000,
        outside_fee=4_000,
        host_contribution=0,
        reserved_places=0,
        compensation_per_week=0,
        reasonable_return=0.1,
        share_tiers=((0.0, 1.0),),
    )
    term = TermInputs(years=2, fixed_cost_inflation=0.1, occupancy=1, local_use=1, fee_uplift="fixed")
    np.testing.assert_allclose(term_table(p, term)["provider_surplus"], [10_000, 11_000])


# --- uplift rules ----------------------------------------------------------------------------------


def test_capped_clamps_each_years_rise_not_the_cumulative():
    # rises 5 %, 0 %, 2 % with floor 1 % and cap 3 % → 3 %, 1 %, 2 %: 1, 1.03, 1.0403, 1.061106
    rule = UpliftRule("capped", rate=(0.05, 0.0, 0.02), cap=0.03, floor=0.01)
    np.testing.assert_allclose(rule_index(rule, 4, np.ones(4)), [1, 1.03, 1.0403, 1.061106])
    np.testing.assert_allclose(rule_index(UpliftRule("index", 0.05), 3, np.ones(3)), [1, 1.05, 1.1025])
    np.testing.assert_allclose(rule_index(UpliftRule("fixed", 0.05), 3, np.ones(3)), [1, 1, 1])
    np.testing.assert_allclose(index_from_rises(np.array([0.1, -0.1])), [1, 1.1, 0.99])


def test_cost_linked_follows_the_full_occupancy_cost_mix():
    # F = 775,000, W·N·v = 52·4·300 = 62,400; fixed +4 %, variable +2.5 %:
    # year 2 index = (775,000·1.04 + 62,400·1.025)/837,400 = (806,000 + 63,960)/837,400 = 1.038882…
    term = TermInputs(years=2, fee_uplift="cost_linked")
    paths = price_paths(Parameters(), term)
    assert paths["local_fee"][1] == pytest.approx(5_000 * 869_960 / 837_400)
    assert paths["outside_fee"][1] == pytest.approx(5_600 * 869_960 / 837_400)
    np.testing.assert_allclose(cost_index(0.0, 0.0, np.array([1, 1.1]), np.array([1, 1.5])), [1, 1.1])


def test_rule_comparison_agrees_with_each_variant_alone():
    p, term = Parameters(), TermInputs(years=12, fixed_cost_inflation=0.06)
    comparison = rule_comparison(p, term)
    margins = measure_by_rule(p, term)
    grids = first_negative_year_grids(p, term)
    assert list(comparison.index) == list(UPLIFT_KINDS) == list(margins.columns)
    for kind, variant in fee_rule_variants(term).items():
        assert variant.fee_uplift.kind == kind
        table = term_table(p, variant)
        np.testing.assert_allclose(margins[kind], table["provider_margin"])
        surplus = table["provider_surplus"].to_numpy()
        negative = np.flatnonzero(surplus < 0)
        expected = negative[0] + 1 if negative.size else np.nan
        np.testing.assert_equal(comparison.loc[kind, "first_negative_year"], expected)
        assert comparison.loc[kind, "npv_provider_surplus"] == pytest.approx(
            term_totals(p, variant).loc["provider_surplus", "npv"]
        )
        grid_first = first_negative_year(term_grid(p, variant).values["provider_surplus"])
        np.testing.assert_array_equal(grids[kind].to_numpy(), grid_first)
    # fixed fees against 6 % cost inflation: the provider goes negative within the term, and
    # before the index rule does (with the example's margin the index rule may never go negative)
    fixed, index = (
        comparison.loc["fixed", "first_negative_year"],
        comparison.loc["index", "first_negative_year"],
    )
    assert 1 <= fixed <= 12
    assert np.isnan(index) or fixed < index


def test_first_negative_year():
    surplus = np.array([[5.0, -1.0, 2.0], [3.0, 1.0, 2.0], [-1.0, 1.0, 2.0], [2.0, -1.0, 2.0]])
    np.testing.assert_array_equal(first_negative_year(surplus), [3, 1, np.nan])
    np.testing.assert_array_equal(first_negative_year(np.array([0.0, -1e-9])), np.nan)  # rounding


# --- the uplift rate that gives the reasonable return ------------------------------------------------


def _solver_case(years):
    # the golden home with one place, no variable cost, no contribution, no reserved places, no
    # sharing and no deficit support (50 weeks, fees £2,000, reasonable return 10 % as there)
    home = GOLDEN.replace(
        places=1, fixed_cost=100_000, variable_cost=0, spot_price=6_500, host_contribution=0,
        reserved_places=0, share_tiers=((0.0, 0.0),), deficit_support=0.0,
    )  # fmt: skip
    return home, TermInputs(
        years=years, discount_rate=0.0, fixed_cost_inflation=0.1, occupancy=1, local_use=1
    )


def test_solved_rate_against_closed_forms():
    # Fees 100,000 in year 1 (50 weeks × 2,000), F = 100,000 +10 % a year, no sharing, ρ = 0.1, d = 0.
    # 2 years: 100,000·(1 + (1+x)) = 1.1·(100,000 + 110,000) → x = 2.31 − 2 = 0.31
    p, term = _solver_case(2)
    assert reasonable_return_uplift_rate(p, term) == pytest.approx(0.31, abs=1e-10)
    # 3 years: (1+x)² + (1+x) + 1 = 1.1·3.31 = 3.641 → 1+x = (−1 + √(1 + 4·2.641))/2
    p, term = _solver_case(3)
    expected = (-1 + math.sqrt(1 + 4 * 2.641)) / 2 - 1
    assert reasonable_return_uplift_rate(p, term) == pytest.approx(expected, abs=1e-10)


def test_solved_rate_really_gives_the_reasonable_return():
    p, term = (
        Parameters(),
        TermInputs(years=10, fixed_cost_inflation=(0.06, 0.05, 0.04, 0.04, 0.03, 0.03, 0, 0, 0)),
    )
    rate = reasonable_return_uplift_rate(p, term)
    solved = dataclasses.replace(term, fee_uplift=UpliftRule("index", rate=rate))
    npvs = term_totals(p, solved)["npv"]
    assert npvs["provider_surplus"] == pytest.approx(0.08 * npvs["provider_cost"], rel=1e-9)
    assert term_summary(p, solved)["term_provider_return"] == pytest.approx(0.08, abs=1e-10)
    below = dataclasses.replace(term, fee_uplift=UpliftRule("index", rate=rate - 1e-4))
    npvs = term_totals(p, below)["npv"]
    assert npvs["provider_surplus"] < 0.08 * npvs["provider_cost"]


@pytest.mark.slow
@given(parameters(), st.integers(1, 8), st.floats(0, 0.15), axis, axis, st.floats(0, 0.1))
def test_solved_grid_rate_closes_the_gap(p, years, inflation, o, u, discount):
    term = TermInputs(years=years, fixed_cost_inflation=inflation, discount_rate=discount)
    rate = reasonable_return_uplift_grid(p, term, [o], [u]).iloc[0, 0]
    if math.isnan(rate):
        return
    gap = reasonable_return_gap(p, term, np.array(rate), o, u, grid_dims=0)
    assert abs(float(gap)) <= 1e-6 * _scale(p, 2.0**years) * years


def test_solver_grid_matches_the_path_solve_cell_by_cell():
    p, term = Parameters(), TermInputs(years=8)
    grid = reasonable_return_uplift_grid(p, term, [0.6, 0.9, 1.0], [0.25, 0.75])
    for o in grid.index:
        for u in grid.columns:
            one = reasonable_return_uplift_rate(p, term.replace(occupancy=o, local_use=u))
            assert grid.loc[o, u] == pytest.approx(one, abs=1e-10)
    # occupancy 0: no fees to uplift, the rate decides nothing
    assert reasonable_return_uplift_grid(p, term, [0.0], [0.5]).isna().all().all()


# --- grids and tables -------------------------------------------------------------------------------


def test_grid_tables_are_indexed_like_the_one_year_grid():
    result = term_grid(Parameters(), TermInputs(years=3))
    like = payoff_grid(Parameters()).table("provider_surplus")
    npv_table = result.npv_table("provider_surplus")
    pd.testing.assert_index_equal(npv_table.index, like.index)
    pd.testing.assert_index_equal(npv_table.columns, like.columns)
    np.testing.assert_allclose(
        npv_table.to_numpy(),
        (result.values["provider_surplus"] * discount_factors(0.035, 3)[:, None, None]).sum(0),
    )
    np.testing.assert_allclose(
        result.total_table("host_saving").to_numpy(), result.values["host_saving"].sum(0)
    )
    frame = result.to_frame()
    assert len(frame) == 3 * 21 * 21 and list(frame.columns[:3]) == ["year", "occupancy", "local_use"]
    with pytest.raises(ParameterError, match="year = 4 must be a whole number from 1 to 3"):
        result.table("provider_surplus", 4)
    with pytest.raises(ParameterError, match="'provider_margin' is not money"):
        result.npv("provider_margin")


def test_term_table_columns_are_stable():
    table = term_table(Parameters(), TermInputs(years=2))
    prices = ["fixed_cost", "variable_cost", "local_fee", "outside_fee", "host_contribution"]
    prices += ["compensation_per_week", "spot_price"]
    assert list(table.columns) == ["occupancy", "local_use", *prices, "discount_factor", *MEASURE_NAMES]
    assert table.index.name == "year" and list(table.index) == [1, 2]
    assert list(term_prices(Parameters(), TermInputs(years=2)).columns) == [*prices, "discount_factor"]


def test_per_year_occupancy_path():
    term = TermInputs(years=3, occupancy=(0.5, 0.75, 1.0), local_use=(1, 0.5, 0), **FLAT)
    table = term_table(Parameters(), term)
    for t, (o, u) in enumerate([(0.5, 1), (0.75, 0.5), (1.0, 0)], start=1):
        assert table.loc[t, "provider_surplus"] == pytest.approx(
            float(evaluate(Parameters(), o, u)["provider_surplus"])
        )


# --- inputs and validation --------------------------------------------------------------------------

TERM_VIOLATIONS = [
    ({"years": 0}, "years", "years = 0 must be at least 1"),
    ({"years": 26}, "years", "years = 26 must be at most 25"),
    ({"years": 2.5}, "years", "years = 2.5 must be a whole number"),
    ({"discount_rate": -0.01}, "discount_rate", "discount_rate = -0.01 must be at least 0"),
    ({"discount_rate": "abc"}, "discount_rate", "discount_rate = 'abc' is not a number"),
    (
        {"cost_assumption": "gloomy"},
        "cost_assumption",
        "cost_assumption = 'gloomy' must be one of none, cpi_target",
    ),
    ({"cost_assumption": 3}, "cost_assumption", "cost_assumption = 3 is not text"),
    (
        {"fixed_cost_inflation": -0.6},
        "fixed_cost_inflation",
        "fixed_cost_inflation = -0.6 must be at least -0.5",
    ),
    ({"variable_cost_inflation": None}, "variable_cost_inflation", "variable_cost_inflation is missing"),
    (
        {"years": 3, "fixed_cost_inflation": [0.03, 2]},
        "fixed_cost_inflation",
        "fixed_cost_inflation year 3 = 2 must be at most 1",
    ),
    (
        {"years": 3, "fixed_cost_inflation": [0.03, "x"]},
        "fixed_cost_inflation",
        "fixed_cost_inflation year 3 = 'x' is not a number",
    ),
    (
        {"years": 4, "fixed_cost_inflation": [0.03, 0.04]},
        "fixed_cost_inflation",
        "fixed_cost_inflation has 2 values for a 4-year term; give one value, or one per anniversary "
        "(3: the rises into years 2 to 4)",
    ),
    ({"occupancy": 1.2}, "occupancy", "occupancy = 1.2 must be at most 1"),
    ({"years": 2, "occupancy": [0.5, -0.1]}, "occupancy", "occupancy year 2 = -0.1 must be at least 0"),
    (
        {"years": 2, "local_use": [0.5, 0.5, 0.5]},
        "local_use",
        "local_use has 3 values for a 2-year term; give one value, or one per year (2)",
    ),
    (
        {"fee_uplift": "indx"},
        "fee_uplift",
        "fee_uplift = 'indx' must be one of fixed, index, cost_linked, capped",
    ),
    ({"fee_uplift_rate": 1.5}, "fee_uplift_rate", "fee_uplift_rate = 1.5 must be at most 1"),
    (
        {"years": 2, "host_contribution_uplift_rate": [0.02, 0.03]},
        "host_contribution_uplift_rate",
        "host_contribution_uplift_rate has 2 values for a 2-year term; give one value, or one per "
        "anniversary (1: the rise into year 2)",
    ),
    (
        {"compensation_uplift_cap": 0.01, "compensation_uplift_floor": 0.02},
        "compensation_uplift_floor",
        "compensation_uplift_floor = 0.02 is above compensation_uplift_cap = 0.01",
    ),
    ({"spot_price_uplift_cap": 5}, "spot_price_uplift_cap", "spot_price_uplift_cap = 5 must be at most 1"),
    ({"spot_price_uplift_floor": True}, "spot_price_uplift_floor", "is a TRUE/FALSE value, not a number"),
    ({"term_years": 10}, "term_years", "term_years is not a term input"),
]


@pytest.mark.parametrize(("mapping", "name", "message"), TERM_VIOLATIONS)
def test_each_term_rule_is_enforced(mapping, name, message):
    with pytest.raises(ParameterError) as caught:
        TermInputs.from_mapping(mapping)
    assert any(n == name and message in m for n, m in caught.value.problems), caught.value.problems


def test_every_term_input_has_a_violation_listed():
    listed = {name for _, name, _ in TERM_VIOLATIONS}
    rule_parts = {spec.name.rsplit("_", 1)[-1] for spec in TERM_PARAMETERS if "uplift_" in spec.name}
    assert rule_parts == {"rate", "cap", "floor"}
    plain = {spec.name for spec in TERM_PARAMETERS if "uplift" not in spec.name}
    assert plain <= listed


def test_all_term_problems_at_once():
    bad = {"years": 40, "discount_rate": -1, "fee_uplift": "sometimes", "occupancy": "full", "typo": 1}
    with pytest.raises(ParameterError) as caught:
        TermInputs.from_mapping(bad)
    assert [n for n, _ in caught.value.problems] == [
        "typo",
        "occupancy",
        "fee_uplift",
        "years",
        "discount_rate",
    ]


def test_direct_construction_validates():
    with pytest.raises(ParameterError) as caught:
        TermInputs(years=3, occupancy=[0.5, 0.6], fee_uplift="never")
    assert caught.value.problems == [
        ("occupancy", "occupancy has 2 values for a 3-year term; give one value, or one per year (3)"),
        ("fee_uplift", "fee_uplift = 'never' must be one of fixed, index, cost_linked, capped"),
    ]
    with pytest.raises(ParameterError, match=r"uplift_floor = 0\.05 is above uplift_cap = 0\.04"):
        UpliftRule("capped", floor=0.05)
    with pytest.raises(ParameterError, match="fee_uplift_rate has 3 values for a 3-year term"):
        TermInputs(years=3, fee_uplift=UpliftRule("index", rate=(0.1, 0.2, 0.3)))


def test_spreadsheet_style_term_inputs():
    term = TermInputs.from_mapping(
        {
            "years": "4",
            "discount_rate": "3.5%",
            "fixed_cost_inflation": [None, "5%", "4%", "3%"],  # year 1 blank: no rise into year 1
            "occupancy": pd.Series([0.8, 0.9, 1.0, 1.0, None]),  # a blank row at the foot
            "fee_uplift": "Cost-linked",
            "host_contribution_uplift": " INDEX ",
            "host_contribution_uplift_rate": "2.5%",
            "cost_assumption": "high_pay_pressure",
        }
    )
    assert term.years == 4 and term.discount_rate == pytest.approx(0.035)
    assert term.fixed_cost_inflation == (0.05, 0.04, 0.03)
    assert term.variable_cost_inflation == cost_assumption("high_pay_pressure").variable_cost_inflation
    assert term.occupancy == (0.8, 0.9, 1.0, 1.0)
    assert term.fee_uplift.kind == "cost_linked" and term.host_contribution_uplift == UpliftRule(
        "index", 0.025
    )
    assert TermInputs.from_mapping(term.to_mapping()) == term
    assert term.replace(years=4, discount_rate=0).discount_rate == 0


def test_defaults_and_assumption_table():
    term = TermInputs()
    assert term.years == 10 and term.discount_rate == 0.035
    assert (term.fixed_cost_inflation, term.variable_cost_inflation) == (0.04, 0.025)
    assert TermInputs.from_mapping({}) == term
    table = cost_assumptions_table()
    assert list(table.index) == [row.name for row in COST_ASSUMPTIONS]
    assert table.loc["none", "fixed_cost_inflation"] == 0
    assert {spec.name: spec.default for spec in TERM_PARAMETERS}["fee_uplift"] == "cost_linked"
    with pytest.raises(ParameterError, match="cost_assumption = 'x' must be one of"):
        cost_assumption("x")
