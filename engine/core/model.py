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

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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


def compute(
    terms: Mapping[str, Any],
    occupancy: Array,
    local_use: Array,
    measures: Iterable[str] | None = None,
) -> dict[str, Array]:
    """The measures of docs/model.md; ``terms`` holds the parameters by name (scalars or arrays).

    ``measures`` names the measures wanted (default every one, in ``MEASURE_NAMES`` order):
    only those and what they are computed from are evaluated, so a caller that reads four
    measures does not pay for twenty-seven. Each measure is the same floating-point
    operations whichever others are asked for. Lazy (dask) arrays stay lazy. No validation
    here: callers that take user input go through ``evaluate``.
    """
    wanted = MEASURE_NAMES if measures is None else measure_names(measures)
    values = Quantities(terms, occupancy, local_use)
    return {name: values[name] for name in wanted}


def measure_names(measures: Iterable[str]) -> tuple[str, ...]:
    """The requested measure names, checked against the registry (one ``ParameterError`` for all)."""
    names = (measures,) if isinstance(measures, str) else tuple(dict.fromkeys(measures))
    unknown = [name for name in names if name not in MEASURE_NAMES]
    if unknown:
        raise ParameterError(
            [
                ("measures", f"{name!r} is not a measure; choose from {', '.join(MEASURE_NAMES)}")
                for name in unknown
            ]
        )
    return names


class Quantities(Mapping[str, Array]):
    """The model's quantities computed on first use, each from ``FORMULAS`` (and kept).

    ``known`` supplies quantities already computed elsewhere (a sum over homes, a council's
    part), so the shared steps below apply the same formulas to them.
    """

    def __init__(
        self,
        terms: Mapping[str, Any] | None = None,
        occupancy: Array = None,
        local_use: Array = None,
        known: Mapping[str, Array] | None = None,
    ) -> None:
        self.terms = terms if terms is not None else {}
        self.o, self.u = occupancy, local_use
        self._values: dict[str, Array] = dict(known or {})

    def __getitem__(self, name: str) -> Array:
        if name not in self._values:
            self._values[name] = FORMULAS[name](self)
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _placed(v: Quantities) -> Array:
    return v["local_places"] + v["outside_places"]


# Each quantity of docs/model.md from the terms (v.terms), the axes (v.o, v.u) and other quantities.
# Names starting with "_" are intermediate steps shared by several measures.
FORMULAS: dict[str, Callable[[Quantities], Array]] = {
    "local_places": lambda v: v.u * v.o * v.terms["places"],
    "outside_places": lambda v: (1 - v.u) * v.o * v.terms["places"],
    "_grid_zero": lambda v: 0.0 * v["local_places"],  # the full grid shape for one-axis measures
    "_local_use_grid": lambda v: v.u + v["_grid_zero"],
    "local_places_unreserved": lambda v: np.maximum(v["local_places"] - v.terms["reserved_places"], 0.0),
    "released_places": lambda v: np.maximum(
        v["outside_places"] - (v.terms["places"] - v.terms["reserved_places"] - v["local_places_unreserved"]),
        0.0,
    ),
    "local_weeks": lambda v: v.terms["weeks_per_year"] * v["local_places"],
    "outside_weeks": lambda v: v.terms["weeks_per_year"] * v["outside_places"],
    "vacant_weeks": lambda v: (
        v.terms["weeks_per_year"] * (v.terms["places"] - v.o * v.terms["places"]) + v["_grid_zero"]
    ),
    "released_weeks": lambda v: v.terms["weeks_per_year"] * v["released_places"],
    "_weeks_placed": lambda v: v.terms["weeks_per_year"] * _placed(v),
    "provider_fees": lambda v: (
        v.terms["weeks_per_year"]
        * (v["local_places"] * v.terms["local_fee"] + v["outside_places"] * v.terms["outside_fee"])
    ),
    "provider_revenue": lambda v: v["provider_fees"] + v.terms["host_contribution"],
    "provider_cost": lambda v: v.terms["fixed_cost"] + v["_weeks_placed"] * v.terms["variable_cost"],
    "compensation": lambda v: v.terms["compensation_per_week"] * v["outside_weeks"],
    "release_credit": lambda v: v.terms["release_share"] * v.terms["outside_fee"] * v["released_weeks"],
    "surplus_before_sharing": lambda v: (
        v["provider_revenue"] - v["provider_cost"] - v["compensation"] - v["release_credit"]
    ),
    "host_fees": lambda v: v["local_weeks"] * v.terms["local_fee"],
    "host_contribution": lambda v: v.terms["host_contribution"],
    "host_spot_cost": lambda v: v["local_weeks"] * v.terms["spot_price"],
    "provider_spot_surplus": lambda v: (
        v["_weeks_placed"] * (v.terms["outside_fee"] - v.terms["variable_cost"]) - v.terms["fixed_cost"]
    ),
    # Element 5 and deficit support (``share_surplus``)
    "sharing_threshold": lambda v: v.terms["reasonable_return"] * v["provider_cost"],
    "share_rate": lambda v: share_rate(v.terms["share_tiers"], v["_local_use_grid"]),
    "profit_share": lambda v: (
        v["share_rate"] * np.maximum(v["surplus_before_sharing"] - v["sharing_threshold"], 0.0)
    ),
    "deficit_cover": lambda v: v.terms["deficit_support"] * np.maximum(-v["surplus_before_sharing"], 0.0),
    # The provider's bottom line (``provider_results``)
    "provider_surplus": lambda v: v["surplus_before_sharing"] - v["profit_share"] + v["deficit_cover"],
    "provider_margin": lambda v: safe_divide(v["provider_surplus"], v["provider_revenue"]),
    "provider_gain": lambda v: v["provider_surplus"] - v["provider_spot_surplus"],
    # The host's bottom line (``host_results``)
    "host_net_cost": lambda v: (
        v["host_fees"]
        + v["host_contribution"]
        - v["compensation"]
        - v["release_credit"]
        - v["profit_share"]
        + v["deficit_cover"]
    ),
    "host_cost_per_local_week": lambda v: safe_divide(v["host_net_cost"], v["local_weeks"]),
    "host_saving": lambda v: v["host_spot_cost"] - v["host_net_cost"],
}
SHARING = ("sharing_threshold", "share_rate", "profit_share", "deficit_cover")
PROVIDER_RESULTS = ("provider_surplus", "provider_margin", "provider_gain")
HOST_RESULTS = ("host_net_cost", "host_cost_per_local_week", "host_saving")


