"""Tornado sensitivity: which terms move a measure most, one term at a time.

Each term that can move (every numeric parameter and each tier's share) is set to a low
and a high value with all the others held, and the measure is taken at the expected
outcome (expected occupancy, local use and fixed-cost growth of the default
``Uncertainty``), or as a statistic over any outcome set. The rows are sorted by swing,
the biggest bar first, as a tornado chart draws them.

Low and high values: today's value −10 % and +10 % (``change``), clipped to the valid
range (a share stays within [0, 1] and between its neighbouring tiers; reserved places
stay at most places). Places is a whole number, so it moves to the whole numbers below
and above (4 → 3 and 5). A term at 0 does not move by a percentage; give it a range.
``ranges`` sets any term's low and high instead (checked, not clipped).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from engine.core.cells import format_value
from engine.core.errors import ParameterError
from engine.core.measures import measure
from engine.core.outcomes import Outcomes
from engine.core.parameters import SPECS, Parameters
from engine.negotiation.levers import (
    check_values,
    evaluate_levers,
    lever_bounds,
    lever_label,
    lever_names,
    lever_value,
    name_problem,
    parse_range,
)
from engine.risk.measure_stats import statistic_problem, summarise, worst_tail
from engine.risk.uncertainty import Uncertainty, expected_outcome

DEFAULT_CHANGE = 0.10
TORNADO_COLUMNS = (
    "parameter",
    "label",
    "value",
    "low_value",
    "high_value",
    "base",
    "at_low",
    "at_high",
    "low_change",
    "high_change",
    "swing",
)


def tornado(
    params: Parameters,
    measure_name: str = "provider_surplus",
    change: float = DEFAULT_CHANGE,
    ranges: Mapping[str, Sequence[Any]] | None = None,
    outcomes: Outcomes | None = None,
    statistic: str = "mean",
    uncertainty: Uncertainty | None = None,
) -> pd.DataFrame:
    """Swing of ``statistic`` of ``measure_name`` from moving each term, biggest first.

    Columns ``TORNADO_COLUMNS``: the term, its label, today's value, its low and high
    values, the figure today (``base``), at low and at high, their changes from base,
    and ``swing`` = |at_high − at_low|. ``outcomes`` default: the expected outcome of
    ``uncertainty`` (default inputs), where ``statistic="mean"`` is the measure's value.
    """
    problems = []
    try:
        measure(measure_name)
    except ParameterError as error:
        problems += error.problems
    problem = statistic_problem(statistic)
    if problem:
        problems.append(("statistic", problem))
    if not (isinstance(change, int | float) and not isinstance(change, bool) and 0 <= change <= 1):
        problems.append(
            ("change", f"change = {format_value(change)} must be a share from 0 to 1 (0.1 = ±10 %)")
        )
    ranges = dict(ranges or {})
    names = [name for name in lever_names(params) if name != "top_share_rate"]
    for name in ranges:
        found = name_problem(params, name, "ranges")
        if found:
            problems.append(("ranges", found))
    if problems:
        raise ParameterError(problems)
    chosen = outcomes if outcomes is not None else expected_outcome(uncertainty)
    given = {_canonical(params, name): value_range for name, value_range in ranges.items()}
    ends = {}
    for name in names:
        try:
            ends[name] = _ends(params, name, change, given.get(name))
            if name in given:
                check_values(params, {name: list(ends[name])})
        except ParameterError as error:
            problems += error.problems
    if problems:
        raise ParameterError(problems)
    weights, worst = chosen.weights, worst_tail(measure_name)

    def reduce(values: dict[str, Any]) -> dict[str, Any]:
        return {"figure": summarise(values[measure_name], weights, statistic, worst)}

    base_name = names[0]
    base = float(
        evaluate_levers(params, {base_name: [lever_value(params, base_name)]}, chosen, reduce)["figure"][0]
    )
    rows = []
    for name in names:
        low, high = ends[name]
        figure = evaluate_levers(params, {name: [low, high]}, chosen, reduce)["figure"]
        rows.append(
            {
                "parameter": name,
                "label": lever_label(params, name),
                "value": lever_value(params, name),
                "low_value": low,
                "high_value": high,
                "base": base,
                "at_low": float(figure[0]),
                "at_high": float(figure[1]),
                "low_change": float(figure[0]) - base,
                "high_change": float(figure[1]) - base,
                "swing": abs(float(figure[1]) - float(figure[0])),
            }
        )
    frame = pd.DataFrame(rows, columns=list(TORNADO_COLUMNS))
    order = np.argsort(-np.nan_to_num(frame["swing"].to_numpy(), nan=-1.0), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def _canonical(params: Parameters, name: str) -> str:
    """``top_share_rate`` is the last tier's ``share_tier_<k>``."""
    if name == "top_share_rate":
        return f"share_tier_{len(params.share_tiers)}"
    return name


def _ends(
    params: Parameters, name: str, change: float, value_range: Sequence[Any] | None
) -> tuple[float, float]:
    """Low and high values: the user's range, or today's value ∓ ``change`` clipped to the valid range."""
    if value_range is not None:
        return parse_range(name, value_range)
    value = lever_value(params, name)
    low, high = value * (1 - change), value * (1 + change)
    if name in SPECS and SPECS[name].integer:
        low, high = math.floor(low), math.ceil(high)
        if change > 0 and low == value:
            low -= 1
        if change > 0 and high == value:
            high += 1
    floor, ceiling = lever_bounds(params, name)
    # 200,000 × 1.1 is 220,000.00000000003 in floating point: show the value people expect
    low, high = (float(np.round(min(max(end, floor), ceiling), 9)) for end in (low, high))
    return low, high
