"""The formulas of docs/model.md, vectorised: every measure at every (occupancy, local use).

``compute`` is the formulas alone, on whatever arrays come in (numpy, or dask arrays
through numpy's dispatch), with contract terms that may themselves be arrays so that a
sweep of terms broadcasts against the outcome grid. ``evaluate`` is the public entry:
it validates the axes and calls ``compute`` with a validated ``Parameters``.

``compute`` ends with three steps of its own (``share_surplus``, ``provider_results``,
``host_results``) so that regions and portfolios apply the same formulas to a council's
part or to a sum over homes instead of writing them again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.core.errors import ParameterError
from engine.core.measures import MEASURE_NAMES
from engine.core.parameters import Parameters

# The array type that came in: numpy.ndarray, or a duck array (dask) that numpy's protocols dispatch to.
# numpy's typing has no type for "an array with numpy's operators" (npt.ArrayLike also holds lists and
# scalars, which have none), so the formulas inside stay untyped; the entry points take npt.ArrayLike.
Array = Any
TIER_TOLERANCE = 1e-9  # docs/model.md: σ(u) uses min_local_use ≤ u with this tolerance


def as_array(values: npt.ArrayLike) -> Array:
    """Lists, tuples and scalars become float arrays; arrays pass through untouched."""
    if hasattr(values, "__array_function__"):
        return values
    return np.asarray(values, dtype=float)


def is_lazy(values: Any) -> bool:
    """A lazy array (dask): reading its values here would compute it behind the caller's back."""
    return hasattr(values, "__dask_graph__")


def as_axis(values: Any) -> Array:
    """An axis as a 1-d float array; a lazy array stays lazy (no np.asarray on it)."""
    array = as_array(values)
    if array.dtype != float:
        array = array.astype(float)
    return array.ravel()


def axis_problems(name: str, values: Array) -> list[tuple[str, str]]:
    """Problems with an axis: values must be numbers within [0, 1] (NaN is not)."""
    inside = (values >= 0) & (values <= 1)  # False for NaN
    if bool(np.all(inside)):
        return []
    return [(name, f"{name} values must be within [0, 1] (0 % to 100 %); found values outside or missing")]


def share_rate(share_tiers: Sequence[tuple[Any, Any]], local_use: Array) -> Array:
    """σ(u): the share of the last tier whose min_local_use ≤ u (+1e-9 tolerance).

    Loops over the few tiers, never over cells; a tier's share may be an array (a sweep).
    """
    rate = share_tiers[0][1] + 0.0 * local_use
    for lowest, share in share_tiers[1:]:
        rate = np.where(local_use + TIER_TOLERANCE >= lowest, share, rate)
    return rate


def safe_divide(numerator: Array, denominator: Array) -> Array:
    """numerator / denominator, NaN where the denominator is 0, without warnings."""
    nonzero = denominator != 0
    with np.errstate(over="ignore"):  # a denominator of a few pence gives ±inf, which is right
        return np.where(nonzero, numerator / np.where(nonzero, denominator, 1.0), np.nan)


def compute(terms: Mapping[str, Any], occupancy: Array, local_use: Array) -> dict[str, Array]:
    """Every measure of docs/model.md; ``terms`` holds the parameters by name (scalars or arrays).

    No validation here: callers that take user input go through ``evaluate``.
    """
    o, u = occupancy, local_use
    n, w = terms["places"], terms["weeks_per_year"]
    p_l, p_x, v = terms["local_fee"], terms["outside_fee"], terms["variable_cost"]
    reserved = terms["reserved_places"]

    local = u * o * n
    outside = (1 - u) * o * n
    grid_zero = 0.0 * local  # adds the full grid shape to measures that depend on one axis only
    local_unres = np.maximum(local - reserved, 0.0)
    released = np.maximum(outside - (n - reserved - local_unres), 0.0)
    local_weeks = w * local
    outside_weeks = w * outside
    released_weeks = w * released

    provider_fees = w * (local * p_l + outside * p_x)
    provider_revenue = provider_fees + terms["host_contribution"]
    provider_cost = terms["fixed_cost"] + w * (local + outside) * v
    compensation = terms["compensation_per_week"] * outside_weeks
    release_credit = terms["release_share"] * p_x * released_weeks
    surplus_before = provider_revenue - provider_cost - compensation - release_credit
    host_fees = local_weeks * p_l
    host_spot_cost = local_weeks * terms["spot_price"]
    provider_spot_surplus = w * (local + outside) * (p_x - v) - terms["fixed_cost"]

    values = {
        "local_places": local,
        "outside_places": outside,
        "local_places_unreserved": local_unres,
        "released_places": released,
        "local_weeks": local_weeks,
        "outside_weeks": outside_weeks,
        "vacant_weeks": w * (n - o * n) + grid_zero,
        "released_weeks": released_weeks,
        "provider_fees": provider_fees,
        "provider_revenue": provider_revenue,
        "provider_cost": provider_cost,
        "compensation": compensation,
        "release_credit": release_credit,
        "surplus_before_sharing": surplus_before,
        "host_fees": host_fees,
        "host_contribution": terms["host_contribution"],
        "host_spot_cost": host_spot_cost,
        "provider_spot_surplus": provider_spot_surplus,
    }
    values.update(share_surplus(terms, surplus_before, provider_cost, u + grid_zero))
    values.update(provider_results(values))
    values.update(host_results(values))
    return {name: values[name] for name in MEASURE_NAMES}


