"""Which terms both parties accept, and the balanced deals inside that zone.

``agreement_zone`` sweeps two contract terms (default host_contribution × top_share_rate)
and, at every pair, takes each rule's statistic over an outcome set and says who accepts:
both, only the provider, only the host, or neither. ``balanced_points`` then picks, inside
the zone, the Nash bargaining terms and the equal-gains terms.

Outcomes and their weights. Rules such as "expected margin ≥ 5 %" need a probability for
each outcome. The default is the 21 × 21 grid weighted by the risk distributions of the
default ``Uncertainty`` (each grid point weighs the probability of the outcomes nearest to
it), because equal weights would count a year at 0 % occupancy as likely as one at 85 %
and make almost any "probability of loss" rule fail. Pass an ``Uncertainty`` to weight
the grid by the Risk sheet's inputs, ``grid_outcomes()`` for equal weights, or
``draw_outcomes(...)`` for Monte Carlo draws (the same draws at every pair of terms).

Gains. Each party's no-deal position is the spot market: for the provider
``provider_spot_surplus``, for the host ``host_spot_cost``. Expected gains are
provider_gain = E[provider_surplus − provider_spot_surplus] and host_gain =
E[host_spot_cost − host_net_cost] = E[host_saving]. Their sum is E[local_weeks]·(s − p_X)
(from the identity of MODEL.md): the contract terms that only move money between the two
parties (host contribution, tier shares, release, compensation, reasonable return,
deficit support, local fee) leave it unchanged. Then the Nash product g·(total − g) peaks
where the gains are equal, along a whole line of terms; the engine reports the point of
that line nearest today's terms (``params``) for both balanced points. When the swept
terms change the total (spot price, outside fee, places, weeks) or the line misses the
zone, the Nash point is searched for directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from engine.core.cells import format_value
from engine.core.errors import ParameterError
from engine.core.outcomes import Outcomes
from engine.core.parameters import SPECS, Parameters
from engine.negotiation.levers import (
    DEFAULT_CHUNK_CELLS,
    check_values,
    evaluate_terms,
    name_problem,
    parse_range,
    term_bounds,
    term_value,
    tier_index,
)
from engine.negotiation.rules import DEFAULT_RULES, Rule, judge, needed_figures, parse_rules, statistic_key
from engine.risk.measure_stats import summarise, worst_tail
from engine.risk.uncertainty import Uncertainty, grid_outcomes

DEFAULT_TERMS = ("host_contribution", "top_share_rate")
DEFAULT_STEPS = 41
MAX_STEPS = 1001
CATEGORIES = ("neither", "host_only", "provider_only", "both")  # code = position
CATEGORY_LABELS = {
    "both": "Both accept",
    "provider_only": "Only the provider accepts",
    "host_only": "Only the host accepts",
    "neither": "Neither accepts",
}
PARTY_FIGURES = (
    ("mean", "provider_surplus"),
    ("mean", "provider_spot_surplus"),
    ("mean", "provider_gain"),
    ("mean", "host_net_cost"),
    ("mean", "host_spot_cost"),
    ("mean", "host_saving"),
)
ILLINOIS_STEPS = 12  # bracketed root steps for the equal-gains line (piecewise-linear gains)
ZOOM_LEVELS, ZOOM_POINTS, ZOOM_SHRINK = 5, 11, 5  # Nash refinement: 11 × 11 around the best, 1/5 each level
EQUAL_TOLERANCE = 0.01  # £: gains this close count as equal
MAX_CROSSINGS = 512


@dataclass(frozen=True, eq=False)
class AgreementZone:
    """The verdict at every pair of swept terms.

    ``table`` has one row per pair (first term varying slowest) with the columns of
    ``figures_columns``: the two term values, ``category`` and ``code`` (see
    CATEGORIES), each party's acceptance and gain, ``total_gain``, ``nash_product`` (NaN
    unless both gains are positive), the parties' expected figures, each rule's figure
    (``statistic(measure)``) and whether it holds (``rule_1``…).
    """

    params: Parameters
    rules: tuple[Rule, ...]
    terms: tuple[str, str]
    axes: tuple[np.ndarray, np.ndarray]
    outcomes: Outcomes = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    chunk_cells: int = DEFAULT_CHUNK_CELLS

    def category_map(self) -> pd.DataFrame:
        """The zone as a map: rows the first term, columns the second, cells a category."""
        return self._map("category")

    def code_map(self) -> pd.DataFrame:
        """The same map as codes 0–3 (neither, host_only, provider_only, both) for colouring."""
        return self._map("code")

    def accepted(self) -> pd.DataFrame:
        """The rows of ``table`` where both parties accept."""
        return self.table[self.table["category"] == "both"].reset_index(drop=True)

    def _map(self, column: str) -> pd.DataFrame:
        first, second = self.axes
        return pd.DataFrame(
            self.table[column].to_numpy().reshape(len(first), len(second)),
            index=pd.Index(first, name=self.terms[0]),
            columns=pd.Index(second, name=self.terms[1]),
        )


def negotiation_outcomes(outcomes: Outcomes | Uncertainty | None = None) -> Outcomes:
    """The outcome set rules are judged over: see the module docstring for the default."""
    if isinstance(outcomes, Outcomes):
        return outcomes
    if outcomes is None or isinstance(outcomes, Uncertainty):
        return grid_outcomes(outcomes or Uncertainty())
    raise ParameterError([("outcomes", "outcomes must be an Uncertainty, an Outcomes set, or empty")])


def default_range(params: Parameters, name: str) -> tuple[float, float]:
    """The range swept when none is given.

    host_contribution: 0 to the fixed cost. Tier shares, release_share, deficit_support:
    their whole valid range. Other terms: half to one and a half times today's value,
    within the valid range (a term at 0 needs a range from the user).
    """
    low, high = term_bounds(params, name)
    value = term_value(params, name)
    if name == "host_contribution" and params.fixed_cost > 0:
        return 0.0, float(params.fixed_cost)
    if tier_index(params, name) is not None or name in ("release_share", "deficit_support"):
        return low, high
    if value == 0:
        raise ParameterError([(name, f"{name} is 0 today, so give the range to sweep it over")])
    return max(low, 0.5 * value), min(high, 1.5 * value)


def sweep_axis(params: Parameters, name: str, value_range: Sequence[Any] | None, steps: int) -> np.ndarray:
    """``steps`` equally spaced values over ``value_range`` (whole numbers for places)."""
    problem = name_problem(params, name)
    if problem:
        raise ParameterError([("term", problem)])
    if not (isinstance(steps, int | np.integer) and not isinstance(steps, bool) and 1 <= steps <= MAX_STEPS):
        raise ParameterError(
            [("steps", f"steps = {format_value(steps)} must be a whole number from 1 to {MAX_STEPS}")]
        )
    low, high = default_range(params, name) if value_range is None else parse_range(name, value_range)
    axis = np.linspace(low, high, steps) if steps > 1 else np.array([low])
    if tier_index(params, name) is None and SPECS[name].integer:
        axis = np.unique(np.round(axis))
    check_values(params, {name: axis})
    return axis


def agreement_zone(
    params: Parameters,
    rules: Any = DEFAULT_RULES,
    terms: Sequence[str] = DEFAULT_TERMS,
    ranges: Mapping[str, Sequence[Any]] | None = None,
    steps: int | Sequence[int] = DEFAULT_STEPS,
    outcomes: Outcomes | Uncertainty | None = None,
    chunk_cells: int = DEFAULT_CHUNK_CELLS,
) -> AgreementZone:
    """Who accepts at every pair of two swept terms.

    ``rules``: rows of (party, statistic, measure, operator, threshold) or ``Rule``s.
    ``terms``: two names from ``engine.negotiation.levers.term_names(params)``. ``ranges``: name →
    (low, high), default ``default_range``. ``steps``: values per term (one number for
    both, or two). ``outcomes``: see ``negotiation_outcomes``.
    """
    rules = parse_rules(rules)
    names = tuple(terms)
    if len(names) != 2 or names[0] == names[1]:
        raise ParameterError([("terms", "give two different terms to sweep")])
    steps_pair = (steps, steps) if isinstance(steps, int | np.integer) else tuple(steps)
    if len(steps_pair) != 2:
        raise ParameterError([("steps", "give one number of steps, or one for each term")])
    ranges = dict(ranges or {})
    unknown = [name for name in ranges if name not in names]
    if unknown:
        raise ParameterError(
            [("ranges", f"ranges are given for {', '.join(map(str, unknown))}, which are not swept")]
        )
    problems, axes = [], []
    for name, count in zip(names, steps_pair, strict=True):
        try:
            axes.append(sweep_axis(params, name, ranges.get(name), count))
        except ParameterError as error:
            problems += error.problems
    if problems:
        raise ParameterError(problems)
    first, second = np.meshgrid(axes[0], axes[1], indexing="ij")
    check_values(params, {names[0]: first.ravel(), names[1]: second.ravel()})
    chosen = negotiation_outcomes(outcomes)
    table = assess_terms(
        params, rules, {names[0]: first.ravel(), names[1]: second.ravel()}, chosen, chunk_cells
    )
    return AgreementZone(params, rules, names, (axes[0], axes[1]), chosen, table, chunk_cells)


def assess_terms(
    params: Parameters,
    rules: Any,
    assignments: Mapping[str, Any],
    outcomes: Outcomes | Uncertainty | None = None,
    chunk_cells: int = DEFAULT_CHUNK_CELLS,
) -> pd.DataFrame:
    """The zone's table for any list of settings: ``assignments`` maps term → values.

    ``assess_terms(params, rules, {"host_contribution": [params.host_contribution]})``
    judges today's terms.
    """
    rules = parse_rules(rules)
    check_values(params, assignments)
    outcomes = negotiation_outcomes(outcomes)
    keys = tuple(dict.fromkeys((*PARTY_FIGURES, *needed_figures(rules))))
    weights = outcomes.weights

    def reduce(values: dict[str, Any]) -> dict[str, Any]:
        return {
            statistic_key(statistic, name): summarise(values[name], weights, statistic, worst_tail(name))
            for statistic, name in keys
        }

    figures = evaluate_terms(params, assignments, outcomes, reduce, chunk_cells)
    verdicts = judge(rules, figures)
    provider, host = verdicts["provider_accepts"], verdicts["host_accepts"]
    code = 2 * provider.astype(int) + host.astype(int)
    provider_gain = figures[statistic_key("mean", "provider_gain")]
    host_gain = figures[statistic_key("mean", "host_saving")]
    both_gain = (provider_gain > 0) & (host_gain > 0)
    columns: dict[str, Any] = {
        name: np.ravel(np.asarray(values, dtype=float)) for name, values in assignments.items()
    }
    columns.update(
        {
            "category": np.asarray(CATEGORIES, dtype=object)[code],
            "code": code,
            "provider_accepts": provider,
            "host_accepts": host,
            "provider_gain": provider_gain,
            "host_gain": host_gain,
            "total_gain": provider_gain + host_gain,
            "nash_product": np.where(both_gain, provider_gain * host_gain, np.nan),
        }
    )
    columns.update({key: figures[key] for key in figures})
    columns.update({f"rule_{i}": verdicts[f"rule_{i}"] for i in range(1, len(rules) + 1)})
    return pd.DataFrame(columns)


def balanced_points(zone: AgreementZone, refine: bool = True) -> pd.DataFrame:
    """The Nash bargaining and equal-gains terms inside the zone, with each party's figures.

    Rows ``nash`` and ``equal_gains``; columns ``point``, ``found``, ``method``, then the
    zone table's columns at those terms. ``refine=False`` keeps to the sweep's pairs (and
    to linear interpolation between them for equal gains).
    """
    equal, equal_method = _equal_gains(zone, refine)
    nash, nash_method = _nash(zone, refine, equal)
    rows = []
    for point, found, method in (("nash", nash, nash_method), ("equal_gains", equal, equal_method)):
        values = found if found is not None else pd.DataFrame(np.nan, index=[0], columns=zone.table.columns)
        header = pd.DataFrame({"point": [point], "found": [found is not None], "method": [method]})
        rows.append(pd.concat([header, values.reset_index(drop=True)], axis=1))
    return pd.concat(rows, ignore_index=True)


def _assess_pairs(zone: AgreementZone, first: Any, second: Any) -> pd.DataFrame:
    a, b = np.broadcast_arrays(np.asarray(first, dtype=float), np.asarray(second, dtype=float))
    a = np.clip(a, zone.axes[0].min(), zone.axes[0].max())  # interpolation may overshoot by a rounding error
    b = np.clip(b, zone.axes[1].min(), zone.axes[1].max())
    assignments = {zone.terms[0]: a.ravel(), zone.terms[1]: b.ravel()}
    return assess_terms(zone.params, zone.rules, assignments, zone.outcomes, zone.chunk_cells)


def _equal_gains(zone: AgreementZone, refine: bool) -> tuple[pd.DataFrame | None, str]:
    """Where provider_gain = host_gain inside the zone, nearest today's terms.

    The line is found where the gap between the gains changes sign between neighbouring
    pairs of the sweep, each crossing solved along its segment. With ``refine`` the search
    then zooms: a finer 11 × 11 sweep around the nearest crossing, its crossings solved
    again, each level five times finer, so the nearest point is not limited to where the
    line happens to cross the sweep's grid lines.
    """
    none = "Equal gains: no terms in the sweep give the parties equal gains where both accept"
    base = np.array([term_value(zone.params, name) for name in zone.terms])
    span = np.array([np.ptp(axis) or 1.0 for axis in zone.axes])
    best = _nearest_crossing(zone, zone.axes, zone.table, base, span, refine)
    if best is None:
        return None, none
    if refine:
        spacing = [float(np.ptp(axis)) / max(len(axis) - 1, 1) for axis in zone.axes]
        for _ in range(ZOOM_LEVELS):
            axes = [_zoom_axis(zone, i, float(best[zone.terms[i]].iloc[0]), spacing[i]) for i in range(2)]
            first, second = np.meshgrid(*axes, indexing="ij")
            local = _nearest_crossing(
                zone, axes, _assess_pairs(zone, first.ravel(), second.ravel()), base, span, True
            )
            if local is not None and _offset(local, zone, base, span)[0] < _offset(best, zone, base, span)[0]:
                best = local
            spacing = [value / ZOOM_SHRINK for value in spacing]
    return best, "Equal gains: provider_gain = host_gain where both accept, the point nearest today's terms"


def _nearest_crossing(zone, axes, table, base, span, refine) -> pd.DataFrame | None:
    """The accepted point of the equal-gains line nearest ``base`` among this sweep's crossings."""
    n0, n1 = len(axes[0]), len(axes[1])
    gap = (table["provider_gain"] - table["host_gain"]).to_numpy().reshape(n0, n1)
    inside = (table["category"] == "both").to_numpy().reshape(n0, n1)
    first, second = np.meshgrid(axes[0], axes[1], indexing="ij")
    brackets = [_bracket(first, second, gap, inside, gap == 0, None)]
    for axis, name in enumerate(zone.terms):
        if not _is_integer(zone.params, name):  # a whole-number term cannot sit between two values
            brackets.append(_bracket(first, second, gap, inside, None, axis))
    a_lo, a_hi, b_lo, b_hi, f_lo, f_hi = (np.concatenate([part[i] for part in brackets]) for i in range(6))
    if a_lo.size == 0:
        return None
    distance = np.hypot(((a_lo + a_hi) / 2 - base[0]) / span[0], ((b_lo + b_hi) / 2 - base[1]) / span[1])
    keep = np.argsort(distance, kind="stable")[:MAX_CROSSINGS]
    a_lo, a_hi, b_lo, b_hi, f_lo, f_hi = (v[keep] for v in (a_lo, a_hi, b_lo, b_hi, f_lo, f_hi))
    t = _root_along(zone, (a_lo, a_hi, b_lo, b_hi), f_lo, f_hi, ILLINOIS_STEPS if refine else 0)
    rows = _assess_pairs(zone, a_lo + t * (a_hi - a_lo), b_lo + t * (b_hi - b_lo))
    gap_at = (rows["provider_gain"] - rows["host_gain"]).abs()
    # np.maximum of two Series is a Series (Series.clip); numpy's stubs say ndarray
    scale = np.maximum(rows["provider_gain"].abs(), rows["host_gain"].abs()).clip(lower=1.0)  # type: ignore[call-overload]
    good = rows["category"] == "both"
    if refine:  # without refinement the interpolated point is only near the line
        good &= gap_at <= np.maximum(EQUAL_TOLERANCE, 1e-6 * scale)
    if not good.any():
        return None
    chosen = rows[good]
    return chosen.iloc[[int(np.argmin(_offset(chosen, zone, base, span)))]]


