"""The contracts side by side on one grid: a tidy table, per-contract tables, the best per cell.

Data in, data out, for the Compare sheet and ``partnership compare``: ``compare_contracts``
gives one long table (one row per contract and grid cell, the stable measures as columns);
``contract_table`` turns one contract's measure into an occupancy × local-use table like
``GridResult.table``; ``best_for_host`` and ``best_for_provider`` say, cell by cell, which
contract wins for each party; ``best_counts`` summarises how often each contract wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.contracts.inputs import ContractTerms
from engine.contracts.model import COMPARISON, COMPARISON_MEASURES, CONTRACT_NAMES, evaluate_contracts
from engine.core.errors import ParameterError
from engine.core.grid import default_axis
from engine.core.measures import Measure
from engine.core.parameters import Parameters

COMPARE_COLUMNS: tuple[str, ...] = ("contract", "occupancy", "local_use", *COMPARISON_MEASURES)
MONEY_TIE = 0.01  # £: contracts within a penny a year of each other tie
SHARE_TIE = 1e-9  # for shares (margins), a rounding error
_BY_NAME = {m.name: m for m in COMPARISON}


def compare_contracts(
    params: Parameters,
    terms: ContractTerms | Mapping[str, Any] | None = None,
    occupancy: npt.ArrayLike | None = None,
    local_use: npt.ArrayLike | None = None,
    contracts: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every contract at every (occupancy, local_use) of the grid (default 21 × 21), as one tidy table.

    Columns are ``COMPARE_COLUMNS``: contract, occupancy, local_use, then the comparison
    measures. Rows run contract by contract (registry order: spot, block, open_book,
    partnership), then occupancy, then local use, in the order the axes were given.
    """
    o = default_axis() if occupancy is None else np.asarray(occupancy, dtype=float).ravel()
    u = default_axis() if local_use is None else np.asarray(local_use, dtype=float).ravel()
    flows = evaluate_contracts(params, terms, o[:, None], u[None, :], contracts)
    o_grid, u_grid = np.meshgrid(o, u, indexing="ij")
    shape = o_grid.shape
    frames = []
    for name, values in flows.items():
        columns: dict[str, Any] = {
            "contract": np.full(o_grid.size, name, dtype=object),
            "occupancy": o_grid.ravel(),
            "local_use": u_grid.ravel(),
        }
        columns.update({m: np.broadcast_to(values[m], shape).ravel() for m in COMPARISON_MEASURES})
        frames.append(pd.DataFrame(columns))
    return pd.concat(frames, ignore_index=True)


def contract_table(comparison: pd.DataFrame, contract: str, measure: str) -> pd.DataFrame:
    """One contract's measure as a table: rows are occupancy, columns local use (axis order kept)."""
    _check_measure(comparison, measure)
    rows = comparison[comparison["contract"] == contract]
    if rows.empty:
        present = ", ".join(_contracts_in(comparison))
        raise ParameterError([("contract", f"contract = {contract!r} is not in the table; it has {present}")])
    table = rows.pivot(index="occupancy", columns="local_use", values=measure)
    return table.reindex(index=_axis(comparison, "occupancy"), columns=_axis(comparison, "local_use"))


def best_contract(
    comparison: pd.DataFrame, measure: str, better: str | None = None, tolerance: float | None = None
) -> pd.DataFrame:
    """Per cell, the contract with the best value of ``measure`` (rows occupancy, columns local use).

    ``better`` is "lower" or "higher" (default: the measure's own direction). Values within
    ``tolerance`` of the best tie (default £0.01 for money, 1e-9 for shares), and a tie goes
    to the contract earliest in the registry order spot, block, open_book, partnership: a
    newer contract has to beat the status quo by more than a penny to be called better.
    Contracts whose value is NaN in a cell are passed over; a cell where all are NaN is
    missing (``pd.isna`` is true; pandas may hold it as None or NaN).
    """
    spec = _check_measure(comparison, measure)
    better = better or spec.better
    if better not in ("lower", "higher"):
        raise ParameterError([("better", f"better = {better!r} must be 'lower' or 'higher'")])
    if tolerance is None:
        tolerance = MONEY_TIE if spec.unit.startswith("£") else SHARE_TIE
    names = _contracts_in(comparison)
    stack = np.stack([contract_table(comparison, name, measure).to_numpy(dtype=float) for name in names])
    sign = 1.0 if better == "lower" else -1.0
    scores = np.where(np.isnan(stack), np.inf, sign * stack)
    best = scores.min(axis=0)
    first = np.argmax(scores <= best + tolerance, axis=0)
    winners = np.where(np.isnan(stack).all(axis=0), None, np.asarray(names, dtype=object)[first])
    return pd.DataFrame(winners, index=_axis(comparison, "occupancy"), columns=_axis(comparison, "local_use"))


def best_for_host(comparison: pd.DataFrame) -> pd.DataFrame:
    """Per cell, the contract with the lowest host_net_cost (ties to the earlier contract)."""
    return best_contract(comparison, "host_net_cost", "lower")


def best_for_provider(comparison: pd.DataFrame) -> pd.DataFrame:
    """Per cell, the contract with the highest provider_surplus (ties to the earlier contract)."""
    return best_contract(comparison, "provider_surplus", "higher")


def best_counts(comparison: pd.DataFrame) -> pd.DataFrame:
    """How many grid cells each contract wins for the host and for the provider, and what share.

    Index: contract (registry order); columns host_best_cells, host_best_share,
    provider_best_cells, provider_best_share. The command line's summary in one table.
    """
    names = _contracts_in(comparison)
    result = pd.DataFrame(index=pd.Index(names, name="contract"))
    for party, table in (("host", best_for_host(comparison)), ("provider", best_for_provider(comparison))):
        counts = pd.Series(table.to_numpy().ravel()).value_counts()
        cells = counts.reindex(names, fill_value=0).astype(int)
        result[f"{party}_best_cells"] = cells.to_numpy()
        result[f"{party}_best_share"] = cells.to_numpy() / table.size
    return result


def _contracts_in(comparison: pd.DataFrame) -> list[str]:
    present = set(comparison["contract"])
    return [name for name in CONTRACT_NAMES if name in present]


def _axis(comparison: pd.DataFrame, name: str) -> pd.Index:
    return pd.Index(pd.unique(comparison[name]), name=name)


def _check_measure(comparison: pd.DataFrame, measure: str) -> Measure:
    if measure not in _BY_NAME or measure not in comparison.columns:
        choices = ", ".join(m for m in COMPARISON_MEASURES if m in comparison.columns)
        raise ParameterError(
            [("measure", f"measure = {measure!r} is not a comparison measure; choose one of {choices}")]
        )
    return _BY_NAME[measure]
