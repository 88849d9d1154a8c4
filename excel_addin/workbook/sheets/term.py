"""The Term sheet: the whole agreement year by year, with cost inflation and fee uplifts.

The inputs typed on the sheet become the engine's ``TermInputs`` (``read_term``); every
figure comes from ``engine.multiyear.model`` / ``engine.multiyear.analysis``. From the sheet's output row
down the run writes: two charts (provider margin each year under each fee rule; running
totals of both parties' gains), the headline figures (NPVs for both parties against the spot
market, the provider's return over the term, the first loss-making year, the fee uplift that
gives the provider exactly its reasonable return), the four fee rules side by side, notes in
plain words, the year-by-year table at the chosen point, each party's NPV grids, chart data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from engine import (
    COST_ASSUMPTIONS,
    MEASURES,
    PARAMETERS,
    TERM_PARAMETERS,
    UPLIFT_KINDS,
    Coerced,
    CostAssumption,
    ParameterError,
    Parameters,
    TermGridResult,
    TermInputs,
    UpliftRule,
    coerce_number,
    cumulative_table,
    measure_by_rule,
    npv,
    range_problem,
    rule_comparison,
    term_grid,
    term_summary,
    term_table,
    to_number,
)
from excel_addin.workbook import a1, layout, printing
from excel_addin.workbook import multiyear_inputs as term_specs
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.formats import MONEY, MONEY_THOUSANDS, SHARE_FINE, SHARE_SIGNED
from excel_addin.workbook.plan import Chart, Item, Name, Series, SheetSetup, block, column_block
from excel_addin.workbook.reader import ModelInputs
from excel_addin.workbook.sheets.common import (
    NOT_COLOURED,
    UNCOLOURED,
    ResultSheet,
    Table,
    caption,
    chart_box,
    column_after,
    percent_label,
)
from excel_addin.workbook.sheets.cursor import Cursor, HeatPart, put_heat_maps

SHEET_LAYOUT = layout.TERM_SHEET
YEAR_FORMAT = '"Year "0'
FACTOR_FORMAT = "0.000"
NEVER = "never"
NO_RATE = "none from −50 % to +100 %"
RULE_COLOURS = {"fixed": "C00000", "index": "ED7D31", "cost_linked": "2E75B6", "capped": "70AD47"}
PARTY_COLOURS = ("ED7D31", "2E75B6")  # provider, host
PAST_YEARS_COLUMNS = 2  # "Total" and "NPV" after the years

# Rows of the year-by-year table, in groups: (group heading, names). Labels and units come
# from engine.PARAMETERS and engine.MEASURES.
YEAR_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("The point", ("occupancy", "local_use")),
    (
        "Prices in each year",
        (
            "fixed_cost",
            "variable_cost",
            "local_fee",
            "outside_fee",
            "host_contribution",
            "compensation_per_week",
            "spot_price",
        ),
    ),
    (
        "Provider",
        (
            "provider_revenue",
            "provider_cost",
            "profit_share",
            "provider_surplus",
            "provider_margin",
            "provider_spot_surplus",
            "provider_gain",
        ),
    ),
    (
        "Host council",
        ("host_fees", "host_net_cost", "host_cost_per_local_week", "host_spot_cost", "host_saving"),
    ),
)
CUMULATIVE = ("provider_surplus", "provider_gain", "host_net_cost", "host_saving")
NPV_GRIDS = ("provider_surplus", "provider_gain", "host_net_cost", "host_saving")
GRIDS_PER_PAGE = 2
SUMMARY_HEADER = (
    "Net present value (£ thousand)",
    "Partnership",
    "Spot market",
    "Partnership better by (− = worse)",
)
RULES_TITLE = "Each fee uplift rule at the chosen point (NPVs in £ thousand; the other rules as chosen)"
RULE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("first_negative_year", "First year with a loss", "0"),
    ("npv_provider_surplus", "NPV provider surplus", MONEY_THOUSANDS),
    ("npv_provider_gain", "NPV provider gain", MONEY_THOUSANDS),
    ("npv_host_net_cost", "NPV host net cost", MONEY_THOUSANDS),
    ("npv_host_saving", "NPV host saving", MONEY_THOUSANDS),
    ("term_provider_return", "Provider return on cost", SHARE_SIGNED),
    ("final_year_provider_margin", "Margin in the last year", SHARE_SIGNED),
)
CHOSEN = "► "  # marks the chosen fee rule in the table
MARGIN_TITLE = "Provider margin by fee rule"
TOTALS_TITLE = "Running totals: gain against spot"
INPUT_NAMES: tuple[str, ...] = tuple(cell.name for cell in SHEET_LAYOUT.inputs)


# --- reading the inputs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TermSetup:
    """The term as typed: the engine's inputs, the assumption table used, the rows typed per year."""

    term: TermInputs
    assumptions: tuple[CostAssumption, ...]
    varies: tuple[str, ...]  # engine names of the year-by-year rows that were filled


