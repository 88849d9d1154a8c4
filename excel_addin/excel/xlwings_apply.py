"""Apply a plan to an open workbook through xlwings: the desktop add-in and xlwings Lite.

The plan is the one the command line applies with openpyxl (``openpyxl_apply``); this is
its second writer. It uses the xlwings API that desktop Excel, xlwings Lite and xlwings'
remote interpreter share (values, formulas, number formats, fonts, fills, names, colour
scales, charts, column widths, print areas), so one code path serves them all. Where an
engine lacks something, the item's effect is left out rather than failing the run:

- sheet protection: the template protects its sheets without a password. Desktop Excel
  unprotects each sheet it writes and protects it again with the template's options
  (Windows via COM, macOS via AppleScript). xlwings Lite has no protection API, so a
  workbook used with Lite must be unprotected (``partnership lite`` writes one).
- freeze panes, page breaks, orientation, autofilters: applied where the engine offers
  them (freeze panes in Lite; page set-up and autofilter through COM on Windows), else
  skipped: they are how the sheet looks, not what it says.

Nothing here imports xlwings; ``book`` is an ``xlwings.Book``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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

MAX_ROWS = 1_048_576
STANDARD_ROW_HEIGHT = 15.0  # points: Excel's default row with Calibri 11
RED, WHITE, GREEN = "#F8696B", "#FFFFFF", "#63BE7B"
LINE_COLOURS = ("#7FCDBB", "#41B6C4", "#1D91C0", "#225EA8", "#0C2C84")  # local use 0 → 100 %
CHART_TYPE = "xy_scatter_lines_no_markers"  # straight lines over a numeric x axis, as openpyxl draws
FIRST_TYPES = {"scatter": "line", "column": "column_clustered", "bar": "bar_clustered"}  # by Chart.kind


STYLES = styles.cell_styles()


def engine_name(book: Any) -> str:
    """ "excel" for desktop Excel, "remote" for xlwings Lite and the remote interpreter."""
    try:
        return str(book.app.engine.name)
    except Exception:
        return ""


def _desktop(book: Any) -> bool:
    return engine_name(book) == "excel"


def _windows(book: Any) -> bool:
    return _desktop(book) and sys.platform.startswith("win")


def is_formula(value: Any) -> bool:
    """Only the model's own ``Formula``: text from a user never becomes one (see ``formula``)."""
    return isinstance(value, Formula)


def as_entered(value: Any) -> Any:
    """A value as Excel must be given it: text that starts like a formula gets the text mark (')."""
    if isinstance(value, str) and not isinstance(value, Formula) and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value


def _style(rng: Any, style: str | None) -> None:
    spec = STYLES.get(style or "", {})
    font = {key: spec[key] for key in ("bold", "italic", "size", "color") if key in spec}
    if font:
        target = rng.font
        for key, value in font.items():
            setattr(target, key, value)
    if "fill" in spec:
        rng.color = spec["fill"]


def _block(book: Any, item: Block) -> None:
    row, column, rows, columns = item.rectangle
    rng = book.sheets[item.sheet].range((row, column), (row + rows - 1, column + columns - 1))
    values = [[as_entered(value) for value in values] for values in item.values]
    if any(is_formula(value) for values_ in values for value in values_):
        rng.formula = [["" if value is None else value for value in values_] for values_ in values]
    else:
        rng.value = values
    if item.number_format:
        rng.number_format = item.number_format
    _style(rng, item.style)


def _clear(book: Any, item: Clear, out_names: dict[str, str] | None = None) -> None:
    """Empty the owned rows (values, formats, colour rules), drop the sheet's charts and out_ names.

    ``out_names``: the sheet of every out_ name, when the caller keeps them (``Batch``), so
    that the workbook's names are not read again for each sheet.
    """
    sheet = book.sheets[item.sheet]
    rows = sheet.range(f"{item.first_row}:{MAX_ROWS}")
    rows.clear()
    rows.conditional_formats.clear()
    rows.row_height = STANDARD_ROW_HEIGHT
    for chart in reversed(list(sheet.charts)):  # from the last: the others keep their index
        chart.delete()
    if out_names is None:
        out_names = read_out_names(book)
    for name in [name for name, sheet in out_names.items() if sheet == item.sheet]:
        book.names[name].delete()
        del out_names[name]
    if _windows(book):
        sheet.api.AutoFilterMode = False
        sheet.api.ResetAllPageBreaks()


def read_out_names(book: Any) -> dict[str, str]:
    """The sheet each of the workbook's out_ names points to (names pointing nowhere left out)."""
    out = {}
    for name in list(book.names):
        label = name.name
        target = _target(name) if label.startswith(layout.OUT_PREFIX) else None
        if target:
            out[label] = target[0]
    return out


