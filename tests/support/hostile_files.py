"""Hostile files, made in the tests (nothing binary is committed): bombs, entities, impostors.

Each function returns the bytes of one file. Most start from a real template and change
one part, so every other check passes and the one under test is what refuses the file.
The zip bombs are real: their parts would inflate to what they declare (or, for the one
that lies, to far more), so a reader that skipped the checks would pay the full price.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from functools import cache

from excel_addin.files.template import build_template

MiB = 2**20
GUIDE_PART = "xl/worksheets/sheet1.xml"  # the first sheet (openpyxl numbers parts in tab order)
WORKBOOK_PART = "xl/workbook.xml"


@cache
def template_bytes() -> bytes:
    buffer = io.BytesIO()
    build_template().save(buffer)
    return buffer.getvalue()


def parts(data: bytes | None = None) -> dict[str, bytes]:
    """The parts of a workbook (the template's by default), in order."""
    with zipfile.ZipFile(io.BytesIO(data or template_bytes())) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(contents: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_part(name: str, data: bytes) -> bytes:
    """The template with one part replaced (or added)."""
    contents = parts()
    contents[name] = data
    return rezip(contents)


# --- zip bombs ----------------------------------------------------------------------------


@cache
def _repeated(mib: int, block: bytes = b" " * MiB) -> tuple[bytes, int]:
    """A raw deflate stream of ``block`` (one MiB) ``mib`` times, and its CRC, from one flushed piece."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)  # no reference to earlier data
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    return piece * mib + b"\x03\x00", crc  # + an empty final block


def _modest_block() -> bytes:
    """One MiB that packs only about 50 to 1, like an ordinary worksheet (a 20 kB pattern repeated)."""
    pattern = random.Random(7).randbytes(20_000)
    return (pattern * 53)[:MiB]


def raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, stored bytes, method, crc, declared size): sizes can say anything."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, data, method, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        header = (20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out.write(b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *header) + encoded + data)
        central = (20, 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0, 0, 0, 0, 0, offset)
        directory.write(b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", *central) + encoded)
    start, listing = out.tell(), directory.getvalue()
    count = len(entries)
    out.write(listing + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, len(listing), start, 0))
    return out.getvalue()


def _template_entries() -> list[tuple[str, bytes, int, int, int]]:
    entries = []
    for name, data in parts().items():
        packed = zlib.compress(data, 9)[2:-4]  # raw deflate
        entries.append((name, packed, zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data)))
    return entries


def zip_bomb(mib: int = 1024) -> bytes:
    """The template whose first sheet inflates to ``mib`` MiB of spaces (about 1 MB on disk per GiB)."""
    stream, crc = _repeated(mib)
    entries = [e for e in _template_entries() if e[0] != GUIDE_PART]
    return raw_zip([*entries, (GUIDE_PART, stream, zipfile.ZIP_DEFLATED, crc, mib * MiB)])


def lying_zip_bomb(mib: int = 1024) -> bytes:
    """The same gigabyte, declared as 20 kB: the sizes pass, the part must stop at what it declares."""
    stream, crc = _repeated(mib)
    entries = [e for e in _template_entries() if e[0] != GUIDE_PART]
    return raw_zip([*entries, (GUIDE_PART, stream, zipfile.ZIP_DEFLATED, crc, 20_000)])


def many_small_bombs(count: int = 30) -> bytes:
    """Thirty parts of 8 MiB, each packing only 50 to 1 like a real sheet: together 240 MiB."""
    stream, crc = _repeated(8, _modest_block())
    entries = _template_entries()
    entries += [(f"xl/media/pad{i}.xml", stream, zipfile.ZIP_DEFLATED, crc, 8 * MiB) for i in range(count)]
    return raw_zip(entries)


def many_parts(count: int = 20_000) -> bytes:
    """A zip whose table of contents alone lists twenty thousand parts."""
    entries = _template_entries()
    entries += [(f"x/{i}", b"", zipfile.ZIP_STORED, 0, 0) for i in range(count)]
    return raw_zip(entries)


# --- XML that expands, reaches out, or makes millions of objects ---------------------------

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
)


def _after_declaration(xml: bytes, insert: bytes) -> bytes:
    end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    return xml[:end] + insert + xml[end:]


def billion_laughs() -> bytes:
    """Nine levels of ten entities in the workbook part: 10⁹ "lol"s, 3 GB, from a few hundred bytes."""
    xml = parts()[WORKBOOK_PART]
    doctype = LAUGHS.split(b"\n", 1)[1].split(b"\n")[0]
    xml = _after_declaration(xml, doctype)
    xml = xml.replace(b"<sheets>", b"<sheets><!-- &lol9; -->", 1)
    xml = xml.replace(b'name="Guide"', b'name="&lol9;"', 1)
    return with_part(WORKBOOK_PART, xml)


def external_entity(target: str = "file:///etc/passwd") -> bytes:
    """An entity that would read a file of the machine into a sheet name."""
    xml = parts()[WORKBOOK_PART]
    xml = _after_declaration(xml, f'<!DOCTYPE x [<!ENTITY secret SYSTEM "{target}">]>'.encode())
    xml = xml.replace(b'name="Guide"', b'name="&secret;"', 1)
    return with_part(WORKBOOK_PART, xml)


def utf16_laughs() -> bytes:
    """The billion laughs in UTF-16, where a byte-level search for "<!DOCTYPE" would miss it."""
    xml = parts()[WORKBOOK_PART].decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    xml = xml.replace("<workbook", LAUGHS.decode().split("\n")[1] + "<workbook", 1)
    return with_part(WORKBOOK_PART, xml.encode("utf-16"))


def _sheet_with(element: bytes, part: str = GUIDE_PART) -> bytes:
    xml = parts()[part]
    return with_part(part, xml.replace(b"</sheetData>", b"</sheetData>" + element, 1))


def merge_bomb() -> bytes:
    """One merged range over a whole sheet: openpyxl would make 17 billion cell objects."""
    return _sheet_with(b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')


def hyperlink_bomb() -> bytes:
    """One hyperlink over a whole sheet: openpyxl would make (and link) every cell."""
    return _sheet_with(
        b'<hyperlinks><hyperlink ref="A1:XFD1048576" location="Inputs!A1" display="x"/></hyperlinks>'
    )


def disguised_merge() -> bytes:
    """A merged range written with a character reference, so no plain reading sees its size."""
    return _sheet_with(b'<mergeCells count="1"><mergeCell ref="&#65;1:XFD1048576"/></mergeCells>')


# --- files that are not workbooks -------------------------------------------------------------


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (the container of .xls and of password-protected .xlsx).

    Version 3, 512-byte sectors: sector 0 the FAT, sector 1 the directory (root and up
    to three streams), then each stream (at least 4096 bytes, so no mini stream).
    """
    sector, free, end, fat_mark = 512, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    assert len(streams) <= 3
    body, chains, starts, next_sector = b"", [fat_mark, end], [], 2
    for data in streams.values():
        data = data.ljust(max(4096, -(-len(data) // sector) * sector), b"\0")
        count = len(data) // sector
        starts.append(next_sector)
        chains += [next_sector + k + 1 for k in range(count - 1)] + [end]
        next_sector += count
        body += data
    assert len(chains) <= sector // 4
    fat = struct.pack(f"<{sector // 4}I", *(chains + [free] * (sector // 4 - len(chains))))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(encoded), kind, 1, free, right, child)
            + b"\0" * 36
            + struct.pack("<IQ", start, size)
        )

    names = list(streams)
    directory = entry("Root Entry", 5, free, 1 if names else free, end, 0)
    for index, name in enumerate(names, start=1):
        right = index + 1 if index < len(names) else free
        directory += entry(name, 2, right, free, starts[index - 1], len(streams[name]))
    directory = directory.ljust(sector, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    return header + fat + directory + body


def encrypted_workbook() -> bytes:
    """What Excel writes for File › Protect Workbook › Encrypt with Password: an OLE container
    with the encryption description and the encrypted package (here: random-looking bytes)."""
    info = (
        struct.pack("<HHI", 4, 4, 0x40)
        + b"<encryption xmlns='http://schemas.microsoft.com/office/2006/encryption'/>"
    )
    package = struct.pack("<Q", 5000) + bytes((i * 197 + 89) % 256 for i in range(6000))
    return compound_file({"EncryptionInfo": info, "EncryptedPackage": package})


def old_xls() -> bytes:
    """An Excel 97–2003 workbook's container (a Workbook stream of BIFF records)."""
    return compound_file({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" + b"\0" * 5000})


NOT_WORKBOOKS: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty (0 bytes)"),
    "csv": (b"fixed_cost,950000\nlocal_fee,5000\n", "a text file (perhaps CSV)"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
    "html": (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "a web page (HTML)"),
    "xml2003": (
        b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
        "XML",
    ),
    "random": (bytes((i * 131 + 7) % 256 for i in range(3000)), "in a format the model does not know"),
}


def word_document() -> bytes:
    return rezip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def lzma_packed() -> bytes:
    """A workbook whose parts use a compression Excel never writes."""
    return rezip(parts(), zipfile.ZIP_LZMA)
