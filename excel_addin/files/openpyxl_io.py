"""Workbook files on disk through openpyxl: open, read by defined name, save atomically.

Reading: the file is read into memory once and checked (``file_safety``: what it is, how
big it would become, no DTD) before openpyxl parses those bytes, always through
defusedxml. Input cells are read as values; a formula is never evaluated: its result as
Excel saved it is read instead. Writing: under the workbook's lock (``file_lock``), to a
temporary file beside it that is moved over it in one step, and only while the file on
disk is still the one that was read. Every failure is a ``WorkbookError`` a finance
officer can act on, and leaves the file as it was.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import io
import os
import re
import sys
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import openpyxl
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.workbook import Workbook
from openpyxl.xml import DEFUSEDXML

from excel_addin.files import surroundings
from excel_addin.files.lock import workbook_lock
from excel_addin.files.safety import CheckedFile, Limits, check_safe_parser, read_checked, signature_of
from excel_addin.workbook import a1, layout
from excel_addin.workbook.errors import WorkbookError
from excel_addin.workbook.reader import AddressOf, Unreadable, ValueOf

SUFFIXES = (".xlsx", ".xlsm")
SAFE_XML = DEFUSEDXML  # True when openpyxl parses through defusedxml
SAVING = ".partnership-save-"  # temporary files: ".NAME.partnership-save-XXXX.tmp"
_sources: WeakKeyDictionary[Workbook, CheckedFile] = WeakKeyDictionary()  # what each workbook was read from
# input formulas read with their saved results: (sheet, row, column) -> (formula, result)
_results: WeakKeyDictionary[Workbook, dict[tuple[str, int, int], tuple[str, Any]]] = WeakKeyDictionary()


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


def open_workbook(path: Path, limits: Limits | None = None, read_only: bool = False) -> Workbook:
    """Load a workbook for reading and writing, or say in plain words why it cannot be.

    ``read_only``: for reading inputs only (``partnership check`` and the commands that only
    compute): openpyxl then parses a sheet's cells only when they are read, and only down to
    the last row read, instead of every cell of every result sheet; such a workbook cannot be saved.
    """
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
    check_safe_parser()
    checked = read_checked(path, limits)
    wb = _load(checked.data, path.name, keep_vba=suffix == ".xlsm", read_only=read_only)
    _check_links(wb, path.name)
    _sources[wb] = checked
    return wb


def _check_links(wb: Workbook, name: str) -> None:
    """Links to other workbooks are kept whole when the file is saved; DDE and OLE links cannot be.

    openpyxl keeps a link to another workbook (its address and the values Excel last read
    from it) but not a DDE or OLE link, which asks Excel to start another program; saving
    would leave formulas pointing at nothing, so such a workbook is refused.
    """
    for index, link in enumerate(getattr(wb, "_external_links", []), start=1):
        if link.externalBook is None:
            raise WorkbookError(
                f"{name} has a link to another program (a DDE or OLE link, external link {index}); the model "
                "does not read workbooks with those. In Excel: Data › Edit Links › Break Link, save, and run "
                "again."
            )


def _load(
    data: bytes, name: str, keep_vba: bool = False, data_only: bool = False, read_only: bool = False
) -> Workbook:
    """openpyxl on bytes that passed ``file_safety``; its own errors become a plain message."""
    try:
        wb = openpyxl.load_workbook(
            io.BytesIO(data), keep_vba=keep_vba, keep_links=True, data_only=data_only, read_only=read_only
        )
        for ws in wb.worksheets if read_only else ():
            ws.reset_dimensions()  # the stated size of a sheet may be wrong: read what is there
        return wb
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
            f"{name} could not be read as an Excel workbook: it is damaged, or not really an .xlsx "
            f"file ({type(error).__name__}: {error}). Open it in Excel and save it again, or start from "
            f"`partnership new`."
        ) from None
    except Exception as error:  # openpyxl raises its own types for malformed parts
        raise WorkbookError(f"{name} could not be read as an Excel workbook ({error}).") from None


_TEXT = re.compile(r'"(?:[^"]|"")*"')  # a string literal inside a formula
# [1]Sheet1!A1, '[1]My sheet'!A1, [1]!Name: how a file stores a reference to its first linked workbook
# (not Table1[2], a structured reference, which follows a name); or a file named as Excel shows it,
# '[fees.xlsx]Sheet1'!A1
_OTHER_BOOK = re.compile(r"(?<![\w.\]])'?\[\d+\]|\[[^\[\]]+\.(?:xl\w*|ods|csv)\]", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z_\\][\w.]*")


def refers_elsewhere(formula: str, wb: Workbook) -> bool:
    """Whether a formula reads another workbook, directly or through one of this workbook's names."""
    code = _TEXT.sub('""', formula)
    if _OTHER_BOOK.search(code):
        return True
    words = {word.lower() for word in _WORD.findall(code)}
    names = list(wb.defined_names.values())
    for ws in wb.worksheets:
        names += list(ws.defined_names.values())
    return any(
        defined.name.lower() in words and _OTHER_BOOK.search(_TEXT.sub('""', defined.attr_text or ""))
        for defined in names
    )


