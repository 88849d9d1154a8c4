"""Two writers, a file open elsewhere, a process killed mid-save: the workbook is never mixed or lost.

Real processes: a child holds the workbook's lock, runs the command line, or saves and is
killed with SIGKILL at a chosen moment (inside the save, by a pause the child sets up
for itself) or at random moments in a loop of saves. After each, the workbook on disk
is one complete version, byte for byte the old one when the new one was not finished.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from excel_addin.cli import main
from excel_addin.files.lock import lock_path, workbook_lock
from excel_addin.files.openpyxl_io import SAVING, open_workbook, save_atomic
from excel_addin.files.operations import check_workbook, run_workbook
from excel_addin.workbook import layout
from excel_addin.workbook.errors import WorkbookError
from tests.support.reliability import input_cells, sha256
from tests.support.workbook import make_workbook, set_inputs

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork-free children as on POSIX")
KILLS = int(os.environ.get("PARTNERSHIP_KILLS", "6"))


def child(code: str, **env: str) -> subprocess.Popen:
    """A Python child running ``code`` (stdout piped, line by line)."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def wait_for(process: subprocess.Popen, word: str) -> None:
    line = process.stdout.readline().strip()
    assert line == word, (line, process.stderr.read() if process.poll() is not None else "")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- two commands on one workbook --------------------------------------------------------------

HOLD = """
    import sys, time
    from pathlib import Path
    from excel_addin.files.lock import workbook_lock
    with workbook_lock(Path({path!r})):
        print("locked", flush=True)
        time.sleep({seconds})
        Path({released!r}).write_text(str(time.time()))
    print("released", flush=True)
"""


@pytest.mark.slow
def test_a_second_command_waits_for_the_first(tmp_path, monkeypatch):
    path = make_workbook(tmp_path)
    released = tmp_path / "released"
    holder = child(HOLD.format(path=str(path), seconds=1.5, released=str(released)))
    wait_for(holder, "locked")
    monkeypatch.setenv("PARTNERSHIP_LOCK_WAIT", "60")
    run_workbook(path)  # blocks until the holder lets go
    assert released.exists(), "the run finished while the other process still held the lock"
    assert float(released.read_text()) <= path.stat().st_mtime
    holder.wait(timeout=30)
    assert check_workbook(path).status == layout.UP_TO_DATE
    assert not lock_path(path).exists()


def test_a_second_command_that_waited_long_enough_refuses_and_names_the_first(tmp_path, capsys, monkeypatch):
    path = make_workbook(tmp_path)
    before = sha256(path)
    holder = child(HOLD.format(path=str(path), seconds=30, released=str(tmp_path / "released")))
    try:
        wait_for(holder, "locked")
        monkeypatch.setenv("PARTNERSHIP_LOCK_WAIT", "0.3")
        code = main(["run", str(path)])
        output = "".join(capsys.readouterr())
        assert code == 2
        assert (
            f"model.xlsx is being written by another partnership command (`partnership`, process {holder.pid}"
            in output
        )
        assert "waited 0.3 s" in output and "model.xlsx is unchanged" in output
        assert sha256(path) == before
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_a_lock_left_by_a_killed_process_blocks_nobody(tmp_path, monkeypatch):
    path = make_workbook(tmp_path)
    holder = child(HOLD.format(path=str(path), seconds=300, released=str(tmp_path / "released")))
    wait_for(holder, "locked")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert lock_path(path).exists()  # the file stays; the lock went with the process
    monkeypatch.setenv("PARTNERSHIP_LOCK_WAIT", "0")
    run_workbook(path)
    assert not lock_path(path).exists()
    assert check_workbook(path).status == layout.UP_TO_DATE


@pytest.mark.slow
def test_two_command_lines_at_once_both_finish_one_after_the_other(tmp_path):
    path = make_workbook(tmp_path, fixed_cost=880_000)
    cells = input_cells(path)
    command = [sys.executable, "-m", "excel_addin.cli", "run", str(path)]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert zipfile.ZipFile(path).testzip() is None
    assert input_cells(path) == cells
    assert check_workbook(path).status == layout.UP_TO_DATE
    assert leftovers(tmp_path) == []


def test_the_lock_is_reentrant_within_one_process(tmp_path):
    path = make_workbook(tmp_path)
    with workbook_lock(path), workbook_lock(path):
        run_workbook(path)  # takes the lock again inside: must not wait for itself
        assert lock_path(path).exists()
    assert not lock_path(path).exists()


