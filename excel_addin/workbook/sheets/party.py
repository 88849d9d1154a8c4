"""The Provider and Host sheets: charts, break-even, and a heat map per key measure.

Both parties' sheets have the same shape, so one builder serves them; what differs is
the measures (``engine.KEY_MEASURES``) and which measure the 'by occupancy' chart draws.
Printed, page 1 holds the charts and the break-even table, page 2 the two tables that judge
the party against the spot market; its third table and the chart data stay on screen.
"""

from __future__ import annotations

from engine import KEY_MEASURES
from excel_addin.workbook import a1, layout, printing
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.plan import Item, SheetSetup
from excel_addin.workbook.sheets.common import (
    Table,
    break_even_chart,
    break_even_table,
    caption,
    chart_box,
    chart_data_table,
    column_after,
    grid_table,
    line_chart,
)
from excel_addin.workbook.sheets.cursor import Cursor

CHARTED = {"provider": "provider_surplus", "host": "host_net_cost"}
# The tables that judge a party against its no-deal alternative (the spot market) come first,
# so they are on the printed pages; the last one stays on screen (printing.PRINT).
TABLE_ORDER = {
    "provider": ("provider_surplus", "provider_gain", "provider_margin"),
    "host": ("host_saving", "host_cost_per_local_week", "host_net_cost"),
}
assert all(sorted(TABLE_ORDER[p]) == sorted(KEY_MEASURES[p]) for p in TABLE_ORDER)
TABLES_PER_PAGE = 2
LIVE_NOTE = (
    " The tables of measures and the chart data recalculate as inputs change; break-even is from this run."
)


def party_items(ctx: RunContext, party: str, sheet: layout.SheetLayout, owns_names: bool) -> list[Item]:
    """Every item of a party's sheet; ``owns_names`` gives its tables their out_ names.

    The Provider sheet owns the break-even and axis names; the Host sheet's copy of the
    break-even table is for reading and printing alongside the host's own measures.
    """
    name, top = sheet.name, sheet.owned_row
    widths = [layout.LABEL_WIDTH] + [layout.VALUE_WIDTH] * max(len(ctx.inputs.local_use), 6)
    box = chart_box(widths)
    chart_row = top + layout.CHARTS_OFFSET
    page = Cursor(name, chart_row + box.rows, [caption(ctx, sheet, "" if ctx.template else LIVE_NOTE)])
    breakeven = page.put(break_even_table(ctx, name, page.row, named=owns_names))
    page.page_break()
    sources: dict[str, str] = {}  # tables above, whose cells later formulas use at the same point
    for index, measure_name in enumerate(TABLE_ORDER[party]):
        table = page.put(
            grid_table(
                ctx,
                name,
                page.row,
                measure_name,
                named=True,
                axis_names=owns_names and index == 0,
                sources=sources,
            )
        )
        sources[measure_name] = table.refs["body"].split(":")[0]
        if index % TABLES_PER_PAGE == TABLES_PER_PAGE - 1:
            page.page_break()
    data = page.put(chart_data_table(ctx, name, page.row, CHARTED[party]))
    second = column_after(box.width_cm + 0.8, widths)
    page.add(
        line_chart(name, a1.cell(chart_row, 1), CHARTED[party], data, ctx.inputs.occupancy, box),
        break_even_chart(name, a1.cell(chart_row, second), breakeven, ctx.inputs.local_use, box),
        _setup(name, top, widths, data, page.breaks),
    )
    return page.items


def _setup(sheet: str, top: int, widths: list[float], data: Table, breaks: list[int]) -> SheetSetup:
    area, printed_breaks = printing.area(sheet, data.next_row, len(widths), breaks)
    return SheetSetup(
        sheet,
        column_widths=tuple((a1.column_letter(i), w) for i, w in enumerate(widths, start=1)),
        freeze=a1.cell(top + 1, 2),  # titles, caption and the occupancy column stay in view
        print_area=area,
        row_breaks=printed_breaks,
        row_heights=tuple((row, 30.0) for row in data.tall_rows),
    )
