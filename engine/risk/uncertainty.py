"""What could happen: uncertain occupancy, local use and fixed-cost growth, and draws of it.

Finance people state uncertainty as a most-likely value and a low/high range, so each
uncertain quantity is a PERT distribution: a Beta on [low, high] with shape parameters
α = 1 + λ·(most_likely − low)/(high − low) and β = 1 + λ·(high − most_likely)/(high − low)
(λ = 4 is the classic PERT; its mean is (low + λ·most_likely + high)/(λ + 2)). Low = high
is a certain value. Alternatively a list of past years of (occupancy, local_use) is
resampled with replacement, which keeps whatever pairing those years had.

Correlation between occupancy and local use is a rank (Spearman) correlation imposed by
Iman–Conover reordering: occupancy and local use are drawn independently from their PERT
distributions, then re-paired so that their ranks follow a pair of correlated normal
scores. We chose this over a Gaussian copula because a copula maps normals through the
inverse Beta distribution function, which numpy lacks (and scipy is not allowed in the
engine); reordering needs only sorts, keeps each marginal distribution exactly (the draws
are the same numbers, re-paired), and the rank correlation it achieves is the normal
scores' Spearman correlation (6/π)·asin(r/2), so r = 2·sin(π·ρ/6) hits the requested ρ.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from engine.core.cells import Coerced, format_value, to_number
from engine.core.errors import ParameterError
from engine.core.fields import ParameterSpec, SpecFields, is_number, range_problems, table_rows
from engine.core.grid import default_axis
from engine.core.outcomes import Outcomes, make_outcomes, point_outcome
from engine.risk.measure_stats import sort_order

History = tuple[tuple[float, float], ...]

DEFAULT_SEED = 20261126  # a fixed default so a workbook recalculation shows the same figures
DEFAULT_DRAWS = 100_000
GRID_WEIGHT_DRAWS = 200_000  # draws binned to weight a grid: ≤ 0.1 % error on any cell's weight
MAX_DRAWS = 20_000_000
TRIPLES = ("occupancy", "local_use", "fixed_cost_growth")
AXES = ("occupancy", "local_use")

_SHARE: dict[str, Any] = {"unit": "share", "minimum": 0, "maximum": 1}
# growth above 10 (fixed cost eleven times the parameter) is no longer a forecast; the cap keeps
# every simulated year finite
_GROWTH: dict[str, Any] = {
    "unit": "share",
    "minimum": -1,
    "min_inclusive": False,
    "maximum": 10,
    "element": "Fixed cost growth",
}

UNCERTAINTY_INPUTS: tuple[ParameterSpec, ...] = (
    ParameterSpec(
        "occupancy_low",
        "o_low",
        "Occupancy, low",
        default=0.60,
        element="Occupancy",
        **_SHARE,
        help="A bad year: occupancy is lower than this about 1 year in 20 or less.",
    ),
    ParameterSpec(
        "occupancy_most_likely",
        "o_ml",
        "Occupancy, most likely",
        default=0.85,
        element="Occupancy",
        **_SHARE,
        help="The occupancy you expect in a normal year.",
    ),
    ParameterSpec(
        "occupancy_high",
        "o_high",
        "Occupancy, high",
        default=0.95,
        element="Occupancy",
        **_SHARE,
        help="A good year: occupancy is higher than this rarely or never.",
    ),
    ParameterSpec(
        "local_use_low",
        "u_low",
        "Local use, low",
        default=0.30,
        element="Local use",
        **_SHARE,
        help="Share of occupied places used by the host in a low year.",
    ),
    ParameterSpec(
        "local_use_most_likely",
        "u_ml",
        "Local use, most likely",
        default=0.60,
        element="Local use",
        **_SHARE,
        help="Share of occupied places used by the host in a normal year.",
    ),
    ParameterSpec(
        "local_use_high",
        "u_high",
        "Local use, high",
        default=0.90,
        element="Local use",
        **_SHARE,
        help="Share of occupied places used by the host in a high year.",
    ),
    ParameterSpec(
        "correlation",
        "ρ_ou",
        "Correlation of occupancy and local use",
        "share",
        0.0,
        minimum=-1,
        maximum=1,
        element="Correlation",
        help="Rank correlation: above 0, years of high occupancy tend to be years of high local use.",
    ),
    ParameterSpec(
        "pert_lambda",
        "λ",
        "PERT weight of the most likely value",
        "",
        4.0,
        minimum=0,
        maximum=1000,  # beyond it every year is the most likely one; the Beta draws stay finite
        element="Distribution shape",
        help="4 is the usual PERT; higher concentrates years near the most likely value; 0 is uniform.",
    ),
    ParameterSpec(
        "fixed_cost_growth_low",
        "g_low",
        "Fixed cost growth, low",
        default=0.0,
        **_GROWTH,
        help="Lowest change of fixed cost against the fixed cost on the Inputs sheet (0.05 = 5 % higher).",
    ),
    ParameterSpec(
        "fixed_cost_growth_most_likely",
        "g_ml",
        "Fixed cost growth, most likely",
        default=0.0,
        **_GROWTH,
        help="Most likely change of fixed cost against the fixed cost on the Inputs sheet.",
    ),
    ParameterSpec(
        "fixed_cost_growth_high",
        "g_high",
        "Fixed cost growth, high",
        default=0.0,
        **_GROWTH,
        help="Highest change of fixed cost against the fixed cost on the Inputs sheet.",
    ),
    ParameterSpec(
        "history",
        "",
        "Past years (occupancy, local use)",
        "share",
        (),
        element="History",
        help="If given, these years are resampled instead of the occupancy and local-use ranges.",
        rule_text="rows of (occupancy, local use), each within [0, 1]",
    ),
)
NUMBER_INPUTS = tuple(spec for spec in UNCERTAINTY_INPUTS if spec.name != "history")


def check_uncertainty(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every rule broken by ``values`` (already numbers); names that failed to parse are skipped."""
    problems = range_problems(NUMBER_INPUTS, values)
    bad = {name for name, _ in problems}
    for name in TRIPLES:
        low, likely, high = (f"{name}_{part}" for part in ("low", "most_likely", "high"))
        triple = [values.get(key) for key in (low, likely, high)]
        if bad & {low, likely, high} or not all(is_number(v) for v in triple):
            continue
        lo, ml, hi = (values[key] for key in (low, likely, high))
        if lo > hi:
            problems.append((high, f"{high} = {format_value(hi)} is below {low} = {format_value(lo)}"))
        elif not lo <= ml <= hi:
            problems.append(
                (
                    likely,
                    f"{likely} = {format_value(ml)} must be between {low} = {format_value(lo)} "
                    f"and {high} = {format_value(hi)}",
                )
            )
    for index, year in enumerate(values.get("history") or (), start=1):
        if len(year) != 2:
            problems.append(
                ("history", f"history row {index} has {len(year)} values; give occupancy and local_use")
            )
            continue
        for label, value in zip(AXES, year, strict=True):
            if not (is_number(value) and 0 <= value <= 1):
                problems.append(
                    ("history", f"history row {index} {label} = {format_value(value)} must be within [0, 1]")
                )
    return problems


