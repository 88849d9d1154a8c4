"""The Risk and Agreement sheets in a real spreadsheet: LibreOffice recalculates, re-saves, prints.

openpyxl writes the charts and the colour rules without ever drawing them; LibreOffice
opening the file, saving it again and printing it is the proof that the histograms, the
tornado and the coloured map are there for a facilitator to show. Skipped without soffice.
"""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout
from tests.support.office import error_cells, pages, printed_text, recalculate_and_print, stale_copies, status
from tests.support.workbook import as_array, make_workbook, named_values

pytestmark = pytest.mark.libreoffice
OURS = (layout.RISK, layout.AGREEMENT)
TITLES = (
    "Provider surplus over 10,000 simulated years",
    "Host net cost over 10,000 simulated years",
    "Tornado: change in provider surplus when one term moves",
)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The template run as it ships, a copy with one rule changed after the run, and LibreOffice's copies."""
    root = tmp_path_factory.mktemp("risk_office")
    books = root / "books"
    books.mkdir()
    ran = make_workbook(books, "ran.xlsx")
    run_workbook(ran)
    rules = named_values(openpyxl.load_workbook(ran), "acceptance_rules")
    rules[0][4] = 0.25
    files = {"ran": ran, **stale_copies(ran, {"stale_rule": {"acceptance_rules": rules}})}
    recalculated, pdf = recalculate_and_print(root, files, ran)
    return {"ran": ran, "recalculated": recalculated["ran"], "stale": recalculated["stale_rule"], "pdf": pdf}


def test_no_formula_errors_on_our_sheets_and_the_status_follows_a_rule(office):
    wb = openpyxl.load_workbook(office["recalculated"], data_only=True)
    assert error_cells(wb, OURS) == []
    assert status(office["recalculated"]) == layout.UP_TO_DATE
    assert status(office["stale"]) == layout.OUT_OF_DATE  # a threshold in the rules table changed


def test_results_survive_as_numbers_and_symbols(office):
    ours = openpyxl.load_workbook(office["ran"])
    theirs = openpyxl.load_workbook(office["recalculated"], data_only=True)
    for name in ("risk_provider", "risk_host", "tornado"):
        mine = [row[1:] for row in named_values(ours, layout.out_name(name))]
        kept = [row[1:] for row in named_values(theirs, layout.out_name(name))]
        assert as_array(kept) == pytest.approx(as_array(mine), nan_ok=True), name
    zone = layout.out_name("agreement_zone")
    assert named_values(theirs, zone) == named_values(ours, zone)


def _chart_titles(path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/charts/chart") and name.endswith(".xml")
        ]


def test_our_three_charts_survive_a_resave(office):
    for path in (office["ran"], office["recalculated"]):
        charts = _chart_titles(path)
        for title in TITLES:
            assert sum(title in chart for chart in charts) == 1, (path.name, title)


def test_the_printout_has_the_tables_charts_and_map(office):
    text = pages(office["pdf"])
    if not any(text):
        pytest.skip("pdftotext is not installed: page count checked, page text not")
    joined = printed_text(office["pdf"])
    for words in (  # the Risk tables with their histograms; the Agreement tables and tornado
        "Provider surplus over 10,000 simulated years",
        "Host net cost over 10,000 simulated years",
        "Tornado: change in provider surplus",
        "The partnership lowers the provider's probability of a loss",
        "Today's terms and the balanced deals",
        "Balanced deal (Nash bargaining)",
        "the map of who accepts which terms is on screen",  # the map itself is not printed
    ):
        assert words in joined, words
    risk = next(i for i, page in enumerate(text) if "Provider: surplus with the partnership" in page)
    assert "Host council: net cost with the partnership" in text[risk]  # both tables on one page
