"""A pen moving down a result sheet: where the next block goes, the page breaks and the tall rows.

A result sheet is a column of blocks (a caption, a statement, notes, charts, tables), each
starting where the one above ended. Keeping that row, the page breaks between parts and the
header rows that wrap onto two lines in one place lets a sheet's ``build`` read as the list
of its blocks, and ends the row arithmetic each sheet used to repeat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from excel_addin.workbook import layout
from excel_addin.workbook.plan import Item, block
from excel_addin.workbook.sheets.common import Table, heat_table

HeatPart = tuple[str, np.ndarray, bool | None, str]  # title, £ per year values, higher is better (None:
# not coloured), output name


@dataclass
class Cursor:
    """The items written so far on ``sheet``, and ``row``: the first row still free."""

    sheet: str
    row: int
    items: list[Item] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)  # last row of each printed page but the last
    tall: list[int] = field(default_factory=list)  # header rows that wrap onto two lines

    def add(self, *items: Item) -> None:
        """Items placed by their own coordinates (charts, names): the row does not move."""
        self.items.extend(items)

    def text(self, text: str, style: str | None = None) -> None:
        """One line of text in column A."""
        self.items.append(block(self.sheet, self.row, 1, text, style=style))
        self.row += 1

    def texts(self, lines: Sequence[str], style: str | None = None) -> None:
        """Lines of text in column A, one a row."""
        for line in lines:
            self.text(line, style)

    def skip(self, rows: int = 1) -> None:
        """Leave ``rows`` rows empty."""
        self.row += rows

    def put(self, table: Table, *after: Item, notes: Sequence[str] | None = None) -> Table:
        """A table (then ``after``, e.g. its defined name); ``notes`` go right under it, then one empty row.

        Without notes the next block starts after the table's usual gap. Returns the table,
        whose ``refs`` charts and names point at.
        """
        self.items.extend(table.items)
        self.items.extend(after)
        self.tall.extend(table.tall_rows)
        if notes is None:
            self.row = table.next_row
        else:
            self.row = table.next_row - layout.TABLE_GAP
            self.texts(notes, "note")
            self.skip()
        return table

    def page_break(self) -> None:
        """Start a new printed page at the current row."""
        self.breaks.append(self.row - 1)


def put_heat_maps(
    page: Cursor, parts: Sequence[HeatPart], axes: tuple[np.ndarray, np.ndarray], per_page: int = 2
) -> None:
    """Heat maps of £ per year over the occupancy × local-use grid, ``per_page`` to a printed page."""
    for index, (title, values, higher, name) in enumerate(parts):
        page.put(
            heat_table(
                page.sheet,
                page.row,
                title,
                values,
                "£/year",
                axes,
                higher_is_better=higher,
                defined=layout.out_name(name),
            )
        )
        if index % per_page == per_page - 1:
            page.page_break()
