"""What the Region and Portfolio sheets share: reading a member table, and laying out their parts.

Both sheets are the same column of blocks: the caption (and a warning while the table is
still the template's example), the sheet's own inputs as used, a statement at one point with
its notes, a grid of charts, heat maps two a printed page, and the charts' data. The blocks
here write each of those on a ``Cursor``, so both ``build`` functions read as that list.

A member table arrives as rows of cells (empty rows at its foot). Its own parser only
collects the cells; the engine validates them in the sheet's check, with the other inputs
at hand (the split rule, the partnership's values), and names each problem's row and
column so the reader can point at the cell. A table left entirely empty is not an error:
the sheet then says what to fill and the run skips it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine import Coerced, ParameterError, Parameters, is_empty
from excel_addin.workbook import a1, layout, member_inputs, printing
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.formats import SHARE, heat_format, unit_words
from excel_addin.workbook.plan import Chart, Item, Name, Series, SheetSetup, block, column_block
from excel_addin.workbook.reader import Unreadable
from excel_addin.workbook.sheets.common import (
    ChartBox,
    Table,
    axis_span,
    caption,
    chart_box,
    column_after,
)
from excel_addin.workbook.sheets.cursor import Cursor

CHARTS_PER_ROW = 2
STRONG, PLAIN, ACCENT = "1F3864", "A5A5A5", "ED7D31"  # the partnership (navy), a benchmark (grey), pooled
LIGHT = ("8FAADC", "A9D18E", "F4B183", "FFD966", "C9C9C9", "9DC3E6")  # members, in table order


def table_parser(raw: Any) -> Coerced:
    """The table's rows as typed (None when every cell is empty); a formula never calculated is a problem."""
    rows = [list(row) if isinstance(row, list | tuple) else [row] for row in (raw or [])]
    unreadable = [cell for row in rows for cell in row if isinstance(cell, Unreadable)]
    if unreadable:
        return Coerced(None, unreadable[0].reason)
    if all(is_empty(cell) for row in rows for cell in row):
        return Coerced(None)
    return Coerced(tuple(tuple(row) for row in rows))


