"""The result sheets, in workbook order. A new sheet is one module with a ``SHEET`` record,
its layout in ``excel_addin.workbook.layout`` (inputs included), and one line in ``SHEETS`` below."""

from __future__ import annotations

from excel_addin.workbook.reader import Parser
from excel_addin.workbook.sheets import (
    agreement,
    breakdown,
    compare,
    host,
    portfolio,
    provider,
    region,
    results,
    risk,
    summary,
    term,
)
from excel_addin.workbook.sheets.common import Check, ResultSheet

SHEETS: tuple[ResultSheet, ...] = (
    summary.SHEET,
    provider.SHEET,
    host.SHEET,
    results.SHEET,
    breakdown.SHEET,
    compare.SHEET,
    region.SHEET,
    portfolio.SHEET,
    risk.SHEET,
    agreement.SHEET,
    term.SHEET,
)


def input_checks() -> tuple[Check, ...]:
    """The extra input rules of every result sheet, for the reader."""
    return tuple(sheet.check for sheet in SHEETS if sheet.check is not None)


def input_parsers() -> dict[str, Parser]:
    """The parsers of every result sheet's table inputs, by input name."""
    return {name: parser for sheet in SHEETS for name, parser in sheet.parsers.items()}


__all__ = ["SHEETS", "ResultSheet", "input_checks", "input_parsers"]
