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
import sys
from collections.abc import Sequence

from engine import ParameterError, __version__
from excel_addin.cli import (  # noqa: F401  (importing a command group registers its commands)
    contract_commands,
    lite_files,
    member_commands,
    negotiation_commands,
    sweep,
    workbook_commands,
)
from excel_addin.cli.envelope import COMMANDS, INVALID, emit, failure, interrupted, os_words
from excel_addin.workbook.errors import WorkbookError

__all__ = ["COMMANDS", "build_parser", "main"]

# The order `partnership --help` lists the commands in: a workbook's life first, then each sheet's figures.
ORDER = (
    "new", "run", "check", "show", "compare", "term", "upgrade", "lite",
    "risk", "negotiate", "region", "portfolio", "sweep",
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The parser with one subparser per registered command (and --json on each)."""
    parser = argparse.ArgumentParser(
        prog="partnership",
        description="Commissioning Partnership Model: what a host council and a provider each get.",
    )
    parser.add_argument("--version", action="version", version=f"partnership-model {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for spec in sorted(COMMANDS.values(), key=lambda spec: ORDER.index(spec.name)):
        sub = commands.add_parser(spec.name, help=spec.help, description=spec.help, parents=[common])
        for flags, options in spec.arguments:
            sub.add_argument(*flags, **options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 on success, 2 for invalid inputs, a bad workbook or bad usage."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return INVALID
    try:
        outcome = COMMANDS[args.command].run(args)
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
