"""The Compare sheet in a real spreadsheet: LibreOffice recalculates it, saves it, prints it.

One workbook with typed contract terms is run, then opened by LibreOffice (private profile,
recalculation on load) and saved as .xlsx and as PDF: no error values, the figures survive
as numbers, the colour rules survive, both charts are drawn and print with their titles.
"""

from __future__ import annotations

import openpyxl
import pytest
from test_workbook_libreoffice import ERROR, RECALCULATE_ON_LOAD, SOFFICE, pages, soffice
from workbook_support import as_array, chart_count, make_workbook, named_values, planned_charts

from excel_addin import layout
from excel_addin.comparison import SHORT_LABELS
from excel_addin.workbook import run_workbook

pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed; `make system-deps` installs it as root"
)
SHEET = layout.COMPARE
NAMES = ("out_compare_point", "out_compare_risk", "out_compare_counts", "out_compare_line_provider_surplus")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare-libreoffice")
    profile = root / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ON_LOAD)
    book = make_workbook(
        root,
        "compare.xlsx",
        block_fee=5_800,
        cost_plus_margin="7%",
        compare_local_use=0.7,
        occupancy_step=0.1,
    )
    run_workbook(book)
    (root / "xlsx").mkdir()
    (root / "pdf").mkdir()
    recalculated = soffice(profile, "xlsx", root / "xlsx", [book])[0]
    pdf = soffice(profile, "pdf", root / "pdf", [book])[0]
    return {"book": book, "recalculated": recalculated, "pdf": pdf}


def test_no_error_values_and_up_to_date(office):
    wb = openpyxl.load_workbook(office["recalculated"], data_only=True)
    errors = [
        f"{ws.title}!{cell.coordinate}: {cell.value}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and ERROR.match(cell.value)
    ]
    assert errors == [], errors[:10]
    assert wb[layout.INPUTS][layout.STATUS_BY_NAME["status_message"].ref].value == layout.UP_TO_DATE


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
    joined = "\n".join(text)
    for words in (
        "Host cost per local week, local use 70%",
        "Provider surplus, local use 70%",
        "Cheapest contract for the host",
        "Best contract for the provider",
        "The four contracts, and who carries the risk in each",
        "Partnership",
        "Open book",
    ):
        assert words in joined, words
    assert compare, "the Compare sheet is not in the PDF"
