"""Outcome sets: the (occupancy, local use) points a risk figure or a rule is taken over.

Every statistic of the risk and negotiation modules is a weighted statistic over an
``Outcomes``: Monte Carlo draws (equal weights), the 21 × 21 grid (equal weights, or
weights from the risk distributions) or one point (the expected outcome). Keeping the
probability weights with the points lets one statistics module serve all three, and an
optional fixed-cost factor per outcome carries fixed-cost growth uncertainty into
``compute`` as an array ``fixed_cost`` term.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.core.errors import ParameterError
from engine.core.model import check_axes, compute, terms
from engine.core.parameters import Parameters


@dataclass(frozen=True, eq=False)
class Outcomes:
    """Points (occupancy, local_use) with probability weights, as 1-d arrays of length m.

    ``weights`` sum to 1, or are None for equal weights (Monte Carlo draws).
    ``fixed_cost_factor`` multiplies ``fixed_cost`` at each outcome (1 + growth), or is
    None for none. ``kind`` is "draws", "grid", "point" or "points"; a grid keeps its
    axes so its weights can be shown as an occupancy × local-use table.
    """

    occupancy: np.ndarray
    local_use: np.ndarray
    weights: np.ndarray | None = None
    fixed_cost_factor: np.ndarray | None = None
    kind: str = "points"
    axes: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def size(self) -> int:
        return int(self.occupancy.shape[0])

    def weight_array(self) -> np.ndarray:
        """The weights, spelt out (1/m each) when they are equal."""
        if self.weights is None:
            return np.full(self.size, 1.0 / self.size)
        return self.weights

    def supported(self) -> Outcomes:
        """The outcomes of positive weight (all of them when the weights are equal).

        Every statistic of ``engine.risk.measure_stats`` gives an outcome of weight 0 no say, so
        leaving those out changes no figure and saves computing them (the default weighted
        21 × 21 grid has about 100 of its 441 points with any weight).
        """
        if self.weights is None or bool(np.all(self.weights > 0)):
            return self
        keep = self.weights > 0
        factor = None if self.fixed_cost_factor is None else self.fixed_cost_factor[keep]
        return Outcomes(self.occupancy[keep], self.local_use[keep], self.weights[keep], factor, "points")

    def to_frame(self) -> pd.DataFrame:
        """Columns occupancy, local_use, weight, fixed_cost_factor; one row per outcome."""
        factor = np.ones(self.size) if self.fixed_cost_factor is None else self.fixed_cost_factor
        return pd.DataFrame(
            {
                "occupancy": self.occupancy,
                "local_use": self.local_use,
                "weight": self.weight_array(),
                "fixed_cost_factor": factor,
            }
        )

    def weight_table(self) -> pd.DataFrame:
        """A grid's weights as a table: rows occupancy, columns local use (like GridResult)."""
        if self.axes is None:
            raise ParameterError([("outcomes", "only a grid of outcomes has a weight table")])
        o_axis, u_axis = self.axes
        return pd.DataFrame(
            self.weight_array().reshape(len(o_axis), len(u_axis)),
            index=pd.Index(o_axis, name="occupancy"),
            columns=pd.Index(u_axis, name="local_use"),
        )


def make_outcomes(
    occupancy: npt.ArrayLike,
    local_use: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    fixed_cost_factor: Any = None,
    kind: str = "points",
    axes: tuple[np.ndarray, np.ndarray] | None = None,
) -> Outcomes:
    """Validated outcomes from equal-length arrays; weights are rescaled to sum to 1."""
    o, u = check_axes(np.ravel(occupancy), np.ravel(local_use))
    o, u = np.asarray(o, dtype=float), np.asarray(u, dtype=float)
    problems = []
    if o.shape != u.shape or o.size == 0:
        problems.append(("outcomes", "occupancy and local_use need the same number of values (at least one)"))
    w = None if weights is None else np.ravel(np.asarray(weights, dtype=float))
    if w is not None and (w.shape != o.shape or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0):
        problems.append(("weights", "weights must be one finite number ≥ 0 per outcome, not all 0"))
    f = None if fixed_cost_factor is None else np.ravel(np.asarray(fixed_cost_factor, dtype=float))
    if f is not None and (f.shape != o.shape or not np.all(np.isfinite(f)) or np.any(f < 0)):
        problems.append(("fixed_cost_factor", "fixed_cost_factor must be one finite number ≥ 0 per outcome"))
    if problems:
        raise ParameterError(problems)
    return Outcomes(o, u, None if w is None else w / w.sum(), f, kind, axes)


def point_outcome(occupancy: float, local_use: float, fixed_cost_factor: float = 1.0) -> Outcomes:
    """One outcome with all the weight: a statistic over it is the measure's value there."""
    factor = None if fixed_cost_factor == 1 else [fixed_cost_factor]
    return make_outcomes([occupancy], [local_use], None, factor, kind="point")


def outcome_terms(base: Mapping[str, Any], outcomes: Outcomes) -> dict[str, Any]:
    """The terms for ``compute`` at these outcomes: ``fixed_cost`` scaled per outcome.

    A ``fixed_cost`` that is itself a column of swept values (shape (c, 1)) times the
    factor row (m,) broadcasts to (c, m), which is what a sweep needs.
    """
    result = dict(base)
    if outcomes.fixed_cost_factor is not None:
        result["fixed_cost"] = base["fixed_cost"] * outcomes.fixed_cost_factor
    return result


def evaluate_outcomes(
    params: Parameters, outcomes: Outcomes, measures: Iterable[str] | None = None
) -> dict[str, np.ndarray]:
    """Every measure of docs/model.md (or only ``measures``) at every outcome (arrays of length m)."""
    return compute(outcome_terms(terms(params), outcomes), outcomes.occupancy, outcomes.local_use, measures)
