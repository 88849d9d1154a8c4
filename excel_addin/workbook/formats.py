"""Number formats, chosen once: how money, shares and counts look in every sheet.

Finance readers expect £ with thousands separators, losses in red with a minus sign,
and shares as percentages; heat maps show £ thousands so a 21-column table stays legible.
"""

from __future__ import annotations


def no_negative_zero(number: str, half: float, red: bool = True, plus: str = "") -> str:
    """A money format that never shows "-£0" or "-£0k": what rounds to zero is shown as "£0".

    A plain "positive;negative" format puts -£300 in the negative section, which shows "-£0k".
    Conditions choose the section by the value instead: at least ``half`` (half of the last
    digit shown) is positive, at most -``half`` negative, anything between is zero. With more
    than one section Excel and LibreOffice both show the number without its sign, so the
    negative section writes its own minus.
    """
    zero = number.replace("#,##", "")
    return f"[>={half:g}]{plus}{number};{'[Red]' if red else ''}[<=-{half:g}]-{number};{zero}"


MONEY_INPUT = "£#,##0"
MONEY = no_negative_zero("£#,##0", 0.5)
MONEY_THOUSANDS = no_negative_zero('£#,##0,"k"', 500)
HEAT_THOUSANDS = no_negative_zero('£#,##0,"k"', 500, red=False)
HEAT_MONEY = no_negative_zero("£#,##0", 0.5, red=False)
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
        return HEAT_THOUSANDS
    if unit.startswith("£"):
        return HEAT_MONEY
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
