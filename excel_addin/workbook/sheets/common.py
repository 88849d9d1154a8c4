"""What result sheets share: the plug-in record, and the grid tables and charts they are made of."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine import measure
from excel_addin.workbook import a1, layout
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.formats import SHARE, SHARE_FINE, heat_format, result_format, unit_words
from excel_addin.workbook.formula import Formula
from excel_addin.workbook.live_formulas import Point, axis_formula, measure_formula
from excel_addin.workbook.plan import Block, Chart, HeatMap, Item, Name, Series, block, column_block, has_gaps
from excel_addin.workbook.reader import Parser

Check = Callable[[Mapping[str, Any]], list[tuple[str, str]]]


@dataclass(frozen=True)
class ResultSheet:
    """A result sheet as a plug-in: its layout, what it writes, and any extra input rules.

    ``build`` returns the plan items for the rows the run owns (from ``layout.output_row``
    down); ``check`` returns (name, message) problems for this sheet's own inputs, and
    ``parsers`` parse its table inputs (single-cell inputs are numbers checked by spec).
    ``skip`` says why a run leaves the sheet without results (e.g. its table is empty), or
    returns None; ``build`` then writes only that message.
    """

    layout: layout.SheetLayout
    build: Callable[[RunContext], list[Item]]
    check: Check | None = None
    parsers: Mapping[str, Parser] = field(default_factory=dict)
    skip: Callable[[Mapping[str, Any]], str | None] | None = None
    live: bool = False  # its tables are formulas: a new workbook has them before any run

    def skipped(self, values: Mapping[str, Any]) -> str | None:
        """Why this run leaves the sheet without results (from the parsed inputs), or None."""
        return self.skip(values) if self.skip else None

    @property
    def name(self) -> str:
        return self.layout.name


@dataclass(frozen=True)
class Table:
    """Items for one table, the row after it, and where its parts are (for names and charts)."""

    items: list[Item]
    next_row: int
    refs: dict[str, str]
    tall_rows: tuple[int, ...] = ()  # header rows that wrap onto two lines


def caption(ctx: RunContext, sheet: layout.SheetLayout, extra: str = "") -> Block:
    """The first owned row: when the results were computed, by which version, from which inputs."""
    return block(sheet.name, sheet.owned_row + layout.CAPTION_OFFSET, 1, ctx.caption + extra, style="note")


def percent_label(value: float) -> str:
    return f"{value:.0%}" if round(value * 100, 6).is_integer() else f"{value:.1%}"


def centre_of(name: str, ctx: RunContext) -> float:
    """Where the heat map is white: zero, or the spot price for a cost per week.

    A cost per local week is never near zero; what tells the host whether the partnership
    pays is how it compares with buying the same week on the spot market.
    """
    return ctx.inputs.params.spot_price if name == "host_cost_per_local_week" else 0.0


def heat_map(sheet: str, ref: str, values: np.ndarray, mid: float, higher_is_better: bool) -> list[Item]:
    """A colour scale white at ``mid``, full colour from the 5th and 95th percentiles outwards.

    Percentiles, not the extremes: a cost per local week of £385,000 at 5 % occupancy
    would otherwise wash out every ordinary cell. The scale always spans ``mid``.
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return []
    low, high = (float(v) for v in np.percentile(finite, [5, 95]))
    low, high = min(low, mid), max(high, mid)
    low = mid - 1.0 if low == mid else low
    high = mid + 1.0 if high == mid else high
    return [HeatMap(sheet, ref, low, mid, high, higher_is_better)]