def share_surplus(
    terms: Mapping[str, Any], surplus_before_sharing: Array, provider_cost: Array, local_use: Array
) -> dict[str, Array]:
    """Element 5 and deficit support: what the sharing clause moves between the parties.

    A step of its own because it is the one non-linear step: applied to one home's S0 it
    is the per-home deal, applied to the sum of several homes' S0 (and costs) it is a
    pooled deal, and the two differ (engine.members.portfolio). ``local_use`` sets σ and the
    shape of ``share_rate``.
    """
    threshold = terms["reasonable_return"] * provider_cost
    sigma = share_rate(terms["share_tiers"], local_use)
    profit_share = sigma * np.maximum(surplus_before_sharing - threshold, 0.0)
    deficit_cover = terms["deficit_support"] * np.maximum(-surplus_before_sharing, 0.0)
    return {
        "sharing_threshold": threshold,
        "share_rate": sigma,
        "profit_share": profit_share,
        "deficit_cover": deficit_cover,
    }


def provider_results(values: Mapping[str, Array]) -> dict[str, Array]:
    """The provider's bottom line from its flows and the sharing step (named as in docs/model.md).

    Every input is a sum of money, so these also hold for totals over several homes.
    """
    provider_surplus = values["surplus_before_sharing"] - values["profit_share"] + values["deficit_cover"]
    return {
        "provider_surplus": provider_surplus,
        "provider_margin": safe_divide(provider_surplus, values["provider_revenue"]),
        "provider_gain": provider_surplus - values["provider_spot_surplus"],
    }


def host_results(values: Mapping[str, Array]) -> dict[str, Array]:
    """The host's bottom line from its payments and credits (named as in docs/model.md).

    Every input is a sum of money or weeks, so these also hold for one council's part of
    a region (engine.members.region) and for totals over several homes (engine.members.portfolio).
    """
    host_net_cost = (
        values["host_fees"]
        + values["host_contribution"]
        - values["compensation"]
        - values["release_credit"]
        - values["profit_share"]
        + values["deficit_cover"]
    )
    return {
        "host_net_cost": host_net_cost,
        "host_cost_per_local_week": safe_divide(host_net_cost, values["local_weeks"]),
        "host_saving": values["host_spot_cost"] - host_net_cost,
    }


def check_axes(occupancy: npt.ArrayLike, local_use: npt.ArrayLike) -> tuple[Array, Array]:
    """Both axes as arrays, or one ``ParameterError`` naming each bad axis.

    A lazy (dask) axis is checked lazily: each of its blocks is checked when it is computed,
    and a bad block raises the same ``ParameterError`` then, so nothing is computed here.
    """
    o, u = as_array(occupancy), as_array(local_use)
    problems = [
        problem
        for name, values in (("occupancy", o), ("local_use", u))
        if not is_lazy(values)
        for problem in axis_problems(name, values)
    ]
    if problems:
        raise ParameterError(problems)
    return checked_lazily("occupancy", o), checked_lazily("local_use", u)


def checked_lazily(name: str, values: Array) -> Array:
    """A lazy array whose blocks raise ``ParameterError`` when computed with values outside [0, 1]."""
    if not is_lazy(values):
        return values
    return values.map_blocks(_checked_block, name, dtype=values.dtype)


def _checked_block(block: np.ndarray, name: str) -> np.ndarray:
    problems = axis_problems(name, block)
    if problems:
        raise ParameterError(problems)
    return block


def evaluate(params: Parameters, occupancy: npt.ArrayLike, local_use: npt.ArrayLike) -> dict[str, Array]:
    """Every measure of docs/model.md at the given points, broadcasting the two axes.

    ``evaluate(p, 0.8, 0.5)`` gives 0-d arrays; ``evaluate(p, o[:, None], u[None, :])``
    a grid; two equal-length 1-d arrays give one value per sampled point.
    """
    o, u = check_axes(occupancy, local_use)
    return compute(terms(params), o, u)


def terms(params: Parameters) -> dict[str, Any]:
    """The parameters as the mapping ``compute`` takes (share_tiers kept as pairs)."""
    return {name: getattr(params, name) for name in params.__dataclass_fields__}
