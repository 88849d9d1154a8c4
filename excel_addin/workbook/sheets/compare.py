"""The Compare sheet: spot, block, open-book cost-plus and the partnership on the same grid.

A council finance officer holds the partnership against what the council buys today and
against Somerset's open-book partnership; a provider does the same from its side. The sheet
answers, for the terms typed at its top: what each contract costs the host and earns the
provider in one chosen year, how risky each is over uncertain years, which contract wins in
each cell of the grid (two colour maps with a legend), and how the host's cost per local
week and the provider's surplus move with occupancy (one line per contract).

Printed: page 1 the terms, what each contract is and the findings; page 2 the year
compared, the risk, the counts and the charts; page 3 both maps; then the chart data.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd

from engine import CONTRACT_NAMES, measure
from excel_addin.workbook import a1, layout, printing
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.contract_figures import (
    CHART_MEASURES,
    CONTRACT_HELP,
    FILLS,
    LINES,
    POINT_MEASURES,
    SHORT_LABELS,
    SYMBOLS,
    Comparison,
    check_terms,
    compare_inputs,
    default_counts,
    default_host_best,
    formula_text,
)
from excel_addin.workbook.formats import SHARE, SHARE_FINE, WHOLE, heat_format, result_format, unit_words
from excel_addin.workbook.plan import (
    CategoryColours,
    Chart,
    Item,
    Name,
    Series,
    SheetSetup,
    block,
    column_block,
    has_gaps,
)
from excel_addin.workbook.sheets.common import (
    ChartBox,
    ResultSheet,
    Table,
    axis_span,
    caption,
    chart_box,
    column_after,
    percent_label,
)
from excel_addin.workbook.sheets.cursor import Cursor

SHEET_LAYOUT = layout.COMPARE_SHEET
NAME = SHEET_LAYOUT.name
LABELS = [SHORT_LABELS[name] for name in CONTRACT_NAMES]
COLOURS = tuple((SHORT_LABELS[name], FILLS[name]) for name in CONTRACT_NAMES)
GRID_WIDTH = 9.0  # one grid column: "Partnership" in a map's small type, "-£1,234k" in a table
MIN_COLUMNS = 16  # print at least this wide, so the help lines are not cut
HELP_WIDTH = 170  # characters a help line is wrapped at (it overflows into the empty cells beside)
COST_CAP_TIMES_SPOT = 2  # the cost-per-week chart's axis stops at this many spot prices


def build(ctx: RunContext) -> list[Item]:
    """Every item of the Compare sheet from its output row down."""
    comparison = compare_inputs(ctx.inputs)
    widths = _widths(len(ctx.inputs.local_use))
    page = Cursor(NAME, SHEET_LAYOUT.owned_row + 2, [caption(ctx, SHEET_LAYOUT)])
    page.put(_help(page.row))
    page.put(_findings(comparison, page.row))
    page.page_break()
    for part in (_point_table, _risk_table, _counts_table):
        page.put(part(comparison, page.row))
    box = chart_box(printing.printed_widths(NAME, widths))
    page.page_break()  # the charts on a printed page of their own, whole
    chart_row = page.row
    page.skip(box.rows + 1)
    page.text(_cap_note(ctx, comparison), style="note")
    page.skip(layout.TABLE_GAP)
    page.page_break()
    for party, best in (("host", comparison.host_best), ("provider", comparison.provider_best)):
        page.put(_map(ctx, comparison, party, best, page.row))
    page.page_break()  # both maps on one page, to compare
    data = {name: page.put(_chart_data(ctx, comparison, name, page.row)) for name in CHART_MEASURES}
    second = column_after(box.width_cm + 0.8, widths)
    for column, name in ((1, CHART_MEASURES[0]), (second, CHART_MEASURES[1])):
        page.add(_chart(ctx, comparison, name, data[name], a1.cell(chart_row, column), box))
    page.add(
        SheetSetup(
            NAME,
            column_widths=tuple((a1.column_letter(i), w) for i, w in enumerate(widths, start=1)),
            freeze=None,
            **printing.print_setup(NAME, page.row, len(widths), page.breaks),
        )
    )
    return page.items


def _widths(local_uses: int) -> list[float]:
    """Column A holds labels; B–F keep the input sheet's widths; the grid columns follow."""
    fixed = SHEET_LAYOUT.column_widths
    count = max(local_uses, MIN_COLUMNS)
    return [fixed.get(a1.column_letter(i), GRID_WIDTH) for i in range(1, count + 2)]


