"""Checks on a workbook file before any parser sees it: what it is, and how big it would become.

Workbooks travel by e-mail. Before openpyxl parses a byte, we know the file is a zip of
XML (not an old .xls, an encrypted workbook or a renamed CSV), that it will not inflate
beyond fixed limits (a zip bomb), that no XML part declares a DTD (the door to "billion
laughs" entity expansion and to external entities), and that no worksheet makes openpyxl
create millions of objects (millions of cells, or one merged range or hyperlink over a
whole sheet, which openpyxl expands cell by cell). The file is read into memory once; the
checks and the parser use those bytes, so nothing can change or swap the file in between.

Every check reads only what the zip declares: Python's zipfile stops inflating a part at
its declared size (a part that lies fails its CRC), so declared sizes bound the work.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from excel_addin.workbook import a1
from excel_addin.workbook.errors import WorkbookError

MiB = 2**20
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .xls, or an encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"
XML_SUFFIXES = (".xml", ".rels", ".vml")
CHUNK = MiB
UNCHANGED = "The file was not opened and is unchanged."
ENCRYPTED_STREAMS = tuple(name.encode("utf-16-le") for name in ("EncryptedPackage", "EncryptionInfo"))
_EOCD = b"PK\x05\x06"
_DTD = (b"<!DOCTYPE", b"<!ENTITY")
_PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"
_CELL_OR_ROW = re.compile(rb"<" + _PREFIX + rb"(?:c|row)[\s/>]")
_SPAN = re.compile(rb"<" + _PREFIX + rb"(?:mergeCell|hyperlink)\b([^>]*)>")
_REF = re.compile(rb"""\bref\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENCODING = re.compile(rb"""^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_SAFE_ENCODINGS = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold before it is parsed.

    A partnership workbook at the finest grid (101 × 101), every sheet included, is 5.9 MB
    on disk and 63 MiB unpacked (the live tables' formulas; 26 MiB before them) in 64 parts
    (at most about 20 to 1), with 580,000 cells and rows; the limits leave about twice that
    unpacked and three to fifteen times the rest, and keep the worst file that passes them
    under a gigabyte of memory in openpyxl (measured: SECURITY.md).
    """

    file_bytes: int = 64 * MiB
    parts: int = 1000
    directory_bytes: int = 512 * 1000  # the zip's table of contents: about 512 bytes a part
    total_bytes: int = 128 * MiB  # every part unpacked, as the zip declares it
    ratio: float = 100.0  # unpacked / packed, for parts of at least ``ratio_from``
    ratio_from: int = 4 * MiB
    cells: int = 2_000_000  # <c> and <row> elements: each becomes a Python object
    spanned_cells: int = 500_000  # cells openpyxl makes for merged ranges and hyperlink ranges
    tag_bytes: int = MiB  # the longest single XML tag


LIMITS = Limits()


@dataclass(frozen=True)
class CheckedFile:
    """A workbook's bytes that passed every check, and the file's identity when it was read."""

    path: Path
    data: bytes
    signature: tuple[int, int, int, int]  # device, inode, size, modification time (ns)


def signature_of(status: os.stat_result) -> tuple[int, int, int, int]:
    """What changes when a file is replaced or rewritten (for "did it change since we read it")."""
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


# openpyxl's modules that parse a file's parts when it is read (its writers parse only what it made)
_READERS = (
    "openpyxl.reader.excel",
    "openpyxl.reader.workbook",
    "openpyxl.reader.drawings",
    "openpyxl.packaging.relationship",
    "openpyxl.styles.stylesheet",
    "openpyxl.workbook.external_link.external",
)


def _read_through_defusedxml() -> bool:
    """Make openpyxl parse every part it reads through defusedxml, also when lxml is installed.

    With lxml installed openpyxl writes through it (several times faster) but would also
    parse the parts it reads with lxml (worksheets always go through defusedxml's
    ``iterparse``). The DTD check above already refuses what lxml could be tricked with;
    this keeps defusedxml as the second line, as without lxml. Returns whether it is in force.
    """
    if openpyxl.DEFUSEDXML is not True:
        return False
    import importlib

    from defusedxml.ElementTree import fromstring

    for name in _READERS:
        module = importlib.import_module(name)
        if getattr(module, "fromstring", fromstring) is not fromstring:
            module.fromstring = fromstring  # type: ignore[attr-defined]
    return all(
        getattr(importlib.import_module(name), "fromstring", fromstring) is fromstring for name in _READERS
    )


def check_safe_parser() -> None:
    """Refuse to read any workbook unless openpyxl parses XML through defusedxml.

    openpyxl uses defusedxml when it is installed, unless the environment variable
    OPENPYXL_DEFUSEDXML is set to False; either way this must not pass unnoticed.
    """
    if openpyxl.DEFUSEDXML is not True or not _read_through_defusedxml():
        raise WorkbookError(
            "The model will not read workbooks: the safe XML parser (defusedxml) is not in use "
            "(it is not installed, or OPENPYXL_DEFUSEDXML is set to False). Reinstall the model."
        )


def read_checked(path: Path, limits: Limits | None = None) -> CheckedFile:
    """Read the file once and check it; ``WorkbookError`` says what it is instead of a workbook."""
    path, limits = Path(path), limits or LIMITS
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            raise WorkbookError(f"{path.name} is not a regular file (a folder, device or pipe). {UNCHANGED}")
        _check_size(path.name, status.st_size, limits)
        # O_NONBLOCK: a pipe swapped in after the check above opens at once, and is refused, not waited on
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(path, flags), "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise WorkbookError(
                    f"{path.name} is not a regular file (a folder, device or pipe). {UNCHANGED}"
                )
            _check_size(path.name, status.st_size, limits)
            data = handle.read(status.st_size + 1)  # +1: a file still growing is refused below
    except PermissionError as error:
        raise WorkbookError(f"{path.name} cannot be read: permission denied ({error.strerror}).") from None
    except OSError as error:
        raise WorkbookError(f"{path.name} cannot be read ({error.strerror or error}).") from None
    if len(data) != status.st_size:
        raise WorkbookError(
            f"{path.name} changed while it was being read (is it still being copied?). {UNCHANGED}"
        )
    check_bytes(data, path.name, limits)
    return CheckedFile(path, data, signature_of(status))