def _target(name: Any) -> tuple[str, str] | None:
    try:
        refers_to = name.refers_to or ""
    except Exception:
        return None
    return a1.split_sheet_ref(refers_to.lstrip("=")) if "!" in refers_to else None


def _name(book: Any, item: Name) -> None:
    refers_to = "=" + a1.sheet_ref(item.sheet, item.ref)
    if item.name in book.names:
        book.names[item.name].refers_to = refers_to
    else:
        book.names.add(item.name, refers_to)


def _heat_map(book: Any, item: HeatMap) -> None:
    low, high = (RED, GREEN) if item.higher_is_better else (GREEN, RED)
    book.sheets[item.sheet].range(item.ref).conditional_formats.add_color_scale(
        [low, WHITE, high], thresholds=[item.low, item.mid, item.high], threshold_type="number"
    )


def _category_colours(book: Any, item: CategoryColours) -> None:
    rules = book.sheets[item.sheet].range(item.ref).conditional_formats
    for text, colour in item.colours:
        quoted = '="' + text.replace('"', '""') + '"'
        rules.add_cell_value("equal_to", quoted, fill_color=f"#{colour}")


def points(cm: float) -> float:
    return round(cm / 2.54 * 72, 1)


def chart_source(item: Chart) -> tuple[str, str]:
    """The chart's source range and orientation: the series and the line holding their names.

    The series (columns or rows of values) must sit side by side, the line above them (or
    the column left of them) holding their names, which is how the result sheets lay out
    chart data. The x values are given separately (``set_x_axis_values``), so Excel never
    mistakes a column of x values for a series. A chart whose series are apart is refused.
    """
    parts = [a1.parse_area(s.ref) for s in item.series]
    by_columns = all(columns == 1 for _, _, _, columns in parts)
    by_rows = all(rows == 1 for _, _, rows, _ in parts)
    top = min(p[0] for p in parts)
    left = min(p[1] for p in parts)
    bottom = max(p[0] + p[2] - 1 for p in parts)
    right = max(p[1] + p[3] - 1 for p in parts)
    whole = sum(p[2] * p[3] for p in parts) == (bottom - top + 1) * (right - left + 1)
    if not whole or not (by_columns or by_rows):
        raise ValueError(f"the series of the chart '{item.title}' on {item.sheet} are not side by side")
    if by_columns:
        return a1.area(top - 1, left, bottom - top + 2, right - left + 1), "columns"
    return a1.area(top, left - 1, bottom - top + 1, right - left + 2), "rows"


def series_colour(index: int, count: int, colour: str | None) -> str:
    if colour:
        return f"#{colour}"
    if count == 1:
        return "#C00000"
    return LINE_COLOURS[round(index * (len(LINE_COLOURS) - 1) / (count - 1))]


def _chart(book: Any, item: Chart) -> None:
    """The chart from its series block, x values set apart, then its final type, titles and axes.

    Created as a line (or bar) chart so that every column of the block is a series, its x
    values assigned to every series, and only then turned into a scatter chart: created
    as a scatter chart directly, Excel would take the block's first column as x values.
    """
    sheet = book.sheets[item.sheet]
    kind = getattr(item, "kind", "scatter")
    source, plot_by = chart_source(item)
    chart = sheet.charts.add(
        chart_type=FIRST_TYPES.get(kind, "line"),
        source=sheet.range(source),
        plot_by=plot_by,
        anchor=sheet.range(item.anchor),
        width=points(item.width_cm),
        height=points(item.height_cm),
    )
    chart.set_x_axis_values(sheet.range(item.categories))
    if kind == "scatter":
        chart.chart_type = CHART_TYPE
    if item.title:  # "": the chart's heading is in a cell above it
        chart.title = item.title
    chart.legend.position = "bottom"
    if kind == "scatter":
        chart.category_axis.set(
            title=item.x_title,
            minimum_scale=item.x_min,
            maximum_scale=item.x_max,
            major_unit=item.x_step,
            number_format=item.x_format,
        )
    else:
        chart.category_axis.set(title=item.x_title, reverse_order=kind == "bar")
    value_axis: dict[str, Any] = {"title": item.y_title, "number_format": item.y_format}
    if item.y_min is not None:
        value_axis["minimum_scale"] = item.y_min
    if item.y_max is not None:
        value_axis["maximum_scale"] = item.y_max
    chart.value_axis.set(**value_axis)
    try:  # series can be addressed synchronously on the desktop only; Lite keeps Excel's colours
        lines = list(chart.series)
    except NotImplementedError:
        return
    for index, (line, series) in enumerate(zip(lines, item.series, strict=False)):
        colour = series_colour(index, len(item.series), series.colour)
        if kind == "scatter" and series.marker:  # points only (openpyxl's marker names are Excel's)
            line.set(name=series.title, chart_type="xy_scatter", marker_style=series.marker, marker_size=9)
            line.set(marker_foreground_color=colour, marker_background_color=colour)
        elif kind == "scatter":
            line.set(name=series.title, line_color=colour)
        else:
            line.set(name=series.title, fill_color=colour)


