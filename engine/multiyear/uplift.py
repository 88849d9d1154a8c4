"""Uplift rules: how a price in the agreement moves from one year of the term to the next.

Fees, the host contribution, the compensation rate and the spot price each follow one rule.
A rule turns into an *index*: one factor per year, 1 in year 1 (the year the
``Parameters`` describe), so the price in year t is the year-1 price × index[t].

- ``fixed``: the price stays as agreed for the whole term (today's failing frameworks).
- ``index``: it rises by ``rate`` on every anniversary (``rate`` may be one value or one per
  anniversary, e.g. a CPI forecast).
- ``cost_linked``: it rises with the provider's cost of running the home full, i.e. the index
  is (F·fixed index + W·N·v·variable index) / (F + W·N·v): the two cost indices weighted by
  the year-1 cost mix at full occupancy (fixed index alone where both costs are 0).
- ``capped``: ``rate`` as for ``index``, but each year's rise is held within [floor, cap]
  (cap and floor apply to the annual rate, not to the cumulative rise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from engine.core.cells import format_value
from engine.core.errors import ParameterError
from engine.core.fields import ParameterSpec, is_number, range_problem, range_problems

UPLIFT_KINDS: tuple[str, ...] = ("fixed", "index", "cost_linked", "capped")
RATE_MIN, RATE_MAX = -0.5, 1.0  # a rise per year between −50 % and +100 %

Path = float | tuple[float, ...]  # one value for every year, or one per year / anniversary

# Templates for the three numbers of a rule; the term inputs prefix their names (fee_uplift_rate …).
RATE_SPEC = ParameterSpec(
    "rate",
    "",
    "Index rate a year",
    "share",
    0.02,
    minimum=RATE_MIN,
    maximum=RATE_MAX,
    help="Rise on every anniversary for 'index' and 'capped' (one value, or one per anniversary).",
)
CAP_SPEC = ParameterSpec(
    "cap",
    "",
    "Cap on the annual rise",
    "share",
    0.04,
    minimum=RATE_MIN,
    maximum=RATE_MAX,
    help="'capped' only: the most the price may rise in one year.",
)
FLOOR_SPEC = ParameterSpec(
    "floor",
    "",
    "Floor on the annual rise",
    "share",
    0.01,
    minimum=RATE_MIN,
    maximum=RATE_MAX,
    help="'capped' only: the least the price rises in one year.",
)


def path_array(value: Path, length: int) -> np.ndarray:
    """A one-value-or-path input as an array of ``length`` values (a path must have that many)."""
    return np.broadcast_to(np.asarray(value, dtype=float), (length,))


def path_problems(spec: ParameterSpec, value: Any, first_year: int) -> list[tuple[str, str]]:
    """Range problems of a one-value-or-path input, each element named by its year.

    ``first_year`` is the year of the path's first element: 1 for occupancy, 2 for a rise
    (the first rise is the one into year 2).
    """
    if not isinstance(value, tuple):
        message = range_problem(spec, value)
        return [(spec.name, message)] if message else []
    problems = []
    for year, element in enumerate(value, start=first_year):
        message = range_problem(spec, element)
        if message:
            shown = message.replace(f"{spec.name} = ", f"{spec.name} year {year} = ", 1)
            problems.append((spec.name, shown))
    return problems


def rule_problems(prefix: str, kind: Any, rate: Any, cap: Any, floor: Any) -> list[tuple[str, str]]:
    """Every problem with one rule, names prefixed as the term inputs spell them."""
    problems = []
    if kind not in UPLIFT_KINDS:
        problems.append((prefix, f"{prefix} = {format_value(kind)} must be one of {', '.join(UPLIFT_KINDS)}"))
    problems += path_problems(replace(RATE_SPEC, name=f"{prefix}_rate"), rate, first_year=2)
    problems += range_problems(
        [replace(CAP_SPEC, name=f"{prefix}_cap"), replace(FLOOR_SPEC, name=f"{prefix}_floor")],
        {f"{prefix}_cap": cap, f"{prefix}_floor": floor},
    )
    if is_number(cap) and is_number(floor) and floor > cap:
        problems.append(
            (
                f"{prefix}_floor",
                f"{prefix}_floor = {format_value(floor)} is above {prefix}_cap = {format_value(cap)}",
            )
        )
    return problems


@dataclass(frozen=True)
class UpliftRule:
    """How one price moves over the term (see the module docstring for the four kinds).

    ``rate`` is one rise per year or a tuple with one rise per anniversary (the rises into
    years 2, 3, …). ``cap`` and ``floor`` are used by ``capped`` only.
    """

    kind: str = "cost_linked"
    rate: Path = RATE_SPEC.default
    cap: float = CAP_SPEC.default
    floor: float = FLOOR_SPEC.default

    def __post_init__(self) -> None:
        if isinstance(self.rate, Sequence | np.ndarray) and not isinstance(self.rate, str):
            object.__setattr__(self, "rate", tuple(self.rate))
        problems = rule_problems("uplift", self.kind, self.rate, self.cap, self.floor)
        if problems:
            raise ParameterError(problems)


def index_from_rises(rises: np.ndarray) -> np.ndarray:
    """Cumulative index: 1 in year 1, then × (1 + rise) on every anniversary (axis 0)."""
    first = np.ones((1, *np.shape(rises)[1:]))
    return np.concatenate([first, np.cumprod(1.0 + rises, axis=0)], axis=0)


def rule_index(rule: UpliftRule, years: int, cost_index: np.ndarray) -> np.ndarray:
    """The index (one factor per year, 1 in year 1) that ``rule`` gives over ``years``.

    ``cost_index`` is the full-occupancy cost index that ``cost_linked`` follows.
    """
    if rule.kind == "fixed":
        return np.ones(years)
    if rule.kind == "cost_linked":
        return cost_index
    rises = path_array(rule.rate, years - 1)
    if rule.kind == "capped":
        rises = np.clip(rises, rule.floor, rule.cap)
    return index_from_rises(rises)


def cost_index(
    fixed_cost: float, variable_cost_full: float, fixed_index: np.ndarray, variable_index: np.ndarray
) -> np.ndarray:
    """The provider's full-occupancy cost in year t ÷ the same in year 1.

    ``variable_cost_full`` is W·N·v, the variable cost of a full year. Where both costs are
    0 there is no mix to weight by, and the fixed-cost index is used.
    """
    total = fixed_cost + variable_cost_full
    if total == 0:
        return fixed_index
    return (fixed_cost * fixed_index + variable_cost_full * variable_index) / total
