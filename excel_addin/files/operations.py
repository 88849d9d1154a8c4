"""Workbook files, end to end: create, check, run. What the command line calls.

Every function either completes or raises ``WorkbookError`` / ``InvalidInputsError`` having
left the files on disk as they were. A function that writes holds the workbook's lock
(``file_lock.workbook_lock``) from reading to saving, so two commands never interleave.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl.workbook.workbook import Workbook

from engine import __version__
from excel_addin.files import surroundings
from excel_addin.files.lock import workbook_lock
from excel_addin.files.openpyxl_apply import apply_plan
from excel_addin.files.openpyxl_io import callbacks, check_not_open, open_workbook, read_snapshot, save_atomic
from excel_addin.files.safety import read_checked
from excel_addin.files.stamp import VERSION_PROPERTY, layout_message, missing_sheets, read_stamp
from excel_addin.files.template import build_template
from excel_addin.workbook import layout, sheets
from excel_addin.workbook.errors import WorkbookError
from excel_addin.workbook.reader import AddressOf, ModelInputs, changed_inputs, name_problems
from excel_addin.workbook.run import plan_run, read_inputs


@dataclass(frozen=True)
class RunSummary:
    """What a run wrote, for the command line's report."""

    source: Path
    output: Path
    fingerprint: str
    computed_at: datetime
    version: str
    occupancy_count: int
    local_use_count: int
    sheets: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (sheet, why): sheets left without results, e.g. empty tables


@dataclass(frozen=True)
class CheckSummary:
    """Valid inputs, and whether the results in the file were computed from them."""

    path: Path
    inputs: ModelInputs
    status: str  # layout.NOT_RUN, OUT_OF_DATE or UP_TO_DATE
    changed: list[str] = field(default_factory=list)


def new_workbook(path: Path, force: bool = False) -> Path:
    """Write a fresh template to ``path``; an existing file is replaced only with ``force``."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise WorkbookError(f"{path.name}: a new workbook must be an .xlsx file.")
    with workbook_lock(path):
        if path.exists() and not force:
            raise WorkbookError(f"{path} already exists; add --force to replace it with a fresh template.")
        save_atomic(build_template(), path)
    return path


def check_output(source: Path, target: Path, force: bool) -> None:
    """Refuse to replace a file other than the source unless the model made it, or ``force``."""
    surroundings.refuse_special(target, "the results", "Nothing was written.")
    if not target.exists() or os.path.abspath(target) == os.path.abspath(source) or force:
        return
    if not made_by_model(target):
        raise WorkbookError(
            f"{target} already exists and is not a workbook made by the partnership model; nothing was "
            f"written. Choose another name after -o, or add --force to replace it."
        )


def made_by_model(path: Path) -> bool:
    """Whether ``path`` is a workbook carrying the model's stamp (read safely, never parsed whole)."""
    try:
        data = read_checked(path).data
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            custom = archive.read("docProps/custom.xml")
    except (WorkbookError, KeyError, zipfile.BadZipFile, OSError, ValueError):
        return False
    return VERSION_PROPERTY.encode() in custom


def check_layout(wb: Workbook, address_of: AddressOf, file: str) -> None:
    """Refuse a workbook whose sheets or names are not where this version keeps them.

    The message says which version made it (its stamp) and how to carry its inputs over.
    """
    problems = missing_sheets(wb) + name_problems(address_of)
    if problems:
        raise WorkbookError(layout_message(file, problems, read_stamp(wb)))


def load_inputs(path: Path, read_only: bool = False) -> tuple[Workbook, ModelInputs]:
    """Open the workbook, check its layout and read its validated inputs (``read_only``: not to save)."""
    wb = open_workbook(Path(path), read_only=read_only)
    value_of, address_of = callbacks(wb, Path(path))
    check_layout(wb, address_of, Path(path).name)
    return wb, read_inputs(value_of, address_of)


def check_workbook(path: Path) -> CheckSummary:
    """Validate the inputs and compare them with the snapshot of the last run (nothing is written)."""
    wb, inputs = load_inputs(path, read_only=True)
    kept = read_snapshot(wb)
    wb.close()
    if kept is None:
        return CheckSummary(Path(path), inputs, layout.NOT_RUN)
    changed = changed_inputs(inputs.raw, kept)
    return CheckSummary(Path(path), inputs, layout.OUT_OF_DATE if changed else layout.UP_TO_DATE, changed)


def run_workbook(
    path: Path, output: Path | None = None, computed_at: datetime | None = None, force: bool = False
) -> RunSummary:
    """Read, validate, compute, write every result sheet and save ``output`` (default: in place).

    An ``output`` that exists is replaced only if it is a workbook the model made, or with
    ``force``: ``-o report.docx`` by a slip of the keyboard must not destroy the report.
    """
    path = Path(path)
    target = Path(output) if output else path
    check_not_open(target)
    with workbook_lock(target):  # read, compute and save as one: a second run waits
        if output:
            check_output(path, target, force)
        wb, inputs = load_inputs(path)
        computed_at = computed_at or datetime.now().replace(microsecond=0)
        apply_plan(wb, plan_run(inputs, computed_at, __version__))
        save_atomic(wb, target)
    return RunSummary(
        path,
        target,
        inputs.fingerprint,
        computed_at,
        __version__,
        len(inputs.occupancy),
        len(inputs.local_use),
        tuple(sheet.name for sheet in sheets.SHEETS if not sheet.skipped(inputs.values)),
        tuple((sheet.name, why) for sheet in sheets.SHEETS if (why := sheet.skipped(inputs.values))),
    )
