"""Carry a workbook's inputs into a fresh workbook of this version: `partnership upgrade OLD [-o NEW]`.

A workbook made by an earlier version keeps its inputs where that version put them; this
version refuses to run it (``workbook.check_layout``) rather than read the wrong cells.
Every input is found in the old file by its defined name, wherever that name points, so
moved rows and new sheets do not matter: each input both versions have is copied (a
formula as the result Excel saved for it: the model never copies or runs formulas), a
table into the top rows of the new table, and every input the old file lacks keeps this
version's default. The old file is only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.workbook.workbook import Workbook

from excel_addin.files.lock import workbook_lock
from excel_addin.files.openpyxl_apply import write_value
from excel_addin.files.openpyxl_io import callbacks, check_not_open, open_workbook, save_atomic
from excel_addin.files.stamp import read_stamp
from excel_addin.files.template import build_template
from excel_addin.workbook import a1, layout
from excel_addin.workbook.errors import WorkbookError
from excel_addin.workbook.reader import AddressOf, Unreadable, ValueOf


@dataclass(frozen=True)
class UpgradeSummary:
    """What was copied, what kept its default, and why some inputs could not be copied."""

    source: Path
    target: Path
    made_by: str | None  # the version that made the old workbook, when it says
    copied: tuple[str, ...]
    defaults: tuple[str, ...]  # not in the old workbook: this version's default
    skipped: tuple[tuple[str, str], ...]  # (input, why): in the old workbook but not copied


def default_target(source: Path) -> Path:
    """Where the upgraded workbook goes unless told: beside the old one, ``NAME-upgraded.xlsx``."""
    source = Path(source)
    return source.with_name(f"{source.stem}-upgraded.xlsx")


def upgrade_workbook(source: Path, target: Path | None = None, force: bool = False) -> UpgradeSummary:
    """Write a fresh template to ``target`` holding every input of ``source`` it can find."""
    source = Path(source)
    target = Path(target) if target else default_target(source)
    if target.suffix.lower() != ".xlsx":
        raise WorkbookError(f"{target.name}: the new workbook must be an .xlsx file.")
    if target.exists() and target.resolve() == source.resolve():
        raise WorkbookError(f"write the upgraded workbook to a new file; {source.name} stays as it is.")
    check_not_open(target)
    with workbook_lock(target):
        if target.exists() and not force:
            raise WorkbookError(f"{target} already exists; add --force to replace it.")
        old = open_workbook(source)
        value_of, address_of = callbacks(old, source)
        fresh = build_template()
        copied, defaults, skipped = [], [], []
        for cell in layout.all_inputs():
            outcome = _copy(cell, old, fresh, value_of, address_of)
            if outcome is None:
                copied.append(cell.name)
            elif outcome == "":
                defaults.append(cell.name)
            else:
                skipped.append((cell.name, outcome))
        save_atomic(fresh, target)
    stamp = read_stamp(old)
    return UpgradeSummary(
        source, target, stamp.version if stamp else None, tuple(copied), tuple(defaults), tuple(skipped)
    )


def _copy(
    cell: layout.InputCell, old: Workbook, fresh: Workbook, value_of: ValueOf, address_of: AddressOf
) -> str | None:
    """Copy one input; None when copied, "" when the old workbook lacks it, else why it was not."""
    found = address_of(cell.name)
    if found is None:
        return ""
    sheet, ref = a1.split_sheet_ref(found)
    try:
        _, _, rows, columns = a1.parse_area(ref)
    except ValueError:
        return f"its name points to {found}, not to cells"
    if sheet not in old.sheetnames:
        return f"its name points to {found}, a sheet the workbook does not have"
    if rows > cell.rows or columns != cell.columns:
        return f"it is {rows} × {columns} cells there and {cell.rows} × {cell.columns} here"
    value = value_of(cell.name)
    if isinstance(value, Unreadable):
        return value.reason
    rows_of: list[list[Any]] = value if cell.is_table else [[value]]
    if not isinstance(rows_of, list):  # an old single cell that is a table here
        rows_of = [[rows_of]]
    ws = fresh[cell.sheet]
    for i in range(cell.rows):
        for j in range(cell.columns):
            line = rows_of[i] if i < len(rows_of) else []
            write_value(ws.cell(cell.row + i, cell.column + j), line[j] if j < len(line) else None)
    return None
