"""The Risk sheet: each party's figures over simulated years, partnership against the spot market.

What a facilitator puts on the screen: two small tables (provider surplus, host net cost),
each with a line in plain words under it ("the partnership lowers the provider's
probability of a loss from 3.8 % to 0 %"), then two histograms with the partnership and
the spot market as two series on common bands, so the narrower spread is seen at a glance.
Printed: the tables and words on the first page, the charts and their data after.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from engine import RiskResult, measure
from excel_addin.workbook import a1, layout, printing, risk_inputs
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.formats import MONEY, SHARE_FINE, no_negative_zero
from excel_addin.workbook.plan import Chart, Item, Name, Series, SheetSetup, block, column_block
from excel_addin.workbook.risk_figures import money, risk_sentences, uncertainty_words
from excel_addin.workbook.sheets.common import ChartBox, ResultSheet, Table, caption, width_cm

SHEET_LAYOUT = layout.RISK_SHEET
NAME = SHEET_LAYOUT.name
BINS = 20
FIRST_CHART_COLUMNS = 4  # the first chart spans A–D, the second starts at E
CHART_ASPECT = 0.55  # height / width: a histogram reads best wide
WRAP = 150  # characters of a sentence line: it stays within the printed width
PARTNERSHIP_COLOUR, SPOT_COLOUR = "2E75B6", "A5A5A5"
HEADINGS = {
    "provider": "Provider: surplus with the partnership and on the spot market (£ per year)",
    "host": "Host council: net cost with the partnership and buying every local week at spot (£ per year)",
}
HEADER = ("Figure", "Partnership", "Spot market", "Change (pp: % points)")
SIGNED_MONEY = no_negative_zero("£#,##0", 0.5, red=False, plus="+")  # a change: the sign says which way
SIGNED_POINTS = no_negative_zero('0.0" pp"', 0.05, red=False, plus="+")  # a probability's change (× 100)
CHART_TITLES = {
    "provider": "Provider surplus over {draws} simulated years",
    "host": "Host net cost over {draws} simulated years",
}
SERIES_TITLES = ("With the partnership", "Spot market (no partnership)")


def build(ctx: RunContext) -> list[Item]:
    """Caption, the two parties' tables with their sentences, the histograms and their data."""
    values = ctx.inputs.values
    risk = ctx.risk
    words = uncertainty_words(risk_inputs.uncertainty_of(values), int(values["draws"]), int(values["seed"]))
    top = SHEET_LAYOUT.owned_row
    items: list[Item] = [caption(ctx, SHEET_LAYOUT, f" Drawn from {words}")]
    sentences = risk_sentences(risk)
    row = top + 2
    for party in ("provider", "host"):
        table, row = _party_table(risk, party, row)
        items += table
        for line in textwrap.wrap(sentences[party], WRAP):  # a line in plain words under its table
            items.append(block(NAME, row, 1, line, style="status"))
            row += 1
        row += layout.TABLE_GAP
    widths = [SHEET_LAYOUT.column_widths[a1.column_letter(i)] for i in range(1, 7)]
    span = width_cm(widths[:FIRST_CHART_COLUMNS])
    box = ChartBox(span - 0.6, (span - 0.6) * CHART_ASPECT)
    chart_row = row
    row += box.rows + 1
    second = FIRST_CHART_COLUMNS + 1
    tall_rows: list[int] = []
    for party, column in (("provider", 1), ("host", second)):
        data, row = _histogram_table(risk, party, row)
        items += data.items
        tall_rows += data.tall_rows
        items.append(_histogram_chart(risk, party, a1.cell(chart_row, column), data.refs, box))
    # pages: the inputs; the tables with their histograms (the one printed); the histograms' data
    pages = (top - 1, chart_row + box.rows)
    items.append(
        SheetSetup(
            NAME,
            column_widths=tuple(SHEET_LAYOUT.column_widths.items()),
            **printing.print_setup(NAME, row, len(widths), pages),
            row_heights=tuple((r, 30.0) for r in tall_rows),
        )
    )
    return items


