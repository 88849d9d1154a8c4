"""The Results sheet: every measure at every grid point, one tidy row each, ready to pivot."""

from __future__ import annotations

from engine import MEASURES
from excel_addin.workbook import a1, layout, printing
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.formats import SHARE, result_format, unit_words
from excel_addin.workbook.plan import Filter, Item, Name, SheetSetup, block, column_block
from excel_addin.workbook.sheets.common import ResultSheet, caption

SHEET_LAYOUT = layout.RESULTS_SHEET


def build(ctx: RunContext) -> list[Item]:
    """Labels row, names row (the pivot header), then one row per (occupancy, local use)."""
    name, top = SHEET_LAYOUT.name, SHEET_LAYOUT.owned_row
    frame = ctx.grid.to_frame()
    labels_row, header_row = top + 2, top + 3
    first, count = header_row + 1, len(frame)
    labels = ["Occupancy", "Local use", *(f"{m.label} ({unit_words(m.unit)})" for m in MEASURES)]
    items: list[Item] = [
        caption(ctx, SHEET_LAYOUT),
        block(name, top + 1, 1, printing.spec(name).note, style="note"),
        block(name, labels_row, 1, [labels], style="header"),
        block(name, header_row, 1, [list(frame.columns)], style="axis"),
    ]
    for index, column in enumerate(frame.columns, start=1):
        unit = "share" if column in ("occupancy", "local_use") else None
        fmt = SHARE if unit else result_format(next(m.unit for m in MEASURES if m.name == column))
        items.append(column_block(name, first, index, frame[column].to_numpy(), number_format=fmt))
    table = a1.area(header_row, 1, count + 1, len(frame.columns))
    items += [
        Name(layout.out_name("results"), name, table),
        Filter(name, table),
        SheetSetup(
            name,
            column_widths=tuple(
                (a1.column_letter(i), max(layout.RESULTS_WIDTH, len(column) + 2.0))
                for i, column in enumerate(frame.columns, start=1)
            ),
            row_heights=((labels_row, 48.0),),
            freeze=a1.cell(first, 3),
            print_area=printing.nothing(len(frame.columns)),
            repeat_rows=(labels_row, header_row),
        ),
    ]
    return items


SHEET = ResultSheet(SHEET_LAYOUT, build)
