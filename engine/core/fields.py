"""Specification rows for inputs, and the generic checks every input table shares.

Parameters of MODEL.md, contract terms, risk and term inputs are all described by
``ParameterSpec`` rows, so one reader and one range check serve them all and every
message reads the same way: ``name = value must be …``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from engine.core.cells import Coerced, format_value, to_number


@dataclass(frozen=True)
class ParameterSpec:
    """One row of the parameter table of MODEL.md."""

    name: str
    symbol: str
    label: str
    unit: str  # "places", "weeks", "£/year", "£/week", "share"
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True
    integer: bool = False
    element: str = ""  # which of the five partnership elements, if any
    help: str = ""

    rule_text: str = ""  # the rule in words where it is more than a range

    @property
    def rule(self) -> str:
        """The valid range in words, as the workbook and error messages show it."""
        if self.rule_text:
            return self.rule_text
        parts = []
        if self.minimum is not None:
            parts.append(f"{'≥' if self.min_inclusive else '>'} {format_value(self.minimum)}")
        if self.maximum is not None:
            parts.append(f"{'≤' if self.max_inclusive else '<'} {format_value(self.maximum)}")
        rule = " and ".join(parts)
        return f"whole number {rule}" if self.integer else rule


def is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def range_problem(spec: ParameterSpec, value: Any) -> str | None:
    shown = f"{spec.name} = {format_value(value)}"
    if not is_number(value):
        return f"{shown} is not a finite number"
    if spec.integer and value != math.floor(value):
        return f"{shown} must be a whole number"
    below = spec.minimum is not None and (
        value < spec.minimum or (not spec.min_inclusive and value == spec.minimum)
    )
    if below:
        word = "at least" if spec.min_inclusive else "more than"
        return f"{shown} must be {word} {format_value(spec.minimum)}"
    above = spec.maximum is not None and (
        value > spec.maximum or (not spec.max_inclusive and value == spec.maximum)
    )
    if above:
        word = "at most" if spec.max_inclusive else "less than"
        return f"{shown} must be {word} {format_value(spec.maximum)}"
    return None


def coerce_number(spec: ParameterSpec, raw: Any) -> Coerced:
    """One cell value as the number ``spec`` wants (whole where it must be), or the problem."""
    coerced = to_number(spec.name, raw)
    if coerced.problem is None and spec.integer:
        if coerced.value != math.floor(coerced.value):
            return Coerced(None, f"{spec.name} = {format_value(raw)} must be a whole number")
        return Coerced(int(coerced.value))
    return coerced


def range_problems(specs: Iterable[ParameterSpec], values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The range rules broken by ``values``; names absent from ``values`` are skipped."""
    problems = []
    for spec in specs:
        if spec.name in values:
            message = range_problem(spec, values[spec.name])
            if message:
                problems.append((spec.name, message))
    return problems


def read_mapping(
    specs: Iterable[ParameterSpec],
    mapping: Mapping[str, Any],
    special: Mapping[str, Callable[[Any], Coerced]] | None = None,
    what: str = "a parameter of the model",
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Parse spreadsheet-style values: defaults for absent names, problems for the rest.

    ``special`` maps a name to its own parser (for tables such as share tiers). Returns
    the parsed values (without the ones that failed) and the list of problems.
    """
    specs = tuple(specs)
    special = special or {}
    known = {spec.name for spec in specs}
    problems = [(name, f"{name} is not {what}") for name in mapping if name not in known]
    values: dict[str, Any] = {}
    for spec in specs:
        if spec.name not in mapping:
            values[spec.name] = spec.default
            continue
        parse = special.get(spec.name, lambda raw, spec=spec: coerce_number(spec, raw))
        coerced = parse(mapping[spec.name])
        if coerced.problem:
            problems.append((spec.name, coerced.problem))
        else:
            values[spec.name] = coerced.value
    return values, problems


def table_rows(raw: Any) -> Iterable[Any]:
    """The rows of a table given as a list of rows, a 2-D array or a pandas DataFrame.

    A DataFrame is iterated by row, not by column name, so every table input reads alike.
    """
    if hasattr(raw, "to_numpy"):
        raw = raw.to_numpy()
    return iter(raw)
