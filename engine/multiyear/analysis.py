"""What a term means for the provider: when its surplus turns negative under each fee
uplift rule, which uplift rate keeps it at its reasonable return, and the headline summary.

The uplift rate is solved, not searched by hand: a vectorised bisection on every cell at
once. It is exact to the bisection's tolerance because the target is monotone in the rate
(higher fees never lower the provider's surplus in any year; see ``reasonable_return_gap``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.core.parameters import Parameters
from engine.multiyear.inputs import TermInputs
from engine.multiyear.model import (
    chosen_path,
    evaluate_path,
    evaluate_prices,
    grid_axes,
    npv,
    price_paths,
    term_totals,
)
from engine.multiyear.uplift import RATE_MAX, RATE_MIN, UPLIFT_KINDS

NEGATIVE_TOLERANCE = 1e-6  # £: a surplus must be below −£0.000001 to count as negative (not rounding)
BISECTION_STEPS = 44  # (RATE_MAX − RATE_MIN) / 2**44 ≈ 1e-13 a year


def first_negative_year(provider_surplus: Any) -> np.ndarray:
    """The first year (1-based) in which the surplus is negative, NaN where it never is.

    ``provider_surplus`` has the years on its leading axis; the result has the other axes.
    A deal already negative in year 1 gives 1.
    """
    negative = np.asarray(provider_surplus) < -NEGATIVE_TOLERANCE
    return np.where(negative.any(axis=0), np.argmax(negative, axis=0) + 1.0, np.nan)


def fee_rule_variants(term: TermInputs) -> dict[str, TermInputs]:
    """The term under each kind of fee uplift rule (rate, cap and floor as the term has them)."""
    return {
        kind: dataclasses.replace(term, fee_uplift=dataclasses.replace(term.fee_uplift, kind=kind))
        for kind in UPLIFT_KINDS
    }


def _stacked_prices(params: Parameters, term: TermInputs) -> dict[str, np.ndarray]:
    """Price paths with a leading rule axis (one row per fee rule kind, in ``UPLIFT_KINDS`` order)."""
    paths = [price_paths(params, variant) for variant in fee_rule_variants(term).values()]
    return {name: np.stack([p[name] for p in paths]) for name in paths[0]}


def evaluate_rules_path(params: Parameters, term: TermInputs) -> dict[str, np.ndarray]:
    """Every measure at the term's occupancy and local use under each fee rule: (rules, years)."""
    o, u = chosen_path(term)
    return evaluate_prices(params, _stacked_prices(params, term), o, u, grid_dims=0)


def measure_by_rule(params: Parameters, term: TermInputs, name: str = "provider_margin") -> pd.DataFrame:
    """One measure per year under each fee rule: index ``year``, one column per rule kind.

    The Term sheet's chart of provider margin per year under each uplift rule.
    """
    values = evaluate_rules_path(params, term)[name]
    return pd.DataFrame(
        values.T, index=pd.Index(np.arange(1, term.years + 1), name="year"), columns=list(UPLIFT_KINDS)
    )


def rule_comparison(params: Parameters, term: TermInputs) -> pd.DataFrame:
    """The term's headline figures under each fee rule (rows: rule kinds).

    Columns: ``first_negative_year``, ``npv_provider_surplus``, ``npv_provider_gain``,
    ``npv_host_net_cost``, ``npv_host_saving``, ``term_provider_return``,
    ``final_year_provider_margin``.
    """
    v = evaluate_rules_path(params, term)
    rate = term.discount_rate

    def across_years(name: str) -> np.ndarray:
        return npv(np.moveaxis(v[name], -1, 0), rate)

    table = pd.DataFrame(
        {
            "first_negative_year": first_negative_year(v["provider_surplus"].T),
            "npv_provider_surplus": across_years("provider_surplus"),
            "npv_provider_gain": across_years("provider_gain"),
            "npv_host_net_cost": across_years("host_net_cost"),
            "npv_host_saving": across_years("host_saving"),
            "term_provider_return": _ratio(across_years("provider_surplus"), across_years("provider_cost")),
            "final_year_provider_margin": v["provider_margin"][:, -1],
        },
        index=pd.Index(list(UPLIFT_KINDS), name="fee_uplift"),
    )
    return table


def first_negative_year_grids(
    params: Parameters,
    term: TermInputs,
    occupancy: npt.ArrayLike | None = None,
    local_use: npt.ArrayLike | None = None,
) -> dict[str, pd.DataFrame]:
    """For each fee rule kind, the first year the provider's surplus is negative, per cell.

    Occupancy and local use are constant over the term in each cell; NaN where never.
    """
    o, u = grid_axes(occupancy, local_use)
    surplus = evaluate_prices(params, _stacked_prices(params, term), o[:, None], u[None, :], grid_dims=2)[
        "provider_surplus"
    ]
    first = first_negative_year(np.moveaxis(surplus, 1, 0))  # years first: (years, rules, o, u)
    return {kind: _grid_table(first[k], o, u) for k, kind in enumerate(UPLIFT_KINDS)}


