"""The result sheets, in workbook order. A new sheet is one module with a ``SHEET`` record,
its layout in ``excel_addin.layout`` (inputs included), and one line in ``SHEETS`` below."""

from __future__ import annotations

from . import breakdown, host, provider, results
from .common import Check, ResultSheet

SHEETS: tuple[ResultSheet, ...] = (provider.SHEET, host.SHEET, results.SHEET, breakdown.SHEET)


def input_checks() -> tuple[Check, ...]:
    """The extra input rules of every result sheet, for the reader."""
    return tuple(sheet.check for sheet in SHEETS if sheet.check is not None)


__all__ = ["SHEETS", "ResultSheet", "input_checks"]
