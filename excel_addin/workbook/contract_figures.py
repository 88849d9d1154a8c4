"""The contract comparison of one workbook: its inputs in, the engine's tables out.

The Compare sheet and ``partnership compare`` show the same figures, so both take them
from ``compare_inputs``: the contract terms typed on the Compare sheet, the year to look
at, every engine table built on them, and each contract's risk over the Risk sheet's
uncertainty, draws and seed (the very years the Risk sheet simulates, so its partnership
and spot figures are the Risk sheet's). Without a Risk sheet in the layout the risk
engine's defaults apply, and the sheet says so.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine import (
    CONTRACT_NAMES,
    CONTRACT_TERMS,
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    ContractTerms,
    Parameters,
    Uncertainty,
    best_counts,
    best_for_host,
    best_for_provider,
    compare_contracts,
    contract_risk,
    fit_problems,
)
from excel_addin.workbook import layout
from excel_addin.workbook.reader import ModelInputs

# Short names for cells and legends (the engine's labels are for sentences).
SHORT_LABELS: dict[str, str] = {
    "spot": "Spot",
    "block": "Block",
    "open_book": "Open book",
    "partnership": "Partnership",
}
# Light fills for the maps, darker lines of the same hue for the charts.
FILLS: dict[str, str] = {"spot": "F8CBAD", "block": "BDD7EE", "open_book": "D9C3E9", "partnership": "C6E0B4"}
LINES: dict[str, str] = {"spot": "C55A11", "block": "2E75B6", "open_book": "7030A0", "partnership": "548235"}
POINT_MEASURES: tuple[str, ...] = (
    "host_net_cost",
    "host_cost_per_local_week",
    "host_saving",
    "provider_surplus",
    "provider_margin",
    "provider_gain",
)
CHART_MEASURES: tuple[str, ...] = ("host_cost_per_local_week", "provider_surplus")
TERM_NAMES: tuple[str, ...] = tuple(spec.name for spec in CONTRACT_TERMS)

# What each contract is and who carries the risk: the words of the README's contract section.
CONTRACT_HELP: dict[str, tuple[str, str]] = {
    "spot": (
        "No contract: the host buys each local placement-week on the spot market at the spot price s; "
        "the provider sells every place at the outside fee p_X.",
        "The provider carries all the occupancy risk (an empty place earns nothing); the host pays only "
        "for the weeks it uses, but at the highest price.",
    ),
    "block": (
        "The host buys B block places for the year at the block fee b a week, used or not; local children "
        "above the block are bought on spot; outside children may fill unused block places, and the host "
        "is credited the release share r of their fee.",
        "The host carries the risk of empty block places (it pays for them, less the release credit); "
        "the provider carries the risk of the places outside the block.",
    ),
    "open_book": (
        "The host pays the provider's full cost plus the margin m on cost; outside fees are set against "
        "the host's bill, less the share k the provider keeps.",
        "The host carries all the occupancy and cost risk: empty places are paid for at cost plus m. "
        "The provider earns m × cost plus k × outside income whatever the occupancy.",
    ),
    "partnership": (
        "The partnership of the Inputs sheet: a host contribution K to fixed costs, reserved places, local "
        "placements at the local fee p_L, a release credit and compensation for outside use, and surplus "
        "above a reasonable return shared with the host.",
        "Shared. The host's contribution carries part of the fixed cost whatever the occupancy; the "
        "provider carries the rest, and hands the host part of any surplus above its reasonable return.",
    ),
}
# Each contract's bill to the host and the provider's surplus in the README's symbols, with the
# helper quantities they use (a test evaluates them against the engine). The partnership's are
# docs/model.md's, shown on the Host and Provider sheets.
FORMULAS: dict[str, dict[str, Any]] = {
    "spot": {"host": "W·L·s", "provider": "W·(L + X)·(p_X − v) − F", "where": ()},
    "block": {
        "host": "W·B·b + W·L_spot·s − r·p_X·W·X_rel",
        "provider": "W·B·b + W·(L_spot + X)·p_X − cost − r·p_X·W·X_rel",
        "where": (("L_spot", "L − min(L, B)"), ("X_rel", "max(X − (N − B), 0)")),
    },
    "open_book": {"host": "cost·(1 + m) − (1 − k)·W·X·p_X", "provider": "m·cost + k·W·X·p_X", "where": ()},
}
SYMBOLS = (
    "W weeks a year, N places, L and X local and outside places filled (L = u·o·N, X = (1 − u)·o·N), "
    "F fixed cost, v variable cost a week, cost = F + W·(L + X)·v."
)


def formula_text(contract: str) -> str:
    """One line with the contract's formulas, as the Compare sheet shows them."""
    formulas = FORMULAS.get(contract)
    if formulas is None:
        return "Host net cost and provider surplus as on the Host and Provider sheets."
    text = f"Host pays {formulas['host']}.   Provider surplus = {formulas['provider']}."
    if formulas["where"]:
        text += "   Where " + " and ".join(f"{name} = {expr}" for name, expr in formulas["where"]) + "."
    return text


