"""Identities of docs/model.md checked over random valid parameters and points (hypothesis)."""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from engine import break_even_occupancy, evaluate
from tests.support.reference_model import reference_point
from tests.support.strategies import axis, parameters

points = st.lists(st.tuples(axis, axis), min_size=1, max_size=20)


def _scale(p):
    return max(p.fixed_cost, p.host_contribution, p.places * p.weeks_per_year * 20_000, 1.0)


@given(parameters(), points)
def test_identity_provider_surplus(p, pts):
    o, u = np.array(pts).T
    m = evaluate(p, o, u)
    rhs = m["host_net_cost"] + m["outside_weeks"] * p.outside_fee - m["provider_cost"]
    np.testing.assert_allclose(m["provider_surplus"], rhs, rtol=1e-6, atol=1e-6 * _scale(p))


@given(parameters(), points)
def test_profit_share_never_negative(p, pts):
    o, u = np.array(pts).T
    assert np.all(evaluate(p, o, u)["profit_share"] >= 0)


@given(parameters(), points)
def test_matches_independent_scalar_model(p, pts):
    o, u = np.array(pts).T
    m = evaluate(p, o, u)
    params = p.to_mapping()
    for i, (oi, ui) in enumerate(pts):
        ref = reference_point(params, oi, ui)
        for name, expected in ref.items():
            got = float(m[name][i])
            if math.isnan(expected):
                assert math.isnan(got), name
            else:
                assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-6 * _scale(p)), name


@given(st.data(), points)
def test_no_deal_terms_equal_spot_for_provider(data, pts):
    fee = data.draw(st.floats(0, 20_000))
    p = data.draw(
        parameters(
            host_contribution=0.0,
            compensation_per_week=0.0,
            release_share=0.0,
            share_tiers=((0.0, 0.0),),
            deficit_support=0.0,
            local_fee=fee,
            outside_fee=fee,
        )
    )
    o, u = np.array(pts).T
    m = evaluate(p, o, u)
    np.testing.assert_allclose(m["provider_surplus"], m["provider_spot_surplus"], atol=1e-6 * _scale(p))


@given(parameters(), points, st.floats(0, 10_000))
def test_host_saving_rises_with_spot_price(p, pts, extra):
    o, u = np.array(pts).T
    low = evaluate(p, o, u)
    high = evaluate(p.replace(spot_price=p.spot_price + extra), o, u)
    assert np.all(high["host_saving"] >= low["host_saving"] - 1e-9 * _scale(p))
    grows = low["local_weeks"] * extra > 1e-6 * _scale(p)
    if extra > 1:
        assert np.all(high["host_saving"][grows] > low["host_saving"][grows])


@given(parameters(), st.lists(axis, min_size=1, max_size=10))
def test_break_even_is_first_point_with_surplus(p, us):
    u = np.array(us)
    be = break_even_occupancy(p, u)
    fine = np.linspace(0, 1, 2001)
    surplus = evaluate(p, fine[:, None], u[None, :])["provider_surplus"]
    tol = 1e-6 * _scale(p)
    for j, b in enumerate(be):
        if np.isnan(b):
            # no break-even: surplus is negative everywhere on a fine grid, including at o = 1
            assert np.all(surplus[:, j] < 0)
            continue
        assert evaluate(p, b, u[j])["provider_surplus"] >= -tol
        # every fine-grid occupancy more than 1e-6 below the break-even loses money
        below = fine < b - 1e-6
        assert np.all(surplus[below, j] < 0)
