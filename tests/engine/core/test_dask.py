"""The engine's formulas on dask arrays: the design promise that work which outgrows one
machine can pass dask arrays through the same functions (ufuncs and np.where only)."""

import dask.array as da
import numpy as np

from engine import Parameters, compute, evaluate
from engine.core.model import terms

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
