"""The partnership model of MODEL.md: pure numpy/pandas, no files, no Excel, no printing.

Runs anywhere numpy and pandas do, including xlwings Lite (Pyodide).
"""

from .breakdown import breakdown
from .breakeven import break_even_occupancy
from .errors import ParameterError
from .grid import GridResult, default_axis, make_axis, payoff_grid
from .measures import KEY_MEASURES, MEASURE_NAMES, MEASURES, Measure, measure
from .model import compute, evaluate
from .parameters import PARAMETERS, SPECS, Parameters
from .specs import ParameterSpec, range_problems, read_mapping

__version__ = "0.1.0"

__all__ = [
    "KEY_MEASURES",
    "MEASURES",
    "MEASURE_NAMES",
    "PARAMETERS",
    "SPECS",
    "GridResult",
    "Measure",
    "ParameterError",
    "ParameterSpec",
    "Parameters",
    "__version__",
    "break_even_occupancy",
    "breakdown",
    "compute",
    "default_axis",
    "evaluate",
    "make_axis",
    "measure",
    "payoff_grid",
    "range_problems",
    "read_mapping",
]
