"""Levers: the contract terms a negotiation moves, their valid ranges, and chunked evaluation.

A "lever" is one contract term a sweep moves (``lever_names``); a "term" elsewhere in the
model is a multi-year agreement (``engine.multiyear``).

A negotiation moves one or two terms at a time (the host contribution, a tier's share,
any numeric parameter) and asks for statistics over an outcome set at every setting.
This module names those terms, checks values against the rules of docs/model.md, and
evaluates the model at thousands of settings × hundreds of outcomes in chunks so memory
stays bounded: each chunk is one call of ``compute`` with the moving terms as columns
(shape (c, 1)) broadcast against the outcomes as a row (shape (m,)), reduced to one
number per setting before the next chunk.

Tier shares. ``share_tier_<k>`` is the share of tier k (1 = the first tier) and
``top_share_rate`` the share of the last tier. Shares must never decrease from tier to
tier, so a tier's share may move only between its neighbours' shares (the tier below and
the tier above, 0 and 1 at the ends): a value outside is refused, naming the neighbour,
rather than silently moving the other tiers, so every point of a sweep differs from the
terms on the table in the swept terms only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from engine.core.cells import format_value, to_number
from engine.core.errors import ParameterError
from engine.core.model import compute, terms
from engine.core.outcomes import Outcomes, outcome_terms
from engine.core.parameters import NUMERIC, SPECS, Parameters, check

TOP_SHARE = "top_share_rate"
DEFAULT_CHUNK_CELLS = 1 << 17  # cells (settings × outcomes) per compute call: ~1 MB per array, cache-sized
_TIER = re.compile(r"^share_tier_(\d+)$")

Reduce = Callable[[dict[str, Any]], Mapping[str, Any]]


def lever_names(params: Parameters) -> tuple[str, ...]:
    """Every term that can move: the numeric parameters, each tier's share, top_share_rate."""
    tiers = tuple(f"share_tier_{k}" for k in range(1, len(params.share_tiers) + 1))
    return (*NUMERIC, *tiers, TOP_SHARE)


def lever_label(params: Parameters, name: str) -> str:
    """The name people read: the parameter's label, or "Share of tier k (local use ≥ min)"."""
    tier = tier_index(params, name)
    if tier is None:
        return SPECS[name].label
    lowest = params.share_tiers[tier][0]
    return f"Share of tier {tier + 1} (local use ≥ {lowest:.0%})"


def tier_index(params: Parameters, name: str) -> int | None:
    """0-based tier of ``share_tier_<k>`` or ``top_share_rate``; None for other names."""
    if name == TOP_SHARE:
        return len(params.share_tiers) - 1
    match = _TIER.match(name)
    if match and 1 <= int(match.group(1)) <= len(params.share_tiers):
        return int(match.group(1)) - 1
    return None


def lever_value(params: Parameters, name: str) -> float:
    """The term's value in ``params``."""
    tier = tier_index(params, name)
    return float(params.share_tiers[tier][1] if tier is not None else getattr(params, name))


def name_problem(params: Parameters, name: Any, label: str = "term") -> str | None:
    """Why ``name`` is not a term that can move, or None."""
    if isinstance(name, str) and name in lever_names(params):
        return None
    choices = ", ".join(lever_names(params))
    return f"{label} = {name!r} is not a term that can move; choose one of {choices}"


def lever_bounds(params: Parameters, name: str) -> tuple[float, float]:
    """The closed interval of valid values, the other terms held at ``params``.

    Open limits (weeks_per_year > 0, reasonable_return < 1) are stepped inside by one
    float; places cannot go below the reserved places, nor reserved places above places.
    """
    tier = tier_index(params, name)
    if tier is not None:
        shares = [share for _, share in params.share_tiers]
        below = shares[tier - 1] if tier > 0 else 0.0
        above = shares[tier + 1] if tier + 1 < len(shares) else 1.0
        return float(below), float(above)
    spec = SPECS[name]
    low = -math.inf if spec.minimum is None else float(spec.minimum)
    high = math.inf if spec.maximum is None else float(spec.maximum)
    if not spec.min_inclusive:
        low = math.nextafter(low, math.inf)
    if not spec.max_inclusive:
        high = math.nextafter(high, -math.inf)
    if name == "places":
        low = max(low, float(math.ceil(params.reserved_places)))
    if name == "reserved_places":
        high = min(high, float(params.places))
    return low, high


