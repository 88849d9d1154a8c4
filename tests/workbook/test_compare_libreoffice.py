"""The Compare sheet in a real spreadsheet: LibreOffice recalculates it, saves it, prints it.

One workbook with typed contract terms is run, then opened by LibreOffice (private profile,
recalculation on load) and saved as .xlsx and as PDF: no error values, the figures survive
as numbers, the colour rules survive, both charts are drawn and print with their titles.
"""

from __future__ import annotations

import openpyxl
import pytest

from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout
from excel_addin.workbook.contract_figures import SHORT_LABELS
from tests.support.office import error_cells, pages, printed_text, recalculate_and_print, status
from tests.support.workbook import as_array, chart_count, make_workbook, named_values, planned_charts

pytestmark = pytest.mark.libreoffice
SHEET = layout.COMPARE
NAMES = ("out_compare_point", "out_compare_risk", "out_compare_counts", "out_compare_line_provider_surplus")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare-libreoffice")
    book = make_workbook(
        root,
        "compare.xlsx",
        block_fee=5_800,
        cost_plus_margin="7%",
        compare_local_use=0.7,
        occupancy_step=0.1,
    )
    run_workbook(book)
    recalculated, pdf = recalculate_and_print(root, {"book": book}, book)
    return {"book": book, "recalculated": recalculated["book"], "pdf": pdf}


def test_no_error_values_and_up_to_date(office):
    wb = openpyxl.load_workbook(office["recalculated"], data_only=True)
    errors = error_cells(wb)
    assert errors == [], errors[:10]
    assert status(office["recalculated"]) == layout.UP_TO_DATE


def test_figures_survive_as_numbers(office):
    ours = openpyxl.load_workbook(office["book"])
    theirs = openpyxl.load_workbook(office["recalculated"], data_only=True)
    for name in NAMES:
        assert as_array(named_values(theirs, name)) == pytest.approx(
            as_array(named_values(ours, name)), nan_ok=True
        )
    assert named_values(theirs, "out_compare_best_host") == named_values(ours, "out_compare_best_host")


def test_colour_rules_survive(office):
    wb = openpyxl.load_workbook(office["recalculated"])
    ref = wb.defined_names["out_compare_best_provider"].attr_text.split("!")[1].replace("$", "")
    rules = [rule for cf in wb[SHEET].conditional_formatting if str(cf.sqref) == ref for rule in cf.rules]
    assert sorted(rule.formula[0] for rule in rules) == sorted(
        f'"{label}"' for label in SHORT_LABELS.values()
    )


def test_charts_are_drawn_and_printed(office):
    planned = planned_charts(office["book"])
    assert chart_count(office["book"]) == planned == chart_count(office["recalculated"])
    text = pages(office["pdf"])
    if not any(text):
        pytest.skip("pdftotext is not installed: page count checked, page text not")
    compare = [page for page in text if "Compare contracts" in page or "contract for the" in page]
    joined = printed_text(office["pdf"])
    for words in (  # what the Compare sheet prints: its statement, grid counts and two charts
        "Host cost per local week, local use 70%",
        "Provider surplus, local use 70%",
        "Cheapest for the host: cells",
        "Best for the provider: cells",
        "Printed: the main part of this sheet; all of it is on screen.",
        "Partnership",
        "Open book",
    ):
        assert words in joined, words
    assert compare, "the Compare sheet is not in the PDF"
