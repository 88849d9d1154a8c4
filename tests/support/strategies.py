"""Hypothesis strategies for valid parameters and grid points, shared by the test files."""

from __future__ import annotations

from hypothesis import strategies as st

from engine import Parameters

money_year = st.floats(0, 5_000_000, allow_nan=False)
money_week = st.floats(0, 20_000, allow_nan=False)
share = st.floats(0, 1, allow_nan=False)
# occupancies and local uses as people state them: to a billionth, not subnormal floats
axis = st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 9))


@st.composite
def share_tiers(draw):
    count = draw(st.integers(1, 4))
    mins = sorted(set(draw(st.lists(st.floats(0.01, 1), min_size=count - 1, max_size=count - 1))))
    shares = sorted(draw(st.lists(share, min_size=len(mins) + 1, max_size=len(mins) + 1)))
    return tuple(zip([0.0, *mins], shares, strict=True))


@st.composite
def parameters(draw, **fixed):
    places = fixed.get("places", draw(st.integers(1, 20)))
    values = {
        "places": places,
        "weeks_per_year": draw(st.floats(1, 53)),
        "fixed_cost": draw(money_year),
        "variable_cost": draw(st.floats(0, 2_000)),
        "local_fee": draw(money_week),
        "outside_fee": draw(money_week),
        "spot_price": draw(money_week),
        "host_contribution": draw(money_year),
        "reserved_places": draw(st.floats(0, places)),
        "release_share": draw(share),
        "compensation_per_week": draw(st.floats(0, 2_000)),
        "reasonable_return": draw(st.floats(0, 0.99)),
        "share_tiers": draw(share_tiers()),
        "deficit_support": draw(share),
    }
    values.update(fixed)
    return Parameters(**values)
