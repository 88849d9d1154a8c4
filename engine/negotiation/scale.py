"""The agreement zone at scale: a sweep of two or more terms × simulated years, in chunks.

A commissioning body sweeping two or three contract terms finely (hundreds of values each)
under tens of thousands of simulated years asks for 10⁹ or more evaluations: more than one
call of ``assess_terms`` should hold. This module cuts such a sweep into chunks a scheduler
can run anywhere, with no scheduler of its own (the engine runs in Pyodide and imports no
cluster library): ``plan_sweep`` checks the inputs and fixes the chunks; ``evaluate_chunk``
is the whole work of one chunk in one call (one task on a cluster); ``combine`` puts the
pieces back in order; ``sweep_summary`` says who accepts where.

Chunks. A chunk is a run of consecutive term combinations (the first term varying slowest,
as in ``agreement_zone``) evaluated over every draw, because a P90 or an expected shortfall
needs all the years of one combination at once. Inside a chunk, ``assess_terms`` evaluates
``chunk_cells`` cells (combinations × draws) per ``compute`` call, so a worker's memory is
bounded by that number, not by the chunk's length: at most ``BYTES_PER_CELL`` bytes per cell
(the model's measures and the statistics' partial sorts), and half the bound is left for the
process itself. One combination needs all its draws in one call, so the draws a bound allows
are at most ``memory / (2 · BYTES_PER_CELL)``: about a million for 1 GiB.
A combination's figures do not depend on which chunk it is in, so any chunking, and any
scheduler, gives identical numbers.

Draws. Every chunk draws the years itself from the seed with ``draw_outcomes``, the
Agreement sheet's own draws, so nothing but the plan travels to a worker and every
combination is judged over the same years (common random numbers: the zone's edges are
not blurred by sampling noise between neighbouring terms). The same plan therefore gives
the same table in-process, on one worker or on many, and equals ``agreement_zone`` with
``draw_outcomes(uncertainty, draws, seed)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from engine.core.cells import format_value
from engine.core.errors import ParameterError
from engine.core.outcomes import Outcomes
from engine.core.parameters import Parameters
from engine.members.sweep import Members, assess_members, check_members
from engine.negotiation.levers import check_values
from engine.negotiation.rules import Rule, parse_rules
from engine.negotiation.zone import CATEGORIES, AgreementZone, assess_terms, sweep_axis
from engine.risk.uncertainty import Uncertainty, check_draws, draw_outcomes

MEMORY_BYTES = 1 << 30  # the default bound on one worker's memory for one chunk: 1 GiB
BYTES_PER_CELL = 512  # a chunk's peak per cell of a block: measured 110–175 bytes (tracemalloc), ~3 × that
HEADROOM = 2  # the bound is split: half for the cells of one compute call, half for the process itself
COMPUTE_CELLS = 1 << 19  # cells per compute call when the draws are fewer: as fast as larger, less memory
CHUNK_WORK = 1 << 24  # cells per chunk (≈ 17 million, a few seconds): long enough to hide a task's cost
MAX_TERMS = 4
MAX_COMBINATIONS = 10_000_000  # rows of the table the sweep returns (about 2 GB of figures)


@dataclass(frozen=True, eq=False)
class SweepPlan:
    """A sweep ready to run: the terms' values, the rules, the years, and the chunks.

    ``axes`` holds each term's values; the combinations are their product, the first term
    varying slowest. ``settings_per_chunk`` combinations make a chunk; ``chunk_cells`` cells
    make one ``compute`` call inside it.
    """

    params: Parameters
    rules: tuple[Rule, ...]
    terms: tuple[str, ...]
    axes: tuple[np.ndarray, ...]
    uncertainty: Uncertainty
    draws: int
    seed: int
    settings_per_chunk: int
    chunk_cells: int
    memory_bytes: int = MEMORY_BYTES
    members: Members | None = None

    @property
    def rows_per_combination(self) -> int:
        """Rows of the table for one combination: 1, or one per member and per combined row."""
        return 1 if self.members is None else len(self.members.names)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(axis) for axis in self.axes)

    @property
    def combinations(self) -> int:
        return math.prod(self.shape)

    @property
    def cells(self) -> int:
        """Evaluations of the model: term combinations × draws."""
        return self.combinations * self.draws

    @property
    def chunks(self) -> int:
        return -(-self.combinations // self.settings_per_chunk)

    def bounds(self, index: int) -> tuple[int, int]:
        """The combinations [start, stop) of chunk ``index``."""
        if not 0 <= index < self.chunks:
            raise ParameterError([("chunk", f"chunk {index} is not one of the sweep's {self.chunks} chunks")])
        start = index * self.settings_per_chunk
        return start, min(start + self.settings_per_chunk, self.combinations)

    def settings(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Each term's value at combinations start … stop − 1."""
        positions = np.unravel_index(np.arange(start, stop), self.shape)
        return {name: axis[at] for name, axis, at in zip(self.terms, self.axes, positions, strict=True)}


