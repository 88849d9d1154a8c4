"""The add-in's macros: run the model in the open workbook, keep and load scenarios.

Each takes an open ``xlwings.Book`` and does the same as the command line, in place:

- ``run_model``: read every input by its defined name (``run.read_inputs`` with
  ``xlwings_io`` callbacks), plan the run (``run.plan_run``) and write it with
  ``xlwings_apply``. Invalid inputs: only the problems are written (``plan.failure_items``),
  next to each input and in the status area; the results stay as they were.
- ``new_scenario`` / ``load_scenario``: copy every input into / out of the row of the
  Scenarios sheet named in its name cell (see ``scenarios``).

They are called by the desktop add-in (``udfs.py``: "Import Functions" makes them macros;
``main`` is what the ribbon's "Run main" calls) and by the ``@script``s of the xlwings
Lite ``main.py``. Nothing here imports xlwings except ``main``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from excel_addin.excel import xlwings_io
from excel_addin.excel.xlwings_apply import apply_plan
from excel_addin.workbook import layout, plan, reader, run, scenarios
from excel_addin.workbook.a1 import column_letter
from excel_addin.workbook.errors import InvalidInputsError, WorkbookError


@dataclass(frozen=True)
class Outcome:
    """What a macro did, in a sentence for the person who clicked (also returned to tests)."""

    ok: bool
    message: str
    items: int = 0  # plan items written


def run_model(book: Any, computed_at: datetime | None = None) -> Outcome:
    """Compute and write every result sheet, the status area and the charts of ``book``.

    Inputs are never written. A workbook without the model's names raises
    ``WorkbookError`` (its message says what to do); invalid inputs write the problems.
    """
    value_of, address_of = xlwings_io.callbacks(book)
    try:
        inputs = run.read_inputs(value_of, address_of)
    except InvalidInputsError as error:
        items = plan.failure_items(error.located)
        apply_plan(book, items)
        return Outcome(False, plan.problems_summary(error.located), len(items))
    items = run.plan_run(inputs, computed_at)
    apply_plan(book, items)
    grid = f"{len(inputs.occupancy)} × {len(inputs.local_use)}"
    return Outcome(True, f"Results written for the {grid} grid (inputs {inputs.fingerprint}).", len(items))


def _scenario_name(book: Any) -> str | None:
    """The name typed on the Scenarios sheet, or None (no such sheet/name, or the cell is empty)."""
    if xlwings_io.address_of(book, scenarios.NAME_CELL) is None:
        raise WorkbookError(
            "This workbook has no Scenarios sheet (or its name cell was deleted). "
            "Create a fresh workbook with `partnership new` and copy your values into it."
        )
    value = xlwings_io.named_range(book, scenarios.NAME_CELL).value
    if value is None or not str(value).strip():
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _sheet_state(book: Any) -> tuple[list[Any], list[Any]]:
    """The scenario names in column A and the input keys of the key row, as the sheet holds them."""
    sheet = book.sheets[layout.SCENARIOS]
    last = sheet.used_range.last_cell
    rows = max(last.row - scenarios.FIRST_ROW + 1, 0)
    names = xlwings_io.read_area(
        book, layout.SCENARIOS, f"A{scenarios.FIRST_ROW}:A{scenarios.FIRST_ROW + rows}"
    )
    right = max(last.column, scenarios.FIRST_INPUT_COLUMN)
    keys = xlwings_io.read_area(
        book,
        layout.SCENARIOS,
        f"{column_letter(scenarios.FIRST_INPUT_COLUMN)}{scenarios.KEY_ROW}:{column_letter(right)}{scenarios.KEY_ROW}",
    )[0]
    while keys and keys[-1] in (None, ""):
        keys.pop()
    return [row[0] for row in names], keys


def _tell(book: Any, message: str, ok: bool, items: list[plan.Item] | None = None) -> Outcome:
    """Write the outcome beside "Last action" (with any other items) and return it."""
    items = (items or []) + scenarios.message_items(message)
    apply_plan(book, items)
    return Outcome(ok, message, len(items))


def new_scenario(book: Any, saved_at: datetime | None = None) -> Outcome:
    """Keep every input under the name typed on the Scenarios sheet (replacing a scenario of that name)."""
    name = _scenario_name(book)
    if name is None:
        return _tell(book, "Type a name for the scenario in the yellow cell first.", False)
    value_of, address_of = xlwings_io.callbacks(book)
    reader.check_names(address_of)
    raw = reader.read_raw(value_of)
    try:
        fingerprint, note = run.parse_inputs(raw).fingerprint, ""
    except InvalidInputsError as error:
        fingerprint, note = "", f" The inputs have {len(error.located)} problem(s); kept as typed."
    names, existing = _sheet_state(book)
    row, replaced = scenarios.row_for(names, name)
    keys = scenarios.columns(existing)
    when = saved_at or datetime.now().replace(microsecond=0)
    items = scenarios.save_items(name, row, keys, existing, raw, when, fingerprint)
    verb = "Replaced" if replaced else "Saved"
    message = f"{verb} '{name}' in row {row} at {when:%H:%M} ({len(scenarios.slots())} input cells).{note}"
    return _tell(book, message, True, items)


def load_scenario(book: Any) -> Outcome:
    """Put the scenario named on the Scenarios sheet back into the input cells (then run the model)."""
    name = _scenario_name(book)
    if name is None:
        return _tell(book, "Type the name of the scenario to load in the yellow cell first.", False)
    reader.check_names(lambda n: xlwings_io.address_of(book, n))
    names, keys = _sheet_state(book)
    row, found = scenarios.row_for(names, name)
    if not found:
        kept = ", ".join(str(n) for n in names if n not in (None, "")) or "none yet"
        return _tell(book, f"There is no scenario called '{name}' (kept: {kept}).", False)
    last = scenarios.FIRST_INPUT_COLUMN + max(len(keys), 1) - 1
    stored = xlwings_io.read_area(
        book,
        layout.SCENARIOS,
        f"{column_letter(scenarios.FIRST_INPUT_COLUMN)}{row}:{column_letter(last)}{row}",
    )[0]
    items, missing = scenarios.load_items(keys, stored)
    apply_plan(book, items, check=False)  # the one write into input cells: the user asked for it
    tail = f" Not in this scenario (left as they were): {', '.join(missing)}." if missing else ""
    return _tell(book, f"Loaded '{name}' into the inputs: run the model to see its results.{tail}", True)


def main() -> None:
    """What the xlwings ribbon's "Run main" and ``RunPython`` call: run the model in the calling book."""
    import xlwings as xw

    run_model(xw.Book.caller())
