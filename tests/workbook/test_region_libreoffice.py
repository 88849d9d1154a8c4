"""The Region and Portfolio sheets in a real spreadsheet: LibreOffice recalculates, re-saves, prints.

The out-of-date formula compares every table cell as text, council names included; the
charts (one per council, two for the portfolio) must survive a re-save and print with
their titles. Skipped without LibreOffice, like the other headless tests.
"""

from __future__ import annotations

import openpyxl
import pytest

from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout
from tests.support.office import error_cells, printed_text, recalculate_and_print, stale_copies, status
from tests.support.workbook import as_array, make_workbook, named_values
from tests.workbook.test_region import charts_by_sheet, planned_charts

pytestmark = pytest.mark.libreoffice
OURS = (layout.REGION, layout.PORTFOLIO)
STALE = {
    "stale_council_name": {"councils": [["Westshire", 0.5, 0.4, 7_000], ["Eastshire CC", 0.3, 0.35, None]]},
    "stale_rule": {"credit_rule": "mix"},
    "stale_home_blank": {"homes": [["Oak House", 4, 800_000, None, None, None, None, None]]},
}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    root = tmp_path_factory.mktemp("region_office")
    books = root / "books"
    books.mkdir()
    ran = make_workbook(books, "ran.xlsx", occupancy_step=0.1)
    run_workbook(ran)
    files = {"ran": ran, **stale_copies(ran, STALE)}
    recalculated, pdf = recalculate_and_print(root, files, ran)
    return {"files": files, "recalculated": recalculated, "pdf": pdf}


def test_no_formula_errors_on_our_sheets_and_up_to_date(office):
    wb = openpyxl.load_workbook(office["recalculated"]["ran"], data_only=True)
    assert error_cells(wb, OURS) == []
    assert status(office["recalculated"]["ran"]) == layout.UP_TO_DATE


@pytest.mark.parametrize("scenario", list(STALE))
def test_a_changed_name_rule_or_blank_makes_the_results_out_of_date(office, scenario):
    assert status(office["recalculated"][scenario]) == layout.OUT_OF_DATE


def test_statements_and_heat_maps_survive_as_numbers(office):
    ours = openpyxl.load_workbook(office["files"]["ran"])
    theirs = openpyxl.load_workbook(office["recalculated"]["ran"], data_only=True)
    for name in ("out_council2_host_saving", "out_portfolio_difference_provider_surplus"):
        assert as_array(named_values(theirs, name)) == pytest.approx(as_array(named_values(ours, name)))
    for name in ("out_region_summary", "out_portfolio_summary"):
        mine, read = named_values(ours, name), named_values(theirs, name)
        assert [row[0] for row in read] == [row[0] for row in mine]  # the labels
        assert as_array([r[1:] for r in read[1:]]) == pytest.approx(
            as_array([r[1:] for r in mine[1:]]), nan_ok=True
        )


def test_charts_survive_libreoffice(office):
    planned = planned_charts(office["files"]["ran"])
    for path in (office["files"]["ran"], office["recalculated"]["ran"]):
        drawn = charts_by_sheet(path)
        assert [drawn[name] for name in OURS] == [planned[name] for name in OURS] == [3, 2]


def test_pdf_prints_the_statements_and_says_the_charts_are_on_screen(office):
    """Region and Portfolio print their first page (tables and statements); charts stay on screen."""
    joined = printed_text(office["pdf"])
    if not joined:
        pytest.skip("pdftotext is not installed")
    for title in (
        "Each council at occupancy 90% and local use 50%",
        "Westshire",
        "Northby",
        "Illustrative worked example",
        "Each home and the portfolio at occupancy",
        "Printed: the main part of this sheet; all of it is on screen.",
    ):
        assert title in joined, title
