"""The inputs of the Region and Portfolio sheets: member tables, sharing rules, the point shown.

The columns of the two member tables are the engine's own (``engine.members.region.COUNCIL_COLUMNS``,
``engine.members.portfolio.HOME_COLUMNS``), so the sheet's formats, data validation and messages
follow the same rules as the engine; the text here is only what a sheet adds: headings a
finance officer reads, the worked example the template ships with, and the choices of the
sharing rules as a drop-down offers them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from engine import COUNCIL_COLUMNS, HOME_COLUMNS, HOME_CORRELATION, REGION_RULES_BY_NAME, ParameterSpec

MEMBER_ROWS = 10  # rows of each member table; empty rows are ignored
EXAMPLE_NOTE = (
    "Illustrative worked example: the template's {members} are invented to show how the sheet works. "
    "Replace them with your own, or clear the table to leave this sheet empty."
)


def _name_column(name: str, label: str) -> ParameterSpec:
    """The member's name: text, required, different from the others (checked by the engine)."""
    return ParameterSpec(name, "", label, "text", None, help=f"The {name}'s name, different from the others.")


COUNCIL_COLUMN_SPECS: tuple[ParameterSpec, ...] = (_name_column("council", "Council"), *COUNCIL_COLUMNS)
COUNCIL_HEADER = ("Council", "Contribution share", "Use share", "Own spot price (£/week)")
EXAMPLE_COUNCILS: tuple[tuple[Any, ...], ...] = (
    ("Westshire", 0.5, 0.4, 7_000),
    ("Eastshire", 0.3, 0.35, None),
    ("Northby", 0.2, 0.25, 6_000),
)

HOME_COLUMN_SPECS: tuple[ParameterSpec, ...] = (_name_column("home", "Home"), *HOME_COLUMNS)
HOME_HEADER = (
    "Home",
    "Places",
    "Fixed cost (£/year)",
    "Variable cost (£/week)",
    "Local fee (£/week)",
    "Outside fee (£/week)",
    "Reserved places",
    "Own occupancy",
)
EXAMPLE_HOMES: tuple[tuple[Any, ...], ...] = (
    ("Oak House", 4, 800_000, None, None, None, 3, None),
    ("Elm Lodge", 3, 820_000, 320, 5_200, 5_800, 2, None),
)

COUNCILS = ParameterSpec(
    "councils",
    "",
    "Member councils",
    "",
    EXAMPLE_COUNCILS,
    help="One row per council of the region. Each share column adds up to 100 %; an empty spot price "
    "is the partnership's (Inputs sheet).",
    rule_text="a name each (all different); shares from 0 to 100 %, each column adding up to 100 %",
)
HOMES = ParameterSpec(
    "homes",
    "",
    "Homes",
    "",
    EXAMPLE_HOMES,
    help="One row per home of the agreement. An empty cell takes the partnership's value (Inputs "
    "sheet); an empty occupancy follows the grid.",
    rule_text="a name each (all different); each value as on the Inputs sheet; reserved places at "
    "most the home's places",
)

# Choices as the drop-down lists offer them (the engine reads "split by use" as "use" and so on).
CHOICES: dict[str, tuple[str, ...]] = {
    "contribution_split": ("as entered", "split by use"),
    "credit_rule": ("by contribution", "by use", "mix"),
    "profit_rule": ("by contribution", "by use", "mix"),
}
CHOICE_DEFAULTS = {
    "contribution_split": "as entered",
    "credit_rule": "by contribution",
    "profit_rule": "by use",
}


def _rule(name: str) -> ParameterSpec:
    spec = REGION_RULES_BY_NAME[name]
    if name in CHOICES:
        return dataclasses.replace(spec, default=CHOICE_DEFAULTS[name], rule_text="see the list")
    return spec


RULE_SPECS: tuple[ParameterSpec, ...] = tuple(_rule(name) for name in REGION_RULES_BY_NAME)


def _point(name: str, label: str, default: float, help: str) -> ParameterSpec:
    return ParameterSpec(name, "", label, "share", default, minimum=0, maximum=1, help=help)


REGION_POINT: tuple[ParameterSpec, ...] = (
    _point(
        "region_occupancy",
        "Occupancy",
        0.9,
        "Occupancy of the summary table and the charts: share of the places filled over the year.",
    ),
    _point(
        "region_local_use",
        "Local use (all councils)",
        0.5,
        "Share of the occupied places used by the member councils together; each council's part of it "
        "is its use share.",
    ),
)
PORTFOLIO_POINT: tuple[ParameterSpec, ...] = (
    _point(
        "portfolio_occupancy",
        "Occupancy",
        0.9,
        "Occupancy of the summary table and the first chart, for every home without its own occupancy.",
    ),
    _point(
        "portfolio_local_use",
        "Local use",
        0.5,
        "Share of each home's occupied places used by the host.",
    ),
)
# The engine's own rule and words for the correlation between homes (range −1 to 1; the bound
# −1/(homes − 1) is checked against the homes table by the Portfolio sheet).
PORTFOLIO_RISK: tuple[ParameterSpec, ...] = (
    dataclasses.replace(
        HOME_CORRELATION,
        name="portfolio_home_correlation",
        symbol="",
        default=0.3,
        help=f"{HOME_CORRELATION.help} 0: each home's year is drawn on its own; 1: all homes move "
        "together. The ranges, draws and seed are the Risk sheet's.",
    ),
)