def reasonable_return_gap(
    params: Parameters,
    term: TermInputs,
    rate: np.ndarray,
    occupancy: npt.ArrayLike,
    local_use: npt.ArrayLike,
    grid_dims: int,
) -> np.ndarray:
    """NPV(provider_surplus) − ρ·NPV(provider_cost) with fees index-linked at ``rate``.

    ``rate`` has one value per point (per cell on a grid, a 0-d array for the chosen path).
    Zero where the provider earns exactly its reasonable return on cost over the term, in
    present value. Never decreasing in ``rate``: a higher fee raises the surplus before
    sharing in every year (the release credit takes at most a share r ≤ 1 of the outside fee
    increase), the surplus after sharing and deficit cover never falls when that rises,
    and the cost and hence the threshold do not depend on fees.
    """
    exponent = np.arange(term.years, dtype=float).reshape((term.years,) + (1,) * np.ndim(rate))
    fee_index = (1.0 + rate) ** exponent  # (years, *rate.shape): one fee path per point
    prices = {name: _with_dims(path, grid_dims) for name, path in price_paths(params, term).items()}
    prices["local_fee"] = params.local_fee * fee_index
    prices["outside_fee"] = params.outside_fee * fee_index
    m = evaluate_prices(params, prices, occupancy, local_use, grid_dims=0)
    return npv(m["provider_surplus"], term.discount_rate) - params.reasonable_return * npv(
        m["provider_cost"], term.discount_rate
    )


def _with_dims(path: np.ndarray, grid_dims: int) -> np.ndarray:
    return path.reshape(path.shape + (1,) * grid_dims)


def _solve(gap, shape: tuple[int, ...]) -> np.ndarray:
    """The smallest rate in [RATE_MIN, RATE_MAX] with gap(rate) ≥ 0, by vectorised bisection.

    NaN where even RATE_MAX falls short, or where RATE_MIN already reaches the return (any
    rate in range does: the rate does not decide it).
    """
    lo, hi = np.full(shape, RATE_MIN), np.full(shape, RATE_MAX)
    reachable = gap(hi) >= 0
    decided = gap(lo) < 0
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        enough = gap(mid) >= 0
        hi, lo = np.where(enough, mid, hi), np.where(enough, lo, mid)
    return np.where(reachable & decided, hi, np.nan)


def reasonable_return_uplift_rate(params: Parameters, term: TermInputs) -> float:
    """The annual fee uplift that gives the provider exactly its reasonable return over the term.

    For the term's occupancy and local use: the smallest constant ``index`` rate for both fees
    (other rules as the term has them) with NPV(provider_surplus) = ρ·NPV(provider_cost) at the
    term's discount rate. NaN where no rate from −50 % to +100 % a year decides it.
    """
    o, u = chosen_path(term)
    rate = _solve(lambda r: reasonable_return_gap(params, term, r, o, u, grid_dims=0), ())
    return float(rate)


def reasonable_return_uplift_grid(
    params: Parameters,
    term: TermInputs,
    occupancy: npt.ArrayLike | None = None,
    local_use: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """``reasonable_return_uplift_rate`` in every cell (occupancy, local use constant over the term)."""
    o, u = grid_axes(occupancy, local_use)
    rate = _solve(
        lambda r: reasonable_return_gap(params, term, r, o[:, None], u[None, :], grid_dims=2),
        (len(o), len(u)),
    )
    return _grid_table(rate, o, u)


def term_summary(params: Parameters, term: TermInputs) -> pd.Series:
    """The headline figures of the term at its occupancy and local use (what the CLI prints).

    NPVs for the partnership and the spot baseline for both parties, the provider's return
    on cost over the term against its reasonable return, the first year its surplus is
    negative, and the fee uplift rate that would give it exactly the reasonable return.
    """
    totals = term_totals(params, term)
    values = evaluate_path(params, term)
    n = totals["npv"]
    summary = {
        "years": term.years,
        "discount_rate": term.discount_rate,
        "npv_provider_surplus": n["provider_surplus"],
        "npv_provider_spot_surplus": n["provider_spot_surplus"],
        "npv_provider_gain": n["provider_gain"],
        "npv_host_net_cost": n["host_net_cost"],
        "npv_host_spot_cost": n["host_spot_cost"],
        "npv_host_saving": n["host_saving"],
        "total_provider_surplus": totals["total"]["provider_surplus"],
        "total_host_saving": totals["total"]["host_saving"],
        "term_provider_return": _ratio(n["provider_surplus"], n["provider_cost"]),
        "reasonable_return": params.reasonable_return,
        "year_1_provider_margin": values["provider_margin"][0],
        "final_year_provider_margin": values["provider_margin"][-1],
        "first_negative_year": float(first_negative_year(values["provider_surplus"])),
        "reasonable_return_uplift_rate": reasonable_return_uplift_rate(params, term),
    }
    return pd.Series(summary, name="term_summary", dtype=float).rename_axis("figure")


def _ratio(numerator: Any, denominator: Any) -> Any:
    numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    nonzero = denominator != 0
    return np.where(nonzero, numerator / np.where(nonzero, denominator, 1.0), np.nan)


def _grid_table(data: np.ndarray, o: np.ndarray, u: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(data, index=pd.Index(o, name="occupancy"), columns=pd.Index(u, name="local_use"))
