"""`partnership lite`: the main.py for xlwings Lite, run where only numpy, pandas and xlwings exist.

The generated main.py is imported by a fresh interpreter (``python -I -S``) whose path
holds nothing but the output folder and a folder of links to numpy, pandas and xlwings
(with the two small packages pandas needs): not the project, not openpyxl. There, with
xlwings' Office.js runtime switched on (``XLWINGS_ON_SERVER``, as in Lite), the functions
are registered and called through ``custom_functions_call`` and the script through
``custom_scripts_call``, the entry points xlwings Lite itself uses, with values shaped as
Excel sends them. The answers come back as JSON and are compared here with the engine's
and with a run of the command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from excel_addin.cli import main as cli_main
from excel_addin.excel import functions, lite, xlwings_apply
from excel_addin.files.openpyxl_apply import apply_plan
from excel_addin.files.openpyxl_io import callbacks
from excel_addin.files.template import build_template
from excel_addin.workbook import layout, run
from tests.support.addin import payload, replay, values_of

SITE_PACKAGES = Path(np.__file__).resolve().parent.parent  # where this interpreter finds numpy
ONLY = ("numpy", "numpy.libs", "pandas", "pandas.libs", "dateutil", "six.py", "tzdata", "xlwings")
WHEN = "2026-11-26T09:30:00"

RUNNER = textwrap.dedent(
    """
    import asyncio, datetime, importlib, importlib.util, json, sys

    request = json.load(open(sys.argv[1]))
    sys.path[:0] = request["path"]
    import main
    import xlwings as xw
    from xlwings.server import custom_functions_call, custom_functions_meta, custom_scripts_call

    report = {
        "missing": [name for name in ("openpyxl", "rich") if importlib.util.find_spec(name) is None],
        "origin": main._bundle.functions.__spec__.origin,
        "meta": {
            f["name"]: [p["name"] for p in f["parameters"]] for f in custom_functions_meta(main)["functions"]
        },
        "scripts": sorted(s["function_name"] for s in xw.server.custom_scripts_meta(main)),
        "styles": sys.modules["excel_addin.excel.xlwings_apply"].STYLES,
    }
    importlib.reload(main)  # Lite runs main.py again on every save: the bundle is replaced, not stacked
    base = {"version": xw.__version__, "client": "Office.js", "runtime": "1.4", "culture_info_name": "en-GB"}
    report["calls"] = [
        asyncio.run(custom_functions_call({**base, "func_name": name, "args": args}, main))
        for name, args in request["calls"]
    ]

    fixed = datetime.datetime.fromisoformat(request["now"])
    class Fixed(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return fixed
    sys.modules["excel_addin.workbook.run"].datetime = Fixed
    book = xw.Book(json=request["book"])
    asyncio.run(custom_scripts_call(main, "run_model", typehint_to_value={xw.Book: book}))
    report["actions"] = book.json()["actions"]
    print(json.dumps(report, default=str))
    """
)


def matrix(value):
    """An argument as Office.js sends it: a 2-D array, or null when the argument is left out."""
    if value is None:
        return None
    if isinstance(value, list):
        return value
    return [[value]]


@pytest.fixture(scope="module")
def lite_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lite")
    assert cli_main(["lite", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def only_numpy_pandas_xlwings(tmp_path_factory):
    """A folder holding links to numpy, pandas and xlwings (and pandas' two small dependencies)."""
    folder = tmp_path_factory.mktemp("site")
    packages = SITE_PACKAGES
    for name in ONLY:
        if (packages / name).exists():
            (folder / name).symlink_to(packages / name)
    return folder


@pytest.fixture(scope="module")
def inputs_range():
    ws = build_template()[layout.INPUTS]
    rows = []
    for r in range(1, 81):
        row = []
        for c in range(1, 7):
            value = ws.cell(r, c).value
            if isinstance(value, str) and value.startswith("="):
                value = None
            row.append(float(value) if isinstance(value, int) and not isinstance(value, bool) else value)
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def lite_report(lite_dir, only_numpy_pandas_xlwings, inputs_range, tmp_path_factory):
    calls = [
        ("PM_GRID", [matrix("provider_surplus"), inputs_range, None, None, None]),
        ("PM_POINT", [matrix("host_saving"), inputs_range, [[0.6], [0.8]], [[0.25, 0.5]], None]),
        (
            "PM_POINT",
            [matrix("host_saving"), [["places", 4], ["reserved_places", 5]], matrix(0.8), matrix(0.5), None],
        ),
        ("PM_BREAKEVEN", [inputs_range, None, None]),
        ("PM_BREAKDOWN", [inputs_range, matrix(0.75), matrix(0.5), [["host_contribution", 250_000]]]),
        ("PM_MEASURES", []),
        ("PM_RISK", [inputs_range, matrix("provider"), matrix(2000), None, None]),
        ("PM_AGREEMENT", [inputs_range, None, None, matrix(5), matrix("codes"), None]),
    ]
    request = {
        "path": [str(only_numpy_pandas_xlwings), str(lite_dir)],
        "calls": calls,
        "now": WHEN,
        "book": payload(build_template()),
    }
    folder = tmp_path_factory.mktemp("request")
    (folder / "request.json").write_text(json.dumps(request, default=str))
    (folder / "runner.py").write_text(RUNNER)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "XLWINGS_ON_SERVER": "true",  # xlwings' Office.js decorators and runtime, as in Lite
        "XLWINGS_LICENSE_KEY": "noncommercial",
    }
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(folder / "runner.py"), str(folder / "request.json")],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    *printed, last = done.stdout.strip().splitlines()
    report = json.loads(last)
    report["printed"] = printed  # what the script shows in the Lite output pane
    return calls, report


