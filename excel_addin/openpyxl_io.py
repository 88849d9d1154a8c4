"""Workbook files on disk through openpyxl: open, read by defined name, save atomically.

openpyxl parses XML with defusedxml when it is installed (a dependency of this project),
so a crafted file cannot expand entities or reach the network while being read.
Every failure becomes a ``WorkbookError`` a finance officer can act on, and a failed save
never leaves a half-written file: the workbook is written next to the target and moved
over it in one step.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.xml import DEFUSEDXML

from . import a1, layout
from .errors import WorkbookError
from .reader import AddressOf, Unreadable, ValueOf

SUFFIXES = (".xlsx", ".xlsm")
SAFE_XML = DEFUSEDXML  # True when openpyxl parses through defusedxml


def lock_files(path: Path) -> list[Path]:
    """Lock files Excel (``~$name``) or LibreOffice (``.~lock.name#``) keep beside an open workbook."""
    names = [f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"]
    return [path.with_name(name) for name in dict.fromkeys(names) if path.with_name(name).exists()]


def check_not_open(path: Path) -> None:
    """Refuse to write a workbook that Excel or LibreOffice has open: it would lose our changes."""
    locks = lock_files(path)
    if locks:
        raise WorkbookError(
            f"{path.name} is open in Excel or LibreOffice (lock file {locks[0].name} is present). "
            f"Close it there and run again; if no program has it open, delete {locks[0].name}."
        )


def open_workbook(path: Path) -> Workbook:
    """Load a workbook for reading and writing, or say in plain words why it cannot be."""
    path = Path(path)
    if not path.exists():
        raise WorkbookError(f"{path} does not exist. Create one with `partnership new {path}`.")
    if path.is_dir():
        raise WorkbookError(f"{path} is a folder, not an Excel workbook.")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise WorkbookError(
            f"{path.name} is in the old Excel 97–2003 format; save it as .xlsx in Excel first."
        )
    if suffix not in SUFFIXES:
        raise WorkbookError(
            f"{path.name} is not an Excel workbook (.xlsx); the model reads .xlsx or .xlsm files."
        )
    try:
        return openpyxl.load_workbook(path, keep_vba=suffix == ".xlsm", keep_links=False)
    except PermissionError as error:
        raise WorkbookError(f"{path.name} cannot be read: permission denied ({error.strerror}).") from None
    except (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        TypeError,
        OSError,
        IndexError,
        AttributeError,
    ) as error:
        raise WorkbookError(
            f"{path.name} could not be read as an Excel workbook: it is damaged, or not really an .xlsx "
            f"file ({type(error).__name__}: {error}). Open it in Excel and save it again, or start from "
            f"`partnership new`."
        ) from None
    except Exception as error:  # openpyxl raises its own types for malformed parts
        raise WorkbookError(f"{path.name} could not be read as an Excel workbook ({error}).") from None


def _is_formula(value: Any) -> bool:
    return isinstance(value, ArrayFormula | DataTableFormula) or (
        isinstance(value, str) and value.startswith("=")
    )


class _Cells:
    """Cell values by defined name; a formula's saved result is fetched only when one is met."""

    def __init__(self, wb: Workbook, path: Path | None):
        self.wb, self.path = wb, path
        self._values: Workbook | None = None

    def address_of(self, name: str) -> str | None:
        defined = self.wb.defined_names.get(name)
        if defined is None:
            return None
        try:
            destinations = list(defined.destinations)
        except Exception:
            return defined.attr_text
        if len(destinations) != 1:
            return defined.attr_text
        sheet, ref = destinations[0]
        return a1.sheet_ref(sheet, ref.replace("$", ""))

    def value_of(self, name: str) -> Any:
        sheet, ref = a1.split_sheet_ref(self.address_of(name) or "")
        if sheet not in self.wb.sheetnames:
            return Unreadable(f"{name}: the name does not point to a cell of this workbook")
        row, column, rows, columns = a1.parse_area(ref)
        cell = layout.input_cell(name)
        table = cell is not None and cell.is_table
        values = [
            [self._value(name, sheet, row + i, column + j) for j in range(columns)] for i in range(rows)
        ]
        return values if table else values[0][0]

    def _value(self, name: str, sheet: str, row: int, column: int) -> Any:
        value = self.wb[sheet].cell(row, column).value
        if not _is_formula(value):
            return value
        saved = self._saved(sheet, row, column)
        if saved is None:
            where = f"{sheet}!{a1.cell(row, column)}"
            return Unreadable(
                f"{name} holds a formula in {where} whose result is not saved in the file; type the value, "
                "or open and save the workbook in Excel first"
            )
        return saved

    def _saved(self, sheet: str, row: int, column: int) -> Any:
        if self._values is None:
            if self.path is None:
                return None
            self._values = openpyxl.load_workbook(self.path, data_only=True, read_only=False)
        return self._values[sheet].cell(row, column).value


def callbacks(wb: Workbook, path: Path | None = None) -> tuple[ValueOf, AddressOf]:
    """The reader callbacks for an openpyxl workbook (``path`` lets formulas' saved values be read)."""
    cells = _Cells(wb, Path(path) if path else None)
    return cells.value_of, cells.address_of


def read_area(wb: Workbook, sheet: str, ref: str) -> list[list[Any]]:
    """The values of a rectangle, as rows."""
    row, column, rows, columns = a1.parse_area(ref)
    ws = wb[sheet]
    return [[ws.cell(row + i, column + j).value for j in range(columns)] for i in range(rows)]


def read_snapshot(wb: Workbook) -> dict[str, Any] | None:
    """The inputs as they were at the last successful run, or None when there has been none."""
    if layout.SNAPSHOT not in wb.sheetnames:
        return None
    ws = wb[layout.SNAPSHOT]
    if not ws[layout.SNAPSHOT_FINGERPRINT.ref].value:
        return None
    kept = {}
    for slot in layout.snapshot_slots():
        values = read_area(wb, layout.SNAPSHOT, slot.ref)
        kept[slot.cell.name] = values if slot.cell.is_table else values[0][0]
    return kept


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def save_atomic(wb: Workbook, path: Path, before_replace: Callable[[Path], None] | None = None) -> None:
    """Write to a temporary file beside ``path`` and move it over ``path`` in one step.

    A crash, a full disk or an open file leaves the old workbook exactly as it was.
    ``before_replace`` is a test hook called with the finished temporary file.
    """
    path = Path(path)
    check_not_open(path)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    except OSError as error:
        raise WorkbookError(
            f"cannot write in the folder {path.parent} ({error.strerror or error})."
        ) from None
    os.close(descriptor)
    temp = Path(temporary)
    try:
        wb.save(temp)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(temp, (path.stat().st_mode & 0o777) if path.exists() else _default_mode())
        if before_replace:
            before_replace(temp)
        os.replace(temp, path)
    except OSError as error:
        raise WorkbookError(
            f"{path.name} could not be saved ({error.strerror or error}); it is unchanged."
        ) from None
    finally:
        temp.unlink(missing_ok=True)
