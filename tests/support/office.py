"""LibreOffice headless, shared by the tests that open our workbooks in a real spreadsheet.

openpyxl writes formulas without results and charts without drawing them; LibreOffice
recalculating, re-saving and printing the file is the proof that they work. Every such test
needs the same machinery: a private profile (parallel sessions do not clash) that recalculates
on load, one soffice start per batch of files, a scan for error values, the run status and the
printed text. It lives here once so that the tests differ only in what they check. Such a test is
marked ``libreoffice``; tests/conftest.py skips it, saying why, where soffice is missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl

from excel_addin.workbook import layout
from tests.support.workbook import set_inputs

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TIMEOUT = 240  # seconds for one soffice call (first start of a fresh profile is the slow part)
RECALCULATE_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
ERROR = re.compile(r"^(#(REF!|NAME\?|VALUE!|DIV/0!|N/A|NUM!|NULL!)|Err:\d+)")


def private_profile(profile: Path) -> Path:
    """A fresh LibreOffice profile at ``profile`` that recalculates .xlsx formulas on load.

    openpyxl saves no cached results, so without recalculation LibreOffice would show
    nothing to check; a private profile also keeps parallel sessions from clashing.
    """
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ON_LOAD)
    return profile


def soffice(profile: Path, fmt: str, outdir: Path, files: list[Path]) -> list[Path]:
    """Convert ``files`` in one LibreOffice start; the converted files, in order.

    One start per batch because starting soffice is the slow part of every test here.
    """
    command = [
        SOFFICE,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        fmt,
        "--outdir",
        str(outdir),
        *map(str, files),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT)
    converted = [outdir / f"{f.stem}.{fmt.split(':')[0]}" for f in files]
    assert all(p.exists() for p in converted), [p for p in converted if not p.exists()]
    return converted


def stale_copies(ran: Path, changes: dict[str, dict[str, Any]]) -> dict[str, Path]:
    """Copies of the run workbook ``ran``, each with inputs changed after the run, by name.

    The out-of-date status must flip for each such change; the copies sit next to ``ran``.
    """
    files = {}
    for name, change in changes.items():
        files[name] = ran.parent / f"{name}.xlsx"
        shutil.copy(ran, files[name])
        set_inputs(files[name], **change)
    return files


def recalculate_and_print(root: Path, files: dict[str, Path], printed: Path) -> tuple[dict[str, Path], Path]:
    """LibreOffice's .xlsx of every file (by the same keys) and its PDF of ``printed``.

    Two soffice starts in all, sharing one private profile under ``root``: a batch of files
    costs about as much as one file, so each test module makes every workbook first.
    """
    profile = private_profile(root / "profile")
    (root / "xlsx").mkdir()
    (root / "pdf").mkdir()
    recalculated = dict(
        zip(files, soffice(profile, "xlsx", root / "xlsx", list(files.values())), strict=True)
    )
    pdf = soffice(profile, "pdf", root / "pdf", [printed])[0]
    return recalculated, pdf


def error_cells(wb: openpyxl.Workbook, sheets: tuple[str, ...] | None = None) -> list[str]:
    """Every cell of ``sheets`` (all sheets when None) showing an error value, as "Sheet!A1: value".

    A broken formula does not raise anywhere: it shows #REF!, #NAME? or Err:502 in a cell,
    so the recalculated file (loaded with data_only=True) is searched cell by cell.
    """
    worksheets = wb.worksheets if sheets is None else [wb[name] for name in sheets]
    return [
        f"{ws.title}!{cell.coordinate}: {cell.value}"
        for ws in worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and ERROR.match(cell.value)
    ]


def status(path: Path) -> str:
    """The run status message as the spreadsheet calculated it (up to date, out of date, not run)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    return wb[layout.INPUTS][layout.STATUS_BY_NAME["status_message"].ref].value


def printed_text(pdf: Path) -> str:
    """All the printed words in reading order, runs of spaces and line ends made one space.

    Chart titles and wrapped cells break across lines on paper; a phrase is looked for whole.
    Empty when pdftotext is not installed.
    """
    tool = shutil.which("pdftotext")
    if tool is None:
        return ""
    text = subprocess.run([tool, str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    return " ".join(text.split())


def pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext when installed, else only the page count)."""
    tool = shutil.which("pdftotext")
    count = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    if tool is None:
        return [""] * count
    text = subprocess.run([tool, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    return text.split("\f")[:count]
