"""The whole term of an agreement, year by year: prices, every measure, totals and NPV.

A one-year grid cannot show whether a deal survives rising costs. Here year t of the term
is the one-year model of docs/model.md with the year-t prices (costs inflated, fees and the
other priced terms uplifted by their rules), evaluated by ``engine.compute`` with the
years as a leading array axis: the whole term on a grid is one vectorised call.

Conventions:
- Year 1 is the year the ``Parameters`` describe; prices move on each anniversary.
- Money is £ in the year it is paid (nominal). Net present value discounts year t by
  (1 + d)^−(t−1): year 1 is the present (the Green Book's year 0) and is not discounted, so
  with d = 0 the NPV is the plain sum and, with nothing inflating, years × the one-year result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.core.errors import ParameterError
from engine.core.grid import GridResult, default_axis
from engine.core.measures import MEASURE_NAMES, MEASURES, measure
from engine.core.model import as_axis, check_axes, compute, terms
from engine.core.parameters import Parameters
from engine.multiyear.inputs import TermInputs
from engine.multiyear.uplift import cost_index, index_from_rises, path_array, rule_index

# The parameters that move over the term, and the rule that moves each (None: cost inflation).
PRICED: dict[str, str | None] = {
    "fixed_cost": None,
    "variable_cost": None,
    "local_fee": "fee_uplift",
    "outside_fee": "fee_uplift",
    "host_contribution": "host_contribution_uplift",
    "compensation_per_week": "compensation_uplift",
    "spot_price": "spot_price_uplift",
}
MONEY_MEASURES: tuple[str, ...] = tuple(m.name for m in MEASURES if m.unit == "£/year")


def discount_factors(rate: float, years: int) -> np.ndarray:
    """(1 + rate)^−(t−1) for t = 1 … years: year 1 undiscounted (Green Book year 0)."""
    return (1.0 + rate) ** -np.arange(years, dtype=float)


def cost_indices(params: Parameters, term: TermInputs) -> dict[str, np.ndarray]:
    """Fixed, variable and full-occupancy cost indices, one factor per year (1 in year 1)."""
    years = term.years
    fixed = index_from_rises(path_array(term.fixed_cost_inflation, years - 1))
    variable = index_from_rises(path_array(term.variable_cost_inflation, years - 1))
    full_variable = params.weeks_per_year * params.places * params.variable_cost
    return {
        "fixed_cost": fixed,
        "variable_cost": variable,
        "cost_linked": cost_index(params.fixed_cost, full_variable, fixed, variable),
    }


def price_paths(params: Parameters, term: TermInputs) -> dict[str, np.ndarray]:
    """Every priced parameter in every year (arrays of ``years`` values, year 1 as agreed)."""
    indices = cost_indices(params, term)
    paths = {}
    for name, rule_name in PRICED.items():
        if rule_name is None:
            index = indices[name]
        else:
            index = rule_index(getattr(term, rule_name), term.years, indices["cost_linked"])
        paths[name] = getattr(params, name) * index
    return paths


def term_prices(params: Parameters, term: TermInputs) -> pd.DataFrame:
    """The year-by-year prices and discount factor, one row per year of the term."""
    columns = {
        **price_paths(params, term),
        "discount_factor": discount_factors(term.discount_rate, term.years),
    }
    return pd.DataFrame(columns, index=_year_index(term.years))


def year_parameters(params: Parameters, term: TermInputs) -> tuple[Parameters, ...]:
    """One validated ``Parameters`` per year, with that year's prices.

    For handing one year to anything that takes ``Parameters`` (a grid sheet, a breakdown);
    the term itself is evaluated in one vectorised call, not through these.
    """
    paths = price_paths(params, term)
    return tuple(
        params.replace(**{name: float(path[t]) for name, path in paths.items()}) for t in range(term.years)
    )


def evaluate_prices(
    params: Parameters,
    prices: dict[str, Any],
    occupancy: npt.ArrayLike,
    local_use: npt.ArrayLike,
    grid_dims: int,
) -> dict[str, np.ndarray]:
    """Every measure with year-t prices: ``compute`` with the years as a leading axis.

    ``prices`` hold arrays whose last axis is the year (any leading axes, e.g. a set of
    rules, broadcast through); ``grid_dims`` singleton axes are appended so they broadcast
    against occupancy and local use (2 for a grid, 0 for a path of one point per year).
    """
    year_terms = dict(terms(params))
    for name, path in prices.items():
        path = np.asarray(path, dtype=float)
        year_terms[name] = path.reshape(path.shape + (1,) * grid_dims)
    values = compute(year_terms, occupancy, local_use)
    # counts of places and weeks do not depend on prices: give them the year axis too
    shape = np.broadcast_shapes(*(np.shape(v) for v in values.values()))
    return {name: np.broadcast_to(v, shape) for name, v in values.items()}


def chosen_path(term: TermInputs) -> tuple[np.ndarray, np.ndarray]:
    """Occupancy and local use of the year-by-year table, one value per year."""
    return path_array(term.occupancy, term.years), path_array(term.local_use, term.years)


def evaluate_path(params: Parameters, term: TermInputs) -> dict[str, np.ndarray]:
    """Every measure in every year at the term's occupancy and local use (arrays of ``years``)."""
    o, u = chosen_path(term)
    return evaluate_prices(params, price_paths(params, term), o, u, grid_dims=0)


def npv(values: np.ndarray, rate: float) -> np.ndarray:
    """Net present value over the leading (year) axis, year 1 undiscounted."""
    values = np.asarray(values, dtype=float)
    factors = discount_factors(rate, values.shape[0])
    return np.tensordot(factors, values, axes=(0, 0))


