"""The inputs of the Risk and Agreement sheets, and how their cells become engine arguments.

The uncertainty rows are the engine's own (``engine.UNCERTAINTY_INPUTS``: names, labels,
ranges, explanations), so the sheet, the engine and its messages say the same thing. What
this module adds is what only a sheet needs: the choice between the ranges and past years,
the simulation settings, the acceptance rules, the two terms to sweep and the tornado's
settings as tables with drop-down lists, their template defaults, and the checks that turn
an engine problem ("rule 3: party = 'council' must be provider or host") into one a
finance officer finds at its cell (``acceptance_rules[3].party`` → Agreement!B23).

Default rules and sweep: the engine's example rules (``DEFAULT_RULES``: provider: probability
of a loss ≤ 10 % and expected margin ≥ 5 %; host: expected saving ≥ 0 and P90 cost per local
week ≤ the spot price) plus one the calibrated example needs: the provider expects to do at
least as well as on the spot market, where it makes about the CMA's £910 per child per week
(``engine.core.example``); without it a provider would "accept" terms that pay it less than spot.
The sweep is host contribution against the top surplus share, the two terms a negotiation
over money turns on: the example's surplus passes the reasonable return in most years, so
the share decides how much of it the host gets back.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from engine import (
    DEFAULT_RULES,
    DEFAULT_SEED,
    MAX_STEPS,
    MEASURE_NAMES,
    NUMBER_INPUTS,
    NUMERIC,
    OPERATORS,
    PARTIES,
    RULE_COLUMNS,
    STATISTICS,
    UNCERTAINTY_INPUTS,
    Coerced,
    ParameterError,
    Parameters,
    ParameterSpec,
    Uncertainty,
    check_values,
    format_value,
    lever_names,
    name_problem,
    parse_rules,
    range_problems,
    sweep_axis,
    to_number,
)

HISTORY_ROWS = 10
RULE_ROWS = 8
EXCLUDE_ROWS = 5
RANGE_ROWS = 3
MAX_MAP_STEPS = 101  # a map wider than this is no longer readable on a sheet
TIERS_OFFERED = 5  # the Inputs sheet's share-tier rows

# --- choices, as the drop-down lists offer them -----------------------------------------------

RANGES, PAST_YEARS = "ranges", "past years"
SOURCES = (RANGES, PAST_YEARS)
# The measures a party's rule or the tornado usually reads (any measure name may be typed).
PARTY_MEASURES = (
    "provider_surplus",
    "provider_margin",
    "provider_gain",
    "provider_spot_surplus",
    "host_net_cost",
    "host_cost_per_local_week",
    "host_saving",
    "host_spot_cost",
)
# Every term that can move, as a list short enough for a spreadsheet drop-down (255 characters):
# top_share_rate stands for the last tier, so the fifth tier's own name is not offered.
SWEEP_TERMS = (*NUMERIC, *(f"share_tier_{k}" for k in range(1, TIERS_OFFERED)), "top_share_rate")
TORNADO_TERMS = (*NUMERIC, *(f"share_tier_{k}" for k in range(1, TIERS_OFFERED + 1)))

# Drop-downs of single cells (strict) and of table columns ("table.column").
CHOICES: dict[str, tuple[str, ...]] = {
    "risk_source": SOURCES,
    "tornado_measure": PARTY_MEASURES,
    "acceptance_rules.party": PARTIES,
    "acceptance_rules.statistic": tuple(STATISTICS),
    "acceptance_rules.measure": PARTY_MEASURES,
    "acceptance_rules.operator": tuple(OPERATORS),
    "zone_terms.term": SWEEP_TERMS,
    "tornado_exclude.term": TORNADO_TERMS,
    "tornado_ranges.term": TORNADO_TERMS,
}
# Lists that only suggest: another value may be typed (after a warning) and the run checks it,
# e.g. a statistic p95 or a measure such as local_weeks.
SUGGESTED = frozenset({"acceptance_rules.statistic", "acceptance_rules.measure"})

# --- the Risk sheet ---------------------------------------------------------------------------

_UNCERTAINTY = {spec.name: spec for spec in UNCERTAINTY_INPUTS}


def _engine(name: str, **changes: Any) -> ParameterSpec:
    """The engine's spec of an uncertainty input, with what the sheet shows differently."""
    return dataclasses.replace(_UNCERTAINTY[name], **changes) if changes else _UNCERTAINTY[name]


