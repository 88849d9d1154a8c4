"""What every command shares: its registration (``@command``), its ``Outcome``, one JSON envelope.

A command returns its figures and a way to print them; ``emit`` adds ``{"ok", "command"}``
for ``--json`` (``ok`` is whether it succeeded), so no command writes the envelope itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from excel_addin.console import INTERRUPTED
from excel_addin.workbook.errors import InvalidInputsError, WorkbookError

OK, INVALID = 0, 2
COMMANDS: dict[str, Command] = {}  # by name, filled by @command as each command group is imported


@dataclass(frozen=True)
class Outcome:
    """What a command did: ``data`` for --json, ``show`` to print it for a person."""

    data: dict[str, Any]
    show: Callable[[Console], None]
    code: int = OK


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: tuple[tuple[tuple[str, ...], dict[str, Any]], ...]
    run: Callable[[argparse.Namespace], Outcome]


def arg(*flags: str, **options: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """One argument of a command, as ``argparse.add_argument`` takes it."""
    return flags, options


def command(name: str, help: str, *arguments: tuple[tuple[str, ...], dict[str, Any]]) -> Callable:
    """Register the decorated function as the subcommand ``name``."""

    def register(run: Callable[[argparse.Namespace], Outcome]) -> Callable[[argparse.Namespace], Outcome]:
        COMMANDS[name] = Command(name, help, arguments, run)
        return run

    return register


WORKBOOK = arg("path", type=Path, metavar="WORKBOOK", help="the partnership workbook (.xlsx)")


def failure(args: argparse.Namespace, error: Exception) -> Outcome:
    """An expected problem as an outcome with exit code 2 (no traceback)."""
    name = getattr(args, "command", "")
    if isinstance(error, InvalidInputsError):
        problems = [
            {"name": p.name, "label": p.label, "cell": p.where, "message": p.message} for p in error.located
        ]
        data = {"error": "invalid_inputs", "problems": problems}
        tail = "; nothing was written and the file is unchanged" if name == "run" else ""
        count = len(problems)

        def show(out: Console) -> None:
            out.print(f"The inputs of {args.path} have {count} problem{'s' if count > 1 else ''}{tail}:")
            for problem in error.located:
                out.print(f"  • {problem}", markup=False, highlight=False)

        return Outcome(data, show, INVALID)
    kind = "workbook" if isinstance(error, WorkbookError) else "invalid_argument"
    message = str(error)
    data = {"error": kind, "message": message}
    return Outcome(data, lambda out: out.print(message, markup=False, highlight=False), INVALID)


def interrupted(args: argparse.Namespace) -> int:
    """Ctrl-C: one line, exit code 130. Saves are atomic, so every file is its old or new self."""
    print(
        f"Stopped (Ctrl-C) during `partnership {args.command}`: each file is as it was before or as "
        "this command finished writing it, never half-written.",
        file=sys.stderr,
    )
    return INTERRUPTED


def os_words(error: OSError) -> str:
    """An operating-system error in one line: what failed, on which file, and that nothing is half-written."""
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}; no file was left half-written."


def emit(outcome: Outcome, command: str, as_json: bool) -> None:
    """Print the outcome: for ``--json`` inside the one envelope ``{"ok", "command", …}``."""
    if as_json:
        data = {"ok": outcome.code == OK, "command": command, **outcome.data}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    stream = sys.stdout if outcome.code == OK else sys.stderr
    outcome.show(Console(file=stream, highlight=False, soft_wrap=True))
