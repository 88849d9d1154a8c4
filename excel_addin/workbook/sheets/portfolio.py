"""The Portfolio sheet: each home under the agreement, and the portfolio with its surplus
shared per home or pooled.

The point of the sheet is the difference: pooled sharing applies the sharing clause once to
the homes' combined surplus, so one home's loss offsets another's surplus. The statement
at one point shows each home, the portfolio both ways and pooled − per home; the charts
and heat maps show where on the grid the difference arises. Every figure comes from
``engine.members.portfolio``; the risk table below them from ``engine.members.portfolio_risk`` over the
Risk sheet's ranges, draws and seed (the way the Compare sheet takes them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from engine import (
    ParameterError,
    Uncertainty,
    draw_home_outcomes,
    home_table,
    measure,
    portfolio_evaluate,
    portfolio_grid,
    portfolio_risk,
    read_homes,
)
from excel_addin.workbook import a1, layout, member_inputs
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.contract_figures import risk_inputs
from excel_addin.workbook.formats import GENERAL, MONEY, SHARE, SHARE_FINE, result_format, unit_words
from excel_addin.workbook.plan import Item, Name, block, column_block
from excel_addin.workbook.reader import ModelInputs
from excel_addin.workbook.sheets.common import ResultSheet, Table, percent_label
from excel_addin.workbook.sheets.cursor import Cursor, HeatPart, put_heat_maps
from excel_addin.workbook.sheets.members import (
    ACCENT,
    LIGHT,
    STRONG,
    Line,
    Statement,
    data_table,
    engine_problems,
    finish,
    line_table,
    member_page,
    money,
    occupancy_chart,
    parameters_of,
    put_chart_grid,
    put_statement,
    skipped_items,
    statement_table,
    table_parser,
    widths_of,
    with_header,
)
from excel_addin.workbook.words import changes

SHEET_LAYOUT = layout.PORTFOLIO_SHEET
KEYS = tuple(spec.name for spec in member_inputs.HOME_COLUMN_SPECS)
EMPTY = (
    "The homes table above is empty: fill the table (one row per home) and run the model again to see "
    "each home and the portfolio."
)
BASES = {
    "per_home": "Portfolio, per home",
    "pooled": "Portfolio, pooled",
    "difference": "Pooled − per home",
}
POINT_MEASURES = (
    "local_places",
    "outside_places",
    "released_places",
    "provider_revenue",
    "provider_cost",
    "surplus_before_sharing",
    "sharing_threshold",
    "share_rate",
    "profit_share",
    "deficit_cover",
    "provider_surplus",
    "provider_margin",
    "host_net_cost",
    "host_saving",
    "provider_gain",
)
TOTALS = ("provider_surplus", "host_net_cost")
USED_COLUMNS = (*KEYS[1:], "host_contribution")
USED_FORMATS = {"places": "0", "reserved_places": GENERAL, "occupancy": SHARE}
RISK_TITLE = (
    "Risk across the homes: each home's occupancy and local use drawn from the Risk sheet's ranges, "
    "correlated between homes"
)
RISK_COLUMNS = (
    "Spot (no partnership)",
    "Partnership, per home",
    "Partnership, pooled",
    "Per home − spot",
    "Pooled − spot",
)
RISK_PARTIES = {"provider": "Provider: surplus (£ per year)", "host": "Host: net cost (£ per year)"}
RISK_STATISTICS = (
    "mean",
    "p10",
    "p50",
    "p90",
    "probability_of_loss",
    "probability_above_spot",
    "expected_shortfall",
)
REFUSED = ("history", "fixed_cost_growth")  # Risk sheet inputs the portfolio's draws do not take


def homes_of(values: Mapping[str, Any]) -> list[list[Any]]:
    """The homes table as the engine reads it."""
    return with_header(KEYS, values["homes"])


def check(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The engine's rules for the homes table: names, each value's range, reserved ≤ places."""
    rows = values.get("homes")
    if rows is None:
        return []
    params = parameters_of(values)
    problems = engine_problems(lambda: read_homes(with_header(KEYS, rows), params))
    correlation = values.get("portfolio_home_correlation")
    if problems or correlation is None:
        return problems
    count = len(read_homes(with_header(KEYS, rows), params))  # valid now; params may be None
    # the engine's rule for the number of homes (ρ ≥ −1/(homes − 1)); a few draws only to ask it
    drawn = engine_problems(lambda: draw_home_outcomes(Uncertainty(), count, correlation, draws=2))
    return [("portfolio_home_correlation", message) for _, message in drawn]


