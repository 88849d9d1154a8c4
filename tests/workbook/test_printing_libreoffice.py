"""The demo workbook after a run, printed to PDF by LibreOffice: how many A4 pages, and whose.

Every page's footer names its sheet (``printing.FOOTER_LEFT``), so the pages are counted per
sheet. The whole workbook fits a committee paper: at most 20 pages here, one page being
for the Summary sheet. Tables kept for analysis (Results, Scenarios) print nothing.
"""

from __future__ import annotations

import pytest

from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout, printing
from tests.support.office import pages, private_profile, soffice
from tests.support.workbook import make_workbook

pytestmark = pytest.mark.libreoffice
MAX_PAGES = 20


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> list[str]:
    root = tmp_path_factory.mktemp("printing")
    (root / "pdf").mkdir()
    path = make_workbook(root, "demo.xlsx")
    run_workbook(path)
    pdf = soffice(private_profile(root / "profile"), "pdf", root / "pdf", [path])[0]
    return pages(pdf)


def _sheet_of(page: str) -> str:
    """The sheet a page belongs to: the first word of its footer, the last line of text."""
    lines = [line for line in page.splitlines() if line.strip()]
    return lines[-1].split()[0] if lines else ""


def test_the_whole_workbook_prints_on_at_most_20_pages(printed):
    assert 0 < len(printed) <= MAX_PAGES


def test_every_printed_sheet_has_pages_and_the_analysis_tables_none(printed):
    if not any(printed):
        pytest.skip("pdftotext is not installed: page count checked, pages per sheet not")
    counts: dict[str, int] = {}
    for page in printed:
        counts[_sheet_of(page)] = counts.get(_sheet_of(page), 0) + 1
    for sheet in layout.SHEETS:
        if printing.spec(sheet.name).printed:
            assert counts.get(sheet.name, 0) >= 1, (sheet.name, counts)
        else:
            assert sheet.name not in counts, (sheet.name, counts)
    assert set(counts) <= {s.name for s in layout.SHEETS}, counts
    # the sheets that print only their main part say so at the foot of each of their pages
    for page in printed:
        if printing.spec(_sheet_of(page)).pages:
            assert printing.spec(_sheet_of(page)).note in page
