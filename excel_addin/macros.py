"""The module a workbook's VBA names: ``RunPython "import excel_addin.macros as m; m.main()"``.

Kept at this path so buttons made for every version keep working; the macros live in
``excel_addin.excel.macros``.
"""

from excel_addin.excel.macros import load_scenario, main, new_scenario, run_model

__all__ = ["load_scenario", "main", "new_scenario", "run_model"]