def _text(name: str, label: str, default: Any, help: str) -> ParameterSpec:
    return ParameterSpec(name, "", label, "text", default, help=help, rule_text="choose from the list")


RISK_SOURCE = _text(
    "risk_source",
    "Uncertainty from",
    RANGES,
    "ranges: next year's occupancy and local use drawn from the low / most likely / high values "
    "below; past years: drawn from the years typed in the table below.",
)
RANGE_SPECS: tuple[ParameterSpec, ...] = (
    *(
        _engine(f"{axis}_{part}")
        for axis in ("occupancy", "local_use")
        for part in ("low", "most_likely", "high")
    ),
    _engine("correlation", unit=""),  # a correlation reads as 0.3, not 30 %
    _engine("pert_lambda"),
)
HISTORY = _engine(
    "history",
    label="Past years",
    default=(),
    help="One row per past year: its occupancy and local use (empty rows are ignored). Used when the "
    "uncertainty is from past years: the years are drawn at random, each as likely as the others.",
)
HISTORY_COLUMNS: tuple[ParameterSpec, ...] = (
    ParameterSpec("occupancy", "", "Occupancy", "share", None, minimum=0, maximum=1),
    ParameterSpec("local_use", "", "Local use", "share", None, minimum=0, maximum=1),
)
GROWTH_SPECS: tuple[ParameterSpec, ...] = tuple(
    _engine(f"fixed_cost_growth_{part}") for part in ("low", "most_likely", "high")
)
SIMULATION_SPECS: tuple[ParameterSpec, ...] = (
    ParameterSpec(
        "draws",
        "",
        "Number of simulated years",
        "",
        10_000,
        minimum=1_000,
        maximum=1_000_000,
        integer=True,
        help="More draws make the figures steadier (the sheet shows the sampling error of each "
        "expected value) and the run slower. The Agreement sheet judges every pair of its terms over "
        "these same years, so its run time grows with pairs × draws: 10,000 draws over a 41 × 41 map "
        "take a second or two; 100,000 ten times that.",
    ),
    ParameterSpec(
        "seed",
        "",
        "Random seed",
        "",
        DEFAULT_SEED,
        minimum=0,
        integer=True,
        help="The same seed gives the same figures on every run; another seed shows how much they "
        "move from one set of draws to the next.",
    ),
)
RISK_GROUPS: list[tuple[str, list[ParameterSpec]]] = [
    ("Where the uncertainty comes from", [RISK_SOURCE]),
    ("Next year: low, most likely and high values (PERT distributions)", list(RANGE_SPECS)),
    ("Past years (used instead of the ranges when chosen above)", [HISTORY]),
    ("Fixed cost growth (optional; 0 = fixed cost as on the Inputs sheet)", list(GROWTH_SPECS)),
    ("Simulation", list(SIMULATION_SPECS)),
]

# --- the Agreement sheet ----------------------------------------------------------------------

# The engine's example rules: each party first on average no worse off than with no deal (the
# spot market); then the provider: a loss at most 1 year in 10 and a 5 % expected margin; the
# host: 9 years in 10 a cost per local week of at most the spot price.
WORKBOOK_RULES: tuple[tuple[str, str, str, str, float], ...] = (*DEFAULT_RULES,)
RULE_HEADER = ("Party", "Statistic", "Measure", "Operator", "Threshold")
RULE_COLUMN_SPECS: tuple[ParameterSpec, ...] = (
    ParameterSpec("party", "", "Party", "text", None),
    ParameterSpec("statistic", "", "Statistic", "text", None),
    ParameterSpec("measure", "", "Measure", "text", None),
    ParameterSpec("operator", "", "Operator", "text", None),
    ParameterSpec(
        "threshold", "", "Threshold", "", None, help="A number: 10% or 0.1 for a share, £ for money."
    ),
)
RULES = ParameterSpec(
    "acceptance_rules",
    "",
    "Acceptance rules",
    "",
    WORKBOOK_RULES,
    help="What each party needs before it signs, one condition a row: a party accepts terms when all its "
    "rows hold (with no rows, everything). Figures are over the Risk sheet's simulated years. The first "
    "row of each party asks that it gains on average against no deal (the spot market); remove it only "
    "on purpose.",
    rule_text="party, statistic and operator from the lists (or a percentile such as p95); any result name "
    "as measure (see the Guide); threshold a number",
)
# What the example rules stand for, as the sheet says it under the results.
RULES_NOTE = (
    "The rules are an example: replace them with what each party needs before it signs. Each party's "
    "first rule compares it with no deal (the spot market): nobody is asked to accept terms that leave it "
    "worse off on average. The host's last rule caps its cost per local week at the spot price 9 years in 10."
)