@dataclass(frozen=True)
class RiskInputs:
    """What the risk figures are drawn from, and words saying where that came from."""

    uncertainty: Uncertainty
    draws: int
    seed: int
    from_risk_sheet: bool

    @property
    def source(self) -> str:
        if not self.from_risk_sheet:
            return f"{self.draws:,} simulated years of the risk engine's default uncertainty (no Risk sheet)."
        from excel_addin.workbook.risk_figures import (
            uncertainty_words,  # the Risk sheet's own words for its inputs
        )

        spread = uncertainty_words(self.uncertainty, self.draws, self.seed)
        return f"{spread} From the Risk sheet's inputs: the same simulated years as the Risk sheet."


@dataclass(frozen=True)
class Comparison:
    """Every figure of the comparison for one workbook's inputs."""

    terms: ContractTerms
    occupancy: float  # the year to compare
    local_use: float  # that year's local use, and the charts'
    table: pd.DataFrame  # engine.compare_contracts over the workbook's grid
    point: pd.DataFrame  # compare_contracts at (occupancy, local_use)
    lines: pd.DataFrame  # compare_contracts along the occupancy axis at local_use
    host_best: pd.DataFrame  # contract names, rows occupancy, columns local use
    provider_best: pd.DataFrame
    counts: pd.DataFrame  # engine.best_counts
    risk: pd.DataFrame  # engine.contracts.risk: one row per figure, one column per contract
    risk_inputs: RiskInputs

    def at_point(self, measure: str) -> dict[str, float]:
        """One measure of every contract at the year compared."""
        rows = self.point.set_index("contract")[measure]
        return {name: float(rows[name]) for name in CONTRACT_NAMES}

    def line(self, measure: str) -> np.ndarray:
        """One measure along the occupancy axis: rows occupancy, columns contracts (registry order)."""
        frame = self.lines.pivot(index="occupancy", columns="contract", values=measure)
        return frame.reindex(
            index=pd.unique(self.lines["occupancy"]), columns=list(CONTRACT_NAMES)
        ).to_numpy()

    def best_at_point(self) -> dict[str, str]:
        """The contract cheapest for the host and the one best for the provider at the year compared."""
        return {
            "host": str(best_for_host(self.point).iloc[0, 0]),
            "provider": str(best_for_provider(self.point).iloc[0, 0]),
        }


def contract_terms(values: Mapping[str, Any]) -> ContractTerms:
    """The contract terms among a run's validated inputs."""
    return ContractTerms(**{name: values[name] for name in TERM_NAMES})


def check_terms(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The rule joining the terms to the home (block places ≤ places), once both are valid."""
    if "places" not in values:
        return []
    params = Parameters.from_mapping({name: values[name] for name in layout.parameter_names()})
    return fit_problems(params, values)


def risk_inputs(values: Mapping[str, Any]) -> RiskInputs:
    """The Risk sheet's uncertainty, draws and seed (read as the Risk sheet reads them)."""
    if layout.input_cell("risk_source") is None:  # a layout without the Risk sheet
        return RiskInputs(Uncertainty(), DEFAULT_DRAWS, DEFAULT_SEED, False)
    from excel_addin.workbook.risk_inputs import uncertainty_of  # the Risk sheet's reading of its cells

    return RiskInputs(uncertainty_of(values), int(values["draws"]), int(values["seed"]), True)


def compare(
    params: Parameters,
    terms: ContractTerms,
    occupancy_axis: np.ndarray,
    local_use_axis: np.ndarray,
    occupancy: float,
    local_use: float,
    risk: RiskInputs,
) -> Comparison:
    """Every table of the comparison (about 0.1 s at the default grid and 100,000 draws)."""
    table = compare_contracts(params, terms, occupancy_axis, local_use_axis)
    return Comparison(
        terms=terms,
        occupancy=occupancy,
        local_use=local_use,
        table=table,
        point=compare_contracts(params, terms, [occupancy], [local_use]),
        lines=compare_contracts(params, terms, occupancy_axis, [local_use]),
        host_best=best_for_host(table),
        provider_best=best_for_provider(table),
        counts=best_counts(table),
        risk=contract_risk(params, terms, risk.uncertainty, risk.draws, risk.seed),
        risk_inputs=risk,
    )


def compare_inputs(
    inputs: ModelInputs, occupancy: float | None = None, local_use: float | None = None
) -> Comparison:
    """The comparison for a workbook's validated inputs (the year compared may be overridden)."""
    values = inputs.values
    return compare(
        inputs.params,
        contract_terms(values),
        inputs.occupancy,
        inputs.local_use,
        values["compare_occupancy"] if occupancy is None else occupancy,
        values["compare_local_use"] if local_use is None else local_use,
        risk_inputs(values),
    )


@functools.cache
def default_counts() -> pd.DataFrame:
    """``best_counts`` at the default parameters, terms and grid: the finding the sheet explains.

    Computed (once per session), not typed, so the sheet's words cannot drift from the engine.
    """
    return best_counts(compare_contracts(Parameters(), ContractTerms()))


@functools.cache
def default_host_best() -> pd.DataFrame:
    """The cheapest contract for the host in each cell, at the default parameters, terms and grid."""
    return best_for_host(compare_contracts(Parameters(), ContractTerms()))
