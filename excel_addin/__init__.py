"""The workbook side of the partnership model: template, reading inputs, writing results.

``layout`` says where everything lives, ``reader`` turns cell values into engine inputs,
``plan`` turns engine results into library-free write instructions, and ``openpyxl_io``
applies them to a file (the desktop add-in applies the same plan through xlwings).
"""

from engine import __version__

__all__ = ["__version__"]
