"""Who carries the risk under each contract: each contract's figures over uncertain outcomes.

``engine.risk.simulation`` sets the partnership beside spot; a council or a provider comparing
contracts asks the same of all four: how likely is a loss for the provider, and what does
the host pay in a bad year (P90)? The outcomes are the risk engine's own (Monte Carlo
draws of ``Uncertainty``, or any ``Outcomes``) and the statistics its own
(``engine.risk.measure_stats``), so the partnership's and spot's figures here are the Risk
sheet's figures: same draws, same definitions.

Fixed-cost growth reaches every contract: each draw's fixed cost is ``fixed_cost`` × its
factor, as in ``engine.risk.simulation``, and the contracts are priced from that cost (open book
passes it on to the host, the others leave it with the provider).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from engine.contracts.inputs import ContractTerms
from engine.contracts.model import COMPARISON, as_contract_terms, compute_contracts, contract_names
from engine.core.errors import ParameterError
from engine.core.model import terms as parameter_terms
from engine.core.outcomes import Outcomes, outcome_terms
from engine.core.parameters import Parameters
from engine.risk.measure_stats import statistic_label, statistic_problem, summarise
from engine.risk.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED, Uncertainty, draw_outcomes

# (measure, statistic) rows of the table: the provider's and the host's view of each contract
CONTRACT_RISK_FIGURES: tuple[tuple[str, str], ...] = (
    ("provider_surplus", "mean"),
    ("provider_surplus", "probability_of_loss"),
    ("host_net_cost", "mean"),
    ("host_net_cost", "p90"),
)
LABELS: dict[tuple[str, str], str] = {
    ("provider_surplus", "mean"): "Provider: expected surplus",
    ("provider_surplus", "probability_of_loss"): "Provider: probability of a loss",
    ("host_net_cost", "mean"): "Host: expected net cost",
    ("host_net_cost", "p90"): "Host: P90 net cost (1 year in 10 costs more)",
}
RISK_COLUMNS: tuple[str, ...] = ("measure", "statistic", "label", "unit")
_MEASURES = {m.name: m for m in COMPARISON}


def contract_risk(
    params: Parameters,
    terms: ContractTerms | Mapping[str, Any] | None = None,
    uncertainty: Uncertainty | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = DEFAULT_SEED,
    figures: Sequence[tuple[str, str]] = CONTRACT_RISK_FIGURES,
    contracts: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Each contract's risk figures from ``draws`` seeded Monte Carlo draws of ``uncertainty``.

    The same draws as ``engine.monte_carlo`` with the same arguments, so the partnership
    and spot columns equal the Risk sheet's partnership and spot figures.
    """
    return contract_risk_over_outcomes(
        params, terms, draw_outcomes(uncertainty, draws, seed), figures, contracts
    )


def contract_risk_over_outcomes(
    params: Parameters,
    terms: ContractTerms | Mapping[str, Any] | None,
    outcomes: Outcomes,
    figures: Sequence[tuple[str, str]] = CONTRACT_RISK_FIGURES,
    contracts: Iterable[str] | None = None,
) -> pd.DataFrame:
    """One row per figure, one column per contract, over any outcome set.

    Columns: measure, statistic, label, unit, then the contracts in registry order.
    A figure is any comparison measure (``COMPARISON_MEASURES``) with any statistic of
    ``engine.risk.measure_stats`` (mean, p90, probability_of_loss…); expected shortfall takes the
    worst tail from the measure's direction (highest costs, lowest surpluses).
    """
    figures = tuple(figures)
    problems = [problem for pair in figures for problem in _figure_problems(pair)]
    contract_terms: ContractTerms | None = None
    names: tuple[str, ...] = ()
    try:
        contract_terms = as_contract_terms(params, terms)
    except ParameterError as error:
        problems += error.problems
    try:
        names = contract_names(contracts)
    except ParameterError as error:
        problems += error.problems
    if problems:
        raise ParameterError(problems)
    assert contract_terms is not None  # as_contract_terms raised otherwise, and problems is not empty
    model_terms = outcome_terms(parameter_terms(params), outcomes)
    flows = compute_contracts(
        model_terms, contract_terms.to_mapping(), outcomes.occupancy, outcomes.local_use, names
    )
    rows = []
    for name, statistic in figures:
        spec = _MEASURES[name]
        worst = "highest" if spec.better == "lower" else "lowest"
        row: dict[str, Any] = {
            "measure": name,
            "statistic": statistic,
            "label": LABELS.get((name, statistic), f"{statistic_label(statistic)}: {spec.label}"),
            "unit": "share" if statistic == "probability_of_loss" else spec.unit,
        }
        for contract, values in flows.items():
            sample = np.broadcast_to(values[name], (outcomes.size,))
            row[contract] = float(summarise(sample, outcomes.weights, statistic, worst))
        rows.append(row)
    return pd.DataFrame(rows, columns=[*RISK_COLUMNS, *names])


def _figure_problems(pair: Any) -> list[tuple[str, str]]:
    if not (isinstance(pair, tuple | list) and len(pair) == 2):
        return [("figures", f"figure = {pair!r} must be a (measure, statistic) pair")]
    name, statistic = pair
    problems = []
    if name not in _MEASURES:
        choices = ", ".join(_MEASURES)
        problems.append(
            ("measure", f"measure = {name!r} is not a comparison measure; choose one of {choices}")
        )
    problem = statistic_problem(statistic)
    if problem:
        problems.append(("statistic", problem))
    return problems


__all__ = ["CONTRACT_RISK_FIGURES", "RISK_COLUMNS", "contract_risk", "contract_risk_over_outcomes"]
