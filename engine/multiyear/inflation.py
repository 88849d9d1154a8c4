"""Cost inflation assumptions: a small table a user picks from or overrides.

The rates are ILLUSTRATIVE, not forecasts: they give a multi-year term a sensible starting
point and show how much the answer depends on them. The fixed cost of a children's home is
mostly staff, so it follows pay (National Living Wage, employer National Insurance, the pay
needed to recruit and retain); the variable cost (food, activities, travel) follows prices.
Every row states its basis so a finance officer can judge it and type their own instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from engine.core.errors import ParameterError


@dataclass(frozen=True)
class CostAssumption:
    """One named set of annual cost rises (applied on every anniversary of the term)."""

    name: str
    label: str
    fixed_cost_inflation: float
    variable_cost_inflation: float
    basis: str


COST_ASSUMPTIONS: tuple[CostAssumption, ...] = (
    CostAssumption(
        "none",
        "No inflation",
        0.0,
        0.0,
        "Costs stay at year-1 prices: the one-year model repeated (for checking).",
    ),
    CostAssumption(
        "cpi_target",
        "Prices at the CPI target",
        0.02,
        0.02,
        "Bank of England CPI inflation target of 2 % a year, for pay and prices alike.",
    ),
    CostAssumption(
        "central",
        "Central (illustrative)",
        0.04,
        0.025,
        "Staff pay (most of the fixed cost) grows 4 % a year: above the 2 % CPI target, well below "
        "the recent National Living Wage rises; other costs a little above the CPI target.",
    ),
    CostAssumption(
        "high_pay_pressure",
        "High pay pressure (illustrative)",
        0.07,
        0.035,
        "Recent years: National Living Wage +9.7 % (April 2023), +9.8 % (April 2024), +6.7 % "
        "(April 2025); employer National Insurance 13.8 % → 15 % (April 2025); providers report "
        "10–20 % salary rises to recruit and retain staff (ICHA).",
    ),
)

DEFAULT_COST_ASSUMPTION = "central"
BY_NAME: dict[str, CostAssumption] = {row.name: row for row in COST_ASSUMPTIONS}


def cost_assumption(name: str) -> CostAssumption:
    """The named assumption set, or a ``ParameterError`` listing the names there are."""
    try:
        return BY_NAME[name]
    except KeyError:
        names = ", ".join(BY_NAME)
        raise ParameterError(
            [("cost_assumption", f"cost_assumption = {name!r} must be one of {names}")]
        ) from None


def cost_assumptions_table() -> pd.DataFrame:
    """The assumption table as the Term sheet shows it (one row per set, indexed by name)."""
    return pd.DataFrame(
        [row.__dict__ for row in COST_ASSUMPTIONS],
        columns=["name", "label", "fixed_cost_inflation", "variable_cost_inflation", "basis"],
    ).set_index("name")
