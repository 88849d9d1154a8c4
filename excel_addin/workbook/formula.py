"""The one way the model marks a cell's content as a formula.

A plan holds plain values; text in it may have come from a user (a scenario name, a
council's name, an input copied to the snapshot). openpyxl makes a formula of any text
starting with "=", and Excel of text starting with "=", "+", "-" or "@" when it is typed,
so "starts with =" cannot be how the model says "formula". A ``Formula`` is; every other
``str`` is written as text by every writer (``openpyxl_apply``, ``xlwings_apply``).

A ``Formula`` may carry its ``result``: what the formula gives, as the engine computed it.
Excel and LibreOffice recalculate anyway, but readers that do not (openpyxl with
``data_only=True``, file previewers) show the result a file saved with the formula, and
openpyxl saves none; the file layer writes ``result`` in its place.
"""

from __future__ import annotations

from typing import Any


class Formula(str):
    """A formula the model itself wrote ("=SUM(…)"), never text that came from a cell or a user."""

    result: Any

    def __new__(cls, text: str, result: Any = None) -> Formula:
        made = super().__new__(cls, text)
        made.result = result
        return made

    def with_result(self, result: Any) -> Formula:
        """The same formula, carrying what it evaluates to (None: unknown)."""
        return Formula(str(self), result)


def is_formula(value: object) -> bool:
    """Whether a writer should enter ``value`` as a formula."""
    return isinstance(value, Formula)
