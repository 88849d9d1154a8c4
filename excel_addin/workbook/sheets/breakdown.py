"""The Breakdown sheet: who pays whom at the occupancy and local use typed on the sheet."""

from __future__ import annotations

from engine import breakdown, evaluate, measure
from excel_addin.workbook import a1, layout
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.formats import MONEY, result_format, unit_words
from excel_addin.workbook.plan import Item, Name, SheetSetup, block
from excel_addin.workbook.sheets.common import ResultSheet, caption, percent_label

SHEET_LAYOUT = layout.BREAKDOWN_SHEET
PARTY_NAMES = {
    "host": "Host council",
    "provider": "Provider",
    "outside_authorities": "Outside authorities",
    "suppliers": "Suppliers (costs)",
}
HEADERS = ("Cash flow", "Formula", "From", "To", "Amount (£ per year)", *PARTY_NAMES.values())
AT_A_GLANCE = (
    "local_places",
    "outside_places",
    "released_places",
    "provider_surplus",
    "provider_margin",
    "provider_gain",
    "host_net_cost",
    "host_cost_per_local_week",
    "host_saving",
)


def build(ctx: RunContext) -> list[Item]:
    """The cash-flow lines of ``engine.core.breakdown`` and the key measures at the same point."""
    name, top = SHEET_LAYOUT.name, SHEET_LAYOUT.owned_row
    o, u = ctx.inputs.values["breakdown_occupancy"], ctx.inputs.values["breakdown_local_use"]
    frame = breakdown(ctx.inputs.params, o, u)
    heading = f"Cash flows at occupancy {percent_label(o)} and local use {percent_label(u)}"
    first = top + 3
    rows = _rows(frame)
    items: list[Item] = [
        caption(ctx, SHEET_LAYOUT),
        block(name, top + 1, 1, heading, style="heading"),
        block(name, top + 2, 1, [HEADERS], style="header"),
        block(name, first, 1, [row[:4] for row in rows[:-1]]),
        block(name, first, 5, [row[4:] for row in rows[:-1]], MONEY),
        block(name, first + len(rows) - 1, 1, [rows[-1][:4]], style="total"),
        block(name, first + len(rows) - 1, 5, [rows[-1][4:]], MONEY, "total"),
        Name(layout.out_name("breakdown"), name, a1.area(first, 1, len(rows), len(HEADERS))),
    ]
    row = first + len(rows) + layout.TABLE_GAP
    items += _at_a_glance(ctx, name, row, o, u)
    last = row + 1 + len(AT_A_GLANCE)
    widths = tuple(SHEET_LAYOUT.column_widths.items())
    setup = SheetSetup(
        name,
        column_widths=widths,
        print_area=a1.area(1, 1, last, len(HEADERS)),
        row_heights=((top + 2, 32.0),),
    )
    items.append(setup)
    return items


def _rows(frame) -> list[list[object]]:
    """The breakdown frame as rows of the sheet's columns (party names spelt out)."""
    out = []
    for record in frame.to_dict("records"):
        names = [PARTY_NAMES.get(record[key], "") for key in ("from", "to")]
        out.append(
            [record["line"], record["formula"], *names, record["amount"], *(record[p] for p in PARTY_NAMES)]
        )
    return out


def _at_a_glance(ctx: RunContext, sheet: str, row: int, o: float, u: float) -> list[Item]:
    values = evaluate(ctx.inputs.params, o, u)
    items: list[Item] = [block(sheet, row, 1, "The same point in the result tables", style="heading")]
    for offset, name in enumerate(AT_A_GLANCE, start=1):
        spec = measure(name)
        items.append(block(sheet, row + offset, 1, spec.label, style="label"))
        items.append(block(sheet, row + offset, 2, float(values[name]), result_format(spec.unit)))
        items.append(block(sheet, row + offset, 3, unit_words(spec.unit), style="note"))
    return items


SHEET = ResultSheet(SHEET_LAYOUT, build)
