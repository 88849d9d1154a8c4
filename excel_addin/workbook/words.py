"""Direction words chosen by the sign of a change, once for every sentence of the product.

A sentence such as "the partnership lowers its expected surplus from -£40,521 to £48,645"
is wrong the moment the inputs change which way a figure moves; so no sentence picks
"raises", "lowers", "better" or "worse" itself. It gives the two figures (or the
difference) to these functions, which say "raises … from … to …", "lowers …", or "leaves …
at …" when nothing moves, and "better by £X" or "worse by £X" with the amount always
positive. A change in a probability is said in percentage points: from 40 % to 10 % is
"30 percentage points" lower, not "-75 %".
"""

from __future__ import annotations

import math
from collections.abc import Callable

POINTS_SHORT = "pp"  # percentage points, in tables where the words would not fit


def moves(what: str, before: float, after: float, text: Callable[[float], str]) -> str:
    """ "raises X from a to b", "lowers X from a to b", or "leaves X at a" (the same figure shown).

    Figures that print the same (two shares that both round to 0 %) count as no change:
    "lowers … from 0 % to 0 %" would read as a mistake.
    """
    first, second = text(before), text(after)
    if first == second or not (math.isfinite(before) and math.isfinite(after)):
        return f"leaves {what} at {first}"
    verb = "raises" if after > before else "lowers"
    return f"{verb} {what} from {first} to {second}"


def compared(
    difference: float,
    text: Callable[[float], str],
    up: str = "higher",
    down: str = "lower",
    same: str = "the same",
) -> str:
    """ "£3,454 lower", "£3,454 higher" or "the same": a difference said by its size and direction."""
    shown = text(abs(difference))
    if not math.isfinite(difference) or difference == 0 or shown == text(0.0):
        return same
    return f"{shown} {up if difference > 0 else down}"


def better_by(difference: float, text: Callable[[float], str]) -> str:
    """ "better by £2,973,887", "worse by £2,973,887" or "no different": for tables and sentences."""
    shown = text(abs(difference))
    if not math.isfinite(difference):
        return "–"
    if difference == 0 or shown == text(0.0):
        return "no different"
    return f"{'better' if difference > 0 else 'worse'} by {shown}"


def points_text(change: float, short: bool = True) -> str:
    """A change in a probability (a share, 0.25 = 25 %) in percentage points: "+25.0 pp", "-3.8 pp"."""
    if not math.isfinite(change):
        return "–"
    value = round(change * 100, 1)
    unit = POINTS_SHORT if short else "percentage points"
    if value == 0:
        return f"0 {unit}"
    return f"{'+' if value > 0 else '-'}{abs(value):.1f} {unit}"


def changes(what: str, difference: float, text: Callable[[float], str], unchanged: str | None = None) -> str:
    """ "raises X by £a", "lowers X by £a" or "leaves X unchanged" (or ``unchanged``): by its direction."""
    shown = text(abs(difference))
    if not math.isfinite(difference) or difference == 0 or shown == text(0.0):
        return unchanged or f"leaves {what} unchanged"
    return f"{'raises' if difference > 0 else 'lowers'} {what} by {shown}"
