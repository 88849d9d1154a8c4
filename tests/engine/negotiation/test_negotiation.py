"""Negotiation: rules as data, the agreement zone, balanced points, tornado; checked by brute force."""

import operator

import numpy as np
import pandas as pd
import pytest

from engine import ParameterError, Parameters, evaluate
from engine.core.outcomes import point_outcome
from engine.negotiation.levers import evaluate_terms, set_terms, term_bounds, term_names
from engine.negotiation.rules import DEFAULT_RULES, RULE_COLUMNS, Rule, judge, parse_rules, rules_frame
from engine.negotiation.zone import (
    CATEGORIES,
    agreement_zone,
    assess_terms,
    balanced_points,
    default_range,
)
from engine.risk.tornado import TORNADO_COLUMNS, tornado
from engine.risk.uncertainty import Uncertainty, draw_outcomes, grid_outcomes

RULES = [
    ("provider", "probability_of_loss", "provider_surplus", "<=", 0.3),
    ("provider", "mean", "provider_margin", ">=", 0.0),
    ("host", "mean", "host_saving", ">=", 0),
    ("host", "p90", "host_cost_per_local_week", "<=", 7_000),
]
OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


# --- an independent implementation of the figures: Python loops over outcomes -------------


def brute_statistic(values, weights, statistic):
    pairs = [(v, w) for v, w in zip(values.tolist(), weights.tolist(), strict=True) if v == v]
    total = sum(w for _, w in pairs)
    if statistic == "mean":
        return sum(v * w for v, w in pairs) / total
    if statistic == "probability_of_loss":
        return sum(w for v, w in pairs if v < 0) / total
    if statistic.startswith("p"):
        q, running = int(statistic[1:]) / 100, 0.0
        for v, w in sorted(pairs):
            running += w
            if running >= q * total - 1e-12:
                return v
    raise AssertionError(statistic)


def brute_verdicts(params, rules, outcomes):
    """Figures and verdicts for one set of terms: evaluate() on the outcomes, loops for the rest."""
    values = evaluate(params, outcomes.occupancy, outcomes.local_use)
    weights = outcomes.weight_array()
    figures = {f"{s}({m})": brute_statistic(values[m], weights, s) for _, s, m, _, _ in rules}
    accepts = {party: True for party in ("provider", "host")}
    for party, statistic, name, op, threshold in rules:
        accepts[party] &= OPS[op](figures[f"{statistic}({name})"], threshold)
    gains = (
        brute_statistic(values["provider_gain"], weights, "mean"),
        brute_statistic(values["host_saving"], weights, "mean"),
    )
    return figures, accepts, gains


def category(accepts):
    return {(True, True): "both", (True, False): "provider_only", (False, True): "host_only"}.get(
        (accepts["provider"], accepts["host"]), "neither"
    )


# --- rules -------------------------------------------------------------------------------


def test_rules_parse_from_plain_rows_dicts_and_tables():
    rules = parse_rules(DEFAULT_RULES)
    assert rules[0] == Rule("provider", "probability_of_loss", "provider_surplus", "<=", 0.10)
    assert rules[0].key == "probability_of_loss(provider_surplus)"
    table = pd.DataFrame(DEFAULT_RULES, columns=RULE_COLUMNS)
    assert parse_rules(table) == rules
    typed = parse_rules(
        [
            {
                "party": "host",
                "statistic": "p90",
                "measure": "host_net_cost",
                "operator": "≤",
                "threshold": "£700,000",
            },
            (" provider ", "mean", "provider_margin", ">=", "5%"),
            (None, None, None, None, None),
        ]
    )
    assert typed == (
        Rule("host", "p90", "host_net_cost", "<=", 700_000.0),
        Rule("provider", "mean", "provider_margin", ">=", 0.05),
    )
    frame = rules_frame(typed)
    assert frame.columns.tolist() == ["rule", *RULE_COLUMNS, "text"]
    assert frame["rule"].tolist() == ["rule_1", "rule_2"]
    assert frame["text"].iloc[1] == "provider: Expected value of Provider margin >= 0.05"