class _Cells:
    """Cell values by defined name; a formula's saved result is fetched only when one is met.

    openpyxl marks each cell with its type as the file stored it: "f" a formula (whose
    saved result is read from a second, values-only load of the same bytes), "e" an
    error such as #N/A, "s" text (even text that starts with "="), "n", "b", "d".
    """

    def __init__(self, wb: Workbook, saved: Callable[[], Workbook | None]):
        self.wb, self._load_saved = wb, saved
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
        unreadable = [v.reason for line in values for v in line if isinstance(v, Unreadable)]
        if unreadable:
            return Unreadable("; ".join(dict.fromkeys(unreadable)))
        return values if table else values[0][0]

    def _value(self, name: str, sheet: str, row: int, column: int) -> Any:
        cell = cell_at(self.wb, sheet, row, column)
        where = f"{sheet}!{a1.cell(row, column)}"
        if cell.data_type == "e":
            return Unreadable(f"{name} shows the error {cell.value} in {where}; type a value there instead")
        if cell.data_type != "f":
            return cell.value
        if isinstance(cell.value, str) and refers_elsewhere(cell.value, self.wb):
            return Unreadable(
                f"{name} holds a formula in {where} that refers to another workbook ({cell.value}); "
                "the model reads only this workbook, and a value from another file would go stale unseen. "
                "Type the value, or copy the cell and paste it as a value"
            )
        saved = self._saved(sheet, row, column)
        if saved is None or saved.value is None:
            return Unreadable(
                f"{name} holds a formula in {where} whose result is not saved in the file; type the value, "
                "or open and save the workbook in Excel first"
            )
        if saved.data_type == "e":
            return Unreadable(
                f"{name} holds a formula in {where} whose result is the error {saved.value}; "
                "correct the formula or type the value"
            )
        if isinstance(cell.value, str):
            _results.setdefault(self.wb, {})[(sheet, row, column)] = (cell.value, saved.value)
        return saved.value

    def _saved(self, sheet: str, row: int, column: int) -> Any:
        if self._values is None:
            self._values = self._load_saved()
        if self._values is None or sheet not in self._values.sheetnames:
            return None
        return cell_at(self._values, sheet, row, column)


def callbacks(
    wb: Workbook, path: Path | None = None, saved: Workbook | None = None
) -> tuple[ValueOf, AddressOf]:
    """The reader callbacks for an openpyxl workbook.

    Formulas' saved results come from ``saved`` (a ``data_only`` load) when given, else
    from the bytes ``wb`` was opened from, else from ``path`` (checked like any file).
    """

    def load_saved() -> Workbook | None:
        if saved is not None:
            return saved
        source = _sources.get(wb)
        if source is None and path is not None:
            source = read_checked(Path(path))
        if source is None:
            return None
        return _load(source.data, source.path.name, data_only=True, read_only=wb.read_only)

    cells = _Cells(wb, load_saved)
    return cells.value_of, cells.address_of


# a read-only workbook's rows read so far, by sheet: (rows from row 1, whether they reach the sheet's end)
_rows_read: WeakKeyDictionary[Workbook, dict[str, tuple[list[tuple[Any, ...]], bool]]] = WeakKeyDictionary()


@functools.cache
def _last_input_rows() -> dict[str, int]:
    """The last row holding an input (or its snapshot) on each sheet: how far a first look reads."""
    last: dict[str, int] = {}
    for cell in layout.all_inputs():
        last[cell.sheet] = max(last.get(cell.sheet, 0), cell.row + cell.rows - 1)
    slots = layout.snapshot_slots()
    last[layout.SNAPSHOT] = max((slot.row + slot.cell.rows - 1 for slot in slots), default=1)
    return last