def with_header(keys: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """The table as the engine reads it: the engine's column names, then the rows as typed."""
    return [list(keys), *(list(row) for row in rows)]


def engine_problems(read: Callable[[], Any]) -> list[tuple[str, str]]:
    """The (name, message) problems the engine raises while reading a table, or none."""
    try:
        read()
    except ParameterError as error:
        return list(error.problems)
    return []


def parameters_of(values: Mapping[str, Any]) -> Parameters | None:
    """The partnership's parameters among a check's values (present when they are valid)."""
    names = layout.parameter_names()
    if not all(name in values for name in names):
        return None
    return Parameters.from_mapping({name: values[name] for name in names})


def is_example(rows: Sequence[Sequence[Any]], example: Sequence[Sequence[Any]]) -> bool:
    """Whether the table still holds the template's worked example (empty rows ignored)."""
    filled = [list(row) for row in rows if not all(is_empty(cell) for cell in row)]
    if len(filled) != len(example):
        return False
    padded = [(row + [None] * len(model))[: len(model)] for row, model in zip(filled, example, strict=True)]
    return all(
        _same(a, b)
        for row, model in zip(padded, example, strict=True)
        for a, b in zip(row, model, strict=True)
    )


def _same(cell: Any, model: Any) -> bool:
    if is_empty(cell) or is_empty(model):
        return is_empty(cell) and is_empty(model)
    if isinstance(model, str):
        return isinstance(cell, str) and cell.strip() == model
    return isinstance(cell, int | float) and not isinstance(cell, bool) and math.isclose(cell, model)


def money(value: float) -> str:
    """£ in words for a note: '£1,234' or '-£1,234'."""
    return f"-£{abs(value):,.0f}" if value < 0 else f"£{value:,.0f}"


Line = tuple[str, Sequence[float], str | None, str | None]  # label, values, number format, style


@dataclass(frozen=True)
class Statement:
    """A statement at one point, as the sheet writes it and the command line prints it.

    ``lines`` are (label, values, number format, style); style "total" marks a line that
    sums the ones above it, "heading" a sub-heading without values.
    """

    title: str
    columns: list[str]
    lines: list[Line]
    notes: list[str]
    explained: list[str] = field(default_factory=list)  # the sharing rules in words, if any

    def records(self) -> list[dict[str, Any]]:
        """Each line with a value per column (None where undefined), for JSON."""
        return [
            {"line": label, "values": {c: _plain(v) for c, v in zip(self.columns, values, strict=True)}}
            for label, values, _, style in self.lines
            if style != "heading"
        ]


def _plain(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def as_text(value: float, number_format: str | None) -> str:
    """A statement's value as the sheet shows it: £1,234 / -£1,234, 40.0%, 93.6."""
    if not math.isfinite(value):
        return ""
    number_format = number_format or ""
    if "%" in number_format:
        return f"{value:.1%}"
    if "£" in number_format:
        return money(value)
    if number_format in ("0", "General"):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{value:,.2f}" if number_format.endswith("00") else f"{value:,.1f}"


def statement_table(sheet: str, row: int, statement: Statement) -> Table:
    """The statement as a table (see ``line_table``)."""
    return line_table(sheet, row, statement.title, statement.columns, statement.lines)


def line_table(sheet: str, row: int, title: str, columns: Sequence[str], lines: Sequence[Line]) -> Table:
    """A statement: one column per member (and totals), one line per figure (see ``Statement``)."""
    items: list[Item] = [
        block(sheet, row, 1, title, style="heading"),
        block(sheet, row + 1, 1, [["", *columns]], style="header"),
    ]
    for offset, (label, values, number_format, style) in enumerate(lines, start=2):
        label_style = style if style in ("total", "heading") else "label"
        items.append(block(sheet, row + offset, 1, label, style=label_style))
        if style != "heading":
            items.append(block(sheet, row + offset, 2, [list(values)], number_format, style))
    body = a1.area(row + 2, 1, len(lines), len(columns) + 1)
    return Table(items, row + 2 + len(lines) + layout.TABLE_GAP, {"body": body}, tall_rows=(row + 1,))


def data_table(
    sheet: str, row: int, title: str, x: np.ndarray, series: Sequence[tuple[str, np.ndarray]], unit: str
) -> Table:
    """A chart's data: occupancy down the first column, one column per line of the chart."""
    headers = ["Occupancy", *(name for name, _ in series)]
    values = np.column_stack([np.asarray(v, dtype=float) for _, v in series])
    items: list[Item] = [
        block(sheet, row, 1, title, style="heading"),
        block(sheet, row + 1, 1, [headers], style="header"),
        column_block(sheet, row + 2, 1, x, number_format=SHARE, style="axis"),
        block(sheet, row + 2, 2, values, heat_format(unit)),
    ]
    refs = {"x": a1.area(row + 2, 1, len(x), 1)}
    refs.update({name: a1.area(row + 2, 2 + k, len(x), 1) for k, (name, _) in enumerate(series)})
    return Table(items, row + 2 + len(x) + layout.TABLE_GAP, refs, tall_rows=(row + 1,))


def occupancy_chart(
    sheet: str,
    anchor: str,
    title: str,
    data: Table,
    names: Sequence[str],
    x: np.ndarray,
    box: ChartBox,
    colours: Sequence[str | None] = (),
) -> Chart:
    """£ per year against occupancy, one line per named column of ``data`` (colours: "RRGGBB" each)."""
    colours = list(colours) or [None] * len(names)
    x_min, x_max, x_step = axis_span(x)
    return Chart(
        sheet,
        anchor,
        title=title,
        x_title="Occupancy (share of places filled)",
        y_title=unit_words("£/year", compact=True),
        categories=data.refs["x"],
        series=tuple(
            Series(name, data.refs[name], colour) for name, colour in zip(names, colours, strict=True)
        ),
        x_format=SHARE,
        y_format=heat_format("£/year"),
        x_min=x_min,
        x_max=x_max,
        x_step=x_step,
        width_cm=box.width_cm,
        height_cm=box.height_cm,
    )


def widths_of(sheet: layout.SheetLayout, count: int) -> list[float]:
    """The sheet's column widths (characters), column A first, for ``count`` columns."""
    letters = [a1.column_letter(i) for i in range(1, count + 1)]
    return [float(sheet.column_widths.get(letter, layout.VALUE_WIDTH)) for letter in letters]


def chart_grid(row: int, count: int, widths: list[float]) -> tuple[list[str], ChartBox, int]:
    """Anchors for ``count`` charts two a row from ``row``, their size, and the row after them."""
    box = chart_box(widths)
    second = column_after(box.width_cm + 0.8, widths)
    anchors = [
        a1.cell(row + (index // CHARTS_PER_ROW) * box.rows, 1 if index % CHARTS_PER_ROW == 0 else second)
        for index in range(count)
    ]
    return anchors, box, row + math.ceil(count / CHARTS_PER_ROW) * box.rows + 1


def setup(
    sheet: layout.SheetLayout, last_row: int, columns: int, breaks: list[int], tall: list[int]
) -> SheetSetup:
    """Widths from the layout, printed landscape across the used columns, page breaks between parts."""
    return SheetSetup(
        sheet.name,
        column_widths=tuple(sheet.column_widths.items()),
        **printing.print_setup(sheet.name, last_row, columns, breaks),
        row_heights=tuple((row, 30.0) for row in tall),
    )


def skipped_items(ctx: RunContext, sheet: layout.SheetLayout, reason: str) -> list[Item]:
    """What a run writes on a sheet whose table is empty: the caption and what to do."""
    return [
        caption(ctx, sheet),
        block(sheet.name, sheet.owned_row + 1, 1, reason, style="heading"),
        setup(sheet, sheet.owned_row + 1, 8, [], []),
    ]


def member_page(
    ctx: RunContext, sheet: layout.SheetLayout, rows: Sequence[Sequence[Any]], example: Any, members: str
) -> Cursor:
    """The sheet's first blocks: the caption, and a warning while the table is the template's example."""
    page = Cursor(sheet.name, sheet.owned_row + 1, [caption(ctx, sheet)])
    if is_example(rows, example):
        page.text(member_inputs.EXAMPLE_NOTE.format(members=members), style="problem")
    return page


def with_header_row(body: str) -> str:
    """A statement's defined name: its header row and every line, labels included."""
    row, column, rows, columns = a1.parse_area(body)
    return a1.area(row - 1, column, rows + 1, columns)


def put_statement(page: Cursor, table: Table, name: str, notes: Sequence[str]) -> Table:
    """A statement (or any line table) named ``name`` with its header row, its notes under it."""
    defined = Name(layout.out_name(name), page.sheet, with_header_row(table.refs["body"]))
    return page.put(table, defined, notes=notes)


def put_chart_grid(page: Cursor, heading: str, count: int, widths: list[float]) -> tuple[list[str], ChartBox]:
    """A heading, then room for ``count`` charts two a row, on a printed page of their own."""
    page.text(heading, style="heading")
    anchors, box, page.row = chart_grid(page.row, count, printing.printed_widths(page.sheet, widths))
    page.page_break()
    return anchors, box


def finish(page: Cursor, sheet: layout.SheetLayout, columns: int) -> list[Item]:
    """Everything written, then the sheet's setup: print area down to the last block, breaks, tall rows."""
    return [*page.items, setup(sheet, page.row, columns, page.breaks, page.tall)]