def test_rule_problems_are_all_named():
    with pytest.raises(ParameterError) as caught:
        parse_rules([("council", "average", "profit", "=", "ten"), ("host", "mean")])
    problems = dict(caught.value.problems)
    assert problems["rule 1 party"] == "rule 1: party = 'council' must be provider or host"
    assert problems["rule 1 statistic"].startswith(
        "rule 1: statistic = 'average' is not a statistic; choose one of"
    )
    assert problems["rule 1 measure"].startswith("rule 1: measure = 'profit' is not a measure")
    assert problems["rule 1 operator"] == "rule 1: operator = '=' must be one of <=, >=, <, >"
    assert problems["rule 1 threshold"] == "rule 1: threshold = 'ten' is not a number"
    assert problems["rule 2"] == "rule 2 has 2 values; give party, statistic, measure, operator, threshold"


def test_a_party_accepts_when_all_its_rules_hold():
    rules = parse_rules(RULES)
    figures = {
        "probability_of_loss(provider_surplus)": np.array([0.2, 0.2, 0.5]),
        "mean(provider_margin)": np.array([0.01, -0.01, 0.01]),
        "mean(host_saving)": np.array([5.0, 5.0, 5.0]),
        "p90(host_cost_per_local_week)": np.array([7_000.0, 7_001.0, np.nan]),  # NaN never holds
    }
    verdicts = judge(rules, figures)
    assert verdicts["provider_accepts"].tolist() == [True, False, False]
    assert verdicts["host_accepts"].tolist() == [True, False, False]
    assert judge(rules[:2], figures)["host_accepts"].tolist() == [True, True, True]  # no rules: accepts


# --- the zone ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "ranges", "steps", "outcomes"),
    [
        (
            ("host_contribution", "spot_price"),
            {"host_contribution": (0, 250_000), "spot_price": (4_000, 9_000)},
            (6, 5),
            None,
        ),
        (("host_contribution", "top_share_rate"), {"host_contribution": (100_000, 300_000)}, (5, 4), "equal"),
        (
            ("share_tier_2", "release_share"),
            {"share_tier_2": (0.25, 0.6), "release_share": (0, 1)},
            (3, 3),
            None,
        ),
    ],
)
def test_zone_matches_a_brute_force_loop(terms, ranges, steps, outcomes):
    params = Parameters(host_contribution=190_000)
    chosen = grid_outcomes() if outcomes == "equal" else grid_outcomes(Uncertainty())
    zone = agreement_zone(params, RULES, terms, ranges, steps, outcomes=chosen)
    assert len(zone.table) == steps[0] * steps[1]
    seen = set()
    for _, row in zone.table.iterrows():
        changed = {}
        for name in terms:
            if name in ("top_share_rate", "share_tier_2"):
                tiers = [list(t) for t in changed.get("share_tiers", params.share_tiers)]
                tiers[-1 if name == "top_share_rate" else 1][1] = row[name]
                changed["share_tiers"] = tiers
            else:
                changed[name] = row[name]
        figures, accepts, gains = brute_verdicts(params.replace(**changed), RULES, chosen)
        assert row["category"] == category(accepts)
        for key, value in figures.items():
            assert row[key] == pytest.approx(value, rel=1e-9, abs=1e-6)
        assert (row["provider_gain"], row["host_gain"]) == pytest.approx(gains, rel=1e-9, abs=1e-6)
        seen.add(row["category"])
    if terms[1] == "spot_price":
        assert seen == set(CATEGORIES)  # the case exercises every verdict


def test_zone_maps_and_codes():
    zone = agreement_zone(Parameters(), RULES, steps=(5, 3), ranges={"host_contribution": (100_000, 300_000)})
    categories, codes = zone.category_map(), zone.code_map()
    assert categories.shape == codes.shape == (5, 3)
    assert categories.index.name == "host_contribution" and categories.columns.name == "top_share_rate"
    assert categories.columns.tolist() == [0.4, 0.7, 1.0]  # the top share between tier 2's 0.40 and 1
    assert categories.loc[200_000.0, 0.7] == "both"
    assert (codes.to_numpy() == np.vectorize(CATEGORIES.index)(categories.to_numpy())).all()
    assert set(zone.accepted()["category"]) == {"both"}


def test_chunking_does_not_change_the_zone():
    kwargs = {"rules": RULES, "steps": 9, "ranges": {"host_contribution": (100_000, 300_000)}}
    whole = agreement_zone(Parameters(), **kwargs)
    chunked = agreement_zone(Parameters(), chunk_cells=1_000, **kwargs)  # 2 settings per compute call
    pd.testing.assert_frame_equal(whole.table, chunked.table)


