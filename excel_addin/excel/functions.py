"""The worksheet functions (PM_GRID, PM_POINT, …) as plain Python: cell values in, rows out.

Nothing here imports xlwings. ``udfs.py`` (desktop Excel) and the ``main.py`` that
``partnership lite`` writes (xlwings Lite) decorate these same functions, so a formula
gives the same answer in every Excel. Each function:

- takes cell values as xlwings passes them (rows of values, ``None`` for an empty cell,
  floats for whole numbers, text as typed) and a (name, value) range of terms read by
  ``param_range`` (typically the Inputs sheet itself), plus optional ``overrides``;
- calls the engine once and returns rows of plain values that spill as a dynamic array;
  an undefined value (a margin with no revenue) is an empty text ``""``;
- never raises: a bad input comes back as one line of text in the cell, e.g.
  ``#PARAM! reserved_places = 5 exceeds places = 4``, and anything unexpected as
  ``#ERROR! …``, never a traceback;
- is deterministic and keeps no cache (risk figures use a fixed seed unless given one).

``FUNCTIONS`` describes every function once (signature, arguments, what it returns): the
decorators and the function reference in docs/user-guide.md are generated from it.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import (
    DEFAULT_DRAWS,
    DEFAULT_LEVERS,
    DEFAULT_RULES,
    DEFAULT_SEED,
    DEFAULT_STEPS,
    MEASURES,
    RULE_COLUMNS,
    ParameterError,
    Parameters,
    Uncertainty,
    agreement_zone,
    axis_problems,
    balanced_points,
    break_even_occupancy,
    breakdown,
    default_axis,
    evaluate,
    format_value,
    make_axis,
    measure,
    monte_carlo,
    parse_rules,
    range_problems,
    read_mapping,
    to_number,
)
from excel_addin.excel.param_range import NamedValues, as_rows, read_overrides, read_range
from excel_addin.workbook import layout

Cell = float | int | str | bool | None
UNDEFINED = ""  # what a cell shows where a measure is not defined (division by zero)
PARAM_ERROR, OTHER_ERROR = "#PARAM!", "#ERROR!"
RISK_COLUMNS = ("party", "statistic", "label", "unit", "partnership", "spot", "change")
BREAKDOWN_COLUMNS = (
    "line",
    "measure",
    "formula",
    "from",
    "to",
    "amount",
    "host",
    "provider",
    "outside_authorities",
    "suppliers",
)
AGREEMENT_OUTPUTS = ("map", "codes", "balanced")
MEASURE_COLUMNS = ("name", "label", "unit", "party", "better", "description")


# --- turning cell values into engine inputs ------------------------------------------------------


def cell(value: Any) -> Cell:
    """A value as a cell can show it: numpy scalars as Python, NaN and ±inf as ``UNDEFINED``."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return UNDEFINED
    return value


def _rows(values: Any) -> list[list[Cell]]:
    return [[cell(v) for v in row] for row in np.asarray(values, dtype=object)]


def _inputs(parameters: Any, overrides: Any) -> NamedValues:
    """The terms of the parameters range, with the overrides' values in their place."""
    problems: list[tuple[str, str]] = []
    found, extra = NamedValues({}), NamedValues({})
    try:
        found = read_range(parameters)
    except ParameterError as error:
        problems += error.problems
    try:
        extra = read_overrides(overrides)
    except ParameterError as error:
        problems += error.problems
    if problems:
        raise ParameterError(problems)
    return found.merged(extra)


def _collect(*builders: Callable[[], Any]) -> list[Any]:
    """Run each builder, gathering every ParameterError so all problems are reported at once."""
    results, problems = [], []
    for build in builders:
        try:
            results.append(build())
        except ParameterError as error:
            problems += error.problems
            results.append(None)
    if problems:
        raise ParameterError(problems)
    return results


def _params(values: NamedValues) -> Parameters:
    return Parameters.from_mapping(values.family("parameters"))


def _uncertainty(values: NamedValues) -> Uncertainty:
    return Uncertainty.from_mapping(values.family("uncertainty"))


