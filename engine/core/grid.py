"""The occupancy × local-use grid: axes, evaluation, and tables people can read."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engine.core.errors import ParameterError
from engine.core.measures import MEASURE_NAMES, measure
from engine.core.model import as_axis, evaluate
from engine.core.parameters import Parameters

DEFAULT_STEPS = 21  # 0 %, 5 %, …, 100 %


def make_axis(
    minimum: float = 0.0, maximum: float = 1.0, step: float = 0.05, name: str = "axis"
) -> np.ndarray:
    """Axis values from ``minimum`` to ``maximum`` inclusive in ``step`` increments.

    Values are ``minimum + k·step`` rounded to 12 decimals, so 0.15 is 0.15 and not
    0.15000000000000002 (the workbook shows and looks these values up).
    """
    problems = []
    if not (0 <= minimum <= 1):
        problems.append((f"{name}_min", f"{name}_min = {minimum:g} must be within [0, 1]"))
    if not (0 <= maximum <= 1):
        problems.append((f"{name}_max", f"{name}_max = {maximum:g} must be within [0, 1]"))
    if not (step > 0):
        problems.append((f"{name}_step", f"{name}_step = {step:g} must be more than 0"))
    if not problems and maximum < minimum:
        problems.append((f"{name}_max", f"{name}_max = {maximum:g} is below {name}_min = {minimum:g}"))
    if not problems and (maximum - minimum) / step > 10_000:
        problems.append((f"{name}_step", f"{name}_step = {step:g} gives more than 10,001 values"))
    if problems:
        raise ParameterError(problems)
    count = int(np.floor((maximum - minimum) / step + 1e-9)) + 1
    return np.round(minimum + np.arange(count) * step, 12)


def default_axis() -> np.ndarray:
    """0, 0.05, …, 1 (21 values)."""
    return np.arange(DEFAULT_STEPS) / (DEFAULT_STEPS - 1)


@dataclass(frozen=True)
class GridResult:
    """Every measure on an occupancy × local-use grid (arrays of shape (len(o), len(u)))."""

    params: Parameters
    occupancy: np.ndarray
    local_use: np.ndarray
    values: dict[str, np.ndarray] = field(repr=False)

    @property
    def measures(self) -> tuple[str, ...]:
        """The measure names, in registry order."""
        return MEASURE_NAMES

    def table(self, name: str) -> pd.DataFrame:
        """One measure as a table: rows are occupancy, columns local use."""
        measure(name)
        return pd.DataFrame(
            self.values[name],
            index=pd.Index(self.occupancy, name="occupancy"),
            columns=pd.Index(self.local_use, name="local_use"),
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy long table: one row per (occupancy, local_use), one column per measure."""
        o, u = np.meshgrid(self.occupancy, self.local_use, indexing="ij")
        columns = {"occupancy": o.ravel(), "local_use": u.ravel()}
        columns.update({name: self.values[name].ravel() for name in self.measures})
        return pd.DataFrame(columns)


def payoff_grid(params: Parameters, occupancy=None, local_use=None) -> GridResult:
    """Evaluate every measure at every combination of the two axes (default 21 × 21).

    Lazy (dask) axes give lazy values: nothing is computed until the caller asks.
    """
    o = default_axis() if occupancy is None else as_axis(occupancy)
    u = default_axis() if local_use is None else as_axis(local_use)
    values = evaluate(params, o[:, None], u[None, :])
    return GridResult(params, o, u, values)