def value_problems(params: Parameters, name: str, values: Any) -> list[tuple[str, str]]:
    """The rules of docs/model.md broken by setting ``name`` to any of ``values`` (others held)."""
    array = np.ravel(np.asarray(values, dtype=float))
    if array.size == 0:
        return []
    tier = tier_index(params, name)
    if tier is None:
        extremes = {float(np.min(array)), float(np.max(array))} if np.all(np.isfinite(array)) else set()
        problems = [] if extremes else [(name, f"{name} values must be finite numbers")]
        mapping = params.to_mapping()
        for value in sorted(extremes):
            value = int(value) if SPECS[name].integer and value == int(value) else value
            problems += [p for p in check({**mapping, name: value}) if p not in problems]
        return problems
    low, high = lever_bounds(params, name)
    problems = []
    last = len(params.share_tiers) - 1
    for value in sorted({float(np.min(array)), float(np.max(array))}):
        shown = f"{name} = {format_value(value)}"
        if not math.isfinite(value):
            problems.append((name, f"{name} values must be finite numbers"))
        elif (value < low and tier == 0) or (value > high and tier == last):
            problems.append((name, f"{shown} must be within [0, 1]"))
        elif value < low:
            problems.append(
                (
                    name,
                    f"{shown} must be at least {format_value(low)}, the share of tier {tier}, so the shares "
                    "never decrease; lower that tier first",
                )
            )
        elif value > high:
            problems.append(
                (
                    name,
                    f"{shown} must be at most {format_value(high)}, the share of tier {tier + 2}, so the "
                    "shares never decrease; raise that tier first",
                )
            )
    return problems


def pair_problems(params: Parameters, assignments: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Rules that tie two moving terms together: reserved_places ≤ places."""
    if {"places", "reserved_places"} <= set(assignments):
        places = np.asarray(assignments["places"], dtype=float)
        reserved = np.asarray(assignments["reserved_places"], dtype=float)
        if np.any(reserved > places):
            return [("reserved_places", "the ranges let reserved_places exceed places; narrow one of them")]
    return []


def set_levers(base: Mapping[str, Any], params: Parameters, assignments: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` terms with ``assignments`` (name → value or array) applied, tiers included."""
    result = dict(base)
    tiers = list(result["share_tiers"])
    for name, value in assignments.items():
        tier = tier_index(params, name)
        if tier is None:
            result[name] = value
        else:
            tiers[tier] = (tiers[tier][0], value)
    result["share_tiers"] = tuple(tiers)
    return result


def evaluate_levers(
    params: Parameters,
    assignments: Mapping[str, Any],
    outcomes: Outcomes,
    reduce: Reduce,
    chunk_cells: int = DEFAULT_CHUNK_CELLS,
    measures: Iterable[str] | None = None,
) -> dict[str, np.ndarray]:
    """Reduce the model at every setting of the moving terms over ``outcomes``.

    ``assignments`` maps each moving term to a 1-d array (one value per setting, all the
    same length P; values already checked). ``reduce`` receives every measure as arrays
    whose last axis is the outcomes (shape (c, m), or (m,) for measures the moving terms
    do not touch) and returns named figures of shape (c,) or (); the result holds each
    figure for all P settings. Memory is bounded by ``chunk_cells`` cells per measure.
    ``measures`` names the measures ``reduce`` reads (default all): only those are computed.
    """
    arrays = {name: np.ravel(np.asarray(value, dtype=float)) for name, value in assignments.items()}
    count = len(next(iter(arrays.values())))
    per_chunk = max(1, chunk_cells // max(outcomes.size, 1))
    base = terms(params)
    pieces: dict[str, list[np.ndarray]] = {}
    for start in range(0, count, per_chunk):
        stop = min(start + per_chunk, count)
        chunk = {name: array[start:stop, None] for name, array in arrays.items()}
        moved = outcome_terms(set_levers(base, params, chunk), outcomes)
        figures = reduce(compute(moved, outcomes.occupancy, outcomes.local_use, measures))
        for key, value in figures.items():
            # a copy: a statistic may be a view into the chunk's (c, m) array (a quantile of a
            # partition), which would otherwise stay alive until the end, one per chunk
            pieces.setdefault(key, []).append(np.broadcast_to(np.array(value, dtype=float), (stop - start,)))
    return {key: np.concatenate(parts) for key, parts in pieces.items()}


def check_values(params: Parameters, assignments: Mapping[str, Any]) -> None:
    """One ``ParameterError`` naming every bad term name or value in ``assignments``."""
    problems = []
    for name, values in assignments.items():
        problem = name_problem(params, name)
        if problem:
            problems.append(("term", problem))
        else:
            problems += value_problems(params, name, values)
    problems += pair_problems(params, assignments)
    if problems:
        raise ParameterError(problems)


def parse_range(name: str, value_range: Sequence[Any]) -> tuple[float, float]:
    """(low, high) from two spreadsheet values, or one ParameterError (low above high is one)."""
    try:
        low_raw, high_raw = value_range
    except (TypeError, ValueError):
        raise ParameterError([(name, f"the range for {name} must be two numbers: low and high")]) from None
    parsed = [to_number(f"{name} {end}", raw) for end, raw in (("low", low_raw), ("high", high_raw))]
    problems = [(name, p.problem) for p in parsed if p.problem]
    if not problems and parsed[0].value > parsed[1].value:
        problems.append(
            (
                name,
                f"{name} low = {format_value(parsed[0].value)} is above "
                f"high = {format_value(parsed[1].value)}",
            )
        )
    if problems:
        raise ParameterError(problems)
    return parsed[0].value, parsed[1].value
