"""Where the example inputs come from, and the checks that tie them to the published figures.

The example (the defaults of ``PARAMETERS``, which every new workbook starts from) is meant
to look like the market it describes, so that a provider's finance director or a council
finance officer does not dismiss the model on its first page. ``EXAMPLE_SOURCES`` says where
each value comes from (a published figure, or "illustrative"); ``calibration`` computes the
checks from the engine, so the Guide sheet shows them and a test keeps the example from
drifting away from its sources. Pure data and arithmetic: it runs in Pyodide like the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.core.model import evaluate
from engine.core.parameters import Parameters

# Published figures the example is checked against (£ a week, cash terms).
CMA_PROFIT_PER_CHILD_WEEK = 910.0
"""Provider profit per child per week in children's homes, 2020 (CMA market study, up from £702 in 2016)."""
EMERGENCY_FEE = 10_000.0
"""Weekly fee of emergency spot placements, "£10,000+ per week" and increasingly common."""

TYPICAL_OCCUPANCY = 0.85
"""The occupancy at which the example is checked: the Risk sheet's most likely occupancy."""
TYPICAL_LOCAL_USE = 0.60
"""The local use at which the partnership is checked: the Risk sheet's most likely local use."""
CALIBRATION_TOLERANCE = 0.05
"""How far (as a share of the CMA figure) the example's spot profit may sit from it."""

CMA_SOURCE = "CMA children's social care market study (final report 2022), quoted by CYP Now"
EMERGENCY_SOURCE = "Peopletoo (C. Humble), on emergency placements: 'weekly fees of £10,000+ per week'"


@dataclass(frozen=True)
class ExampleSource:
    """One example input and where its value comes from (``basis`` is calibrated or illustrative)."""

    name: str
    basis: str
    source: str


EXAMPLE_SOURCES: tuple[ExampleSource, ...] = (
    ExampleSource("places", "illustrative", "A small home of four places."),
    ExampleSource("weeks_per_year", "definition", "A full year of care."),
    ExampleSource(
        "fixed_cost",
        "calibrated",
        "Chosen so that the provider's spot-market profit at 85 % occupancy matches the CMA's "
        "£910 per child per week (check below). Mostly staff: 'staff are rightly the most significant "
        "cost for children's homes' (ICHA, CYP Now 2022).",
    ),
    ExampleSource("variable_cost", "illustrative", "Food, activities and travel for each child placed."),
    ExampleSource(
        "local_fee",
        "illustrative",
        "Opening offer: about 11 % below the outside fee, in return for the host's contribution and "
        "reserved places.",
    ),
    ExampleSource(
        "outside_fee",
        "illustrative",
        "A standard placement fee; with it the spot-market profit matches the CMA figure (check below), "
        "well below emergency fees of £10,000+ a week (Peopletoo).",
    ),
    ExampleSource(
        "spot_price",
        "calibrated",
        "The host's average spot purchase: about 4 placements in 5 at the outside fee and 1 in 5 an "
        "emergency at £10,000+ a week (Peopletoo); check below.",
    ),
    ExampleSource(
        "host_contribution",
        "illustrative",
        "Opening offer: about a quarter of the fixed cost, 'de-risking the fixed cost base' (Revolution "
        "Consulting, 2024).",
    ),
    ExampleSource("reserved_places", "illustrative", "Opening offer: three of the four places for the host."),
    ExampleSource("release_share", "illustrative", "Opening offer."),
    ExampleSource("compensation_per_week", "illustrative", "Opening offer."),
    ExampleSource(
        "reasonable_return",
        "illustrative",
        "Opening offer: 'a reasonable return is agreed' in open-book partnerships (Shaw Trust, MJ 2024).",
    ),
    ExampleSource(
        "share_tiers",
        "illustrative",
        "Opening offer: 'escalating benefit to local authority for maximum use' "
        "(Revolution Consulting, 2024).",
    ),
    ExampleSource("deficit_support", "illustrative", "Opening offer: the host covers no loss."),
)


def spot_profit_per_child_week(params: Parameters, occupancy: float) -> float:
    """The provider's surplus on the spot market per occupied place-week (the CMA's measure).

    ``provider_spot_surplus`` does not depend on local use (every placement at the outside
    fee), so any local use gives the same figure.
    """
    result = evaluate(params, occupancy, 0.0)
    child_weeks = occupancy * params.places * params.weeks_per_year
    return float(result["provider_spot_surplus"]) / child_weeks


def calibration(params: Parameters | None = None) -> dict[str, float]:
    """The checks of the example, computed by the engine.

    ``spot_profit_per_child_week`` at ``TYPICAL_OCCUPANCY`` against the CMA figure;
    ``emergency_share``: the share of emergency placements at ``EMERGENCY_FEE`` that, mixed
    with placements at the outside fee, gives the spot price; and the partnership's
    ``provider_gain`` and ``host_saving`` (£ a year) at the typical occupancy and local use.
    """
    params = params or Parameters()
    at_typical = evaluate(params, TYPICAL_OCCUPANCY, TYPICAL_LOCAL_USE)
    profit = spot_profit_per_child_week(params, TYPICAL_OCCUPANCY)
    span = EMERGENCY_FEE - params.outside_fee
    return {
        "spot_profit_per_child_week": profit,
        "cma_profit_per_child_week": CMA_PROFIT_PER_CHILD_WEEK,
        "difference_from_cma": profit / CMA_PROFIT_PER_CHILD_WEEK - 1,
        "emergency_share": (params.spot_price - params.outside_fee) / span if span else float("nan"),
        "provider_gain": float(at_typical["provider_gain"]),
        "host_saving": float(at_typical["host_saving"]),
    }


def calibration_lines(params: Parameters | None = None) -> tuple[str, ...]:
    """The checks in words, for the Guide sheet."""
    c = calibration(params)
    occupancy, local_use = _percent(TYPICAL_OCCUPANCY), _percent(TYPICAL_LOCAL_USE)
    saving = c["host_saving"]
    return (
        f"Check 1: on the spot market at {occupancy} occupancy the provider makes "
        f"£{c['spot_profit_per_child_week']:,.0f} per child per week; the CMA found "
        f"£{CMA_PROFIT_PER_CHILD_WEEK:,.0f} (2020, not uplifted since: providers report costs rising "
        "faster than fees).",
        f"Check 2: the spot price is what the host pays when {_percent(c['emergency_share'])} of its spot "
        f"placements are emergencies at £{EMERGENCY_FEE:,.0f} a week and the rest cost the outside fee.",
        f"Check 3: at {occupancy} occupancy and {local_use} local use the partnership gains the provider "
        f"£{c['provider_gain']:,.0f} a year over the spot market and saves the host £{saving:,.0f}.",
    )


def _percent(share: float) -> str:
    """A share as the Guide writes it: 85 %."""
    return f"{share * 100:.0f} %"
