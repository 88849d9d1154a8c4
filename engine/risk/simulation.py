"""Who carries what risk: each party's figures over uncertain outcomes, partnership vs spot.

For the provider the figures are of ``provider_surplus`` against ``provider_spot_surplus``
(no partnership: every placement at the outside fee); for the host of ``host_net_cost``
against ``host_spot_cost`` (every local placement bought at the spot price). The seed's
claim is that the provider's risk falls and the host's cost falls, and the side-by-side
table shows whether that holds for the terms on the table.

Choices the model makes here:

- The host's expected shortfall is the average of the 10 % of years with the highest
  ``host_net_cost``, set beside the same figure for ``host_spot_cost``: a council finance
  officer budgets for a bad year's cost, and a cost can be compared with the spot cost in
  the same units. Whether the partnership beats spot is the separate row
  ``probability_above_spot`` (the share of years with ``host_saving`` < 0).
- The provider's expected shortfall is the average of the 10 % of years with the lowest
  surplus.
- ``standard_error`` is the Monte Carlo error of the expected value (std / √draws), so a
  reader can see how many pounds of an expected value are sampling noise; it is NaN over a
  grid of outcomes, which has no sampling error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.core.errors import ParameterError
from engine.core.measures import measure
from engine.core.outcomes import Outcomes, evaluate_outcomes
from engine.core.parameters import Parameters
from engine.risk.measure_stats import describe, probability_of_loss, worst_tail
from engine.risk.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED, Uncertainty, draw_outcomes

# party: (measure in the partnership, the same measure with no partnership)
SIDES: dict[str, tuple[str, str]] = {
    "provider": ("provider_surplus", "provider_spot_surplus"),
    "host": ("host_net_cost", "host_spot_cost"),
}
SAMPLE_MEASURES: tuple[str, ...] = (
    "provider_surplus",
    "provider_spot_surplus",
    "provider_gain",
    "provider_margin",
    "host_net_cost",
    "host_spot_cost",
    "host_saving",
    "host_cost_per_local_week",
)
# statistic, unit ("money" = the measure's unit), provider label, host label
ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("mean", "money", "Expected surplus", "Expected net cost"),
    ("std", "money", "Standard deviation", "Standard deviation"),
    (
        "standard_error",
        "money",
        "Monte Carlo error of the expected value",
        "Monte Carlo error of the expected value",
    ),
    ("p10", "money", "P10: 1 year in 10 is lower", "P10: 1 year in 10 is lower"),
    ("p50", "money", "Median (P50)", "Median (P50)"),
    ("p90", "money", "P90: 1 year in 10 is higher", "P90: 1 year in 10 is higher"),
    ("probability_of_loss", "share", "Probability of a loss (surplus below 0)", ""),
    (
        "probability_above_spot",
        "share",
        "",
        "Probability of paying more than spot (saving against spot below 0)",
    ),
    (
        "expected_shortfall",
        "money",
        "Average of the worst 10 % of years (lowest surplus)",
        "Average of the worst 10 % of years (highest cost)",
    ),
)
SUMMARY_COLUMNS = (
    "party",
    "statistic",
    "label",
    "unit",
    "partnership",
    "spot",
    "change",
    "partnership_measure",
    "spot_measure",
)


@dataclass(frozen=True, eq=False)
class RiskResult:
    """Risk figures of one set of terms over one set of outcomes.

    ``values`` holds each of ``SAMPLE_MEASURES`` at every outcome (arrays of length m);
    ``summary`` is the long table (columns ``SUMMARY_COLUMNS``): one row per party and
    statistic, partnership and spot side by side, ``change`` = partnership − spot.
    """

    params: Parameters
    outcomes: Outcomes
    values: dict[str, np.ndarray] = field(repr=False)
    summary: pd.DataFrame = field(repr=False)

    def table(self, party: str) -> pd.DataFrame:
        """One party's rows of ``summary``: statistic, label, unit, partnership, spot, change."""
        _check_party(party)
        rows = self.summary[self.summary["party"] == party]
        return rows[["statistic", "label", "unit", "partnership", "spot", "change"]].reset_index(drop=True)

    def samples(self) -> pd.DataFrame:
        """One row per outcome: occupancy, local_use, weight, fixed_cost, then SAMPLE_MEASURES."""
        frame = self.outcomes.to_frame()
        columns: dict[str, pd.Series | np.ndarray] = {
            "occupancy": frame["occupancy"],
            "local_use": frame["local_use"],
            "weight": frame["weight"],
            "fixed_cost": self.params.fixed_cost * frame["fixed_cost_factor"],
        }
        columns.update({name: self.values[name] for name in SAMPLE_MEASURES})
        return pd.DataFrame(columns)

    def histogram(
        self, measures: str | Iterable[str] = ("provider_surplus",), bins: int = 30
    ) -> pd.DataFrame:
        """Shares of outcomes in common bins for one or more measures (see ``histogram``)."""
        return histogram(self.values, measures, bins, self.outcomes.weights)


