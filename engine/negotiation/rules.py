"""Acceptance rules: what each party needs before it signs, as data rather than code.

A rule is one row of a table a facilitator types in: party, statistic, measure, operator,
threshold, e.g. ``("provider", "probability_of_loss", "provider_surplus", "<=", 0.10)``:
"the provider accepts only if the probability of a loss is at most 10 %". A party
accepts a set of terms when every one of its rules holds; a party with no rules accepts
everything. Statistics are those of ``engine.risk.measure_stats`` (mean, std, pNN,
probability_of_loss, expected_shortfall, min, max), taken over an outcome set, so a rule
means the same over Monte Carlo draws as over a weighted 21 × 21 grid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine.core.cells import format_value, to_number
from engine.core.errors import ParameterError
from engine.core.fields import table_rows
from engine.core.measures import MEASURE_NAMES, measure
from engine.risk.measure_stats import statistic_label, statistic_problem

PARTIES = ("provider", "host")
RULE_COLUMNS = ("party", "statistic", "measure", "operator", "threshold")
OPERATORS = {"<=": np.less_equal, ">=": np.greater_equal, "<": np.less, ">": np.greater}
_SPELLINGS = {"≤": "<=", "≥": ">=", "=<": "<=", "=>": ">="}

# Individual rationality first: each party wants, on average, at least what it has with no
# deal (the spot market), which is also the disagreement point of Nash bargaining. The
# provider's gain is provider_gain; the host's is host_saving (spot cost − net cost).
RATIONALITY_RULES: tuple[tuple[str, str, str, str, float], ...] = (
    ("provider", "mean", "provider_gain", ">=", 0.0),
    ("host", "mean", "host_saving", ">=", 0.0),
)
# Then the examples: the provider wants a loss at most 1 year in 10 and a 5 % expected
# margin; the host wants a P90 cost per local week no higher than the spot price (the
# default spot_price).
DEFAULT_RULES: tuple[tuple[str, str, str, str, float], ...] = (
    RATIONALITY_RULES[0],
    ("provider", "probability_of_loss", "provider_surplus", "<=", 0.10),
    ("provider", "mean", "provider_margin", ">=", 0.05),
    RATIONALITY_RULES[1],
    ("host", "p90", "host_cost_per_local_week", "<=", 6_500.0),
)


@dataclass(frozen=True)
class Rule:
    """One acceptance rule: ``statistic`` of ``measure`` ``operator`` ``threshold``."""

    party: str
    statistic: str
    measure: str
    operator: str
    threshold: float

    def __post_init__(self) -> None:
        problems = _rule_problems(
            self.party, self.statistic, self.measure, self.operator, self.threshold, "rule"
        )
        if problems:
            raise ParameterError(problems)

    @property
    def key(self) -> str:
        """The figure this rule reads, e.g. ``probability_of_loss(provider_surplus)``."""
        return statistic_key(self.statistic, self.measure)

    @property
    def text(self) -> str:
        """The rule in words, e.g. "provider: Probability below zero of Provider surplus <= 0.1"."""
        label = f"{statistic_label(self.statistic)} of {measure(self.measure).label}"
        return f"{self.party}: {label} {self.operator} {format_value(self.threshold)}"

    def holds(self, value: Any) -> np.ndarray:
        """Whether the rule holds for each value of its statistic (NaN never holds)."""
        return OPERATORS[self.operator](np.asarray(value, dtype=float), self.threshold)

    def to_row(self) -> tuple[str, str, str, str, float]:
        return (self.party, self.statistic, self.measure, self.operator, self.threshold)


def statistic_key(statistic: str, measure_name: str) -> str:
    """Column name of a figure: ``statistic(measure)``."""
    return f"{statistic}({measure_name})"


def parse_rules(rows: Any) -> tuple[Rule, ...]:
    """Rules from plain rows: tuples in ``RULE_COLUMNS`` order, dicts, or a table with those columns.

    Thresholds may be text as a spreadsheet gives them ("10%", "£6,500"); "≤"/"≥" are
    read as "<="/">="; empty rows are skipped. Every problem in every row is raised at
    once, each naming the rule's row and column.
    """
    if isinstance(rows, Rule):
        return (rows,)
    problems: list[tuple[str, str]] = []
    rules = []
    for index, raw in enumerate(_records(rows), start=1):
        if raw is None:
            continue
        if isinstance(raw, Rule):
            rules.append(raw)
            continue
        if len(raw) != len(RULE_COLUMNS):
            problems.append(
                (f"rule {index}", f"rule {index} has {len(raw)} values; give {', '.join(RULE_COLUMNS)}")
            )
            continue
        party, statistic, measure_name, operator, threshold = raw
        operator = (
            _SPELLINGS.get(str(operator).strip(), str(operator).strip()) if operator is not None else ""
        )
        number = to_number("threshold", threshold)
        found = _rule_problems(
            _text(party), _text(statistic), _text(measure_name), operator, number.value, f"rule {index}"
        )
        if number.problem:
            found.append((f"rule {index} threshold", f"rule {index}: {number.problem}"))
        problems += found
        if not found:
            rules.append(Rule(_text(party), _text(statistic), _text(measure_name), operator, number.value))
    if problems:
        raise ParameterError(problems)
    return tuple(rules)


def is_rationality_rule(rule: Rule) -> bool:
    """Whether the rule asks at least the party's no-deal position on average (expected gain ≥ 0 or more)."""
    gain = {"provider": "provider_gain", "host": "host_saving"}[rule.party]
    return (
        rule.statistic == "mean"
        and rule.measure == gain
        and (
            (rule.operator == ">=" and rule.threshold >= 0) or (rule.operator == ">" and rule.threshold >= 0)
        )
    )


