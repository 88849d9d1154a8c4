"""A real spreadsheet opens the workbook: LibreOffice recalculates it, saves it, prints it.

openpyxl writes formulas without results, so these tests are the proof that the formulas
work (no #REF!, #NAME?), that the out-of-date status really flips when any input changes
(on any sheet, in a table, from 0 to blank), and that the charts are drawn. LibreOffice runs
headless with a private profile (parallel sessions do not clash) that recalculates on load.
"""

from __future__ import annotations

import openpyxl
import pytest

from excel_addin.cli import main
from excel_addin.files.operations import check_workbook, run_workbook
from excel_addin.workbook import layout
from tests.support.office import error_cells, pages, recalculate_and_print, stale_copies, status
from tests.support.workbook import (
    as_array,
    chart_count,
    input_values,
    make_workbook,
    named_values,
    planned_charts,
)

pytestmark = pytest.mark.libreoffice
STALE = {
    "stale_fee": {"local_fee": 5_100},
    "stale_tier": {"share_tiers": [[0, 0.25], [0.5, 0.45], [0.75, 0.6]]},
    "stale_breakdown": {"breakdown_occupancy": 0.9},
    "stale_blank": {"deficit_support": None},
}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The workbooks of every scenario, and what LibreOffice made of them."""
    root = tmp_path_factory.mktemp("libreoffice")
    books = root / "books"
    books.mkdir()
    ran = make_workbook(books, "ran.xlsx", fixed_cost=900_000, occupancy_step=0.1)
    run_workbook(ran)
    files = {"ran": ran, "fresh": make_workbook(books, "fresh.xlsx"), **stale_copies(ran, STALE)}
    files["formula"] = make_workbook(books, "formula.xlsx")
    wb = openpyxl.load_workbook(files["formula"])
    wb[layout.INPUTS][layout.input_cell("fixed_cost").ref] = "=900000+50000"
    wb.save(files["formula"])
    recalculated, pdf = recalculate_and_print(root, files, ran)
    return {"files": files, "recalculated": recalculated, "pdf": pdf}


def test_status_after_a_run_and_before_any(office):
    assert status(office["recalculated"]["ran"]) == layout.UP_TO_DATE
    assert status(office["recalculated"]["fresh"]) == layout.NOT_RUN


@pytest.mark.parametrize("scenario", list(STALE))
def test_status_flips_to_out_of_date_when_any_input_changes(office, scenario):
    assert (
        status(office["recalculated"][scenario])
        == layout.OUT_OF_DATE
        == "Results are out of date – run again"
    )


def test_no_formula_errors_anywhere(office):
    for scenario in ("ran", "fresh"):
        wb = openpyxl.load_workbook(office["recalculated"][scenario], data_only=True)
        errors = error_cells(wb)
        assert errors == [], errors[:10]
        changes = wb[layout.SNAPSHOT][layout.SNAPSHOT_CHANGES.ref].value
        # a fresh template: every filled input cell differs from the empty snapshot; none after a run
        filled = sum(
            v is not None
            for rows in input_values(office["files"][scenario]).values()
            for r in rows
            for v in r
        )
        assert changes == (0 if scenario == "ran" else filled)


def test_results_survive_as_numbers(office):
    # the tables are formulas now: what the run saved with them against what LibreOffice computes
    ours = openpyxl.load_workbook(office["files"]["ran"], data_only=True)
    theirs = openpyxl.load_workbook(office["recalculated"]["ran"], data_only=True)
    for name in ("out_provider_surplus", "out_host_cost_per_local_week", "out_break_even_occupancy"):
        assert as_array(named_values(theirs, name)) == pytest.approx(
            as_array(named_values(ours, name)), nan_ok=True
        )


def test_charts_are_in_the_file_and_survive_libreoffice(office):
    planned = planned_charts(office["files"]["ran"])
    assert chart_count(office["files"]["ran"]) == planned >= 4
    assert chart_count(office["recalculated"]["ran"]) == planned


def test_pdf_has_every_sheet_and_the_charts(office):
    text = pages(office["pdf"])
    # Guide 3, Inputs 1, Provider 2 (charts; the two tables judged against spot), Host 2,
    # Results none (it is for analysis on screen), Breakdown 1
    assert len(text) >= 9
    if not any(text):
        pytest.skip("pdftotext is not installed: page count checked, page text not")
    joined = "\n".join(text)
    for title in (  # chart titles may wrap onto two lines: their first words
        "Provider surplus by occupancy",
        "Host net cost by occupancy",
        "Occupancy the provider needs to break",
        "Local use 100%",
    ):
        assert title in joined, title
    first = next(i for i, page in enumerate(text) if "Provider: surplus, margin and gain" in page)
    assert "Provider surplus by occupancy" in text[first]  # the charts print on the sheet's first page


def test_a_formula_typed_in_an_input_is_read_once_calculated(office, capsys):
    recalculated = office["recalculated"]["formula"]
    assert main(["check", str(recalculated)]) == 0
    assert check_workbook(recalculated).inputs.params.fixed_cost == 950_000
    capsys.readouterr()