def frozen_range(freeze: str) -> str:
    """openpyxl's freeze cell ("B4": rows 1–3 and column A stay) as xlwings' frozen range."""
    row, column = a1.parse_cell(freeze)
    if row > 1 and column > 1:
        return a1.area(1, 1, row - 1, column - 1)
    if row > 1:
        return f"1:{row - 1}"
    return f"A:{a1.column_letter(column - 1)}"


def _setup(book: Any, item: SheetSetup) -> None:
    sheet = book.sheets[item.sheet]
    desktop = _desktop(book)
    widths = {(1, a1.column_index(letter)): width for letter, width in item.column_widths}
    for (_, left, _, right), width in rectangles(widths):  # adjacent columns of one width: one call
        # desktop Excel counts characters; Lite and the remote interpreter count points
        columns = f"{a1.column_letter(left)}:{a1.column_letter(right)}"
        sheet.range(columns).column_width = width if desktop else round((width * 7 + 5) * 0.75, 2)
    for (top, _, bottom, _), height in rectangles({(row, 1): height for row, height in item.row_heights}):
        sheet.range(f"{top}:{bottom}").row_height = height
    if item.print_area:
        sheet.page_setup.print_area = item.print_area
    for ref in item.merges:
        with contextlib.suppress(AttributeError, NotImplementedError):
            sheet.range(ref).merge()
    if item.freeze:
        # desktop xlwings has no freeze panes: there the template's or the last run's stay
        with contextlib.suppress(AttributeError, NotImplementedError):
            sheet.freeze_panes.freeze_at(frozen_range(item.freeze))
    if _windows(book):
        _windows_page_setup(sheet, item)


def _windows_page_setup(sheet: Any, item: SheetSetup) -> None:
    """The sheet's print spec (``printing``) and page breaks through COM (Windows only)."""
    spec = printing.spec(item.sheet)
    page = sheet.api.PageSetup
    page.Orientation = 2 if spec.landscape else 1  # xlLandscape, xlPortrait
    page.PaperSize = printing.PAPER_A4
    page.Zoom = False
    page.FitToPagesWide = spec.fit_width
    page.FitToPagesTall = spec.fit_height or False
    titles = item.repeat_rows or spec.title_rows
    page.PrintTitleRows = f"${titles[0]}:${titles[1]}" if titles else ""
    page.LeftMargin = page.RightMargin = points(printing.MARGIN_SIDE_IN * 2.54)
    page.TopMargin, page.BottomMargin = (
        points(m * 2.54) for m in (printing.MARGIN_TOP_IN, printing.MARGIN_BOTTOM_IN)
    )
    page.HeaderMargin, page.FooterMargin = (
        points(m * 2.54) for m in (printing.HEADER_IN, printing.FOOTER_IN)
    )
    page.CenterHorizontally = True
    page.LeftFooter, page.RightFooter = printing.FOOTER_LEFT, printing.FOOTER_RIGHT
    page.CenterFooter = spec.note if spec.pages else ""
    sheet.api.ResetAllPageBreaks()
    for row in item.row_breaks:
        sheet.api.HPageBreaks.Add(sheet.api.Range(f"A{row + 1}"))


def _filter(book: Any, item: Filter) -> None:
    if _windows(book):
        sheet = book.sheets[item.sheet]
        sheet.api.AutoFilterMode = False
        sheet.range(item.ref).api.AutoFilter(1)
    # elsewhere xlwings cannot switch on a filter without criteria: Data › Filter does it


APPLY: dict[type, Callable[[Any, Any], None]] = {
    Block: _block,
    Clear: _clear,
    Name: _name,
    HeatMap: _heat_map,
    Chart: _chart,
    SheetSetup: _setup,
    Filter: _filter,
    CategoryColours: _category_colours,
}


@contextmanager
def unprotected(book: Any, sheets: Iterable[str]) -> Iterator[None]:
    """Desktop Excel: lift the password-less protection of ``sheets`` while writing, then restore it."""
    lifted = []
    if _desktop(book):
        for name in sheets:
            sheet = book.sheets[name]
            if _protected(sheet):
                _unprotect(sheet)
                lifted.append(sheet)
    try:
        yield
    finally:
        for sheet in lifted:
            _protect(sheet)


