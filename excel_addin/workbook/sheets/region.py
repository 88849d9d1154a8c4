"""The Region sheet: each member council's part of the partnership, at one point and on the grid.

A council finance officer reads their own column of the statement (what the council pays
and receives, its net cost and its saving against its own spot price), their own chart
(net cost against buying the same weeks on the spot market, by occupancy) and their own
heat maps. Every figure comes from ``engine.members.region``; the Region total column is the host of
the single-host model, which the note under the statement states with its value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from engine import (
    Coerced,
    RegionRules,
    allocation_keys,
    evaluate,
    explain_rules,
    format_value,
    read_councils,
    region_evaluate,
    region_grid,
    region_total,
)
from excel_addin.workbook import layout, member_inputs
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.formats import MONEY, SHARE_FINE, WEEKS, unit_words
from excel_addin.workbook.plan import Item
from excel_addin.workbook.reader import ModelInputs
from excel_addin.workbook.sheets.common import NOT_COLOURED, ResultSheet, percent_label
from excel_addin.workbook.sheets.cursor import HeatPart, put_heat_maps
from excel_addin.workbook.sheets.members import (
    PLAIN,
    STRONG,
    Line,
    Statement,
    data_table,
    engine_problems,
    finish,
    member_page,
    money,
    occupancy_chart,
    put_chart_grid,
    put_statement,
    skipped_items,
    statement_table,
    table_parser,
    widths_of,
    with_header,
)

SHEET_LAYOUT = layout.REGION_SHEET
KEYS = tuple(spec.name for spec in member_inputs.COUNCIL_COLUMN_SPECS)
RULE_NAMES = tuple(spec.name for spec in member_inputs.RULE_SPECS)
TOTAL = "Region total"
EMPTY = (
    "The councils table above is empty: fill the table (one row per council) and run the model again to "
    "see each council's results."
)


def _choice_parser(name: str) -> Callable[[Any], Coerced]:
    """A sharing rule as picked from the list (or typed loosely: "Use", "split by use")."""
    listed = ", ".join(member_inputs.CHOICES[name])

    def parse(raw: Any) -> Coerced:
        try:
            return Coerced(getattr(RegionRules.from_mapping({name: raw}), name))
        except Exception:  # ParameterError for a bad choice; anything odd in the cell says the same
            return Coerced(None, f"{name} = {format_value(raw)} must be one of: {listed}")

    return parse


def councils_of(values: Mapping[str, Any]) -> list[list[Any]]:
    """The councils table as the engine reads it."""
    return with_header(KEYS, values["councils"])


def rules_of(values: Mapping[str, Any]) -> RegionRules:
    return RegionRules(**{name: values[name] for name in RULE_NAMES})


def check(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The engine's rules for the councils table: names, shares in [0, 1] adding up to 1."""
    rows = values.get("councils")
    if rows is None:
        return []
    split = values.get("contribution_split") == "use"
    problems = engine_problems(lambda: read_councils(with_header(KEYS, rows), split_by_use=split))
    choice = layout.input_cell_of("contribution_split")
    hint = f"choose 'split by use' for the {choice.label.lower()} ({choice.address})"
    return [(name, message.replace("choose contribution_split = use", hint)) for name, message in problems]


def skip(values: Mapping[str, Any]) -> str | None:
    return EMPTY if values.get("councils") is None else None


def build(ctx: RunContext) -> list[Item]:
    values = ctx.inputs.values
    reason = skip(values)
    if reason:
        return skipped_items(ctx, SHEET_LAYOUT, reason)
    params, table, rules = ctx.inputs.params, councils_of(values), rules_of(values)
    o_axis, u_axis = ctx.inputs.occupancy, ctx.inputs.local_use
    u = values["region_local_use"]
    keys = allocation_keys(table, rules, params.spot_price)
    names = [str(name) for name in keys["council"]]
    widths = widths_of(SHEET_LAYOUT, max(len(u_axis), len(names) + 1) + 1)

    page = member_page(
        ctx, SHEET_LAYOUT, values["councils"], member_inputs.EXAMPLE_COUNCILS, "three councils"
    )
    result = statement(ctx.inputs)
    page.text("How the councils share the partnership (the rules above)", style="heading")
    page.texts(result.explained)
    page.skip()
    put_statement(page, statement_table(page.sheet, page.row, result), "region_summary", result.notes)
    page.page_break()
    heading = (
        f"Each council's net cost in the partnership and the cost of the same weeks on the spot market, "
        f"by occupancy, at local use {percent_label(u)}"
    )
    anchors, box = put_chart_grid(page, heading, len(names), widths)
    put_heat_maps(
        page, _heat_parts(region_grid(params, table, rules, o_axis, u_axis), names, keys), (o_axis, u_axis)
    )
    along = region_evaluate(params, table, o_axis, u, rules)
    series = []
    for index, council in enumerate(names):
        series.append((f"{council}: partnership net cost", along["host_net_cost"][index]))
        series.append((f"{council}: same weeks at spot price", along["host_spot_cost"][index]))
    title = f"Chart data at local use {percent_label(u)} (£ per year)"
    data = page.put(data_table(page.sheet, page.row, title, o_axis, series, "£/year"))
    for index, council in enumerate(names):
        lines = [name for name, _ in series[2 * index : 2 * index + 2]]
        title = f"{council}: net cost against the spot market (local use {percent_label(u)})"
        page.add(
            occupancy_chart(page.sheet, anchors[index], title, data, lines, o_axis, box, (STRONG, PLAIN))
        )
    return finish(page, SHEET_LAYOUT, len(widths))