def _help(row: int) -> Table:
    """What each contract is, who carries the risk, and its formulas (the README's words)."""
    items: list[Item] = [
        block(NAME, row, 1, "The four contracts, and who carries the risk in each", style="heading")
    ]
    first = row = row + 1
    for name in CONTRACT_NAMES:
        what, risk = CONTRACT_HELP[name]
        items.append(block(NAME, row, 1, SHORT_LABELS[name], style="status"))
        for text, style in ((what, None), (f"Risk: {risk}", "label"), (formula_text(name), "note")):
            lines = textwrap.wrap(text, HELP_WIDTH)
            items.append(column_block(NAME, row, 2, lines, style=style))
            row += len(lines)
    items.append(CategoryColours(NAME, a1.area(first, 1, row - first, 1), COLOURS))
    items.append(column_block(NAME, row, 2, textwrap.wrap(f"Symbols: {SYMBOLS}", HELP_WIDTH), style="note"))
    return Table(items, row + 1 + layout.TABLE_GAP, {})


def _findings(comparison: Comparison, row: int) -> Table:
    """The finding at the default inputs (computed, so it cannot go stale) and at these inputs."""
    defaults = default_counts()
    total = int(defaults["host_best_cells"].sum())
    spot = int(defaults["host_best_cells"]["spot"])
    paying = _where_won("block"), _where_won("open_book")
    lines = [
        f"At the default inputs spot is the cheapest contract for the host in {spot} of the {total} cells "
        "of the 21 × 21 grid: block and open book make the host pay for empty places (block places whether "
        "they are used or not, open book the home's full cost plus margin).",
        f"They pay off for the host only in a busy home: at the defaults, block from {paying[0]}, open book "
        f"from {paying[1]}.",
    ]
    counts = comparison.counts
    cells = int(counts["host_best_cells"].sum())
    host, provider = str(counts["host_best_cells"].idxmax()), str(counts["provider_best_cells"].idxmax())
    lines.append(
        f"With this workbook's inputs the host pays least under {SHORT_LABELS[host].lower()} in "
        f"{counts['host_best_cells'][host]} of {cells} cells, and the provider earns most under "
        f"{SHORT_LABELS[provider].lower()} in {counts['provider_best_cells'][provider]} (counts and "
        "maps below)."
    )
    wrapped = [part for line in lines for part in textwrap.wrap(line, HELP_WIDTH + 20)]
    items: list[Item] = [
        block(NAME, row, 1, "What the comparison shows", style="heading"),
        column_block(NAME, row + 1, 1, wrapped),
    ]
    return Table(items, row + 1 + len(wrapped) + layout.TABLE_GAP, {})


def _where_won(contract: str) -> str:
    """Where ``contract`` is cheapest for the host at the defaults, in words: the lowest occupancy
    at which it wins, and the local use it wins at there (not a rectangle the cells may not fill)."""
    best = default_host_best()
    won = best.to_numpy() == contract
    if not won.any():
        return "nowhere"
    first = int(np.nonzero(won.any(axis=1))[0][0])
    uses = best.columns[won[first]]
    low, high = percent_label(uses.min()), percent_label(uses.max())
    span = f"local use {low}" if low == high else f"local use {low} to {high}"
    return f"{percent_label(best.index[first])} occupancy (at {span})"


def _contract_header(row: int, first: str) -> list[Item]:
    """A table's header: its first column's title, the contracts in their colours, the unit."""
    return [
        block(NAME, row, 1, first, style="header"),
        block(NAME, row, 2, [LABELS], style="category"),
        CategoryColours(NAME, a1.area(row, 2, 1, len(LABELS)), COLOURS),
        block(NAME, row, 2 + len(LABELS), "Unit", style="header"),
    ]


def _format(unit: str) -> str:
    """A table cell's format: £/year in £ thousands so a contract column stays narrow."""
    return result_format(unit, compact=True)