def parties_without_rationality(rules: Iterable[Rule]) -> tuple[str, ...]:
    """The parties none of whose rules asks for an expected gain over no deal of at least 0.

    Such a party may "accept" terms that leave it worse off on average than no deal.
    """
    rules = tuple(rules)
    return tuple(p for p in PARTIES if not any(is_rationality_rule(r) for r in rules if r.party == p))


def needed_figures(rules: Iterable[Rule]) -> tuple[tuple[str, str], ...]:
    """The distinct (statistic, measure) pairs the rules read, in first-use order."""
    return tuple(dict.fromkeys((rule.statistic, rule.measure) for rule in rules))


def judge(rules: Iterable[Rule], figures: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """``rule_1``… (each rule holds), ``provider_accepts`` and ``host_accepts`` from ``figures``.

    ``figures`` maps ``statistic_key`` names to arrays of one value per setting.
    """
    rules = tuple(rules)
    shape = np.shape(next(iter(figures.values()))) if figures else ()
    result = {f"rule_{i}": rule.holds(figures[rule.key]) for i, rule in enumerate(rules, start=1)}
    for party in PARTIES:
        accepts = np.ones(shape, dtype=bool)
        for i, rule in enumerate(rules, start=1):
            if rule.party == party:
                accepts = accepts & result[f"rule_{i}"]
        result[f"{party}_accepts"] = accepts
    return result


def rules_frame(rules: Iterable[Rule]) -> pd.DataFrame:
    """The rules as a table: ``rule`` (the zone table's column name), ``RULE_COLUMNS``, ``text``."""
    records = [
        {"rule": f"rule_{i}", **dict(zip(RULE_COLUMNS, rule.to_row(), strict=True)), "text": rule.text}
        for i, rule in enumerate(rules, start=1)
    ]
    return pd.DataFrame(records, columns=["rule", *RULE_COLUMNS, "text"])


def _records(rows: Any) -> list[Any]:
    """Rows as tuples in RULE_COLUMNS order (None for an empty row)."""
    if rows is None:
        return []
    if hasattr(rows, "columns") and set(RULE_COLUMNS) <= {str(c) for c in rows.columns}:
        rows = rows[list(RULE_COLUMNS)].to_numpy()
    records: list[Any] = []
    for row in table_rows(rows):
        if isinstance(row, Rule):
            records.append(row)
        elif isinstance(row, str | bytes):
            records.append((row,))
        else:
            cells = [row.get(column) for column in RULE_COLUMNS] if isinstance(row, Mapping) else list(row)
            records.append(None if all(_blank(cell) for cell in cells) else tuple(cells))
    return records


def _blank(cell: Any) -> bool:
    return (
        cell is None
        or (isinstance(cell, str) and not cell.strip())
        or (isinstance(cell, float) and cell != cell)
    )


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _rule_problems(
    party: Any, statistic: Any, measure_name: Any, operator: Any, threshold: Any, where: str
) -> list[tuple[str, str]]:
    problems = []
    if party not in PARTIES:
        problems.append((f"{where} party", f"{where}: party = {party!r} must be provider or host"))
    problem = statistic_problem(statistic)
    if problem:
        problems.append((f"{where} statistic", f"{where}: {problem}"))
    if not isinstance(measure_name, str) or measure_name not in MEASURE_NAMES:
        try:
            measure(measure_name)
        except (ParameterError, TypeError) as error:
            problems.append((f"{where} measure", f"{where}: {str(error) or 'measure is missing'}"))
    if operator not in OPERATORS:
        problems.append(
            (f"{where} operator", f"{where}: operator = {operator!r} must be one of <=, >=, <, >")
        )
    if threshold is not None and not (
        isinstance(threshold, int | float) and not isinstance(threshold, bool) and np.isfinite(threshold)
    ):
        problems.append(
            (f"{where} threshold", f"{where}: threshold = {format_value(threshold)} is not a number")
        )
    return problems