def _heat_parts(grid, names: list[str], keys) -> list[HeatPart]:
    """Each council's net cost and saving over the grid, the council's pair on a page of its own."""
    unit = unit_words("£/year", compact=True)
    parts: list[HeatPart] = []
    for index, council in enumerate(names):
        spot = money(float(keys["spot_price"].iloc[index]))
        parts += [
            (
                f"{council}: net cost ({unit}) – {NOT_COLOURED}",
                grid.values["host_net_cost"][index],
                None,
                f"council{index + 1}_host_net_cost",
            ),
            (
                f"{council}: saving against its spot price of {spot} a week ({unit}) – "
                "green: the partnership costs less",
                grid.values["host_saving"][index],
                True,
                f"council{index + 1}_host_saving",
            ),
        ]
    return parts


def statement(
    inputs: ModelInputs, occupancy: float | None = None, local_use: float | None = None
) -> Statement:
    """Each council at one point (default: the sheet's), with the rules in words and the notes."""
    values, params = inputs.values, inputs.params
    o = values["region_occupancy"] if occupancy is None else occupancy
    u = values["region_local_use"] if local_use is None else local_use
    table, rules = councils_of(values), rules_of(values)
    keys = allocation_keys(table, rules, params.spot_price)
    return Statement(
        f"Each council at occupancy {percent_label(o)} and local use {percent_label(u)} (£ per year)",
        [*(str(name) for name in keys["council"]), TOTAL],
        _lines(params, table, rules, keys, o, u),
        _notes(params, table, rules, keys, o, u),
        explain_rules(rules),
    )


def _lines(params, table: list[list[Any]], rules: RegionRules, keys, o: float, u: float) -> list[Line]:
    """The statement's lines: shares, what each council pays (+) and receives (−), spot comparison."""
    point = region_evaluate(params, table, o, u, rules)
    total = region_total(point)

    def each(name: str, sign: float = 1.0) -> list[float]:
        return [*(sign * np.asarray(point[name], dtype=float) + 0.0), sign * float(total[name]) + 0.0]

    def shares(column: str) -> list[float]:
        return [*keys[column].to_numpy(float), 1.0]

    weeks = float(total["local_weeks"])
    average_spot = float(total["host_spot_cost"]) / weeks if weeks > 0 else np.nan
    return [
        ("Shares", [], None, "heading"),
        ("Share of the host contribution", shares("contribution_share"), SHARE_FINE, None),
        ("Share of local use (local placements)", shares("use_share"), SHARE_FINE, None),
        ("Share of compensation and release credits", shares("credit_key"), SHARE_FINE, None),
        ("Share of profit share and deficit cover", shares("profit_key"), SHARE_FINE, None),
        ("£ per year: + the council pays, − it receives", [], None, "heading"),
        ("Fees for its own local placements", each("host_fees"), MONEY, None),
        ("Host contribution", each("host_contribution"), MONEY, None),
        ("Compensation received", each("compensation", -1.0), MONEY, None),
        ("Release credits received", each("release_credit", -1.0), MONEY, None),
        ("Profit share received", each("profit_share", -1.0), MONEY, None),
        ("Deficit cover paid", each("deficit_cover"), MONEY, None),
        ("Net cost of the partnership", each("host_net_cost"), MONEY, "total"),
        ("Against the spot market", [], None, "heading"),
        ("Local placement-weeks", each("local_weeks"), WEEKS, None),
        ("Net cost per local placement-week", each("host_cost_per_local_week"), MONEY, None),
        (
            "Spot price per week (total: weighted by use)",
            [*keys["spot_price"].to_numpy(float), average_spot],
            MONEY,
            None,
        ),
        ("The same weeks on the spot market", each("host_spot_cost"), MONEY, None),
        ("Saving against the spot market", each("host_saving"), MONEY, "total"),
    ]


def _notes(params, table: list[list[Any]], rules: RegionRules, keys, o: float, u: float) -> list[str]:
    """How the statement ties to the single-host model, in words and £."""
    host = evaluate(params, o, u)
    total = region_total(region_evaluate(params, table, o, u, rules))
    notes = [
        "The Region total column is the host of the single-host model at this point (Host and Breakdown "
        f"sheets): net cost {money(float(host['host_net_cost']))}. Local use is the councils' together; "
        "each council's local placement-weeks are its use share of them."
    ]
    if not np.allclose(keys["spot_price"].to_numpy(float), params.spot_price):
        notes.append(
            "Savings use each council's own spot price, so they add up to "
            f"{money(float(total['host_saving']))}; at the partnership's spot price of "
            f"{money(params.spot_price)} a week the host's saving is {money(float(host['host_saving']))}."
        )
    return notes


SHEET = ResultSheet(
    SHEET_LAYOUT,
    build,
    check=check,
    parsers={"councils": table_parser, **{name: _choice_parser(name) for name in member_inputs.CHOICES}},
    skip=skip,
)
