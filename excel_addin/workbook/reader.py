"""From cell values to validated engine inputs, whatever library reads the cells.

Readers differ (openpyxl for files, xlwings for a live Excel, Pyodide for xlwings Lite),
but the parsing, validation and messages must not: each reader supplies two callbacks,
``value_of(name)`` (the value of a defined name: a scalar, or rows of values for a table)
and ``address_of(name)`` (where the name points, or None), and everything else is here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

from engine import Coerced, ParameterError, Parameters, make_axis, range_problems, read_mapping
from excel_addin.workbook import a1, layout
from excel_addin.workbook.errors import InvalidInputsError, LocatedProblem, WorkbookError

ValueOf = Callable[[str], Any]
AddressOf = Callable[[str], "str | None"]
Check = Callable[[Mapping[str, Any]], list[tuple[str, str]]]
Parser = Callable[[Any], Coerced]  # a table input's own parser, as engine.read_mapping takes it
AXES = ("occupancy", "local_use")


@dataclass(frozen=True)
class Unreadable:
    """A cell value a reader could not turn into a plain value (a formula never calculated)."""

    reason: str


@dataclass(frozen=True)
class ModelInputs:
    """Everything a run needs, validated: parameters, axes and every other input by name."""

    params: Parameters
    values: dict[str, Any]  # every input by name, parsed (share_tiers as pairs)
    raw: dict[str, Any]  # every input as its cells held it, for the snapshot
    occupancy: np.ndarray
    local_use: np.ndarray

    @property
    def fingerprint(self) -> str:
        """12 hex digits that change whenever any parsed input changes."""
        canonical = json.dumps(_jsonable(self.values), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # Excel has no integers: 41 read from a file is 41.0 read from Excel
    return value


def name_problems(address_of: AddressOf) -> list[str]:
    """Defined names the model relies on that are missing or point to another cell."""
    problems = []
    for name, expected in layout.fixed_names().items():
        found = address_of(name)
        if found is None:
            problems.append(f"the name '{name}' is missing (it should point to {_plain(expected)})")
        elif _normal(found) != _normal(expected):
            problems.append(
                f"the name '{name}' points to {_plain(found)} but the model expects {_plain(expected)}"
            )
    return problems


def check_names(address_of: AddressOf, source: str = "The workbook") -> None:
    """Raise ``WorkbookError`` when the workbook's names do not match the layout."""
    problems = name_problems(address_of)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise WorkbookError(
            f"{source} does not have the layout of the partnership model "
            f"(rows moved, names deleted, or made by another version):\n{listed}\n"
            "Create a fresh workbook with `partnership new` and copy your values into it."
        )


def _normal(ref: str) -> tuple[str, str]:
    sheet, cells = a1.split_sheet_ref(ref)
    return sheet, cells.upper()


def _plain(ref: str) -> str:
    sheet, cells = a1.split_sheet_ref(ref)
    return f"{sheet}!{cells}"


def read_raw(value_of: ValueOf) -> dict[str, Any]:
    """Every input's cell value(s), by name, as the reader gives them."""
    return {cell.name: value_of(cell.name) for cell in layout.all_inputs()}


def parse_inputs(
    raw: Mapping[str, Any], checks: Iterable[Check] = (), parsers: Mapping[str, Parser] | None = None
) -> ModelInputs:
    """Validate every input at once; ``InvalidInputsError`` names each problem's cell.

    ``checks`` are extra rules of result sheets (each returns (name, message) pairs; they
    see the parameters too when those are valid, e.g. block places ≤ places) and
    ``parsers`` their table inputs' own parsers; every other input is a number checked
    against its spec.
    """
    problems = [(name, value.reason) for name, value in raw.items() if isinstance(value, Unreadable)]
    problems += _date_problems(raw, parsers or {})
    usable = {name: value for name, value in raw.items() if name not in dict(problems)}
    params = _parameters(usable, problems)
    values, others = _other_inputs(usable, parsers or {})
    problems += others
    axes = {axis: _axis(axis, values, problems) for axis in AXES}
    seen = values if params is None else {**values, **params.to_mapping()}
    for check in checks:
        problems += check(seen)
    if problems or params is None:
        raise InvalidInputsError(locate(problems))
    values.update(params.to_mapping())
    return ModelInputs(params, values, dict(raw), axes["occupancy"], axes["local_use"])


