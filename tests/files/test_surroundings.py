"""What lies beside the workbook, in a folder others can write to, makes the model destroy nothing.

Someone who can write to a shared folder can put a symbolic link, a named pipe or a folder
where the model writes its lock, temporary, output or Lite files. Each test plants one and
checks that the command refuses (exit 2, one line naming the path and what it is) or goes
round it, and that the file the link points to, the workbook, and everything else in the
folder are byte for byte as they were. Real processes check a full disk (a file-size limit),
a Ctrl-C, and links to other workbooks in the saved file.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.packaging.relationship import Relationship
from openpyxl.workbook.external_link.external import (
    ExternalBook,
    ExternalCell,
    ExternalLink,
    ExternalRow,
    ExternalSheetData,
    ExternalSheetDataSet,
    ExternalSheetNames,
)

from excel_addin.cli import main
from excel_addin.cli.lite_files import write_lite
from excel_addin.files.lock import lock_path
from excel_addin.files.openpyxl_io import SAVING
from excel_addin.files.operations import check_workbook, run_workbook
from excel_addin.workbook import layout
from tests.support.reliability import input_cells, save_results, sha256
from tests.support.workbook import make_workbook

pytestmark = pytest.mark.skipif(os.name != "posix", reason="links, pipes and signals as on POSIX")
SECRET = b"the council's own document\n"


def run_cli(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def victim(folder: Path) -> Path:
    path = folder / "victim.txt"
    path.write_bytes(SECRET)
    return path


def one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1 and "Traceback" not in text


# --- the lock file --------------------------------------------------------------------------------


@pytest.mark.parametrize("points_to", ["victim", "workbook"])
def test_a_link_where_the_lock_goes_is_refused_and_its_target_kept(tmp_path, capsys, points_to):
    path = make_workbook(tmp_path, "d.xlsx")
    target = victim(tmp_path) if points_to == "victim" else path
    before, kept = sha256(path), target.read_bytes()
    lock_path(path).symlink_to(target.name)
    code, output = run_cli(capsys, "run", str(path))
    assert code == 2 and one_line(output)
    assert f"{lock_path(path)} is a symbolic link (to {target.name})" in output
    assert "d.xlsx is unchanged" in output
    assert target.read_bytes() == kept and sha256(path) == before
    lock_path(path).unlink()
    assert run_cli(capsys, "run", str(path))[0] == 0  # nothing else was left in the way


@pytest.mark.parametrize(("make", "kind"), [(os.mkfifo, "a named pipe (FIFO)"), (os.mkdir, "a folder")])
def test_a_pipe_or_folder_where_the_lock_goes_is_named_and_refused(tmp_path, capsys, make, kind):
    path = make_workbook(tmp_path, "d.xlsx")
    before = sha256(path)
    make(lock_path(path))
    for _ in range(2):  # every later run says the same, without a traceback or a hang
        code, output = run_cli(capsys, "run", str(path))
        assert code == 2 and one_line(output)
        assert f"{lock_path(path)} is {kind}" in output and "d.xlsx is unchanged" in output
    assert sha256(path) == before


def test_a_leftover_lock_file_is_replaced_not_written_into(tmp_path, capsys):
    """A lock file left behind (here a second name of another file) is never truncated or written."""
    path = make_workbook(tmp_path, "d.xlsx")
    other = victim(tmp_path)
    os.link(other, lock_path(path))  # the lock's name is a hard link to the victim
    assert run_cli(capsys, "run", str(path))[0] == 0
    assert other.read_bytes() == SECRET
    assert not lock_path(path).exists()
    assert check_workbook(path).status == layout.UP_TO_DATE


def test_a_full_disk_when_the_lock_is_written_is_one_line(tmp_path):
    """A file-size limit of 40 bytes: the lock's few bytes cannot be written; exit 2, no traceback."""
    path = make_workbook(tmp_path, "d.xlsx")
    before = sha256(path)
    result = limited_run(path, 40)
    assert result.returncode == 2, result.stderr
    assert one_line(result.stderr) and "cannot write the lock file" in result.stderr
    assert "File too large" in result.stderr and "d.xlsx is unchanged" in result.stderr
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.xlsx"]


def test_a_full_disk_during_the_save_is_one_line_without_exception_noise(tmp_path):
    path = make_workbook(tmp_path, "d.xlsx")
    before = sha256(path)
    result = limited_run(path, 20_000)  # the lock fits; the workbook (about 50 kB) does not
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "d.xlsx could not be saved (File too large); it is unchanged."
    assert "Exception ignored" not in result.stderr
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.xlsx"]


