"""The desktop add-in's worksheet functions and scripts (workbooks name them through ``excel_addin.udfs``).

xlwings' "Import Functions" (Windows) turns what is decorated here into worksheet
functions (PM_GRID, PM_POINT, …) and macros (run_model, new_scenario, load_scenario) of
the workbook. The functions themselves are in ``functions.py`` (no xlwings there); this
module only declares, from ``functions.FUNCTIONS``, which arguments are ranges and what
each argument means. Results spill as dynamic arrays in Excel 365; no ``expand=``, which
would make xlwings cache results.

Importing this module without xlwings installed raises a plain ImportError saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:
    import xlwings as xw
except ImportError as error:  # the engine and the command line work without xlwings
    raise ImportError(
        "The Excel add-in needs xlwings: pip install xlwings (it comes with partnership-model)."
    ) from error

from excel_addin.excel import functions, macros


def declare(function: functions.Function, func: Callable, arg: Callable) -> Callable[..., Any]:
    """Decorate one pure function as xlwings expects: ``@func`` above ``@arg(...)`` per argument."""
    decorated = function.function
    for spec in function.args:
        options: dict[str, Any] = {"doc": spec.doc}
        if spec.range:
            options["ndim"] = 2
        decorated = arg(spec.name, **options)(decorated)
    return func(decorated)


for _function in functions.FUNCTIONS:
    globals()[_function.name] = declare(_function, xw.func, xw.arg)


@xw.script
def run_model() -> None:
    """Compute and write every result sheet of this workbook."""
    macros.run_model(xw.Book.caller())


@xw.script
def new_scenario() -> None:
    """Keep every input under the name typed on the Scenarios sheet."""
    macros.new_scenario(xw.Book.caller())


@xw.script
def load_scenario() -> None:
    """Put the scenario named on the Scenarios sheet back into the input cells."""
    macros.load_scenario(xw.Book.caller())


__all__ = [function.name for function in functions.FUNCTIONS] + ["load_scenario", "new_scenario", "run_model"]
