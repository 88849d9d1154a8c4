"""The Provider sheet: surplus, margin and gain, break-even, and their charts."""

from __future__ import annotations

from excel_addin.workbook import layout
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.plan import Item
from excel_addin.workbook.sheets.common import ResultSheet
from excel_addin.workbook.sheets.party import party_items


def build(ctx: RunContext) -> list[Item]:
    return party_items(ctx, "provider", layout.PROVIDER_SHEET, owns_names=True)


SHEET = ResultSheet(layout.PROVIDER_SHEET, build, live=True)