def skip(values: Mapping[str, Any]) -> str | None:
    return EMPTY if values.get("homes") is None else None


def build(ctx: RunContext) -> list[Item]:
    values = ctx.inputs.values
    reason = skip(values)
    if reason:
        return skipped_items(ctx, SHEET_LAYOUT, reason)
    params, table = ctx.inputs.params, homes_of(values)
    o_axis, u_axis = ctx.inputs.occupancy, ctx.inputs.local_use
    u = values["portfolio_local_use"]
    homes = home_table(table, params)
    names = [str(name) for name in homes["home"]]
    widths = widths_of(SHEET_LAYOUT, max(len(u_axis), len(names) + len(BASES), len(USED_COLUMNS)) + 1)

    page = member_page(ctx, SHEET_LAYOUT, values["homes"], member_inputs.EXAMPLE_HOMES, "two homes")
    page.put(_homes_used(page.sheet, page.row, homes))
    result = statement(ctx.inputs)
    put_statement(page, statement_table(page.sheet, page.row, result), "portfolio_summary", result.notes)
    _put_risk(page, ctx.inputs)
    page.page_break()
    heading = "Provider surplus by occupancy, and what pooling changes"
    anchors, box = put_chart_grid(page, heading, 2, widths)
    put_heat_maps(page, _heat_parts(portfolio_grid(params, table, o_axis, u_axis), names), (o_axis, u_axis))
    along = portfolio_evaluate(params, table, o_axis, u)
    surplus = [
        (f"{home} (its own deal)", along["homes"]["provider_surplus"][i]) for i, home in enumerate(names)
    ]
    surplus += [(BASES[basis], along[basis]["provider_surplus"]) for basis in ("per_home", "pooled")]
    title = f"Chart data: provider surplus at local use {percent_label(u)} (£ per year)"
    first_data = page.put(data_table(page.sheet, page.row, title, o_axis, surplus, "£/year"))
    uses = np.asarray(layout.CHART_LOCAL_USES)
    pooled = portfolio_evaluate(params, table, o_axis[:, None], uses[None, :])["difference"][
        "provider_surplus"
    ]
    lines = [(f"Local use {percent_label(use)}", pooled[:, k]) for k, use in enumerate(uses)]
    title = "Chart data: pooled − per-home sharing (£ per year)"
    second_data = page.put(data_table(page.sheet, page.row, title, o_axis, lines, "£/year"))
    page.add(
        occupancy_chart(
            page.sheet,
            anchors[0],
            f"Provider surplus by occupancy (local use {percent_label(u)})",
            first_data,
            [name for name, _ in surplus],
            o_axis,
            box,
            [*(LIGHT[i % len(LIGHT)] for i in range(len(names))), STRONG, ACCENT],
        ),
        occupancy_chart(
            page.sheet,
            anchors[1],
            "Pooled minus per-home sharing: the provider's gain, the host's extra cost",
            second_data,
            [name for name, _ in lines],
            o_axis,
            box,
        ),
    )
    return finish(page, SHEET_LAYOUT, len(widths))


def _heat_parts(grid, names: list[str]) -> list[HeatPart]:
    """Each home's provider surplus, the portfolio's both ways and the difference, the host's net cost."""
    unit = unit_words("£/year", compact=True)
    parts: list[HeatPart] = [
        (
            f"{home}: provider surplus, its own deal ({unit}) – green: higher is better",
            grid.values["homes"]["provider_surplus"][index],
            True,
            f"home{index + 1}_provider_surplus",
        )
        for index, home in enumerate(names)
    ]
    parts += [
        (
            f"{BASES[basis]}: provider surplus ({unit}) – green: higher is better",
            grid.values[basis]["provider_surplus"],
            True,
            f"portfolio_{basis}_provider_surplus",
        )
        for basis in ("per_home", "pooled")
    ]
    parts.append(
        (
            f"Pooled − per home ({unit}): the provider's surplus and the host's net cost both change by this "
            "– green: the provider gains from pooling",
            grid.values["difference"]["provider_surplus"],
            True,
            "portfolio_difference_provider_surplus",
        )
    )
    parts += [
        (
            f"{BASES[basis]}: host net cost ({unit}) – not coloured: what the host spends, not a judgement",
            grid.values[basis]["host_net_cost"],
            None,
            f"portfolio_{basis}_host_net_cost",
        )
        for basis in ("per_home", "pooled")
    ]
    return parts