def _check_size(name: str, size: int, limits: Limits) -> None:
    if size > limits.file_bytes:
        raise WorkbookError(
            f"{name} is {size / MiB:,.0f} MB; the model reads workbooks up to "
            f"{limits.file_bytes / MiB:,.0f} MB (a partnership workbook is a few MB). Check that it is the "
            f"right file. {UNCHANGED}"
        )


def check_bytes(data: bytes, name: str, limits: Limits | None = None) -> None:
    """Every check on a workbook's bytes, in order; returns quietly when openpyxl may parse them."""
    limits = limits or LIMITS
    if data.startswith(OLE_MAGIC):
        raise WorkbookError(_compound_file_message(data, name))
    if not data.startswith(ZIP_MAGIC):
        raise WorkbookError(
            f"{name} is not an Excel workbook: it is {describe(data)}. Open it in Excel and save it as "
            f"an Excel Workbook (.xlsx), or start from `partnership new`. {UNCHANGED}"
        )
    _check_directory(data, name, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_parts(infos, name, limits)
            counts = _Counts()
            for info in infos:
                if info.filename.lower().endswith(XML_SUFFIXES):
                    _scan_part(archive, info, name, limits, counts)
    except WorkbookError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ) as error:
        raise WorkbookError(
            f"{name} could not be read as an Excel workbook: it is damaged ({error}). Open it in Excel and "
            f"save it again, or start from `partnership new`. {UNCHANGED}"
        ) from None


def describe(data: bytes) -> str:
    """What a file that is not a workbook looks like, in a finance officer's words."""
    if not data:
        return "empty (0 bytes)"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf"):
        return "a PDF document"
    if head.startswith(b"{\\rtf"):
        return "an RTF (Word) document"
    if b"<html" in head or head.startswith(b"<!doctype html"):
        return "a web page (HTML), as Excel saves 'Web Page' files"
    if head.startswith(b"<?xml"):
        return "an XML file (perhaps an Excel 2003 XML spreadsheet)"
    try:
        text = data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text[:-4]):
        return "a text file (perhaps CSV)"
    return "in a format the model does not know"


def _compound_file_message(data: bytes, name: str) -> str:
    """An OLE compound file is either an encrypted .xlsx (password to open) or an old .xls."""
    if all(stream in data for stream in ENCRYPTED_STREAMS):
        return (
            f"{name} is protected with a password to open, so the model cannot read it. In Excel: "
            "File › Info › Protect Workbook › Encrypt with Password, delete the password, save, and run "
            f"again. (Sheet protection without a password, as in the template, is fine.) {UNCHANGED}"
        )
    return (
        f"{name} is in the old Excel 97–2003 format (.xls), whatever its name says. Open it in Excel and "
        f"save it as an Excel Workbook (.xlsx). {UNCHANGED}"
    )


def _check_directory(data: bytes, name: str, limits: Limits) -> None:
    """Bound the zip's table of contents before zipfile turns each entry into an object."""
    end = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        raise WorkbookError(
            f"{name} could not be read as an Excel workbook: it is damaged or cut short (no zip directory). "
            f"Open it in Excel and save it again, or start from `partnership new`. {UNCHANGED}"
        )
    entries = int.from_bytes(data[end + 10 : end + 12], "little")
    size = int.from_bytes(data[end + 12 : end + 16], "little")
    if entries == 0xFFFF or size == 0xFFFFFFFF:
        raise WorkbookError(
            f"{name} uses the ZIP64 format meant for archives over 4 GB; a partnership workbook never "
            f"does. {UNCHANGED}"
        )
    if entries > limits.parts:
        raise WorkbookError(
            f"{name} has {entries:,} parts (the model accepts {limits.parts:,}); it is not a partnership "
            f"workbook. {UNCHANGED}"
        )
    if size > limits.directory_bytes:
        raise WorkbookError(
            f"{name} has a table of contents of {size / 1000:,.0f} kB (the model accepts "
            f"{limits.directory_bytes / 1000:,.0f} kB, room for {limits.parts:,} parts); it is not a "
            f"partnership workbook. {UNCHANGED}"
        )


