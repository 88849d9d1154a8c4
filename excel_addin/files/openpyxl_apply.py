"""Apply a plan to an openpyxl workbook: values, styles, names, heat maps, charts, page set-up.

openpyxl drops the charts of a file it loads, so every chart is part of the plan and is
drawn again on each run. The plan is checked first: no item may write into an input cell.
Text is always written as text: openpyxl would make a formula of any text starting with
"=" (and an error value of "#N/A"), and text may have come from a user; only a
``formula.Formula`` becomes a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from copy import copy
from typing import Any
from weakref import WeakKeyDictionary

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference, ScatterChart, Series
from openpyxl.chart.axis import ChartLines, NumericAxis
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.worksheet import Worksheet

from excel_addin.files.openpyxl_io import remember_result
from excel_addin.workbook import a1, layout, printing, styles
from excel_addin.workbook.formula import Formula
from excel_addin.workbook.plan import (
    Block,
    CategoryColours,
    Chart,
    Clear,
    Filter,
    HeatMap,
    Item,
    Name,
    SheetSetup,
    check_plan,
)

RED, WHITE, GREEN = "F8696B", "FFFFFF", "63BE7B"
LINE_COLOURS = ("7FCDBB", "41B6C4", "1D91C0", "225EA8", "0C2C84")  # light → dark: local use 0 → 100 %


def _side(spec: tuple[str, str | None]) -> Side:
    style, color = spec
    # the plain style table names openpyxl's line styles ("thin", "double"); types-openpyxl wants a Literal
    return Side(style=style, color=color) if color else Side(style=style)  # type: ignore[arg-type]


def _openpyxl_style(spec: dict[str, Any]) -> dict[str, Any]:
    """One named style of ``styles.STYLES`` as the openpyxl objects a cell takes."""
    out: dict[str, Any] = {}
    if "font" in spec:
        out["font"] = Font(**spec["font"])
    if "fill" in spec:
        out["fill"] = PatternFill("solid", fgColor=spec["fill"])
    if "alignment" in spec:
        out["alignment"] = Alignment(**spec["alignment"])
    if "border" in spec:
        sides: dict[str, Any] = {side: _side(value) for side, value in spec["border"].items()}
        out["border"] = Border(**sides)
    return out


STYLES: dict[str, dict[str, Any]] = {name: _openpyxl_style(spec) for name, spec in styles.STYLES.items()}


# (the cell's style before, plan style, number format) -> its style after, by workbook: the same few
# styles go to thousands of cells, and openpyxl looks each font, fill and border up in the workbook's
# lists on every assignment (a fifth of a run's time); a cell takes a copy of the looked-up result.
_styled: WeakKeyDictionary[Workbook, dict[tuple[Any, ...], StyleArray]] = WeakKeyDictionary()


def style_cell(cell: Any, style: str | None, number_format: str | None = None) -> None:
    """Give one cell a named style of the plan (and a number format)."""
    if not style and not number_format:
        return
    cache = _styled.setdefault(cell.parent.parent, {})
    key = (tuple(cell._style or ()), style, number_format)
    done = cache.get(key)
    if done is not None:
        cell._style = copy(done)
        return
    for attribute, value in STYLES.get(style or "", {}).items():
        setattr(cell, attribute, value)
    if number_format:
        cell.number_format = number_format
    cache[key] = copy(cell._style)


TEXT_LIMIT = 32_767  # characters Excel keeps in one cell; a longer one makes it "repair" the file
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may read as a formula when retyped


def write_value(cell: Any, value: Any) -> None:
    """One value into one cell: a ``Formula`` as a formula, any other text as text, never a formula.

    Text starting like a formula also gets Excel's quote prefix (the leading apostrophe),
    so it stays text when someone edits the cell. Characters XML cannot hold are dropped
    and text is cut to what a cell holds, so no text can make the file unreadable.
    """
    if isinstance(value, Formula):
        cell.value = str(value)
        if value.result is not None:  # written with the formula when the file is saved
            remember_result(cell, str(value), value.result)
    elif isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(text) > TEXT_LIMIT:
            text = text[: TEXT_LIMIT - 1] + "…"
        cell.value = text
        cell.data_type = "s"  # openpyxl guessed "f" for "=…" and "e" for "#N/A"
        risky = text.startswith(FORMULA_STARTS)
        if risky or cell.quotePrefix:
            cell.quotePrefix = risky
    else:
        cell.value = value


def _block(wb: Workbook, item: Block) -> None:
    ws = wb[item.sheet]
    row, column = a1.parse_cell(item.top_left)
    for i, values in enumerate(item.values):
        for j, value in enumerate(values):
            cell = ws.cell(row + i, column + j)
            write_value(cell, value)
            style_cell(cell, item.style, item.number_format)


def _clear(wb: Workbook, item: Clear) -> None:
    """Empty the owned rows, and drop everything drawn on them (charts, colour scales, names)."""
    ws: Worksheet = wb[item.sheet]
    if ws.max_row >= item.first_row:
        ws.delete_rows(item.first_row, ws.max_row - item.first_row + 1)
    for index in [i for i in ws.row_dimensions if i >= item.first_row]:
        del ws.row_dimensions[index]
    kept = ConditionalFormattingList()
    for formatting in ws.conditional_formatting:
        if all(cells.max_row < item.first_row for cells in formatting.sqref.ranges):
            for rule in formatting.rules:
                kept.add(str(formatting.sqref), rule)
    ws.conditional_formatting = kept
    ws._charts.clear()  # type: ignore[attr-defined]  # openpyxl has no public way to remove a chart
    ws.row_breaks = RowBreak()
    ws.auto_filter.ref = None
    for name in [
        n for n, d in wb.defined_names.items() if n.startswith(layout.OUT_PREFIX) and _on(d, item.sheet)
    ]:
        del wb.defined_names[name]


def _on(defined: DefinedName, sheet: str) -> bool:
    try:
        return any(target == sheet for target, _ in defined.destinations)
    except Exception:
        return False


def _name(wb: Workbook, item: Name) -> None:
    wb.defined_names[item.name] = DefinedName(item.name, attr_text=a1.sheet_ref(item.sheet, item.ref))


def _heat_map(wb: Workbook, item: HeatMap) -> None:
    low, high = (RED, GREEN) if item.higher_is_better else (GREEN, RED)
    rule = ColorScaleRule(
        start_type="num",
        start_value=item.low,
        start_color=low,
        mid_type="num",
        mid_value=item.mid,
        mid_color=WHITE,
        end_type="num",
        end_value=item.high,
        end_color=high,
    )
    wb[item.sheet].conditional_formatting.add(item.ref, rule)


def _category_colours(wb: Workbook, item: CategoryColours) -> None:
    """One 'cell equals this text' rule per category, filling the cell with its colour."""
    for text, colour in item.colours:
        quoted = '"' + text.replace('"', '""') + '"'
        fill = PatternFill("solid", fgColor=colour, bgColor=colour)
        wb[item.sheet].conditional_formatting.add(
            item.ref, CellIsRule(operator="equal", formula=[quoted], fill=fill)
        )


def _reference(ws: Worksheet, ref: str) -> Reference:
    row, column, rows, columns = a1.parse_area(ref)
    return Reference(ws, min_col=column, min_row=row, max_col=column + columns - 1, max_row=row + rows - 1)


def _chart(wb: Workbook, item: Chart) -> None:
    """Straight lines over a numeric x axis, with titles, formatted axes, gridlines, legend below.

    A scatter chart with lines, not a category line chart: its x axis is a real scale, so
    LibreOffice and Excel both label 0 %, 20 %, … instead of every grid point.
    """
    if item.kind != "scatter":
        _bar_chart(wb, item)
        return
    ws: Worksheet = wb[item.sheet]
    chart = ScatterChart(scatterStyle="lineMarker")
    # types-openpyxl declares width an int; openpyxl takes any number of centimetres; no title: ""
    chart.title, chart.width, chart.height = item.title or None, item.width_cm, item.height_cm  # type: ignore[assignment]
    chart.style = 2
    chart.x_axis.title, chart.y_axis.title = item.x_title, item.y_title
    chart.x_axis.number_format, chart.y_axis.number_format = item.x_format, item.y_format
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl ≥ 3.1 hides axes unless told
    chart.x_axis.scaling.min, chart.x_axis.scaling.max = item.x_min, item.x_max
    assert isinstance(chart.x_axis, NumericAxis)  # a scatter chart's x axis is numeric
    chart.x_axis.majorUnit = item.x_step
    chart.x_axis.tickLblPos = "low"  # labels below the plot even when values are negative
    chart.y_axis.majorGridlines = ChartLines()
    chart.x_axis.majorGridlines = None
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = item.y_min, item.y_max
    x_values = _reference(ws, item.categories)
    for index, series in enumerate(item.series):
        line = Series(_reference(ws, series.ref), x_values, title=series.title)
        line.smooth = False
        colour = series.colour or _colour(index, len(item.series))
        if series.marker:  # points only: a marker of the series' colour, no line
            line.marker.symbol, line.marker.size = series.marker, 9
            line.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
            line.marker.graphicalProperties.line.solidFill = colour
            line.graphicalProperties.line.noFill = True
        else:
            line.marker.symbol = "none"
            line.graphicalProperties.line.solidFill = colour
            line.graphicalProperties.line.width = 28575  # 2.25 pt in EMU
        chart.series.append(line)
    assert chart.legend is not None  # a new chart has a legend
    chart.legend.position = "b"
    ws.add_chart(chart, item.anchor)


def _bar_chart(wb: Workbook, item: Chart) -> None:
    """Bars: a histogram ("column", series side by side) or a tornado ("bar", overlapping, first on top)."""
    ws: Worksheet = wb[item.sheet]
    chart = BarChart()
    chart.type = "col" if item.kind == "column" else "bar"
    chart.grouping = "clustered"
    # types-openpyxl declares width an int; openpyxl takes any number of centimetres
    chart.title, chart.width, chart.height = item.title, item.width_cm, item.height_cm  # type: ignore[assignment]
    chart.style = 2
    chart.x_axis.title = item.x_title or None
    chart.y_axis.title = item.y_title
    chart.y_axis.number_format = item.y_format
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.x_axis.tickLblPos = "low"  # category labels outside the plot, left of a tornado's negative bars
    chart.y_axis.majorGridlines = ChartLines()
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = item.y_min, item.y_max
    if item.kind == "bar":
        chart.overlap, chart.gapWidth = 100, 40
        chart.x_axis.scaling.orientation = "maxMin"  # the first (biggest) bar at the top
        chart.y_axis.crosses = "max"  # keep the value axis at the bottom once categories run downwards
    else:
        chart.overlap, chart.gapWidth = 0, 15
    labels = AxDataSource(strRef=StrRef(f=a1.sheet_ref(item.sheet, item.categories)))
    for index, series in enumerate(item.series):
        bars = Series(_reference(ws, series.ref), title=series.title)
        bars.cat = labels  # text labels: a string reference, or Excel numbers the categories 1, 2, 3…
        colour = series.colour or _colour(index, len(item.series))
        bars.graphicalProperties.solidFill = colour
        bars.graphicalProperties.line.solidFill = colour
        chart.series.append(bars)
    assert chart.legend is not None  # a new chart has a legend
    chart.legend.position = "b"
    ws.add_chart(chart, item.anchor)


def _colour(index: int, count: int) -> str:
    """Graded colours so the lines read in order (local use 0 % light → 100 % dark); one line is red."""
    if count == 1:
        return "C00000"
    return LINE_COLOURS[round(index * (len(LINE_COLOURS) - 1) / (count - 1))]


def _setup(wb: Workbook, item: SheetSetup) -> None:
    ws = wb[item.sheet]
    for letter, width in item.column_widths:
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = item.freeze
    for row, height in item.row_heights:
        ws.row_dimensions[row].height = height
    for ref in item.merges:
        ws.merge_cells(ref)
    ws.row_breaks = RowBreak()
    for row in item.row_breaks:
        ws.row_breaks.append(Break(id=row))
    _page_setup(ws, item)


def _page_setup(ws: Worksheet, item: SheetSetup) -> None:
    """The sheet's print spec (``printing``): A4 landscape, fit to width, titles, margins, footer."""
    spec = printing.spec(item.sheet)
    if item.print_area:
        ws.print_area = item.print_area
    titles = item.repeat_rows or spec.title_rows
    if titles:
        ws.print_title_rows = f"{titles[0]}:{titles[1]}"
    ws.page_setup.orientation = "landscape" if spec.landscape else "portrait"
    ws.page_setup.paperSize = printing.PAPER_A4
    assert ws.sheet_properties.pageSetUpPr is not None  # openpyxl makes one with the sheet
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = spec.fit_width, spec.fit_height
    ws.print_options.horizontalCentered = True
    margins = ws.page_margins
    margins.left = margins.right = printing.MARGIN_SIDE_IN
    margins.top, margins.bottom = printing.MARGIN_TOP_IN, printing.MARGIN_BOTTOM_IN
    margins.header, margins.footer = printing.HEADER_IN, printing.FOOTER_IN
    footer = ws.oddFooter
    assert footer is not None  # openpyxl makes one with the sheet
    parts = ((footer.left, printing.FOOTER_LEFT), (footer.center, spec.note if spec.pages else ""))
    for part, text in (*parts, (footer.right, printing.FOOTER_RIGHT)):
        assert part is not None
        part.text, part.size = text, printing.FOOTER_SIZE


def _filter(wb: Workbook, item: Filter) -> None:
    wb[item.sheet].auto_filter.ref = item.ref


APPLY: dict[type, Callable[[Workbook, Any], None]] = {
    Block: _block,
    Clear: _clear,
    Name: _name,
    HeatMap: _heat_map,
    Chart: _chart,
    SheetSetup: _setup,
    Filter: _filter,
    CategoryColours: _category_colours,
}


def apply_plan(wb: Workbook, items: Iterable[Item]) -> None:
    """Write every item, in order, after checking that none touches an input cell."""
    items = list(items)
    check_plan(items)
    for item in items:
        APPLY[type(item)](wb, item)
