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

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


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
        return repr(number) if not math.isfinite(number) else f"{number:g}"
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
    text = raw.strip().replace(",", "").replace("£", "").replace(" ", "")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if not _NUMBER.match(text):
        return Coerced(None, f"{name} = {format_value(raw)} is not a number")
    number = float(text) / (100 if percent else 1)
    if not math.isfinite(number):  # "1e999" is a number too big for a spreadsheet, not infinity
        return Coerced(None, f"{name} = {format_value(raw)} is not a finite number")
    return Coerced(number)