def grid_table(
    ctx: RunContext,
    sheet: str,
    row: int,
    name: str,
    named: bool,
    axis_names: bool,
    sources: Mapping[str, str] | None = None,
) -> Table:
    """One measure as a live occupancy × local-use table with a heat map (and its defined names).

    Every cell is the measure's formula over the inputs (``live_formulas``), carrying the
    engine's value as its result; the axes are formulas of the grid inputs, so the table
    follows the inputs with no run. ``sources`` gives the top-left body cell of tables of
    other measures above on the same sheet, which the formula may use at the same point.
    """
    spec = measure(name)
    o, u = ctx.inputs.occupancy, ctx.inputs.local_use
    title = f"{spec.label} ({unit_words(spec.unit, compact=True)}) – {colour_words(spec, ctx)}"
    values = shown(name, ctx.grid.values[name], ctx.grid.values["local_weeks"])
    body = a1.area(row + 2, 2, len(o), len(u))
    colours = (
        []
        if name in UNCOLOURED
        else heat_map(sheet, body, values, centre_of(name, ctx), spec.better != "lower")
    )
    items: list[Item] = [
        block(sheet, row, 1, title, style="heading"),
        block(sheet, row + 1, 1, "Occupancy ↓   Local use →", style="axis"),
        block(sheet, row + 1, 2, [live_axis("local_use", u)], SHARE, "axis"),
        column_block(sheet, row + 2, 1, live_axis("occupancy", o), number_format=SHARE, style="axis"),
        block(
            sheet,
            row + 2,
            2,
            live_grid(name, row + 2, 2, row + 1, 1, values, sources or {}),
            heat_format(spec.unit),
        ),
        *colours,
    ]
    if named:
        items.append(Name(layout.out_name(name), sheet, body))
    next_row = row + 2 + len(o)
    if name in DIVIDING:  # always there, so where tables start does not depend on the inputs
        note = GAP_NOTES.get(name, f"Empty cells: not defined there ({spec.description} divides by zero).")
        items.append(block(sheet, next_row, 1, note, style="note"))
        next_row += 1
    if axis_names:
        items.append(Name(layout.out_name("occupancy"), sheet, a1.area(row + 2, 1, len(o), 1)))
        items.append(Name(layout.out_name("local_use"), sheet, a1.area(row + 1, 2, 1, len(u))))
    return Table(items, next_row + layout.TABLE_GAP, {"body": body})


DIVIDING = ("provider_margin", "host_cost_per_local_week")  # undefined where they divide by zero
PER_WEEK_NOTE = (
    f"Empty cells: the host uses fewer than {layout.MIN_LOCAL_WEEKS} local placement-weeks a year there, "
    "too few for a cost per week to mean anything."
)
GAP_NOTES = {"host_cost_per_local_week": PER_WEEK_NOTE}
# Raw spend is not a judgement: paying more for more local care is not failure. The host's colours
# are on its saving against spot and its cost per local week against the spot price instead.
UNCOLOURED = ("host_net_cost",)
NOT_COLOURED = "not coloured: compare it with the saving against spot"


def colour_words(spec: Any, ctx: RunContext) -> str:
    """What a table's colours mean, for its heading: judged against the party's no-deal alternative."""
    if spec.name in UNCOLOURED:
        return NOT_COLOURED
    if spec.name == "host_cost_per_local_week":
        return f"green: below the spot price (£{ctx.inputs.params.spot_price:,.0f} a week)"
    if spec.name == "host_saving":
        return "green: the host pays less than on the spot market"
    return "green: higher is better" if spec.better != "lower" else "green: lower is better"


def shown(name: str, values: np.ndarray, local_weeks: Any) -> np.ndarray:
    """A measure as sheets and the command line show it: a cost per local week only from
    ``layout.MIN_LOCAL_WEEKS`` local weeks a year (empty, NaN, below), every other measure as it is."""
    if name != "host_cost_per_local_week":
        return values
    return np.where(np.asarray(local_weeks, dtype=float) < layout.MIN_LOCAL_WEEKS, np.nan, values)


def live_axis(axis: str, values: np.ndarray) -> list[Formula]:
    """An axis as formulas of its grid inputs, each carrying the run's value."""
    return [axis_formula(axis, k).with_result(float(v)) for k, v in enumerate(values)]


def formula_result(value: float) -> float | str:
    """A formula's result as a file stores it: the number, or empty text where it is undefined."""
    return float(value) if math.isfinite(value) else ""