def _as_is(raw: Any) -> Coerced:
    """The reader hands the Term inputs over untouched; ``read_term`` parses them together."""
    return Coerced(raw)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _rows(raw: Any, rows: int, columns: int) -> list[list[Any]]:
    """A table input's cells as ``rows`` × ``columns`` (missing cells empty)."""
    out = [[None] * columns for _ in range(rows)]
    for i, row in enumerate(list(raw or ())[:rows]):
        cells = list(row) if isinstance(row, list | tuple | np.ndarray) else [row]
        for j, value in enumerate(cells[:columns]):
            out[i][j] = value
    return out


def _number(spec_name: str, shown: str, raw: Any, where: str) -> tuple[float | None, str | None]:
    """One cell as a number within the engine's range for ``spec_name``; the problem names the cell."""
    coerced = to_number(shown, raw)
    problem = coerced.problem or range_problem(
        dataclasses.replace(term_specs.SPECS[spec_name], name=shown), coerced.value
    )
    return (None, f"{problem} ({where})") if problem else (coerced.value, None)


def _assumptions(raw: Any) -> tuple[tuple[CostAssumption, ...], list[tuple[str, str]]]:
    """The edited assumption table (rates as typed, names and bases the engine's)."""
    cell = layout.input_cell_of("cost_assumptions")
    rows = _rows(raw, cell.rows, cell.columns)
    edited, problems = [], []
    for i, row in enumerate(COST_ASSUMPTIONS):
        rates: dict[str, Any] = {}
        for j, name in enumerate(("fixed_cost_inflation", "variable_cost_inflation")):
            where = f"{cell.sheet}!{a1.cell(cell.row + i, cell.column + j)}"
            value, problem = _number(name, f"{row.name} {name}", rows[i][j], where)
            if problem:
                problems.append((cell.name, problem))
            rates[name] = value if value is not None else getattr(row, name)
        edited.append(dataclasses.replace(row, **rates))
    return tuple(edited), problems


def _spans(years: list[int]) -> list[tuple[int, int]]:
    """Consecutive years grouped: [4, 5, 6, 9] → [(4, 6), (9, 9)]."""
    spans: list[tuple[int, int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], year)
        else:
            spans.append((year, year))
    return spans