def _protected(sheet: Any) -> bool:
    if sys.platform.startswith("win"):
        return bool(sheet.api.ProtectContents)
    return bool(sheet.api.protect_contents.get())


def _unprotect(sheet: Any) -> None:
    try:
        if sys.platform.startswith("win"):
            sheet.api.Unprotect()
        else:
            sheet.api.unprotect()
    except Exception as error:
        raise PermissionError(
            f"The sheet {sheet.name} is protected and could not be unprotected ({error}). "
            "Unprotect it (Review › Unprotect Sheet) and run again."
        ) from None


def _protect(sheet: Any) -> None:
    """The template's protection: no password; filtering, sorting and resizing allowed."""
    if sys.platform.startswith("win"):
        sheet.api.Protect(
            DrawingObjects=True,
            Contents=True,
            Scenarios=True,
            AllowFormattingColumns=True,
            AllowFormattingRows=True,
            AllowSorting=True,
            AllowFiltering=True,
        )
    else:
        sheet.api.protect_worksheet(
            drawing_objects=True,
            contents=True,
            scenarios=True,
            allow_formatting_columns=True,
            allow_formatting_rows=True,
            allow_sorting=True,
            allow_filtering=True,
        )


def apply_plan(book: Any, items: Iterable[Item], check: bool = True) -> None:
    """Write every item, in order, after checking that none touches an input cell.

    Blocks are gathered (``Batch``) and written as few ranges as possible: each call to
    Excel costs far more than the Python around it. ``check=False`` is for the one writer
    allowed to touch inputs: loading a scenario.
    """
    items = list(items)
    if check:
        check_plan(items)
    unknown = {type(item).__name__ for item in items if type(item) not in APPLY}
    if unknown:
        raise TypeError(f"no xlwings writer for plan items of type {', '.join(sorted(unknown))}")
    batch = Batch(book)
    with unprotected(book, dict.fromkeys(item.sheet for item in items)):
        for item in items:
            if isinstance(item, Block):
                batch.add(item)
                continue
            if isinstance(item, Clear | Chart | Filter):  # these read or remove what the blocks wrote
                batch.flush(item.sheet)
            if isinstance(item, Clear):
                _clear(book, item, batch.out_names())
                batch.cleared(item.sheet, item.first_row)
                continue
            APPLY[type(item)](book, item)
            if isinstance(item, Name) and item.name.startswith(layout.OUT_PREFIX):
                batch.out_names()[item.name] = item.sheet
        batch.flush()


Cell = tuple[int, int]  # (row, column), 1-based


@dataclass
class _Sheet:
    """What the blocks of one sheet ask for, cell by cell, until it is written."""

    values: dict[Cell, Any] = field(default_factory=dict)
    formats: dict[Cell, str] = field(default_factory=dict)
    fonts: dict[Cell, dict[str, Any]] = field(default_factory=dict)  # font properties set, in order
    fills: dict[Cell, str] = field(default_factory=dict)