def term_table(params: Parameters, term: TermInputs) -> pd.DataFrame:
    """The year-by-year table for the term's occupancy and local use.

    Index ``year`` (1 … years); columns ``occupancy``, ``local_use``, the priced parameters
    (``fixed_cost`` … ``spot_price``), ``discount_factor`` and every measure of docs/model.md.
    """
    o, u = chosen_path(term)
    values = evaluate_path(params, term)
    prices = term_prices(params, term)
    table = pd.DataFrame({"occupancy": o, "local_use": u}, index=prices.index)
    measures = pd.DataFrame({name: values[name] for name in MEASURE_NAMES}, index=prices.index)
    return pd.concat([table, prices, measures], axis=1)


def cumulative_table(table: pd.DataFrame) -> pd.DataFrame:
    """Running totals of the money measures of a ``term_table`` (£ to the end of each year)."""
    return table[list(MONEY_MEASURES)].cumsum()


def term_totals(params: Parameters, term: TermInputs) -> pd.DataFrame:
    """For each money measure: year 1, the final year, the total and the NPV over the term.

    Index ``measure`` (the money measures of docs/model.md); columns ``year_1``, ``final_year``,
    ``total``, ``npv``. The partnership and the spot baseline (``provider_spot_surplus``,
    ``host_spot_cost``) sit side by side, their differences as ``provider_gain`` and ``host_saving``.
    """
    values = evaluate_path(params, term)
    rows = {
        name: {
            "year_1": values[name][0],
            "final_year": values[name][-1],
            "total": values[name].sum(),
            "npv": float(npv(values[name], term.discount_rate)),
        }
        for name in MONEY_MEASURES
    }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("measure")


@dataclass(frozen=True)
class TermGridResult:
    """Every measure in every year on an occupancy × local-use grid.

    ``values[name]`` has shape (years, len(occupancy), len(local_use)); occupancy and local
    use are held constant over the term in each cell. Tables are indexed like
    ``GridResult.table``: rows occupancy, columns local use.
    """

    params: Parameters
    term: TermInputs
    occupancy: np.ndarray
    local_use: np.ndarray
    values: dict[str, np.ndarray] = field(repr=False)

    @property
    def years(self) -> np.ndarray:
        """1, 2, …, years."""
        return np.arange(1, self.term.years + 1)

    def _grid(self, data: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            data,
            index=pd.Index(self.occupancy, name="occupancy"),
            columns=pd.Index(self.local_use, name="local_use"),
        )

    def table(self, name: str, year: int) -> pd.DataFrame:
        """One measure in one year (1-based) as a grid table."""
        measure(name)
        return self._grid(self.values[name][self._year(year)])

    def npv(self, name: str) -> np.ndarray:
        """NPV of a money measure over the term in every cell, at the term's discount rate."""
        self._money(name)
        return npv(self.values[name], self.term.discount_rate)

    def npv_table(self, name: str) -> pd.DataFrame:
        """NPV of a money measure over the term as a grid table."""
        return self._grid(self.npv(name))

    def total_table(self, name: str) -> pd.DataFrame:
        """Undiscounted total of a money measure over the term as a grid table."""
        self._money(name)
        return self._grid(self.values[name].sum(axis=0))

    def year_result(self, year: int) -> GridResult:
        """One year as a ``GridResult`` (with that year's ``Parameters``), for the grid tools."""
        params = year_parameters(self.params, self.term)[self._year(year)]
        values = {name: array[self._year(year)] for name, array in self.values.items()}
        return GridResult(params, self.occupancy, self.local_use, values)

    def to_frame(self) -> pd.DataFrame:
        """Tidy long table: one row per (year, occupancy, local_use), one column per measure."""
        y, o, u = np.meshgrid(self.years, self.occupancy, self.local_use, indexing="ij")
        columns = {"year": y.ravel(), "occupancy": o.ravel(), "local_use": u.ravel()}
        columns.update({name: self.values[name].ravel() for name in MEASURE_NAMES})
        return pd.DataFrame(columns)

    def _year(self, year: int) -> int:
        if not (isinstance(year, int | np.integer) and 1 <= year <= self.term.years):
            raise ParameterError(
                [("year", f"year = {year!r} must be a whole number from 1 to {self.term.years}")]
            )
        return int(year) - 1

    @staticmethod
    def _money(name: str) -> None:
        if measure(name).unit != "£/year":
            raise ParameterError(
                [("measure", f"measure = {name!r} is not money; NPV and totals are for £/year measures")]
            )


def term_grid(
    params: Parameters,
    term: TermInputs,
    occupancy: npt.ArrayLike | None = None,
    local_use: npt.ArrayLike | None = None,
) -> TermGridResult:
    """Every measure in every year at every (occupancy, local use) (default 21 × 21), one call."""
    o, u = grid_axes(occupancy, local_use)
    values = evaluate_prices(params, price_paths(params, term), o[:, None], u[None, :], grid_dims=2)
    return TermGridResult(params, term, o, u, values)


def grid_axes(
    occupancy: npt.ArrayLike | None = None, local_use: npt.ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Both axes as 1-d arrays (default 0 %, 5 %, …, 100 %), validated (lazily for dask axes)."""
    o = default_axis() if occupancy is None else as_axis(occupancy)
    u = default_axis() if local_use is None else as_axis(local_use)
    return check_axes(o, u)


def _year_index(years: int) -> pd.Index:
    return pd.Index(np.arange(1, years + 1), name="year")