def _check_parts(infos: list[zipfile.ZipInfo], name: str, limits: Limits) -> None:
    """Declared sizes, compression ratios and methods, before anything is inflated."""
    if len(infos) > limits.parts:
        raise WorkbookError(
            f"{name} has {len(infos):,} parts (the model accepts {limits.parts:,}). {UNCHANGED}"
        )
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        kind = "a Word document" if "word/document.xml" in names else "a zip archive"
        kind = "a PowerPoint file" if "ppt/presentation.xml" in names else kind
        raise WorkbookError(
            f"{name} is {kind}, not an Excel workbook. Start from `partnership new`. {UNCHANGED}"
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise WorkbookError(
                f"{name} has encrypted parts ({info.filename}); Excel never writes those. {UNCHANGED}"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookError(
                f"{name} packs {info.filename} with a method Excel never uses "
                f"(zip method {info.compress_type}). {UNCHANGED}"
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_from and ratio > limits.ratio:
            raise WorkbookError(
                f"{name} looks like a 'zip bomb': its part {info.filename} would unpack to "
                f"{info.file_size / MiB:,.0f} MB, {ratio:,.0f} times its packed size. {UNCHANGED}"
            )
        if total > limits.total_bytes:
            raise WorkbookError(
                f"{name} would unpack to more than {limits.total_bytes / MiB:,.0f} MB (a partnership "
                f"workbook unpacks to a few tens of MB): it is a 'zip bomb', or not a partnership workbook. "
                f"{UNCHANGED}"
            )


@dataclass
class _Counts:
    cells: int = 0
    spanned: int = 0


def _scan_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits, counts: _Counts
) -> None:
    """Stream one XML part: no DTD, a plain encoding, and running totals of the objects it makes.

    The text is cut just before its last "<", so no tag is ever split between two pieces.
    """
    carry, first = b"", True
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            if first:
                _check_encoding(chunk, info.filename, name)
                first = False
            text = carry + chunk
            cut = text.rfind(b"<")
            if cut <= 0:
                cut = len(text) if cut < 0 else 0
            carry = text[cut:]
            if len(carry) > limits.tag_bytes:
                raise WorkbookError(
                    f"{name} has an XML tag longer than {limits.tag_bytes / MiB:,.0f} MB in {info.filename}; "
                    f"Excel never writes one. {UNCHANGED}"
                )
            _scan_text(text[:cut], info.filename, name, limits, counts)
    _scan_text(carry, info.filename, name, limits, counts)


def _check_encoding(head: bytes, part: str, name: str) -> None:
    """XML parts must be UTF-8 (what Excel writes), so a byte scan sees every tag as it is."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    match = _ENCODING.match(head)
    odd = head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]
    if odd or (match and match.group(1).lower() not in _SAFE_ENCODINGS):
        raise WorkbookError(
            f"{name} has XML in an unusual text encoding ({part}); Excel writes UTF-8. {UNCHANGED}"
        )


def _scan_text(text: bytes, part: str, name: str, limits: Limits, counts: _Counts) -> None:
    if any(marker in text for marker in _DTD):
        raise WorkbookError(
            f"{name} contains XML with a document type declaration (in {part}). Excel never writes one, "
            "and it is how a file makes a reader expand text without limit ('billion laughs') or read "
            f"other files. {UNCHANGED}"
        )
    counts.cells += len(_CELL_OR_ROW.findall(text))
    if counts.cells > limits.cells:
        raise WorkbookError(
            f"{name} has more than {limits.cells:,} cells and rows (a partnership workbook has a few hundred "
            f"thousand); the model does not open it. {UNCHANGED}"
        )
    for match in _SPAN.finditer(text):
        ref = _REF.search(match.group(1))
        if ref is None:
            continue
        target = (ref.group(1) if ref.group(1) is not None else ref.group(2)).decode("ascii", "replace")
        counts.spanned += _cells_in(target, part, name)
        if counts.spanned > limits.spanned_cells:
            raise WorkbookError(
                f"{name} has merged cells or hyperlinks covering more than {limits.spanned_cells:,} cells "
                f"(for example {target} in {part}); the model does not open it. {UNCHANGED}"
            )


def _cells_in(ref: str, part: str, name: str) -> int:
    """Cells of a merged range or hyperlink ("A1", "A1:C3", several separated by spaces)."""
    total = 0
    for piece in ref.split():
        try:
            _, _, rows, columns = a1.parse_area(piece)
        except ValueError:
            raise WorkbookError(
                f"{name} has a merged range or hyperlink with an unusual address ({piece!r} in {part}). "
                f"{UNCHANGED}"
            ) from None
        total += abs(rows) * abs(columns)
    return total


_read_through_defusedxml()  # from the first import on, so no read by openpyxl happens before it