def test_a_file_saved_by_another_program_meanwhile_is_not_overwritten(tmp_path):
    path = make_workbook(tmp_path)
    wb = open_workbook(path)
    set_inputs(path, fixed_cost=123_456)  # someone saves the file while the model computes
    theirs = sha256(path)
    with pytest.raises(WorkbookError, match="changed by another program while the model was running"):
        save_atomic(wb, path)
    assert sha256(path) == theirs


@pytest.mark.parametrize("lock", ["~$model.xlsx", ".~lock.model.xlsx#"])
def test_open_in_excel_or_libreoffice_refuses_every_writing_command(tmp_path, capsys, lock):
    path = make_workbook(tmp_path)
    (tmp_path / lock).write_text("someone")
    before = sha256(path)
    for args in (["run", str(path)], ["new", str(path), "--force"]):
        assert main(args) == 2
        assert "is open in Excel or LibreOffice" in "".join(capsys.readouterr())
        assert sha256(path) == before


# --- kill -9 in the middle of a save -----------------------------------------------------------

SAVE_AND_PAUSE = """
    import os, sys, time, zipfile
    from pathlib import Path
    from excel_addin.files.openpyxl_io import open_workbook, save_atomic
    path = Path({path!r})
    wb = open_workbook(path)
    wb["{sheet}"]["A1"] = "changed by the killed save"
    where = {where!r}
    if where == "writing":  # pause after the first parts are in the temporary file
        original, count = zipfile.ZipFile.writestr, [0]
        def writestr(self, *args, **kwargs):
            count[0] += 1
            if count[0] == 5:
                print("paused", flush=True)
                time.sleep(300)
            return original(self, *args, **kwargs)
        zipfile.ZipFile.writestr = writestr
    def before_replace(temp):
        print("paused", flush=True)
        time.sleep(300)
    save_atomic(wb, path, before_replace if where == "replacing" else None)
"""


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """A workbook with results on a 51 × 51 grid: a save that takes a while."""
    path = make_workbook(tmp_path_factory.mktemp("big"), occupancy_step=0.02, local_use_step=0.02)
    run_workbook(path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("where", ["writing", "replacing"])
def test_kill_9_during_a_save_leaves_the_workbook_as_it_was(tmp_path, big, where):
    path = tmp_path / "model.xlsx"
    path.write_bytes(big.read_bytes())
    before = sha256(path)
    saver = child(SAVE_AND_PAUSE.format(path=str(path), sheet=layout.GUIDE, where=where))
    wait_for(saver, "paused")
    saver.send_signal(signal.SIGKILL)
    saver.wait()
    assert sha256(path) == before
    assert any(SAVING in name for name in leftovers(tmp_path))  # the half-written file was never moved in
    run_workbook(path)  # the next save clears what the killed one left
    assert leftovers(tmp_path) == []
    assert check_workbook(path).status == layout.UP_TO_DATE


SAVE_IN_A_LOOP = """
    import sys
    from pathlib import Path
    from excel_addin.files.openpyxl_io import open_workbook, save_atomic
    path = Path({path!r})
    wb = open_workbook(path)
    print("ready", flush=True)
    for count in range(1, 1000):
        wb["{sheet}"]["A1"] = f"save {{count}}"
        save_atomic(wb, path)
        print(count, flush=True)
"""


@pytest.mark.slow
def test_kill_9_at_random_moments_of_repeated_saves_never_leaves_a_broken_file(tmp_path):
    """Each kill lands somewhere in a save or between two; the file is always a whole workbook."""
    path = make_workbook(tmp_path)
    run_workbook(path)  # results on the default grid: a save of about half a second
    cells = input_cells(path)
    shuffle = random.Random(20240601)
    saves_seen = 0
    for k in range(KILLS):
        saver = child(SAVE_IN_A_LOOP.format(path=str(path), sheet=layout.GUIDE))
        wait_for(saver, "ready")
        if k == KILLS - 1 and saves_seen == 0:  # a loaded machine saves slowly: let one save finish
            wait_for(saver, "1")
            saves_seen += 1
        time.sleep(shuffle.uniform(0.0, 2.5))  # a save of this workbook takes about a second
        saver.send_signal(signal.SIGKILL)
        saver.wait()
        saves_seen += len(saver.stdout.read().split())
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
        marker = openpyxl.load_workbook(path)[layout.GUIDE]["A1"].value
        assert marker == layout.GUIDE_SHEET.title or marker.startswith("save ")
        assert input_cells(path) == cells
    assert saves_seen > 0  # some saves completed between kills, so kills also hit between saves
    print(f"\nkill -9 loop: {KILLS} kills, {saves_seen} saves completed around them")