def _numbers(raw: Any, name: str) -> np.ndarray:
    """A range of shares (occupancy, local use) as a 2-D float array; empty cells are NaN."""
    rows = as_rows(raw)
    width = max((len(row) for row in rows), default=0)
    out = np.full((len(rows), width), np.nan)
    problems = []
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            parsed = to_number(name, value)
            if parsed.problem:
                problems.append((name, parsed.problem))
            else:
                out[i, j] = parsed.value
    known = out[np.isfinite(out)]
    problems += axis_problems(name, known)  # shares within [0, 1], checked with the other inputs
    if problems:
        raise ParameterError(problems)
    if out.size == 0:
        raise ParameterError([(name, f"{name} is missing (the cell is empty)")])
    return out


def _axis(axis: str, given: Any, values: NamedValues) -> np.ndarray:
    """The values of a grid axis: as given, else from the range's axis rows, else 0 %, 5 %, …, 100 %."""
    if given is not None:
        numbers = _numbers(given, axis).ravel()
        numbers = numbers[np.isfinite(numbers)]
        if numbers.size == 0:
            raise ParameterError([(axis, f"{axis} is missing (the cells are empty)")])
        return numbers
    names = [f"{axis}_{part}" for part in ("min", "max", "step")]
    rows = {name: value for name, value in values.family("axes").items() if name in names}
    if not rows:
        return default_axis()
    specs = [spec for spec in layout.AXIS_SPECS if spec.name in names]
    parsed, problems = read_mapping(specs, rows, what="a grid setting")
    problems += range_problems(specs, {name: parsed[name] for name in rows if name in parsed})
    if problems:
        raise ParameterError(problems)
    minimum, maximum, step = (parsed[name] for name in names)
    return make_axis(minimum, maximum, step, name=axis)


def scalar(raw: Any) -> Any:
    """One cell's value, also when it arrives as a 1 × 1 range (rows of one value)."""
    while isinstance(raw, list | tuple) and len(raw) == 1:
        raw = raw[0]
    return raw


def _measure(raw: Any):
    value = scalar(raw)
    return measure(str(value).strip() if value is not None else "")