def test_zone_over_monte_carlo_draws():
    draws = draw_outcomes(Uncertainty(), draws=500, seed=9)
    zone = agreement_zone(
        Parameters(), RULES, steps=3, outcomes=draws, ranges={"host_contribution": (150_000, 250_000)}
    )
    row = zone.table.iloc[4]  # the middle pair: K = 200,000, top share 0.7
    assert (row["host_contribution"], row["top_share_rate"]) == (200_000, 0.7)
    params = Parameters(share_tiers=((0, 0.25), (0.5, 0.4), (0.75, 0.7)))
    values = evaluate(params, draws.occupancy, draws.local_use)
    assert row["probability_of_loss(provider_surplus)"] == pytest.approx(
        np.mean(values["provider_surplus"] < 0)
    )
    assert row["mean(host_saving)"] == pytest.approx(np.mean(values["host_saving"]))
    cost = values["host_cost_per_local_week"]
    assert row["p90(host_cost_per_local_week)"] == pytest.approx(
        np.quantile(cost[~np.isnan(cost)], 0.9, method="inverted_cdf")
    )


def test_total_gain_does_not_depend_on_money_moving_terms():
    # provider_gain + host_saving = local_weeks·(s − p_X) (MODEL.md identity), whatever K or shares
    zone = agreement_zone(Parameters(), RULES, steps=7)
    weights = zone.outcomes.weight_array()
    local_weeks = 52 * 4 * zone.outcomes.occupancy * zone.outcomes.local_use
    np.testing.assert_allclose(
        zone.table["total_gain"], np.sum(weights * local_weeks) * (6_500 - 5_600), rtol=1e-9
    )


def test_zone_input_problems():
    params = Parameters()
    with pytest.raises(ParameterError) as caught:
        agreement_zone(params, RULES, ranges={"top_share_rate": (0.2, 0.8)})
    assert caught.value.problems == [
        (
            "top_share_rate",
            "top_share_rate = 0.2 must be at least 0.4, the share of tier 2, so the shares never decrease; "
            "lower that tier first",
        )
    ]
    with pytest.raises(ParameterError, match="term = 'profit' is not a term that can move"):
        agreement_zone(params, RULES, terms=("profit", "host_contribution"))
    with pytest.raises(ParameterError, match="give two different terms"):
        agreement_zone(params, RULES, terms=("host_contribution", "host_contribution"))
    with pytest.raises(ParameterError, match="steps = 0 must be a whole number from 1 to 1001"):
        agreement_zone(params, RULES, steps=0)
    with pytest.raises(ParameterError, match="ranges are given for release_share, which are not swept"):
        agreement_zone(params, RULES, ranges={"release_share": (0, 1)})
    with pytest.raises(ParameterError, match="host_contribution low = 5 is above high = 1"):
        agreement_zone(params, RULES, ranges={"host_contribution": (5, 1)})
    with pytest.raises(ParameterError, match="the ranges let reserved_places exceed places"):
        agreement_zone(
            params,
            RULES,
            terms=("places", "reserved_places"),
            ranges={"places": (3, 5), "reserved_places": (2, 4)},
        )
    with pytest.raises(ParameterError, match="compensation_per_week is 0 today, so give the range"):
        agreement_zone(
            params.replace(compensation_per_week=0),
            RULES,
            terms=("host_contribution", "compensation_per_week"),
        )


def test_default_ranges_and_term_bounds():
    params = Parameters()
    assert default_range(params, "host_contribution") == (0, 950_000)
    assert default_range(params, "top_share_rate") == (0.4, 1.0)
    assert default_range(params, "spot_price") == (3_250, 9_750)
    assert term_bounds(params, "reserved_places") == (0, 4)
    assert term_bounds(params, "share_tier_2") == (0.25, 0.6)
    assert "top_share_rate" in term_names(params) and "share_tier_3" in term_names(params)
    moved = set_terms(
        {"share_tiers": params.share_tiers}, params, {"top_share_rate": 0.9, "share_tier_1": 0.1}
    )
    assert moved["share_tiers"] == ((0.0, 0.1), (0.5, 0.4), (0.75, 0.9))


def test_places_sweep_uses_whole_numbers():
    zone = agreement_zone(
        Parameters(reserved_places=2),
        RULES,
        terms=("places", "host_contribution"),
        ranges={"places": (2, 6)},
        steps=(9, 2),
    )
    assert zone.axes[0].tolist() == [2, 3, 4, 5, 6]


