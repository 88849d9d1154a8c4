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
(from the identity of docs/model.md): the contract terms that only move money between the two
parties (host contribution, tier shares, release, compensation, reasonable return,
deficit support, local fee) leave it unchanged. Then the Nash product g·(total − g) peaks
where the gains are equal, along a whole line of terms; the engine reports the point of
that line nearest today's terms (``params``) for both balanced points. When the swept
terms change the total (spot price, outside fee, places, weeks) or the line misses the
zone, the Nash point is searched for over the whole box: the sweep's pairs and the points
where the zone's edge crosses its grid lines (bisected) seed zooms from every local maximum,
each zoom keeping its own edge points, to 1e-4 of each swept range (docs/negotiation.md
states the method and its tolerance). A zone thinner than a step of the sweep, with no pair
in it, is found where it crosses a grid line between a pair only the provider accepts and
one only the host accepts (each party's edge bisected there); it seeds the zooms and the
equal-gains search the same way. Every point reported is accepted by both.
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
    evaluate_levers,
    lever_bounds,
    lever_value,
    name_problem,
    parse_range,
    tier_index,
)
from engine.negotiation.rules import DEFAULT_RULES, Rule, judge, needed_figures, parse_rules, statistic_key
from engine.risk.measure_stats import summarise, worst_tail
from engine.risk.uncertainty import Uncertainty, grid_outcomes