def _path_row(index: int, name: str, first_year: int, cells: list[Any], years: int):
    """One row of the year-by-year table: None when empty, else one value per year (or rise).

    A row is all or nothing: filled for every year of the term (from year 2 for a rise), or
    empty. Each problem names the cells concerned, e.g. ``(Term!E23:K23)``.
    """
    cell = layout.input_cell_of("term_path")
    filled = [year for year, value in enumerate(cells, start=1) if not _blank(value)]
    if not filled:
        return None, []

    def where(spans: list[tuple[int, int]]) -> str:
        row = cell.row + index
        return ", ".join(
            f"{cell.sheet}!{a1.area(row, cell.column + first - 1, 1, last - first + 1)}"
            for first, last in spans
        )

    def which(spans: list[tuple[int, int]]) -> str:
        parts = [f"{first}" if first == last else f"{first} to {last}" for first, last in spans]
        single = len(spans) == 1 and spans[0][0] == spans[0][1]
        return ("year " if single else "years ") + ", ".join(parts)

    problems = []
    late = _spans([year for year in filled if year > years])
    if late:
        problems.append(
            f"{name} has values in {which(late)} ({where(late)}), after the last year of the term ({years}); "
            "clear them or lengthen the term"
        )
    if first_year == 2 and filled[0] == 1:
        problems.append(
            f"{name} in year 1 ({where([(1, 1)])}) must be empty: year 1 is at today's prices and the "
            "first rise is the one into year 2"
        )
    missing = _spans([year for year in range(first_year, years + 1) if _blank(cells[year - 1])])
    if missing:
        problems.append(
            f"{name} is empty in {which(missing)} ({where(missing)}); fill every year from {first_year} to "
            f"{years}, or empty the whole row to use one value"
        )
    values = []
    for year in range(first_year, years + 1):
        if not _blank(cells[year - 1]):
            value, problem = _number(name, f"{name} year {year}", cells[year - 1], where([(year, year)]))
            problems += [problem] if problem else []
            values.append(value)
    return (None if problems else tuple(values)), [(cell.name, p) for p in problems]


def _years(values: Mapping[str, Any]) -> int | None:
    spec = term_specs.SPECS["years"]
    coerced = coerce_number(spec, values.get("years", spec.default))
    if coerced.problem or range_problem(spec, coerced.value):
        return None  # the engine says what is wrong with it
    return int(coerced.value)


def read_term(values: Mapping[str, Any]) -> tuple[TermSetup | None, list[tuple[str, str]]]:
    """The Term sheet's inputs as ``TermInputs``, or every problem (named by workbook input).

    ``values`` are the inputs by workbook name as the reader hands them over. The engine
    validates the single cells (its messages name the input, so the cell is found); the two
    tables are read here so that a problem names its own cell, e.g. ``(Term!F49)``.
    """
    assumptions, problems = _assumptions(values.get("cost_assumptions"))
    mapping = {
        spec.name: values[term_specs.workbook_name(spec.name)]
        for spec in TERM_PARAMETERS
        if term_specs.workbook_name(spec.name) in values
        and spec.name not in ("fixed_cost_inflation", "variable_cost_inflation")
    }
    varies = []
    years = _years(values)
    if years is not None:
        cell = layout.input_cell_of("term_path")
        table = _rows(values.get("term_path"), cell.rows, cell.columns)
        for index, (name, _, first_year) in enumerate(term_specs.PATH_ROWS):
            path, row_problems = _path_row(index, name, first_year, table[index], years)
            problems += row_problems
            if path is not None:
                mapping[name] = path
                varies.append(name)
    try:
        term = TermInputs.from_mapping(mapping, assumptions)
    except ParameterError as error:
        problems += [_renamed(name, message, varies) for name, message in error.problems]
        return None, problems
    return (TermSetup(term, assumptions, tuple(varies)), []) if not problems else (None, problems)


def _renamed(name: str, message: str, varies: list[str]) -> tuple[str, str]:
    """An engine problem under the workbook's name of its input (``occupancy`` → ``term_occupancy``)."""
    if name in varies:
        return "term_path", message
    shown = term_specs.workbook_name(name)
    if shown != name and message.startswith(f"{name} "):
        message = shown + message[len(name) :]
    return shown, message