def limited_run(path: Path, size: int) -> subprocess.CompletedProcess:
    """`partnership run` in a process that may write no file beyond ``size`` bytes (EFBIG)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return subprocess.run(
        [sys.executable, "-m", "excel_addin.cli", "run", str(path)],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=120,
    )


# --- temporary files and the workbook itself ------------------------------------------------------


def test_links_and_folders_named_like_temporary_files_are_never_followed(tmp_path, capsys):
    path = make_workbook(tmp_path, "d.xlsx")
    other = victim(tmp_path)
    (tmp_path / f".d.xlsx{SAVING}planted.tmp").symlink_to(other.name)
    (tmp_path / f".d.xlsx{SAVING}folder.tmp").mkdir()
    assert run_cli(capsys, "run", str(path))[0] == 0
    assert other.read_bytes() == SECRET
    assert not (tmp_path / f".d.xlsx{SAVING}planted.tmp").is_symlink()  # the link was removed
    assert (tmp_path / f".d.xlsx{SAVING}folder.tmp").is_dir()  # a folder is left alone
    assert check_workbook(path).status == layout.UP_TO_DATE


def test_a_workbook_that_is_a_link_is_read_but_not_replaced(tmp_path, capsys):
    real = make_workbook(tmp_path, "real.xlsx")
    before = sha256(real)
    link = tmp_path / "d.xlsx"
    link.symlink_to(real.name)
    assert run_cli(capsys, "check", str(link))[0] == 0  # reading through a link the user made is fine
    code, output = run_cli(capsys, "run", str(link))
    assert code == 2 and f"{link} is a symbolic link (to real.xlsx)" in output
    assert sha256(real) == before and link.is_symlink()


# --- outputs: run -o, new, lite ---------------------------------------------------------------------


def test_run_o_refuses_to_replace_a_file_the_model_did_not_make(tmp_path, capsys):
    path = make_workbook(tmp_path, "d.xlsx")
    thesis = tmp_path / "thesis.docx"
    thesis.write_bytes(SECRET)
    code, output = run_cli(capsys, "run", str(path), "-o", str(thesis))
    assert code == 2 and one_line(output)
    assert "thesis.docx already exists and is not a workbook made by the partnership model" in output
    assert "--force" in output and thesis.read_bytes() == SECRET
    other = tmp_path / "other.xlsx"  # a workbook, but not one of ours
    openpyxl.Workbook().save(other)
    kept = sha256(other)
    assert run_cli(capsys, "run", str(path), "-o", str(other))[0] == 2 and sha256(other) == kept
    assert run_cli(capsys, "run", str(path), "-o", str(thesis), "--force")[0] == 0
    assert check_workbook(thesis.rename(tmp_path / "thesis.xlsx")).status == layout.UP_TO_DATE


def test_run_o_replaces_a_workbook_the_model_made(tmp_path, capsys):
    path = make_workbook(tmp_path, "d.xlsx")
    out = tmp_path / "out.xlsx"
    assert run_cli(capsys, "run", str(path), "-o", str(out))[0] == 0
    assert run_cli(capsys, "run", str(path), "-o", str(out))[0] == 0


def test_run_o_and_new_never_write_through_a_link_even_with_force(tmp_path, capsys):
    path = make_workbook(tmp_path, "d.xlsx")
    other = victim(tmp_path)
    link = tmp_path / "out.xlsx"
    link.symlink_to(other.name)
    for args in (["run", str(path), "-o", str(link), "--force"], ["new", str(link), "--force"]):
        code, output = run_cli(capsys, *args)
        assert code == 2 and f"{link} is a symbolic link (to victim.txt)" in output, output
        assert other.read_bytes() == SECRET and link.is_symlink()


def test_lite_keeps_files_it_did_not_write(tmp_path, capsys):
    folder = tmp_path / "lite"
    folder.mkdir()
    (folder / "main.py").write_text("print('my own script')\n")
    (folder / "requirements.txt").write_text("requests\n")
    code, output = run_cli(capsys, "lite", str(folder))
    assert code == 2 and one_line(output) and "main.py was not written by `partnership lite`" in output
    assert (folder / "main.py").read_text() == "print('my own script')\n"
    assert (folder / "requirements.txt").read_text() == "requests\n"
    assert sorted(p.name for p in folder.iterdir()) == ["main.py", "requirements.txt"]
    assert run_cli(capsys, "lite", str(folder), "--force")[0] == 0
    assert "Generated by `partnership lite`" in (folder / "main.py").read_text()
    assert run_cli(capsys, "lite", str(folder))[0] == 0  # its own files it replaces freely


def test_lite_never_writes_through_a_link(tmp_path):
    folder = tmp_path / "lite"
    folder.mkdir()
    other = victim(tmp_path)
    (folder / "requirements.txt").symlink_to(other)
    with pytest.raises(Exception, match=r"requirements\.txt is a symbolic link"):
        write_lite(folder, workbook=False, force=True)
    assert other.read_bytes() == SECRET
    assert not (folder / "main.py").exists()  # refused before anything was written


# --- Ctrl-C ---------------------------------------------------------------------------------------


def _ctrl_c_as_in_a_shell() -> None:
    """Ctrl-C's default action, as a user's shell gives it: pytest-xdist's workers ignore SIGINT,
    and a child started from one would inherit that and never see the Ctrl-C this test sends."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_ctrl_c_during_a_run_is_one_line_exit_130_and_the_file_whole(tmp_path):
    """SIGINT at moments spread over start-up, reading, computing and saving."""
    path = make_workbook(tmp_path, "d.xlsx")
    cells = input_cells(path)
    command = [str(Path(sys.executable).with_name("partnership")), "run", str(path)]
    outcomes = set()
    for delay in (0.2, 1.0, 1.8, 2.4, 3.0, 3.6):
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_ctrl_c_as_in_a_shell,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
        outcomes.add(process.returncode)
        if process.returncode == 130:
            assert one_line(err) and err.startswith("Stopped (Ctrl-C)"), err
        else:
            assert process.returncode == 0, err  # it had finished before the signal
        assert "Traceback" not in err and "KeyboardInterrupt" not in err
        assert input_cells(path) == cells  # whole, old or new, with its inputs
        assert sorted(p.name for p in tmp_path.iterdir()) == ["d.xlsx"]  # no lock or temporary file
    assert 130 in outcomes


