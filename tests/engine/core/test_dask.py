"""The engine's formulas on dask arrays: the design promise that work which outgrows one
machine can pass dask arrays through the same functions (ufuncs and np.where only).

Laziness is checked by counting computations with a dask callback: a function that reads
its lazy input (np.asarray, bool(np.all(...))) starts one, and the test fails."""

import dask.array as da
import numpy as np
import pytest
from dask.callbacks import Callback

from engine import (
    ParameterError,
    Parameters,
    TermInputs,
    break_even_occupancy,
    compute,
    evaluate,
    evaluate_contracts,
    payoff_grid,
    portfolio_evaluate,
    portfolio_grid,
    region_evaluate,
    region_grid,
    share_rate,
    term_grid,
    terms,
)

AXIS = np.linspace(0, 1, 41)


def test_every_measure_stays_lazy_and_equals_numpy():
    p = Parameters(deficit_support=0.3)  # every branch: release, sharing tiers, deficit cover
    o = da.from_array(AXIS, chunks=10)[:, None]
    u = da.from_array(AXIS, chunks=20)[None, :]
    lazy = evaluate(p, o, u)
    eager = evaluate(p, AXIS[:, None], AXIS[None, :])
    for name, value in lazy.items():
        assert isinstance(value, da.Array), name  # nothing computed behind the caller's back
        np.testing.assert_allclose(value.compute(), eager[name], rtol=1e-12, equal_nan=True, err_msg=name)


def test_sampled_points_and_swept_terms_in_chunks():
    rng = np.random.default_rng(7)
    o, u = rng.random(20_000), rng.random(20_000)
    contribution = np.array([0.0, 150_000.0, 300_000.0])[:, None]  # a sweep of a term broadcasts
    t = {**terms(Parameters()), "host_contribution": contribution}
    lazy = compute(t, da.from_array(o, chunks=5_000), da.from_array(u, chunks=5_000))
    eager = compute(t, o, u)
    assert lazy["provider_surplus"].shape == (3, 20_000)
    np.testing.assert_allclose(lazy["provider_surplus"].compute(), eager["provider_surplus"], rtol=1e-12)
    np.testing.assert_allclose(lazy["host_net_cost"].compute(), eager["host_net_cost"], rtol=1e-12)


class ComputeCounter(Callback):
    """Counts every dask computation started while it is active (np.asarray on a dask array is one)."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def _start(self, dsk):
        self.count += 1


COUNCILS = [["council", "contribution_share", "use_share"], ["North", 0.6, 0.3], ["South", 0.4, 0.7]]
HOMES = [["home", "places", "reserved_places"], ["Oak", 4, 3], ["Elm", 3, 1]]


def _lazy_axis(values, chunks=7):
    return da.from_array(np.asarray(values, dtype=float), chunks=chunks)


@pytest.mark.parametrize(
    "name, call",
    [
        ("compute", lambda o, u: compute(terms(Parameters()), o[:, None], u[None, :])),
        ("evaluate", lambda o, u: evaluate(Parameters(deficit_support=0.3), o[:, None], u[None, :])),
        ("payoff_grid", lambda o, u: payoff_grid(Parameters(), o, u).values),
        ("term_grid", lambda o, u: term_grid(Parameters(), TermInputs(years=3), o, u).values),
        ("break_even_occupancy", lambda o, u: {"b": break_even_occupancy(Parameters(reserved_places=2), u)}),
        ("share_rate", lambda o, u: {"s": share_rate(Parameters().share_tiers, u)}),
        ("evaluate_contracts", lambda o, u: evaluate_contracts(Parameters(), None, o[:, None], u[None, :])),
        ("region_evaluate", lambda o, u: region_evaluate(Parameters(), COUNCILS, o, u)),
        ("region_grid", lambda o, u: region_grid(Parameters(), COUNCILS, None, o, u).values),
        ("portfolio_evaluate", lambda o, u: portfolio_evaluate(Parameters(), HOMES, o, u)),
        ("portfolio_grid", lambda o, u: portfolio_grid(Parameters(), HOMES, o, u).values),
    ],
)
def test_a_lazy_input_stays_lazy_through_each_engine_function(name, call):
    o, u = _lazy_axis(AXIS), _lazy_axis(AXIS[::-1])
    with ComputeCounter() as counter:
        lazy = call(o, u)
    assert counter.count == 0, f"{name} computed its lazy input"
    lazy, eager = _arrays(lazy), _arrays(call(AXIS, AXIS[::-1]))
    assert set(lazy) == set(eager) and len(lazy) > 0
    for key, value in lazy.items():
        assert isinstance(value, da.Array), (name, key)
        np.testing.assert_array_equal(value.compute(), eager[key], err_msg=f"{name}: {key}")


def _arrays(result, prefix=""):
    """The arrays of a result as {"outer.inner": array}, through nested dicts."""
    found = {}
    for key, value in result.items():
        if isinstance(value, dict):
            found.update(_arrays(value, f"{prefix}{key}."))
        elif hasattr(value, "shape") and np.ndim(value) > 0:
            found[f"{prefix}{key}"] = value
    return found


def test_a_lazy_axis_outside_0_to_1_raises_when_computed_not_before():
    bad = _lazy_axis([0.2, 0.5, 1.5])
    with ComputeCounter() as counter:
        lazy = evaluate(Parameters(), bad, 0.5)
    assert counter.count == 0
    with pytest.raises(ParameterError, match="occupancy values must be within"):
        lazy["provider_surplus"].compute()
    with pytest.raises(ParameterError, match="local_use values must be within"):
        break_even_occupancy(Parameters(), _lazy_axis([np.nan, 0.5])).compute()
