"""A worksheet range of (name, value) rows, as the add-in's functions receive it.

Worksheet functions take their terms from a range the user points at, typically the
Inputs sheet itself (``Inputs!A1:F60``): column 1 holds a name or label, column 2 its
value. The range arrives as xlwings passes it: rows of cell values, ``None`` for an
empty cell, floats for whole numbers, text as typed.

Rules (the add-in's README repeats them):

- Column 1 is matched, ignoring case and surrounding spaces, to an input's name
  (``fixed_cost``) or its label on the Inputs sheet (``Fixed cost``).
- A table input (``share_tiers``, ``history``) takes its rows from the lines below its
  name whose column 1 is empty, reading as many columns from column 2 as the table has;
  the name's own line is a header when its cells are text or empty, else the first row.
- Skipped: empty lines, lines whose value cells are all empty (titles, section headings),
  and the workbook's own words (column headers, the run status, inputs of result sheets
  that no function uses).
- Anything else with a value is a problem: a misspelt name would otherwise silently
  leave its default in place.
- A name given twice is a problem (which one counts would be a guess).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from engine import PARAMETERS, UNCERTAINTY_INPUTS, ParameterError, ParameterSpec
from excel_addin.workbook import layout

# Inputs the functions understand, by family; a name belongs to the first family listing it.
FAMILIES: dict[str, tuple[ParameterSpec, ...]] = {
    "parameters": PARAMETERS,
    "uncertainty": UNCERTAINTY_INPUTS,
    "axes": layout.AXIS_SPECS,
}
TABLE_WIDTHS: dict[str, int] = {"share_tiers": 2, "history": 2}


@dataclass(frozen=True)
class Key:
    """What a column-1 text means: an input of a family, or a workbook word to skip."""

    name: str
    family: str  # a FAMILIES key, or "skip"


def _fold(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def _keys() -> dict[str, Key]:
    """Names first, then labels (a label never hides a name); the workbook's own words skip."""
    keys: dict[str, Key] = {}
    for family, specs in FAMILIES.items():
        for spec in specs:
            keys.setdefault(_fold(spec.name), Key(spec.name, family))
    for family, specs in FAMILIES.items():
        for spec in specs:
            keys.setdefault(_fold(spec.label), Key(spec.name, family))
    words: list[str] = [*layout.COLUMNS.headers, "Run status"]
    words += [text for cell in layout.STATUS for text in (cell.name, cell.label)]
    words += [text for cell in layout.all_inputs() for text in (cell.name, cell.label)]
    for word in words:
        keys.setdefault(_fold(word), Key(word, "skip"))
    return keys


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_rows(raw: Any) -> list[list[Any]]:
    """Any range value as rows: a scalar is one cell, a flat list one row."""
    if raw is None:
        return []
    if hasattr(raw, "tolist") and not isinstance(raw, str):
        raw = raw.tolist()
    if not isinstance(raw, list | tuple):
        return [[raw]]
    if all(not isinstance(item, list | tuple) for item in raw):
        return [list(raw)]
    return [list(row) if isinstance(row, list | tuple) else [row] for row in raw]


@dataclass(frozen=True)
class NamedValues:
    """The inputs a range gives, by family: ``{"parameters": {"fixed_cost": 775000.0}, …}``."""

    families: dict[str, dict[str, Any]]

    def family(self, name: str) -> dict[str, Any]:
        return dict(self.families.get(name, {}))

    def merged(self, overrides: NamedValues) -> NamedValues:
        """These values with ``overrides`` taking precedence, name by name."""
        names = set(self.families) | set(overrides.families)
        return NamedValues({f: {**self.family(f), **overrides.family(f)} for f in names})


def read_range(raw: Any, what: str = "parameters") -> NamedValues:
    """Parse a (name, value) range; one ``ParameterError`` names every problem with its row."""
    keys = _keys()
    rows = as_rows(raw)
    found: dict[str, tuple[str, Any, int]] = {}
    problems: list[tuple[str, str]] = []
    index = 0
    while index < len(rows):
        row, number = rows[index], index + 1
        index += 1
        if not row or _empty(row[0]):
            continue
        values = row[1:]
        key = keys.get(_fold(row[0])) if isinstance(row[0], str) else None
        if key is None:
            if any(not _empty(v) for v in values):
                problems.append((what, f"{what} row {number}: {row[0]!r} is not an input of the model"))
            continue
        if key.family == "skip":
            continue
        value: Any  # a table's rows, or one cell's value
        if key.name in TABLE_WIDTHS:
            value, index = _table(rows, index, TABLE_WIDTHS[key.name], values)
        else:
            value = values[0] if values else None
            if _empty(value) and key.family != "parameters":
                continue  # an optional setting left empty keeps its default
        if key.name in found:
            first = found[key.name][2]
            problems.append((key.name, f"{key.name} is given twice in {what} (rows {first} and {number})"))
            continue
        found[key.name] = (key.family, value, number)
    if problems:
        raise ParameterError(problems)
    families: dict[str, dict[str, Any]] = {}
    for name, (family, value, _) in found.items():
        families.setdefault(family, {})[name] = value
    return NamedValues(families)


def _table(rows: Sequence[list[Any]], index: int, width: int, own: list[Any]) -> tuple[list[list[Any]], int]:
    """The rows of a table input: its own line if it holds numbers, then the unnamed lines below."""
    body: list[list[Any]] = []
    first = _pad(own, width)
    if any(not _empty(v) and not isinstance(v, str) for v in first):
        body.append(first)
    while index < len(rows) and (not rows[index] or _empty(rows[index][0])):
        body.append(_pad(rows[index][1:], width))
        index += 1
    return body, index


def _pad(values: Iterable[Any], width: int) -> list[Any]:
    cells = list(values)[:width]
    return cells + [None] * (width - len(cells))


def read_overrides(raw: Any) -> NamedValues:
    """Overrides: (name, value) rows, or one row of name, value, name, value… (an array constant)."""
    rows = as_rows(raw)
    if len(rows) == 1 and len(rows[0]) > 2 and len(rows[0]) % 2 == 0:
        flat = rows[0]
        rows = [[flat[k], flat[k + 1]] for k in range(0, len(flat), 2)]
    return read_range(rows, "overrides")