def monte_carlo(
    params: Parameters,
    uncertainty: Uncertainty | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = DEFAULT_SEED,
) -> RiskResult:
    """Risk figures from ``draws`` seeded Monte Carlo draws of ``uncertainty`` (default inputs).

    The same params, uncertainty, draws and seed give identical results.
    """
    return risk_over_outcomes(params, draw_outcomes(uncertainty, draws, seed))


def risk_over_outcomes(params: Parameters, outcomes: Outcomes) -> RiskResult:
    """Risk figures over any outcome set (draws, a weighted grid, chosen points)."""
    every = evaluate_outcomes(params, outcomes, SAMPLE_MEASURES)
    values = {name: np.broadcast_to(every[name], (outcomes.size,)) for name in SAMPLE_MEASURES}
    return RiskResult(params, outcomes, values, risk_summary(values, outcomes))


def risk_summary(values: Mapping[str, np.ndarray], outcomes: Outcomes) -> pd.DataFrame:
    """Both parties' figures, partnership beside spot, from evaluated outcomes (shared with portfolios)."""
    weights = outcomes.weights
    rows = []
    for party, (ours, spot) in SIDES.items():
        figures = {name: _figures(values, name, outcomes) for name in (ours, spot)}
        figures[ours]["probability_above_spot"] = float(probability_of_loss(values["host_saving"], weights))
        figures[spot]["probability_above_spot"] = 0.0  # buying at spot never costs more than spot
        for statistic, unit, provider_label, host_label in ROWS:
            label = provider_label if party == "provider" else host_label
            if label:
                rows.append(
                    {
                        "party": party,
                        "statistic": statistic,
                        "label": label,
                        "unit": measure(ours).unit if unit == "money" else "share",
                        "partnership": figures[ours][statistic],
                        "spot": figures[spot][statistic],
                        "change": figures[ours][statistic] - figures[spot][statistic],
                        "partnership_measure": ours,
                        "spot_measure": spot,
                    }
                )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def _figures(values: Mapping[str, np.ndarray], name: str, outcomes: Outcomes) -> dict[str, float]:
    """mean, std, p10/p50/p90, probability_of_loss, expected_shortfall and standard_error."""
    figures = {k: float(v) for k, v in describe(values[name], outcomes.weights, worst_tail(name)).items()}
    draws = outcomes.kind == "draws"
    figures["standard_error"] = figures["std"] / np.sqrt(outcomes.size) if draws else float("nan")
    return figures


def histogram(
    values: Mapping[str, Any],
    measures: str | Iterable[str],
    bins: int = 30,
    weights: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Histogram-ready shares: common bins across ``measures`` so their bars line up.

    Columns: ``bin`` (1…bins), ``bin_low``, ``bin_high``, ``bin_mid``, then one column per
    measure with the share of the weight (of the outcomes where it is defined) in each bin.
    Equal-width bins span the lowest to the highest value of all the measures together.
    """
    names = [measures] if isinstance(measures, str) else list(measures)
    for name in names:
        measure(name)
        if name not in values:
            raise ParameterError([("measure", f"measure = {name!r} was not kept with these results")])
    if not (isinstance(bins, int) and not isinstance(bins, bool) and 1 <= bins <= 1000):
        raise ParameterError([("bins", f"bins = {bins!r} must be a whole number from 1 to 1000")])
    arrays = [np.asarray(values[name], dtype=float) for name in names]
    finite = [a[np.isfinite(a)] for a in arrays]
    low = min((float(a.min()) for a in finite if a.size), default=0.0)
    high = max((float(a.max()) for a in finite if a.size), default=0.0)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, bins + 1)
    frame = pd.DataFrame(
        {
            "bin": np.arange(1, bins + 1),
            "bin_low": edges[:-1],
            "bin_high": edges[1:],
            "bin_mid": (edges[:-1] + edges[1:]) / 2,
        }
    )
    w_all = None if weights is None else np.asarray(weights, dtype=float)
    for name, array in zip(names, arrays, strict=True):
        keep = np.isfinite(array)
        w = None if w_all is None else w_all[keep]
        counts, _ = np.histogram(array[keep], bins=edges, weights=w)
        total = counts.sum()
        frame[name] = counts / total if total > 0 else counts * 0.0
    return frame


def _check_party(party: str) -> None:
    if party not in SIDES:
        raise ParameterError([("party", f"party = {party!r} must be provider or host")])