def statement(
    inputs: ModelInputs, occupancy: float | None = None, local_use: float | None = None
) -> Statement:
    """Each home, portfolio per home and pooled, and the difference at one point (default: the sheet's)."""
    values, params = inputs.values, inputs.params
    o = values["portfolio_occupancy"] if occupancy is None else occupancy
    u = values["portfolio_local_use"] if local_use is None else local_use
    table = homes_of(values)
    homes = home_table(table, params)
    point = portfolio_evaluate(params, table, o, u)
    return Statement(
        f"Each home and the portfolio at occupancy {percent_label(o)} and local use {percent_label(u)}",
        [*(str(name) for name in homes["home"]), *BASES.values()],
        _lines(point, homes, o),
        _notes(point),
    )


def risk_of(inputs: ModelInputs) -> tuple[pd.DataFrame | None, list[str]]:
    """``engine.members.portfolio_risk`` for the sheet's homes over the Risk sheet's inputs, and notes.

    Past years or a fixed-cost growth on the Risk sheet are inputs the per-home draws do
    not take; the engine refuses them, and the sheet then says so in words (no table)
    rather than failing the whole run over a choice made for the Risk sheet.
    """
    values = inputs.values
    drawn = risk_inputs(values)
    try:
        table = portfolio_risk(
            inputs.params,
            homes_of(values),
            drawn.uncertainty,
            values["portfolio_home_correlation"],
            drawn.draws,
            drawn.seed,
        )
    except ParameterError as error:
        if not error.problems or any(name not in REFUSED for name, _ in error.problems):
            raise
        reasons = {
            "history": "the Risk sheet draws its years from past years, and past years are the region's, "
            "not each home's: choose ranges as the Risk sheet's source",
            "fixed_cost_growth": "the Risk sheet's fixed-cost growth is not 0, and the homes' draws do not "
            "grow their fixed costs yet: set its low, most likely and high to 0",
        }
        words = "; and ".join(reasons[name] for name in dict.fromkeys(name for name, _ in error.problems))
        return None, [f"No risk table across the homes: {words}. The rest of this sheet is unaffected."]
    if not drawn.from_risk_sheet:
        return table, [drawn.source]
    from excel_addin.workbook.risk_figures import (
        uncertainty_words,  # the Risk sheet's own words for its inputs
    )

    spread = uncertainty_words(drawn.uncertainty, drawn.draws, drawn.seed)
    return table, [f"{spread} From the Risk sheet's inputs, drawn for each home."]


def _put_risk(page: Cursor, inputs: ModelInputs) -> None:
    """The portfolio's risk figures (``risk_of``), spot beside per-home and pooled sharing, or why not."""
    table, notes = risk_of(inputs)
    if table is None:
        page.text(RISK_TITLE, style="heading")
        page.text(notes[0], style="problem")
        page.skip()
        return
    written = line_table(page.sheet, page.row, RISK_TITLE, RISK_COLUMNS, _risk_lines(table, inputs))
    spot = (
        "Per home and pooled use the same simulated years; spot is the same years with no partnership "
        "(the provider sells every place at the outside fee, the host buys every local week at the "
        "spot price)."
    )
    put_statement(page, written, "portfolio_risk", [*notes, spot])


