"""The Term sheet in a real spreadsheet: LibreOffice recalculates, re-saves and prints it.

openpyxl cannot evaluate formulas or draw charts; LibreOffice does both. Checked: no error
values after recalculation, the run status flips to out of date when a Term input changes
(a single cell, a choice, one cell of the year-by-year table), the results survive as
numbers, and both Term charts are drawn and printed on the sheet's results page.
"""

from __future__ import annotations

import openpyxl
import pytest

from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout
from excel_addin.workbook.sheets import term as term_sheet
from tests.support.office import error_cells, pages, printed_text, recalculate_and_print, stale_copies, status
from tests.support.workbook import as_array, chart_count, make_workbook, named_values, planned_charts
from tests.workbook.test_term import CHANGED, path_rows

pytestmark = pytest.mark.libreoffice
STALE = {
    "stale_rule": {"fee_uplift": "fixed"},
    "stale_path": {"term_path": path_rows(occupancy=[0.8, 0.85, 0.9, 0.9, 0.95, 0.9])},
    "stale_rates": {"cost_assumptions": [[0, 0], [0.02, 0.02], [0.04, 0.025], [0.08, 0.035]]},
}
NAMES = ("out_term_npv", "out_term_rules", "out_term_provider_surplus", "out_term_npv_host_saving")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    root = tmp_path_factory.mktemp("term_libreoffice")
    books = root / "books"
    books.mkdir()
    ran = make_workbook(books, "ran.xlsx", **CHANGED)
    run_workbook(ran)
    files = {"ran": ran, **stale_copies(ran, STALE)}
    recalculated, pdf = recalculate_and_print(root, files, ran)
    return {"files": files, "recalculated": recalculated, "pdf": pdf}


def test_recalculation_is_clean(office):
    wb = openpyxl.load_workbook(office["recalculated"]["ran"], data_only=True)
    errors = error_cells(wb)
    assert errors == [], errors[:10]
    assert status(office["recalculated"]["ran"]) == layout.UP_TO_DATE


@pytest.mark.parametrize("scenario", list(STALE))
def test_a_changed_term_input_flips_the_status(office, scenario):
    assert status(office["recalculated"][scenario]) == layout.OUT_OF_DATE


def test_term_results_survive_as_numbers(office):
    ours = openpyxl.load_workbook(office["files"]["ran"])
    theirs = openpyxl.load_workbook(office["recalculated"]["ran"], data_only=True)
    for name in NAMES:
        mine = named_values(ours, name)
        kept = named_values(theirs, name)
        texts = [[v for v in row if isinstance(v, str)] for row in mine]  # "never" stays a word
        assert [[v for v in row if isinstance(v, str)] for row in kept] == texts, name
        numbers = [[v if isinstance(v, float | int) else None for v in row] for row in mine]
        again = [[v if isinstance(v, float | int) else None for v in row] for row in kept]
        assert as_array(again) == pytest.approx(as_array(numbers), nan_ok=True), name


def test_charts_are_drawn_and_printed(office):
    planned = planned_charts(office["files"]["ran"])
    assert chart_count(office["files"]["ran"]) == planned
    assert chart_count(office["recalculated"]["ran"]) == planned
    text = pages(office["pdf"])
    if not any(text):
        pytest.skip("pdftotext is not installed: chart count checked, page text not")
    joined = printed_text(office["pdf"])
    for words in (  # the Term sheet prints its two charts and the term's tables
        term_sheet.MARGIN_TITLE,
        term_sheet.TOTALS_TITLE,
        "Provider gain to date",
        "Linked to costs",
        "Printed: the main part of this sheet; all of it is on screen.",
    ):
        assert words in joined, words