def _whole(raw: Any, name: str, default: int) -> int:
    """A count typed in a cell (a float from Excel) as an int."""
    raw = scalar(raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    parsed = to_number(name, raw)
    if parsed.problem is None and parsed.value == math.floor(parsed.value):
        return int(parsed.value)
    raise ParameterError([(name, parsed.problem or f"{name} = {format_value(raw)} must be a whole number")])


def _single(raw: Any, name: str) -> float:
    """One number from a cell (a 1-cell range is fine)."""
    numbers = _numbers(raw, name)
    if numbers.size != 1:
        raise ParameterError([(name, f"{name} must be one cell, not {numbers.shape[0]}×{numbers.shape[1]}")])
    if not np.isfinite(numbers[0, 0]):
        raise ParameterError([(name, f"{name} is missing (the cell is empty)")])
    return float(numbers[0, 0])


def _text(raw: Any, name: str, choices: Sequence[str], default: str) -> str:
    raw = scalar(raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    text = str(raw).strip().casefold()
    if text not in choices:
        raise ParameterError([(name, f"{name} = {raw!r} must be one of {', '.join(choices)}")])
    return text


def _paired(occupancy: Any, local_use: Any) -> tuple[np.ndarray, np.ndarray]:
    """Occupancy and local-use ranges paired like numpy: same shape, a column and a row, or a cell."""
    o, u = _collect(lambda: _numbers(occupancy, "occupancy"), lambda: _numbers(local_use, "local_use"))
    try:
        shape = np.broadcast_shapes(o.shape, u.shape)
    except ValueError:
        raise ParameterError(
            [
                (
                    "occupancy",
                    f"occupancy ({o.shape[0]}×{o.shape[1]}) and local_use ({u.shape[0]}×{u.shape[1]}) "
                    "cannot be paired: give ranges of the same size, a column and a row, or one cell",
                )
            ]
        ) from None
    return np.broadcast_to(o, shape), np.broadcast_to(u, shape)


def _pointwise(compute: Callable[[np.ndarray, np.ndarray], np.ndarray], o: np.ndarray, u: np.ndarray) -> Any:
    """``compute`` where both inputs are given; empty where either cell is empty; a scalar for 1 × 1."""
    known = np.isfinite(o) & np.isfinite(u)
    values = compute(np.where(known, o, 0.0), np.where(known, u, 0.0))
    values = np.where(known, np.asarray(values, dtype=float), np.nan)
    return cell(values[0, 0]) if values.shape == (1, 1) else _rows(values)


def answer(compute: Callable[..., Any], *args: Any) -> Any:
    """Call ``compute``; an expected problem becomes ``#PARAM! …`` text, anything else ``#ERROR! …``."""
    try:
        return compute(*args)
    except ParameterError as error:
        return f"{PARAM_ERROR} {error}"
    except Exception as error:  # a cell must show a line of text, never a traceback
        return f"{OTHER_ERROR} {type(error).__name__}: {error}"


# --- the functions --------------------------------------------------------------------------------


def _grid(name: Any, parameters: Any, occupancy: Any, local_use: Any, overrides: Any) -> list[list[Cell]]:
    spec = _measure(name)
    values = _inputs(parameters, overrides)
    params, o, u = _collect(
        lambda: _params(values),
        lambda: _axis("occupancy", occupancy, values),
        lambda: _axis("local_use", local_use, values),
    )
    table = evaluate(params, o[:, None], u[None, :])[spec.name]
    return [
        [spec.name, *(cell(x) for x in u)],
        *([cell(x), *row] for x, row in zip(o, _rows(table), strict=True)),
    ]


def PM_GRID(measure, parameters=None, occupancy=None, local_use=None, overrides=None):  # noqa: N802
    """One measure at every occupancy (rows) and local use (columns).

    The axis values are the header row and column; the corner cell names the measure.
    """
    return answer(_grid, measure, parameters, occupancy, local_use, overrides)


def _point(name: Any, parameters: Any, occupancy: Any, local_use: Any, overrides: Any) -> Any:
    spec = _measure(name)
    values = _inputs(parameters, overrides)
    params, (o, u) = _collect(lambda: _params(values), lambda: _paired(occupancy, local_use))
    return _pointwise(lambda a, b: evaluate(params, a, b)[spec.name], o, u)


def PM_POINT(measure, parameters, occupancy, local_use, overrides=None):  # noqa: N802
    """One measure at one occupancy and local use.

    With ranges, one value per pair: ranges of the same size, or a column against a row.
    """
    return answer(_point, measure, parameters, occupancy, local_use, overrides)


def _breakeven(parameters: Any, local_use: Any, overrides: Any) -> Any:
    values = _inputs(parameters, overrides)
    if local_use is not None:
        params, u = _collect(lambda: _params(values), lambda: _numbers(local_use, "local_use"))
        return _pointwise(lambda _, b: break_even_occupancy(params, b), np.zeros_like(u), u)
    params, u = _collect(lambda: _params(values), lambda: _axis("local_use", None, values))
    occupancy = break_even_occupancy(params, u)
    return [
        ["local_use", "break_even_occupancy"],
        *([cell(a), cell(b)] for a, b in zip(u, occupancy, strict=True)),
    ]


def PM_BREAKEVEN(parameters, local_use=None, overrides=None):  # noqa: N802
    """Break-even occupancy (the lowest with no loss for the provider) at each local use.

    Empty where the provider makes a loss at every occupancy.
    """
    return answer(_breakeven, parameters, local_use, overrides)


def _breakdown(parameters: Any, occupancy: Any, local_use: Any, overrides: Any) -> list[list[Cell]]:
    values = _inputs(parameters, overrides)
    params, o, u = _collect(
        lambda: _params(values),
        lambda: _single(occupancy, "occupancy"),
        lambda: _single(local_use, "local_use"),
    )
    frame = breakdown(params, o, u)
    return [list(BREAKDOWN_COLUMNS), *_rows(frame[list(BREAKDOWN_COLUMNS)].to_numpy(dtype=object))]


def PM_BREAKDOWN(parameters, occupancy, local_use, overrides=None):  # noqa: N802
    """Who pays whom at one occupancy and local use.

    One line per cash flow, signed per party (+ received, − paid), then the total.
    """
    return answer(_breakdown, parameters, occupancy, local_use, overrides)


def _measures() -> list[list[Cell]]:
    return [list(MEASURE_COLUMNS), *([getattr(m, c) for c in MEASURE_COLUMNS] for m in MEASURES)]


def PM_MEASURES():  # noqa: N802
    """Every measure: name, label, unit, party, which direction is better, and formula."""
    return answer(_measures)


def _risk(parameters: Any, party: Any, draws: Any, seed: Any, overrides: Any) -> list[list[Cell]]:
    values = _inputs(parameters, overrides)
    params, uncertainty, side, count, start = _collect(
        lambda: _params(values),
        lambda: _uncertainty(values),
        lambda: _text(party, "party", ("provider", "host", "both"), "both"),
        lambda: _whole(draws, "draws", DEFAULT_DRAWS),
        lambda: _whole(seed, "seed", DEFAULT_SEED),
    )
    summary = monte_carlo(params, uncertainty, draws=count, seed=start).summary
    if side != "both":
        summary = summary[summary["party"] == side]
    return [list(RISK_COLUMNS), *_rows(summary[list(RISK_COLUMNS)].to_numpy(dtype=object))]


def PM_RISK(parameters=None, party=None, draws=None, seed=None, overrides=None):  # noqa: N802
    """Monte Carlo risk figures, partnership beside spot, for the provider, the host or both.

    Seeded: the same figures on every recalculation.
    """
    return answer(_risk, parameters, party, draws, seed, overrides)


def _rules(raw: Any) -> Any:
    """Rule rows from a range (a header row of column names is skipped), or the default rules."""
    rows = as_rows(raw)
    if not rows:
        return DEFAULT_RULES
    first = [str(v).strip().casefold() for v in rows[0] if v is not None]
    if first[:1] == [RULE_COLUMNS[0]]:
        rows = rows[1:]
    return parse_rules([row[: len(RULE_COLUMNS)] for row in rows])


def _terms(raw: Any) -> tuple[tuple[str, str], dict[str, tuple[Any, Any]]]:
    """Two term names (a row or a column), or two rows of name, low, high."""
    rows = as_rows(raw)
    if not rows:
        return DEFAULT_LEVERS, {}
    cells = [[v for v in row if v is not None and str(v).strip()] for row in rows]
    cells = [row for row in cells if row]
    if len(cells) == 1 and len(cells[0]) == 2:
        names, ranges = [str(v).strip() for v in cells[0]], {}
    elif len(cells) == 2 and all(len(row) in (1, 3) for row in cells):
        names = [str(row[0]).strip() for row in cells]
        ranges = {str(row[0]).strip(): (row[1], row[2]) for row in cells if len(row) == 3}
    else:
        raise ParameterError(
            [("terms", "terms must be two names, or two rows of name, low and high (e.g. host_contribution)")]
        )
    return (names[0], names[1]), ranges


def _agreement(
    parameters: Any, rules: Any, terms: Any, steps: Any, output: Any, overrides: Any
) -> list[list[Cell]]:
    values = _inputs(parameters, overrides)
    params, uncertainty, parsed_rules, (names, ranges), count, show = _collect(
        lambda: _params(values),
        lambda: _uncertainty(values),
        lambda: _rules(rules),
        lambda: _terms(terms),
        lambda: _whole(steps, "steps", DEFAULT_STEPS),
        lambda: _text(output, "output", AGREEMENT_OUTPUTS, "map"),
    )
    zone = agreement_zone(params, parsed_rules, names, ranges, count, outcomes=uncertainty)
    if show == "balanced":
        points = balanced_points(zone)
        table = points.set_index("point").T
        return [["", *table.columns], *([name, *(cell(v) for v in row)] for name, row in table.iterrows())]
    frame = zone.code_map() if show == "codes" else zone.category_map()
    corner = f"{names[0]} ↓  {names[1]} →"
    return [
        [corner, *(cell(v) for v in frame.columns)],
        *([cell(i), *row] for i, row in zip(frame.index, _rows(frame), strict=True)),
    ]


def PM_AGREEMENT(parameters=None, rules=None, terms=None, steps=None, output=None, overrides=None):  # noqa: N802
    """Who accepts at every pair of two swept terms.

    A map of both / provider_only / host_only / neither, the same as codes 3–0, or the
    Nash and equal-gains points.
    """
    return answer(_agreement, parameters, rules, terms, steps, output, overrides)


# --- one description of every function: decorators and docs/user-guide.md are generated from it ---


@dataclass(frozen=True)
class Arg:
    name: str
    doc: str
    range: bool = True  # read as a 2-D range (xlwings ``ndim=2``) rather than a single value


@dataclass(frozen=True)
class Function:
    function: Callable[..., Any]
    args: tuple[Arg, ...]
    returns: str

    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def description(self) -> str:
        return " ".join((self.function.__doc__ or "").split())

    @property
    def signature(self) -> str:
        """``PM_GRID(measure, parameters, [occupancy], [local_use], [overrides])``."""
        shown = []
        for name, param in inspect.signature(self.function).parameters.items():
            shown.append(f"[{name}]" if param.default is not inspect.Parameter.empty else name)
        return f"{self.name}({', '.join(shown)})"


_MEASURE = Arg("measure", "A measure name, e.g. provider_surplus (see PM_MEASURES).", range=False)
_PARAMETERS = Arg(
    "parameters",
    "Two columns, name (or label) and value, e.g. Inputs!A1:F60. Missing terms take their defaults.",
)
_OVERRIDES = Arg(
    "overrides",
    'Terms replacing those of the range: (name, value) rows, or {"host_contribution",250000}.',
)

FUNCTIONS: tuple[Function, ...] = (
    Function(
        PM_GRID,
        (
            _MEASURE,
            _PARAMETERS,
            Arg(
                "occupancy",
                "Occupancy values for the rows (default: the range's grid rows, else 0 %–100 % by 5 %).",
            ),
            Arg("local_use", "Local-use values for the columns (default as occupancy)."),
            _OVERRIDES,
        ),
        "a table: corner = measure name, header row = local use, header column = occupancy",
    ),
    Function(
        PM_POINT,
        (
            _MEASURE,
            _PARAMETERS,
            Arg("occupancy", "A share (0.8 or 80%), or a range of them."),
            Arg("local_use", "A share, or a range: same size as occupancy, or a row against its column."),
            _OVERRIDES,
        ),
        "one number, or one per pair (an empty cell gives an empty result)",
    ),
    Function(
        PM_BREAKEVEN,
        (
            _PARAMETERS,
            Arg("local_use", "A share or a range of them (default: the grid, as a two-column table)."),
            _OVERRIDES,
        ),
        "with local_use: one occupancy per value; without: columns local_use, break_even_occupancy",
    ),
    Function(
        PM_BREAKDOWN,
        (
            _PARAMETERS,
            Arg("occupancy", "One share.", range=False),
            Arg("local_use", "One share.", range=False),
            _OVERRIDES,
        ),
        "columns " + ", ".join(BREAKDOWN_COLUMNS) + "; the last row is the total",
    ),
    Function(PM_MEASURES, (), "columns " + ", ".join(MEASURE_COLUMNS)),
    Function(
        PM_RISK,
        (
            _PARAMETERS,
            Arg("party", "provider, host or both (default both).", range=False),
            Arg("draws", f"Monte Carlo draws (default {DEFAULT_DRAWS:,}).", range=False),
            Arg(
                "seed",
                f"Random seed (default {DEFAULT_SEED}: the same figures on every recalculation).",
                range=False,
            ),
            _OVERRIDES,
        ),
        "columns " + ", ".join(RISK_COLUMNS) + "; uncertainty inputs (occupancy_low, …) come from the range",
    ),
    Function(
        PM_AGREEMENT,
        (
            _PARAMETERS,
            Arg(
                "rules",
                "Rows of party, statistic, measure, operator, threshold (default: the engine's rules).",
            ),
            Arg(
                "terms",
                "Two terms to sweep, or two rows of name, low, high "
                "(default host_contribution, top_share_rate).",
            ),
            Arg("steps", f"Values per term (default {DEFAULT_STEPS}).", range=False),
            Arg(
                "output",
                "map (default), codes (3 both, 2 provider only, 1 host only, 0 neither) or balanced.",
                range=False,
            ),
            _OVERRIDES,
        ),
        "a map: first term down, second across; or the Nash and equal-gains points (balanced)",
    ),
)


def reference_markdown() -> str:
    """The function reference in docs/user-guide.md (written there by docs/generate.py)."""
    lines = ["| function | returns | what it does |", "|---|---|---|"]
    for spec in FUNCTIONS:
        lines.append(f"| `{spec.signature}` | {spec.returns} | {spec.description} |")
    lines.append("")
    lines.append("| function | argument | meaning |")
    lines.append("|---|---|---|")
    for spec in FUNCTIONS:
        for arg in spec.args:
            lines.append(f"| {spec.name} | `{arg.name}` | {arg.doc} |")
    return "\n".join(lines) + "\n"
