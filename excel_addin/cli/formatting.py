"""Numbers and columns for the terminal: one way to show money, shares and missing values."""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence

import numpy as np

DEFAULT_WIDTH = 80  # characters, when the output is not a terminal and COLUMNS is not set
MARKUP = re.compile(r"\[/?[a-z]+\]")  # rich's [red]…[/red] around a cell's text


def unit_text(unit: str) -> str:
    return {"£/year": "£k/year", "share": "%"}.get(unit, unit)


def nan_of(value: float | None) -> float:
    return float("nan") if value is None else value


def percent_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def terminal_width() -> int:
    """The terminal's width: COLUMNS when set, else the terminal's own, 80 when output is not a terminal."""
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns


def text_width(text: str) -> int:
    """Characters a cell's text takes on screen (its colour markup takes none)."""
    return len(MARKUP.sub("", text))


def table_width(widths: Sequence[int]) -> int:
    """Characters a rich table takes with columns this wide: each adds a space either side and a border."""
    return sum(widths) + 3 * len(widths) + 1


def fit_columns(count: int, fit: int, every: bool) -> list[int]:
    """Evenly spaced column indices, first and last included, as many as ``fit``."""
    if every or count <= fit:
        return list(range(count))
    step = -(-(count - 1) // (max(fit, 2) - 1))  # ceiling: a regular step (every 20 % rather than 15, 35…)
    return sorted({*range(0, count, step), count - 1})


def spaced_to_fit(first: int, widths: Sequence[int], room: int) -> list[int]:
    """The most evenly spaced columns (first and last included) that fit ``room`` beside a ``first`` column.

    A step that divides the axis (every 20 % of 0–100 %) reads better than an uneven one, so it
    is taken unless an uneven step shows half as many columns again.
    """
    last = len(widths) - 1
    if last < 1:
        return list(range(len(widths)))

    def fits(columns: list[int]) -> bool:
        return table_width([first, *(widths[j] for j in columns)]) <= room

    steps = [sorted({*range(0, last + 1, step), last}) for step in range(1, last + 1)]
    even = next((c for step, c in enumerate(steps, start=1) if last % step == 0 and fits(c)), steps[-1])
    uneven = next((c for c in steps if fits(c)), steps[-1])
    return uneven if len(uneven) >= 1.5 * len(even) else even


def pages_to_fit(first: int, widths: Sequence[int], room: int) -> list[list[int]]:
    """Every column, in runs of neighbours that each fit ``room`` beside a repeated ``first`` column."""
    pages: list[list[int]] = [[]]
    for j, width in enumerate(widths):
        page = pages[-1]
        if page and table_width([first, *(widths[k] for k in page), width]) > room:
            pages.append([j])
        else:
            page.append(j)
    return pages


def json_number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def cell_text(value: float, unit: str) -> str:
    if not np.isfinite(value):
        return "–"
    if unit == "share":
        text = f"{value:.1%}"
    elif unit == "£/year":
        text = f"£{abs(value) / 1000:,.0f}k"
    elif unit.startswith("£"):
        text = f"£{abs(value):,.0f}"
    else:
        text = f"{value:,.2f}"
    negative = value < 0 and any(ch in "123456789" for ch in text)  # never "-£0k" for a tiny loss
    if unit.startswith("£") and negative:
        text = f"-{text}"
    return f"[red]{text}[/red]" if negative else text