TERMS_HEADER = ("Term", "From", "To", "Steps")
TERMS_COLUMN_SPECS: tuple[ParameterSpec, ...] = (
    ParameterSpec("term", "", "Term", "text", None),
    ParameterSpec("from", "", "From", "", None),
    ParameterSpec("to", "", "To", "", None),
    ParameterSpec("steps", "", "Steps", "", None, minimum=2, maximum=MAX_MAP_STEPS, integer=True),
)
DEFAULT_ZONE_TERMS = (("host_contribution", 100_000, 300_000, 41), ("top_share_rate", 0.4, 1, 41))
ZONE_TERMS = ParameterSpec(
    "zone_terms",
    "",
    "Terms to sweep",
    "",
    DEFAULT_ZONE_TERMS,
    help="Two contract terms, each from a low to a high value in equal steps: the map's rows, then its "
    "columns. Empty From and To: the term's usual range.",
    rule_text=f"two different terms from the list; From ≤ To, valid for the term; 2 to {MAX_MAP_STEPS} steps",
)
TORNADO_MEASURE = ParameterSpec(
    "tornado_measure",
    "",
    "Tornado: measure",
    "text",
    "provider_surplus",
    help="The result whose swing the tornado shows, at the expected occupancy and local use of the Risk "
    "sheet.",
    rule_text="choose from the list",
)
TORNADO_CHANGE = ParameterSpec(
    "tornado_change",
    "",
    "Tornado: move each term by ±",
    "share",
    0.10,
    minimum=0.01,
    maximum=1,
    help="Each term is moved down and up by this share of today's value, the others held (places to "
    "the whole numbers below and above).",
)
TERM_COLUMN = ParameterSpec("term", "", "Term", "text", None)
TORNADO_EXCLUDE = ParameterSpec(
    "tornado_exclude",
    "",
    "Tornado: terms left out",
    "",
    (("places",), ("weeks_per_year",)),
    help="Structural terms that are not negotiated: moving places by one (±25 %) or the weeks of the "
    "year would dwarf every contract term.",
    rule_text="term names from the list",
)
TORNADO_RANGES = ParameterSpec(
    "tornado_ranges",
    "",
    "Tornado: own low and high",
    "",
    (),
    help="A term's own low and high instead of ± the share above: needed for a term at 0 today, such as "
    "deficit support.",
    rule_text="a term from the list; low ≤ high, both valid for the term",
)
RANGE_COLUMN_SPECS: tuple[ParameterSpec, ...] = (
    TERM_COLUMN,
    ParameterSpec("low", "", "Low", "", None),
    ParameterSpec("high", "", "High", "", None),
)
AGREEMENT_GROUPS: list[tuple[str, list[ParameterSpec]]] = [
    ("What each party needs before it signs", [RULES]),
    ("The terms to sweep", [ZONE_TERMS]),
    (
        "Tornado: which terms move a result most",
        [TORNADO_MEASURE, TORNADO_CHANGE, TORNADO_EXCLUDE, TORNADO_RANGES],
    ),
]

# Table inputs: name → (rows, header, column specs), for layout.TABLES.
TABLE_SHAPES: dict[str, tuple[int, tuple[str, ...], tuple[ParameterSpec, ...]]] = {
    "history": (HISTORY_ROWS, ("Occupancy", "Local use"), HISTORY_COLUMNS),
    "acceptance_rules": (RULE_ROWS, RULE_HEADER, RULE_COLUMN_SPECS),
    "zone_terms": (2, TERMS_HEADER, TERMS_COLUMN_SPECS),
    "tornado_exclude": (EXCLUDE_ROWS, ("Term",), (TERM_COLUMN,)),
    "tornado_ranges": (RANGE_ROWS, ("Term", "Low", "High"), RANGE_COLUMN_SPECS),
}

