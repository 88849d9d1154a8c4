"""The Term sheet's inputs: the engine's term inputs (``engine.TERM_PARAMETERS``) as the sheet shows them.

Names, units, defaults and ranges are the engine's; what a sheet adds is here: shorter labels
beside the cells, help that speaks of cells rather than lists, the drop-down choices, and two
tables. The chosen occupancy and local use are called ``term_occupancy`` / ``term_local_use``
in the workbook (``occupancy`` alone would read as the grid's axis); everything else keeps the
engine's name, so a message such as ``fee_uplift_floor = 0.05 is above fee_uplift_cap = 0.04``
names the cell it is shown next to.

The layout (``excel_addin.workbook.layout``) places these; ``excel_addin.workbook.sheets.term`` reads them.
"""

from __future__ import annotations

import dataclasses

from engine import (
    COST_ASSUMPTIONS,
    MAX_YEARS,
    RATE_MAX,
    RATE_MIN,
    RULES,
    TERM_PARAMETERS,
    UPLIFT_KINDS,
    ParameterSpec,
)

SPECS: dict[str, ParameterSpec] = {spec.name: spec for spec in TERM_PARAMETERS}
RULE_NAMES: tuple[str, ...] = tuple(name for name, _, _ in RULES)

# Workbook name of the chosen point → the engine's name.
POINT: dict[str, str] = {"term_occupancy": "occupancy", "term_local_use": "local_use"}

# Rows of the optional year-by-year table: engine name, row label, the first year it has a value for
# (cost inflation is a rise on an anniversary, so year 1, at today's prices, has none).
PATH_ROWS: tuple[tuple[str, str, int], ...] = (
    ("occupancy", "Occupancy", 1),
    ("local_use", "Local use", 1),
    ("fixed_cost_inflation", "Fixed cost inflation", 2),
    ("variable_cost_inflation", "Variable cost inflation", 2),
)
PATH_HEADER: tuple[str, ...] = tuple(f"Year {year}" for year in range(1, MAX_YEARS + 1))

# What each rule moves, as the labels beside its cells say it.
RULE_SHORT: dict[str, str] = {
    "fee_uplift": "Fees",
    "host_contribution_uplift": "Host contribution",
    "compensation_uplift": "Compensation rate",
    "spot_price_uplift": "Spot price",
}
PART_LABELS = {"rate": "index rate a year", "cap": "cap on the rise", "floor": "floor on the rise"}
KIND_HELP = (
    "'fixed': as agreed for the whole term; 'index': + the rate every year; 'cost_linked': fees linked to "
    "costs, following the provider's cost of running the home full; 'capped': + the rate, held between the "
    "floor and the cap."
)
PART_HELP = {
    "rate": "The rise on every anniversary under 'index' and 'capped'.",
    "cap": "'capped' only: the most the price may rise in one year.",
    "floor": "'capped' only: the least the price rises in one year.",
}

CHOICES: dict[str, tuple[str, ...]] = {
    "cost_assumption": tuple(row.name for row in COST_ASSUMPTIONS),
    **{name: UPLIFT_KINDS for name in RULE_NAMES},
}


def _choice(name: str, label: str, help: str) -> ParameterSpec:
    """A text input picked from a list: no unit, the list is the rule."""
    return dataclasses.replace(SPECS[name], label=label, unit="", rule_text="see the list", help=help)


TERM_SPECS: tuple[ParameterSpec, ...] = (
    dataclasses.replace(SPECS["years"], rule_text="whole, 1 to 25"),
    SPECS["discount_rate"],
    _choice(
        "cost_assumption",
        SPECS["cost_assumption"].label,
        "The row of the table below that gives the cost inflation, unless the year-by-year rows are filled.",
    ),
)

COST_ASSUMPTIONS_SPEC = ParameterSpec(
    "cost_assumptions",
    "",
    "Cost inflation assumptions",
    "share",
    tuple((row.fixed_cost_inflation, row.variable_cost_inflation) for row in COST_ASSUMPTIONS),
    minimum=RATE_MIN,
    maximum=RATE_MAX,
    help="The annual rise of each cost under each assumption: edit the rates to your own view. "
    "Illustrative, not forecasts (the basis of each row is under the year-by-year table of results).",
)
COST_ASSUMPTIONS_HEADER = ("Fixed", "Variable")
COST_ASSUMPTION_ROWS: tuple[str, ...] = tuple(row.name for row in COST_ASSUMPTIONS)

POINT_SPECS: tuple[ParameterSpec, ...] = tuple(
    dataclasses.replace(
        SPECS[engine_name],
        name=name,
        help=f"{SPECS[engine_name].label} of the year-by-year table, in every year unless its row below is "
        "filled; the grids use the Inputs sheet's axes.",
    )
    for name, engine_name in POINT.items()
)

PATH_SPEC = ParameterSpec(
    "term_path",
    "",
    "Year by year",
    "share",
    (),
    minimum=RATE_MIN,
    maximum=RATE_MAX,
    help="Fill a row to make it change over the term, one value per year of the term; leave it empty "
    "to keep the value above. Inflation is the rise into that year, so year 1 stays empty.",
    rule_text="occupancy and local use 0 to 100 %; inflation −50 % to 100 %",
)


def rule_specs(prefix: str) -> tuple[ParameterSpec, ...]:
    """The four cells of one uplift rule (kind, rate, cap, floor), labelled by what the rule moves."""
    short = RULE_SHORT[prefix]
    kind = _choice(prefix, f"{short}: rule", KIND_HELP)
    parts = tuple(
        dataclasses.replace(
            SPECS[f"{prefix}_{part}"], label=f"{short}: {PART_LABELS[part]}", help=PART_HELP[part]
        )
        for part in ("rate", "cap", "floor")
    )
    return (kind, *parts)


def groups() -> list[tuple[str, list[ParameterSpec]]]:
    """The Term sheet's input sections, top to bottom: (title, specs)."""
    return [
        ("The term", list(TERM_SPECS)),
        (
            "Cost inflation assumptions: the rise of each cost a year (edit the rates)",
            [COST_ASSUMPTIONS_SPEC],
        ),
        ("The occupancy and local use of the year-by-year table", list(POINT_SPECS)),
        ("Changes over the term (optional): a filled row replaces the value above", [PATH_SPEC]),
        *((label, list(rule_specs(prefix))) for prefix, label, _ in RULES),
    ]


def workbook_name(engine_name: str) -> str:
    """The workbook's name for a term input the engine names ``engine_name``."""
    return next((name for name, other in POINT.items() if other == engine_name), engine_name)