def test_evaluate_terms_broadcasts_and_chunks():
    outcomes = grid_outcomes()
    settings = {"host_contribution": np.linspace(0, 400_000, 7)}
    one = evaluate_terms(
        Parameters(), settings, outcomes, lambda v: {"s": v["provider_surplus"].mean(axis=-1)}
    )
    small = evaluate_terms(
        Parameters(), settings, outcomes, lambda v: {"s": v["provider_surplus"].mean(axis=-1)}, 441
    )
    np.testing.assert_allclose(one["s"], small["s"])
    # a term the measure does not depend on still gives one value per setting
    flat = evaluate_terms(
        Parameters(), settings, outcomes, lambda v: {"c": v["host_spot_cost"].mean(axis=-1)}
    )
    assert flat["c"].shape == (7,) and np.ptp(flat["c"]) == 0


# --- balanced points ---------------------------------------------------------------------


def fine_search(params, rules, terms, ranges, outcomes, steps=201):
    first, second = (np.linspace(*ranges[name], steps) for name in terms)
    a, b = np.meshgrid(first, second, indexing="ij")
    return assess_terms(params, rules, {terms[0]: a.ravel(), terms[1]: b.ravel()}, outcomes)


def test_nash_point_against_a_fine_brute_force_search():
    # The spot price changes the total gain, so the product has a single peak (on the
    # zone's edge at the highest spot price): the refined point must match the fine search.
    params = Parameters()
    terms = ("host_contribution", "spot_price")
    ranges = {"host_contribution": (0, 600_000), "spot_price": (5_000, 8_000)}
    outcomes = grid_outcomes(Uncertainty())
    zone = agreement_zone(params, RULES, terms, ranges, steps=11, outcomes=outcomes)
    nash = balanced_points(zone).set_index("point").loc["nash"]
    assert nash["found"] and nash["category"] == "both"
    fine = fine_search(params, RULES, terms, ranges, outcomes)
    best = fine.loc[fine["nash_product"].where(fine["category"] == "both").idxmax()]
    assert nash["nash_product"] >= best["nash_product"] * (1 - 1e-6)
    assert nash["host_contribution"] == pytest.approx(best["host_contribution"], abs=2 * 600_000 / 200)
    assert nash["spot_price"] == pytest.approx(best["spot_price"], abs=2 * 3_000 / 200)
    # the reported figures are the model's at the reported terms (independent loop)
    _, accepts, gains = brute_verdicts(
        params.replace(host_contribution=nash["host_contribution"], spot_price=nash["spot_price"]),
        RULES,
        outcomes,
    )
    assert accepts == {"provider": True, "host": True}
    assert nash["nash_product"] == pytest.approx(gains[0] * gains[1], rel=1e-9)


def test_with_a_fixed_total_gain_nash_is_the_equal_gains_point():
    # K and the top share only move money between the parties: total gain T is fixed, so
    # g·(T − g) ≤ T²/4 with equality at equal gains; no pair of a fine search does better.
    params = Parameters()
    rules = [("provider", "mean", "provider_margin", ">=", -0.1), ("host", "mean", "host_saving", ">=", 0)]
    terms = ("host_contribution", "top_share_rate")
    ranges = {"host_contribution": (0, 400_000), "top_share_rate": (0.4, 1.0)}
    outcomes = grid_outcomes(Uncertainty())
    zone = agreement_zone(params, rules, terms, ranges, steps=9, outcomes=outcomes)
    points = balanced_points(zone).set_index("point")
    nash, equal = points.loc["nash"], points.loc["equal_gains"]
    assert nash["found"] and equal["found"]
    assert nash["provider_gain"] == pytest.approx(nash["host_gain"], abs=0.01)
    assert nash["nash_product"] == pytest.approx(nash["total_gain"] ** 2 / 4, rel=1e-9)
    fine = fine_search(params, rules, terms, ranges, outcomes, steps=101)
    assert nash["nash_product"] >= fine["nash_product"].where(fine["category"] == "both").max()
    assert (nash[list(terms)] == equal[list(terms)]).all()