def check(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    return read_term(values)[1]


# --- the results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermResults:
    """Everything the sheet and `partnership term` show, computed from one set of inputs on demand."""

    params: Parameters
    setup: TermSetup
    occupancy: np.ndarray
    local_use: np.ndarray

    @property
    def term(self) -> TermInputs:
        return self.setup.term

    @cached_property
    def table(self) -> pd.DataFrame:
        return term_table(self.params, self.term)

    @cached_property
    def cumulative(self) -> pd.DataFrame:
        return cumulative_table(self.table)

    @cached_property
    def summary(self) -> pd.Series:
        return term_summary(self.params, self.term)

    @cached_property
    def rules(self) -> pd.DataFrame:
        return rule_comparison(self.params, self.term)

    @cached_property
    def margins(self) -> pd.DataFrame:
        return measure_by_rule(self.params, self.term, "provider_margin")

    @cached_property
    def grid(self) -> TermGridResult:
        return term_grid(self.params, self.term, self.occupancy, self.local_use)


def term_results(inputs: ModelInputs) -> TermResults:
    """The Term sheet's results for validated workbook inputs."""
    setup, problems = read_term(inputs.values)
    if setup is None:  # the reader has checked already; this is for callers that skipped it
        raise ParameterError(problems)
    return TermResults(inputs.params, setup, inputs.occupancy, inputs.local_use)


def _plain(value: Any) -> Any:
    """A figure for JSON: a float, None where undefined, a list for a path."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    value = float(value)
    return value if np.isfinite(value) else None


def report(results: TermResults) -> dict[str, Any]:
    """The headline figures as plain values (None where undefined): what `partnership term` prints.

    ``better_by`` is how much better the partnership is than the spot market for that party:
    the provider's gain (partnership − spot) and the host's saving (spot − partnership).
    """
    s, term = results.summary, results.term
    first = results.rules["first_negative_year"]
    return {
        "years": term.years,
        "discount_rate": term.discount_rate,
        "occupancy": _plain(term.occupancy),
        "local_use": _plain(term.local_use),
        "fee_uplift": term.fee_uplift.kind,
        "npv": {
            "provider_surplus": {
                "partnership": _plain(s["npv_provider_surplus"]),
                "spot": _plain(s["npv_provider_spot_surplus"]),
                "better_by": _plain(s["npv_provider_gain"]),
            },
            "host_net_cost": {
                "partnership": _plain(s["npv_host_net_cost"]),
                "spot": _plain(s["npv_host_spot_cost"]),
                "better_by": _plain(s["npv_host_saving"]),
            },
        },
        "term_provider_return": _plain(s["term_provider_return"]),
        "reasonable_return": _plain(s["reasonable_return"]),
        "first_negative_year": {
            kind: None if not np.isfinite(first[kind]) else int(first[kind]) for kind in UPLIFT_KINDS
        },
        "reasonable_return_uplift_rate": _plain(s["reasonable_return_uplift_rate"]),
    }


# Each uplift rule as people say it (the input list keeps the engine's short names).
KIND_WORDS = {"fixed": "Fixed", "index": "Index-linked", "cost_linked": "Linked to costs", "capped": "Capped"}


def kind_words(kind: str) -> str:
    """ "Linked to costs" for cost_linked: the rule's name in a label or sentence."""
    return KIND_WORDS[kind]


def rule_words(rule: UpliftRule) -> str:
    """A fee rule in a few words, with its numbers: 'Capped: +2 % a year, within 1 % to 4 %'."""
    rate = "varying" if isinstance(rule.rate, tuple) else percent_label(rule.rate)
    return {
        "fixed": "Fixed: as agreed for the whole term",
        "index": f"Index-linked: +{rate} a year",
        "cost_linked": "Linked to costs: with the provider's cost",
        "capped": f"Capped: +{rate} a year, within {percent_label(rule.floor)} to {percent_label(rule.cap)}",
    }[rule.kind]


def rule_legend(rule: UpliftRule) -> str:
    """A fee rule as a chart legend says it: 'capped +2% (1%–4%)'."""
    rate = "varying" if isinstance(rule.rate, tuple) else percent_label(rule.rate)
    return {
        "fixed": "fixed",
        "index": f"index-linked +{rate}",
        "cost_linked": "linked to costs",
        "capped": f"capped +{rate} ({percent_label(rule.floor)}–{percent_label(rule.cap)})",
    }[rule.kind]


def point_words(results: TermResults) -> str:
    """'occupancy 90 %, local use 75 %', or what was typed year by year."""
    parts = []
    for name, label in (("occupancy", "occupancy"), ("local_use", "local use")):
        if name in results.setup.varies:
            parts.append(f"{label} as typed year by year")
        else:
            parts.append(f"{label} {percent_label(getattr(results.term, name))}")
    return ", ".join(parts)


# --- the sheet ---------------------------------------------------------------------------------------


def _label(name: str) -> tuple[str, str]:
    """A year-table row's label and unit, from the engine's tables."""
    specs = {spec.name: spec for spec in PARAMETERS}
    if name in specs:
        return specs[name].label, specs[name].unit
    if name in ("occupancy", "local_use"):
        return term_specs.SPECS[name].label, "share"
    spec = next(m for m in MEASURES if m.name == name)
    return spec.label, spec.unit


def _row_format(name: str, unit: str) -> str:
    if unit == "£/year":
        return MONEY_THOUSANDS
    if unit.startswith("£"):
        return MONEY
    if unit == "share":
        return SHARE_FINE if name in ("occupancy", "local_use") else SHARE_SIGNED
    return "General"


def _shown(label: str, unit: str) -> str:
    """Label with its unit where the table's heading (£ thousand) does not already say it."""
    if unit == "£/week":
        return f"{label} (£ a week)"
    if unit == "share":
        return f"{label} (%)"
    return label


def _summary(results: TermResults, sheet: str, row: int) -> Table:
    """NPVs for both parties, partnership against spot; return, first loss, solved uplift."""
    s, term = results.summary, results.term
    title = (
        f"The whole term: {term.years} years at {point_words(results)}, "
        f"discounted at {percent_label(term.discount_rate)} a year"
    )
    body = [
        ["Provider surplus (higher is better)", "npv_provider_surplus", "npv_provider_spot_surplus"],
        ["Host net cost (lower is better)", "npv_host_net_cost", "npv_host_spot_cost"],
    ]
    differences = (s["npv_provider_gain"], s["npv_host_saving"])
    items: list[Item] = [
        block(sheet, row, 1, title, style="heading"),
        block(sheet, row + 1, 1, [SUMMARY_HEADER], style="header"),
    ]
    for offset, ((label, ours, spot), better) in enumerate(zip(body, differences, strict=True), start=2):
        items.append(block(sheet, row + offset, 1, label, style="label"))
        items.append(block(sheet, row + offset, 2, [[s[ours], s[spot], better]], MONEY_THOUSANDS))
    items.append(Name(layout.out_name("term_npv"), sheet, a1.area(row + 2, 2, 2, 3)))
    rate = s["reasonable_return_uplift_rate"]
    first = s["first_negative_year"]
    figures = (
        (
            "term_provider_return",
            "Provider return on cost over the term",
            s["term_provider_return"],
            SHARE_SIGNED,
            f"NPV of surplus ÷ NPV of cost; its reasonable return is {percent_label(s['reasonable_return'])}",
        ),
        (
            "term_first_negative_year",
            "First year with a provider loss",
            first if np.isfinite(first) else NEVER,
            "0",
            f"under the chosen fee rule ({kind_words(term.fee_uplift.kind).lower()}); every rule is in the "
            "table below",
        ),
        (
            "term_uplift_rate",
            "Fee uplift for exactly the reasonable return",
            rate if np.isfinite(rate) else NO_RATE,
            SHARE_FINE,
            "a year, both fees index-linked, the other rules as chosen",
        ),
    )
    for offset, (name, label, value, fmt, note) in enumerate(figures, start=5):
        items += [
            block(sheet, row + offset, 1, label, style="label"),
            block(sheet, row + offset, 2, value, fmt, "status"),
            block(sheet, row + offset, 3, note, style="note"),
            Name(layout.out_name(name), sheet, a1.cell(row + offset, 2)),
        ]
    return Table(items, row + 5 + len(figures) + layout.TABLE_GAP, {}, tall_rows=(row + 1,))


def _rules(results: TermResults, sheet: str, row: int) -> Table:
    """The four fee rules side by side at the chosen point (the other rules as chosen)."""
    term, frame = results.term, results.rules
    header = ["Fee uplift rule (local and outside fees)", *(label for _, label, _ in RULE_COLUMNS)]
    items: list[Item] = [
        block(sheet, row, 1, RULES_TITLE, style="heading"),
        block(sheet, row + 1, 1, [header], style="header"),
    ]
    for offset, kind in enumerate(UPLIFT_KINDS, start=2):
        rule = dataclasses.replace(term.fee_uplift, kind=kind)
        chosen = CHOSEN if kind == term.fee_uplift.kind else ""
        items.append(block(sheet, row + offset, 1, chosen + rule_words(rule), style="label"))
    for column, (key, _, fmt) in enumerate(RULE_COLUMNS, start=2):
        values = frame[key].to_numpy(dtype=float)
        if key == "first_negative_year":
            values = np.array([v if np.isfinite(v) else NEVER for v in values], dtype=object)
        items.append(column_block(sheet, row + 2, column, values, number_format=fmt))
    items.append(Name(layout.out_name("term_rules"), sheet, a1.area(row + 2, 2, len(UPLIFT_KINDS), 7)))
    return Table(items, row + 2 + len(UPLIFT_KINDS) + layout.TABLE_GAP, {}, tall_rows=(row + 1,))


def _notes(results: TermResults, sheet: str, row: int) -> Table:
    """The conventions in plain words, and the basis of each cost inflation assumption."""
    d = results.term.discount_rate
    tenth = (1 + d) ** -9
    lines = [
        "Year 1 is the year described on the Inputs sheet, at today's prices. Prices move on each "
        "anniversary: costs by the cost inflation, fees and the other priced terms by their uplift rule.",
        "Money is £ in the year it is paid. Net present value (NPV) adds up the years, each divided by "
        f"(1 + discount rate) to the power (year − 1): year 1 counts in full; at {percent_label(d)} "
        f"year 10 counts {tenth:.0%}.",
        "Fixed: fees stay as agreed.  Index-linked: fees rise by the index rate every year.  Linked to "
        "costs: fees "
        "rise with the provider's cost of running the home full (the fixed and variable cost inflation, "
        "weighted by year 1's costs).",
        "Capped: fees rise by the index rate, but never by more than the cap nor by less than the floor "
        "in any one year (the cap and floor limit each year's rise, not the total); while the index rate "
        "is between the floor and the cap, capped and index-linked give the same line.",
        "First year with a provider loss: the first year the provider's surplus is below zero ('never' if "
        "it stays at or above zero). The NPV grids below keep each cell's occupancy and local use for "
        "the whole term.",
        "Fee uplift for exactly the reasonable return: the constant yearly rise of both fees at which the "
        "provider's NPV of surplus equals its reasonable return × its NPV of cost over the term.",
    ]
    used = {row.name: row for row in results.setup.assumptions}
    for row_ in COST_ASSUMPTIONS:
        edited = used[row_.name]
        rates = (
            f"{percent_label(edited.fixed_cost_inflation)} fixed, "
            f"{percent_label(edited.variable_cost_inflation)} variable"
        )
        typed = "" if edited == row_ else " (rates edited on this sheet)"
        lines.append(f"Cost assumption '{row_.name}' ({rates}){typed}: {row_.basis}")
    items: list[Item] = [block(sheet, row, 1, "How to read this sheet", style="heading")]
    items += [block(sheet, row + k, 1, line, style="note") for k, line in enumerate(lines, start=1)]
    return Table(items, row + 1 + len(lines) + layout.TABLE_GAP, {})


def _year_table(results: TermResults, sheet: str, row: int) -> Table:
    """Every key measure and price in every year (years across), with totals and NPVs."""
    term, table = results.term, results.table
    years = term.years
    total_col = 2 + years  # then the NPV column
    items: list[Item] = [
        block(
            sheet,
            row,
            1,
            f"Year by year at {point_words(results)} (£ thousand in the year paid unless stated)",
            style="heading",
        ),
        block(sheet, row + 1, 1, "", style="header"),
        block(sheet, row + 1, 2, [list(range(1, years + 1))], YEAR_FORMAT, "header"),
        block(sheet, row + 1, total_col, [["Total", "NPV"]], style="header"),
        Name(layout.out_name("term_year"), sheet, a1.area(row + 1, 2, 1, years)),
    ]
    current = row + 2
    factors = table["discount_factor"].to_numpy()

    def add(name: str, label: str, values: np.ndarray, fmt: str, money: bool, defined: str) -> None:
        nonlocal current
        items.append(block(sheet, current, 1, label, style="label"))
        items.append(block(sheet, current, 2, [values], fmt))
        if money:
            total, present = float(np.sum(values)), float(npv(values, term.discount_rate))
            items.append(block(sheet, current, total_col, [[total, present]], fmt, "axis"))
        items.append(Name(layout.out_name(defined), sheet, a1.area(current, 2, 1, years)))
        current += 1

    for heading, names in YEAR_ROWS:
        items.append(block(sheet, current, 1, heading, style="axis"))
        current += 1
        for name in names:
            label, unit = _label(name)
            values = table[name].to_numpy(dtype=float)
            add(name, _shown(label, unit), values, _row_format(name, unit), unit == "£/year", f"term_{name}")
        if heading == "Prices in each year":
            add("discount_factor", "Discount factor", factors, FACTOR_FORMAT, False, "term_discount_factor")
    items.append(block(sheet, current, 1, "Running totals (£ thousand to the end of the year)", style="axis"))
    current += 1
    for name in CUMULATIVE:
        label = f"{_label(name)[0]} to date"
        values = results.cumulative[name].to_numpy(dtype=float)
        add(name, label, values, MONEY_THOUSANDS, False, f"term_cumulative_{name}")
    return Table(items, current + layout.TABLE_GAP, {}, tall_rows=())


def _grids(results: TermResults) -> list[HeatPart]:
    """Each party's NPV over the term at every occupancy and local use, for heat maps."""
    parts: list[HeatPart] = []
    for name in NPV_GRIDS:
        spec = next(m for m in MEASURES if m.name == name)
        better = "green: higher is better" if spec.better != "lower" else "green: lower is better"
        higher: bool | None = spec.better != "lower"
        if name in UNCOLOURED:  # raw spend: the host's saving grid is its judgement
            better, higher = NOT_COLOURED, None
        title = f"NPV of {spec.label.lower()} over the {results.term.years}-year term (£ thousand) – {better}"
        parts.append((title, results.grid.npv(name), higher, f"term_npv_{name}"))
    return parts


def _chart_data(results: TermResults, sheet: str, row: int) -> Table:
    """Margin each year under each fee rule, and both parties' running gains: what the charts draw."""
    term = results.term
    years = np.arange(1, term.years + 1)
    parties = ["Provider gain to date", "Host saving to date"]
    header = ["Year", *(kind_words(kind) for kind in UPLIFT_KINDS), *parties]
    first = row + 2
    items: list[Item] = [
        block(
            sheet, row, 1, "Chart data: provider margin under each fee rule; running totals", style="heading"
        ),
        block(sheet, row + 1, 1, [header], style="header"),
        column_block(sheet, first, 1, years, style="axis"),
        block(sheet, first, 2, results.margins[list(UPLIFT_KINDS)].to_numpy(), SHARE_SIGNED),
        block(
            sheet,
            first,
            2 + len(UPLIFT_KINDS),
            results.cumulative[["provider_gain", "host_saving"]].to_numpy(),
            MONEY_THOUSANDS,
        ),
    ]
    refs = {"x": a1.area(first, 1, term.years, 1)}
    refs.update({kind: a1.area(first, 2 + k, term.years, 1) for k, kind in enumerate(UPLIFT_KINDS)})
    refs.update(
        {party: a1.area(first, 2 + len(UPLIFT_KINDS) + k, term.years, 1) for k, party in enumerate(parties)}
    )
    return Table(items, first + term.years + layout.TABLE_GAP, refs, tall_rows=(row + 1,))


def _year_axis(years: int) -> tuple[float, float, float]:
    """x axis from year 1 to the last year, with at most ten labelled ticks."""
    step = next(s for s in (1, 2, 5) if (years - 1) / s <= 10)
    return 1.0, float(max(years, 2)), float(step)


def _charts(results: TermResults, sheet: str, row: int, data: Table, widths: list[float]) -> list[Item]:
    term = results.term
    box = chart_box(_chart_widths(results))
    x_min, x_max, x_step = _year_axis(term.years)
    common: dict[str, Any] = {
        "x_title": "Year of the agreement",
        "categories": data.refs["x"],
        "x_format": "0",
        "x_min": x_min,
        "x_max": x_max,
        "x_step": x_step,
        "width_cm": box.width_cm,
        "height_cm": box.height_cm,
    }
    margin = Chart(
        sheet,
        a1.cell(row, 1),
        title=MARGIN_TITLE,
        y_title="Provider margin (% of revenue)",
        series=tuple(
            Series(
                rule_legend(dataclasses.replace(term.fee_uplift, kind=kind)),
                data.refs[kind],
                RULE_COLOURS[kind],
            )
            for kind in UPLIFT_KINDS
        ),
        y_format="0%",
        **common,
    )
    parties = ("Provider gain to date", "Host saving to date")
    totals = Chart(
        sheet,
        a1.cell(row, column_after(box.width_cm + 0.8, widths)),
        title=TOTALS_TITLE,
        y_title="£ thousand",
        series=tuple(
            Series(party, data.refs[party], colour)
            for party, colour in zip(parties, PARTY_COLOURS, strict=True)
        ),
        y_format='£#,##0,"k";-£#,##0,"k"',
        **common,
    )
    return [margin, totals]


def _chart_widths(results: TermResults) -> list[float]:
    """The widths the party sheets size their charts by, within the printed columns (``printing``)."""
    widths = [layout.LABEL_WIDTH] + [layout.VALUE_WIDTH] * max(len(results.local_use), 6)
    return printing.printed_widths(SHEET_LAYOUT.name, widths)


def _widths(results: TermResults) -> list[float]:
    """The input columns' widths (the layout's), then one value column per year or grid column."""
    fixed = [
        SHEET_LAYOUT.column_widths[a1.column_letter(i)] for i in range(1, len(SHEET_LAYOUT.column_widths) + 1)
    ]
    count = max(results.term.years + 1 + PAST_YEARS_COLUMNS, len(results.local_use) + 1, len(fixed), 9)
    return fixed + [layout.VALUE_WIDTH] * (count - len(fixed))


def build(ctx: RunContext) -> list[Item]:
    """Charts and headline first (the page a facilitator shows), then the detail below."""
    results = term_results(ctx.inputs)
    sheet, top = SHEET_LAYOUT.name, SHEET_LAYOUT.owned_row
    widths = _widths(results)
    chart_row = top + layout.CHARTS_OFFSET
    page = Cursor(sheet, chart_row + chart_box(_chart_widths(results)).rows, [caption(ctx, SHEET_LAYOUT)])
    page.breaks.append(top - 1)  # the charts and headline on a page of their own
    page.put(_summary(results, sheet, page.row))
    page.put(_rules(results, sheet, page.row))
    page.page_break()  # the headline page prints whole; how to read it follows on screen
    page.put(_notes(results, sheet, page.row))
    page.page_break()
    page.put(_year_table(results, sheet, page.row))
    page.page_break()
    put_heat_maps(page, _grids(results), (results.occupancy, results.local_use), GRIDS_PER_PAGE)
    data = page.put(_chart_data(results, sheet, page.row))
    page.add(
        *_charts(results, sheet, chart_row, data, widths),
        SheetSetup(
            sheet,
            column_widths=tuple((a1.column_letter(i), w) for i, w in enumerate(widths, start=1)),
            **printing.print_setup(sheet, page.row, len(widths), page.breaks),
            row_heights=tuple((r, 45.0) for r in page.tall),
        ),
    )
    return page.items


SHEET = ResultSheet(SHEET_LAYOUT, build, check=check, parsers={name: _as_is for name in INPUT_NAMES})
