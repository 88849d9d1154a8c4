"""Reading a table of members (the councils of a region, the homes of a portfolio).

Both arrive as a spreadsheet gives them: a header row then one row per member, ``None``
for empty cells, empty rows (typically at the foot of a table range) ignored. One reader
serves both so that every message reads the same way, names the member and the column,
and every problem is reported at once: ``council 'Westshire' use_share = 1.2 must be at
most 1``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine.core.cells import format_value
from engine.core.fields import ParameterSpec, coerce_number, range_problem

Problems = list[tuple[str, str]]


@dataclass(frozen=True)
class MemberTable:
    """What a member table looks like: its name, its members' word, its number columns.

    ``required`` columns must be present with a value in every row; the other columns may
    be absent or have empty cells (NaN in the result), which the caller fills with the
    partnership's value.
    """

    table: str  # "councils": used in problem names such as "councils[2].use_share"
    member: str  # "council": the name column, and the word in messages
    columns: tuple[ParameterSpec, ...]
    required: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # headings accepted but not read (a column a setting makes unused)

    @property
    def column_names(self) -> tuple[str, ...]:
        return (self.member, *(spec.name for spec in self.columns))


def is_empty(cell: Any) -> bool:
    """An empty spreadsheet cell: None, or text of only spaces."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def heading_key(heading: Any) -> str:
    """A heading as a column name: "Use share" and "use-share" both read as use_share."""
    return "_".join(str(heading).strip().lower().replace("-", " ").split())


def read_members(rows: Any, spec: MemberTable) -> tuple[pd.DataFrame, Problems]:
    """Parse a member table; returns the table (bad cells as NaN) and every problem.

    ``rows`` is a pandas DataFrame (NaN = empty), a list of dicts (one per row), or a list of
    rows whose first row is the header. The result has a ``row`` column (1-based position
    below the header, counting the empty rows skipped, so it matches the sheet), the name
    column ``spec.member`` and one float column per ``spec.columns``.
    """
    header, body, problems = _header_and_body(rows, spec)
    if problems:
        return _frame([], spec), problems
    columns, problems = _columns(header, body, spec)
    if problems:
        return _frame([], spec), problems

    records = []
    for number, row in enumerate(body, start=1):
        cells = list(row) + [None] * (len(header) - len(row))
        if all(is_empty(cell) for cell in cells):
            continue
        extra = [cell for cell in cells[len(header) :] if not is_empty(cell)]
        if extra:
            problems.append(
                (f"{spec.table}[{number}]", f"{spec.member} in row {number} has values beyond the headings")
            )
        record, row_problems = _read_row(number, {key: cells[i] for key, i in columns.items()}, spec)
        records.append(record)
        problems += row_problems
    if not records:
        problems.append(
            (spec.table, f"the {spec.table} table has no {spec.table}: give one row per {spec.member}")
        )
    problems += _duplicate_problems(records, spec)
    return _frame(records, spec), problems


def label(spec: MemberTable, record: Mapping[Any, Any]) -> str:
    """How a message names a member: ``council 'Westshire'``, or ``council in row 3``."""
    name = record.get(spec.member)
    if isinstance(name, str) and name:
        return f"{spec.member} {format_value(name)}"
    return f"{spec.member} in row {record['row']}"


def _header_and_body(rows: Any, spec: MemberTable) -> tuple[list[Any], list[list[Any]], Problems]:
    shape_problem = [
        (spec.table, f"the {spec.table} table must be rows under a header ({', '.join(spec.column_names)})")
    ]
    if isinstance(rows, pd.DataFrame):
        cells = rows.astype(object).where(rows.notna(), None)
        return list(rows.columns), [list(row) for row in cells.to_numpy()], []
    if rows is None or isinstance(rows, str | bytes | Mapping):
        return [], [], shape_problem
    try:
        rows = list(rows)
    except TypeError:
        return [], [], shape_problem
    if rows and all(isinstance(row, Mapping) for row in rows):
        header = list(dict.fromkeys(key for row in rows for key in row))
        return header, [[row.get(key) for key in header] for row in rows], []
    if not rows or any(
        isinstance(row, str | bytes | Mapping) or not isinstance(row, Iterable) for row in rows
    ):
        return [], [], shape_problem
    table = [list(row) for row in rows]
    return table[0], table[1:], []


