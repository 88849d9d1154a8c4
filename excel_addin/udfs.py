"""The module workbooks name in their xlwings.conf sheet (``UDF Modules = excel_addin.udfs``).

Kept at this path so workbooks made by every version keep finding their functions; the
functions live in ``excel_addin.excel.udfs``.
"""

from excel_addin.excel.udfs import *  # noqa: F403
from excel_addin.excel.udfs import __all__  # noqa: F401
