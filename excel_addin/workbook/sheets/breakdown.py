"""The Breakdown sheet: who pays whom at the occupancy and local use typed on the sheet."""

from __future__ import annotations

from engine import breakdown, evaluate, measure
from excel_addin.workbook import a1, layout
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.formats import MONEY, result_format, unit_words
from excel_addin.workbook.formula import Formula
from excel_addin.workbook.live_formulas import Point, measure_formula, quantity
from excel_addin.workbook.plan import Item, Name, SheetSetup, block
from excel_addin.workbook.sheets.common import ResultSheet, caption, formula_result, percent_label, shown

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


POINT = Point("breakdown_occupancy", "breakdown_local_use")  # the inputs typed on the sheet


def build(ctx: RunContext) -> list[Item]:
    """The cash-flow lines of ``engine.breakdown`` and the key measures at one point, as live formulas.

    Each amount is its formula over the inputs (``live_formulas``) carrying the engine's
    value; each party's column is + or − the amount, so the sheet follows the occupancy and
    local use typed on it with no run.
    """
    name, top = SHEET_LAYOUT.name, SHEET_LAYOUT.owned_row
    o, u = ctx.inputs.values["breakdown_occupancy"], ctx.inputs.values["breakdown_local_use"]
    frame = breakdown(ctx.inputs.params, o, u)
    heading = f"Cash flows at occupancy {percent_label(o)} and local use {percent_label(u)}"
    first = top + 3
    rows = _rows(frame, first)
    total = first + len(rows) - 1
    items: list[Item] = [
        caption(ctx, SHEET_LAYOUT, "" if ctx.template else LIVE_NOTE),
        block(name, top + 1, 1, HEADING.with_result(heading), style="heading"),
        block(name, top + 2, 1, [HEADERS], style="header"),
        block(name, first, 1, [row[:4] for row in rows[:-1]]),
        block(name, first, 5, [row[4:] for row in rows[:-1]], MONEY),
        block(name, total, 1, [rows[-1][:4]], style="total"),
        block(name, total, 5, [rows[-1][4:]], MONEY, "total"),
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


LIVE_NOTE = " The cash flows recalculate as the inputs change."


def _percent(name: str) -> str:
    """``percent_label`` as a formula: 80 %, or 82.5 % when the percentage is not whole."""
    whole = f"ROUND({name}*100,6)"
    return f'IF({whole}=INT({whole}),TEXT({name},"0%"),TEXT({name},"0.0%"))'


HEADING = Formula(
    f'="Cash flows at occupancy "&{_percent("breakdown_occupancy")}'
    f'&" and local use "&{_percent("breakdown_local_use")}'
)
PARTY_COLUMN = {party: 6 + index for index, party in enumerate(PARTY_NAMES)}  # F, G, H, I
# the host's and provider's totals as the engine gives them (their results); the others' are sums
TOTALS = {
    "host": "=-" + quantity("host_net_cost", POINT),
    "provider": measure_formula("provider_surplus", POINT),
}


def _rows(frame, first: int) -> list[list[object]]:
    """The breakdown frame as rows of the sheet's columns: amounts and signed parts as formulas."""
    out = []
    records = frame.to_dict("records")
    last = first + len(records) - 2
    for offset, record in enumerate(records[:-1]):
        row = first + offset
        names = [PARTY_NAMES.get(record[key], "") for key in ("from", "to")]
        amount = measure_formula(record["measure"], POINT).with_result(float(record["amount"]))
        parts: list[object] = []
        for party in PARTY_NAMES:
            value = float(record[party])
            if party == record["from"]:
                parts.append(Formula(f"=-E{row}", value))
            elif party == record["to"]:
                parts.append(Formula(f"=E{row}", value))
            else:
                parts.append(value)
        out.append([record["line"], record["formula"], *names, amount, *parts])
    total = records[-1]
    parts = []
    for party in PARTY_NAMES:
        column = a1.column_letter(PARTY_COLUMN[party])
        text = TOTALS.get(party, f"=SUM({column}{first}:{column}{last})")
        parts.append(Formula(text, float(total[party])))
    out.append([total["line"], "", "", "", None, *parts])
    return out


def _at_a_glance(ctx: RunContext, sheet: str, row: int, o: float, u: float) -> list[Item]:
    values = evaluate(ctx.inputs.params, o, u)
    items: list[Item] = [block(sheet, row, 1, "The same point in the result tables", style="heading")]
    for offset, name in enumerate(AT_A_GLANCE, start=1):
        spec = measure(name)
        result = formula_result(float(shown(name, values[name], values["local_weeks"])))
        items.append(block(sheet, row + offset, 1, spec.label, style="label"))
        items.append(
            block(
                sheet,
                row + offset,
                2,
                measure_formula(name, POINT).with_result(result),
                result_format(spec.unit),
            )
        )
        items.append(block(sheet, row + offset, 3, unit_words(spec.unit), style="note"))
    return items


SHEET = ResultSheet(SHEET_LAYOUT, build, live=True)