def _coerce_history(raw: Any) -> Coerced:
    """A table of past years: rows of (occupancy, local_use); empty rows are skipped."""
    message = "history must be a table of (occupancy, local use) rows"
    if raw is None or isinstance(raw, str | bytes):
        return Coerced(None, message)
    try:
        rows = [list(row) for row in table_rows(raw)]
    except TypeError:
        return Coerced(None, message)
    years = []
    for index, row in enumerate(rows, start=1):
        if all(cell is None or cell == "" for cell in row):
            continue
        if len(row) != 2:
            return Coerced(None, f"history row {index} has {len(row)} values; give occupancy and local_use")
        pair = [
            to_number(f"history row {index} {label}", cell) for label, cell in zip(AXES, row, strict=True)
        ]
        found = [p.problem for p in pair if p.problem]
        if found:
            return Coerced(None, "; ".join(found))
        years.append((pair[0].value, pair[1].value))
    return Coerced(tuple(years))


@dataclass(frozen=True)
class Uncertainty(
    SpecFields,
    specs=UNCERTAINTY_INPUTS,
    what="an uncertainty input",
    rules=check_uncertainty,
    parsers={"history": _coerce_history},
):
    """How uncertain next year's occupancy, local use and fixed cost are.

    Construction validates every field and raises one ``ParameterError`` naming every
    problem. With ``history`` given, past years are resampled and the occupancy and
    local-use ranges and ``correlation`` are not used (``source`` says which applies).
    Defaults are the ``UNCERTAINTY_INPUTS`` table's; ``from_mapping`` reads "85%" or 0.85.
    """

    occupancy_low: float
    occupancy_most_likely: float
    occupancy_high: float
    local_use_low: float
    local_use_most_likely: float
    local_use_high: float
    correlation: float
    pert_lambda: float
    fixed_cost_growth_low: float
    fixed_cost_growth_most_likely: float
    fixed_cost_growth_high: float
    history: History

    if TYPE_CHECKING:  # the defaults come from the spec table when the class is made: mypy cannot see them

        def __init__(self, **values: Any) -> None: ...

    @property
    def source(self) -> str:
        """``"history"`` when past years are resampled, else ``"pert"``."""
        return "history" if self.history else "pert"

    def triple(self, name: str) -> tuple[float, float, float]:
        """(low, most_likely, high) of "occupancy", "local_use" or "fixed_cost_growth"."""
        return tuple(getattr(self, f"{name}_{part}") for part in ("low", "most_likely", "high"))

    def expected(self, name: str) -> float:
        """The expected value of "occupancy", "local_use" or "fixed_cost_growth"."""
        if self.history and name != "fixed_cost_growth":
            return float(np.mean([year[AXES.index(name)] for year in self.history]))
        return pert_mean(*self.triple(name), self.pert_lambda)


