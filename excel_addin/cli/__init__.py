"""The `partnership` command line.

A command is one decorated function (``@command`` in ``envelope``) in the module of its
group: ``workbook_commands`` (new, run, check, show, upgrade), ``contract_commands`` (compare,
term), ``negotiation_commands`` (risk, negotiate), ``member_commands`` (region, portfolio),
``lite_files`` (lite) and ``sweep``. Each returns an ``Outcome`` (its figures for ``--json`` and
a way to print them for people); ``envelope.emit`` prints it. Expected problems (a bad input, a
damaged or open file) exit with code 2 and a plain message; there is never a traceback for those.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from engine import ParameterError, __version__
from excel_addin.cli import envelope
from excel_addin.cli.envelope import INVALID, emit, failure, interrupted, os_words
from excel_addin.workbook.errors import WorkbookError

__all__ = ["COMMANDS", "build_parser", "main"]

# Each command's group (the module that registers it), in the order `partnership --help` lists them:
# a workbook's life first, then each sheet's figures. Running one command imports only its group, so
# `partnership check` does not load the terminal tables, progress bars and schedulers of the others.
GROUPS = {
    "new": "workbook_commands", "run": "workbook_commands", "check": "workbook_commands",
    "show": "workbook_commands", "compare": "contract_commands", "term": "contract_commands",
    "upgrade": "workbook_commands", "lite": "lite_files", "risk": "negotiation_commands",
    "negotiate": "negotiation_commands", "region": "member_commands", "portfolio": "member_commands",
    "sweep": "sweep",
}  # fmt: skip
ORDER = tuple(GROUPS)


def load_commands(names: Sequence[str] = ORDER) -> dict[str, envelope.Command]:
    """Import the groups of ``names`` (each registers its commands); the registry, by name."""
    for group in dict.fromkeys(GROUPS[name] for name in names):
        importlib.import_module(f"excel_addin.cli.{group}")
    return envelope.COMMANDS


def __getattr__(name: str) -> Any:
    """``COMMANDS``: every command, registered on first use (``from excel_addin.cli import COMMANDS``)."""
    if name == "COMMANDS":
        return load_commands()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _command_of(argv: Sequence[str]) -> list[str]:
    """The command a command line names (its first word that is not an option), or every command."""
    word = next((item for item in argv if not item.startswith("-")), None)
    return [word] if word in GROUPS else list(ORDER)


def build_parser(names: Sequence[str] = ORDER) -> argparse.ArgumentParser:
    """The parser with one subparser per command of ``names`` (and --json on each)."""
    registry = load_commands(names)
    parser = argparse.ArgumentParser(
        prog="partnership",
        description="Commissioning Partnership Model: what a host council and a provider each get.",
    )
    parser.add_argument("--version", action="version", version=f"partnership-model {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for spec in sorted((registry[name] for name in dict.fromkeys(names)), key=lambda s: ORDER.index(s.name)):
        sub = commands.add_parser(spec.name, help=spec.help, description=spec.help, parents=[common])
        for flags, options in spec.arguments:
            sub.add_argument(*flags, **options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 on success, 2 for invalid inputs, a bad workbook or bad usage."""
    parser = build_parser(_command_of(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return INVALID
    try:
        outcome = envelope.COMMANDS[args.command].run(args)
    except (WorkbookError, ParameterError) as error:
        outcome = failure(args, error)
    except KeyboardInterrupt:
        return interrupted(args)
    except OSError as error:  # a disk or folder failing where no message of ours was ready
        outcome = failure(args, WorkbookError(os_words(error)))
    except MemoryError:
        outcome = failure(args, WorkbookError("the computer ran out of memory; no file was changed."))
    try:
        emit(outcome, args.command, args.json)
    except KeyboardInterrupt:
        return interrupted(args)
    return outcome.code
