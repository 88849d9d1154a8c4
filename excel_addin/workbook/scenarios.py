"""The Scenarios sheet: the proposals on the table, one row each, every input kept.

A negotiation session tries terms, keeps the promising ones and comes back to them.
``new_scenario`` copies every input of the workbook (``layout.all_inputs()``, tables
cell by cell) into a row named by the user; ``load_scenario`` copies a row back into the
input cells. This module is the sheet's geometry and the pure part of both macros; the
macros (``macros.py``) read the open book and apply the items through xlwings.

- Columns are found by a key row (``fixed_cost``, ``share_tiers[2,1]``), not by position,
  so a scenario saved before an input was added still loads (the new input keeps its
  value) and a new input gets a new column at the right.
- Scenario names and text values are written as text (a leading apostrophe where Excel
  would otherwise read them as a formula, a number or a date): a name such as
  ``=HYPERLINK(…)`` or ``-10%`` stays exactly what was typed.
- The sheet is not protected: the macros write to it from every Excel (xlwings Lite has no
  way to lift a protection), and a facilitator may delete or annotate rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from excel_addin.workbook import a1, layout, printing
from excel_addin.workbook.formats import DATE_TIME
from excel_addin.workbook.plan import Block, Item, Name, SheetSetup, block

SHEET = layout.SCENARIOS
NAME_ROW, MESSAGE_ROW = 4, 5
LABEL_ROW, KEY_ROW = 7, 8
FIRST_ROW = 9
FIXED_HEADERS = ("Scenario", "Saved at", "Inputs fingerprint")
FIRST_INPUT_COLUMN = len(FIXED_HEADERS) + 1
NAME_CELL, MESSAGE_CELL = "scenario_name", "scenario_message"
TEXT_PREFIX = "'"  # Excel's mark for "this is text", not part of the value


@dataclass(frozen=True)
class Slot:
    """One input cell's column: its key, a label for people, and where the cell is."""

    key: str
    label: str
    input: layout.InputCell
    row: int = 0  # 0-based row within a table input
    column: int = 0


def slots() -> tuple[Slot, ...]:
    """A slot per input cell, in workbook order; a table has one per cell."""
    found = []
    for cell in layout.all_inputs():
        if not cell.is_table:
            found.append(Slot(cell.name, cell.label, cell))
            continue
        for i in range(cell.rows):
            for j in range(cell.columns):
                header = cell.header[j] if j < len(cell.header) else f"column {j + 1}"
                label = f"{cell.label} {i + 1}: {header}"
                found.append(Slot(f"{cell.name}[{i + 1},{j + 1}]", label, cell, i, j))
    return tuple(found)


def as_text(value: Any) -> Any:
    """Text as text: with the apostrophe Excel needs so that it does not read it as anything else."""
    if isinstance(value, str) and value:
        return TEXT_PREFIX + value
    return value


def same_name(a: Any, b: Any) -> bool:
    return (
        isinstance(a, str)
        and isinstance(b, str)
        and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
    )


def template_items() -> list[Item]:
    """The sheet before any scenario: the name cell, the message line, the two header rows."""
    keys = [slot.key for slot in slots()]
    labels = [slot.label for slot in slots()]
    last = FIRST_INPUT_COLUMN + len(keys) - 1
    return [
        block(SHEET, NAME_ROW, 1, "Scenario name", style="status"),
        block(SHEET, NAME_ROW, 2, None, style="input"),
        block(SHEET, NAME_ROW, 3, "← type a name, then run new_scenario or load_scenario", style="note"),
        block(SHEET, MESSAGE_ROW, 1, "Last action", style="status"),
        block(SHEET, MESSAGE_ROW + 1, 1, printing.spec(SHEET).note, style="note"),
        block(SHEET, LABEL_ROW, 1, [[*FIXED_HEADERS, *labels]], style="header"),
        block(SHEET, KEY_ROW, 1, [["name", "saved_at", "fingerprint", *keys]], style="note"),
        Name(NAME_CELL, SHEET, a1.cell(NAME_ROW, 2)),
        Name(MESSAGE_CELL, SHEET, a1.cell(MESSAGE_ROW, 2)),
        SheetSetup(
            SHEET,
            column_widths=(
                ("A", 28.0),
                ("B", 17.0),
                ("C", 16.0),
                *((a1.column_letter(c), 13.0) for c in range(FIRST_INPUT_COLUMN, last + 1)),
            ),
            freeze=a1.cell(FIRST_ROW, 2),
            print_area=printing.nothing(last),
            row_heights=((LABEL_ROW, 45.0),),
        ),
    ]