def parse_lever(text: Any) -> tuple[str, float, float, int]:
    """``NAME=LOW:HIGH:COUNT`` as (name, low, high, count); one ParameterError if it is not."""
    message = f"{text!r} must read NAME=LOW:HIGH:COUNT, e.g. host_contribution=100000:300000:201"
    if not isinstance(text, str) or text.count("=") != 1:
        raise ParameterError([("terms", message)])
    name, spec = (part.strip() for part in text.split("="))
    parts = [part.strip().replace(",", "").replace("_", "") for part in spec.split(":")]
    if not name or len(parts) != 3:
        raise ParameterError([("terms", message)])
    try:
        low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise ParameterError([("terms", message)]) from None
    return name, low, high, count


def plan_sweep(
    params: Parameters,
    rules: Any,
    terms: Sequence[tuple[str, float, float, int]],
    uncertainty: Uncertainty | None = None,
    draws: int = 10_000,
    seed: int = 20261126,
    memory_bytes: int = MEMORY_BYTES,
    chunk_work: int = CHUNK_WORK,
    members: Members | None = None,
) -> SweepPlan:
    """Check a sweep and cut it into chunks; one ParameterError naming every problem.

    ``terms``: (name, low, high, count) per swept term, 1 to ``MAX_TERMS`` different
    terms (``count`` values from low to high, whole numbers for places). ``memory_bytes``:
    the bound on one chunk's memory; ``chunk_work``: the cells a chunk aims at. ``members``:
    a region's councils or a portfolio's homes (``engine.members.sweep``) to judge one by one
    and together instead of the Inputs sheet's one home; each member takes memory and time as
    one more home would.
    """
    rules = parse_rules(rules)
    uncertainty = uncertainty or Uncertainty()
    names = tuple(name for name, *_ in terms)
    problems: list[tuple[str, str]] = []
    if not 1 <= len(names) <= MAX_TERMS:
        problems.append(("terms", f"give 1 to {MAX_TERMS} terms to sweep"))
    if len(set(names)) != len(names):
        problems.append(("terms", "each term may be swept once"))
    try:
        check_draws(draws, seed)
    except ParameterError as error:
        problems += error.problems
    if seed is None:
        problems.append(("seed", "a sweep needs a seed, so every chunk draws the same years"))
    axes = []
    for name, low, high, count in terms:
        try:
            axes.append(sweep_axis(params, name, (low, high), count))
        except ParameterError as error:
            problems += error.problems
    weight = 1 if members is None else members.weight  # arrays of the draws' size per combination
    most = max(1, int(memory_bytes) // (HEADROOM * BYTES_PER_CELL * weight))
    if isinstance(draws, int) and draws > most:
        problems.append(
            (
                "draws",
                f"draws = {draws:,} need about "
                f"{format_value(draws * weight * BYTES_PER_CELL * HEADROOM / 2**30)} GB "
                f"for one term combination, above the memory bound of "
                f"{format_value(memory_bytes / 2**30)} GB; use at most {most:,} draws or a larger bound",
            )
        )
    if problems:
        raise ParameterError(problems)
    if len(axes) > 1:  # pairs of terms tied together (reserved places ≤ places) at their extremes
        check_values(params, dict(zip(names, _corners(axes), strict=True)))
    if members is not None:
        check_members(params, members, dict(zip(names, axes, strict=True)))
    combinations = math.prod(len(axis) for axis in axes)
    if combinations > MAX_COMBINATIONS:
        raise ParameterError(
            [
                (
                    "terms",
                    f"{combinations:,} term combinations is more than {MAX_COMBINATIONS:,}; use fewer values",
                )
            ]
        )
    per_chunk = int(min(combinations, max(1, chunk_work // (draws * weight))))
    chunk_cells = min(most, max(draws, COMPUTE_CELLS)) * weight
    return SweepPlan(
        params, rules, names, tuple(axes), uncertainty, int(draws), int(seed), per_chunk, chunk_cells,
        int(memory_bytes), members,
    )  # fmt: skip


def _corners(axes: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Every combination of each axis' lowest and highest value (enough for a pair rule)."""
    ends = [np.array([axis.min(), axis.max()]) for axis in axes]
    return [grid.ravel() for grid in np.meshgrid(*ends, indexing="ij")]


@lru_cache(maxsize=2)
def sweep_outcomes(uncertainty: Uncertainty, draws: int, seed: int) -> Outcomes:
    """The years every chunk is judged over: the Agreement sheet's draws (kept for the next chunk)."""
    return draw_outcomes(uncertainty, draws, seed)


def evaluate_chunk(plan: SweepPlan, index: int) -> pd.DataFrame:
    """One chunk's rows of the zone table, with ``combination`` (the row's position overall).

    The whole work of a chunk in one call: draw the years, evaluate and reduce the model
    at each combination, judge the rules. Columns as ``assess_terms``.
    """
    start, stop = plan.bounds(index)
    outcomes = sweep_outcomes(plan.uncertainty, plan.draws, plan.seed)
    settings = plan.settings(start, stop)
    if plan.members is None:
        table = assess_terms(plan.params, plan.rules, settings, outcomes, plan.chunk_cells)
    else:
        table = assess_members(plan.params, plan.rules, settings, plan.members, outcomes, plan.chunk_cells)
    table.insert(0, "combination", np.repeat(np.arange(start, stop), plan.rows_per_combination))
    return table


def combine(plan: SweepPlan, pieces: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """The chunks' tables as one, in combination order whatever order they arrived in."""
    table = pd.concat(list(pieces), ignore_index=True).sort_values("combination", kind="stable")
    expected = np.repeat(np.arange(plan.combinations), plan.rows_per_combination)
    if len(table) != len(expected) or not np.array_equal(table["combination"].to_numpy(), expected):
        raise ParameterError([("chunks", "the pieces given are not every chunk of this sweep exactly once")])
    return table.reset_index(drop=True)


def run_in_process(plan: SweepPlan) -> pd.DataFrame:
    """Every chunk one after the other, here (what a scheduler does in parallel)."""
    return combine(plan, (evaluate_chunk(plan, index) for index in range(plan.chunks)))


def as_zone(plan: SweepPlan, table: pd.DataFrame) -> AgreementZone | None:
    """The sweep as an ``AgreementZone`` (two terms of the one home only), for ``balanced_points``."""
    if len(plan.terms) != 2 or plan.members is not None:
        return None
    outcomes = sweep_outcomes(plan.uncertainty, plan.draws, plan.seed)
    columns = table.drop(columns="combination")
    return AgreementZone(
        plan.params, plan.rules, plan.terms, (plan.axes[0], plan.axes[1]), outcomes, columns, plan.chunk_cells
    )


def best_accepted(table: pd.DataFrame) -> pd.Series | None:
    """The swept combination both accept with the largest product of gains, or None.

    Only the sweep's own points: no refinement between them (a sweep of any number of terms).
    """
    product = table["nash_product"].where(table["category"] == "both")
    if not product.notna().any():
        return None
    return table.loc[product.idxmax()]  # type: ignore[call-overload]  # pandas-stubs: a label is Hashable


def sweep_summary(plan: SweepPlan, table: pd.DataFrame) -> dict[str, Any]:
    """Who accepts where, compactly: counts and shares of each verdict, the accepted extent of
    each term, and the verdict codes (0 neither, 1 host only, 2 provider only, 3 both) as one
    string of digits per row of the last term, rows in combination order."""
    codes = table["code"].to_numpy()
    counts = np.bincount(codes, minlength=len(CATEGORIES))
    accepted = table[table["category"] == "both"]
    extent = (
        {name: [float(accepted[name].min()), float(accepted[name].max())] for name in plan.terms}
        if len(accepted)
        else None
    )
    width = plan.shape[-1]
    digits = "".join(codes.astype(str))
    return {
        "terms": list(plan.terms),
        "shape": list(plan.shape),
        "axes": {name: [float(v) for v in axis] for name, axis in zip(plan.terms, plan.axes, strict=True)},
        "counts": {category: int(count) for category, count in zip(CATEGORIES, counts, strict=True)},
        "shares": {
            category: float(count) / plan.combinations
            for category, count in zip(CATEGORIES, counts, strict=True)
        },
        "extent": extent,
        "legend": {str(code): category for code, category in enumerate(CATEGORIES)},
        "codes": [digits[i : i + width] for i in range(0, len(digits), width)],
        "rules_held": {f"rule_{i}": int(table[f"rule_{i}"].sum()) for i in range(1, len(plan.rules) + 1)},
    }


def member_summaries(plan: SweepPlan, table: pd.DataFrame) -> dict[str, Any]:
    """``sweep_summary`` of each member and combined row (a sweep with members), and ``every``: the
    combinations where every council (home) is in the zone (both its parties accept)."""
    if plan.members is None:
        raise ParameterError([("members", "this sweep has no councils or homes")])
    found = {
        name: sweep_summary(plan, table[table["member"] == name].reset_index(drop=True))
        for name in plan.members.names
    }
    single = table[table["member"].isin(plan.members.individual)]
    both = (single["category"] == "both").to_numpy().reshape(plan.combinations, -1).all(axis=1)
    width = plan.shape[-1]
    digits = "".join(both.astype(int).astype(str))
    first = table[table["member"] == plan.members.names[0]].reset_index(drop=True)
    extent = (
        {
            name: [float(first[name].to_numpy()[both].min()), float(first[name].to_numpy()[both].max())]
            for name in plan.terms
        }
        if both.any()
        else None
    )
    every = {
        "count": int(both.sum()),
        "share": float(both.mean()),
        "extent": extent,
        "codes": [digits[i : i + width] for i in range(0, len(digits), width)],
    }
    return {"members": found, "every": every}
