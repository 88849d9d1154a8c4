"""Validation: every rule of the parameter table, spreadsheet-style input, round trips."""

import numpy as np
import pytest

from engine import PARAMETERS, ParameterError, Parameters, evaluate

VIOLATIONS = [
    ("places", 0, "places = 0 must be at least 1"),
    ("places", 2.5, "places = 2.5 must be a whole number"),
    ("weeks_per_year", 0, "weeks_per_year = 0 must be more than 0"),
    ("weeks_per_year", 54, "weeks_per_year = 54 must be at most 53"),
    ("fixed_cost", -1, "fixed_cost = -1 must be at least 0"),
    ("variable_cost", -0.5, "variable_cost = -0.5 must be at least 0"),
    ("local_fee", -5000, "local_fee = -5000 must be at least 0"),
    ("outside_fee", -1, "outside_fee = -1 must be at least 0"),
    ("spot_price", -1, "spot_price = -1 must be at least 0"),
    ("host_contribution", -1, "host_contribution = -1 must be at least 0"),
    ("reserved_places", -1, "reserved_places = -1 must be at least 0"),
    ("reserved_places", 5, "reserved_places = 5 exceeds places = 4"),
    ("release_share", 1.5, "release_share = 1.5 must be at most 1"),
    ("release_share", -0.1, "release_share = -0.1 must be at least 0"),
    ("compensation_per_week", -1, "compensation_per_week = -1 must be at least 0"),
    ("reasonable_return", 1, "reasonable_return = 1 must be less than 1"),
    ("reasonable_return", -0.01, "reasonable_return = -0.01 must be at least 0"),
    ("deficit_support", 1.01, "deficit_support = 1.01 must be at most 1"),
    ("deficit_support", -1, "deficit_support = -1 must be at least 0"),
    ("share_tiers", [[0.1, 0.2]], "share_tiers first min_local_use = 0.1 must be 0"),
    ("share_tiers", [[0, 0.2], [0.5, 0.1]], "share_tiers row 2 share = 0.1 must not be below row 1's 0.2"),
    ("share_tiers", [[0, 0.2], [0, 0.3]], "share_tiers row 2 min_local_use = 0 must be above row 1's 0"),
    ("share_tiers", [[0, 0.2], [1.5, 0.3]], "share_tiers row 2 min_local_use = 1.5 must be within [0, 1]"),
    ("share_tiers", [[0, 1.2]], "share_tiers row 1 share = 1.2 must be within [0, 1]"),
    ("share_tiers", [], "share_tiers needs at least one tier"),
    ("local_fee", "abc", "local_fee = 'abc' is not a number"),
    ("local_fee", None, "local_fee is missing"),
    ("local_fee", "", "local_fee is missing"),
    ("local_fee", True, "local_fee = TRUE is a TRUE/FALSE value, not a number"),
    ("local_fee", float("nan"), "local_fee = nan is not a finite number"),
    ("local_fee", float("inf"), "local_fee = inf is not a finite number"),
    ("local_fee", [1, 2], "local_fee = [1, 2] is not a number"),
]


@pytest.mark.parametrize(("name", "value", "message"), VIOLATIONS)
def test_each_rule_is_enforced(name, value, message):
    with pytest.raises(ParameterError) as caught:
        Parameters.from_mapping({name: value})
    assert any(n == name and message in m for n, m in caught.value.problems), caught.value.problems
    assert message in str(caught.value)


def test_every_parameter_has_a_violation_listed():
    assert {spec.name for spec in PARAMETERS} <= {name for name, _, _ in VIOLATIONS}


def test_all_problems_reported_at_once():
    bad = {"places": "four", "fixed_cost": -1, "release_share": 2, "share_tiers": [[0.2, 0.1]], "typo": 3}
    with pytest.raises(ParameterError) as caught:
        Parameters.from_mapping(bad)
    names = [name for name, _ in caught.value.problems]
    assert names == ["typo", "places", "fixed_cost", "release_share", "share_tiers"]


def test_direct_construction_validates():
    with pytest.raises(ParameterError, match="reserved_places = 5 exceeds places = 4"):
        Parameters(reserved_places=5)


def test_spreadsheet_text_is_understood():
    p = Parameters.from_mapping(
        {
            "local_fee": "£5,250",
            "fixed_cost": " 1,000,000 ",
            "release_share": "30%",
            "places": 6.0,
            "share_tiers": [["0%", "25%"], [0.5, 0.4], [None, None]],
        }
    )
    assert p.local_fee == 5250
    assert p.fixed_cost == 1_000_000
    assert p.release_share == pytest.approx(0.30)
    assert p.places == 6 and isinstance(p.places, int)
    assert p.share_tiers == ((0.0, 0.25), (0.5, 0.4))


def test_tiers_from_two_column_array():
    p = Parameters.from_mapping({"share_tiers": np.array([[0, 0.1], [0.6, 0.5]])})
    assert p.share_tiers == ((0.0, 0.1), (0.6, 0.5))


def test_round_trip():
    p = Parameters(places=6, reserved_places=2, share_tiers=((0, 0.1), (0.3, 0.2)))
    assert Parameters.from_mapping(p.to_mapping()) == p
    assert p.to_mapping()["share_tiers"] == [[0, 0.1], [0.3, 0.2]]


def test_frozen():
    with pytest.raises(AttributeError):
        Parameters().places = 5


@pytest.mark.parametrize(
    ("o", "u", "name"), [(1.2, 0.5, "occupancy"), (0.5, -0.1, "local_use"), (np.nan, 0.5, "occupancy")]
)
def test_axes_outside_unit_interval(o, u, name):
    with pytest.raises(ParameterError) as caught:
        evaluate(Parameters(), o, u)
    assert [n for n, _ in caught.value.problems] == [name]