def columns(existing: Sequence[Any]) -> list[str]:
    """The sheet's input keys as they are, then any input the sheet has no column for yet."""
    keys = [str(key) if key else "" for key in existing]
    return keys + [slot.key for slot in slots() if slot.key not in keys]


def row_for(names: Sequence[Any], name: str) -> tuple[int, bool]:
    """The sheet row of scenario ``name`` (existing: True), or the first free row after the last one."""
    last = FIRST_ROW - 1
    for offset, found in enumerate(names):
        if same_name(found, name):
            return FIRST_ROW + offset, True
        if found not in (None, ""):
            last = FIRST_ROW + offset
    return last + 1, False


def cell_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Every input cell's value by slot key, from the inputs as read (tables as rows)."""
    values = {}
    for slot in slots():
        value = raw.get(slot.input.name)
        if slot.input.is_table:
            rows = value if isinstance(value, list | tuple) else []
            row = rows[slot.row] if slot.row < len(rows) else []
            row = row if isinstance(row, list | tuple) else [row]
            value = row[slot.column] if slot.column < len(row) else None
        values[slot.key] = value
    return values


def save_items(
    name: str,
    row: int,
    keys: Sequence[str],
    existing_keys: Sequence[Any],
    raw: Mapping[str, Any],
    saved_at: datetime,
    fingerprint: str,
) -> list[Item]:
    """The row of one scenario (and the header rows again when inputs were added to the workbook)."""
    values = cell_values(raw)
    by_key = {slot.key: slot for slot in slots()}
    items: list[Item] = []
    if list(keys) != [str(k) if k else "" for k in existing_keys]:
        labels = [by_key[key].label if key in by_key else key for key in keys]
        items.append(block(SHEET, LABEL_ROW, FIRST_INPUT_COLUMN, [labels], style="header"))
        items.append(block(SHEET, KEY_ROW, FIRST_INPUT_COLUMN, [list(keys)], style="note"))
    items.append(block(SHEET, row, 1, [[as_text(name)]]))
    items.append(block(SHEET, row, 2, saved_at, DATE_TIME))
    items.append(block(SHEET, row, 3, fingerprint or None))
    column = FIRST_INPUT_COLUMN
    for fmt, run in _runs(keys, by_key):  # each input in its own number format (£, %), as on its sheet
        cells = [as_text(values.get(key)) if key in by_key else None for key in run]
        items.append(block(SHEET, row, column, [cells], fmt))
        column += len(run)
    return items


def _runs(keys: Sequence[str], by_key: Mapping[str, Slot]) -> list[tuple[str | None, list[str]]]:
    """Consecutive keys sharing a number format, so a row is written in a few blocks, not hundreds."""
    runs: list[tuple[str | None, list[str]]] = []
    for key in keys:
        slot = by_key.get(key)
        fmt = _format(slot) if slot else None
        if runs and runs[-1][0] == fmt:
            runs[-1][1].append(key)
        else:
            runs.append((fmt, [key]))
    return runs


def _format(slot: Slot) -> str | None:
    """The number format of the input cell a slot copies (a table's column format where it has one)."""
    specs = slot.input.column_specs if hasattr(slot.input, "column_specs") else ()
    if specs and slot.column < len(specs):
        from excel_addin.workbook.formats import GENERAL, input_format

        spec = specs[slot.column]
        return GENERAL if spec.unit == "text" else input_format(spec.unit, spec.integer)
    return slot.input.number_format


def load_items(keys: Sequence[Any], stored: Sequence[Any]) -> tuple[list[Item], list[str]]:
    """Blocks writing a stored row back into the input cells, and the inputs it has no column for."""
    position = {str(key): index for index, key in enumerate(keys) if key}
    grouped: dict[str, list[Slot]] = {}
    for slot in slots():
        grouped.setdefault(slot.input.name, []).append(slot)
    items: list[Item] = []
    missing = []
    for name, members in grouped.items():
        if not any(slot.key in position for slot in members):
            missing.append(name)
            continue
        cell = members[0].input
        rows: list[list[Any]] = [[None] * cell.columns for _ in range(cell.rows)]
        for slot in members:
            index = position.get(slot.key)
            value = stored[index] if index is not None and index < len(stored) else None
            rows[slot.row][slot.column] = as_text(value)
        items.append(Block(cell.sheet, a1.cell(cell.row, cell.column), tuple(tuple(r) for r in rows)))
    return items, missing


def message_items(text: str) -> list[Item]:
    """What the last scenario macro did, beside "Last action"."""
    return [block(SHEET, MESSAGE_ROW, 2, text, style="note")]