def share_surplus(
    terms: Mapping[str, Any], surplus_before_sharing: Array, provider_cost: Array, local_use: Array
) -> dict[str, Array]:
    """Element 5 and deficit support: what the sharing clause moves between the parties.

    A step of its own because it is the one non-linear step: applied to one home's S0 it
    is the per-home deal, applied to the sum of several homes' S0 (and costs) it is a
    pooled deal, and the two differ (engine.members.portfolio). ``local_use`` sets σ and the
    shape of ``share_rate``.
    """
    known = {
        "surplus_before_sharing": surplus_before_sharing,
        "provider_cost": provider_cost,
        "_local_use_grid": local_use,
    }
    values = Quantities(terms, known=known)
    return {name: values[name] for name in SHARING}


def provider_results(values: Mapping[str, Array]) -> dict[str, Array]:
    """The provider's bottom line from its flows and the sharing step (named as in docs/model.md).

    Every input is a sum of money, so these also hold for totals over several homes.
    """
    found = Quantities(known=_without(values, PROVIDER_RESULTS))
    return {name: found[name] for name in PROVIDER_RESULTS}


def host_results(values: Mapping[str, Array]) -> dict[str, Array]:
    """The host's bottom line from its payments and credits (named as in docs/model.md).

    Every input is a sum of money or weeks, so these also hold for one council's part of
    a region (engine.members.region) and for totals over several homes (engine.members.portfolio).
    """
    found = Quantities(known=_without(values, HOST_RESULTS))
    return {name: found[name] for name in HOST_RESULTS}


def _without(values: Mapping[str, Array], names: Sequence[str]) -> dict[str, Array]:
    """``values`` less ``names``: results are always worked out again from their inputs (a sum
    over homes may carry a stale sum of the very results being recomputed)."""
    return {name: value for name, value in values.items() if name not in names}


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


def evaluate(
    params: Parameters,
    occupancy: npt.ArrayLike,
    local_use: npt.ArrayLike,
    measures: Iterable[str] | None = None,
) -> dict[str, Array]:
    """Every measure of docs/model.md (or only ``measures``) at the given points, broadcasting the two axes.

    ``evaluate(p, 0.8, 0.5)`` gives 0-d arrays; ``evaluate(p, o[:, None], u[None, :])``
    a grid; two equal-length 1-d arrays give one value per sampled point.
    """
    o, u = check_axes(occupancy, local_use)
    return compute(terms(params), o, u, measures)


def terms(params: Parameters) -> dict[str, Any]:
    """The parameters as the mapping ``compute`` takes (share_tiers kept as pairs)."""
    return {name: getattr(params, name) for name in params.__dataclass_fields__}
