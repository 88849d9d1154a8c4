"""Bad inputs and bad files: exit code 2, a message naming the cell or the problem, the file untouched."""

from __future__ import annotations

import os
import zipfile

import openpyxl
import pytest

from excel_addin.cli import main
from excel_addin.files import openpyxl_io
from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout
from excel_addin.workbook.errors import WorkbookError
from tests.support.workbook import make_workbook, set_inputs


def run_cli(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


BAD_INPUTS = [
    ({"fixed_cost": "lots"}, "Fixed cost (Inputs!B14): fixed_cost = 'lots' is not a number"),
    ({"reserved_places": 5}, "Reserved places (Inputs!B24): reserved_places = 5 exceeds places = 4"),
    (
        {"share_tiers": [[0, 0.25], [0.75, 0.4], [0.5, 0.6]]},
        "Surplus share tiers (Inputs!B35:C39): "
        "share_tiers row 3 min_local_use = 0.5 must be above row 2's 0.75",
    ),
    ({"places": 2.5}, "Registered places (Inputs!B12): places = 2.5 must be a whole number"),
    ({"spot_price": None}, "Spot price (Inputs!B18): spot_price is missing (the cell is empty)"),
    (
        {"release_share": True},
        "Release share (Inputs!B27): release_share = TRUE is a TRUE/FALSE value, not a number",
    ),
    ({"occupancy_max": 0.2, "occupancy_min": 0.5}, "Occupancy to (Inputs!B46): occupancy_max = 0.2 is below"),
    ({"occupancy_step": 0.001}, "Occupancy step (Inputs!B47): occupancy_step = 0.001 must be at least 0.01"),
    ({"breakdown_occupancy": 1.5}, "Occupancy (Breakdown!B6): breakdown_occupancy = 1.5 must be at most 1"),
]


@pytest.mark.parametrize(("inputs", "message"), BAD_INPUTS)
@pytest.mark.parametrize("command", ["run", "check"])
def test_bad_input_exits_2_names_the_cell_and_leaves_the_file(tmp_path, capsys, inputs, message, command):
    path = make_workbook(tmp_path, **inputs)
    before = path.read_bytes()
    code, output = run_cli(capsys, command, str(path))
    assert code == 2
    assert message in output
    assert "Traceback" not in output
    assert path.read_bytes() == before


def test_every_problem_is_reported_at_once(tmp_path, capsys):
    path = make_workbook(tmp_path, fixed_cost="lots", reserved_places=9, local_use_step=0)
    code, output = run_cli(capsys, "run", str(path))
    assert code == 2
    assert "have 3 problems; nothing was written and the file is unchanged" in output
    for where in ("Inputs!B14", "Inputs!B24", "Inputs!B50"):
        assert where in output


def test_a_formula_without_a_saved_result_is_named(tmp_path, capsys):
    path = make_workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb[layout.INPUTS]["B14"] = "=900000+50000"
    wb.save(path)
    code, output = run_cli(capsys, "check", str(path))
    assert code == 2
    assert "fixed_cost holds a formula in Inputs!B14 whose result is not saved in the file" in output


def _rename_target(path, name: str, target: str | None) -> None:
    wb = openpyxl.load_workbook(path)
    if target is None:
        del wb.defined_names[name]
    else:
        wb.defined_names[name].attr_text = target
    wb.save(path)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (None, "the name 'spot_price' is missing (it should point to Inputs!B18)"),
        ("Inputs!$B$19", "the name 'spot_price' points to Inputs!B19 but the model expects Inputs!B18"),
    ],
)
def test_missing_or_moved_defined_name(tmp_path, capsys, target, message):
    path = make_workbook(tmp_path)
    _rename_target(path, "spot_price", target)
    before = path.read_bytes()
    code, output = run_cli(capsys, "run", str(path))
    assert code == 2 and message in output and "partnership new" in output
    assert path.read_bytes() == before


def test_corrupt_file(tmp_path, capsys):
    path = make_workbook(tmp_path)
    path.write_bytes(path.read_bytes()[:3000])  # cut short, as a failed copy leaves it
    before = path.read_bytes()
    code, output = run_cli(capsys, "run", str(path))
    assert code == 2 and "could not be read as an Excel workbook" in output
    assert path.read_bytes() == before


def test_zip_that_is_not_a_workbook(tmp_path, capsys):
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    before = path.read_bytes()
    code, output = run_cli(capsys, "run", str(path))
    assert code == 2 and "fake.xlsx is a zip archive, not an Excel workbook" in output
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "message"),
    [("notes.csv", "is not an Excel workbook (.xlsx)"), ("old.xls", "old Excel 97–2003 format")],
)
def test_not_an_xlsx_file(tmp_path, capsys, name, message):
    path = tmp_path / name
    path.write_text("a,b\n1,2\n")
    code, output = run_cli(capsys, "check", str(path))
    assert code == 2 and message in output
    assert path.read_text() == "a,b\n1,2\n"


def test_missing_file(tmp_path, capsys):
    code, output = run_cli(capsys, "run", str(tmp_path / "nowhere.xlsx"))
    assert code == 2 and "does not exist" in output


@pytest.mark.parametrize("lock", ["~$model.xlsx", ".~lock.model.xlsx#"])
def test_open_in_excel_or_libreoffice(tmp_path, capsys, lock):
    path = make_workbook(tmp_path)
    (tmp_path / lock).write_text("owner")
    before = path.read_bytes()
    code, output = run_cli(capsys, "run", str(path))
    assert code == 2 and "is open in Excel or LibreOffice" in output and lock in output
    assert path.read_bytes() == before


def test_lock_on_the_output_file_refuses(tmp_path, capsys):
    path = make_workbook(tmp_path)
    (tmp_path / "~$out.xlsx").write_text("owner")
    code, output = run_cli(capsys, "run", str(path), "--output", str(tmp_path / "out.xlsx"))
    assert code == 2 and "~$out.xlsx" in output
    assert not (tmp_path / "out.xlsx").exists()


def test_failed_save_leaves_the_workbook_and_no_temporary_file(tmp_path, monkeypatch):
    path = make_workbook(tmp_path)
    before = path.read_bytes()

    def refuse(source, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(openpyxl_io.os, "replace", refuse)
    with pytest.raises(WorkbookError, match=r"could not be saved .* it is unchanged"):
        run_workbook(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.xlsx"]


def test_crash_while_writing_leaves_the_workbook(tmp_path, monkeypatch):
    path = make_workbook(tmp_path)
    before = path.read_bytes()

    def half_write(self, target):
        target.write(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", half_write)
    with pytest.raises(WorkbookError, match="No space left on device"):
        run_workbook(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.xlsx"]


def test_saved_file_keeps_the_original_permissions(tmp_path):
    path = make_workbook(tmp_path)
    os.chmod(path, 0o640)
    run_workbook(path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_new_refuses_to_overwrite_without_force(tmp_path, capsys):
    path = make_workbook(tmp_path)
    set_inputs(path, fixed_cost=1)
    before = path.read_bytes()
    code, output = run_cli(capsys, "new", str(path))
    assert code == 2 and "already exists; add --force" in output
    assert path.read_bytes() == before
    assert run_cli(capsys, "new", str(path), "--force")[0] == 0
    assert openpyxl.load_workbook(path)[layout.INPUTS]["B14"].value == 775_000  # the example again
