"""The Host sheet: net cost, cost per local week and saving against spot, and their charts."""

from __future__ import annotations

from excel_addin.workbook import layout
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.plan import Item
from excel_addin.workbook.sheets.common import ResultSheet
from excel_addin.workbook.sheets.party import party_items


def build(ctx: RunContext) -> list[Item]:
    return party_items(ctx, "host", layout.HOST_SHEET, owns_names=False)


SHEET = ResultSheet(layout.HOST_SHEET, build, live=True)