# --- links to other workbooks ---------------------------------------------------------------------


def linked_workbook(folder: Path, formula_cell: tuple[str, str]) -> Path:
    """A template with a link to other.xlsx (whose Sheet1!A1 Excel last read as 123) used in a formula."""
    path = make_workbook(folder, "d.xlsx")
    wb = openpyxl.load_workbook(path)
    book = ExternalBook(
        sheetNames=ExternalSheetNames(sheetName=["Sheet1"]),
        sheetDataSet=ExternalSheetDataSet(
            sheetData=[
                ExternalSheetData(sheetId=0, row=[ExternalRow(r=1, cell=[ExternalCell(r="A1", v="123")])])
            ]
        ),
        id="rId1",
    )
    link = ExternalLink(externalBook=book)
    link.file_link = Relationship(
        type="externalLinkPath", Target="other.xlsx", TargetMode="External", Id="rId1"
    )
    wb._external_links.append(link)
    sheet, ref = formula_cell
    wb[sheet][ref] = "=[1]Sheet1!A1"
    wb.save(path)
    save_results(path, wb.sheetnames, {(sheet, ref): (123, "n")})
    return path


def test_an_input_reading_another_workbook_is_refused_at_its_cell(tmp_path, capsys):
    cell = layout.input_cell("fixed_cost")
    path = linked_workbook(tmp_path, (cell.sheet, cell.ref))
    before = sha256(path)
    code, output = run_cli(capsys, "run", str(path))
    assert code == 2
    assert f"{cell.sheet}!{cell.ref}" in output and "refers to another workbook (=[1]Sheet1!A1)" in output
    assert sha256(path) == before


def test_a_link_elsewhere_in_the_workbook_is_saved_whole(tmp_path, capsys):
    """A formula outside the inputs that reads another workbook keeps its link part: nothing dangles."""
    path = linked_workbook(tmp_path, (layout.SCENARIOS, "H40"))
    assert run_cli(capsys, "run", str(path))[0] == 0
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert "xl/externalLinks/externalLink1.xml" in names
        rels = archive.read("xl/externalLinks/_rels/externalLink1.xml.rels").decode()
        assert 'Target="other.xlsx"' in rels and 'TargetMode="External"' in rels
        assert b"<externalReference " in archive.read("xl/workbook.xml")
    assert openpyxl.load_workbook(path)[layout.SCENARIOS]["H40"].value == "=[1]Sheet1!A1"
    assert check_workbook(path).status == layout.UP_TO_DATE


def test_run_workbook_output_refusal_leaves_no_file(tmp_path):
    path = make_workbook(tmp_path, "d.xlsx")
    (tmp_path / "notes.xlsx").write_bytes(SECRET)
    with pytest.raises(Exception, match="not a workbook made by the partnership model"):
        run_workbook(path, tmp_path / "notes.xlsx")
    assert (tmp_path / "notes.xlsx").read_bytes() == SECRET
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.xlsx", "notes.xlsx"]


@pytest.mark.parametrize(
    ("formula", "elsewhere"),
    [
        ("=[1]Sheet1!A1", True),
        ("='[1]My sheet'!A1", True),
        ("=SUM([2]S!A1:B2)*2", True),
        ("='C:\\fees\\[Fees.xlsx]Sheet1'!A1", True),
        ("=FeeRate*2", True),  # a name of this workbook that points into another
        ("=Table1[2]", False),  # a structured reference to a table column
        ('="[1]x"&A1', False),  # text that only looks like a link
        ("=A1*2", False),
    ],
)
def test_formulas_reading_other_workbooks_are_recognised(formula, elsewhere):
    from openpyxl.workbook.defined_name import DefinedName

    from excel_addin.files.openpyxl_io import refers_elsewhere

    wb = openpyxl.Workbook()
    wb.defined_names["FeeRate"] = DefinedName("FeeRate", attr_text="[1]Rates!$B$2")
    assert refers_elsewhere(formula, wb) is elsewhere