def cell_at(wb: Workbook, sheet: str, row: int, column: int) -> Any:
    """One cell (``.value``, ``.data_type``), also of a read-only workbook.

    openpyxl's read-only ``cell()`` parses the sheet from its start at every call; here a
    sheet's rows are parsed once, down to its last input (or the row needed), and further
    only when a later row is asked for; the results below a sheet's inputs are never parsed.
    """
    if not wb.read_only:
        return wb[sheet].cell(row, column)
    by_sheet = _rows_read.setdefault(wb, {})
    rows, complete = by_sheet.get(sheet, ([], False))
    if row > len(rows) and not complete:
        limit = max(row, 2 * len(rows), _last_input_rows().get(sheet, 0))
        rows = list(wb[sheet].iter_rows(min_row=1, max_row=limit))
        complete = len(rows) < limit  # openpyxl stopped before the limit: no rows below
        by_sheet[sheet] = rows, complete
    if row <= len(rows) and column <= len(rows[row - 1]):
        return rows[row - 1][column - 1]
    return EMPTY_CELL


def read_area(wb: Workbook, sheet: str, ref: str) -> list[list[Any]]:
    """The values of a rectangle, as rows."""
    row, column, rows, columns = a1.parse_area(ref)
    return [[cell_at(wb, sheet, row + i, column + j).value for j in range(columns)] for i in range(rows)]


def read_snapshot(wb: Workbook) -> dict[str, Any] | None:
    """The inputs as they were at the last successful run, or None when there has been none."""
    if layout.SNAPSHOT not in wb.sheetnames:
        return None
    row, column = a1.parse_cell(layout.SNAPSHOT_FINGERPRINT.ref)
    if not cell_at(wb, layout.SNAPSHOT, row, column).value:
        return None
    kept = {}
    for slot in layout.snapshot_slots():
        values = read_area(wb, layout.SNAPSHOT, slot.ref)
        kept[slot.cell.name] = values if slot.cell.is_table else values[0][0]
    return kept


def save_atomic(wb: Workbook, path: Path, before_replace: Callable[[Path], None] | None = None) -> None:
    """Write to a new temporary file beside ``path`` and move it over ``path`` in one step.

    Under the workbook's lock, and only if ``path`` is still the file ``wb`` was read from
    (when it was read from there): a crash, a full disk, an open file or another program's
    save in the meantime leaves the workbook on disk exactly as it was. The workbook is made
    in memory first, then written through the descriptor of a file created for it
    (``O_EXCL``, never a link), so no other file is ever written into. A link, folder or
    pipe at ``path`` is refused. Temporary files left by a process killed mid-save are
    removed. ``before_replace`` is a test hook called with the finished temporary file.
    """
    path = Path(path)
    check_not_open(path)
    with workbook_lock(path):
        surroundings.refuse_special(path, "the workbook", "Nothing was written.")
        _check_unchanged(wb, path)
        _remove_leftovers(path)
        descriptor, temp = surroundings.new_temporary(path)
        replaced = False
        try:
            surroundings.write_all(descriptor, _workbook_bytes(wb, path))
            os.fsync(descriptor)
            mode = _mode_of(path)
            if hasattr(os, "fchmod"):
                os.fchmod(descriptor, mode)
            else:
                os.chmod(temp, mode)
            if before_replace:
                before_replace(temp)
            if not surroundings.still_ours(descriptor, temp):
                raise OSError(f"its temporary file {temp.name} was replaced by another program")
            os.replace(temp, path)
            replaced = True
        except OSError as error:
            raise WorkbookError(
                f"{path.name} could not be saved ({error.strerror or error}); it is unchanged."
            ) from None
        finally:
            os.close(descriptor)
            if not replaced:
                temp.unlink(missing_ok=True)
        _sync_folder(path.parent)
        _moved_on(wb, path)