def pert_mean(low: float, most_likely: float, high: float, lam: float = 4.0) -> float:
    """(low + λ·most_likely + high) / (λ + 2): the mean of the PERT distribution."""
    return (low + lam * most_likely + high) / (lam + 2)


def draw_pert(
    rng: np.random.Generator,
    low: float,
    most_likely: float,
    high: float,
    lam: float,
    size: int | tuple[int, ...],
) -> np.ndarray:
    """PERT draws of shape ``size`` on [low, high] (the constant ``most_likely`` when low = high)."""
    if high <= low:
        return np.full(size, float(most_likely))
    alpha = 1 + lam * (most_likely - low) / (high - low)
    beta = 1 + lam * (high - most_likely) / (high - low)
    draws = rng.beta(alpha, beta, size)
    draws *= high - low  # in place on the fresh draws: the same numbers as low + (high − low)·draws
    draws += low
    return draws


def rank_correlate(
    x: np.ndarray, y: np.ndarray, correlation: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Re-pair x and y so their rank (Spearman) correlation is ``correlation`` (Iman–Conover).

    Each variable keeps exactly its own values; only the pairing changes. The normal
    scores have Pearson r = 2·sin(π·ρ/6), whose Spearman correlation is ρ.
    """
    target = np.array([[1.0, correlation], [correlation, 1.0]])
    first, second = rank_correlate_columns(np.stack([x, y]), target, rng)
    return first, second


def rank_correlate_columns(
    values: np.ndarray, correlation: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Re-pair the rows of ``values`` (k variables × m draws) to rank correlations ``correlation`` (k × k).

    Iman–Conover for any number of variables: k rows of standard normal scores are mixed
    by a Cholesky factor of the Pearson matrix 2·sin(π·ρ/6), and each variable's values
    are arranged in the rank order of its scores, so every variable keeps exactly its own
    draws. The Cholesky factor is taken with negative pivots set to 0: a target matrix
    that is positive semi-definite but singular (ρ = ±1, or −1/(k−1) for k variables) is
    then still reachable, and one whose sine transform is slightly indefinite gets the
    nearest correlation this factor can give (the caller measures what was achieved).
    Two variables consume the random numbers in the same order as they always have.
    """
    target = np.asarray(correlation, dtype=float)
    pearson = 2 * np.sin(np.pi * target / 6)
    np.fill_diagonal(pearson, 1.0)  # a new array; 2·sin(π/6) is 1 − 1e-16 in floating point
    factor = _cholesky(pearson)
    normals = rng.standard_normal(np.shape(values))
    rows = []
    for j in range(len(target)):  # scores_j = Σ_i≤j L[j, i]·normals_i, summed in this order
        score = factor[j, 0] * normals[0]
        for i in range(1, j + 1):
            score = score + factor[j, i] * normals[i]
        rows.append(score)
    order = np.stack([sort_order(score) for score in rows])
    arranged = np.empty_like(values, dtype=float)
    for j, ranked in enumerate(np.sort(values, axis=-1)):
        arranged[j, order[j]] = ranked
    return arranged


def _cholesky(matrix: np.ndarray) -> np.ndarray:
    """Lower-triangular L with L·Lᵀ = matrix, negative pivots set to 0 (see rank_correlate_columns)."""
    k = len(matrix)
    factor = np.zeros((k, k))
    for j in range(k):
        pivot = matrix[j, j] - sum(factor[j, i] * factor[j, i] for i in range(j))
        factor[j, j] = math.sqrt(max(pivot, 0.0))
        for row in range(j + 1, k):
            rest = matrix[row, j] - sum(factor[row, i] * factor[j, i] for i in range(j))
            factor[row, j] = rest / factor[j, j] if factor[j, j] > 0 else 0.0
    return factor


def draw_outcomes(
    uncertainty: Uncertainty | None = None, draws: int = DEFAULT_DRAWS, seed: int | None = DEFAULT_SEED
) -> Outcomes:
    """Monte Carlo draws of (occupancy, local_use, fixed-cost factor), equal weights.

    The same ``seed`` gives the same draws; ``seed=None`` draws fresh ones each time.
    """
    uncertainty = uncertainty or Uncertainty()
    check_draws(draws, seed)
    rng = np.random.default_rng(seed)
    if uncertainty.history:
        years = np.asarray(uncertainty.history, dtype=float)
        picked = years[rng.integers(0, len(years), draws)]
        occupancy, local_use = picked[:, 0], picked[:, 1]
    else:
        lam = uncertainty.pert_lambda
        occupancy = draw_pert(rng, *uncertainty.triple("occupancy"), lam, draws)
        local_use = draw_pert(rng, *uncertainty.triple("local_use"), lam, draws)
        if uncertainty.correlation != 0:
            occupancy, local_use = rank_correlate(occupancy, local_use, uncertainty.correlation, rng)
    growth = uncertainty.triple("fixed_cost_growth")
    factor = None
    if any(g != 0 for g in growth):
        factor = 1 + draw_pert(rng, *growth, uncertainty.pert_lambda, draws)
    if uncertainty.history:
        occupancy, local_use = np.clip(occupancy, 0, 1), np.clip(local_use, 0, 1)
    else:  # fresh arrays of this function's own: clipped where they are
        np.clip(occupancy, 0, 1, out=occupancy)
        np.clip(local_use, 0, 1, out=local_use)
    return Outcomes(occupancy, local_use, None, factor, "draws")


def grid_outcomes(
    uncertainty: Uncertainty | None = None,
    occupancy: npt.ArrayLike | None = None,
    local_use: npt.ArrayLike | None = None,
    draws: int = GRID_WEIGHT_DRAWS,
    seed: int | None = DEFAULT_SEED,
) -> Outcomes:
    """The occupancy × local-use grid (default 21 × 21) as outcomes.

    With ``uncertainty=None`` every grid point weighs the same. With an ``Uncertainty``
    each grid point weighs the probability of the outcomes nearest to it: past years are
    counted exactly; PERT distributions (with their correlation) are estimated from
    ``draws`` seeded draws. Fixed-cost growth, which the grid has no axis for, enters at
    its expected value.
    """
    o_axis = default_axis() if occupancy is None else np.sort(np.ravel(np.asarray(occupancy, dtype=float)))
    u_axis = default_axis() if local_use is None else np.sort(np.ravel(np.asarray(local_use, dtype=float)))
    o_grid, u_grid = np.meshgrid(o_axis, u_axis, indexing="ij")
    if uncertainty is None:
        return make_outcomes(o_grid, u_grid, None, None, "grid", (o_axis, u_axis))
    if uncertainty.history or seed is None:
        weights = _grid_weights(uncertainty, o_axis, u_axis, draws, seed)
    else:  # seeded draws give the same weights every time: kept for the next call
        weights = _seeded_grid_weights(uncertainty, tuple(o_axis), tuple(u_axis), draws, seed)
    growth = uncertainty.expected("fixed_cost_growth")
    factor = None if growth == 0 else np.full(o_grid.size, 1 + growth)
    return make_outcomes(o_grid, u_grid, weights, factor, "grid", (o_axis, u_axis))


def _grid_weights(
    uncertainty: Uncertainty, o_axis: np.ndarray, u_axis: np.ndarray, draws: int, seed: int | None
) -> np.ndarray:
    """The share of the outcomes nearest each grid point (see ``grid_outcomes``)."""
    if uncertainty.history:
        sample = np.asarray(uncertainty.history, dtype=float)
        o_sample, u_sample = sample[:, 0], sample[:, 1]
    else:
        drawn = draw_outcomes(uncertainty, draws, seed)  # the same o, u whatever the growth inputs
        o_sample, u_sample = drawn.occupancy, drawn.local_use
    cell = _nearest(o_axis, o_sample) * len(u_axis) + _nearest(u_axis, u_sample)
    return np.bincount(cell, minlength=len(o_axis) * len(u_axis)) / len(cell)


@functools.lru_cache(maxsize=16)
def _seeded_grid_weights(
    uncertainty: Uncertainty, o_axis: tuple[float, ...], u_axis: tuple[float, ...], draws: int, seed: int
) -> np.ndarray:
    """``_grid_weights`` remembered: every agreement zone over the default outcomes draws the same
    200,000 outcomes to weight the same grid, which took a fifth of a 200 × 200 sweep's time."""
    weights = _grid_weights(uncertainty, np.array(o_axis), np.array(u_axis), draws, seed)
    weights.flags.writeable = False  # shared by every caller
    return weights


def expected_outcome(uncertainty: Uncertainty | None = None) -> Outcomes:
    """The single outcome at expected occupancy, local use and fixed-cost growth."""
    uncertainty = uncertainty or Uncertainty()
    return point_outcome(
        uncertainty.expected("occupancy"),
        uncertainty.expected("local_use"),
        1 + uncertainty.expected("fixed_cost_growth"),
    )


def _nearest(axis: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of the axis value nearest each value (ties to the upper one)."""
    return np.searchsorted((axis[1:] + axis[:-1]) / 2, values, side="right")


def check_draws(draws: Any, seed: Any) -> None:
    """Refuse a draw count or seed a simulation cannot use (one ParameterError, every problem)."""
    problems = []
    if not (isinstance(draws, int | np.integer) and not isinstance(draws, bool) and 1 <= draws <= MAX_DRAWS):
        problems.append(
            ("draws", f"draws = {format_value(draws)} must be a whole number from 1 to {MAX_DRAWS:,}")
        )
    if seed is not None and not (
        isinstance(seed, int | np.integer) and not isinstance(seed, bool) and seed >= 0
    ):
        problems.append(
            ("seed", f"seed = {format_value(seed)} must be a whole number ≥ 0 (or empty for fresh draws)")
        )
    if problems:
        raise ParameterError(problems)
