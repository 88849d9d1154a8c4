"""Numbers and columns for the terminal: one way to show money, shares and missing values."""

from __future__ import annotations

import numpy as np

SHOW_COLUMNS = 11  # at most this many local-use columns unless --all (fewer on a narrow terminal)


def unit_text(unit: str) -> str:
    return {"£/year": "£k/year", "share": "%"}.get(unit, unit)


def nan_of(value: float | None) -> float:
    return float("nan") if value is None else value


def percent_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def fit_columns(count: int, fit: int, every: bool) -> list[int]:
    """Evenly spaced column indices, first and last included, as many as fit the terminal."""
    if every or count <= fit:
        return list(range(count))
    step = -(-(count - 1) // (fit - 1))  # ceiling: a regular step (every 20 % rather than 15, 35…)
    return sorted({*range(0, count, step), count - 1})


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