def _point_table(comparison: Comparison, row: int) -> Table:
    """The chosen year: each contract's key measures side by side, and who wins there."""
    o, u = comparison.occupancy, comparison.local_use
    heading = f"One year compared: occupancy {percent_label(o)}, local use {percent_label(u)}"
    items: list[Item] = [block(NAME, row, 1, heading, style="heading"), *_contract_header(row + 1, "Measure")]
    first = row + 2
    for offset, name in enumerate(POINT_MEASURES):
        spec = measure(name)
        values = comparison.at_point(name)
        items += [
            block(NAME, first + offset, 1, spec.label, style="label"),
            block(NAME, first + offset, 2, [[values[c] for c in CONTRACT_NAMES]], _format(spec.unit)),
            block(NAME, first + offset, 2 + len(LABELS), unit_words(spec.unit, compact=True), style="unit"),
        ]
    body = a1.area(first, 2, len(POINT_MEASURES), len(LABELS))
    best = comparison.best_at_point()
    note = (
        f"In this year the host pays least under {SHORT_LABELS[best['host']].lower()}, and the provider "
        f"earns most under {SHORT_LABELS[best['provider']].lower()}."
    )
    if has_gaps(comparison.point[list(POINT_MEASURES)].to_numpy()):
        note += " Empty cells: not defined in this year (no local weeks, or no revenue)."
    end = first + len(POINT_MEASURES)
    items += [block(NAME, end, 1, note, style="note"), Name(layout.out_name("compare_point"), NAME, body)]
    return Table(items, end + 1 + layout.TABLE_GAP, {"body": body})


def _risk_table(comparison: Comparison, row: int) -> Table:
    """Probability of a loss for the provider and P90 host cost, each contract side by side."""
    risk = comparison.risk
    items: list[Item] = [
        block(NAME, row, 1, "Risk over uncertain years: who carries it", style="heading"),
        *_contract_header(row + 1, "Figure"),
    ]
    first = row + 2
    for offset, record in enumerate(risk.to_dict("records")):
        fmt = SHARE_FINE if record["unit"] == "share" else _format(record["unit"])
        items += [
            block(NAME, first + offset, 1, record["label"], style="label"),
            block(NAME, first + offset, 2, [[record[c] for c in CONTRACT_NAMES]], fmt),
            block(
                NAME, first + offset, 2 + len(LABELS), unit_words(record["unit"], compact=True), style="unit"
            ),
        ]
    body = a1.area(first, 2, len(risk), len(LABELS))
    end = first + len(risk)
    items += [
        block(NAME, end, 1, comparison.risk_inputs.source, style="note"),
        Name(layout.out_name("compare_risk"), NAME, body),
    ]
    return Table(items, end + 1 + layout.TABLE_GAP, {"body": body})


COUNT_ROWS = (
    ("host_best_cells", "Cheapest for the host: cells", WHOLE, "cells"),
    ("host_best_share", "Cheapest for the host: share of the grid", SHARE_FINE, "%"),
    ("provider_best_cells", "Best for the provider: cells", WHOLE, "cells"),
    ("provider_best_share", "Best for the provider: share of the grid", SHARE_FINE, "%"),
)


def _counts_table(comparison: Comparison, row: int) -> Table:
    """How many cells of the grid each contract wins, for each party."""
    counts = comparison.counts.reindex(list(CONTRACT_NAMES), fill_value=0)
    o, u = comparison.host_best.shape
    items: list[Item] = [
        block(NAME, row, 1, f"Cells won on the grid ({o} occupancies × {u} local uses)", style="heading"),
        *_contract_header(row + 1, "Count"),
    ]
    first = row + 2
    for offset, (column, label, fmt, unit) in enumerate(COUNT_ROWS):
        items += [
            block(NAME, first + offset, 1, label, style="label"),
            block(NAME, first + offset, 2, [counts[column].to_numpy()], fmt),
            block(NAME, first + offset, 2 + len(LABELS), unit, style="unit"),
        ]
    body = a1.area(first, 2, len(COUNT_ROWS), len(LABELS))
    end = first + len(COUNT_ROWS)
    note = (
        "A tie (within £0.01 a year) goes to the contract further left: a newer contract must beat the old."
    )
    items += [block(NAME, end, 1, note, style="note"), Name(layout.out_name("compare_counts"), NAME, body)]
    return Table(items, end + 1 + layout.TABLE_GAP, {"body": body})


MAP_TITLES = {
    "host": "Cheapest contract for the host (lowest host net cost) in each cell",
    "provider": "Best contract for the provider (highest provider surplus) in each cell",
}