def test_lite_writes_main_requirements_and_an_unprotected_workbook(lite_dir):
    assert sorted(p.name for p in lite_dir.iterdir()) == [
        "main.py",
        "partnership_lite.xlsx",
        "requirements.txt",
    ]
    requirements = (lite_dir / "requirements.txt").read_text().splitlines()
    assert [line for line in requirements if not line.startswith("#")] == [
        "numpy",
        "pandas",
        "xlwings>=0.37.5",
    ]
    wb = openpyxl.load_workbook(lite_dir / "partnership_lite.xlsx")
    assert wb.sheetnames == list(layout.sheet_order())
    assert not any(ws.protection.sheet for ws in wb.worksheets)
    assert build_template()[layout.INPUTS].protection.sheet  # the ordinary template stays protected
    text = (lite_dir / "main.py").read_text()
    compile(text, "main.py", "exec")
    assert "from xlwings import arg, func, script" in text
    for spec in functions.FUNCTIONS:
        assert not spec.args or f"@func\n@arg({spec.args[0].name!r}" in text
        assert f"def {spec.name}(" in text


def test_cli_lite_json_and_refuses_nothing_else(tmp_path, capsys):
    assert cli_main(["lite", str(tmp_path / "out"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["command"] == "lite"
    assert [Path(p).name for p in data["files"]] == ["main.py", "requirements.txt", "partnership_lite.xlsx"]
    assert data["modules"] == len(lite.bundle_modules())


def test_bundle_is_the_library_free_part():
    modules = lite.bundle_modules()
    assert {
        "engine",
        "engine.core.grid",
        "excel_addin.excel.functions",
        "excel_addin.excel.macros",
        "excel_addin.excel.xlwings_apply",
    } <= set(modules)
    for module in (
        "excel_addin.files.openpyxl_apply",
        "excel_addin.files.template",
        "excel_addin.cli",
        "excel_addin.excel.lite",
    ):
        assert module not in modules


def test_a_module_needing_another_library_is_refused(monkeypatch):
    monkeypatch.setattr(lite, "ALLOWED_THIRD_PARTY", frozenset({"numpy", "xlwings"}))
    with pytest.raises(lite.LiteBundleError, match=r"imports pandas"):
        lite.bundle_modules()


@pytest.mark.slow
def test_main_imports_with_only_numpy_pandas_and_xlwings(lite_report):
    _, report = lite_report
    assert report["missing"] == ["openpyxl", "rich"]  # not there: the bundle does not need them
    assert report["origin"].startswith("<partnership-model ") and report["origin"].endswith(
        "excel_addin/excel/functions.py"
    )
    assert report["meta"]["PM_GRID"] == ["measure", "parameters", "occupancy", "local_use", "overrides"]
    assert set(report["meta"]) == {spec.name for spec in functions.FUNCTIONS}
    assert report["scripts"] == ["load_scenario", "new_scenario", "run_model"]
    assert report["styles"] == xlwings_apply.STYLES  # the copy main.py carries, openpyxl being absent


@pytest.mark.slow
def test_lite_functions_return_the_engines_values(lite_report, inputs_range):
    calls, report = lite_report
    from engine import Parameters, evaluate

    for (name, args), got in zip(calls, report["calls"], strict=True):
        here = getattr(functions, name)(*args)  # 1 × 1 ranges are read as the cell they hold
        expected = here if isinstance(here, list) else [[here]]
        assert got == json.loads(json.dumps(expected)), name
    grid = report["calls"][0]
    assert grid[17][11] == float(evaluate(Parameters(), 0.8, 0.5)["provider_surplus"])
    assert report["calls"][2] == [["#PARAM! reserved_places = 5 exceeds places = 4"]]


@pytest.mark.slow
def test_lite_run_model_writes_what_the_command_line_writes(lite_report):
    _, report = lite_report
    expected = build_template()
    value_of, address_of = callbacks(expected)
    apply_plan(expected, run.plan_run(run.read_inputs(value_of, address_of), datetime.fromisoformat(WHEN)))
    got = values_of(replay(build_template(), report["actions"]))
    want = values_of(expected)
    assert {key for key in got.keys() | want.keys() if got.get(key) != want.get(key)} == set()
    assert sum(1 for action in report["actions"] if action["func"] == "addChart") >= 4
    assert report["printed"] == ["Results written for the 21 × 21 grid (inputs " + run_fingerprint() + ")."]


def run_fingerprint() -> str:
    value_of, address_of = callbacks(build_template())
    return run.read_inputs(value_of, address_of).fingerprint