class Batch:
    """Blocks gathered by sheet and written as rectangles: one call per value, format or font range.

    Writing block by block made about 2,900 calls for one run at 21 × 21. Here cells are
    gathered as the blocks come (a later block wins, styles add up property by property, as
    when written one after the other) and written as rectangles of equal number format, font
    property or fill. On rows a ``Clear`` emptied in this plan, a rectangle of values may also
    span cells no block wrote (they are empty, and stay so); elsewhere only written cells are.
    """

    def __init__(self, book: Any):
        self.book = book
        self.sheets: dict[str, Any] = {}
        self.pending: dict[str, _Sheet] = {}
        self.empty_from: dict[str, int] = {}  # the first row a Clear emptied, by sheet
        self.filled: dict[str, set[Cell]] = {}  # cells written since that Clear, by sheet
        self._out_names: dict[str, str] | None = None

    def out_names(self) -> dict[str, str]:
        """The sheet of every out_ name, read from the workbook once, then kept up to date."""
        if self._out_names is None:
            self._out_names = read_out_names(self.book)
        return self._out_names

    def sheet(self, name: str) -> Any:
        if name not in self.sheets:
            self.sheets[name] = self.book.sheets[name]
        return self.sheets[name]

    def cleared(self, sheet: str, first_row: int) -> None:
        self.empty_from[sheet] = first_row
        self.filled[sheet] = set()

    def add(self, item: Block) -> None:
        pending = self.pending.setdefault(item.sheet, _Sheet())
        row, column = a1.parse_cell(item.top_left)
        spec = STYLES.get(item.style or "", {})
        font: dict[str, Any] = {key: spec[key] for key in ("bold", "italic", "size", "color") if key in spec}
        for i, values in enumerate(item.values):
            for j, value in enumerate(values):
                cell = (row + i, column + j)
                pending.values[cell] = value
                if item.number_format:
                    pending.formats[cell] = item.number_format
                if font:
                    pending.fonts[cell] = {**pending.fonts.get(cell, {}), **font}
                if "fill" in spec:
                    pending.fills[cell] = spec["fill"]

    def flush(self, only: str | None = None) -> None:
        """Write what is pending (for sheet ``only``, or every sheet)."""
        for name in [only] if only is not None else list(self.pending):
            pending = self.pending.pop(name, None)
            if pending is not None:
                self._write(name, pending)

    def _write(self, name: str, pending: _Sheet) -> None:
        sheet = self.sheet(name)
        empty_from = self.empty_from.get(name)
        filled = self.filled.get(name, set())

        def spare(cell: Cell) -> bool:  # emptied by a Clear and not written since: may be spanned
            return empty_from is not None and cell[0] >= empty_from and cell not in filled

        kinds = {cell: _kind(value) for cell, value in pending.values.items()}
        for (top, left, bottom, right), kind in rectangles(kinds, spare):
            values = [
                [pending.values.get((r, c)) for c in range(left, right + 1)] for r in range(top, bottom + 1)
            ]
            _write_values(sheet.range((top, left), (bottom, right)), values, kind)
        if empty_from is not None:
            filled.update(cell for cell in pending.values if cell[0] >= empty_from)
        looks = {
            cell: (
                pending.formats.get(cell),
                tuple(pending.fonts.get(cell, {}).items()),
                pending.fills.get(cell),
            )
            for cell in pending.formats.keys() | pending.fonts.keys() | pending.fills.keys()
        }
        for (top, left, bottom, right), (fmt, font, fill) in rectangles(looks):
            rng = sheet.range((top, left), (bottom, right))  # one range, and one font, for all it gets
            if fmt:
                rng.number_format = fmt
            if font:
                target = rng.font
                for key, setting in font:
                    setattr(target, key, setting)
            if fill:
                rng.color = fill


def _kind(value: Any) -> str:
    """Values that can share one write: dates go through ``.value`` only, the rest also as formulas."""
    return "date" if isinstance(value, date) else "plain"


def _write_values(rng: Any, values: list[list[Any]], kind: str) -> None:
    entered = [[as_entered(value) for value in row] for row in values]
    if kind == "plain" and any(is_formula(value) for row in values for value in row):
        rng.formula = [["" if value is None else value for value in row] for row in entered]
    else:
        rng.value = entered


def rectangles(
    cells: Mapping[Cell, Any], spare: Callable[[Cell], bool] = lambda cell: False
) -> list[tuple[tuple[int, int, int, int], Any]]:
    """Cells of equal setting as few rectangles (top, left, bottom, right) as runs along rows allow.

    Each row's cells of one setting make runs of adjacent columns (a ``spare`` cell between
    two of them joins them); runs of the same columns and setting on consecutive rows make
    one rectangle.
    """
    by_row: dict[int, list[tuple[int, Any]]] = {}
    for (row, column), setting in cells.items():
        by_row.setdefault(row, []).append((column, setting))
    runs: list[tuple[int, int, int, Any]] = []  # (row, left, right, setting)
    for row in sorted(by_row):
        line = sorted(by_row[row], key=lambda entry: entry[0])
        left, right, setting = line[0][0], line[0][0], line[0][1]
        for column, value in line[1:]:
            joinable = all(spare((row, c)) for c in range(right + 1, column))
            if value == setting and joinable:
                right = column
            else:
                runs.append((row, left, right, setting))
                left, right, setting = column, column, value
        runs.append((row, left, right, setting))
    out: list[tuple[tuple[int, int, int, int], Any]] = []
    open_: dict[
        tuple[int, int, Any], int
    ] = {}  # (left, right, setting) -> index in out of a rectangle ending on the row above
    for row, left, right, setting in runs:
        key = (left, right, _hashable(setting))
        index = open_.get(key)
        if index is not None and out[index][0][2] == row - 1:
            (top, _, _, _), _ = out[index]
            out[index] = ((top, left, row, right), setting)
        else:
            open_[key] = len(out)
            out.append(((row, left, row, right), setting))
    return out


def _hashable(setting: Any) -> Any:
    return setting if isinstance(setting, str | int | float | bool | tuple | None) else repr(setting)
