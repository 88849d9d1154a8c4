"""The Summary sheet printed by LibreOffice: one A4 landscape page, its text and charts on it.

LibreOffice recalculates the run workbook and a copy with an input changed: the status on the
Summary follows. For the print, a copy of the run workbook keeps only the Summary sheet (its
status formula replaced by the text it gave, as the other sheets and names are gone), so the
PDF holds this sheet alone and its page count is the sheet's. Skipped without soffice.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import openpyxl
import pytest

from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout
from excel_addin.workbook.sheets import summary
from tests.support.office import SOFFICE, TIMEOUT, pages, private_profile, soffice, stale_copies
from tests.support.workbook import make_workbook

pytestmark = pytest.mark.libreoffice
A4_LANDSCAPE = (841.89, 595.3)  # points
SMALLEST_TEXT = 8.0  # points on paper: nothing smaller


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    root = tmp_path_factory.mktemp("summary_office")
    path = make_workbook(root, "ran.xlsx", draws=2000)
    run_workbook(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.SUMMARY]
    status = f"A{summary.STATUS_ROW}"
    ws[status] = openpyxl.load_workbook(path, data_only=True)[layout.SUMMARY][status].value
    for name in [n for n in wb.sheetnames if n != layout.SUMMARY]:
        del wb[name]
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    only = root / "summary.xlsx"
    wb.save(only)
    profile = root / "profile"
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    command += ["--convert-to", "pdf", "--outdir", str(root), str(only)]
    subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT)
    stale = stale_copies(path, {"stale": {"local_fee": 5100}})["stale"]
    (root / "xlsx").mkdir()
    recalculated = soffice(private_profile(root / "recalc"), "xlsx", root / "xlsx", [path, stale])
    return {"pdf": root / "summary.pdf", "ran": recalculated[0], "stale": recalculated[1]}


def test_the_summary_shows_the_run_status_as_the_spreadsheet_calculates_it(printed):
    """Up to date after the run; out of date once an input changes, on the Summary as on the Inputs sheet."""
    cell = f"A{summary.STATUS_ROW}"
    for name, expected in (("ran", layout.UP_TO_DATE), ("stale", layout.OUT_OF_DATE)):
        assert openpyxl.load_workbook(printed[name], data_only=True)[layout.SUMMARY][cell].value == expected


def test_the_summary_prints_on_one_a4_landscape_page_with_its_answer(printed):
    text = pages(printed["pdf"])
    assert len(text) == 1
    size = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", printed["pdf"].read_bytes())
    assert size and (float(size[1]), float(size[2])) == pytest.approx(A4_LANDSCAPE, abs=1)
    if shutil.which("pdftotext"):
        page = " ".join(text[0].split())
        for words in ("The answer", "are acceptable to both parties", "Results are up to date", "Balanced"):
            assert words in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_fit_to_page_leaves_the_text_readable(printed):
    """The body text (11 pt in the sheet) is at least 8 pt on paper: the page is not shrunk much."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(printed["pdf"]), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    heights = [
        float(y2) - float(y1)
        for y1, y2, word in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)<', boxes)
        if word == "expected"
    ]
    # A word's box is about 1.16 times the font size in the fonts LibreOffice uses (DejaVu, Carlito).
    assert heights and min(heights) / 1.16 >= SMALLEST_TEXT
