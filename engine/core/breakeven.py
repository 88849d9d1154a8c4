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

from engine.core.model import check_axes, compute, terms
from engine.core.parameters import Parameters

NUDGE = 1e-9  # moves a root that rounding left a hair below zero onto the positive side


def break_even_occupancy(params: Parameters, local_use: npt.ArrayLike) -> np.ndarray:
    """Break-even occupancy for each local use (same shape), NaN where there is none."""
    _, u = check_axes(0.0, local_use)
    u = np.asarray(u, dtype=float)
    t = terms(params)
    n, reserved = float(params.places), float(params.reserved_places)
    with np.errstate(divide="ignore", invalid="ignore"):
        fills_reserved = np.where(u > 0, reserved / (u * n), 2.0)
        spills_over = np.where(u < 1, (n - reserved) / ((1 - u) * n), 2.0)
    ends = np.broadcast_to(u, u.shape)
    points = np.stack([0.0 * ends, fills_reserved, spills_over, 1.0 + 0.0 * ends], axis=-1)
    points = np.sort(np.clip(points, 0.0, 1.0), axis=-1)
    s0 = compute(t, points, u[..., None])["surplus_before_sharing"]

    positive = s0 >= 0
    first = np.argmax(positive, axis=-1)[..., None]
    before = np.maximum(first - 1, 0)
    o_hi, s_hi = np.take_along_axis(points, first, -1), np.take_along_axis(s0, first, -1)
    o_lo, s_lo = np.take_along_axis(points, before, -1), np.take_along_axis(s0, before, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.where(first == 0, o_hi, o_lo + (0.0 - s_lo) * (o_hi - o_lo) / (s_hi - s_lo))[..., 0]
    root = np.clip(root, 0.0, 1.0)
    short = compute(t, root, u)["provider_surplus"] < 0
    root = np.where(short, np.minimum(root + NUDGE, 1.0), root)

    result = np.where(positive.any(axis=-1), root, np.nan)
    return np.where(params.deficit_support >= 1, 0.0, result)
