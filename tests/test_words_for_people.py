"""Words for people: no code names or developer words on the result sheets or in the command line.

A council finance officer reads "Host contribution", never ``host_contribution``; nothing in the
product speaks of issues, specs or the model's own files. This module runs a demo-like workbook
(the template's example inputs, so every sheet has results) and scans

- every text cell of every sheet a run writes (not the cells a user types into, not formulas,
  which name cells by their defined names), and
- the text output (not --json) of every `partnership` command, run in-process,

for the snake_case names of the parameter and measure registries (and any snake_case word at
all), and for developer words. "Nash" may appear only where the same text says what it means
(the product of the two gains). The few places where code names are intended are listed in
``ALLOWED`` with the reason.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from engine import MEASURES, PARAMETERS
from excel_addin.cli import COMMANDS, main
from excel_addin.files.operations import run_workbook
from excel_addin.workbook import layout
from tests.support.workbook import make_workbook, set_inputs

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")  # host_contribution, top_share_rate, rule_1
DEVELOPER = re.compile(r"\b\w+\.md\b|\bissues?\b|\bspecs?\b|\bspecification\b|\bTODO\b|\bFIXME\b|\bdebug\b")
NASH_EXPLAINED = "product of"  # "the largest product of the two gains": what a balanced deal is
REGISTRY = {spec.name for spec in PARAMETERS} | {spec.name for spec in MEASURES}
CHOICES = {value for cell in layout.all_inputs() for value in cell.choices}

# Where a code name is what the reader needs, and so allowed:
ALLOWED = re.compile(
    "|".join(
        (
            r"\bout_\w+",  # a defined name, which a formula refers to (the function reference's kin)
            r"\b(?:run_model|new_scenario|load_scenario)\b",  # the macros, as Excel's macro list names them
            r"\b[\w.-]+\.(?:xlsx|py|txt)\b",  # a file the user opens or pastes (main.py)
            r"'\w+'",  # a value of an input's list, quoted as the list shows it ('cost_linked')
        )
    )
)
# Sheets that are not words for people: the add-in's storage (one column per input by name) and
# the hidden snapshot and settings sheets.
SKIPPED_SHEETS = {layout.SCENARIOS, layout.SNAPSHOT, layout.XLWINGS_CONF}
GUIDE_REFERENCE = re.compile(r"\bPM_[A-Z_]+|partnership \w+ ")  # the Guide's function and command reference


def problems_in(text: str, whole: str | None = None) -> list[str]:
    """The code names and developer words in ``text`` ("Nash" judged against ``whole``)."""
    quoted = {match[1:-1] for match in re.findall(r"'\w+'", text)}
    unknown = quoted - CHOICES  # only a list's own values may be quoted
    words = ALLOWED.sub(" ", text)
    found = [f"code name {name!r}" for name in SNAKE.findall(words)]
    found += [f"code name {name!r}" for name in sorted(unknown) if SNAKE.fullmatch(name)]
    found += [f"developer word {word!r}" for word in DEVELOPER.findall(words)]
    if "Nash" in text and NASH_EXPLAINED not in (whole or text):
        found.append("'Nash' without saying what it means")
    return found


def test_the_scan_finds_what_it_looks_for():
    assert problems_in("Probability of paying more than spot (host_saving below 0)") == [
        "code name 'host_saving'"
    ]
    assert problems_in("see MODEL.md and the issue's examples") == [
        "developer word 'MODEL.md'",
        "developer word 'issue'",
    ]
    assert problems_in("Nash bargaining: £3,000") == ["'Nash' without saying what it means"]
    assert problems_in("Nash bargaining: the largest product of the two gains") == []
    assert problems_in("Host contribution £200,000; fees linked to costs; 3.7 % → 0 %") == []
    assert problems_in("'cost_linked': fees linked to costs; see out_results; run run_model") == []
    assert problems_in("'rule_1' fails") == ["code name 'rule_1'"]  # quoted, but no list's value


# --- the sheets ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> tuple[Path, Path]:
    """A run of the template's example inputs (every sheet filled), and its folder."""
    folder = tmp_path_factory.mktemp("words")
    path = make_workbook(folder, "demo.xlsx", draws=2_000)
    run_workbook(path)
    return folder, path