DEFAULT_LEVERS = ("host_contribution", "top_share_rate")
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
ZOOM_LEVELS, ZOOM_POINTS, ZOOM_SHRINK = 5, 11, 5  # equal gains: 11 × 11 around the nearest, 1/5 each level
# The Nash search (docs/negotiation.md): seeds from separate places, each zoomed ± ZOOM_REACH grid steps
NASH_SEEDS, SEED_RADIUS, ZOOM_REACH, NASH_POINTS = 3, 2.0, 1.5, 7  # 7 × 7 grids, half as wide each level
TERM_TOLERANCE = 1e-4  # the last zoom's grid spacing, as a share of each swept range
MAX_LEVELS = 12
SEED_BISECT_STEPS, BISECT_STEPS, FINAL_BISECT_STEPS = 3, 3, 16  # halvings of a segment to the zone's edge
SEED_SEGMENTS, ZOOM_SEGMENTS = 64, 8  # edge segments bisected at once (the most promising first)
SLIVER_STEPS = 20  # halvings locating each party's edge where the zone is thinner than a step
BINDING_NUDGE = 1e-6  # share of a range: a rule failing this close to the deal holds it there
EQUAL_TOLERANCE = 0.01  # £: gains this close count as equal
MAX_CROSSINGS = 512
EQUAL_METHOD = "Equal gains: provider_gain = host_gain where both accept, the point nearest today's terms"


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
    low, high = lever_bounds(params, name)
    value = lever_value(params, name)
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
    terms: Sequence[str] = DEFAULT_LEVERS,
    ranges: Mapping[str, Sequence[Any]] | None = None,
    steps: int | Sequence[int] = DEFAULT_STEPS,
    outcomes: Outcomes | Uncertainty | None = None,
    chunk_cells: int = DEFAULT_CHUNK_CELLS,
) -> AgreementZone:
    """Who accepts at every pair of two swept terms.

    ``rules``: rows of (party, statistic, measure, operator, threshold) or ``Rule``s.
    ``terms``: two names from ``engine.negotiation.levers.lever_names(params)``. ``ranges``: name →
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
    return _assess(params, rules, assignments, negotiation_outcomes(outcomes), chunk_cells)


def _assess(
    params: Parameters,
    rules: tuple[Rule, ...],
    assignments: Mapping[str, Any],
    outcomes: Outcomes,
    chunk_cells: int,
) -> pd.DataFrame:
    """``assess_terms`` for values already checked (the searches' points inside a checked sweep)."""
    keys = tuple(dict.fromkeys((*PARTY_FIGURES, *needed_figures(rules))))
    outcomes = outcomes.supported()  # an outcome of weight 0 changes no statistic: not computed
    weights = outcomes.weights

    def reduce(values: dict[str, Any]) -> dict[str, Any]:
        return {
            statistic_key(statistic, name): summarise(values[name], weights, statistic, worst_tail(name))
            for statistic, name in keys
        }

    measures = tuple(dict.fromkeys(name for _, name in keys))
    figures = evaluate_levers(params, assignments, outcomes, reduce, chunk_cells, measures)
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
    zone table's columns at those terms, and for the Nash point ``binding`` (the rules, as
    "rule_2,rule_5", that fail 1e-6 of a range away: the zone's edge it sits on) and
    ``at_edge`` (the swept terms at an end of their range). ``refine=False`` keeps to the sweep's pairs (and
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
    return _assess(zone.params, zone.rules, assignments, zone.outcomes, zone.chunk_cells)


def _equal_gains(zone: AgreementZone, refine: bool) -> tuple[pd.DataFrame | None, str]:
    """Where provider_gain = host_gain inside the zone, nearest today's terms.

    The line is found where the gap between the gains changes sign between neighbouring
    pairs of the sweep, or (with ``refine``) between the two edges of a sliver of the zone
    thinner than a step (``_slivers``), each crossing solved along its segment. With
    ``refine`` the search then zooms: a finer 11 × 11 sweep around the nearest crossing
    (and around any crossing elsewhere that a zoom could bring nearer), its crossings solved
    again, each level five times finer, so the nearest point is not limited to where the
    line happens to cross the sweep's grid lines.
    """
    none = "Equal gains: no terms in the sweep give the parties equal gains where both accept"
    base = np.array([lever_value(zone.params, name) for name in zone.terms])
    span = np.array([np.ptp(axis) or 1.0 for axis in zone.axes])
    crossings = _crossings(zone, zone.axes, zone.table, base, span, refine)
    if crossings is None:
        return None, none
    if not refine:
        return crossings.iloc[[0]], EQUAL_METHOD
    spacing = _spacing(zone.axes)
    found = []
    for seed in _crossing_seeds(zone, crossings, base, span, spacing):
        best, step = seed, list(spacing)
        for _ in range(ZOOM_LEVELS):
            axes = [_zoom_axis(zone, i, float(best[zone.terms[i]].iloc[0]), step[i]) for i in range(2)]
            first, second = np.meshgrid(*axes, indexing="ij")
            local = _crossings(
                zone, axes, _assess_pairs(zone, first.ravel(), second.ravel()), base, span, True
            )
            if local is not None and _offset(local, zone, base, span)[0] < _offset(best, zone, base, span)[0]:
                best = local.iloc[[0]]
            step = [value / ZOOM_SHRINK for value in step]
        found.append(best)
    best = min(found, key=lambda row: float(_offset(row, zone, base, span)[0]))
    return best, EQUAL_METHOD


def _crossing_seeds(
    zone: AgreementZone, crossings: pd.DataFrame, base: np.ndarray, span: np.ndarray, spacing: list[float]
) -> list[pd.DataFrame]:
    """The nearest crossing, and the nearest from other places that a zoom could bring nearer still.

    A zoom moves a crossing by at most about one step of the sweep, so a crossing further
    from today's terms than the nearest by more than a step's diagonal cannot win; the
    others, more than ``SEED_RADIUS`` steps apart, each get a zoom (up to ``NASH_SEEDS``).
    """
    offsets = _offset(crossings, zone, base, span)  # sorted, nearest first
    reach = float(np.hypot(*(step / width for step, width in zip(spacing, span, strict=True))))
    scaled = np.stack(
        [crossings[name].to_numpy() / (step or 1.0) for name, step in zip(zone.terms, spacing, strict=True)],
        axis=1,
    )
    remaining = offsets <= offsets[0] + reach
    seeds: list[pd.DataFrame] = []
    while remaining.any() and len(seeds) < NASH_SEEDS:
        pick = int(np.argmax(remaining))  # the nearest left
        seeds.append(crossings.iloc[[pick]])
        remaining &= ~np.all(np.abs(scaled - scaled[pick]) <= SEED_RADIUS, axis=1)
    return seeds


def _crossings(zone, axes, table, base, span, refine) -> pd.DataFrame | None:
    """The accepted points of the equal-gains line among this sweep's crossings (with ``refine``, also
    those across its slivers), nearest ``base`` first."""
    n0, n1 = len(axes[0]), len(axes[1])
    gap = (table["provider_gain"] - table["host_gain"]).to_numpy().reshape(n0, n1)
    inside = (table["category"] == "both").to_numpy().reshape(n0, n1)
    first, second = np.meshgrid(axes[0], axes[1], indexing="ij")
    brackets = [_bracket(first, second, gap, inside, gap == 0, None)]
    for axis, name in enumerate(zone.terms):
        if not _is_integer(zone.params, name):  # a whole-number term cannot sit between two values
            brackets.append(_bracket(first, second, gap, inside, None, axis))
    if refine:
        brackets.append(_sliver_brackets(zone, axes, table))
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
    return chosen.iloc[np.argsort(_offset(chosen, zone, base, span), kind="stable")]


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


def _sliver_brackets(zone, axes, table):
    """Sign changes of the gap between the two edges of each sliver of ``_slivers`` (both accepted)."""
    rows, _ = _slivers(zone, axes, table, MAX_CROSSINGS)
    count = len(rows) // 3
    host_edge, provider_edge = rows.iloc[:count], rows.iloc[2 * count :]
    gap_h = (host_edge["provider_gain"] - host_edge["host_gain"]).to_numpy()
    gap_p = (provider_edge["provider_gain"] - provider_edge["host_gain"]).to_numpy()
    both = (host_edge["category"].to_numpy() == "both") & (provider_edge["category"].to_numpy() == "both")
    mask = (gap_h * gap_p < 0) & both
    a, b = zone.terms
    return (
        host_edge[a].to_numpy()[mask],
        provider_edge[a].to_numpy()[mask],
        host_edge[b].to_numpy()[mask],
        provider_edge[b].to_numpy()[mask],
        gap_h[mask],
        gap_p[mask],
    )


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
    """The accepted terms with the largest product of the two parties' gains over no deal.

    The search is global over the swept box (docs: negotiation.md): every pair of the
    sweep, every point where the zone's edge crosses the sweep's grid lines (located by
    bisection) and the points of any sliver of the zone thinner than a step
    (``_sliver_points``, also when no pair of the sweep is accepted) are candidates; the
    best few from separate places seed a zoom each, and each zoom keeps its grid, its own
    edge points and slivers until its spacing is ``TERM_TOLERANCE`` of each range. So a
    best deal on a sloping edge of the zone, far from any pair of the sweep, is found, and
    so is one in another part of the zone, or in a zone no pair of the sweep lies in.
    """
    table = zone.table
    feasible = _feasible(table)
    thin, thin_cells = table.iloc[:0], np.zeros(0, dtype=int)
    if refine:
        thin, thin_cells = _sliver_points(zone, zone.axes, table, SEED_SEGMENTS)
    if not feasible.any() and thin.empty:
        return (
            None,
            "Nash: no terms in the sweep are accepted by both with a gain for each over the no-deal position",
        )
    total = table["total_gain"].to_numpy()
    fixed_total = np.ptp(total) <= 1e-9 * max(1.0, float(np.max(np.abs(total))))
    if fixed_total and equal is not None and bool((equal[["provider_gain", "host_gain"]] > 0).all(axis=None)):
        return _with_binding(zone, equal), (
            "Nash: these terms only move money between the parties, so the total gain is fixed and the "
            "product of gains is largest where they are equal; the equal-gains point nearest today's terms"
        )
    product = np.where(feasible, table["nash_product"].to_numpy(), -np.inf)
    best = table.iloc[[int(np.argmax(product))]]
    if not refine:
        return best, "Nash: largest product of gains among the sweep's pairs where both accept"
    if not thin.empty and (
        not feasible.any() or float(thin["nash_product"].max()) > float(best["nash_product"].iloc[0])
    ):
        best = thin.iloc[[int(np.argmax(thin["nash_product"].to_numpy()))]]
    floor = float(best["nash_product"].iloc[0])
    edges, cells = _edge_points(zone, zone.axes, table, floor, SEED_BISECT_STEPS, SEED_SEGMENTS)
    if not thin.empty:  # a sliver's points seed zooms as the zone's edge points do
        edges = thin if edges.empty else pd.concat([edges, thin], ignore_index=True)
        cells = np.concatenate([cells, thin_cells])
    seeds = _seeds(zone, edges, cells)
    local = _climb(zone, seeds, _spacing(zone.axes))
    if float(local["nash_product"].iloc[0]) > float(best["nash_product"].iloc[0]):
        best = local
    return _with_binding(zone, best), (
        "Nash: largest product of gains where both accept, over the whole sweep: the best pairs and zone "
        "edges of the sweep refined, each to 1e-4 of the swept ranges"
    )


def _feasible(table: pd.DataFrame) -> np.ndarray:
    """Where both accept and each gains over its no-deal position (the product is defined)."""
    both = table["code"].to_numpy() == CATEGORIES.index("both")
    return both & (table["provider_gain"].to_numpy() > 0) & (table["host_gain"].to_numpy() > 0)


def _spacing(axes: Sequence[np.ndarray]) -> list[float]:
    return [float(np.ptp(axis)) / max(len(axis) - 1, 1) for axis in axes]


def _edge_points(
    zone: AgreementZone,
    axes: Sequence[np.ndarray],
    table: pd.DataFrame,
    floor: float,
    steps: int,
    most: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Points on the zone's edge where it crosses the grid lines of ``axes``, on the accepted side.

    A segment between neighbouring pairs, one feasible and one not, holds an edge point.
    Only segments that could beat ``floor`` are bisected: along one short segment the
    product moves from its value at the feasible end towards the (unconstrained) product
    at the other end, so a segment where both are below ``floor`` cannot. ``steps``
    halvings locate each edge point to 2^-steps of its segment; the ``most`` segments with
    the highest bound are bisected. A whole-number term is never bisected (it has no
    values between).
    """
    n0, n1 = len(axes[0]), len(axes[1])
    ok = _feasible(table)
    product = np.where(ok, table["nash_product"].to_numpy(), -np.inf)
    raw = (table["provider_gain"] * table["host_gain"]).to_numpy()
    raw = np.where(
        (table["provider_gain"] > 0).to_numpy() & (table["host_gain"] > 0).to_numpy(), raw, -np.inf
    )
    index = np.arange(n0 * n1).reshape(n0, n1)
    inner, outer = [], []
    for axis, name in enumerate(zone.terms):
        if _is_integer(zone.params, name) or len(axes[axis]) < 2:
            continue
        a = index[:-1, :] if axis == 0 else index[:, :-1]
        b = index[1:, :] if axis == 0 else index[:, 1:]
        a, b = a.ravel(), b.ravel()
        crossing = ok[a] != ok[b]
        inner.append(np.where(ok[a], a, b)[crossing])
        outer.append(np.where(ok[a], b, a)[crossing])
    if not inner:
        return table.iloc[:0], np.zeros(0, dtype=int)
    inner_at, outer_at = np.concatenate(inner), np.concatenate(outer)
    bound = np.maximum(product[inner_at], raw[outer_at])
    keep = np.flatnonzero(bound >= floor)
    keep = keep[np.argsort(-bound[keep], kind="stable")[:most]]
    if keep.size == 0:
        return table.iloc[:0], np.zeros(0, dtype=int)
    first, second = np.meshgrid(axes[0], axes[1], indexing="ij")
    grid = np.stack([first.ravel(), second.ravel()], axis=1)
    good, bad = grid[inner_at[keep]], grid[outer_at[keep]]
    for _ in range(steps):
        middle = (good + bad) / 2
        inside = _feasible(_assess_pairs(zone, middle[:, 0], middle[:, 1]))[:, None]
        good, bad = np.where(inside, middle, good), np.where(inside, bad, middle)
    rows = _assess_pairs(zone, good[:, 0], good[:, 1])
    ok_rows = _feasible(rows)
    return rows[ok_rows], inner_at[keep][ok_rows]


def _slivers(
    zone: AgreementZone, axes: Sequence[np.ndarray], table: pd.DataFrame, most: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Where the zone is thinner than a step of ``axes``: the accepted stretch of each grid-line segment
    whose one end only the provider accepts and the other only the host.

    Along such a segment each party's acceptance flips, in opposite directions, so both
    accept between the two flips if the provider's lies on the host's accepted side. The
    two flips are bisected together, ``SLIVER_STEPS`` halvings of the segment (each
    evaluated point narrows both); every segment at once, the ``most`` with the largest
    total gain at an end first. A party's acceptance is taken to flip once along the segment.
    Returns, for each segment whose stretch is not empty, three rows (blocks: the host's
    edge, the middle, the provider's edge, each on the accepted side) and the grid index of
    the segment's end nearest the middle.
    """
    n0, n1 = len(axes[0]), len(axes[1])
    provider = table["provider_accepts"].to_numpy(dtype=bool)
    host = table["host_accepts"].to_numpy(dtype=bool)
    index = np.arange(n0 * n1).reshape(n0, n1)
    provider_end, host_end = [], []
    for axis, name in enumerate(zone.terms):
        if _is_integer(zone.params, name) or len(axes[axis]) < 2:
            continue
        a = (index[:-1, :] if axis == 0 else index[:, :-1]).ravel()
        b = (index[1:, :] if axis == 0 else index[:, 1:]).ravel()
        opposite = (provider[a] != provider[b]) & (host[a] != host[b]) & (provider[a] != host[a])
        provider_end.append(np.where(provider[a], a, b)[opposite])
        host_end.append(np.where(provider[a], b, a)[opposite])
    ends = (np.concatenate(provider_end), np.concatenate(host_end)) if provider_end else None
    if ends is None or ends[0].size == 0:
        return table.iloc[:0], np.zeros(0, dtype=int)
    total = table["total_gain"].to_numpy()
    keep = np.argsort(-np.maximum(total[ends[0]], total[ends[1]]), kind="stable")[:most]
    p_at, h_at = ends[0][keep], ends[1][keep]
    first, second = np.meshgrid(axes[0], axes[1], indexing="ij")
    grid = np.stack([first.ravel(), second.ravel()], axis=1)
    start, stop = grid[p_at], grid[h_at]  # t = 0 at the provider's end, 1 at the host's
    bounds = [np.zeros(keep.size), np.ones(keep.size), np.zeros(keep.size), np.ones(keep.size)]
    for _ in range(SLIVER_STEPS):
        p_lo, p_hi, h_lo, h_hi = bounds  # the provider accepts at p_lo, not p_hi; the host at h_hi, not h_lo
        t = np.concatenate([(p_lo + p_hi) / 2, (h_lo + h_hi) / 2])
        point = np.tile(start, (2, 1)) + t[:, None] * np.tile(stop - start, (2, 1))
        rows = _assess_pairs(zone, point[:, 0], point[:, 1])
        says_provider = rows["provider_accepts"].to_numpy(dtype=bool)
        says_host = rows["host_accepts"].to_numpy(dtype=bool)
        for half in (slice(None, keep.size), slice(keep.size, None)):
            x, yes_p, yes_h = t[half], says_provider[half], says_host[half]
            p_lo, p_hi, h_lo, h_hi = bounds
            in_p, in_h = (p_lo < x) & (x < p_hi), (h_lo < x) & (x < h_hi)
            bounds = [
                np.where(in_p & yes_p, x, p_lo),
                np.where(in_p & ~yes_p, x, p_hi),
                np.where(in_h & ~yes_h, x, h_lo),
                np.where(in_h & yes_h, x, h_hi),
            ]
    host_edge, provider_edge = bounds[3], bounds[0]
    open_ = host_edge <= provider_edge
    if not open_.any():
        return table.iloc[:0], np.zeros(0, dtype=int)
    middle = (host_edge[open_] + provider_edge[open_]) / 2
    t = np.concatenate([host_edge[open_], middle, provider_edge[open_]])
    point = np.tile(start[open_], (3, 1)) + t[:, None] * np.tile((stop - start)[open_], (3, 1))
    return _assess_pairs(zone, point[:, 0], point[:, 1]), np.where(middle < 0.5, p_at[open_], h_at[open_])


def _sliver_points(
    zone: AgreementZone, axes: Sequence[np.ndarray], table: pd.DataFrame, most: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """The feasible points of ``_slivers`` (edges and middles) and the grid index each lies next to."""
    rows, cells = _slivers(zone, axes, table, most)
    ok = _feasible(rows)
    return rows[ok].reset_index(drop=True), np.tile(cells, 3)[ok]


def _seeds(zone: AgreementZone, edges: pd.DataFrame, cells: np.ndarray) -> list[pd.DataFrame]:
    """Starts for the zooms: the sweep's local maxima of the product, best first, from separate places.

    Each pair of the sweep counts with the best of its own product and the edge points
    next to it; a pair at least as good as its eight neighbours is a local maximum. The
    best, then the best more than ``SEED_RADIUS`` steps from every seed so far, up to
    ``NASH_SEEDS``; a maximum lower than the best by more than twice the product's largest
    change between neighbouring pairs is left out, as a zoom there cannot close that gap.
    """
    table = zone.table
    n0, n1 = (len(axis) for axis in zone.axes)
    value = np.where(_feasible(table), table["nash_product"].to_numpy(), -np.inf)
    edge_best = np.full(value.size, -np.inf)
    np.maximum.at(edge_best, cells, edges["nash_product"].to_numpy())
    score = np.maximum(value, edge_best).reshape(n0, n1)
    padded = np.pad(score, 1, constant_values=-np.inf)
    peak = np.isfinite(score)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                peak &= score >= padded[1 + di : 1 + di + n0, 1 + dj : 1 + dj + n1]
    top = float(score.max())
    reach = _product_step(zone)
    rows, columns = np.indices((n0, n1))
    seeds: list[pd.DataFrame] = []
    while peak.any() and len(seeds) < NASH_SEEDS:
        pick = int(np.argmax(np.where(peak, score, -np.inf)))
        if score.flat[pick] < top - 2 * reach:
            break
        if edge_best[pick] > value[pick]:
            mine = np.flatnonzero(cells == pick)
            seeds.append(edges.iloc[[int(mine[np.argmax(edges["nash_product"].to_numpy()[mine])])]])
        else:
            seeds.append(table.iloc[[pick]])
        i, j = divmod(pick, n1)
        peak &= ~((np.abs(rows - i) <= SEED_RADIUS) & (np.abs(columns - j) <= SEED_RADIUS))
    return seeds


def _product_step(zone: AgreementZone) -> float:
    """The largest change of the product between neighbouring accepted pairs of the sweep."""
    n0, n1 = (len(axis) for axis in zone.axes)
    return _largest_step(
        np.where(_feasible(zone.table), zone.table["nash_product"].to_numpy(), np.nan), n0, n1
    )


def _largest_step(product: np.ndarray, n0: int, n1: int) -> float:
    """The largest change between neighbours of a product map (NaN where not accepted)."""
    grid = product.reshape(n0, n1)
    with np.errstate(invalid="ignore"):
        steps = [np.abs(np.diff(grid, axis=axis)) for axis in (0, 1) if grid.shape[axis] > 1]
    finite = [float(np.nanmax(s)) for s in steps if np.isfinite(s).any()]
    return max(finite, default=0.0)


def _climb(zone: AgreementZone, seeds: list[pd.DataFrame], spacing: list[float]) -> pd.DataFrame:
    """Zoom on every seed: a 7 × 7 grid ± 1.5 steps and its edge points, half as wide each level.

    The last level's grid spacing is at most ``TERM_TOLERANCE`` of each swept range, and
    its edge points are bisected to ``FINAL_BISECT_STEPS`` halvings of that. After each
    level a seed is dropped when the product's largest change between neighbours of its
    own grid, twice over, cannot lift it to the best found so far: the next level searches
    only 1.5 of those steps around it.
    """
    spans = [float(np.ptp(axis)) for axis in zone.axes]
    half = [ZOOM_REACH * step for step in spacing]
    live = list(seeds)
    for _ in range(MAX_LEVELS):
        step = [2 * h / (NASH_POINTS - 1) for h in half]
        last = all(
            s <= TERM_TOLERANCE * span or span == 0 or _is_integer(zone.params, name)
            for s, span, name in zip(step, spans, zone.terms, strict=True)
        )
        zoomed = [_zoom_once(zone, best, half, last) for best in live]
        top = max(float(best["nash_product"].iloc[0]) for best, _ in zoomed)
        live = [best for best, reach in zoomed if float(best["nash_product"].iloc[0]) + 2 * reach >= top]
        if last:
            break
        half = [ZOOM_REACH * s for s in step]
    return max(live, key=lambda best: float(best["nash_product"].iloc[0]))


def _zoom_once(
    zone: AgreementZone, best: pd.DataFrame, half: list[float], last: bool
) -> tuple[pd.DataFrame, float]:
    """One zoom level around ``best``: the better of it and the level's grid, edge and sliver points,
    and the product's largest change between neighbours of that grid."""
    centre = [float(best[name].iloc[0]) for name in zone.terms]
    axes = [_zoom_axis(zone, i, centre[i], half[i], NASH_POINTS) for i in range(2)]
    first, second = np.meshgrid(*axes, indexing="ij")
    rows = _assess_pairs(zone, first.ravel(), second.ravel())
    feasible = _feasible(rows)
    reach = _largest_step(np.where(feasible, rows["nash_product"].to_numpy(), np.nan), *first.shape)
    floor = float(best["nash_product"].iloc[0])
    steps = FINAL_BISECT_STEPS if last else BISECT_STEPS
    edges, _ = _edge_points(zone, axes, rows, floor, steps, ZOOM_SEGMENTS)
    thin, _ = _sliver_points(zone, axes, rows, ZOOM_SEGMENTS)
    parts = [frame for frame in (rows[feasible], edges, thin) if not frame.empty]
    found = pd.concat(parts, ignore_index=True) if parts else edges
    if not found.empty:
        pick = int(np.argmax(found["nash_product"].to_numpy()))
        if float(found["nash_product"].iloc[pick]) > floor:
            return found.iloc[[pick]], reach
    return best, reach


def _with_binding(zone: AgreementZone, best: pd.DataFrame) -> pd.DataFrame:
    """``best`` with ``binding``: the rules that fail a hair's breadth away (what holds the deal there),
    and ``at_edge``: the swept terms at an end of their range."""
    best = best.reset_index(drop=True)
    spans = [float(np.ptp(axis)) for axis in zone.axes]
    centre = [float(best[name].iloc[0]) for name in zone.terms]
    moves = []
    for i in range(2):
        for sign in (-1.0, 1.0):
            point = list(centre)
            point[i] = centre[i] + sign * BINDING_NUDGE * (spans[i] or 1.0)
            moves.append(point)
    near = _assess_pairs(zone, [p[0] for p in moves], [p[1] for p in moves])
    binding = [
        f"rule_{i}"
        for i in range(1, len(zone.rules) + 1)
        if bool(best[f"rule_{i}"].iloc[0]) and not bool(near[f"rule_{i}"].all())
    ]
    edge = [
        name
        for name, axis, value in zip(zone.terms, zone.axes, centre, strict=True)
        if np.ptp(axis) > 0 and min(value - axis.min(), axis.max() - value) <= BINDING_NUDGE * np.ptp(axis)
    ]
    return best.assign(binding=",".join(binding), at_edge=",".join(edge))


def _zoom_axis(
    zone: AgreementZone, index: int, centre: float, spacing: float, points: int = ZOOM_POINTS
) -> np.ndarray:
    """``points`` values within ± ``spacing`` of ``centre``, inside the swept range."""
    axis = zone.axes[index]
    values = np.clip(centre + spacing * np.linspace(-1, 1, points), axis.min(), axis.max())
    if _is_integer(zone.params, zone.terms[index]):
        values = np.round(values)
    return np.unique(values)


def _is_integer(params: Parameters, name: str) -> bool:
    return tier_index(params, name) is None and SPECS[name].integer
