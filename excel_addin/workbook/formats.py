"""Number formats, chosen once: how money, shares and counts look in every sheet.

Finance readers expect £ with thousands separators, losses in red with a minus sign,
and shares as percentages; heat maps show £ thousands so a 21-column table stays legible.
"""

from __future__ import annotations

MONEY_INPUT = "£#,##0"
MONEY = "£#,##0;[Red]-£#,##0"
MONEY_THOUSANDS = '£#,##0,"k";[Red]-£#,##0,"k"'
SHARE = "0%"
SHARE_FINE = "0.0%"
SHARE_SIGNED = "0.0%;[Red]-0.0%"
PLACES = "0.00"
WHOLE = "0"
WEEKS = "#,##0.0"
GENERAL = "General"
DATE_TIME = "yyyy-mm-dd hh:mm"


def input_format(unit: str, integer: bool = False, fine: bool = True) -> str:
    """The format of an input cell: '£#,##0' for money, '0.0%' (or '0%') for shares."""
    if unit.startswith("£"):
        return MONEY_INPUT
    if unit == "share":
        return SHARE_FINE if fine else SHARE
    return WHOLE if integer else GENERAL


def result_format(unit: str, compact: bool = False) -> str:
    """The format of a result of ``unit``; ``compact`` shows £/year in £ thousands."""
    if unit == "£/year":
        return MONEY_THOUSANDS if compact else MONEY
    if unit.startswith("£"):
        return MONEY
    if unit == "share":
        return SHARE_SIGNED
    if unit == "places":
        return PLACES
    if unit == "weeks":
        return WEEKS
    return GENERAL


def heat_format(unit: str) -> str:
    """The format inside a heat map: no red text, the colour scale already shows the sign."""
    if unit == "£/year":
        return '£#,##0,"k";-£#,##0,"k"'
    if unit.startswith("£"):
        return "£#,##0;-£#,##0"
    if unit == "share":
        return "0.0%"
    return result_format(unit)


def unit_words(unit: str, compact: bool = False) -> str:
    """A unit as a table title says it: '£ thousand per year', 'share of revenue'…"""
    words = {
        "£/year": "£ thousand per year" if compact else "£ per year",
        "£/week": "£ per week",
        "share": "%",
        "places": "places",
        "weeks": "weeks per year",
    }
    return words.get(unit, unit)
