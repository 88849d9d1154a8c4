"""A run without a spreadsheet library: inputs in, a checked plan out.

The command line (openpyxl) and the desktop add-in (xlwings) both call ``read_inputs``
with their own callbacks and apply ``plan_run``'s items with their own writer.
"""

from __future__ import annotations

from datetime import datetime

from engine import __version__
from excel_addin.workbook import reader, sheets
from excel_addin.workbook.context import RunContext
from excel_addin.workbook.plan import (
    Clear,
    Item,
    check_plan,
    problem_items,
    problems_summary,
    snapshot_items,
    status_items,
)
from excel_addin.workbook.reader import AddressOf, ModelInputs, ValueOf


def read_inputs(value_of: ValueOf, address_of: AddressOf) -> ModelInputs:
    """Check names, read and validate every input (``InvalidInputsError`` / ``WorkbookError``)."""
    return reader.read_inputs(value_of, address_of, sheets.input_checks(), sheets.input_parsers())


def parse_inputs(raw: dict) -> ModelInputs:
    """Validate raw input values by name (for callers that already read the cells)."""
    return reader.parse_inputs(raw, sheets.input_checks(), sheets.input_parsers())


def plan_run(
    inputs: ModelInputs, computed_at: datetime | None = None, version: str = __version__
) -> list[Item]:
    """Every write of a successful run: result sheets, status, cleared problems, snapshot.

    Each result sheet's owned rows are cleared first, so a smaller grid leaves no stale
    cells behind. The plan is checked never to touch an input cell.
    """
    ctx = RunContext(inputs, computed_at or datetime.now().replace(microsecond=0), version)
    items: list[Item] = []
    for sheet in sheets.SHEETS:
        items.append(Clear(sheet.name, sheet.layout.owned_row))
        items += sheet.build(ctx)
    items += status_items(inputs.fingerprint, ctx.computed_at, version, problems_summary([]))
    items += problem_items([])
    items += snapshot_items(inputs.raw, inputs.fingerprint)
    check_plan(items)
    return items