# --- parsing: cells in, plain values out (the checks below say what is wrong) ------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def rows_of(raw: Any) -> list[list[Any]]:
    """A table's cells as rows of lists (a single cell as one row of one)."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        return [[raw]]
    return [list(row) if isinstance(row, list | tuple) else [row] for row in raw]


def keep_rows(raw: Any) -> Coerced:
    """Table cells passed through as rows (text trimmed); the sheet's check reads them."""
    return Coerced(
        [[cell.strip() if isinstance(cell, str) else cell for cell in row] for row in rows_of(raw)]
    )


def choice_parser(name: str, choices: Sequence[str]):
    """A parser accepting one of ``choices`` (any case, spaces trimmed)."""

    def parse(raw: Any) -> Coerced:
        text = raw.strip().casefold() if isinstance(raw, str) else raw
        for choice in choices:
            if text == choice.casefold():
                return Coerced(choice)
        listed = ", ".join(choices)
        return Coerced(None, f"{name} = {format_value(raw)} must be one of {listed}")

    return parse


PARSERS = {
    "risk_source": choice_parser("risk_source", SOURCES),
    "tornado_measure": choice_parser("tornado_measure", MEASURE_NAMES),
    **{name: keep_rows for name in TABLE_SHAPES},
}


# --- from parsed values to engine arguments ---------------------------------------------------


def filled_rows(values: Mapping[str, Any], name: str) -> list[tuple[int, list[Any]]]:
    """(1-based row, cells) of a table's rows that are not empty."""
    return [
        (index, row)
        for index, row in enumerate(rows_of(values.get(name)), start=1)
        if not all(_blank(cell) for cell in row)
    ]


def uncertainty_mapping(values: Mapping[str, Any]) -> dict[str, Any]:
    """The uncertainty inputs as ``Uncertainty.from_mapping`` takes them (past years only if chosen)."""
    mapping = {spec.name: values[spec.name] for spec in NUMBER_INPUTS if spec.name in values}
    if values.get("risk_source") == PAST_YEARS:
        mapping["history"] = [row for _, row in filled_rows(values, "history")]
    return mapping


def uncertainty_of(values: Mapping[str, Any]) -> Uncertainty:
    return Uncertainty.from_mapping(uncertainty_mapping(values))


def rules_of(values: Mapping[str, Any]) -> tuple:
    """The acceptance rules (engine ``Rule``s), empty rows skipped."""
    return parse_rules(rows_of(values.get("acceptance_rules")))


def zone_settings(
    values: Mapping[str, Any],
) -> tuple[tuple[str, ...], dict[str, tuple[Any, Any]], tuple[int, ...]]:
    """(terms, ranges given, steps) of the sweep; a term with empty From and To gets the default range."""
    rows = rows_of(values.get("zone_terms"))
    terms = tuple(row[0] for row in rows)
    ranges = {row[0]: (row[1], row[2]) for row in rows if not (_blank(row[1]) and _blank(row[2]))}
    steps = tuple(int(row[3]) for row in rows)
    return terms, ranges, steps


def tornado_settings(values: Mapping[str, Any]) -> tuple[tuple[str, ...], dict[str, tuple[float, float]]]:
    """(terms left out, own ranges) of the tornado."""
    excluded = tuple(row[0] for _, row in filled_rows(values, "tornado_exclude"))
    ranges = {row[0]: (row[1], row[2]) for _, row in filled_rows(values, "tornado_ranges")}
    return excluded, ranges


# --- checks: every problem, each at its cell ---------------------------------------------------