def _risk_lines(table: pd.DataFrame, inputs: ModelInputs) -> list[Line]:
    """Per party a heading and a line per statistic; then the correlation between homes the draws achieved."""
    lines: list[Line] = []
    for party, heading in RISK_PARTIES.items():
        lines.append((heading, [], None, "heading"))
        rows = table[table["party"] == party].set_index(["statistic", "sharing"])
        for statistic in (s for s in RISK_STATISTICS if (s, "per_home") in rows.index):
            # a full key of the (statistic, sharing) index is one row; pandas-stubs reads it as (row, column)
            per_home = cast(pd.Series, rows.loc[(statistic, "per_home")])
            pooled = cast(pd.Series, rows.loc[(statistic, "pooled")])
            spot = float(per_home["spot"])
            values = [spot, float(per_home["partnership"]), float(pooled["partnership"])]
            values += [values[1] - spot, values[2] - spot]
            lines.append((str(per_home["label"]), values, result_format(str(per_home["unit"])), None))
    lines.append(("Between homes (the same draws for per home and pooled)", [], None, "heading"))
    target = percent_label(float(inputs.values["portfolio_home_correlation"]))
    for _, achieved in table[table["party"] == "homes"].iterrows():
        axis = str(achieved["partnership_measure"]).replace("_", " ")
        value = float(achieved["partnership"])
        label = f"Rank correlation of {axis} between homes, achieved (target {target})"
        lines.append((label, [np.nan, value, value, np.nan, np.nan], SHARE_FINE, None))
    return lines


def _homes_used(sheet: str, row: int, homes) -> Table:
    """The homes as the model uses them: empty cells filled with the partnership's values."""
    header = [*member_inputs.HOME_HEADER[:-1], "Occupancy", "Contribution (£/year)"]
    count = len(homes)
    items: list[Item] = [
        block(
            sheet,
            row,
            1,
            "The homes as the model uses them (empty cells: the Inputs sheet's values)",
            style="heading",
        ),
        block(sheet, row + 1, 1, [header], style="header"),
        column_block(sheet, row + 2, 1, homes["home"].to_numpy(object), style="label"),
    ]
    for offset, name in enumerate(USED_COLUMNS, start=2):
        column = homes[name].to_numpy(float)
        if name == "occupancy":
            column = np.where(np.isnan(column), "the grid's", column.astype(object))
        number_format = USED_FORMATS.get(name, MONEY)
        style = "category" if name == "occupancy" else None  # centred: "the grid's" beside a number
        items.append(column_block(sheet, row + 2, offset, column, number_format=number_format, style=style))
    items.append(Name(layout.out_name("portfolio_homes"), sheet, a1.area(row + 1, 1, count + 1, len(header))))
    return Table(items, row + 2 + count + layout.TABLE_GAP, {}, tall_rows=(row + 1,))


def _lines(point: dict, homes, o: float) -> list[Line]:
    """Places and occupancy, then each measure: every home, the portfolio both ways, the difference."""
    places = homes["places"].to_numpy(float)
    occupancy = np.where(np.isnan(homes["occupancy"].to_numpy(float)), o, homes["occupancy"].to_numpy(float))
    occupied = float(point["per_home"]["local_places"] + point["per_home"]["outside_places"])
    total_occupancy = occupied / places.sum()
    lines: list[Line] = [
        ("Places", [*places, places.sum(), places.sum(), np.nan], "0", None),
        ("Occupancy", [*occupancy, total_occupancy, total_occupancy, np.nan], SHARE_FINE, None),
    ]
    for name in POINT_MEASURES:
        spec = measure(name)
        row = [*np.asarray(point["homes"][name], dtype=float), *(float(point[b][name]) for b in BASES)]
        lines.append((spec.label, row, result_format(spec.unit), "total" if name in TOTALS else None))
    return lines


def _notes(point: dict) -> list[str]:
    difference = {key: float(value) for key, value in point["difference"].items()}
    shared = changes("the host's profit share", difference["profit_share"], money)
    covered = changes("its deficit cover", difference["deficit_cover"], money)
    surplus = changes("the provider's surplus", difference["provider_surplus"], money)
    cost = changes("the host's net cost", difference["host_net_cost"], money)
    return [
        "Per home: each home's surplus is shared on its own, above its own threshold. Pooled: the sharing "
        "clause applies once to the homes' combined surplus, so one home's loss offsets another's surplus.",
        f"Here pooling {shared} and {covered}, so it {surplus} and {cost} a year.",
    ]


SHEET = ResultSheet(SHEET_LAYOUT, build, check=check, parsers={"homes": table_parser}, skip=skip)
