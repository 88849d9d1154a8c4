"""The `partnership` command line: commands, --json, exit codes, and no tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine import Parameters, payoff_grid
from excel_addin.cli import COMMANDS, build_parser, main
from excel_addin.workbook import layout, sheets
from tests.support.workbook import make_workbook, set_inputs


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def cli_json(capsys, *args: str) -> tuple[int, dict]:
    code, out, _ = cli(capsys, *args, "--json")
    return code, json.loads(out)


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == "partnership-model 0.1.0"


def test_no_command_prints_help_and_exits_2(capsys):
    code, _, err = cli(capsys)
    assert code == 2 and "new" in err and "run" in err and "check" in err and "show" in err


def test_unknown_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "x.xlsx", "--frobnicate"])
    assert exit_.value.code == 2


def test_every_command_is_registered_with_json():
    parser = build_parser()
    assert set(COMMANDS) >= {"new", "run", "check", "show", "compare"}
    for name in COMMANDS:
        assert parser.parse_args([name, "file.xlsx", "--json"]).json is True


@pytest.mark.slow
def test_new_run_check_json(tmp_path, capsys):
    path = tmp_path / "deal.xlsx"
    code, data = cli_json(capsys, "new", str(path))
    assert code == 0 and data == {"ok": True, "command": "new", "path": str(path)}
    code, data = cli_json(capsys, "check", str(path))
    assert code == 0 and data["status"] == layout.NOT_RUN and data["problems"] == []
    code, data = cli_json(capsys, "run", str(path))
    assert code == 0 and data["grid"] == [21, 21] and data["output"] == str(path)
    assert data["sheets"] == [sheet.name for sheet in sheets.SHEETS]
    code, data = cli_json(capsys, "check", str(path))
    assert data["status"] == layout.UP_TO_DATE and data["changed"] == []
    set_inputs(path, host_contribution=150_000, breakdown_local_use=0.9)
    code, data = cli_json(capsys, "check", str(path))
    assert code == 0 and data["status"] == layout.OUT_OF_DATE
    assert data["changed"] == ["host_contribution", "breakdown_local_use"]


def test_invalid_inputs_json(tmp_path, capsys):
    path = make_workbook(tmp_path, local_fee="five thousand")
    code, data = cli_json(capsys, "run", str(path))
    assert code == 2 and data["ok"] is False and data["error"] == "invalid_inputs"
    assert data["problems"] == [
        {
            "name": "local_fee",
            "label": "Local fee",
            "cell": "Inputs!B16",
            "message": "local_fee = 'five thousand' is not a number",
        }
    ]


def test_workbook_error_json(tmp_path, capsys):
    code, data = cli_json(capsys, "check", str(tmp_path / "missing.xlsx"))
    assert code == 2 and data["error"] == "workbook" and "does not exist" in data["message"]


def test_show_json_matches_the_engine(tmp_path, capsys):
    path = make_workbook(tmp_path, spot_price=7000, local_use_step=0.25)
    code, data = cli_json(capsys, "show", str(path), "--measure", "host_cost_per_local_week")
    assert code == 0 and data["unit"] == "£/week" and data["local_use"] == [0, 0.25, 0.5, 0.75, 1]
    grid = payoff_grid(Parameters(spot_price=7000), None, [0, 0.25, 0.5, 0.75, 1])
    expected = grid.values["host_cost_per_local_week"]
    assert data["values"][0][0] is None  # 0 local weeks: not defined, null rather than NaN
    assert data["values"][20][4] == pytest.approx(expected[20, 4])


def test_show_prints_a_table(tmp_path, capsys):
    path = make_workbook(tmp_path)
    code, out, _ = cli(capsys, "show", str(path), "-m", "provider_surplus")
    assert code == 0
    assert "Provider surplus (£ thousand per year)" in out
    # o = 0: no placements, surplus = K − F = 200,000 − 775,000 = −575,000
    assert "-£575k" in out and layout.NOT_RUN in out


def test_show_unknown_measure(tmp_path, capsys):
    path = make_workbook(tmp_path)
    code, _, err = cli(capsys, "show", str(path), "-m", "profit")
    assert code == 2 and "measure = 'profit' is not a measure" in err


def test_installed_entry_point_reports_without_traceback(tmp_path):
    exe = shutil.which("partnership", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the partnership entry point is not installed in this environment")
    path = make_workbook(tmp_path, fixed_cost="abc")
    result = subprocess.run([exe, "run", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Fixed cost (Inputs!B14): fixed_cost = 'abc' is not a number" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_every_command_is_found_in_the_group_the_command_line_imports_for_it():
    """`partnership NAME` imports only GROUPS[NAME]; a command registered elsewhere would be missing."""
    import excel_addin.cli as cli

    assert set(COMMANDS) == set(cli.GROUPS)
    for name, spec in COMMANDS.items():
        assert spec.run.__module__ == f"excel_addin.cli.{cli.GROUPS[name]}", name
