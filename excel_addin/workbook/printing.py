"""How every sheet prints: one print spec a sheet, applied by both writers.

A finance director puts pages of this workbook into a committee paper, so each sheet prints
on A4 landscape, fitted to the page width, with its title rows repeated on every page and a
footer naming the sheet and the page. Tables kept for analysis rather than reading (the tidy
Results table, the kept scenarios, chart data) print only their first rows, with a line on
the sheet saying the rest is on screen. ``files.openpyxl_apply`` and ``excel.xlwings_apply``
both take orientation, paper, fit, margins, titles and footer from here; a sheet's build only
says which rows and columns its print area covers.

Fitting a sheet to the page width scales its type: a sheet whose printed columns are wider
than the page shrinks, so the printed columns are kept narrow enough that nothing prints
below ``MIN_FONT_PT`` (tests/files/test_printing.py measures it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from excel_addin.workbook import a1, layout

PAPER_A4 = 9  # the paper size code Excel and openpyxl use for A4
MIN_FONT_PT = 8.0  # the smallest type on paper, after fitting to the page width
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 29.7, 21.0  # A4 landscape
MARGIN_SIDE_IN, MARGIN_TOP_IN, MARGIN_BOTTOM_IN = 0.3, 0.45, 0.55
HEADER_IN, FOOTER_IN = 0.2, 0.25
FOOTER_LEFT = "&A"  # the sheet's name
FOOTER_RIGHT = "Page &P of &N"
FOOTER_SIZE = 11  # scaled with the page like the cells: 8 pt or more on paper


@dataclass(frozen=True)
class PrintSpec:
    """How one sheet prints.

    ``title_rows`` repeat at the top of every printed page (None: the sheet's own, as its
    build gives them). ``pages`` prints only the first pages the sheet's build lays out (its
    page breaks) from ``first_page`` (the pages of its own inputs come first on some sheets),
    the rest staying on screen; ``columns`` likewise keeps wide maps off the paper. ``note``
    says so in the page footer; a sheet
    that is ``printed=False`` says why on the sheet itself.
    """

    landscape: bool = True
    fit_width: int = 1
    fit_height: int = 0  # 0: as many pages down as it takes; 1 (with fit_width 1): one page
    title_rows: tuple[int, int] | None = (layout.TITLE_ROW, layout.SUBTITLE_ROW)
    printed: bool = True
    first_page: int = 1
    pages: int | None = None
    columns: int | None = None
    note: str = ""


NOT_PRINTED = "Not printed: {what} is for working on screen (filter, sort, copy); the other sheets print."
PRINT: dict[str, PrintSpec] = {
    layout.SUMMARY: PrintSpec(fit_height=1),  # the verdict: one page, whatever the inputs
    layout.RESULTS: PrintSpec(
        title_rows=None, printed=False, note=NOT_PRINTED.format(what="this table of every measure")
    ),
    layout.SCENARIOS: PrintSpec(
        printed=False, note=NOT_PRINTED.format(what="this list of kept proposals, one input a column")
    ),
}
STATEMENT_COLUMNS = 11  # the statements and two charts side by side; the wider maps stay on screen
ON_SCREEN = "Printed: the main part of this sheet; all of it is on screen."
PRINT.update(
    {
        layout.PROVIDER: PrintSpec(pages=2, note=ON_SCREEN),
        layout.HOST: PrintSpec(pages=2, note=ON_SCREEN),
        layout.COMPARE: PrintSpec(first_page=2, pages=2, columns=STATEMENT_COLUMNS, note=ON_SCREEN),
        layout.REGION: PrintSpec(pages=1, columns=STATEMENT_COLUMNS, note=ON_SCREEN),
        layout.PORTFOLIO: PrintSpec(pages=1, columns=STATEMENT_COLUMNS, note=ON_SCREEN),
        layout.TERM: PrintSpec(first_page=2, pages=1, columns=13, note=ON_SCREEN),
        layout.RISK: PrintSpec(first_page=2, pages=1, note=ON_SCREEN),
        layout.AGREEMENT: PrintSpec(
            first_page=2,
            pages=1,
            columns=len(layout.AGREEMENT_SHEET.column_widths),
            note="Printed: the tables; the map of who accepts which terms is on screen, right of them.",
        ),
    }
)
DEFAULT = PrintSpec()


def spec(sheet: str) -> PrintSpec:
    """The print spec of ``sheet`` (every sheet has one: the default unless listed in ``PRINT``)."""
    return PRINT.get(sheet, DEFAULT)


def printable_width_cm() -> float:
    """The width a page offers to the sheet, between the side margins."""
    return PAGE_WIDTH_CM - 2 * MARGIN_SIDE_IN * 2.54


def nothing(last_column: int) -> str:
    """The print area of a sheet that is not printed: one cell that stays empty, right of its table.

    Excel and LibreOffice skip an empty page, so the sheet adds nothing to a printed workbook,
    while the sheet itself says so (``PrintSpec.note``).
    """
    return a1.cell(1, last_column + 2)


def area(
    sheet: str, last_row: int, last_column: int, breaks: Sequence[int] = ()
) -> tuple[str, tuple[int, ...]]:
    """The print area and page breaks of a sheet laid out down to ``last_row`` with ``breaks``.

    ``breaks`` are the last rows of the build's pages; the spec's ``first_page`` and ``pages``
    choose which of them print (all of them by default).
    """
    ends = [*sorted(b for b in breaks if b < last_row), last_row]
    starts = [1, *(end + 1 for end in ends[:-1])]
    wanted = spec(sheet)
    first = min(wanted.first_page, len(ends)) - 1
    last = len(ends) if wanted.pages is None else min(len(ends), first + wanted.pages)
    top, bottom = starts[first], ends[last - 1]
    columns = min(last_column, wanted.columns or last_column)
    return a1.area(top, 1, bottom - top + 1, columns), tuple(ends[first : last - 1])


class PrintPages(TypedDict):
    """The print area and page breaks of a ``SheetSetup``, passed to it with ``**``."""

    print_area: str
    row_breaks: tuple[int, ...]


def print_setup(sheet: str, last_row: int, last_column: int, breaks: Sequence[int] = ()) -> PrintPages:
    """``area``'s print area and page breaks as a sheet's ``SheetSetup`` takes them."""
    print_area, row_breaks = area(sheet, last_row, last_column, breaks)
    return PrintPages(print_area=print_area, row_breaks=row_breaks)


def printed_widths(sheet: str, widths: list[float]) -> list[float]:
    """The widths of the columns that print, for charts sized to fit the printed page."""
    columns = spec(sheet).columns
    return widths if columns is None else widths[:columns]
