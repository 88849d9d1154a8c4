"""Reading an open workbook through xlwings: the reader callbacks, and cells by defined name.

The same code serves desktop Excel (Windows, macOS), xlwings Lite and xlwings' remote
interpreter, because it uses only the API they share: ``book.names``,
``Name.refers_to`` / ``refers_to_range`` and ``Range.options(...).value``. Nothing here
imports xlwings: the book object is all it needs.
"""

from __future__ import annotations

from typing import Any

from excel_addin.workbook import a1, layout
from excel_addin.workbook.reader import AddressOf, ValueOf


def address_of(book: Any, name: str) -> str | None:
    """Where a workbook-level name points, as "Inputs!$B$14", or None when there is no such name."""
    try:
        if name not in book.names:
            return None
        refers_to = book.names[name].refers_to
    except Exception:  # engines differ in what a missing or broken name raises
        return None
    if not refers_to or "!" not in refers_to:
        return None
    sheet, ref = a1.split_sheet_ref(refers_to.lstrip("="))
    return a1.sheet_ref(sheet, ref)


def named_range(book: Any, name: str) -> Any:
    """The xlwings Range a defined name points to."""
    return book.names[name].refers_to_range


def value_of(book: Any, name: str) -> Any:
    """An input's value: a scalar, or rows for a table input. Cell errors arrive as text ("#DIV/0!")."""
    cell = layout.input_cell(name)
    rng = named_range(book, name)
    if cell is not None and cell.is_table:
        return rng.options(ndim=2, err_to_str=True).value
    return rng.options(err_to_str=True).value


def callbacks(book: Any) -> tuple[ValueOf, AddressOf]:
    """The reader callbacks (``run.read_inputs``) for an open xlwings book."""
    return (lambda name: value_of(book, name)), (lambda name: address_of(book, name))


def read_area(book: Any, sheet: str, ref: str) -> list[list[Any]]:
    """A rectangle's values as rows (empty cells None)."""
    return book.sheets[sheet].range(ref).options(ndim=2).value