def _date_problems(raw: Mapping[str, Any], parsers: Mapping[str, Parser]) -> list[tuple[str, str]]:
    """A date or time in a number cell: Excel shows it as a date, so its serial number is not meant.

    (Tables and inputs with their own parser judge their cells themselves.)
    """
    problems = []
    for name, value in raw.items():
        if name in parsers or not isinstance(value, date | time | timedelta):
            continue
        if isinstance(value, datetime):
            shown = f"{value:%d %b %Y}" if value.time() == time() else f"{value:%d %b %Y %H:%M}"
        elif isinstance(value, date):
            shown = f"{value:%d %b %Y}"
        else:
            shown = str(value)
        problems.append(
            (name, f"{name} = {shown} is a date or time, not a number (format the cell as a number)")
        )
    return problems


def _parameters(raw: Mapping[str, Any], problems: list[tuple[str, str]]) -> Parameters | None:
    names = layout.parameter_names()
    try:
        return Parameters.from_mapping({name: raw[name] for name in names if name in raw})
    except ParameterError as error:
        problems += error.problems
        return None


def _other_inputs(
    raw: Mapping[str, Any], parsers: Mapping[str, Parser]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Parse and range-check every input that is not a parameter of the model."""
    parameter_names = set(layout.parameter_names())
    specs = [cell.spec for cell in layout.all_inputs() if cell.name not in parameter_names]
    present = {spec.name: raw[spec.name] for spec in specs if spec.name in raw}
    values, problems = read_mapping(specs, present, parsers, what="an input of the workbook")
    numbers = [spec for spec in specs if spec.name not in parsers]
    problems += range_problems(numbers, {name: values[name] for name in present if name in values})
    return values, problems


def _axis(axis: str, values: Mapping[str, Any], problems: list[tuple[str, str]]) -> np.ndarray:
    """The axis values, or an empty axis when its inputs already have problems."""
    names = [f"{axis}_{part}" for part in ("min", "max", "step")]
    if any(name in dict(problems) for name in names):
        return np.empty(0)
    try:
        minimum, maximum, step = (values[name] for name in names)
        return make_axis(minimum, maximum, step, name=axis)
    except ParameterError as error:
        problems += error.problems
        return np.empty(0)


def locate(problems: Iterable[tuple[str, str]]) -> list[LocatedProblem]:
    """Attach each problem to its input's label and cell (a table's problem to its own cell)."""
    located = []
    for name, message in problems:
        cell, where = layout.locate(name)
        located.append(
            LocatedProblem(cell.name if cell else name, cell.label if cell else name, where, message)
        )
    return located


def read_inputs(
    value_of: ValueOf,
    address_of: AddressOf,
    checks: Iterable[Check] = (),
    parsers: Mapping[str, Parser] | None = None,
) -> ModelInputs:
    """Check the names, read every input cell, validate: the one entry point for readers."""
    check_names(address_of)
    return parse_inputs(read_raw(value_of), checks, parsers)


def as_text(value: Any) -> str:
    """A cell value as the snapshot formula compares it (``cell&""``): 15 significant digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | np.number):
        return f"{float(value):.15g}"
    return str(value).casefold()


def _flat(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return [item for row in value for item in (row if isinstance(row, list | tuple) else [row])]
    return [value]


def changed_inputs(raw: Mapping[str, Any], kept: Mapping[str, Any]) -> list[str]:
    """Inputs whose cells differ from the snapshot, by the rule of the out-of-date formula."""
    changed = []
    for name, value in raw.items():
        now, then = [as_text(v) for v in _flat(value)], [as_text(v) for v in _flat(kept.get(name))]
        if now != then:
            changed.append(name)
    return changed
