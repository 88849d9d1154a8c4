"""What people type is never overwritten: every input cell compared before and after every command.

The workbook has typed values of every form (a number as text "£960,000", a table edited
with "50%" in it, a formula with its saved result, defaults elsewhere), and every command
of the command line runs on it, the ones added later included: how to call a command is
read from its arguments, so a new command is covered without editing this test. Every
input cell (``layout.all_inputs()``, tables cell by cell) must hold the same value and
type afterwards; a command that fails must leave the file byte for byte as it was.
"""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from excel_addin.cli import COMMANDS, main
from tests.support.reliability import Content, input_cells, put_on_disk, sha256, slots
from tests.support.workbook import make_workbook, set_inputs

TYPED = {
    "fixed_cost": "£960,000",
    "reserved_places": 2,
    "share_tiers": [[0, 0.2], [0.4, "50%"]],
    "deficit_support": 0.1,
    "occupancy_step": 0.1,
    "local_use_step": 0.1,
    "breakdown_occupancy": 0.6,
}
REFUSES = {"new": "already exists"}  # commands that must refuse on an existing workbook


def arguments(name: str, path, folder) -> list[str]:
    """How to call a command on the workbook (or its folder), from its positional arguments."""
    positional = [flags[0] for flags, _ in COMMANDS[name].arguments if not flags[0].startswith("-")]
    if positional == ["path"]:
        return [name, str(path)]
    if positional == ["folder"]:
        return [name, str(folder)]
    raise AssertionError(f"tell this test how to call `partnership {name}` ({positional})")


@pytest.fixture
def typed(tmp_path):
    path = make_workbook(tmp_path, "deal.xlsx")
    set_inputs(path, **TYPED)
    variable = next(slot for slot in slots() if slot.input.name == "variable_cost")
    put_on_disk(path, [(variable, Content("formula_number", "=250+60", 310.0, "n", 310.0))])
    return path


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_leaves_every_input_cell_as_it_was(typed, capsys, name):
    before, cells = sha256(typed), input_cells(typed)
    assert cells[("Inputs", "B15")] == ("=250+60", "f")
    code = main(arguments(name, typed, typed.parent))
    output = "".join(capsys.readouterr())
    assert input_cells(typed) == cells, name
    if name in REFUSES:
        assert code == 2 and REFUSES[name] in output
    else:
        assert code == 0, output
    if code != 0:
        assert sha256(typed) == before


@pytest.mark.slow
def test_run_twice_and_to_another_file_keeps_every_input(typed, capsys):
    cells = input_cells(typed)
    out = typed.with_name("out.xlsx")
    for argv in (["run", str(typed)], ["run", str(typed)], ["run", str(typed), "-o", str(out)]):
        assert main(argv) == 0, "".join(capsys.readouterr())
        assert input_cells(typed) == cells
    assert input_cells(out) == cells
    assert main(["check", str(out)]) == 0  # the formula's saved result came along: out reads as it is


@pytest.mark.slow
def test_invalid_inputs_leave_the_file_byte_for_byte(typed, capsys):
    set_inputs(typed, local_fee="lots", share_tiers=[[0, 0.2], [0.1, "=1"]])
    before, cells = sha256(typed), input_cells(typed)
    for name in sorted(COMMANDS):
        code = main(arguments(name, typed, typed.parent))
        capsys.readouterr()
        assert input_cells(typed) == cells, name
        if code != 0:
            assert sha256(typed) == before, name


@pytest.fixture
def sealed(monkeypatch):
    """Fail the test if anything opens a network connection, resolves a name or starts a program."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network or program access: {args[:2]}")

    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse)
    for name in ("create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, refuse)
    for name in ("Popen", "run", "call", "check_output"):
        monkeypatch.setattr(subprocess, name, refuse)
    for name in ("system", "popen", "execv", "execve", "spawnv", "fork", "posix_spawn"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse)


@pytest.mark.slow
def test_no_command_reaches_the_network_or_starts_a_program(typed, capsys, sealed):
    """SECURITY.md: the model sends nothing anywhere and runs nothing; every command works sealed."""
    for name in sorted(COMMANDS):
        code = main(arguments(name, typed, typed.parent))
        output = "".join(capsys.readouterr())
        assert code == (2 if name in REFUSES else 0), (name, output)


def test_lite_keeps_a_lite_workbook_that_already_holds_inputs(tmp_path, capsys):
    """Running `partnership lite` again (for a new main.py) must not reset the inputs typed since."""
    assert main(["lite", str(tmp_path)]) == 0
    workbook = next(tmp_path.glob("*.xlsx"))
    set_inputs(workbook, **TYPED)
    before, cells = sha256(workbook), input_cells(workbook)
    assert main(["lite", str(tmp_path)]) == 0
    assert "main.py" in "".join(capsys.readouterr())
    assert input_cells(workbook) == cells and sha256(workbook) == before
