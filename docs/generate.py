"""Write the parts of docs/ that the code defines, so the pages cannot drift from the code.

A generated part sits in a page between two markers::

    <!-- generated: NAME (python docs/generate.py) -->
    ...
    <!-- end generated: NAME -->

Everything outside the markers is written by hand. ``python docs/generate.py`` rewrites every
part; ``python docs/generate.py --check`` changes nothing and exits 1 naming the stale pages
(``tests/test_docs.py`` runs the same check). The parts:

- ``cli.md`` ``commands``: the command-line reference, from the ``partnership`` argparse parser;
- ``user-guide.md`` ``functions``: the worksheet functions, from ``FUNCTIONS`` (via
  ``reference_markdown``);
- ``model.md`` ``parameters`` and ``measures``: the parameter and measure tables, from
  ``engine.PARAMETERS`` and ``engine.MEASURES``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent


def _marker(name: str) -> tuple[str, str]:
    return f"<!-- generated: {name} (python docs/generate.py) -->", f"<!-- end generated: {name} -->"


# --- the command line ------------------------------------------------------------------------


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subparsers by command name (argparse keeps them on its private subparsers action)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help(action: argparse.Action, prog: str) -> str:
    """The help text as argparse prints it (``%%`` → ``%``, ``%(default)s`` filled in)."""
    text = action.help or ""
    return text % {**vars(action), "prog": prog} if text else text


def _metavar(action: argparse.Action) -> str:
    if action.metavar is not None:
        return str(action.metavar)
    return action.dest.upper() if action.option_strings else action.dest


def _usage_part(action: argparse.Action) -> str:
    if not action.option_strings:
        return _metavar(action)
    flag = max(action.option_strings, key=len)  # the long form reads best
    takes_value = action.nargs != 0
    return f"[{flag} {_metavar(action)}]" if takes_value else f"[{flag}]"


def _argument_cell(action: argparse.Action) -> str:
    if not action.option_strings:
        return f"`{_metavar(action)}`"
    flags = sorted(action.option_strings, key=len, reverse=True)
    if action.nargs == 0:
        return ", ".join(f"`{flag}`" for flag in flags)
    return ", ".join(f"`{flag} {_metavar(action)}`" for flag in flags)


def _meaning(action: argparse.Action, prog: str) -> str:
    text = _help(action, prog)
    default = action.default
    takes_value = action.option_strings and action.nargs != 0
    if takes_value and default not in (None, argparse.SUPPRESS) and "default" not in text:
        text += f" (default: `{default}`)"
    if action.choices and not isinstance(action, argparse._SubParsersAction):
        text += " (one of: " + ", ".join(f"`{choice}`" for choice in action.choices) + ")"
    return text.replace("|", "\\|")


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def cli_reference() -> str:
    """Every command of ``partnership``: what it does, its usage line and its arguments."""
    from excel_addin.cli import build_parser

    parser = build_parser()
    commands = _subcommands(parser)
    general = [a for a in parser._actions if a.option_strings and not isinstance(a, argparse._HelpAction)]
    lines = [
        "```",
        "partnership COMMAND [options]",
        *(f"partnership {_usage_part(a)[1:-1]}" for a in general),
    ]
    lines += ["partnership --help", "```", "", "| command | what it does |", "|---|---|"]
    for name, sub in commands.items():
        lines.append(f"| [`{name}`](#partnership-{name}) | {_sentence(sub.description or '')} |")
    for name, sub in commands.items():
        actions = sorted(
            (a for a in sub._actions if not isinstance(a, argparse._HelpAction)),
            key=lambda a: (bool(a.option_strings), a.dest == "json"),  # WORKBOOK first, --json last
        )
        usage = " ".join(["partnership", name, *(_usage_part(a) for a in actions)])
        lines += ["", f"### partnership {name}", "", _sentence(sub.description or ""), ""]
        lines += ["```", usage, "```", "", "| argument | meaning |", "|---|---|"]
        lines += [f"| {_argument_cell(a)} | {_meaning(a, sub.prog)} |" for a in actions]
        lines.append("| `-h`, `--help` | print this command's help and stop |")
    return "\n".join(lines) + "\n"


# --- the worksheet functions -----------------------------------------------------------------


def function_reference() -> str:
    """The worksheet functions' table, as the add-in's own ``FUNCTIONS`` describes them."""
    from excel_addin.excel.functions import reference_markdown

    return reference_markdown()


# --- the model's parameters and measures -----------------------------------------------------


def _number(value: float, unit: str) -> str:
    if unit == "share":
        return f"{value * 100:g} %"
    if unit.startswith("£"):
        return f"£{value:,.0f}"
    return f"{value:g}"


def _default(spec: Any) -> str:
    if spec.name == "share_tiers":
        return ", ".join(f"from {lo * 100:g} %: {share * 100:g} %" for lo, share in spec.default)
    return _number(spec.default, spec.unit)


def parameter_table() -> str:
    """One row per parameter of ``engine.PARAMETERS``: the same table the Inputs sheet shows."""
    from engine import PARAMETERS

    lines = [
        "| name | symbol | label on the Inputs sheet | unit | default | valid |",
        "|---|---|---|---|---|---|",
    ]
    for spec in PARAMETERS:
        lines.append(
            f"| `{spec.name}` | {spec.symbol} | {spec.label} | {spec.unit} | {_default(spec)} | {spec.rule} |"
        )
    return "\n".join(lines) + "\n"


def measure_table() -> str:
    """One row per measure of ``engine.MEASURES``, in the engine's order."""
    from engine import MEASURES

    lines = ["| name | label | unit | whose | better | formula |", "|---|---|---|---|---|---|"]
    for m in MEASURES:
        lines.append(
            f"| `{m.name}` | {m.label} | {m.unit} | {m.party} | {m.better or '–'} | {m.description} |"
        )
    return "\n".join(lines) + "\n"


# --- writing and checking --------------------------------------------------------------------

PARTS: dict[tuple[str, str], Callable[[], str]] = {
    ("cli.md", "commands"): cli_reference,
    ("user-guide.md", "functions"): function_reference,
    ("model.md", "parameters"): parameter_table,
    ("model.md", "measures"): measure_table,
}


def fill(text: str, name: str, content: str) -> str:
    """``text`` with the part ``name`` replaced by ``content``; an error if its markers are missing."""
    begin, end = _marker(name)
    pattern = re.compile(re.escape(begin) + r"\n.*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"no markers for the generated part {name!r}: add\n{begin}\n{end}")
    return pattern.sub(lambda _: f"{begin}\n{content}{end}", text, count=1)


def generated_pages(docs: Path = DOCS) -> dict[Path, str]:
    """Every page holding a generated part, as it should read now."""
    pages: dict[Path, str] = {}
    for (page, name), make in PARTS.items():
        path = docs / page
        text = pages[path] if path in pages else path.read_text(encoding="utf-8")
        pages[path] = fill(text, name, make())
    return pages


def stale_pages(docs: Path = DOCS) -> list[str]:
    """Pages whose generated parts differ from what the code gives now."""
    return [
        path.name for path, text in generated_pages(docs).items() if path.read_text(encoding="utf-8") != text
    ]


def main(argv: list[str]) -> int:
    """Rewrite the generated parts (or, with --check, say which pages are stale)."""
    if "--check" in argv:
        stale = stale_pages()
        for name in stale:
            print(f"docs/{name} is out of date: run python docs/generate.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in generated_pages().items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote docs/{path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
