"""A1-style cell addresses, without a spreadsheet library.

The plan and the layout name cells in the spreadsheet's own notation so that openpyxl,
xlwings and a person reading an error message all see the same address.
"""

from __future__ import annotations

import re

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_letter(index: int) -> str:
    """1 → "A", 27 → "AA"."""
    if index < 1:
        raise ValueError(f"column index {index} must be at least 1")
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """ "A" → 1, "AA" → 27."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index


def cell(row: int, column: int) -> str:
    """(7, 2) → "B7"."""
    return f"{column_letter(column)}{row}"


def parse_cell(ref: str) -> tuple[int, int]:
    """ "B7" or "$B$7" → (7, 2)."""
    match = _CELL.match(ref.strip())
    if not match:
        raise ValueError(f"{ref!r} is not a cell address such as B7")
    return int(match.group(2)), column_index(match.group(1))


def area(row: int, column: int, rows: int = 1, columns: int = 1) -> str:
    """The range starting at (row, column): "B7" for one cell, "B7:C11" for a block."""
    first = cell(row, column)
    if rows == 1 and columns == 1:
        return first
    return f"{first}:{cell(row + rows - 1, column + columns - 1)}"


def parse_area(ref: str) -> tuple[int, int, int, int]:
    """ "B7:C11" → (row 7, column 2, 5 rows, 2 columns); a single cell is 1 × 1."""
    first, _, last = ref.partition(":")
    row, column = parse_cell(first)
    end_row, end_column = parse_cell(last) if last else (row, column)
    return row, column, end_row - row + 1, end_column - column + 1


def absolute(ref: str) -> str:
    """ "B7:C11" → "$B$7:$C$11" (defined names and formulas use absolute references)."""
    parts = []
    for part in ref.split(":"):
        row, column = parse_cell(part)
        parts.append(f"${column_letter(column)}${row}")
    return ":".join(parts)


def quote_sheet(sheet: str) -> str:
    """A sheet name as a formula needs it: quoted when it has anything but letters/digits/_."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def sheet_ref(sheet: str, ref: str) -> str:
    """("Inputs", "B7") → "Inputs!$B$7", the form of defined names and cross-sheet formulas."""
    return f"{quote_sheet(sheet)}!{absolute(ref)}"


def split_sheet_ref(text: str) -> tuple[str, str]:
    """ "'My sheet'!$B$7" → ("My sheet", "B7:…" without dollars)."""
    sheet, _, ref = text.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, ref.replace("$", "")


def overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two (row, column, rows, columns) rectangles share a cell."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
