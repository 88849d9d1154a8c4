"""The one way the model marks a cell's content as a formula.

A plan holds plain values; text in it may have come from a user (a scenario name, a
council's name, an input copied to the snapshot). openpyxl makes a formula of any text
starting with "=", and Excel of text starting with "=", "+", "-" or "@" when it is typed,
so "starts with =" cannot be how the model says "formula". A ``Formula`` is; every other
``str`` is written as text by every writer (``openpyxl_apply``, ``xlwings_apply``).
"""

from __future__ import annotations


class Formula(str):
    """A formula the model itself wrote ("=SUM(…)"), never text that came from a cell or a user."""


def is_formula(value: object) -> bool:
    """Whether a writer should enter ``value`` as a formula."""
    return isinstance(value, Formula)
