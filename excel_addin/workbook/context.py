"""One run's inputs and the engine results every result sheet shares, computed once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np

from engine import GridResult, RiskResult, break_even_occupancy, evaluate, payoff_grid
from excel_addin.workbook import layout
from excel_addin.workbook.reader import ModelInputs
from excel_addin.workbook.risk_figures import AgreementResult, agreement_of, risk_of


@dataclass(frozen=True)
class RunContext:
    """What a result sheet builds from: validated inputs, when, by which version.

    Engine results are cached properties, so a sheet that needs the grid does not pay for
    it twice, and a sheet that does not need it does not pay at all.
    """

    inputs: ModelInputs
    computed_at: datetime
    version: str
    template: bool = False  # a new workbook: only the live (formula) tables, nothing a run computes

    @cached_property
    def grid(self) -> GridResult:
        return payoff_grid(self.inputs.params, self.inputs.occupancy, self.inputs.local_use)

    @cached_property
    def break_even(self) -> np.ndarray:
        """Break-even occupancy at each local use of the grid."""
        return break_even_occupancy(self.inputs.params, self.inputs.local_use)

    @cached_property
    def chart_lines(self) -> dict[str, np.ndarray]:
        """Every measure along the occupancy axis at the chart's local uses (columns)."""
        uses = np.asarray(layout.CHART_LOCAL_USES)
        return evaluate(self.inputs.params, self.inputs.occupancy[:, None], uses[None, :])

    @cached_property
    def risk(self) -> RiskResult:
        """The Risk sheet's simulated years: the Summary sheet reads the same figures, not a second run."""
        return risk_of(self.inputs.values, self.inputs.params)

    @cached_property
    def agreement(self) -> AgreementResult:
        """The Agreement sheet's zone and balanced deals (over the Risk sheet's years), computed once."""
        return agreement_of(self.inputs.values, self.inputs.params)

    @property
    def caption(self) -> str:
        """The line every result sheet shows under its title: which inputs, when, which version."""
        if self.template:
            return (
                "Not run yet. The tables below recalculate from the inputs as you type; "
                "run the model for break-even occupancy and the other sheets."
            )
        return (
            f"Computed {self.computed_at:%d %b %Y %H:%M} by partnership-model {self.version} "
            f"from inputs {self.inputs.fingerprint}. "
            f"Money in £ per year of the agreement unless stated."
        )