def test_equal_gains_point_is_on_the_line_in_the_zone_and_nearest_todays_terms():
    params = Parameters()
    terms = ("host_contribution", "spot_price")
    ranges = {"host_contribution": (0, 600_000), "spot_price": (5_000, 8_000)}
    outcomes = grid_outcomes(Uncertainty())
    zone = agreement_zone(params, RULES, terms, ranges, steps=11, outcomes=outcomes)
    equal = balanced_points(zone).set_index("point").loc["equal_gains"]
    assert equal["found"] and equal["category"] == "both"
    assert equal["provider_gain"] == pytest.approx(equal["host_gain"], abs=0.01)
    # brute force: where the gap changes sign between neighbours of a 201 × 201 search, inside the zone
    fine = fine_search(params, RULES, terms, ranges, outcomes)
    gap = (fine["provider_gain"] - fine["host_gain"]).to_numpy().reshape(201, 201)
    inside = (fine["category"] == "both").to_numpy().reshape(201, 201)
    k = fine["host_contribution"].to_numpy().reshape(201, 201)
    s = fine["spot_price"].to_numpy().reshape(201, 201)
    crossing = (gap[:-1] * gap[1:] <= 0) & inside[:-1] & inside[1:]
    distance = np.hypot((k[:-1] - 200_000) / 600_000, (s[:-1] - 6_500) / 3_000)[crossing]
    ours = np.hypot((equal["host_contribution"] - 200_000) / 600_000, (equal["spot_price"] - 6_500) / 3_000)
    assert ours <= distance.min() + 1e-3  # the fine search overstates the minimum by up to a step


def test_no_balanced_point_when_the_zone_is_empty():
    zone = agreement_zone(Parameters(), DEFAULT_RULES, steps=5)
    assert (zone.table["category"] != "both").all()  # the example rules clash at today's prices
    points = balanced_points(zone)
    assert points["found"].tolist() == [False, False]
    assert points["method"].str.contains("no terms in the sweep").all()


# --- tornado -----------------------------------------------------------------------------


def test_tornado_golden_values_by_hand():
    # At o = 0.8, u = 0.5 (defaults) provider_surplus = 17,520 with no sharing (see test_risk).
    # host_contribution ±10 % = ±20,000 moves S0 to −2,480 and 37,520 (still below the
    # threshold 79,993.6): swing 40,000.
    # fixed_cost −10 % = 855,000: cost 904,920, S0 = 112,520, threshold 72,393.6, σ(0.5) = 0.40:
    # share 0.40·40,126.4 = 16,050.56 → 96,469.44; +10 % = 1,045,000: S0 = −77,480. Swing 173,949.44.
    frame = tornado(Parameters(), "provider_surplus", outcomes=point_outcome(0.8, 0.5))
    assert tuple(frame.columns) == TORNADO_COLUMNS
    rows = frame.set_index("parameter")
    assert rows.loc["host_contribution", ["low_value", "high_value"]].tolist() == [180_000, 220_000]
    assert rows.loc["host_contribution", ["at_low", "at_high"]].tolist() == pytest.approx([-2_480, 37_520])
    assert rows.loc["host_contribution", "swing"] == pytest.approx(40_000)
    assert rows.loc["fixed_cost", ["at_low", "at_high"]].tolist() == pytest.approx([96_469.44, -77_480])
    assert rows.loc["fixed_cost", "swing"] == pytest.approx(173_949.44)
    assert rows["base"].unique().tolist() == pytest.approx([17_520])
    assert (np.diff(frame["swing"]) <= 0).all()  # biggest bar first
    assert rows.loc["deficit_support", "swing"] == 0  # a term at 0 does not move by a percentage


def test_tornado_clips_to_valid_ranges_and_takes_user_ranges():
    params = Parameters(release_share=1.0, places=4, reserved_places=4, share_tiers=((0, 0.25), (0.5, 0.42)))
    rows = tornado(params, "host_net_cost").set_index("parameter")
    assert rows.loc["release_share", ["low_value", "high_value"]].tolist() == [0.9, 1.0]
    assert rows.loc["places", ["low_value", "high_value"]].tolist() == [4, 5]  # not below 4 reserved places
    assert rows.loc["share_tier_2", "low_value"] == pytest.approx(0.378)
    assert rows.loc["share_tier_1", ["low_value", "high_value"]].tolist() == pytest.approx([0.225, 0.275])
    custom = tornado(Parameters(), ranges={"host_contribution": ("£0", "400,000")}).set_index("parameter")
    assert custom.loc["host_contribution", ["low_value", "high_value"]].tolist() == [0, 400_000]
    assert custom.loc["host_contribution", "swing"] > 300_000


def test_tornado_input_problems():
    with pytest.raises(ParameterError) as caught:
        tornado(Parameters(), "profit", change=2, ranges={"release_share": (0, 2), "volume": (1, 2)})
    names = [name for name, _ in caught.value.problems]
    assert names == ["measure", "change", "ranges"]
    with pytest.raises(ParameterError, match="release_share = 2 must be at most 1"):
        tornado(Parameters(), ranges={"release_share": (0, 2)})
