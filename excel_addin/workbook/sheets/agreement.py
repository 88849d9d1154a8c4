"""The Agreement sheet: which terms both parties accept, the balanced deals, and the tornado.

For a session with both parties in the room: a few sentences saying where the zone is and
where today's terms stand; a table of today's terms, the Nash bargaining and equal-gains
deals with each party's gain and every rule's figure (green where the rule holds, red where
it fails); the tornado (which terms move a result most); and, to the right, the map of the
two swept terms, one coloured cell per pair with its verdict as a symbol (✓ both, P only the
provider, H only the host, ✗ neither) so it reads in black and white too, and T, N, E
marking today's terms and the two balanced deals.

The map's cells are narrow columns to the right of the tables: the inputs above use wide
columns, and a map cell needs only one symbol.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np

from engine import CATEGORIES, CATEGORY_LABELS, Parameters, lever_label, measure
from excel_addin.workbook import a1, layout, printing, risk_inputs
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.formats import MONEY, SHARE, SHARE_FINE, heat_format, result_format, unit_words
from excel_addin.workbook.plan import (
    CategoryColours,
    Chart,
    Item,
    Name,
    Series,
    SheetSetup,
    block,
    column_block,
)
from excel_addin.workbook.risk_figures import (
    POINT_LABELS,
    AgreementResult,
    agreement_sentences,
    rule_figure,
    rule_unit,
    rule_words,
    term_unit,
    uncertainty_words,
    value_text,
)
from excel_addin.workbook.sheets.common import ResultSheet, caption

SHEET_LAYOUT = layout.AGREEMENT_SHEET
NAME = SHEET_LAYOUT.name
LEFT_COLUMNS = 7  # A–G: the tables; H is a gap
MAP_LABEL_COLUMN = 9  # I: the first term's values
MAP_COLUMN = 10  # J: the first column of the map
MAP_LABEL_WIDTH, MAP_CELL_WIDTH = 11.0, 3.2
WRAP = 125  # characters of a sentence line: it stays left of the map
NOTE_WRAP = 175  # the same for a note's smaller type
SYMBOLS = {"both": "✓", "provider_only": "P", "host_only": "H", "neither": "✗"}
FILLS = {"both": "74C476", "provider_only": "9ECAE1", "host_only": "FDAE6B", "neither": "D9D9D9"}
MARKS = {"today": "T", "nash": "B", "equal_gains": "E"}
MARK_WORDS = "T today's terms   B balanced deal   E equal gains (in the nearest cell)"
LOW_COLOUR, HIGH_COLOUR = "F4B183", "2E75B6"


def build(ctx: RunContext) -> list[Item]:
    """Sentences, the deals table, the tornado with its chart, and the map to the right."""
    result = ctx.agreement
    top = SHEET_LAYOUT.owned_row
    words = uncertainty_words(result.uncertainty, result.draws, result.seed)
    items: list[Item] = [caption(ctx, SHEET_LAYOUT, f" Rules judged over {words}")]
    sentences = agreement_sentences(result)
    items.append(block(NAME, top + 1, 1, "In short", style="heading"))
    lines = [part for line in sentences for part in textwrap.wrap(line, WRAP)]  # within A–G, beside the map
    for offset, line in enumerate(lines, start=2):
        items.append(block(NAME, top + offset, 1, line, style="status"))
    row = top + 2 + len(lines) + 1
    points, row_after_points = _points_table(result, row)
    items += points
    tornado, last_left = _tornado(result, row_after_points)
    items += tornado
    zone, last_right, map_columns = _map(result, row + 1)  # its column headings beside the table's
    items += zone
    widths = {**SHEET_LAYOUT.column_widths, a1.column_letter(MAP_LABEL_COLUMN): MAP_LABEL_WIDTH}
    widths.update({a1.column_letter(MAP_COLUMN + j): MAP_CELL_WIDTH for j in range(map_columns)})
    last_column = MAP_COLUMN + map_columns - 1
    items.append(
        SheetSetup(
            NAME,
            column_widths=tuple(widths.items()),
            **printing.print_setup(NAME, max(last_left, last_right), last_column, (top - 1,)),
            row_heights=((row + 1, 44.0),),
        )
    )
    return items


# --- today's terms and the balanced deals -------------------------------------------------------


def _points_table(result: AgreementResult, row: int) -> tuple[list[Item], int]:
    """Rows of figures, one column per point (today, Nash, equal gains[, whatever the rules])."""
    params, terms = result.params, result.terms
    shown = [
        name for name in ("today", "nash", "equal_gains", "equal_gains_free") if _has_column(result, name)
    ]
    records = {name: result.point(name) for name in shown}
    items: list[Item] = [
        block(NAME, row, 1, "Today's terms and the balanced deals", style="heading"),
        block(NAME, row + 1, 1, [["", *(POINT_LABELS[name] for name in shown)]], style="header"),
    ]
    lines: list[tuple[str, str, Any]] = [
        *((axis_label(params, name), term_unit(params, name), name) for name in terms),
        ("Who accepts", "text", "category"),
        ("Provider's gain over the spot market (£ per year)", "£/year", "provider_gain"),
        ("Host's gain over the spot market: its saving (£ per year)", "£/year", "host_gain"),
        ("Expected provider surplus (£ per year)", "£/year", "mean(provider_surplus)"),
        ("Expected host net cost (£ per year)", "£/year", "mean(host_net_cost)"),
    ]
    first = row + 2
    for offset, (label, unit, key) in enumerate(lines):
        r = first + offset
        items.append(block(NAME, r, 1, label, style="label"))
        for j, name in enumerate(shown, start=2):
            record = records[name]
            if record is None:
                text = "none in the zone" if key == "category" else None
                items.append(block(NAME, r, j, text, style="note"))
            elif key == "category":
                items.append(block(NAME, r, j, CATEGORY_LABELS[record["category"]], style="category"))
            else:
                items.append(block(NAME, r, j, float(record[key]), _format(unit)))
    verdict_row = first + 2
    colours = tuple((CATEGORY_LABELS[c], FILLS[c]) for c in CATEGORIES)
    items.append(CategoryColours(NAME, a1.area(verdict_row, 2, 1, len(shown)), colours))
    rule_row = first + len(lines)
    if result.rules:
        items.append(
            block(
                NAME,
                rule_row,
                1,
                "Each rule, numbered 1, 2, … from here down: its figure (green: it holds, red: it fails)",
                style="axis",
            )
        )
        rule_row += 1
    for index, rule in enumerate(result.rules, start=1):
        items.append(block(NAME, rule_row, 1, rule_words(rule), style="label"))
        for j, name in enumerate(shown, start=2):
            record = records[name]
            if record is not None:
                holds = bool(record[f"rule_{index}"])
                figure = rule_figure(rule, record)
                items.append(
                    block(NAME, rule_row, j, figure, _format(rule_unit(rule)), "pass" if holds else "fail")
                )
        rule_row += 1
    items.append(
        Name(layout.out_name("agreement_points"), NAME, a1.area(first, 1, rule_row - first, 1 + len(shown)))
    )
    items.append(
        block(NAME, rule_row, 1, "What decides: the rules that fail, or hold the deal there", style="label")
    )
    for j, name in enumerate(shown, start=2):
        items.append(block(NAME, rule_row, j, _decides(result, name, records[name]), style="note"))
    rule_row += 1
    notes = [
        "Gains are over each party's no-deal position, the spot market: for the provider its surplus minus "
        "its spot surplus, for the host its saving against buying every local week at the spot price.",
        "Balanced deal (Nash bargaining): the accepted terms with the largest product of the two gains. "
        "Equal gains: accepted terms where both gain the same, nearest today's terms (found between the "
        "map's steps).",
    ]
    if "equal_gains_free" in shown:
        notes.append(
            "Equal gains, whatever the rules: the even split nearest today's terms, judged by the rules "
            "after all: what an even split would take, and who refuses it."
        )
    wrapped = [part for note in (*notes, risk_inputs.RULES_NOTE) for part in textwrap.wrap(note, NOTE_WRAP)]
    for offset, line in enumerate(wrapped):
        items.append(block(NAME, rule_row + offset, 1, line, style="note"))
    return items, rule_row + len(wrapped) + layout.TABLE_GAP


def _decides(result: AgreementResult, name: str, record: Any) -> str | None:
    """A column's deciding rules in a few words: "fails: provider rule 1" or "held by: host rule 5"."""
    if record is None:
        return None
    failing = [
        f"{result.rules[i - 1].party} rule {i}"
        for i in range(1, len(result.rules) + 1)
        if not record[f"rule_{i}"]
    ]
    if failing:
        return "fails: " + ", ".join(failing)
    if name != "nash":
        return "every rule holds"
    binding = [int(part.split("_")[1]) for part in str(record.get("binding") or "").split(",") if part]
    edge = [part for part in str(record.get("at_edge") or "").split(",") if part]
    held = [f"{result.rules[i - 1].party} rule {i}" for i in binding]
    held += [f"end of {lever_label(result.params, term).lower()}" for term in edge]
    return "held by: " + ", ".join(held) if held else "inside the zone"