def _input_cells() -> set[tuple[str, int, int]]:
    """Every cell a user types into, and the row names of input tables: the user's, not our words."""
    cells = set()
    for cell in layout.all_inputs():
        for i in range(cell.rows):
            cells.add((cell.sheet, cell.row + i, cell.column - 1))  # a table's row name, if it has one
            for j in range(cell.columns):
                cells.add((cell.sheet, cell.row + i, cell.column + j))
    return cells


def sheet_texts(path: Path) -> dict[str, str]:
    """Every text cell the product writes, by "Sheet!A1", except the allowed places."""
    wb = openpyxl.load_workbook(path)
    inputs = _input_cells()
    tidy_header = _first_row(wb, layout.out_name("results"))
    texts = {}
    for ws in wb.worksheets:
        if ws.title in SKIPPED_SHEETS:
            continue
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or value.startswith("="):
                    continue
                if (ws.title, cell.row, cell.column) in inputs:
                    continue
                if ws.title == layout.RESULTS and cell.row == tidy_header:
                    continue  # the tidy table's header: column names for pivots and scripts
                if ws.title == layout.GUIDE and (GUIDE_REFERENCE.search(value) or value in REGISTRY):
                    continue  # the function reference: PM_… and the measure names they take
                texts[f"{ws.title}!{cell.coordinate}"] = value
    return texts


def _first_row(wb: openpyxl.Workbook, name: str) -> int:
    _, ref = next(iter(wb.defined_names[name].destinations))
    return int(re.search(r"\d+", ref)[0])


def test_no_code_names_or_developer_words_on_any_sheet(ran):
    _, path = ran
    texts = sheet_texts(path)
    assert len(texts) > 500  # the scan reads the sheets' words, not an empty file
    whole = "\n".join(texts.values())
    found = {where: problems for where, text in texts.items() if (problems := problems_in(text, whole))}
    assert found == {}


# --- the command line ---------------------------------------------------------------------------

# One set of arguments per command, each with its text output (never --json).
COMMAND_LINES = {
    "new": ["new", "{folder}/fresh.xlsx"],
    "run": ["run", "{path}", "--output", "{folder}/copy.xlsx"],
    "check": ["check", "{path}"],
    "show": ["show", "{path}"],
    "compare": ["compare", "{path}"],
    "term": ["term", "{path}"],
    "upgrade": ["upgrade", "{path}", "--output", "{folder}/upgraded.xlsx"],
    "lite": ["lite", "{folder}/lite"],
    "risk": ["risk", "{path}"],
    "negotiate": ["negotiate", "{path}"],
    "region": ["region", "{path}"],
    "portfolio": ["portfolio", "{path}"],
    "sweep": ["sweep", "{path}", "--draws", "200"],
}
MORE_LINES = (  # other tables of the same commands
    ["show", "{path}", "--all"],
    ["show", "{path}", "--measure", "host_saving"],
    ["show", "{path}", "--measure", "provider_margin", "--all"],
)


def run_command(argv: list[str], columns: int = 100) -> str:
    """One command's text output (stdout and stderr) at a terminal ``columns`` wide."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", str(columns))
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main(argv)
    assert code == 0, out.getvalue()
    return out.getvalue()


@pytest.fixture(scope="module")
def outputs(ran) -> dict[str, str]:
    folder, path = ran
    shutil.rmtree(folder / "lite", ignore_errors=True)
    lines = [*COMMAND_LINES.values(), *MORE_LINES]
    texts = {}
    for argv in lines:
        filled = [part.format(folder=folder, path=path) for part in argv]
        text = run_command(filled)
        texts[" ".join(argv)] = text.replace(str(folder), "FOLDER")  # a temporary folder's own name
    set_inputs(folder / "copy.xlsx", local_fee=5_100, draws=3_000, fee_uplift="index")  # out of date now
    texts["check (changed inputs)"] = run_command(["check", str(folder / "copy.xlsx")])
    return texts


def test_every_command_is_scanned():
    assert set(COMMAND_LINES) == set(COMMANDS)


def test_check_names_the_changed_inputs_by_their_labels(outputs):
    changed = "(changed: Local fee, Fees: rule (Term sheet), Number of simulated years (Risk sheet))"
    assert changed in outputs["check (changed inputs)"]


def test_no_code_names_or_developer_words_in_any_command_output(outputs):
    found = {argv: problems for argv, text in outputs.items() if (problems := problems_in(text))}
    assert found == {}