def _map(ctx: RunContext, comparison: Comparison, party: str, best: pd.DataFrame, row: int) -> Table:
    """Which contract wins each cell, as words coloured per contract, with a legend."""
    o, u = ctx.inputs.occupancy, ctx.inputs.local_use
    counts = comparison.counts[f"{party}_best_cells"].reindex(list(CONTRACT_NAMES), fill_value=0)
    labels = np.vectorize(lambda name: SHORT_LABELS.get(name, ""), otypes=[object])(best.to_numpy())
    legend_row, axis_row = row + 1, row + 3
    body = a1.area(axis_row + 1, 2, len(o), len(u))
    items: list[Item] = [
        block(NAME, row, 1, MAP_TITLES[party], style="heading"),
        block(NAME, legend_row, 1, "Colour of each contract", style="label"),
        block(NAME, legend_row, 2, [LABELS], style="category"),
        CategoryColours(NAME, a1.area(legend_row, 2, 1, len(LABELS)), COLOURS),
        block(NAME, legend_row + 1, 1, "Cells won", style="note"),
        block(NAME, legend_row + 1, 2, [[f"{n} cells" for n in counts.to_numpy()]], style="note"),
        block(NAME, axis_row, 1, "Occupancy ↓   Local use →", style="axis"),
        block(NAME, axis_row, 2, [u], SHARE, "axis"),
        column_block(NAME, axis_row + 1, 1, o, number_format=SHARE, style="axis"),
        block(NAME, axis_row + 1, 2, labels, style="category"),
        CategoryColours(NAME, body, COLOURS),
        Name(layout.out_name(f"compare_best_{party}"), NAME, body),
    ]
    return Table(items, axis_row + 1 + len(o) + layout.TABLE_GAP, {"body": body})


def _chart_data(ctx: RunContext, comparison: Comparison, name: str, row: int) -> Table:
    """One measure along the occupancy axis at the chosen local use, a column per contract."""
    spec = measure(name)
    o = ctx.inputs.occupancy
    title = (
        f"Chart data: {spec.label.lower()} ({unit_words(spec.unit, compact=True)}) at local use "
        f"{percent_label(comparison.local_use)}"
    )
    items: list[Item] = [
        block(NAME, row, 1, title, style="heading"),
        block(NAME, row + 1, 1, [["Occupancy", *LABELS]], style="header"),
        column_block(NAME, row + 2, 1, o, number_format=SHARE, style="axis"),
        block(NAME, row + 2, 2, comparison.line(name), _format(spec.unit)),
        Name(layout.out_name(f"compare_line_{name}"), NAME, a1.area(row + 2, 2, len(o), len(LABELS))),
    ]
    refs = {"x": a1.area(row + 2, 1, len(o), 1)}
    refs.update({c: a1.area(row + 2, 2 + k, len(o), 1) for k, c in enumerate(CONTRACT_NAMES)})
    return Table(items, row + 2 + len(o) + layout.TABLE_GAP, refs)


def _cost_cap(ctx: RunContext) -> float:
    """Where the cost-per-week axis stops: a few spot prices, rounded up to £5,000."""
    return math.ceil(COST_CAP_TIMES_SPOT * max(ctx.inputs.params.spot_price, 1.0) / 5_000) * 5_000


def _cap_note(ctx: RunContext, comparison: Comparison) -> str:
    cap = _cost_cap(ctx)
    note = f"The host's cost-per-week axis stops at £{cap:,.0f} a week."
    if np.nanmax(comparison.line("host_cost_per_local_week"), initial=-np.inf) > cap:
        note += " At low occupancy some contracts cost more a week: the chart data below has every value."
    return note + " A line is missing where there are no local weeks."


def _chart(
    ctx: RunContext, comparison: Comparison, name: str, data: Table, anchor: str, box: ChartBox
) -> Chart:
    """One measure against occupancy, a line per contract in its map colour."""
    spec = measure(name)
    x_min, x_max, x_step = axis_span(ctx.inputs.occupancy)
    values = comparison.line(name)
    finite = values[np.isfinite(values)]
    y_min = y_max = None
    if name == "host_cost_per_local_week":
        y_max = _cost_cap(ctx)
        y_min = min(0.0, math.floor(float(finite.min()) / 5_000) * 5_000) if finite.size else 0.0
    return Chart(
        NAME,
        anchor,
        title=f"{spec.label}, local use {percent_label(comparison.local_use)}",
        x_title="Occupancy (share of places filled)",
        y_title=unit_words(spec.unit, compact=spec.unit == "£/year"),
        categories=data.refs["x"],
        series=tuple(Series(SHORT_LABELS[c], data.refs[c], LINES[c]) for c in CONTRACT_NAMES),
        x_format=SHARE,
        y_format=heat_format(spec.unit),
        x_min=x_min,
        x_max=x_max,
        x_step=x_step,
        y_min=y_min,
        y_max=y_max,
        width_cm=box.width_cm,
        height_cm=box.height_cm,
    )


SHEET = ResultSheet(SHEET_LAYOUT, build, check=check_terms)
