"""Portfolio risk: each home's occupancy and local use drawn on its own, correlated between homes.

Homes of one provider in one area do not fill and empty in lockstep, nor independently: a
bad winter or a new competitor hits them all a little. So each home takes its own draws of
occupancy and local use from the ``Uncertainty`` PERT ranges, with a rank correlation
``home_correlation`` between any two homes, and the portfolio (``portfolio_evaluate`` with
``per_home_axes=True``) is evaluated at every draw. Pooled sharing smooths a portfolio only
as far as its homes' years differ; the correlation is what decides how far that is.

The 2·homes variables (occupancy and local use of each home) get the rank correlation
matrix C_homes ⊗ C_year: ``home_correlation`` between the same quantity of two homes,
``Uncertainty.correlation`` between a home's occupancy and its local use, and their
product between one home's occupancy and another's local use. Both factors positive
semi-definite makes the product so; a common correlation ρ between n homes is possible
only when ρ ≥ −1/(n − 1) (n homes cannot all move against each other). The draws are
re-paired by Iman–Conover (``rank_correlate_columns``), so every home's occupancy has
exactly the PERT draws one home would have: with one home the draws, and so the figures,
are those of ``engine.monte_carlo`` with the same uncertainty and seed.

Not drawn: fixed-cost growth (the portfolio takes each home's fixed_cost as it is) and
past years (``history`` is a region's years, not a home's); both are refused with a
``ParameterError`` rather than silently left out. A home with its own occupancy in the
homes table keeps it in every draw, as on the grid.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from engine.core.cells import format_value
from engine.core.errors import ParameterError
from engine.core.fields import ParameterSpec, range_problem
from engine.core.outcomes import Outcomes
from engine.core.parameters import Parameters
from engine.members.portfolio import home_table, portfolio_evaluate, portfolio_local_use
from engine.risk.simulation import SUMMARY_COLUMNS, risk_summary
from engine.risk.uncertainty import (
    AXES,
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    Uncertainty,
    check_draws,
    draw_pert,
    rank_correlate_columns,
)

HOME_CORRELATION = ParameterSpec(
    "home_correlation",
    "ρ_h",
    "Rank correlation between homes",
    "share",
    0.0,
    minimum=-1,
    maximum=1,
    element="Correlation",
    help="Above 0, a year that is good for one home tends to be good for the others.",
)
RISK_BASES: tuple[str, ...] = ("per_home", "pooled")
PORTFOLIO_RISK_COLUMNS: tuple[str, ...] = ("sharing", *SUMMARY_COLUMNS)
_MEASURES = ("provider_surplus", "provider_spot_surplus", "host_net_cost", "host_spot_cost", "host_saving")


def draw_home_outcomes(
    uncertainty: Uncertainty | None = None,
    homes: int = 1,
    home_correlation: float = 0.0,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = DEFAULT_SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """Occupancy and local use of each home, each of shape (homes, draws), seeded.

    The same arguments give the same draws; ``seed=None`` draws fresh ones each time.
    """
    uncertainty = uncertainty or Uncertainty()
    _raise(_problems(uncertainty, homes, home_correlation, draws, seed))
    rng = np.random.default_rng(seed)
    lam = uncertainty.pert_lambda
    # the same random numbers in the same order as draw_outcomes: one home is monte_carlo's draws
    occupancy = draw_pert(rng, *uncertainty.triple("occupancy"), lam, (homes, draws))
    local_use = draw_pert(rng, *uncertainty.triple("local_use"), lam, (homes, draws))
    year = uncertainty.correlation
    if year != 0 or (homes > 1 and home_correlation != 0):
        target = np.kron(_common(homes, home_correlation), _common(2, year))
        arranged = rank_correlate_columns(
            np.stack([occupancy, local_use], axis=1).reshape(2 * homes, draws), target, rng
        )
        occupancy, local_use = arranged[0::2], arranged[1::2]
    return np.clip(occupancy, 0, 1), np.clip(local_use, 0, 1)


def portfolio_risk(
    params: Parameters,
    homes: Any,
    uncertainty: Uncertainty | None = None,
    home_correlation: float = 0.0,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = DEFAULT_SEED,
) -> pd.DataFrame:
    """The portfolio's risk figures, sharing per home and pooled, over correlated draws per home.

    Columns ``PORTFOLIO_RISK_COLUMNS``: ``sharing`` ("per_home" or "pooled") then the
    columns of ``RiskResult.summary`` with the same statistics and labels as
    ``engine.monte_carlo`` (provider: the portfolio's provider_surplus against
    provider_spot_surplus; host: host_net_cost against host_spot_cost). Two last rows
    (sharing "", party "homes") give the rank correlation between homes the draws achieved,
    for occupancy and for local use (the mean over pairs of homes; NaN with one home or a
    certain value), in ``partnership``, and the target in ``spot``.
    """
    uncertainty = uncertainty or Uncertainty()
    try:
        table = home_table(homes, params)
    except ParameterError as error:
        _raise(error.problems + _problems(uncertainty, None, home_correlation, draws, seed))
    occupancy, local_use = draw_home_outcomes(uncertainty, len(table), home_correlation, draws, seed)
    result = portfolio_evaluate(params, homes, occupancy, local_use, per_home_axes=True)
    drawn, places = result["homes"], table["places"].to_numpy(float)[:, None]
    occupied = np.sum(drawn["local_places"] + drawn["outside_places"], axis=0)
    points = Outcomes(occupied / np.sum(places), portfolio_local_use(drawn, places, local_use), kind="draws")
    frames = []
    for basis in RISK_BASES:
        values = {name: result[basis][name] for name in _MEASURES}
        frames.append(risk_summary(values, points).assign(sharing=basis))
    frames.append(_achieved(occupancy, local_use, home_correlation))
    return pd.concat(frames, ignore_index=True)[list(PORTFOLIO_RISK_COLUMNS)]


def home_rank_correlation(values: np.ndarray) -> float:
    """Mean Spearman correlation over pairs of rows (homes × draws); NaN for one row or a constant row."""
    if len(values) < 2 or np.any(np.ptp(values, axis=-1) == 0):
        return float("nan")
    ranks = np.argsort(np.argsort(values, axis=-1), axis=-1)
    matrix = np.asarray(np.corrcoef(ranks))  # 2-d here (at least two rows); asarray only narrows the type
    return float(matrix[np.triu_indices(len(values), k=1)].mean())


def _achieved(occupancy: np.ndarray, local_use: np.ndarray, target: float) -> pd.DataFrame:
    rows = [
        {
            "sharing": "",
            "party": "homes",
            "statistic": f"home_correlation_{axis}",
            "label": f"Rank correlation of {axis.replace('_', ' ')} between homes (achieved; target in spot)",
            "unit": "share",
            "partnership": home_rank_correlation(values),
            "spot": float(target),
            "change": home_rank_correlation(values) - float(target),
            "partnership_measure": axis,
            "spot_measure": "",
        }
        for axis, values in zip(AXES, (occupancy, local_use), strict=True)
    ]
    return pd.DataFrame(rows)


def _common(n: int, correlation: float) -> np.ndarray:
    """The n × n matrix with 1 on the diagonal and ``correlation`` elsewhere."""
    return np.where(np.eye(n, dtype=bool), 1.0, correlation)


def _problems(
    uncertainty: Uncertainty, homes: int | None, home_correlation: Any, draws: Any, seed: Any
) -> list[tuple[str, str]]:
    """Every problem with the inputs (homes=None: before the homes table is read)."""
    problems = []
    message = range_problem(HOME_CORRELATION, home_correlation)
    if message:
        problems.append(("home_correlation", message))
    elif isinstance(homes, int) and homes > 1 and home_correlation < -1 / (homes - 1) - 1e-12:
        bound = -1 / (homes - 1)
        problems.append(
            (
                "home_correlation",
                f"home_correlation = {format_value(home_correlation)} is impossible for {homes} homes: "
                f"a correlation shared by every pair of {homes} homes must be at least "
                f"−1/({homes} − 1) = {bound:.4g} (they cannot all move against each other; "
                "the correlation matrix must be positive semi-definite)",
            )
        )
    if uncertainty.history:
        problems.append(
            (
                "history",
                "history (past years) cannot be drawn per home; give the occupancy and local-use ranges",
            )
        )
    growth = uncertainty.triple("fixed_cost_growth")
    if any(g != 0 for g in growth):
        problems.append(
            (
                "fixed_cost_growth",
                "fixed_cost_growth is not drawn for a portfolio yet; set its low, most likely and high to 0 "
                "(or change the homes' fixed_cost)",
            )
        )
    try:
        check_draws(draws, seed)
    except ParameterError as error:
        problems += error.problems
    if homes is not None and not (isinstance(homes, int) and not isinstance(homes, bool) and homes >= 1):
        problems.append(("homes", f"homes = {format_value(homes)} must be a whole number of at least 1"))
    return problems


def _raise(problems: list[tuple[str, str]]) -> None:
    unique = list(dict.fromkeys(problems))
    if unique:
        raise ParameterError(unique)
