"""engine.members.sweep: every council and every home judged over a sweep of terms × years.

Two independent references. Identities: a region of one council and a portfolio of one home
(every cell empty) are the partnership itself, so every row equals ``assess_terms`` to the
last bit. Engine calls: at a few term combinations, the Region and Portfolio sheets' own
functions (``region_evaluate``, ``region_total``, ``evaluate``, ``portfolio_evaluate``) with
the terms written into ``Parameters`` and the statistics taken by ``summarise`` give each
member's figures; the sweep's rows must equal them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from engine import (
    CATEGORIES,
    ParameterError,
    Parameters,
    RegionRules,
    Uncertainty,
    assess_members,
    assess_terms,
    draw_outcomes,
    evaluate,
    portfolio_evaluate,
    portfolio_members,
    region_evaluate,
    region_members,
    region_total,
)
from engine.negotiation import scale
from engine.risk.measure_stats import summarise, worst_tail

RULES = [
    ("provider", "probability_of_loss", "provider_surplus", "<=", 0.30),
    ("provider", "mean", "provider_margin", ">=", 0.02),
    ("host", "mean", "host_saving", ">=", 0.0),
    ("host", "p90", "host_cost_per_local_week", "<=", 7_000.0),
]
HOME = Parameters(fixed_cost=950_000)  # loses money on the spot market: the sweep meets every verdict
SETTINGS = {
    "host_contribution": np.repeat(np.linspace(100_000, 300_000, 5), 3),
    "deficit_support": np.tile([0.0, 0.5, 1.0], 5),
}
COUNCILS = [
    ["council", "contribution_share", "use_share", "spot_price"],
    ["Westshire", 0.5, 0.4, 7_000],
    ["Eastshire", 0.3, 0.35, None],
    ["Northby", 0.2, 0.25, 6_000],
]
HOMES = [
    [
        "home",
        "places",
        "fixed_cost",
        "variable_cost",
        "local_fee",
        "outside_fee",
        "reserved_places",
        "occupancy",
    ],
    ["Oak House", 4, 800_000, None, None, None, 3, None],
    ["Elm Lodge", 3, 820_000, 320, 5_200, 5_800, 2, None],
    ["Ash Court", 5, None, None, None, None, None, 0.9],
]


def _members_of(table: pd.DataFrame, name: str) -> pd.DataFrame:
    return table[table["member"] == name].drop(columns=["member", "level"]).reset_index(drop=True)


@pytest.mark.parametrize(
    "members",
    [
        region_members([["council", "contribution_share", "use_share"], ["Only", 1, 1]]),
        portfolio_members([["home"], ["Only"]], HOME),
    ],
    ids=["one council", "one home"],
)
def test_one_member_is_the_partnership_itself_every_row_exactly(members):
    # fixed-cost growth drawn too: a home's own fixed cost is scaled per year like the partnership's
    outcomes = draw_outcomes(Uncertainty(correlation=0.3, fixed_cost_growth_high=0.05), 500, 3)
    table = assess_members(HOME, RULES, SETTINGS, members, outcomes, chunk_cells=4 * 500 * members.weight)
    reference = assess_terms(HOME, RULES, SETTINGS, outcomes)
    assert set(reference["category"]) == set(CATEGORIES)  # the comparison meets every verdict
    assert list(table["member"][: len(members.names)]) == list(members.names)
    for name in members.names:
        pd.testing.assert_frame_equal(_members_of(table, name), reference, check_exact=True)


def _stat(values, key: str) -> np.ndarray:
    statistic, name = key[:-1].split("(")
    return summarise(values[name], None, statistic, worst_tail(name))


FIGURES = ("mean(provider_gain)", "mean(host_saving)", "mean(host_net_cost)", "p90(host_cost_per_local_week)")


def test_each_council_and_the_region_equal_the_region_sheets_functions():
    outcomes = draw_outcomes(Uncertainty(correlation=0.3), 400, 5)
    rules = RegionRules(credit_rule="mix", credit_mix=0.3)
    members = region_members(COUNCILS, rules)
    table = assess_members(HOME, RULES, SETTINGS, members, outcomes, chunk_cells=3 * 400 * members.weight)
    assert list(members.names) == ["Westshire", "Eastshire", "Northby", "Region total"]
    assert set(table["category"]) == set(CATEGORIES)
    for setting in (0, 7, 14):
        terms = {name: float(values[setting]) for name, values in SETTINGS.items()}
        moved = dataclasses.replace(HOME, **terms)
        partnership = evaluate(moved, outcomes.occupancy, outcomes.local_use)
        councils = region_evaluate(moved, COUNCILS, outcomes.occupancy, outcomes.local_use, rules)
        total = region_total(councils)
        rows = table.iloc[4 * setting : 4 * setting + 4].set_index("member")
        for i, name in enumerate(members.individual):
            own = {key: values[i] for key, values in councils.items()}
            assert rows.loc[name, "mean(host_saving)"] == pytest.approx(
                float(_stat(own, "mean(host_saving)")), rel=1e-12
            )
            assert rows.loc[name, "p90(host_cost_per_local_week)"] == pytest.approx(
                float(_stat(own, "p90(host_cost_per_local_week)")), rel=1e-12
            )
            # the provider is the partnership's, the same for every council
            assert rows.loc[name, "provider_gain"] == pytest.approx(
                float(_stat(partnership, "mean(provider_gain)")), rel=1e-12
            )
            expected_host = (
                _stat(own, "mean(host_saving)") >= 0 and _stat(own, "p90(host_cost_per_local_week)") <= 7_000
            )
            assert rows.loc[name, "host_accepts"] == expected_host
        assert rows.loc["Region total", "host_gain"] == pytest.approx(
            float(_stat(total, "mean(host_saving)")), rel=1e-12
        )
        # the councils' savings add up to the region's (each key sums to 1)
        assert rows.loc[list(members.individual), "host_gain"].sum() == pytest.approx(
            rows.loc["Region total", "host_gain"], rel=1e-9
        )


def test_each_home_and_the_portfolio_equal_the_portfolio_sheets_functions():
    outcomes = draw_outcomes(Uncertainty(correlation=0.3), 400, 5)
    members = portfolio_members(HOMES, HOME)
    settings = {
        **SETTINGS,
        "local_fee": np.linspace(4_600, 5_400, 15),
    }  # a term two homes take, one has its own
    table = assess_members(HOME, RULES, settings, members, outcomes, chunk_cells=2 * 400 * members.weight)
    names = [
        "Oak House",
        "Elm Lodge",
        "Ash Court",
        "Portfolio, sharing per home",
        "Portfolio, pooled sharing",
    ]
    assert list(members.names) == names
    for setting in (0, 8, 14):
        moved = dataclasses.replace(
            HOME, **{name: float(values[setting]) for name, values in settings.items()}
        )
        result = portfolio_evaluate(moved, HOMES, outcomes.occupancy, outcomes.local_use)
        rows = table.iloc[5 * setting : 5 * setting + 5].set_index("member")
        levels = {
            name: {key: values[i] for key, values in result["homes"].items()}
            for i, name in enumerate(names[:3])
        }
        levels |= {names[3]: result["per_home"], names[4]: result["pooled"]}
        for name, values in levels.items():
            for key in FIGURES:
                assert rows.loc[name, key] == pytest.approx(float(_stat(values, key)), rel=1e-12), (name, key)
            loss = float(_stat(values, "probability_of_loss(provider_surplus)"))
            assert rows.loc[name, "rule_1"] == (loss <= 0.30)
    # Elm Lodge keeps its own local fee: its figures do not move with the swept fee
    elm = table[table["member"] == "Elm Lodge"]
    assert elm["mean(provider_gain)"].nunique() < len(elm)
    assert (table[table["member"] == "Oak House"]["mean(provider_gain)"].diff().dropna() != 0).any()


def test_a_home_without_places_of_its_own_must_keep_its_reserved_places_when_places_are_swept():
    # Birch takes the swept places (its cell is empty) but reserves 4 of its own: 3 places cannot hold them,
    # although the partnership's 2 reserved places fit every swept value
    homes = [["home", "places", "reserved_places"], ["Oak", 4, 1], ["Birch", None, 4]]
    params = Parameters(reserved_places=2)
    members = portfolio_members(homes, params)
    with pytest.raises(ParameterError, match=r"Birch.*reserved_places = 4 exceeds places = 3"):
        assess_members(params, RULES, {"places": np.array([3.0, 6.0])}, members, None)
    table = assess_members(params, RULES, {"places": np.array([4.0, 6.0])}, members, None)
    assert len(table) == 2 * 4


def test_a_sweep_plan_with_members_gives_the_same_table_whatever_its_chunks():
    members = region_members(COUNCILS)
    terms = [("host_contribution", 100_000, 300_000, 7), ("deficit_support", 0, 1, 3)]
    one = scale.plan_sweep(HOME, RULES, terms, Uncertainty(correlation=0.3), 300, 9, members=members)
    many = scale.plan_sweep(
        HOME, RULES, terms, Uncertainty(correlation=0.3), 300, 9, members=members, chunk_work=2 * 300 * 5
    )
    assert one.chunks == 1 and many.chunks == 11 and many.rows_per_combination == 4
    table = scale.run_in_process(one)
    pieces = [scale.evaluate_chunk(many, index) for index in reversed(range(many.chunks))]
    pd.testing.assert_frame_equal(scale.combine(many, pieces), table, check_exact=True)
    summary = scale.member_summaries(one, table)
    assert list(summary["members"]) == list(members.names)
    every = (table["category"] == "both").to_numpy().reshape(21, 4)[:, :3].all(axis=1)
    assert summary["every"]["count"] == every.sum()
