"""The workbook side of the partnership model, in layers (docs/architecture.md).

``workbook`` is library-free (layout, reading inputs, the plan of what to write, the result
sheets); ``files`` applies plans to .xlsx files with openpyxl; ``excel`` applies them through
xlwings and bundles xlwings Lite; ``cli`` is the `partnership` command line. ``udfs``,
``macros`` and ``console`` are the names workbooks and the installed program refer to.
"""

from typing import Any

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    """``__version__`` on first use, so that starting the command line loads numpy only inside it."""
    if name == "__version__":
        from engine import __version__

        return __version__
    raise AttributeError(f"module 'excel_addin' has no attribute {name!r}")