def _has_column(result: AgreementResult, name: str) -> bool:
    """Today, Nash and equal gains always have a column; 'whatever the rules' only when computed."""
    return name != "equal_gains_free" or bool((result.points["point"] == name).any())


def axis_label(params: Parameters, name: str) -> str:
    """A swept term as an axis names it: "Host contribution (£ per year)"."""
    unit = term_unit(params, name)
    return f"{lever_label(params, name)} ({unit_words(unit) if unit != 'share' else '%'})"


def _format(unit: str) -> str:
    if unit == "share":
        return SHARE_FINE
    if unit.startswith("£"):
        return MONEY
    return result_format(unit)


# --- the tornado ----------------------------------------------------------------------------


def _tornado(result: AgreementResult, row: int) -> tuple[list[Item], int]:
    """The swing of the chosen measure per term, biggest first, and its horizontal bar chart."""
    frame, name = result.tornado, result.tornado_measure
    spec = measure(name)
    params = result.params
    base = float(frame["base"].iloc[0]) if len(frame) else math.nan
    o, u = result.uncertainty.expected("occupancy"), result.uncertainty.expected("local_use")
    heading = (
        f"Tornado: what moves {spec.label.lower()} most (today {value_text(base, spec.unit)} in one year "
        f"at the expected occupancy {value_text(o, 'share')} and local use {value_text(u, 'share')}, "
        "not the average over the simulated years)"
    )
    header = ("Term", "Low value", "High value", "Change at low", "Change at high", "Swing")
    first = row + 2
    items: list[Item] = [
        block(NAME, row, 1, heading, style="heading"),
        block(NAME, row + 1, 1, [header], style="header"),
    ]
    money = result_format(spec.unit) if not spec.unit.startswith("£") else MONEY
    for offset, record in enumerate(frame.to_dict("records")):
        r, unit = first + offset, term_unit(params, record["parameter"])
        items += [
            block(NAME, r, 1, record["label"], style="label"),
            block(NAME, r, 2, [[record["low_value"], record["high_value"]]], _format(unit)),
            block(NAME, r, 4, [[record["low_change"], record["high_change"], record["swing"]]], money),
        ]
    count = len(frame)
    moving = int((frame["swing"] > 0).sum())  # the chart leaves out terms that move nothing
    items.append(Name(layout.out_name("tornado"), NAME, a1.area(first, 1, count, len(header))))
    left_out = ", ".join(lever_label(params, name) for name in result.excluded) or "none"
    note = (
        "A tornado shows how far the result moves when one term alone moves, biggest first: each term is "
        "moved down and up by the share above (or to its own low and high), every other term held. "
        f"Left out: {left_out}. A term at 0 today moves only with its own low and high."
    )
    note_row = first + count
    items.append(block(NAME, note_row, 1, note, style="note"))
    chart_row = note_row + 2
    width = sum(SHEET_LAYOUT.column_widths[a1.column_letter(i)] for i in range(1, LEFT_COLUMNS))
    width_cm = (width * 7 + 5 * (LEFT_COLUMNS - 1)) * 2.54 / 96
    height_cm = max(7.0, 3.5 + 0.75 * moving)
    items.append(
        Chart(
            NAME,
            a1.cell(chart_row, 1),
            title=f"Tornado: change in {spec.label.lower()} when one term moves",
            x_title="",
            y_title=f"Change in {spec.label.lower()} ({unit_words(spec.unit, compact=True)})",
            categories=a1.area(first, 1, max(moving, 1), 1),
            series=(
                Series("Term at its low value", a1.area(first, 4, max(moving, 1), 1), LOW_COLOUR),
                Series("Term at its high value", a1.area(first, 5, max(moving, 1), 1), HIGH_COLOUR),
            ),
            y_format=heat_format(spec.unit),
            width_cm=width_cm,
            height_cm=height_cm,
            kind="bar",
        )
    )
    rows = math.ceil(height_cm / layout.ROW_HEIGHT_CM) + 1
    return items, chart_row + rows