def _party_table(risk: RiskResult, party: str, row: int) -> tuple[list[Item], int]:
    """Heading, header and one row per figure; money as £, probabilities as %."""
    frame = risk.table(party)
    items: list[Item] = [
        block(NAME, row, 1, HEADINGS[party], style="heading"),
        block(NAME, row + 1, 1, [HEADER], style="header"),
    ]
    first = row + 2
    for offset, record in enumerate(frame.to_dict("records")):
        share = record["unit"] == "share"
        change = None if record["statistic"] == "standard_error" else record["change"]
        if share and change is not None:  # 40 % → 10 % is 30 percentage points, not "-75 %"
            change = change * 100
        items += [
            block(NAME, first + offset, 1, record["label"], style="label"),
            block(
                NAME,
                first + offset,
                2,
                [[record["partnership"], record["spot"]]],
                SHARE_FINE if share else MONEY,
            ),
            block(NAME, first + offset, 4, change, SIGNED_POINTS if share else SIGNED_MONEY),
        ]
    items.append(Name(layout.out_name(f"risk_{party}"), NAME, a1.area(first, 1, len(frame), len(HEADER))))
    return items, first + len(frame)


def _histogram_table(risk: RiskResult, party: str, row: int) -> tuple[Table, int]:
    """The chart's data: each band of the measure, and the share of years in it for both sides."""
    ours, spot = (
        ("provider_surplus", "provider_spot_surplus")
        if party == "provider"
        else ("host_net_cost", "host_spot_cost")
    )
    frame = risk.histogram([ours, spot], bins=BINS)
    label = measure(ours).label
    labels = _band_labels(frame)
    spans = [f"{money(low)} to {money(high)}" for low, high in frame[["bin_low", "bin_high"]].to_numpy()]
    first = row + 2
    items: list[Item] = [
        block(
            NAME,
            row,
            1,
            f"Chart data: {label.lower()}, share of simulated years in each band",
            style="heading",
        ),
        block(NAME, row + 1, 1, [("Band (middle, £ per year)", *SERIES_TITLES, "From – to")], style="header"),
        column_block(NAME, first, 1, labels, style="axis"),
        block(NAME, first, 2, frame[[ours, spot]].to_numpy(), SHARE_FINE),
        column_block(NAME, first, 4, spans, style="unit"),
        Name(layout.out_name(f"risk_{party}_histogram"), NAME, a1.area(first, 1, len(frame), 4)),
    ]
    refs = {
        "labels": a1.area(first, 1, len(frame), 1),
        SERIES_TITLES[0]: a1.area(first, 2, len(frame), 1),
        SERIES_TITLES[1]: a1.area(first, 3, len(frame), 1),
    }
    next_row = first + len(frame) + layout.TABLE_GAP
    return Table(items, next_row, refs, tall_rows=(row + 1,)), next_row


def _band_labels(frame: pd.DataFrame) -> list[str]:
    """Each band by its middle, in £ thousands ("-£150k"): short enough for a chart's axis."""
    mids = frame["bin_mid"].to_numpy() / 1000
    return [f"{'-' if m < -0.5 else ''}£{abs(m):,.0f}k" for m in np.round(mids)]


def _histogram_chart(risk: RiskResult, party: str, anchor: str, refs: dict[str, str], box: ChartBox) -> Chart:
    ours = "provider_surplus" if party == "provider" else "host_net_cost"
    colours = (PARTNERSHIP_COLOUR, SPOT_COLOUR)
    return Chart(
        NAME,
        anchor,
        title=CHART_TITLES[party].format(draws=f"{risk.outcomes.size:,}"),
        x_title=f"{measure(ours).label} (£ per year, middle of each band)",
        y_title="Share of years",
        categories=refs["labels"],
        series=tuple(
            Series(title, refs[title], colour) for title, colour in zip(SERIES_TITLES, colours, strict=True)
        ),
        y_format="0%",
        y_min=0.0,
        width_cm=box.width_cm,
        height_cm=box.height_cm,
        kind="column",
    )


def _parsers() -> dict:
    return {name: risk_inputs.PARSERS[name] for name in ("risk_source", "history")}


SHEET = ResultSheet(SHEET_LAYOUT, build, check=risk_inputs.check_risk, parsers=_parsers())
