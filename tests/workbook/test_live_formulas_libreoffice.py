"""The live tables of a new workbook, recalculated by LibreOffice with no run, equal the engine.

Five new workbooks get random valid inputs (a seeded generator: places, fees, terms, share
tiers with 1 to 5 rows, a grid of 2 to 21 points per axis, a breakdown point); LibreOffice
recalculates them in one start, and every cell of the Provider and Host tables, their axes,
the chart data and the Breakdown sheet is compared with ``engine`` at a relative 1e-9. The
engine's undefined cells (NaN) must be empty, and cells past the end of a shorter grid empty.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

import engine
from excel_addin.workbook import layout
from tests.support.office import error_cells, private_profile, soffice
from tests.support.workbook import make_workbook, named_values, set_inputs

pytestmark = pytest.mark.libreoffice

MEASURES = (*engine.KEY_MEASURES["provider"], *engine.KEY_MEASURES["host"])
SIZE = 21  # the template's tables: 21 × 21 (the default grid)
REL = 1e-9
# Money in these workbooks is at most a few £10 million; the formulas and the engine do the same
# operations in the same order, so they can differ only by a few units in the last place of the
# operands (LibreOffice snaps a difference within ~1e-15 of its operands to 0): 1e-6 £ is far
# above that and far below anything a reader could see.
ABS = 1e-6


def random_inputs(rng: np.random.Generator) -> dict[str, Any]:
    """Valid inputs: every parameter in its range, tiers increasing, a grid of at most 21 × 21."""
    places = int(rng.integers(1, 9))
    tiers = int(rng.integers(1, 6))
    mins = [0.0, *sorted(rng.choice(np.arange(1, 20) * 0.05, tiers - 1, replace=False).round(2).tolist())]
    shares = sorted(rng.uniform(0, 1, tiers).round(3).tolist())
    inputs: dict[str, Any] = {
        "places": places,
        "weeks_per_year": float(round(float(rng.uniform(40, 53)), 2)),
        "fixed_cost": float(round(float(rng.uniform(0, 2_000_000)), 2)),
        "variable_cost": float(round(float(rng.uniform(0, 1_000)), 2)),
        "local_fee": float(round(float(rng.uniform(0, 12_000)), 2)),
        "outside_fee": float(round(float(rng.uniform(0, 12_000)), 2)),
        "spot_price": float(round(float(rng.uniform(0, 15_000)), 2)),
        "host_contribution": float(rng.choice([0.0, round(float(rng.uniform(0, 600_000)), 2)])),
        "reserved_places": float(round(float(rng.uniform(0, places)), 2)),
        "release_share": float(round(float(rng.uniform(0, 1)), 3)),
        "compensation_per_week": float(round(float(rng.uniform(0, 1_000)), 2)),
        "reasonable_return": float(round(float(rng.uniform(0, 0.3)), 3)),
        "share_tiers": [[m, s] for m, s in zip(mins, shares, strict=True)],
        "deficit_support": float(rng.choice([0.0, 1.0, round(float(rng.uniform(0, 1)), 3)])),
        "breakdown_occupancy": float(round(float(rng.uniform(0, 1)), 3)),
        "breakdown_local_use": float(rng.choice([0.0, 0.5, round(float(rng.uniform(0, 1)), 3)])),
    }
    for axis in ("occupancy", "local_use"):
        step = float(rng.choice([0.05, 0.07, 0.1, 0.125, 0.2, 0.3]))
        low = float(rng.choice([0.0, 0.1, 0.15, 0.25]))
        high = float(min(1.0, low + step * rng.integers(1, 20)))
        inputs.update({f"{axis}_min": low, f"{axis}_max": high, f"{axis}_step": step})
    return inputs


def workbooks(folder: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """The defaults as they are, and four workbooks with random inputs, by name."""
    made = {"defaults": (make_workbook(folder, "defaults.xlsx"), {})}
    rng = np.random.default_rng(20261203)
    for k in range(4):
        inputs = random_inputs(rng)
        path = make_workbook(folder, f"random{k}.xlsx")
        set_inputs(path, **inputs)
        made[f"random{k}"] = (path, inputs)
    return made


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, tuple[openpyxl.Workbook, dict[str, Any]]]:
    """LibreOffice's recalculation of each workbook (one soffice start), read as values."""
    root = tmp_path_factory.mktemp("live")
    (root / "in").mkdir()
    (root / "out").mkdir()
    made = workbooks(root / "in")
    out = soffice(
        private_profile(root / "profile"), "xlsx", root / "out", [path for path, _ in made.values()]
    )
    return {
        name: (openpyxl.load_workbook(path, data_only=True), inputs)
        for (name, (_, inputs)), path in zip(made.items(), out, strict=True)
    }


def engine_inputs(inputs: dict[str, Any]) -> tuple[engine.Parameters, np.ndarray, np.ndarray]:
    """The same inputs through the engine: parameters (defaults for the rest) and both axes."""
    names = {spec.name for spec in engine.PARAMETERS}
    params = engine.Parameters.from_mapping({k: v for k, v in inputs.items() if k in names})
    axes = []
    for axis in ("occupancy", "local_use"):
        low, high, step = (inputs.get(f"{axis}_{part}", default) for part, default in _AXIS_DEFAULTS)
        axes.append(engine.make_axis(low, high, step, axis))
    return params, axes[0], axes[1]


_AXIS_DEFAULTS = (("min", 0.0), ("max", 1.0), ("step", 0.05))