def _columns(
    header: list[Any], body: Sequence[Sequence[Any]], spec: MemberTable
) -> tuple[dict[str, int], Problems]:
    """Which position holds which column; unknown, repeated and missing headings are problems."""
    known = {spec.member: spec.member, "name": spec.member, **{c.name: c.name for c in spec.columns}}
    known.update({name: name for name in spec.ignored})
    columns: dict[str, int] = {}
    problems: Problems = []
    for index, heading in enumerate(header):
        if is_empty(heading):
            if any(index < len(row) and not is_empty(row[index]) for row in body):
                problems.append(
                    (spec.table, f"the {spec.table} table has values in column {index + 1} under no heading")
                )
            continue
        key = known.get(heading_key(heading))
        if key is None:
            problems.append(
                (
                    spec.table,
                    f"the {spec.table} table heading {format_value(heading)} is not one of "
                    f"{', '.join(spec.column_names)}",
                )
            )
        elif key in columns:
            problems.append((spec.table, f"the {spec.table} table has the column {key} twice"))
        else:
            columns[key] = index
    for name in (spec.member, *spec.required):
        if name not in columns:
            problems.append((f"{spec.table}.{name}", f"the {spec.table} table needs a column {name}"))
    return columns, problems


def _read_row(number: int, cells: Mapping[str, Any], spec: MemberTable) -> tuple[dict[str, Any], Problems]:
    record: dict[str, Any] = {"row": number, spec.member: _name(cells.get(spec.member))}
    who = label(spec, record)
    problems: Problems = []
    if not record[spec.member]:
        raw = cells.get(spec.member)
        why = "has no name" if is_empty(raw) else f"has the name {format_value(raw)}, which is not text"
        problems.append((f"{spec.table}[{number}].{spec.member}", f"{spec.member} in row {number} {why}"))
    for column in spec.columns:
        raw = cells.get(column.name)
        record[column.name] = math.nan
        if is_empty(raw) and column.name not in spec.required:
            continue
        coerced = coerce_number(column, raw)
        message = coerced.problem or range_problem(column, coerced.value)
        if coerced.problem is None:
            record[column.name] = float(coerced.value)
        if message:
            problems.append((f"{spec.table}[{number}].{column.name}", f"{who} {message}"))
    return record, problems


def _name(raw: Any) -> str:
    """A member's name as text ("" when there is none); a number typed as a name is kept."""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, int | float | np.integer | np.floating) and not isinstance(raw, bool | np.bool_):
        return format_value(float(raw)) if math.isfinite(raw) else ""
    return ""


def _duplicate_problems(records: list[dict[str, Any]], spec: MemberTable) -> Problems:
    """Names must differ (ignoring case and surrounding spaces): results are looked up by name."""
    rows_by_name: dict[str, list[int]] = {}
    for record in records:
        if record[spec.member]:
            rows_by_name.setdefault(record[spec.member].casefold(), []).append(record["row"])
    problems = []
    for record in records:
        rows = rows_by_name.get(record[spec.member].casefold(), [])
        if len(rows) > 1 and record["row"] == rows[0]:
            listed = ", ".join(str(r) for r in rows[:-1]) + f" and {rows[-1]}"
            problems.append(
                (
                    f"{spec.table}[{rows[1]}].{spec.member}",
                    f"{spec.member} {format_value(record[spec.member])} appears in rows {listed}; "
                    f"each {spec.member} needs a different name",
                )
            )
    return problems


def _frame(records: list[dict[str, Any]], spec: MemberTable) -> pd.DataFrame:
    """The records as a table with fixed dtypes, built column by column (cheap for a few rows)."""
    columns: dict[str, Any] = {
        "row": np.array([record["row"] for record in records], dtype=int),
        spec.member: np.array([record[spec.member] for record in records], dtype=object),
    }
    for column in spec.columns:
        columns[column.name] = np.array([record[column.name] for record in records], dtype=float)
    return pd.DataFrame(columns)