# --- the map --------------------------------------------------------------------------------


def _map(result: AgreementResult, header: int) -> tuple[list[Item], int, int]:
    """The verdict at every pair as a coloured symbol, with axes, legend and marks.

    ``header`` is the row of the column headings (the second term's values, read upwards);
    the title and legend sit in the four rows above it. Returns (items, last row, columns).
    """
    params, (first_term, second_term) = result.params, result.terms
    axis_rows, axis_columns = result.zone.axes
    codes = result.zone.code_map().to_numpy()
    symbols = np.asarray([SYMBOLS[c] for c in CATEGORIES], dtype=object)[codes]
    marks = _marks(result)
    for (i, j), (text, _) in marks.items():
        symbols[i, j] = text
    label_col, col = MAP_LABEL_COLUMN, MAP_COLUMN
    n_rows, n_cols = codes.shape
    rows_label = axis_label(params, first_term)
    columns_label = axis_label(params, second_term)
    title, legend = header - 4, header - 3
    items: list[Item] = [
        block(
            NAME, title, label_col, f"Who accepts: {rows_label} down, {columns_label} across", style="heading"
        ),
    ]
    step = max(1, n_cols // 4)
    for k, category in enumerate(reversed(CATEGORIES)):  # both, provider only, host only, neither
        c = col + k * step
        items.append(block(NAME, legend, c, SYMBOLS[category], style="category"))
        items.append(block(NAME, legend, c + 1, CATEGORY_LABELS[category], style="note"))
    items.append(block(NAME, legend + 1, col, MARK_WORDS, style="note"))
    axes_words = f"Rows: {rows_label} ↓     Columns: {columns_label} →"
    items.append(block(NAME, legend + 2, label_col, axes_words, style="status"))
    first = header + 1
    items += [
        block(NAME, header, label_col, None, style="axis"),
        block(
            NAME,
            header,
            col,
            [axis_columns],
            _axis_format(params, second_term, axis_columns),
            "axis_vertical",
        ),
        column_block(
            NAME,
            first,
            label_col,
            axis_rows,
            number_format=_axis_format(params, first_term, axis_rows),
            style="axis",
        ),
        block(NAME, first, col, symbols, style="category"),
    ]
    body = a1.area(first, col, n_rows, n_cols)
    fills = tuple((SYMBOLS[c], FILLS[c]) for c in CATEGORIES)
    items.append(CategoryColours(NAME, body, fills))
    items.append(CategoryColours(NAME, a1.area(legend, col, 1, 3 * step + 1), fills))
    for (i, j), (text, category) in marks.items():  # a mark takes its own point's colour
        items.append(CategoryColours(NAME, a1.cell(first + i, col + j), ((text, FILLS[category]),)))
    items += [
        Name(layout.out_name("agreement_zone"), NAME, body),
        Name(layout.out_name("agreement_rows"), NAME, a1.area(first, label_col, n_rows, 1)),
        Name(layout.out_name("agreement_columns"), NAME, a1.area(header, col, 1, n_cols)),
    ]
    note = (
        f"Each cell: whether each party's rules hold at those two terms, every other term as on the Inputs "
        f"sheet, over {result.draws:,} simulated years. A mark is coloured by its own point's verdict."
    )
    items.append(block(NAME, first + n_rows, col, note, style="note"))
    return items, first + n_rows, n_cols


def _marks(result: AgreementResult) -> dict[tuple[int, int], tuple[str, str]]:
    """The map cell nearest today's terms and each balanced deal (only when inside the map).

    Each mark keeps its point's own verdict: a balanced deal refined between two rows of
    the map is accepted by both even where the nearest row is not.
    """
    marks: dict[tuple[int, int], tuple[str, str]] = {}
    axes = result.zone.axes
    for name, text in MARKS.items():
        record = result.point(name)
        if record is None:
            continue
        cell = []
        for axis, term in zip(axes, result.terms, strict=True):
            value = float(record[term])
            spacing = float(np.ptp(axis)) / max(len(axis) - 1, 1) or 1.0
            if not axis.min() - spacing / 2 <= value <= axis.max() + spacing / 2:
                break
            cell.append(int(np.argmin(np.abs(axis - value))))
        else:
            key = (cell[0], cell[1])
            before = marks.get(key, ("", record["category"]))[0]
            marks[key] = (before + text, record["category"])
    return marks


def _axis_format(params: Parameters, name: str, values: np.ndarray) -> str:
    unit = term_unit(params, name)
    if unit == "share":
        return SHARE if np.allclose(np.round(values * 100), values * 100) else SHARE_FINE
    if unit == "£/year":
        return '£#,##0,"k"'
    if unit.startswith("£"):
        return "£#,##0"
    return result_format(unit)


def _parsers() -> dict:
    names = ("acceptance_rules", "zone_terms", "tornado_measure", "tornado_exclude", "tornado_ranges")
    return {name: risk_inputs.PARSERS[name] for name in names}


SHEET = ResultSheet(SHEET_LAYOUT, build, check=risk_inputs.check_agreement, parsers=_parsers())