def same(found: Any, expected: float) -> bool:
    """A cell equals an engine value: a number within 1e-9 relative, or empty where it is NaN."""
    if math.isnan(expected):
        return found in (None, "")
    return isinstance(found, int | float) and math.isclose(found, expected, rel_tol=REL, abs_tol=ABS)


def mismatches(found: list[list[Any]], expected: np.ndarray) -> list[str]:
    """Cells that differ from the engine; cells past the end of the grid must be empty."""
    out = []
    for i, row in enumerate(found):
        for j, value in enumerate(row):
            inside = i < expected.shape[0] and j < expected.shape[1]
            if (inside and not same(value, expected[i, j])) or (not inside and value not in (None, "")):
                out.append(f"[{i}, {j}]: {value!r} vs {expected[i, j] if inside else 'empty'}")
    return out


NAMES = ("defaults", "random0", "random1", "random2", "random3")


@pytest.mark.parametrize("name", NAMES)
def test_grid_tables_equal_the_engine(recalculated, name):
    wb, inputs = recalculated[name]
    params, o, u = engine_inputs(inputs)
    grid = engine.payoff_grid(params, o, u)
    assert mismatches(named_values(wb, layout.out_name("occupancy")), o[:, None]) == []
    assert mismatches(named_values(wb, layout.out_name("local_use")), u[None, :]) == []
    for measure in MEASURES:
        found = named_values(wb, layout.out_name(measure))
        assert (len(found), len(found[0])) == (SIZE, SIZE)
        assert mismatches(found, as_shown(measure, grid.values)) == [], measure
    assert error_cells(wb, (layout.PROVIDER, layout.HOST, layout.BREAKDOWN)) == []


def as_shown(measure: str, values: dict[str, np.ndarray]) -> np.ndarray:
    """The engine's values as the sheets show them: a cost per local week is empty below
    ``layout.MIN_LOCAL_WEEKS`` local weeks a year (the engine still computes it there)."""
    if measure != "host_cost_per_local_week":
        return np.asarray(values[measure])
    few = np.asarray(values["local_weeks"]) < layout.MIN_LOCAL_WEEKS
    return np.where(few, np.nan, values[measure])


def test_the_random_workbooks_reach_the_cases_that_matter(recalculated):
    """The inputs exercise shorter grids, undefined cells and several share tiers (else the test is weak)."""
    shapes, undefined, tiers, guarded, shown = set(), 0, set(), 0, 0
    for name in NAMES[1:]:
        _, inputs = recalculated[name]
        params, o, u = engine_inputs(inputs)
        shapes.add((len(o), len(u)))
        grid = engine.payoff_grid(params, o, u)
        undefined += int(np.isnan(grid.values["host_cost_per_local_week"]).sum())
        weeks = grid.values["local_weeks"]
        guarded += int(((weeks > 0) & (weeks < layout.MIN_LOCAL_WEEKS)).sum())
        shown += int((weeks >= layout.MIN_LOCAL_WEEKS).sum())
        tiers.add(len(inputs["share_tiers"]))
    assert any(a < SIZE or b < SIZE for a, b in shapes)
    assert undefined > 0
    assert guarded > 0 and shown > 0  # the per-week guard both blanks and keeps cells
    assert len(tiers) >= 2


@pytest.mark.parametrize("name", NAMES)
def test_chart_data_equals_the_engine(recalculated, name):
    """The lines of the 'by occupancy' charts: each measure at the chart's local uses."""
    wb, inputs = recalculated[name]
    params, o, _ = engine_inputs(inputs)
    uses = np.asarray(layout.CHART_LOCAL_USES)
    for sheet, measure in ((layout.PROVIDER, "provider_surplus"), (layout.HOST, "host_net_cost")):
        expected = engine.evaluate(params, o[:, None], uses[None, :])[measure]
        found = _chart_data(wb[sheet])
        assert mismatches(found, expected) == [], sheet


def _chart_data(ws) -> list[list[Any]]:
    """The chart data table under its heading: SIZE rows, one column per chart local use."""
    heading = next(
        row for row in range(1, ws.max_row + 1) if str(ws.cell(row, 1).value or "").startswith("Chart data")
    )
    first, columns = heading + 2, len(layout.CHART_LOCAL_USES)
    return [[ws.cell(first + i, 2 + j).value for j in range(columns)] for i in range(SIZE)]


@pytest.mark.parametrize("name", NAMES)
def test_breakdown_equals_the_engine(recalculated, name):
    wb, inputs = recalculated[name]
    params, _, _ = engine_inputs(inputs)
    o = inputs.get("breakdown_occupancy", layout.input_cell("breakdown_occupancy").spec.default)
    u = inputs.get("breakdown_local_use", layout.input_cell("breakdown_local_use").spec.default)
    frame = engine.breakdown(params, o, u)
    found = named_values(wb, layout.out_name("breakdown"))
    columns = ["amount", "host", "provider", "outside_authorities", "suppliers"]
    expected = frame[columns].to_numpy(dtype=float)
    assert mismatches([row[4:] for row in found], expected) == []
    assert [row[0] for row in found] == list(frame["line"])
    values = engine.evaluate(params, o, u)
    ws = wb[layout.BREAKDOWN]
    glance = {
        ws.cell(row, 1).value: ws.cell(row, 2).value
        for row in range(1, ws.max_row + 1)
        if ws.cell(row, 3).value is not None
    }
    for spec in (
        engine.measure(m) for m in ("provider_surplus", "host_net_cost", "host_cost_per_local_week")
    ):
        assert same(glance[spec.label], float(as_shown(spec.name, values))), spec.name