def _mode_of(path: Path) -> int:
    """The permissions of the file being replaced, or those a new file gets."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return surroundings.default_mode()


try:  # openpyxl writes through lxml when it is installed (faster), else through the standard library
    from lxml.etree import SerialisationError  # type: ignore[import-untyped, import-not-found, unused-ignore]

    _SERIALISATION_ERRORS: tuple[type[Exception], ...] = (SerialisationError,)
except ImportError:
    _SERIALISATION_ERRORS = ()


def _workbook_bytes(wb: Workbook, path: Path) -> bytes:
    """The whole file in memory, formulas' saved results put back; nothing touches the folder yet.

    openpyxl writes each sheet through a temporary file of its own (in the system's temporary
    folder); if that fails (a full disk, a file-size limit) its half-closed writers would print
    "Exception ignored" when collected, so they are collected here, quietly.
    """
    buffer, failure = io.BytesIO(), None
    quiet = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        try:
            wb.save(buffer)
        except OSError as error:
            failure = error.strerror or str(error)
        except _SERIALISATION_ERRORS as error:  # lxml, when installed, names the same failures "IO_EFBIG"…
            code = getattr(errno, str(error).removeprefix("IO_"), None)
            failure = (
                os.strerror(code)
                if isinstance(code, int)
                else "the disk is full or a file-size limit was reached"
            )
        if failure is not None:
            gc.collect()  # the failed writers, freed with the error above, are finalised here, silently
    finally:
        sys.unraisablehook = quiet
    if failure is not None:
        raise WorkbookError(f"{path.name} could not be saved ({failure}); it is unchanged.")
    return _keep_results(wb, buffer.getvalue())


def _keep_results(wb: Workbook, data: bytes) -> bytes:
    """Put back the saved results of the input formulas this run read, which openpyxl does not write.

    Without them the next run could not read those inputs until someone opened and saved
    the file in Excel. Only a formula still as it was read gets its result back (Excel
    recalculates every formula when it opens the file anyway).
    """
    by_part: dict[str, dict[str, Any]] = {}
    for (sheet, row, column), (formula, result) in _results.get(wb, {}).items():
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        cell = ws.cell(row, column)
        if cell.data_type == "f" and cell.value == formula:
            by_part.setdefault(ws.path.lstrip("/"), {})[cell.coordinate] = result
    if not by_part:
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, part in entries:
            if info.filename in by_part:
                part = _with_results(part.decode("utf-8"), by_part[info.filename]).encode("utf-8")
            archive.writestr(info, part)
    return out.getvalue()


def remember_result(cell: Any, formula: str, result: Any) -> None:
    """Save ``result`` with the formula just written to ``cell`` when its workbook is saved.

    openpyxl writes formulas without results; readers that do not recalculate
    (``data_only=True``, previewers) would show nothing. ``save_atomic`` writes it in.
    """
    ws = cell.parent
    _results.setdefault(ws.parent, {})[(ws.title, cell.row, cell.column)] = (formula, result)


CELL_WITH_FORMULA = re.compile(
    r'<c r="([A-Z]+[0-9]+)"([^>]*)>(<f[^>]*/>|<f[^>]*>[^<]*</f>)(?:<v\s*/>|<v></v>)'
)


def escape(text: str) -> str:
    """Text as XML character data (``xml.sax.saxutils.escape``, which loads urllib, http and ssl)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _with_results(xml: str, results: dict[str, Any]) -> str:
    """A worksheet's XML with each formula cell's empty ``<v/>`` holding its result (one pass)."""

    def filled(match: re.Match[str]) -> str:
        coordinate = match.group(1)
        if coordinate not in results:
            return match.group(0)
        result = results[coordinate]
        if isinstance(result, bool):
            kind, shown = ' t="b"', "1" if result else "0"
        elif isinstance(result, int | float):
            kind, shown = "", repr(float(result))
        elif isinstance(result, datetime | date | time | timedelta):
            kind, shown = "", repr(float(to_excel(result)))
        else:
            kind, shown = ' t="str"', escape(str(result))
        return f'<c r="{coordinate}"{match.group(2)}{kind}>{match.group(3)}<v>{shown}</v>'

    return CELL_WITH_FORMULA.sub(filled, xml)


def _same_file(a: Path, b: Path) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


def _check_unchanged(wb: Workbook, path: Path) -> None:
    """Refuse to overwrite a version of the file this run has not read (another program saved it)."""
    source = _sources.get(wb)
    if source is None or not _same_file(source.path, path):
        return
    try:
        now = signature_of(os.stat(path))
    except FileNotFoundError:
        raise WorkbookError(
            f"{path.name} was moved or deleted while the model was running; nothing was written."
        ) from None
    if now != source.signature:
        raise WorkbookError(
            f"{path.name} was changed by another program while the model was running (someone saved it); "
            "nothing was written, so their changes are kept. Run again."
        )


def _moved_on(wb: Workbook, path: Path) -> None:
    """After a save over the file ``wb`` came from, later saves compare with the new file."""
    source = _sources.get(wb)
    if source is not None and _same_file(source.path, path):
        _sources[wb] = CheckedFile(source.path, source.data, signature_of(os.stat(path)))


def _remove_leftovers(path: Path) -> None:
    """Temporary files of saves that never finished (the process was killed): safe under the lock.

    Only names are removed (a link is removed, not followed); what cannot be removed, such
    as a folder someone gave that name, is left where it is.
    """
    prefix = f".{path.name}{SAVING}"
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                entry.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles to sync.

    The file is already in place when this runs, so a failure here changes nothing the
    user can act on and is not reported.
    """
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems (network shares) cannot sync a folder; the rename still happened
    finally:
        os.close(descriptor)