def live_grid(
    name: str,
    top: int,
    left: int,
    axis_row: int,
    axis_column: int,
    values: np.ndarray,
    sources: Mapping[str, str],
) -> list[list[Formula]]:
    """The formulas of a measure's table whose body starts at (``top``, ``left``).

    Occupancy is read from column ``axis_column`` of the row, local use from row
    ``axis_row`` of the column; a cell is empty while either is (a grid past its end).
    """
    rows = []
    for i in range(values.shape[0]):
        line = []
        for j in range(values.shape[1]):
            o = "$" + a1.cell(top + i, axis_column)
            u = f"{a1.column_letter(left + j)}${axis_row}"
            known = {key: _shifted(ref, i, j) for key, ref in sources.items()}
            formula = measure_formula(name, Point(o, u, known), guards=(o, u))
            line.append(formula.with_result(formula_result(values[i, j])))
        rows.append(line)
    return rows


def _shifted(ref: str, rows: int, columns: int) -> str:
    row, column = a1.parse_cell(ref)
    return a1.cell(row + rows, column + columns)


def heat_table(
    sheet: str,
    row: int,
    title: str,
    values: np.ndarray,
    unit: str,
    axes: tuple[np.ndarray, np.ndarray],
    mid: float = 0.0,
    higher_is_better: bool | None = True,
    defined: str | None = None,
    gap_note: str = "Empty cells: not defined there.",
) -> Table:
    """Any occupancy × local-use values as a titled table with a heat map (a measure, a council's part…).

    ``defined`` is the defined name of the body; ``gap_note`` is written under the table
    when some values are undefined (written as empty cells). ``higher_is_better=None`` leaves
    the table uncoloured (raw spend, which is no judgement: see ``UNCOLOURED``).
    """
    o, u = axes
    body = a1.area(row + 2, 2, len(o), len(u))
    items: list[Item] = [
        block(sheet, row, 1, title, style="heading"),
        block(sheet, row + 1, 1, "Occupancy ↓   Local use →", style="axis"),
        block(sheet, row + 1, 2, [u], SHARE, "axis"),
        column_block(sheet, row + 2, 1, o, number_format=SHARE, style="axis"),
        block(sheet, row + 2, 2, values, heat_format(unit)),
        *([] if higher_is_better is None else heat_map(sheet, body, values, mid, higher_is_better)),
    ]
    if defined:
        items.append(Name(defined, sheet, body))
    next_row = row + 2 + len(o)
    if has_gaps(values):
        items.append(block(sheet, next_row, 1, gap_note, style="note"))
        next_row += 1
    return Table(items, next_row + layout.TABLE_GAP, {"body": body})


def break_even_table(ctx: RunContext, sheet: str, row: int, named: bool) -> Table:
    """Break-even occupancy at each local use of the grid, as two rows (local use, occupancy)."""
    u, values = ctx.inputs.local_use, ctx.break_even
    if ctx.template:  # solved by the engine, not by a formula: a new workbook shows it after a run
        values = np.full(len(u), np.nan)
    items: list[Item] = [
        block(
            sheet,
            row,
            1,
            "Break-even occupancy: the lowest occupancy with no loss for the provider",
            style="heading",
        ),
        block(sheet, row + 1, 1, "Local use", style="axis"),
        block(sheet, row + 1, 2, [u], SHARE, "axis"),
        block(sheet, row + 2, 1, "Break-even occupancy", style="label"),
        block(sheet, row + 2, 2, [values], SHARE_FINE),
    ]
    refs = {"x": a1.area(row + 1, 2, 1, len(u)), "y": a1.area(row + 2, 2, 1, len(u))}
    if named:
        items.append(Name(layout.out_name("break_even_occupancy"), sheet, refs["y"]))
    next_row = row + 3
    if ctx.template:
        items.append(block(sheet, row + 3, 1, "Filled in when you run the model.", style="note"))
        next_row += 1
    elif has_gaps(values):
        note = "Empty: the provider makes a loss at every occupancy at this local use."
        items.append(block(sheet, next_row, 1, note, style="note"))
        next_row += 1
    return Table(items, next_row + layout.TABLE_GAP, refs)


