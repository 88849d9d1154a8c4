"""The workbook side of the partnership model: template, reading inputs, writing results.

``layout`` says where everything lives, ``reader`` turns cell values into engine inputs,
``plan`` turns engine results into library-free write instructions, and ``openpyxl_io``
applies them to a file (the desktop add-in applies the same plan through xlwings).
"""

from typing import Any

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    """``__version__`` on first use, so that starting the command line loads numpy only inside it."""
    if name == "__version__":
        from engine import __version__

        return __version__
    raise AttributeError(f"module 'excel_addin' has no attribute {name!r}")
