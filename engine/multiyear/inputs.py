"""The inputs of a multi-year agreement: length, discounting, cost inflation and uplift rules.

``TERM_PARAMETERS`` is the table of term inputs (names, labels, units, defaults, rules), in
the same ``ParameterSpec`` rows as the model's parameters, so the Term sheet is generated
from it and every message reads like the rest: ``name = value must be …``.

Conventions (the README states them for users):
- Year 1 is the year the ``Parameters`` describe. Rises happen on the anniversaries, so a
  rise path has one value per anniversary: the rises into years 2, 3, …, ``years``. A
  spreadsheet column with a row for every year may leave year 1 blank; that blank is dropped.
- Occupancy and local use have one value per year (or one value for every year).
- Every input is one value for every year, or a path with exactly one value per year or
  anniversary; a path of another length is a problem, never silently cut or stretched.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.core.cells import Coerced, format_value, to_number
from engine.core.fields import ParameterSpec, SpecFields, range_problems
from engine.multiyear.inflation import (
    COST_ASSUMPTIONS,
    DEFAULT_COST_ASSUMPTION,
    CostAssumption,
    cost_assumption,
)
from engine.multiyear.uplift import (
    CAP_SPEC,
    FLOOR_SPEC,
    RATE_MAX,
    RATE_MIN,
    RATE_SPEC,
    UPLIFT_KINDS,
    Path,
    UpliftRule,
    path_problems,
    rule_problems,
)

MAX_YEARS = 25
_DEFAULT = cost_assumption(DEFAULT_COST_ASSUMPTION)
_KINDS_TEXT = "one of " + ", ".join(UPLIFT_KINDS)

# The priced items that move over the term, each with its own rule: (field name, label, default kind).
RULES: tuple[tuple[str, str, str], ...] = (
    ("fee_uplift", "Fee uplift (local and outside fees)", "cost_linked"),
    ("host_contribution_uplift", "Host contribution uplift", "cost_linked"),
    ("compensation_uplift", "Compensation rate uplift", "cost_linked"),
    ("spot_price_uplift", "Spot price uplift", "cost_linked"),
)
RULE_NAMES = tuple(name for name, _, _ in RULES)
RISE_PATHS = ("fixed_cost_inflation", "variable_cost_inflation")  # one value per anniversary
YEAR_PATHS = ("occupancy", "local_use")  # one value per year


def _rule_specs(prefix: str, label: str, kind: str) -> tuple[ParameterSpec, ...]:
    kind_spec = ParameterSpec(
        prefix,
        "",
        label,
        "text",
        kind,
        rule_text=_KINDS_TEXT,
        help="fixed, index (a rate), cost_linked (follows the provider's full-occupancy cost) or capped.",
    )
    return (
        kind_spec,
        *(
            dataclasses.replace(spec, name=f"{prefix}_{spec.name}", label=f"{label}: {spec.label.lower()}")
            for spec in (RATE_SPEC, CAP_SPEC, FLOOR_SPEC)
        ),
    )


TERM_PARAMETERS: tuple[ParameterSpec, ...] = (
    ParameterSpec(
        "years",
        "T",
        "Term of the agreement",
        "years",
        10,
        minimum=1,
        maximum=MAX_YEARS,
        integer=True,
        help="Length of the agreement in years (Somerset's partnership runs ten).",
    ),
    ParameterSpec(
        "discount_rate",
        "d",
        "Discount rate",
        "share",
        0.035,
        minimum=0,
        maximum=1,
        help="Per year, for net present values; 3.5 % is HM Treasury Green Book's rate for years 0–30.",
    ),
    ParameterSpec(
        "cost_assumption",
        "",
        "Cost inflation assumption",
        "text",
        DEFAULT_COST_ASSUMPTION,
        rule_text="one of " + ", ".join(row.name for row in COST_ASSUMPTIONS),
        help="The row of the assumption table that gives cost inflation rates not typed in.",
    ),
    ParameterSpec(
        "fixed_cost_inflation",
        "i_F",
        "Fixed cost inflation a year",
        "share",
        _DEFAULT.fixed_cost_inflation,
        minimum=RATE_MIN,
        maximum=RATE_MAX,
        help="Rise of the fixed cost on each anniversary (one value, or one per anniversary).",
    ),
    ParameterSpec(
        "variable_cost_inflation",
        "i_v",
        "Variable cost inflation a year",
        "share",
        _DEFAULT.variable_cost_inflation,
        minimum=RATE_MIN,
        maximum=RATE_MAX,
        help="Rise of the variable cost on each anniversary (one value, or one per anniversary).",
    ),
    ParameterSpec(
        "occupancy",
        "o",
        "Occupancy",
        "share",
        0.9,
        minimum=0,
        maximum=1,
        help="Occupancy of the year-by-year table (one value for the whole term, or one per year).",
    ),
    ParameterSpec(
        "local_use",
        "u",
        "Local use",
        "share",
        0.75,
        minimum=0,
        maximum=1,
        help="Local use of the year-by-year table (one value for the whole term, or one per year).",
    ),
    *(spec for prefix, label, kind in RULES for spec in _rule_specs(prefix, label, kind)),
)

TERM_SPECS: dict[str, ParameterSpec] = {spec.name: spec for spec in TERM_PARAMETERS}


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence | np.ndarray) and not isinstance(value, str | bytes)


def _blank(cell: Any) -> bool:
    """An empty cell; NaN too, as pandas shows one (only trimmed at a path's ends, never inside)."""
    if isinstance(cell, float) and math.isnan(cell):
        return True
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _path_parser(name: str, first_year: int):
    """Parser for one value, or a column with one value per year (first_year = its first)."""

    def parse(raw: Any) -> Coerced:
        if hasattr(raw, "to_numpy"):  # a pandas column or one-column table
            raw = raw.to_numpy().ravel()
        if not _is_sequence(raw):
            return to_number(name, raw)
        cells = list(raw)
        if first_year == 2 and cells and _blank(cells[0]):
            cells = cells[1:]  # year 1 has no rise: a blank there is the spreadsheet's way to say so
        while cells and _blank(cells[-1]):
            cells.pop()  # empty rows at the foot of a spreadsheet table
        if not cells:
            return Coerced(None, f"{name} is missing (no values given)")
        parsed = [to_number(f"{name} year {year}", cell) for year, cell in enumerate(cells, start=first_year)]
        bad = [p.problem for p in parsed if p.problem]
        if bad:
            return Coerced(None, "; ".join(bad))
        return Coerced(tuple(p.value for p in parsed))

    return parse


def _text_parser(name: str):
    """Parser for a choice typed as text: case, spaces and hyphens do not matter."""

    def parse(raw: Any) -> Coerced:
        if _blank(raw):
            return Coerced(None, f"{name} is missing (the cell is empty)")
        if not isinstance(raw, str):
            return Coerced(None, f"{name} = {format_value(raw)} is not text; {TERM_SPECS[name].rule}")
        return Coerced(raw.strip().lower().replace("-", "_").replace(" ", "_"))

    return parse


def _length_problem(name: str, value: Any, years: int, first_year: int) -> tuple[str, str] | None:
    if not isinstance(value, tuple):
        return None
    wanted = years - first_year + 1
    if len(value) == wanted:
        return None
    if first_year == 1:
        hint = f"one value, or one per year ({years})"
    elif years == 1:
        hint = "one value (a 1-year term has no anniversary to rise on)"
    elif years == 2:
        hint = "one value, or one per anniversary (1: the rise into year 2)"
    else:
        hint = f"one value, or one per anniversary ({wanted}: the rises into years 2 to {years})"
    return name, f"{name} has {len(value)} values for a {years}-year term; give {hint}"


def check(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every rule broken by ``values`` (parsed term inputs, rules as valid ``UpliftRule``s).

    Names missing from ``values`` are skipped so parse problems and range problems can be
    reported together. A rule's own ranges were checked when it was made; here only its
    rate path's length against the term.
    """
    problems = range_problems([TERM_SPECS["years"], TERM_SPECS["discount_rate"]], values)
    years: Any = values.get("years")
    years_known = isinstance(years, int | float) and not any(name == "years" for name, _ in problems)
    for name, first_year in [*((n, 2) for n in RISE_PATHS), *((n, 1) for n in YEAR_PATHS)]:
        if name not in values:
            continue
        problems += path_problems(TERM_SPECS[name], values[name], first_year)
        length = years_known and _length_problem(name, values[name], int(years), first_year)
        if length:
            problems.append(length)
    for name in RULE_NAMES:
        if name not in values:
            continue
        rule = values[name]
        if not isinstance(rule, UpliftRule):
            problems.append((name, f"{name} = {format_value(rule)} must be {_KINDS_TEXT}"))
            continue
        length = years_known and _length_problem(f"{name}_rate", rule.rate, int(years), 2)
        if length:
            problems.append(length)
    return problems


def _parsers() -> dict[str, Callable[[Any], Coerced]]:
    """How the cells that are not one number read: the choices as text, the paths as columns."""
    special = {name: _text_parser(name) for name in ("cost_assumption", *RULE_NAMES)}
    special.update({name: _path_parser(name, first_year=2) for name in RISE_PATHS})
    special.update({f"{name}_rate": _path_parser(f"{name}_rate", first_year=2) for name in RULE_NAMES})
    special.update({name: _path_parser(name, first_year=1) for name in YEAR_PATHS})
    return special


@dataclass(frozen=True)
class TermInputs(SpecFields, specs=TERM_PARAMETERS, what="a term input", rules=check, parsers=_parsers()):
    """A multi-year agreement's inputs beyond the one-year ``Parameters``.

    Construction validates every field and raises one ``ParameterError`` naming every
    problem. Paths may be given as lists or arrays (kept as tuples); a rule may be given as
    its kind alone (``fee_uplift="fixed"``) and then takes the default rate, cap and floor.
    Defaults are the ``TERM_PARAMETERS`` table's (a rule's default is its kind's).
    ``replace`` changes flat inputs (``fee_uplift_rate=0.02``); to swap a whole rule, use
    ``dataclasses.replace(term, fee_uplift=UpliftRule(...))``.
    """

    years: int
    discount_rate: float
    fixed_cost_inflation: Path
    variable_cost_inflation: Path
    occupancy: Path
    local_use: Path
    fee_uplift: UpliftRule
    host_contribution_uplift: UpliftRule
    compensation_uplift: UpliftRule
    spot_price_uplift: UpliftRule

    def _normalise(self) -> None:
        for name in RISE_PATHS + YEAR_PATHS:
            value = getattr(self, name)
            if _is_sequence(value):
                object.__setattr__(self, name, tuple(value))
        for name in RULE_NAMES:
            value = getattr(self, name)
            if isinstance(value, str) and value in UPLIFT_KINDS:
                object.__setattr__(self, name, UpliftRule(value))

    @classmethod
    def from_mapping(
        cls, mapping: Mapping[str, Any], assumptions: Sequence[CostAssumption] = COST_ASSUMPTIONS
    ) -> TermInputs:
        """Build from flat spreadsheet-style values, named as in ``TERM_PARAMETERS``.

        Rules are flat too: ``fee_uplift`` (the kind), ``fee_uplift_rate``, ``_cap``,
        ``_floor``. Cost inflation rates not given come from the ``cost_assumption`` row of
        ``assumptions`` (an edited table may be passed). Absent names take their default;
        every problem is raised at once.
        """
        values, problems = cls._read(mapping)

        chosen = values.pop("cost_assumption", DEFAULT_COST_ASSUMPTION)
        table = {row.name: row for row in assumptions}
        if chosen not in table:
            problems.append(
                ("cost_assumption", f"cost_assumption = {chosen!r} must be one of {', '.join(table)}")
            )
        else:
            for name in RISE_PATHS:
                if name not in mapping:
                    values[name] = getattr(table[chosen], name)

        for prefix in RULE_NAMES:
            parts = [values.pop(f"{prefix}{suffix}", None) for suffix in ("", "_rate", "_cap", "_floor")]
            if None in parts:
                continue  # a part failed to parse; read_mapping has said so
            rule_issues = rule_problems(prefix, *parts)
            if rule_issues:
                problems += rule_issues
            else:
                values[prefix] = UpliftRule(*parts)
        return cls._build(values, problems + cls._check(values))

    def to_mapping(self) -> dict[str, Any]:
        """Flat plain values (paths as lists), the inverse of ``from_mapping``."""
        values: dict[str, Any] = {}
        for spec in TERM_PARAMETERS:
            if spec.name == "cost_assumption":
                continue
            prefix, _, part = spec.name.rpartition("_")
            if prefix in RULE_NAMES and part in ("rate", "cap", "floor"):
                value = getattr(getattr(self, prefix), part)
            elif spec.name in RULE_NAMES:
                value = getattr(self, spec.name).kind
            else:
                value = getattr(self, spec.name)
            values[spec.name] = list(value) if isinstance(value, tuple) else value
        return values