def chart_data_table(ctx: RunContext, sheet: str, row: int, name: str) -> Table:
    """The lines of the 'by occupancy' chart: the measure at each chart local use, as live formulas."""
    spec = measure(name)
    o, uses = ctx.inputs.occupancy, layout.CHART_LOCAL_USES
    values = ctx.chart_lines[name]
    headers = ["Occupancy", *(f"Local use {percent_label(u)}" for u in uses)]
    formulas = []
    for i in range(len(o)):
        occupancy = "$" + a1.cell(row + 2 + i, 1)
        formulas.append(
            [
                measure_formula(name, Point(occupancy, repr(float(u))), guards=(occupancy,)).with_result(
                    formula_result(values[i, k])
                )
                for k, u in enumerate(uses)
            ]
        )
    items: list[Item] = [
        block(sheet, row, 1, f"Chart data: {spec.label.lower()} ({unit_words(spec.unit)})", style="heading"),
        block(sheet, row + 1, 1, [headers], style="header"),
        column_block(sheet, row + 2, 1, live_axis("occupancy", o), number_format=SHARE, style="axis"),
        block(sheet, row + 2, 2, formulas, result_format(spec.unit)),
    ]
    refs = {"x": a1.area(row + 2, 1, len(o), 1)}
    refs.update({headers[k + 1]: a1.area(row + 2, 2 + k, len(o), 1) for k in range(len(uses))})
    return Table(items, row + 2 + len(o) + layout.TABLE_GAP, refs, tall_rows=(row + 1,))


@dataclass(frozen=True)
class ChartBox:
    """The size of a chart and the rows it covers."""

    width_cm: float
    height_cm: float

    @property
    def rows(self) -> int:
        return math.ceil(self.height_cm / layout.ROW_HEIGHT_CM) + 1


def width_cm(widths: list[float]) -> float:
    """Excel column widths (characters) in cm: about 7 pixels a character plus 5, 96 pixels to 2.54 cm."""
    return sum((width * 7 + 5) * 2.54 / 96 for width in widths)


def chart_box(widths: list[float]) -> ChartBox:
    """Two charts side by side across the width of the tables below them."""
    width = max(layout.CHART_MIN_WIDTH_CM, (width_cm(widths) - 1.0) / 2)
    return ChartBox(width, width * layout.CHART_ASPECT)


def column_after(chart_width_cm: float, widths: list[float]) -> int:
    """The first column (1-based) clear of a chart ``chart_width_cm`` wide anchored in column A."""
    for index in range(1, len(widths) + 1):
        if width_cm(widths[:index]) >= chart_width_cm:
            return index + 1
    return len(widths) + 1


def axis_span(values: np.ndarray) -> tuple[float, float, float]:
    """x axis limits and a tick step giving five or six labelled ticks."""
    low, high = float(np.min(values)), float(np.max(values))
    high = max(high, low + 0.05)
    step = next(s for s in (0.05, 0.1, 0.2, 0.25) if (high - low) / s <= 6.0 + 1e-9)
    return low, high, step


def line_chart(sheet: str, anchor: str, name: str, data: Table, x: np.ndarray, box: ChartBox) -> Chart:
    """The measure against occupancy, one line per chart local use."""
    spec = measure(name)
    series = tuple(Series(title, ref) for title, ref in data.refs.items() if title != "x")
    x_min, x_max, x_step = axis_span(x)
    return Chart(
        sheet,
        anchor,
        title=f"{spec.label} by occupancy and local use",
        x_title="Occupancy (share of places filled)",
        y_title=unit_words(spec.unit, compact=spec.unit == "£/year"),
        categories=data.refs["x"],
        series=series,
        x_format=SHARE,
        y_format=heat_format(spec.unit),
        x_min=x_min,
        x_max=x_max,
        x_step=x_step,
        width_cm=box.width_cm,
        height_cm=box.height_cm,
    )


def break_even_chart(sheet: str, anchor: str, table: Table, x: np.ndarray, box: ChartBox) -> Chart:
    """The break-even curve: the occupancy the provider needs, by local use."""
    x_min, x_max, x_step = axis_span(x)
    return Chart(
        sheet,
        anchor,
        title="Occupancy the provider needs to break even",
        x_title="Local use (share of occupied places used by the host)",
        y_title="Break-even occupancy",
        categories=table.refs["x"],
        series=(Series("Break-even occupancy", table.refs["y"]),),
        x_format=SHARE,
        y_format=SHARE,
        x_min=x_min,
        x_max=x_max,
        x_step=x_step,
        y_min=0.0,
        y_max=1.0,
        width_cm=box.width_cm,
        height_cm=box.height_cm,
    )
