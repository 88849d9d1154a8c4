"""Contracts compared (issue 7): golden values by hand, identities, validation, comparison tables.

Defaults (the example): N=4, W=52, F=775,000, v=300, p_L=5,000, p_X=5,600, s=6,500, K=200,000, R=3, r=0.25,
c=250, ρ=0.08, tiers (0, .25), (.5, .40), (.75, .60), δ=0; contract terms B=3, b=5,500, m=0.08,
k=0.10. Block payment W·B·b = 52·3·5,500 = 858,000 at every point.

Three points, worked by hand:
P1 o=0.5, u=0.25: L=0.5, X=1.5; local weeks 26, outside weeks 78, occupied weeks 104
    cost = 775,000 + 104·300 = 806,200; outside income = 78·5,600 = 436,800
    spot cost = 26·6,500 = 169,000; spot surplus = 104·5,600 − 806,200 = −223,800
P2 o=0.75, u=0.5: L=1.5, X=1.5; local weeks 78, outside weeks 78, occupied weeks 156
    cost = 775,000 + 156·300 = 821,800; outside income = 436,800
    spot cost = 78·6,500 = 507,000; spot surplus = 156·5,600 − 821,800 = 51,800
P3 o=1, u=1: L=4, X=0; local weeks 208, outside weeks 0
    cost = 775,000 + 208·300 = 837,400; outside income = 0
    spot cost = 208·6,500 = 1,352,000; spot surplus = 208·5,600 − 837,400 = 327,400
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import (
    COMPARE_COLUMNS,
    COMPARISON_MEASURES,
    CONTRACT_NAMES,
    CONTRACT_TERMS,
    MEASURE_NAMES,
    ContractTerms,
    ParameterError,
    Parameters,
    best_contract,
    best_counts,
    best_for_host,
    best_for_provider,
    compare_contracts,
    compute_contracts,
    contract_table,
    evaluate,
    evaluate_contract,
    evaluate_contracts,
)
from engine import terms as parameter_terms
from tests.support.strategies import axis, money_week, parameters, share

DEFAULT = Parameters()
TERMS = ContractTerms()
POINTS = {"P1": (0.5, 0.25), "P2": (0.75, 0.5), "P3": (1.0, 1.0)}

GOLDEN = {
    # Spot: host pays s per local week; the provider gets p_X for it, the premium 900/week leaves.
    # P1: host 169,000; payments 26·5,600 = 145,600; premium 26·900 = 23,400; revenue 104·5,600 = 582,400
    # P2: host 507,000; payments 78·5,600 = 436,800; premium 78·900 = 70,200; revenue 873,600
    # P3: host 1,352,000; payments 208·5,600 = 1,164,800; premium 187,200; revenue 1,164,800
    ("spot", "P1"): dict(
        host_net_cost=169_000,
        host_payments=145_600,
        spot_premium=23_400,
        provider_revenue=582_400,
        provider_surplus=-223_800,
        host_cost_per_local_week=6_500,
        host_saving=0,
        provider_margin=-223_800 / 582_400,
        provider_gain=0,
    ),
    ("spot", "P2"): dict(
        host_net_cost=507_000,
        host_payments=436_800,
        spot_premium=70_200,
        provider_revenue=873_600,
        provider_surplus=51_800,
        host_cost_per_local_week=6_500,
        host_saving=0,
    ),
    ("spot", "P3"): dict(
        host_net_cost=1_352_000,
        host_payments=1_164_800,
        spot_premium=187_200,
        provider_revenue=1_164_800,
        provider_surplus=327_400,
        provider_margin=327_400 / 1_164_800,
    ),
    # Block, P1: L_block = min(0.5, 3) = 0.5, L_spot = 0; X_rel = max(1.5 − (4 − 3 − 0), 0) = 0.5
    #   release credit = 0.25·5,600·52·0.5 = 36,400; host = 858,000 − 36,400 = 821,600 (= payments)
    #   per local week 821,600/26 = 31,600; saving 169,000 − 821,600 = −652,600
    #   revenue = 858,000 + 436,800 = 1,294,800; surplus = 1,294,800 − 806,200 − 36,400 = 452,200
    ("block", "P1"): dict(
        released_weeks=26,
        release_credit=36_400,
        block_payment=858_000,
        spot_weeks=0,
        host_net_cost=821_600,
        host_payments=821_600,
        spot_premium=0,
        host_cost_per_local_week=31_600,
        host_saving=-652_600,
        provider_revenue=1_294_800,
        provider_surplus=452_200,
        provider_margin=452_200 / 1_294_800,
        provider_gain=452_200 + 223_800,
    ),
    # Block, P2: L_block = 1.5, L_spot = 0; X_rel = max(1.5 − 1, 0) = 0.5 → credit 36,400
    #   host = 821,600; per week 821,600/78; saving 507,000 − 821,600 = −314,600
    #   surplus = 858,000 + 436,800 − 821,800 − 36,400 = 436,600
    ("block", "P2"): dict(
        release_credit=36_400,
        host_net_cost=821_600,
        host_cost_per_local_week=821_600 / 78,
        host_saving=-314_600,
        provider_surplus=436_600,
    ),
    # Block, P3: L_block = 3, L_spot = 1 → spot weeks 52; X_rel = max(0 − (4 − 3 − 1), 0) = 0
    #   host = 858,000 + 52·6,500 = 1,196,000; payments 858,000 + 52·5,600 = 1,149,200; premium 46,800
    #   per week 1,196,000/208 = 5,750; saving 1,352,000 − 1,196,000 = 156,000
    #   revenue = 858,000 + 52·5,600 = 1,149,200; surplus = 1,149,200 − 837,400 = 311,800
    ("block", "P3"): dict(
        spot_places=1,
        spot_weeks=52,
        release_credit=0,
        host_net_cost=1_196_000,
        host_payments=1_149_200,
        spot_premium=46_800,
        host_cost_per_local_week=5_750,
        host_saving=156_000,
        provider_revenue=1_149_200,
        provider_surplus=311_800,
    ),
    # Open book, P1: cost-plus fee 806,200·1.08 = 870,696; offset 0.9·436,800 = 393,120
    #   host = 477,576; per week 477,576/26; saving 169,000 − 477,576 = −308,576
    #   surplus = 0.08·806,200 + 0.1·436,800 = 64,496 + 43,680 = 108,176; revenue 870,696 + 436,800
    ("open_book", "P1"): dict(
        cost_plus_fee=870_696,
        outside_offset=393_120,
        retained_outside_income=43_680,
        host_net_cost=477_576,
        host_payments=477_576,
        spot_premium=0,
        host_cost_per_local_week=477_576 / 26,
        host_saving=-308_576,
        provider_revenue=1_307_496,
        provider_surplus=108_176,
        provider_margin=108_176 / 1_307_496,
    ),
    # Open book, P2: fee 821,800·1.08 = 887,544; offset 393,120; host 494,424
    #   surplus = 65,744 + 43,680 = 109,424; saving 507,000 − 494,424 = 12,576
    ("open_book", "P2"): dict(
        host_net_cost=494_424,
        host_saving=12_576,
        provider_surplus=109_424,
    ),
    # Open book, P3: fee 837,400·1.08 = 904,392, no outside income to offset
    #   surplus = 0.08·837,400 = 66,992; saving 1,352,000 − 904,392 = 447,608
    ("open_book", "P3"): dict(
        host_net_cost=904_392,
        host_cost_per_local_week=904_392 / 208,
        host_saving=447_608,
        provider_revenue=904_392,
        provider_surplus=66_992,
    ),
    # Partnership, P1: L_unres = 0; X_rel = 0.5 → 26 released weeks
    #   fees = 26·5,000 + 436,800 = 566,800; revenue 766,800; compensation 250·78 = 19,500
    #   release credit 36,400; S0 = 766,800 − 806,200 − 19,500 − 36,400 = −95,300 (no share)
    #   host = 130,000 + 200,000 − 19,500 − 36,400 = 274,100; saving 169,000 − 274,100 = −105,100
    ("partnership", "P1"): dict(
        host_net_cost=274_100,
        host_payments=274_100,
        spot_premium=0,
        host_saving=-105_100,
        provider_revenue=766_800,
        provider_surplus=-95_300,
        provider_margin=-95_300 / 766_800,
    ),
    # Partnership, P2: X_rel = 0.5; fees 390,000 + 436,800 = 826,800; revenue 1,026,800
    #   S0 = 1,026,800 − 821,800 − 19,500 − 36,400 = 149,100; threshold 0.08·821,800 = 65,744
    #   σ(0.5) = 0.40: share 0.40·83,356 = 33,342.4; surplus 115,757.6
    #   host = 390,000 + 200,000 − 55,900 − 33,342.4 = 500,757.6; saving 507,000 − 500,757.6
    ("partnership", "P2"): dict(
        host_net_cost=500_757.6,
        host_saving=6_242.4,
        provider_surplus=115_757.6,
    ),
    # Partnership, P3: fees 208·5,000 = 1,040,000; revenue 1,240,000; S0 = 1,240,000 − 837,400
    #   = 402,600; threshold 0.08·837,400 = 66,992; σ(1) = 0.6; share = 0.6·335,608 = 201,364.8
    #   surplus 201,235.2; host = 1,040,000 + 200,000 − 201,364.8 = 1,038,635.2
    ("partnership", "P3"): dict(
        host_net_cost=1_038_635.2,
        host_cost_per_local_week=1_038_635.2 / 208,
        host_saving=313_364.8,
        provider_surplus=201_235.2,
        provider_gain=201_235.2 - 327_400,
    ),
}

# Common to every contract at each point (see the module docstring).
COMMON = {
    "P1": dict(provider_cost=806_200, outside_income=436_800, host_spot_cost=169_000, local_weeks=26),
    "P2": dict(provider_cost=821_800, outside_income=436_800, host_spot_cost=507_000, local_weeks=78),
    "P3": dict(provider_cost=837_400, outside_income=0, host_spot_cost=1_352_000, outside_weeks=0),
}


@pytest.mark.parametrize(("contract", "point"), list(GOLDEN))
def test_golden_values(contract, point):
    o, u = POINTS[point]
    flows = evaluate_contract(contract, DEFAULT, TERMS, o, u)
    expected = {**COMMON[point], "provider_spot_surplus": GOLDEN["spot", point]["provider_surplus"]}
    expected.update(GOLDEN[contract, point])
    for name, value in expected.items():
        assert float(flows[name]) == pytest.approx(value, abs=1e-6), name


def test_every_contract_has_every_comparison_measure():
    for name, flows in evaluate_contracts(DEFAULT, TERMS, 0.5, 0.5).items():
        assert set(COMPARISON_MEASURES) <= set(flows), name


def test_cost_per_local_week_is_nan_without_local_use():
    # u = 0: no local weeks, so no cost per local week; the host's net cost still counts.
    flows = evaluate_contracts(DEFAULT, TERMS, 0.5, 0.0)
    for name, values in flows.items():
        assert math.isnan(float(values["host_cost_per_local_week"])), name
    assert float(flows["spot"]["host_net_cost"]) == 0
    assert float(flows["block"]["host_net_cost"]) > 0  # the block is paid for, used or not


# ---- identities over random valid inputs ---------------------------------------------------

points = st.lists(st.tuples(axis, axis), min_size=1, max_size=20)


@st.composite
def contract_terms(draw, places, **fixed):
    values = {
        "block_places": draw(st.floats(0, places)),
        "block_fee": draw(money_week),
        "cost_plus_margin": draw(share),
        "provider_outside_retention": draw(share),
    }
    values.update(fixed)
    return ContractTerms(**values)


@st.composite
def cases(draw, **fixed_terms):
    p = draw(parameters())
    return p, draw(contract_terms(p.places, **fixed_terms)), np.array(draw(points)).T


def _scale(p, k=TERMS):
    weeks = p.places * p.weeks_per_year
    return max(p.fixed_cost, p.host_contribution, weeks * 20_000, weeks * k.block_fee, 1.0)


def _close(actual, expected, p, k=TERMS):
    np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-9 * _scale(p, k))


@given(cases())
def test_money_balances_for_every_contract(case):
    p, k, (o, u) = case
    for name, m in evaluate_contracts(p, k, o, u).items():
        # provider's view (revenue − cost − credits) against the host's payments plus outside fees
        _close(m["provider_surplus"], m["host_payments"] + m["outside_income"] - m["provider_cost"], p, k)
        _close(m["host_net_cost"], m["host_payments"] + m["spot_premium"], p, k)
        _close(m["host_saving"], m["host_spot_cost"] - m["host_net_cost"], p, k)
        _close(m["outside_income"], m["outside_weeks"] * p.outside_fee, p, k)
        assert np.all(m["spot_premium"] >= 0) or p.spot_price < p.outside_fee, name


@given(cases())
def test_open_book_surplus_is_margin_on_cost_plus_retained_outside_income(case):
    p, k, (o, u) = case
    m = evaluate_contract("open_book", p, k, o, u)
    margin_on_cost = (
        m["host_payments"] + m["outside_income"] - m["provider_cost"] - m["retained_outside_income"]
    )
    _close(margin_on_cost, k.cost_plus_margin * m["provider_cost"], p, k)


@given(cases(provider_outside_retention=0.0))
def test_open_book_surplus_is_margin_times_cost_whatever_the_occupancy_when_nothing_retained(case):
    p, k, (o, u) = case
    m = evaluate_contract("open_book", p, k, o, u)
    _close(m["provider_surplus"], k.cost_plus_margin * m["provider_cost"], p, k)
    _close(
        m["host_payments"] + m["outside_income"] - m["provider_cost"],
        k.cost_plus_margin * m["provider_cost"],
        p,
        k,
    )


def test_open_book_retention_breaks_margin_times_cost_only_through_outside_income():
    # P1 with k = 0.1: surplus 108,176 = 0.08·806,200 + 0.1·436,800; at P3 (no outside) exactly m·cost.
    m = evaluate_contract("open_book", DEFAULT, TERMS, [0.5, 1.0], [0.25, 1.0])
    assert m["provider_surplus"][0] != pytest.approx(0.08 * 806_200)
    assert m["provider_surplus"][1] == pytest.approx(0.08 * 837_400)


@given(cases(block_places=0.0))
def test_block_of_no_places_is_spot(case):
    p, k, (o, u) = case
    flows = evaluate_contracts(p, k, o, u, ["spot", "block"])
    for name in COMPARISON_MEASURES:
        a, b = flows["block"][name], flows["spot"][name]
        if name in ("host_cost_per_local_week", "provider_margin"):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-6, equal_nan=True)
        else:
            _close(a, b, p, k)


@given(cases())
def test_partnership_is_engine_evaluate(case):
    p, k, (o, u) = case
    expected, got = evaluate(p, o, u), evaluate_contract("partnership", p, k, o, u)
    for name in MEASURE_NAMES:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)


@given(cases())
def test_spot_is_the_model_md_baseline(case):
    p, k, (o, u) = case
    model, m = evaluate(p, o, u), evaluate_contract("spot", p, k, o, u)
    np.testing.assert_array_equal(m["host_net_cost"], model["host_spot_cost"])
    np.testing.assert_array_equal(m["provider_surplus"], model["provider_spot_surplus"])
    assert np.all(m["host_saving"] == 0) and np.all(m["provider_gain"] == 0)


@given(cases())
def test_outside_children_use_only_unused_block_places(case):
    p, k, (o, u) = case
    m = evaluate_contract("block", p, k, o, u)
    room = 1e-9 * p.places
    assert np.all(m["released_places"] <= k.block_places - m["block_places_used"] + room)
    assert np.all(m["released_places"] <= (1 - u) * o * p.places + room)
    assert np.all((m["spot_places"] <= room) | (m["released_places"] <= room))  # a full block releases none


@given(cases())
def test_block_spills_to_spot_only_above_the_block(case):
    p, _, (o, u) = case
    k = ContractTerms(block_places=p.places)  # a block of the whole home: nothing bought on spot
    m = evaluate_contract("block", p, k, o, u)
    assert np.all(m["spot_weeks"] == 0) and np.all(m["spot_premium"] == 0)
    _close(m["block_payment"] - m["release_credit"], m["host_net_cost"], p, k)


def test_block_terms_sweep_broadcasts():
    # A sweep of block fees (terms as arrays) against a grid: one slice per fee, each as if alone.
    fees = np.array([5_000.0, 5_500.0, 6_000.0])[:, None, None]
    o, u = np.array([0.5, 1.0])[:, None], np.array([0.25, 1.0])[None, :]
    swept = compute_contracts(parameter_terms(DEFAULT), {**TERMS.to_mapping(), "block_fee": fees}, o, u)
    assert swept["block"]["host_net_cost"].shape == (3, 2, 2)
    for i, fee in enumerate(fees.ravel()):
        alone = evaluate_contract("block", DEFAULT, TERMS.replace(block_fee=fee), o, u)["host_net_cost"]
        np.testing.assert_allclose(swept["block"]["host_net_cost"][i], alone)


# ---- contract terms: table, validation ----------------------------------------------------

VIOLATIONS = [
    ("block_places", -1, "block_places = -1 must be at least 0"),
    ("block_fee", -1, "block_fee = -1 must be at least 0"),
    ("cost_plus_margin", -0.1, "cost_plus_margin = -0.1 must be at least 0"),
    ("cost_plus_margin", 1.5, "cost_plus_margin = 1.5 must be at most 1"),
    ("provider_outside_retention", -0.1, "provider_outside_retention = -0.1 must be at least 0"),
    ("provider_outside_retention", 1.2, "provider_outside_retention = 1.2 must be at most 1"),
    ("block_fee", "abc", "block_fee = 'abc' is not a number"),
    ("block_fee", None, "block_fee is missing (the cell is empty)"),
    ("block_fee", True, "block_fee = TRUE is a TRUE/FALSE value, not a number"),
    ("block_fee", float("nan"), "block_fee = nan is not a finite number"),
    ("typo", 3, "typo is not a contract term"),
]


@pytest.mark.parametrize(("name", "value", "message"), VIOLATIONS)
def test_each_term_rule_is_enforced(name, value, message):
    with pytest.raises(ParameterError) as caught:
        ContractTerms.from_mapping({name: value})
    assert (name, message) in caught.value.problems, caught.value.problems


def test_every_term_has_a_violation_listed():
    assert {spec.name for spec in CONTRACT_TERMS} <= {name for name, _, _ in VIOLATIONS}


def test_block_must_fit_in_the_home():
    message = ("block_places", "block_places = 5 exceeds places = 4")
    with pytest.raises(ParameterError) as caught:
        ContractTerms.from_mapping({"block_places": 5}, DEFAULT)
    assert caught.value.problems == [message]
    five = ContractTerms(block_places=5)  # fine alone: the home is not known yet
    with pytest.raises(ParameterError) as caught:
        compare_contracts(DEFAULT, five, [0.5], [0.5])
    assert caught.value.problems == [message]
    assert ContractTerms.from_mapping({"block_places": 4}, DEFAULT).block_places == 4


def test_all_problems_reported_at_once():
    with pytest.raises(ParameterError) as caught:
        ContractTerms.from_mapping(
            {"typo": 1, "block_fee": "lots", "cost_plus_margin": 2, "block_places": 9}, DEFAULT
        )
    assert [name for name, _ in caught.value.problems] == [
        "typo",
        "block_fee",
        "cost_plus_margin",
        "block_places",
    ]
    with pytest.raises(ParameterError) as caught:
        evaluate_contracts(DEFAULT, {"block_places": 9}, 1.5, 0.5, ["spot", "swap"])
    assert [name for name, _ in caught.value.problems] == ["block_places", "occupancy", "contract"]
    assert "contract = 'swap' is not a contract; choose one of spot, block, open_book, partnership" in str(
        caught.value
    )


def test_direct_construction_validates():
    with pytest.raises(ParameterError, match="block_fee = -5 must be at least 0"):
        ContractTerms(block_fee=-5)


def test_spreadsheet_text_and_round_trip():
    k = ContractTerms.from_mapping(
        {"block_fee": "£5,750", "provider_outside_retention": "15%", "block_places": "2"}
    )
    assert (k.block_fee, k.provider_outside_retention, k.block_places) == (5_750, 0.15, 2)
    assert ContractTerms.from_mapping(k.to_mapping()) == k
    assert k.replace(cost_plus_margin="10%").cost_plus_margin == pytest.approx(0.1)


def test_spec_table_matches_the_dataclass_defaults():
    assert [spec.name for spec in CONTRACT_TERMS] == list(ContractTerms.__dataclass_fields__)
    assert all(getattr(TERMS, spec.name) == spec.default for spec in CONTRACT_TERMS)
    assert all(spec.label and spec.unit and spec.help for spec in CONTRACT_TERMS)
    assert DEFAULT.local_fee < TERMS.block_fee < DEFAULT.spot_price


# ---- comparison tables ----------------------------------------------------------------------

AXIS_O, AXIS_U = [0.5, 0.75, 1.0], [0.25, 0.5, 1.0]


@pytest.fixture(scope="module")
def small():
    return compare_contracts(DEFAULT, TERMS, AXIS_O, AXIS_U)


def test_tidy_table_layout(small):
    assert tuple(small.columns) == COMPARE_COLUMNS
    assert len(small) == 4 * 3 * 3
    assert list(pd.unique(small["contract"])) == list(CONTRACT_NAMES)
    first = small.iloc[:3]
    assert list(first["occupancy"]) == [0.5, 0.5, 0.5] and list(first["local_use"]) == AXIS_U


def test_tidy_table_values_are_the_golden_values(small):
    for (contract, point), expected in GOLDEN.items():
        o, u = POINTS[point]
        row = small[(small.contract == contract) & (small.occupancy == o) & (small.local_use == u)]
        assert len(row) == 1
        assert row["host_net_cost"].iloc[0] == pytest.approx(expected["host_net_cost"])


def test_contract_table_is_indexed_like_grid_tables(small):
    table = contract_table(small, "block", "provider_surplus")
    assert table.index.name == "occupancy" and table.columns.name == "local_use"
    assert list(table.index) == AXIS_O and list(table.columns) == AXIS_U
    assert table.loc[0.75, 0.5] == pytest.approx(436_600)  # GOLDEN block P2
    with pytest.raises(ParameterError, match="measure = 'profit' is not a comparison measure"):
        contract_table(small, "block", "profit")


def test_best_contracts_on_the_golden_grid(small):
    # Host net cost at the golden points (from GOLDEN):
    #   P1 spot 169,000 < partnership 274,100 < open book 477,576 < block 821,600 → spot
    #   P2 open book 494,424 < partnership 500,757.6 < spot 507,000 < block 821,600 → open_book
    #   P3 open book 904,392 < partnership 1,038,635.2 < block 1,196,000 < spot 1,352,000 → open_book
    # Provider surplus: P1 block 452,200 best; P2 block 436,600 > partnership 115,757.6;
    #   P3 spot 327,400 > block 311,800 > partnership 201,235.2
    host, provider = best_for_host(small), best_for_provider(small)
    assert host.shape == (3, 3) and host.index.name == "occupancy" and host.columns.name == "local_use"
    assert [host.loc[POINTS[p]] for p in ("P1", "P2", "P3")] == ["spot", "open_book", "open_book"]
    assert [provider.loc[POINTS[p]] for p in ("P1", "P2", "P3")] == ["block", "block", "spot"]


def test_ties_go_to_the_earlier_contract():
    # A block of no places costs the host exactly what spot does: spot, listed first, wins the tie.
    frame = compare_contracts(DEFAULT, TERMS.replace(block_places=0), AXIS_O, AXIS_U, ["block", "spot"])
    assert set(best_for_host(frame).to_numpy().ravel()) == {"spot"}
    assert set(best_for_provider(frame).to_numpy().ravel()) == {"spot"}
    # One penny cheaper is still a tie; a pound cheaper is not.
    for saving, winner in ((0.005, "spot"), (1.0, "block")):
        cheaper = frame.copy()
        cheaper.loc[cheaper.contract == "block", "host_net_cost"] -= saving
        assert best_for_host(cheaper).loc[0.5, 0.25] == winner


def test_nan_cells_are_passed_over():
    frame = compare_contracts(DEFAULT, TERMS, [0.0, 0.5], [0.0, 0.5])
    best = best_contract(frame, "host_cost_per_local_week")  # lower is better, NaN with no local use
    assert pd.isna(best.loc[0.5, 0.0]) and pd.isna(best.loc[0.0, 0.5])
    # o=0.5, u=0.5: L=1, 52 local weeks; spot 6,500/week is the cheapest of the four
    assert best.loc[0.5, 0.5] == "spot"


def test_best_counts_sum_to_the_grid(small):
    counts = best_counts(small)
    assert list(counts.index) == list(CONTRACT_NAMES)
    assert counts["host_best_cells"].sum() == 9 and counts["provider_best_cells"].sum() == 9
    assert counts.loc["spot", "host_best_cells"] == (best_for_host(small) == "spot").to_numpy().sum()
    assert counts["provider_best_share"].sum() == pytest.approx(1.0)


def test_default_grid_and_bad_axes():
    frame = compare_contracts(DEFAULT)
    assert len(frame) == 4 * 21 * 21
    assert best_for_host(frame).shape == (21, 21)
    with pytest.raises(ParameterError, match="occupancy values must be within"):
        compare_contracts(DEFAULT, TERMS, [0.5, 1.2], [0.5])


@pytest.mark.slow
@given(
    cases(),
    st.lists(axis, min_size=1, max_size=4, unique=True),
    st.lists(axis, min_size=1, max_size=4, unique=True),
)
def test_best_for_each_party_is_never_beaten(case, o, u):
    p, k, _ = case
    frame = compare_contracts(p, k, o, u)
    host, provider = best_for_host(frame), best_for_provider(frame)
    costs = {c: contract_table(frame, c, "host_net_cost") for c in CONTRACT_NAMES}
    surpluses = {c: contract_table(frame, c, "provider_surplus") for c in CONTRACT_NAMES}
    cheapest = np.minimum.reduce([t.to_numpy() for t in costs.values()])
    richest = np.maximum.reduce([t.to_numpy() for t in surpluses.values()])
    for i, oi in enumerate(host.index):
        for j, uj in enumerate(host.columns):
            assert costs[host.loc[oi, uj]].loc[oi, uj] <= cheapest[i, j] + 0.01
            assert surpluses[provider.loc[oi, uj]].loc[oi, uj] >= richest[i, j] - 0.01
