"""Each contract's risk figures: golden values by hand, and agreement with the Risk sheet's engine.

``engine.risk.simulation.monte_carlo`` prices the partnership and spot through ``engine.compute``;
``contract_risk`` prices all four contracts through ``engine.contracts.model``. With the same
draws the partnership's and spot's figures must be the same numbers, which checks the
draws, the fixed-cost growth and the statistics of one path against the other.
"""

from __future__ import annotations

import pytest

from engine import (
    CONTRACT_RISK_FIGURES,
    ContractTerms,
    ParameterError,
    Parameters,
    Uncertainty,
    contract_risk,
    contract_risk_over_outcomes,
    make_outcomes,
    monte_carlo,
)

PARAMS = Parameters()


def _figure(table, measure: str, statistic: str, contract: str) -> float:
    row = table[(table["measure"] == measure) & (table["statistic"] == statistic)]
    return float(row[contract].iloc[0])


def test_two_outcomes_worked_by_hand():
    # a full home used only by the host, and an empty home, half the weight each
    outcomes = make_outcomes([1.0, 0.0], [1.0, 0.0], weights=[1, 1])
    table = contract_risk_over_outcomes(PARAMS, None, outcomes)
    # spot, full: host pays W·N·s = 52·4·6,500 = 1,352,000; empty: 0 → mean 676,000, P90 1,352,000
    assert _figure(table, "host_net_cost", "mean", "spot") == pytest.approx(676_000)
    assert _figure(table, "host_net_cost", "p90", "spot") == pytest.approx(1_352_000)
    # spot provider, full: 52·4·(5,600 − 300) − 775,000 = 327,400; empty: −775,000 → P(loss) ½
    assert _figure(table, "provider_surplus", "mean", "spot") == pytest.approx((327_400 - 775_000) / 2)
    assert _figure(table, "provider_surplus", "probability_of_loss", "spot") == pytest.approx(0.5)
    # open book: surplus = 8 % of cost (no outside income at either point): never a loss
    # full: cost = 775,000 + 52·4·300 = 837,400 → 66,992; empty: 62,000 → mean 64,496
    assert _figure(table, "provider_surplus", "mean", "open_book") == pytest.approx(64_496)
    assert _figure(table, "provider_surplus", "probability_of_loss", "open_book") == 0
    # block, empty: host pays 52·3·5,500 = 858,000 for nothing; full: 858,000 + 52·1·6,500 = 1,196,000
    assert _figure(table, "host_net_cost", "mean", "block") == pytest.approx((858_000 + 1_196_000) / 2)
    assert _figure(table, "host_net_cost", "p90", "block") == pytest.approx(1_196_000)


def test_fixed_cost_growth_reaches_every_contract():
    # every draw the same: a full home of local children, fixed cost 10 % above 775,000 = 852,500
    certain = Uncertainty(
        occupancy_low=1,
        occupancy_most_likely=1,
        occupancy_high=1,
        local_use_low=1,
        local_use_most_likely=1,
        local_use_high=1,
        fixed_cost_growth_low=0.1,
        fixed_cost_growth_most_likely=0.1,
        fixed_cost_growth_high=0.1,
    )
    table = contract_risk(PARAMS, None, certain, draws=1_000)
    # open book passes the cost on: (852,500 + 62,400)·1.08 = 988,092
    assert _figure(table, "host_net_cost", "mean", "open_book") == pytest.approx(988_092)
    # spot leaves it with the provider: host 1,352,000; provider 1,102,400 − 852,500 = 249,900
    assert _figure(table, "host_net_cost", "p90", "spot") == pytest.approx(1_352_000)
    assert _figure(table, "provider_surplus", "mean", "spot") == pytest.approx(249_900)


@pytest.mark.parametrize(
    "uncertainty",
    [
        Uncertainty(),
        Uncertainty(correlation=0.4, fixed_cost_growth_low=-0.05, fixed_cost_growth_high=0.15),
        Uncertainty(history=((0.9, 0.7), (0.6, 0.4), (1.0, 0.8))),
    ],
    ids=["defaults", "correlated-growth", "history"],
)
def test_partnership_and_spot_equal_the_risk_engine(uncertainty):
    params = Parameters(host_contribution=150_000, deficit_support=0.2)
    shortfalls = (("provider_surplus", "expected_shortfall"), ("host_net_cost", "expected_shortfall"))
    figures = (*CONTRACT_RISK_FIGURES, *shortfalls)
    ours = contract_risk(params, ContractTerms(block_places=2), uncertainty, 20_000, 7, figures)
    theirs = monte_carlo(params, uncertainty, draws=20_000, seed=7)
    provider, host = (
        theirs.table("provider").set_index("statistic"),
        theirs.table("host").set_index("statistic"),
    )
    for contract, column in (("partnership", "partnership"), ("spot", "spot")):
        assert _figure(ours, "provider_surplus", "mean", contract) == pytest.approx(
            provider.loc["mean", column]
        )
        assert _figure(ours, "provider_surplus", "probability_of_loss", contract) == pytest.approx(
            provider.loc["probability_of_loss", column]
        )
        assert _figure(ours, "host_net_cost", "mean", contract) == pytest.approx(host.loc["mean", column])
        assert _figure(ours, "host_net_cost", "p90", contract) == pytest.approx(host.loc["p90", column])
        # the worst 10 %: the lowest surpluses, the highest costs
        for measure, table in (("provider_surplus", provider), ("host_net_cost", host)):
            shortfall = _figure(ours, measure, "expected_shortfall", contract)
            assert shortfall == pytest.approx(table.loc["expected_shortfall", column])


def test_a_block_of_no_places_is_spot():
    table = contract_risk(PARAMS, ContractTerms(block_places=0), draws=5_000)
    assert table["block"].to_numpy() == pytest.approx(table["spot"].to_numpy())


def test_table_shape_and_labels():
    table = contract_risk(PARAMS, draws=2_000)
    assert list(table.columns) == [
        "measure",
        "statistic",
        "label",
        "unit",
        "spot",
        "block",
        "open_book",
        "partnership",
    ]
    assert [tuple(pair) for pair in table[["measure", "statistic"]].to_numpy()] == list(CONTRACT_RISK_FIGURES)
    assert list(table["unit"]) == ["£/year", "share", "£/year", "£/year"]
    other = contract_risk(PARAMS, figures=[("host_saving", "p10")], contracts=["open_book"], draws=2_000)
    assert list(other.columns) == ["measure", "statistic", "label", "unit", "open_book"]
    assert other["label"].iloc[0] == "P10 (1 year in 10 is lower): Host saving against spot"


def test_every_problem_at_once():
    with pytest.raises(ParameterError) as error:
        contract_risk(
            PARAMS,
            {"block_places": 5},
            figures=[("nonsense", "mean"), ("host_net_cost", "p900")],
            contracts=["barter"],
            draws=100,
        )
    names = [name for name, _ in error.value.problems]
    assert names == ["measure", "statistic", "block_places", "contract"]
    assert "block_places = 5 exceeds places = 4" in str(error.value)
