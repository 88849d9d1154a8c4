"""The Summary sheet: the answer in plain words on one printed page, first in the workbook.

What a finance director reads before anything else: whether today's terms are acceptable to
both parties, what each gets against its no-deal alternative (the spot market) in an expected
and in a bad year, what the deal buys the host and what it costs, and the balanced deal. Every
figure is one the run already has: the Risk sheet's simulated years and the Agreement sheet's
zone and balanced deals (``RunContext.risk`` and ``.agreement``, computed once), so the Summary
agrees with those sheets to the pound. The sentences come from ``summary_text``.

The page: the status and when the figures were computed; the answer across the page; the
provider beside the host, what the deal buys beside what a bad year means; then two small
charts, (1) each party's gain over spot by occupancy at the expected local use, (2) the terms
both accept over the Agreement sheet's two swept terms with today's terms and the balanced
deal, beside the small tables they read (printed too, so every point can be checked).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine import evaluate, lever_label, lever_value
from excel_addin.workbook import a1, layout
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.formats import MONEY, SHARE
from excel_addin.workbook.plan import CategoryColours, Chart, Item, Name, Series, SheetSetup, block
from excel_addin.workbook.risk_figures import decided_by, term_unit, terms_text, value_text
from excel_addin.workbook.sheets.common import ResultSheet, column_after, width_cm
from excel_addin.workbook.summary_text import Deal, Party, SummaryFigures, sentences

SHEET_LAYOUT = layout.SUMMARY_SHEET
NAME = SHEET_LAYOUT.name
STATUS_ROW = SHEET_LAYOUT.owned_row  # the run status, coloured as on the Inputs sheet
CAPTION_ROW = STATUS_ROW + 1
TEXT_ROW = CAPTION_ROW + 2
# A–H: the answer across the page, then the provider and what the deal buys, then the two charts;
# I–Q: the host and what a bad year means, then the charts' data (I–K gains, M–Q the terms).
WIDTHS: dict[str, float] = {
    "A": 33,  # the run status fits, coloured
    **{letter: 6.0 for letter in "BCDEFGH"},
    "I": 10,
    "J": 9.5,
    "K": 9.5,
    "L": 1,
    "M": 11.5,
    "N": 6,
    "O": 6,
    "P": 6,
    "Q": 8.5,
}
RIGHT = 9  # column I: the right half's text and the first table of the charts' data
ZONE_COLUMN = 13  # column M: the second table
WRAP_WIDE, WRAP_LEFT, WRAP_RIGHT = 150, 86, 76  # characters a line, within the printed width
SPACER = 6.0  # points: the height of the empty row between two blocks of text
CHART_ROWS = 14  # rows the charts and their data take (heading, header, eleven rows)
CHART_HEIGHT_CM = 6.8  # under the charts' headings, level with the tables' eleven rows and header
OCCUPANCIES = np.round(np.linspace(0.0, 1.0, 11), 2)  # the first chart's points: 0 %, 10 %, … 100 %
ZONE_POINTS = 9  # at most this many values of the first swept term (then today's terms, the balanced deal)
STATUS_COLOURS = (
    (layout.OUT_OF_DATE, "FFC7CE"),
    (layout.UP_TO_DATE, "C6EFCE"),
    (layout.NOT_RUN, "FFEB9C"),
)
PROVIDER_COLOUR, HOST_COLOUR = "2E75B6", "C55A11"
EDGE_COLOUR, TODAY_COLOUR, BALANCED_COLOUR = "548235", "000000", "C00000"
ROUNDING = (
    "Amounts are rounded to the pound and differences taken before rounding, so a difference may be £1 "
    "away from the two rounded amounts beside it."
)
BEFORE_RUN = (
    "The verdict appears here after the model is run: whether today's terms are acceptable to both "
    "parties, what each gains against the spot market in an expected and in a bad year, what the deal "
    "buys the host and what it costs, and the balanced deal. Run it with the add-in's Run button, "
    "xlwings Lite, or `partnership run <file>` on the command line."
)


def build(ctx: RunContext) -> list[Item]:
    """The status, the sentences, the two charts and their data; one printed page."""
    items: list[Item] = [*_status(ctx)]
    if ctx.template:
        lines = textwrap.wrap(BEFORE_RUN, WRAP_WIDE)
        items += _text(TEXT_ROW, 1, "The answer", lines)
        items.append(_setup(TEXT_ROW + len(lines), ()))
        return items
    groups = sentences(figures_of(ctx))
    (answer, provider, host, access, bad_year) = groups
    row, spacers = TEXT_ROW, [TEXT_ROW - 1]
    for left, right, wraps in (
        (answer, None, (WRAP_WIDE, 0)),
        (provider, host, (WRAP_LEFT, WRAP_RIGHT)),
        (access, bad_year, (WRAP_LEFT, WRAP_RIGHT)),
    ):
        left_lines = _wrap(left[1], wraps[0])
        items += _text(row, 1, left[0], left_lines)
        height = len(left_lines)
        if right is not None:
            right_lines = _wrap(right[1], wraps[1])
            items += _text(row, RIGHT, right[0], right_lines)
            height = max(height, len(right_lines))
        row += height + 1
        spacers.append(row)
        row += 1
    data, last = _chart_data(ctx, row)
    items += data.items
    chart_width = width_cm(list(WIDTHS.values())[: RIGHT - 1]) / 2 - 0.2
    gains, zone = (
        _gain_chart(ctx, data.refs, row + 1, chart_width),
        _zone_chart(ctx, data.refs, row + 1, chart_width),
    )
    items += [gains, zone, *_chart_headings(row, zone.anchor)]
    heights = (*((r, SPACER) for r in spacers), (data.tall_row, 30.0))
    foot = max(last, row + CHART_ROWS - 1) + 1
    items.append(block(NAME, foot, 1, ROUNDING, style="subtitle"))
    items.append(_setup(foot, heights))
    return items


def _wrap(group: list[str], width: int) -> list[str]:
    return [part for sentence in group for part in textwrap.wrap(sentence, width)]


def _status(ctx: RunContext) -> list[Item]:
    """The run status (the Inputs sheet's formula, so it turns red here too) and when it was computed."""
    status = layout.status_formula().with_result(layout.NOT_RUN if ctx.template else layout.UP_TO_DATE)
    items: list[Item] = [
        block(NAME, STATUS_ROW, 1, status, style="status"),
        CategoryColours(NAME, a1.cell(STATUS_ROW, 1), STATUS_COLOURS),
    ]
    if not ctx.template:  # a new workbook's caption speaks of live tables, which this sheet has none of
        money = " Money in £ per year of the agreement unless stated."  # the subtitle says so already
        caption = ctx.caption.replace(money, "") + " Figures as on the Risk and Agreement sheets."
        items.append(block(NAME, CAPTION_ROW, 1, caption, style="subtitle"))
    return items


def _text(row: int, column: int, heading: str, lines: list[str]) -> list[Item]:
    """A heading and its lines, one a row, from ``row`` down in ``column``."""
    items: list[Item] = [block(NAME, row, column, heading, style="heading")]
    items += [block(NAME, row + 1 + k, column, line, style="label") for k, line in enumerate(lines)]
    return items


def _setup(last_row: int, heights: tuple[tuple[int, float], ...]) -> SheetSetup:
    return SheetSetup(
        NAME,
        column_widths=tuple(WIDTHS.items()),
        print_area=a1.area(1, 1, last_row, len(WIDTHS)),
        row_heights=heights,
    )


# --- the figures ---------------------------------------------------------------------------------


def _row(table: pd.DataFrame, statistic: str) -> Any:
    return table.set_index("statistic").loc[statistic]


def figures_of(ctx: RunContext) -> SummaryFigures:
    """The figures the sentences say, read from the run's Risk and Agreement results."""
    params, risk, agreement = ctx.inputs.params, ctx.risk, ctx.agreement
    provider, host = risk.table("provider"), risk.table("host")
    mean, bad, loss = (_row(provider, s) for s in ("mean", "p10", "probability_of_loss"))
    cost, dear, above = (_row(host, s) for s in ("mean", "p90", "probability_above_spot"))
    today = agreement.point("today")
    assert today is not None  # today's terms are always assessed
    terms = agreement.terms
    nash = agreement.point("nash")
    return SummaryFigures(
        provider=_party(mean, bad, loss),
        host=_party(cost, dear, above),
        places=params.places,
        reserved_places=params.reserved_places,
        local_weeks=expected_local_weeks(ctx),
        host_contribution=params.host_contribution,
        local_fee=params.local_fee,
        spot_price=params.spot_price,
        draws=risk.outcomes.size,
        today_terms=terms_text(params, terms, today),
        provider_accepts=bool(today["provider_accepts"]),
        host_accepts=bool(today["host_accepts"]),
        failing=tuple(decided_by(agreement.rules, today)),
        balanced=None if nash is None else _deal(ctx, nash),
        zone_empty=agreement.zone.accepted().empty,
        swept=" and ".join(_swept(ctx, name) for name in terms),
    )


def _party(*rows: Any) -> Party:
    """Partnership and spot of each statistic's row, as plain floats."""
    return Party(*(float(getattr(row, side)) for row in rows for side in ("partnership", "spot")))


def _deal(ctx: RunContext, row: pd.Series) -> Deal:
    params, terms = ctx.inputs.params, ctx.agreement.terms
    return Deal(terms_text(params, terms, row), float(row["provider_gain"]), float(row["host_gain"]))


def _swept(ctx: RunContext, name: str) -> str:
    params, column = ctx.inputs.params, ctx.agreement.zone.table[name]
    unit = term_unit(params, name)
    label = _lower(lever_label(params, name))
    return f"{label} from {value_text(column.min(), unit)} to {value_text(column.max(), unit)}"


def expected_local_weeks(ctx: RunContext) -> float:
    """Local weeks a year (weeks × places × occupancy × local use), averaged over the simulated years."""
    params, outcomes = ctx.inputs.params, ctx.risk.outcomes
    weeks = params.weeks_per_year * params.places * outcomes.occupancy * outcomes.local_use
    return float(np.sum(weeks * outcomes.weight_array()))


def expected_local_use(ctx: RunContext) -> float:
    """The local use of the simulated years on average: where the first chart is drawn."""
    outcomes = ctx.risk.outcomes
    return float(np.sum(outcomes.local_use * outcomes.weight_array()))


# --- the charts' data and the charts -------------------------------------------------------------


@dataclass(frozen=True)
class ChartData:
    """The items of the charts' data block, the refs the charts read, and the block's header row."""

    items: list[Item]
    refs: dict[str, str]
    tall_row: int


def zone_edges(ctx: RunContext) -> pd.DataFrame:
    """At up to ``ZONE_POINTS`` values of the first swept term: the lowest and highest second both accept.

    The values are spread evenly over those where both accept anything, so a narrow zone
    is drawn as finely as a wide one; empty when no swept terms are accepted by both. A zone
    in several parts is drawn by its outer edges (the Agreement sheet's map shows every pair).
    """
    first, second = ctx.agreement.terms
    accepted = ctx.agreement.zone.accepted()
    edges = accepted.groupby(first)[second].agg(["min", "max"]).reset_index()
    if len(edges) > ZONE_POINTS:
        keep = np.unique(np.round(np.linspace(0, len(edges) - 1, ZONE_POINTS)).astype(int))
        edges = edges.iloc[keep].reset_index(drop=True)
    return edges


def _chart_data(ctx: RunContext, row: int) -> tuple[ChartData, int]:
    """Two small tables side by side: gains by occupancy (I–K), edges of the terms both accept (M–Q)."""
    params, agreement = ctx.inputs.params, ctx.agreement
    use = expected_local_use(ctx)
    first, second = agreement.terms
    short = _short_label(params, second)
    units = term_unit(params, first), term_unit(params, second)
    fmt = [MONEY if unit.startswith("£") else SHARE if unit == "share" else "General" for unit in units]
    values = evaluate(params, OCCUPANCIES, use)
    header, body = row + 1, row + 2
    items: list[Item] = [
        block(NAME, row, RIGHT, f"Data: gains at {use:.0%} local use", style="status"),
        block(NAME, row, ZONE_COLUMN, f"Data: {_lower(short)} both accept", style="status"),
        block(NAME, header, RIGHT, [("Occupancy", "Provider's gain", "Host's saving")], style="header"),
        block(NAME, body, RIGHT, OCCUPANCIES.reshape(-1, 1), SHARE, "axis"),
        block(
            NAME, body, RIGHT + 1, np.column_stack([values["provider_gain"], values["host_saving"]]), MONEY
        ),
    ]
    edges = zone_edges(ctx)
    zone_header = (_short_label(params, first), "From", "To", "Today", "Balanced")
    items.append(block(NAME, header, ZONE_COLUMN, [zone_header], style="header"))
    rows: list[list[Any]] = [[r[first], r["min"], r["max"], None, None] for _, r in edges.iterrows()]
    rows.append([lever_value(params, first), None, None, lever_value(params, second), None])
    nash = agreement.point("nash")
    if nash is not None:
        rows.append([float(nash[first]), None, None, None, float(nash[second])])
    for k, line in enumerate(rows):
        items.append(block(NAME, body + k, ZONE_COLUMN, [line[:1]], fmt[0], "axis"))
        items.append(block(NAME, body + k, ZONE_COLUMN + 1, [line[1:]], fmt[1]))
    zone_rows = len(rows)
    gains = a1.area(body, RIGHT, len(OCCUPANCIES), 3)
    items.append(Name(layout.out_name("summary_gains"), NAME, gains))
    items.append(Name(layout.out_name("summary_zone"), NAME, a1.area(body, ZONE_COLUMN, zone_rows, 5)))
    refs = {
        "occupancy": a1.area(body, RIGHT, len(OCCUPANCIES), 1),
        "provider": a1.area(body, RIGHT + 1, len(OCCUPANCIES), 1),
        "host": a1.area(body, RIGHT + 2, len(OCCUPANCIES), 1),
        "x": a1.area(body, ZONE_COLUMN, zone_rows, 1),
        **{
            key: a1.area(body, ZONE_COLUMN + 1 + k, zone_rows, 1)
            for k, key in enumerate(("low", "high", "today", "nash"))
        },
    }
    last = body + max(len(OCCUPANCIES), zone_rows) - 1
    return ChartData(items, refs, header), last


def _lower(label: str) -> str:
    """A label inside a sentence: "Host contribution" → "host contribution"."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _short_label(params: Any, name: str) -> str:
    """A swept term's label short enough for a column header: "Share of tier 3" without its condition."""
    return lever_label(params, name).split(" (")[0]


def _chart_headings(row: int, second: str) -> list[Item]:
    """What each chart shows, in the cell above it (the charts have no titles of their own: room to plot)."""
    return [
        block(NAME, row, 1, "Gain over spot by occupancy", style="status"),
        block(NAME, row, a1.parse_cell(second)[1], "Terms both parties accept", style="status"),
    ]


def _gain_chart(ctx: RunContext, refs: dict[str, str], row: int, width: float) -> Chart:
    return Chart(
        NAME,
        a1.cell(row, 1),
        title="",
        x_title="Occupancy",
        y_title="£ a year",
        categories=refs["occupancy"],
        series=(
            Series("Provider", refs["provider"], PROVIDER_COLOUR),
            Series("Host", refs["host"], HOST_COLOUR),
        ),
        x_format=SHARE,
        x_step=0.25,
        y_format='£#,##0,"k";-£#,##0,"k";£0',
        width_cm=width,
        height_cm=CHART_HEIGHT_CM,
    )


def _zone_chart(ctx: RunContext, refs: dict[str, str], row: int, width: float) -> Chart:
    params, agreement = ctx.inputs.params, ctx.agreement
    first, second = agreement.terms
    table = agreement.zone.table
    low, high = float(table[first].min()), float(table[first].max())
    unit = term_unit(params, first)
    second_unit = term_unit(params, second)
    step = _step(high - low)
    return Chart(
        NAME,
        a1.cell(row, column_after(width + 0.3, list(WIDTHS.values()))),
        title="",
        x_title=lever_label(params, first),
        y_title=_short_label(params, second),
        categories=refs["x"],
        series=(
            Series("Lowest", refs["low"], EDGE_COLOUR),
            Series("Highest", refs["high"], EDGE_COLOUR),
            Series("Today", refs["today"], TODAY_COLOUR, marker="diamond"),
            Series("Balanced", refs["nash"], BALANCED_COLOUR, marker="circle"),
        ),
        x_format='£#,##0,"k"' if unit.startswith("£") else SHARE if unit == "share" else "General",
        y_format='£#,##0,"k"'
        if second_unit.startswith("£")
        else SHARE
        if second_unit == "share"
        else "General",
        x_min=low,
        x_max=high,
        x_step=step,
        y_min=float(table[second].min()),
        y_max=float(table[second].max()),
        width_cm=width,
        height_cm=CHART_HEIGHT_CM,
    )


def _step(span: float) -> float:
    """A round tick step giving at most four labelled ticks over ``span``: a small chart stays legible."""
    if span <= 0:
        return 1.0
    magnitude = 10 ** np.floor(np.log10(span))
    for factor in (0.1, 0.2, 0.25, 0.5, 1.0, 2.0):
        if span / (factor * magnitude) <= 3:
            return float(factor * magnitude)
    return float(magnitude * 5)


SHEET = ResultSheet(SHEET_LAYOUT, build, live=True)