def check_risk(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The Risk sheet's rules beyond each cell's range: the engine's, and past years when chosen.

    Past years are checked whichever source is chosen (a bad year waiting in the table is
    still a mistake); each problem names the table row it is on.
    """
    problems: list[tuple[str, str]] = []
    already = set(range_problems(NUMBER_INPUTS, values))  # the reader reports these
    mapping = {**uncertainty_mapping(values), "history": []}
    years = filled_rows(values, "history")
    for attempt in (mapping, {"history": [row for _, row in years]}):
        try:
            Uncertainty.from_mapping(attempt)
        except ParameterError as error:
            problems += [_history_cell(p, years) for p in error.problems if p not in already]
    if values.get("risk_source") == PAST_YEARS and not years:
        problems.append(("history", "risk_source = 'past years' needs at least one past year in this table"))
    return problems


_HISTORY_ROW = re.compile(r"history row (\d+)(?: (occupancy|local_use))?")


def _history_cell(problem: tuple[str, str], years: list[tuple[int, list[Any]]]) -> tuple[str, str]:
    """ "history row 2 …" counts the filled rows: say the table row, and point at its cell."""
    name, message = problem
    match = _HISTORY_ROW.search(message)
    if name != "history" or not match or not 1 <= int(match[1]) <= len(years):
        return problem
    row = years[int(match[1]) - 1][0]
    column = f".{match[2]}" if match[2] else ""
    return f"history[{row}]{column}", _HISTORY_ROW.sub(lambda m: m[0].replace(m[1], str(row), 1), message, 1)


def check_agreement(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Rules, terms and tornado settings; ranges against today's parameters when those are valid."""
    params = _params(values)
    return _rule_problems(values) + _term_problems(values, params) + _tornado_problems(values, params)


def _params(values: Mapping[str, Any]) -> Parameters | None:
    try:
        return Parameters.from_mapping({spec: values[spec] for spec in Parameters.__dataclass_fields__})
    except (ParameterError, KeyError):
        return None


def _rule_problems(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The engine's rule problems, renamed from "rule 3 party" to the cell acceptance_rules[3].party."""
    try:
        rules_of(values)
    except ParameterError as error:
        out = []
        for name, message in error.problems:
            words = name.split()  # "rule 3 party", "rule 3 threshold" or "rule 3"
            row = words[1] if len(words) > 1 else ""
            column = f".{words[2]}" if len(words) > 2 and words[2] in RULE_COLUMNS else ""
            out.append((f"acceptance_rules[{row}]{column}" if row else "acceptance_rules", message))
        return out
    return []


def _term_problems(values: Mapping[str, Any], params: Parameters | None) -> list[tuple[str, str]]:
    rows = rows_of(values.get("zone_terms"))
    problems: list[tuple[str, str]] = []
    names = []
    for index, row in enumerate(rows, start=1):
        where = f"zone_terms[{index}]"
        term, low, high, steps = (row + [None] * 4)[:4]
        names.append(term)
        if params is None:
            continue
        found = name_problem(params, term)
        if found:
            problems.append((f"{where}.term", f"row {index}: {found}"))
            continue
        if _blank(low) != _blank(high):
            problems.append((where, f"row {index}: give both From and To for {term}, or neither"))
            continue
        count = to_number("steps", steps)
        if count.problem or count.value != int(count.value) or not 2 <= count.value <= MAX_MAP_STEPS:
            problems.append(
                (
                    f"{where}.steps",
                    f"row {index}: steps = {format_value(steps)} must be a whole number from "
                    f"2 to {MAX_MAP_STEPS}",
                )
            )
            continue
        try:
            sweep_axis(params, term, None if _blank(low) else (low, high), min(int(count.value), MAX_STEPS))
        except ParameterError as error:
            problems += [(where, f"row {index}: {message}") for _, message in error.problems]
    if len(rows) == 2 and names[0] == names[1] and not _blank(names[0]):
        problems.append(("zone_terms[2].term", f"the two terms to sweep must differ (both are {names[0]})"))
    return problems


def _tornado_problems(values: Mapping[str, Any], params: Parameters | None) -> list[tuple[str, str]]:
    if params is None:
        return []
    problems: list[tuple[str, str]] = []
    movable = lever_names(params)
    for index, row in filled_rows(values, "tornado_exclude"):
        if row[0] not in movable:
            problems.append((f"tornado_exclude[{index}]", name_problem(params, row[0]) or ""))
    for index, row in filled_rows(values, "tornado_ranges"):
        where = f"tornado_ranges[{index}]"
        term, low, high = (row + [None] * 3)[:3]
        found = name_problem(params, term)
        if found:
            problems.append((f"{where}.term", found))
            continue
        ends = [to_number(f"{term} {end}", raw) for end, raw in (("low", low), ("high", high))]
        bad = [end.problem for end in ends if end.problem]
        if bad:
            problems += [(where, message) for message in bad]
        elif ends[0].value > ends[1].value:
            problems.append((where, f"{term} low = {format_value(low)} is above high = {format_value(high)}"))
        else:
            try:
                check_values(params, {term: [ends[0].value, ends[1].value]})
            except ParameterError as error:
                problems += [(where, message) for _, message in error.problems]
    return problems
