"""Turning spreadsheet cell values into numbers, and numbers back into readable text.

Cells arrive as floats, ints, text such as "£5,000" or "25%", booleans, or None. A finance
officer expects the text forms to work and a TRUE/FALSE in a money cell to be refused.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from numbers import Real
from typing import Any

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
# between groups of three digits: a comma, or a space as some people and programs type it
_SPACES = " \u00a0\u2009\u202f"  # space, no-break space, thin space, narrow no-break space
_GROUP_SEPARATORS = re.compile(f"[,{_SPACES}]")
_NUMBER_LIKE = re.compile(f"^[0-9.,eE+{_SPACES}-]*[0-9][0-9.,eE+{_SPACES}-]*$")
_GROUPED = re.compile(f"^\\d{{1,3}}([,{_SPACES}])\\d{{3}}(?:\\1\\d{{3}})*$", re.ASCII)  # one kind throughout


@dataclass(frozen=True)
class Coerced:
    """A parsed value, or the problem that stopped it being one."""

    value: Any
    problem: str | None = None


def format_value(value: Any) -> str:
    """A value as a person would type it: 5000 not 5000.0, text in quotes."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Real):
        number = float(value)
        if math.isfinite(number) and number == int(number) and abs(number) < 1e15:
            return str(int(number))
        return repr(number)  # every digit needed to tell it apart: 4.0000000001, not 4
    if isinstance(value, str):
        return repr(value)
    return repr(value)


def to_number(name: str, raw: Any) -> Coerced:
    """Parse one cell value into a finite float, or say why it is not one."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Coerced(None, f"{name} is missing (the cell is empty)")
    if isinstance(raw, bool) or type(raw).__name__ == "bool_":
        return Coerced(None, f"{name} = {format_value(bool(raw))} is a TRUE/FALSE value, not a number")
    if isinstance(raw, str):
        return _parse_text(name, raw)
    if isinstance(raw, Real):
        number = float(raw)
        if not math.isfinite(number):
            return Coerced(None, f"{name} = {format_value(number)} is not a finite number")
        return Coerced(number)
    return Coerced(None, f"{name} = {format_value(raw)} is not a number")


def _parse_text(name: str, raw: str) -> Coerced:
    """Numbers as a UK user types them: "£5,000", "5 000", "50%", "5,000.00", "-£250", "1e6".

    A comma or space is read only as a thousands separator, between groups of three digits
    before the point. Anything else is refused, never guessed: "5,5" could be 5.5 written the
    European way or 55 with a slip, and "1.234,56" is 1234.56 in Europe but nothing here.
    """
    text = raw.strip()
    sign = ""
    if text.startswith(("+", "-")):
        sign, text = text[0], text[1:].lstrip()
    if text.startswith("£"):
        text = text[1:].lstrip()
    if not sign and text.startswith(("+", "-")):  # "£-5,000"
        sign, text = text[0], text[1:]
    percent = text.endswith("%")
    if percent:
        text = text[:-1].rstrip()
    shown = f"{name} = {format_value(raw)}"
    problem = _separator_problem(text)
    if problem:
        return Coerced(None, f"{shown} {problem}")
    plain = _GROUP_SEPARATORS.sub("", text)
    if plain[:1] in "+-" or not _NUMBER.match(plain):
        return Coerced(None, f"{shown} is not a number")
    number = float(sign + plain) / (100 if percent else 1)
    if not math.isfinite(number):  # "1e999" is a number too big for a spreadsheet, not infinity
        return Coerced(None, f"{shown} is not a finite number")
    return Coerced(number)


def _separator_problem(text: str) -> str | None:
    """Why the commas, spaces and points of a typed number are not the UK way, or None."""
    if not _NUMBER_LIKE.match(text):
        return None  # words, not a number with odd separators: "is not a number" says it
    whole, point, fraction = text.partition(".")
    if point and "." in fraction:
        return "has more than one decimal point (write 1234.56, or 1,234.56)"
    if point and _GROUP_SEPARATORS.search(fraction):
        return (
            "has a comma or space after the decimal point: write 1234.56 or 1,234.56 "
            "(a point before the decimals, commas only between thousands)"
        )
    if not _GROUP_SEPARATORS.search(whole):
        return None
    if "e" in text.lower():
        return "mixes thousands separators with an exponent"
    if not _GROUPED.match(whole):
        return (
            "has a comma or space that is not between thousands: write decimals with a point "
            "(1.5, not 1,5) and put commas only between groups of three digits (1,500)"
        )
    return None
