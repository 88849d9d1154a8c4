"""Break-even occupancy: the smallest occupancy at which the provider's surplus is ≥ 0.

Solved exactly rather than searched. For deficit_support δ < 1 the surplus is ≥ 0
exactly when the surplus before sharing S0 is ≥ 0 (sharing only takes a part of surplus
above a non-negative threshold; deficit cover only gives back a part of a loss). S0 is
piecewise linear in occupancy with kinks only where local use fills the reserved places
(o = R/(uN)) and where outside placements spill into reserved places (o = (N−R)/((1−u)N));
between kinks the root is found by linear interpolation. With δ = 1 the host covers every
deficit and the surplus is never negative, so break-even is 0.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from engine.core.model import check_axes, compute, is_lazy, terms
from engine.core.parameters import Parameters

NUDGE = 1e-9  # moves a root that rounding left a hair below zero onto the positive side


def break_even_occupancy(params: Parameters, local_use: npt.ArrayLike) -> np.ndarray:
    """Break-even occupancy for each local use (same shape), NaN where there is none.

    Only ufuncs and np.where on the local-use array: a lazy (dask) array stays lazy.
    """
    _, u = check_axes(0.0, local_use)
    if not is_lazy(u):
        u = np.asarray(u, dtype=float)
    t = terms(params)
    n, reserved = float(params.places), float(params.reserved_places)
    with np.errstate(divide="ignore", invalid="ignore"):
        fills_reserved = np.clip(np.where(u > 0, reserved / (u * n), 2.0), 0.0, 1.0)
        spills_over = np.clip(np.where(u < 1, (n - reserved) / ((1 - u) * n), 2.0), 0.0, 1.0)
    # the four points where S0 may change slope, in order: 0, the two kinks, 1
    points = [
        0.0 * u,
        np.minimum(fills_reserved, spills_over),
        np.maximum(fills_reserved, spills_over),
        1.0 + 0.0 * u,
    ]
    s0 = [compute(t, point, u)["surplus_before_sharing"] for point in points]

    # the first point with S0 ≥ 0, and the root between it and the point before
    root = np.nan * u
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(len(points) - 1, 0, -1):
            between = points[k - 1] + (0.0 - s0[k - 1]) * (points[k] - points[k - 1]) / (s0[k] - s0[k - 1])
            root = np.where(s0[k] >= 0, between, root)
    root = np.where(s0[0] >= 0, points[0], root)
    root = np.clip(root, 0.0, 1.0)
    short = compute(t, root, u)["provider_surplus"] < 0
    root = np.where(short, np.minimum(root + NUDGE, 1.0), root)
    return np.where(params.deficit_support >= 1, 0.0, root)