def _offset(rows: pd.DataFrame, zone: AgreementZone, base: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Distance from today's terms, each term measured in widths of its sweep range."""
    return np.hypot(
        (rows[zone.terms[0]].to_numpy() - base[0]) / span[0],
        (rows[zone.terms[1]].to_numpy() - base[1]) / span[1],
    )


def _bracket(first, second, gap, inside, exact, axis):
    """Sign changes of ``gap`` between neighbours along ``axis`` next to an accepted pair
    (or, with ``exact``, the pairs where the gap is exactly 0), as bracket arrays."""
    if axis is None:
        mask = exact & inside
        return first[mask], first[mask], second[mask], second[mask], gap[mask], gap[mask]
    lo = (slice(None, -1), slice(None)) if axis == 0 else (slice(None), slice(None, -1))
    hi = (slice(1, None), slice(None)) if axis == 0 else (slice(None), slice(1, None))
    mask = (gap[lo] * gap[hi] < 0) & (inside[lo] | inside[hi])
    return first[lo][mask], first[hi][mask], second[lo][mask], second[hi][mask], gap[lo][mask], gap[hi][mask]


def _root_along(zone, segment, f_lo, f_hi, steps):
    """Position t in [0, 1] of gap = 0 along each segment: Illinois (bracketed false position).

    The gains are piecewise linear in the terms, so false position lands on the root in a
    few steps; the Illinois halving stops one end getting stuck at a kink.
    """
    a_lo, a_hi, b_lo, b_hi = segment
    t_a, t_b = np.zeros_like(f_lo), np.ones_like(f_lo)
    f_a, f_b = f_lo.astype(float), f_hi.astype(float)
    for _ in range(steps):
        with np.errstate(invalid="ignore", divide="ignore"):
            t_c = np.where(f_b != f_a, t_b - f_b * (t_b - t_a) / (f_b - f_a), t_b)
        t_c = np.clip(np.nan_to_num(t_c, nan=0.5), 0.0, 1.0)
        rows = _assess_pairs(zone, a_lo + t_c * (a_hi - a_lo), b_lo + t_c * (b_hi - b_lo))
        f_c = (rows["provider_gain"] - rows["host_gain"]).to_numpy()
        flipped = f_c * f_b < 0
        t_a, f_a = np.where(flipped, t_b, t_a), np.where(flipped, f_b, f_a / 2)
        t_b, f_b = t_c, f_c
    if steps == 0:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.clip(np.nan_to_num(f_lo / (f_lo - f_hi), nan=0.0), 0.0, 1.0)
    return t_b


def _nash(zone: AgreementZone, refine: bool, equal: pd.DataFrame | None) -> tuple[pd.DataFrame | None, str]:
    """The accepted terms with the largest product of the two parties' gains over no deal."""
    table = zone.table
    product = table["nash_product"].where(table["category"] == "both")
    if not product.notna().any():
        return (
            None,
            "Nash: no terms in the sweep are accepted by both with a gain for each over the spot market",
        )
    total = table["total_gain"].to_numpy()
    fixed_total = np.ptp(total) <= 1e-9 * max(1.0, float(np.max(np.abs(total))))
    if fixed_total and equal is not None and bool((equal[["provider_gain", "host_gain"]] > 0).all(axis=None)):
        return equal, (
            "Nash: these terms only move money between the parties, so the total gain is fixed and the "
            "product of gains is largest where they are equal; the equal-gains point nearest today's terms"
        )
    best = table.loc[[product.idxmax()]]
    if not refine:
        return best, "Nash: largest product of gains among the sweep's pairs where both accept"
    spacing = [float(np.ptp(axis)) / max(len(axis) - 1, 1) for axis in zone.axes]
    for _ in range(ZOOM_LEVELS):
        centre = [float(best[name].iloc[0]) for name in zone.terms]
        around = [_zoom_axis(zone, i, centre[i], spacing[i]) for i in range(2)]
        first, second = np.meshgrid(*around, indexing="ij")
        rows = _assess_pairs(zone, first.ravel(), second.ravel())
        candidate = rows["nash_product"].where(rows["category"] == "both")
        if candidate.notna().any() and candidate.max() > float(best["nash_product"].iloc[0]):
            best = rows.loc[[candidate.idxmax()]]
        spacing = [s / ZOOM_SHRINK for s in spacing]
    return best, "Nash: largest product of gains where both accept, refined around the best pair of the sweep"


def _zoom_axis(zone: AgreementZone, index: int, centre: float, spacing: float) -> np.ndarray:
    axis = zone.axes[index]
    values = np.clip(centre + spacing * np.linspace(-1, 1, ZOOM_POINTS), axis.min(), axis.max())
    if _is_integer(zone.params, zone.terms[index]):
        values = np.round(values)
    return np.unique(values)


def _is_integer(params: Parameters, name: str) -> bool:
    return tier_index(params, name) is None and SPECS[name].integer
