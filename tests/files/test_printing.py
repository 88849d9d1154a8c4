"""Every sheet's print set-up after a run, as openpyxl reads the file: what a printout gets.

A4 landscape, fitted to one page wide, the title rows repeated, the sheet name and page in
the footer, and the print area the sheet's spec (``excel_addin.workbook.printing``) asks
for: the tables for analysis (Results, Scenarios) print nothing, the long sheets only their
main pages. The smallest type on paper is estimated the way a spreadsheet fits a page: the
printed columns' width against the page's, times the smallest font in the print area.
"""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from excel_addin.cli.formatting import cell_text
from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout, printing
from excel_addin.workbook.formats import HEAT_THOUSANDS, MONEY, MONEY_THOUSANDS, no_negative_zero
from tests.support.workbook import make_workbook

PRINTED = [s.name for s in layout.SHEETS if printing.spec(s.name).printed]
NOT_PRINTED = [s.name for s in layout.SHEETS if not printing.spec(s.name).printed]


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> openpyxl.Workbook:
    """The demo workbook (the template's example inputs) after a run."""
    path = make_workbook(tmp_path_factory.mktemp("print"), "demo.xlsx")
    run_workbook(path)
    return openpyxl.load_workbook(path)


def _area(ws) -> tuple[int, int, int, int]:
    ref = ws.print_area
    ref = (ref[0] if isinstance(ref, list) else ref).split("!")[-1].replace("$", "")
    return range_boundaries(ref)


@pytest.mark.parametrize("name", [s.name for s in layout.SHEETS])
def test_every_sheet_prints_a4_landscape_one_page_wide_with_titles_and_footer(ran, name):
    ws = ran[name]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == printing.PAPER_A4 == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    tall = 1 if name == layout.SUMMARY else 0  # the verdict is one page; the others run down as needed
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, tall)
    assert ws.oddFooter.left.text == "&A" and ws.oddFooter.right.text == "Page &P of &N"
    if name != layout.RESULTS:  # its own column headings repeat instead
        assert ws.print_title_rows == "$1:$2"


@pytest.mark.parametrize("name", NOT_PRINTED)
def test_tables_for_analysis_print_nothing_and_say_so(ran, name):
    ws = ran[name]
    left, top, right, bottom = _area(ws)
    assert (left, top) == (right, bottom)  # one cell …
    assert ws.cell(top, left).value is None  # … that stays empty, so no page comes out
    assert left > ws.max_column or all(ws.cell(r, left).value is None for r in range(1, ws.max_row + 1))
    texts = [c.value for row in ws.iter_rows(max_row=8) for c in row if isinstance(c.value, str)]
    assert printing.spec(name).note in texts


def test_long_sheets_print_their_main_pages_only(ran):
    """Hand-checked against each sheet's layout: the rows and columns that print."""
    # Provider and Host: charts and break-even, then the two tables that judge the party against
    # spot; the third table and the chart data (down to row 143 before) stay on screen.
    for name, judged in ((layout.PROVIDER, "Provider gain"), (layout.HOST, "Host saving against spot")):
        ws = ran[name]
        _, top, right, bottom = _area(ws)
        assert (top, right) == (1, 22)  # A to V: 21 local uses
        headings = [ws.cell(r, 1).value or "" for r in range(1, bottom + 1)]
        assert sum(str(h).startswith(judged) for h in headings) == 1
        assert bottom < ws.max_row
    # Agreement: its tables (A to H), not the map of 41 columns beside them
    assert _area(ran[layout.AGREEMENT])[2] == len(layout.AGREEMENT_SHEET.column_widths) == 8
    for name in (layout.REGION, layout.PORTFOLIO, layout.COMPARE):
        assert _area(ran[name])[2] == printing.STATEMENT_COLUMNS


def test_nothing_prints_below_8_pt(ran):
    """The printed columns' width (7 pixels a character + 5, 96 to the inch) against the page's,
    times the smallest font in the print area: at least 8 pt on paper on every printed sheet."""
    page = printing.printable_width_cm()
    for name in PRINTED:
        ws = ran[name]
        if not ws.print_area:
            continue  # the Inputs sheet prints its used range, checked on paper by the LibreOffice test
        left, top, right, bottom = _area(ws)
        width = sum(
            ((ws.column_dimensions[get_column_letter(c)].width or 8.43) * 7 + 5) * 2.54 / 96
            for c in range(left, right + 1)
        )
        scale = min(1.0, page / width)
        fonts = [
            cell.font.sz or 11
            for row in ws.iter_rows(min_row=top, max_row=bottom, min_col=left, max_col=right)
            for cell in row
            if cell.value is not None
        ]
        assert min(fonts) * scale >= printing.MIN_FONT_PT, (name, min(fonts), round(scale, 3))


def test_guide_paragraphs_wrap_across_the_page(ran):
    ws = ran[layout.GUIDE]
    merged = [str(r) for r in ws.merged_cells.ranges]
    assert len(merged) > 20
    for ref in merged:
        cell = ws[ref.split(":")[0]]
        assert cell.alignment.wrap_text and isinstance(cell.value, str)
    long = [r for r in merged if len(ws[r.split(":")[0]].value) > 250]
    # a line of over 250 characters across A:D (159 character widths) needs two lines or more
    assert long and all(ws.row_dimensions[ws[r.split(":")[0]].row].height >= 30 for r in long)
    assert ws.print_area and _area(ws)[2] == 4  # A to D: nothing spills past the page


def test_print_area_keeps_the_chosen_pages():
    # Hand-worked: a sheet laid out to row 100 with pages ending at rows 20, 50 and 80.
    assert printing.area(layout.INPUTS, 100, 6, (50, 20, 80)) == ("A1:F100", (20, 50, 80))
    # Risk prints its second designed page only (rows 21–50), Agreement from row 21 to the end
    # at most 8 columns, Region its first page at most 11 columns.
    assert printing.area(layout.RISK, 100, 6, (20, 50, 80)) == ("A21:F50", ())
    assert printing.area(layout.AGREEMENT, 100, 50, (20,)) == ("A21:H100", ())
    assert printing.area(layout.REGION, 100, 22, (20, 50)) == ("A1:K20", ())
    assert printing.area(layout.PROVIDER, 100, 22, (20, 50, 80)) == ("A1:V50", (20,))


def test_money_never_shows_a_negative_zero():
    # Sections chosen by value: -£300 is at most half a thousand away from 0, so "£0k"; the
    # negative section writes its own minus because a multi-section format drops the sign.
    assert MONEY_THOUSANDS == '[>=500]£#,##0,"k";[Red][<=-500]-£#,##0,"k";£0,"k"'
    assert HEAT_THOUSANDS == '[>=500]£#,##0,"k";[<=-500]-£#,##0,"k";£0,"k"'
    assert MONEY == "[>=0.5]£#,##0;[Red][<=-0.5]-£#,##0;£0"
    assert no_negative_zero("£#,##0", 0.5, red=False, plus="+") == "[>=0.5]+£#,##0;[<=-0.5]-£#,##0;£0"
    assert cell_text(-300.0, "£/year") == "£0k"
    assert cell_text(-1_600.0, "£/year") == "[red]-£2k[/red]"
    assert cell_text(-0.4, "£/week") == "£0"
