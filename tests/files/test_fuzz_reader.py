"""Fuzzing the workbook reader: any content in any input cell gives a result or a refusal naming it.

Every input cell (tables cell by cell, on every sheet) may hold what Excel can store:
numbers from 5e-324 to 1e308, text (numbers typed as text, formula-looking text, 5,000
characters), TRUE/FALSE, dates and times, errors such as #N/A, nothing, and formulas with
or without the result Excel saved. The reader must give validated inputs whose numbers are
exactly what the cells said, or an ``InvalidInputsError`` naming each refused cell; never
another exception; and the file never changes.

Two paths: the fast one changes cells of one workbook held in memory (as openpyxl's reader
would have loaded them) and reads it, hundreds of times; the slow one writes a file per
example and runs `partnership run -o` and `partnership check` on it. Run with ``-s`` to
see how many cases each tried (PARTNERSHIP_FUZZ_FAST / PARTNERSHIP_FUZZ_DISK set how many).
"""

from __future__ import annotations

import io
import json
import os
import re
from collections import Counter

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from excel_addin.cli import main
from excel_addin.files.openpyxl_io import callbacks
from excel_addin.files.operations import check_workbook, new_workbook
from excel_addin.files.template import build_template
from excel_addin.workbook import sheets
from excel_addin.workbook.errors import InvalidInputsError
from excel_addin.workbook.run import read_inputs
from tests.support.reliability import (
    Content,
    Slot,
    contents,
    input_cells,
    put_in_memory,
    put_on_disk,
    remember,
    restore,
    sha256,
    slots,
)

FAST_EXAMPLES = int(os.environ.get("PARTNERSHIP_FUZZ_FAST", "500"))
DISK_EXAMPLES = int(os.environ.get("PARTNERSHIP_FUZZ_DISK", "20"))
SLOTS = slots()
TRIED: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    print(
        f"\nfuzz: {TRIED['fast']} workbooks read in memory ({TRIED['fast valid']} valid, "
        f"{TRIED['fast refused']} refused, {TRIED['fast cells']} cell contents); "
        f"{TRIED['disk']} files through `partnership run -o` and `check` ({TRIED['disk valid']} valid, "
        f"{TRIED['disk refused']} refused, {TRIED['disk cells']} cell contents); {len(SLOTS)} input cells"
    )


def changes(disk: bool = False) -> st.SearchStrategy[tuple[tuple[Slot, Content], ...]]:
    """One to four input cells, each with a content of any kind."""
    chosen = st.lists(st.sampled_from(SLOTS), min_size=1, max_size=4, unique=True)
    return chosen.flatmap(
        lambda picked: st.tuples(*(contents(s.default, disk).map(lambda c, s=s: (s, c)) for s in picked))
    )


def _plain_number(slot: Slot) -> bool:
    """An input read as one number by its spec (not a table, no parser of its own)."""
    return not slot.input.is_table and slot.input.name not in sheets.input_parsers()


def must_refuse(slot: Slot, content: Content) -> bool:
    """Whether this content can never be a valid value of this input."""
    if content.kind in ("error", "formula_unsaved", "formula_error"):
        return True  # no input takes an error or a result that is not there
    if not _plain_number(slot):
        return False  # tables and text inputs judge their own cells
    if content.kind == "text" or (content.kind.startswith("formula") and content.cached_type == "s"):
        text = content.value if content.kind == "text" else content.cached
        return not re.search(r"\d", text)  # a number needs a digit; text with digits may be one
    return content.never_a_number


def judge(change: tuple[tuple[Slot, Content], ...], problems: list[dict] | None, values: dict | None) -> None:
    """The oracle: refusals name every cell that must be refused; a valid read holds exact numbers."""
    if problems is not None:
        assert problems, "refused without a problem"
        for problem in problems:
            assert problem["cell"] and problem["message"], problem
        named = {problem["name"] for problem in problems}
        for slot, content in change:
            if must_refuse(slot, content):
                assert slot.input.name in named, (slot.input.address, content, problems)
        return
    seen = Counter(slot.input.name for slot, _ in change)
    for slot, content in change:
        assert not must_refuse(slot, content), (slot.input.address, content)
        if _plain_number(slot) and content.expected is not None and seen[slot.input.name] == 1:
            value = values[slot.input.name]
            assert value == content.expected, (slot.input.address, content, value)
            if slot.input.spec.integer:
                assert isinstance(value, int)


@pytest.fixture(scope="module")
def loaded() -> tuple[openpyxl.Workbook, openpyxl.Workbook]:
    """A fresh template as openpyxl loads it from a file, and its values-only twin."""
    buffer = io.BytesIO()
    build_template().save(buffer)
    data = buffer.getvalue()
    return openpyxl.load_workbook(io.BytesIO(data)), openpyxl.load_workbook(io.BytesIO(data), data_only=True)


@pytest.mark.slow
@settings(
    max_examples=FAST_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(change=changes())
def test_reader_in_memory_gives_exact_inputs_or_names_the_cells(loaded, change):
    wb, saved = loaded
    kept = [remember(wb, saved, slot) for slot, _ in change]
    try:
        for slot, content in change:
            put_in_memory(wb, saved, slot, content)
        try:
            inputs = read_inputs(*callbacks(wb, saved=saved))
        except InvalidInputsError as error:
            problems = [{"name": p.name, "cell": p.where, "message": p.message} for p in error.located]
            judge(change, problems, None)
            TRIED["fast refused"] += 1
        else:
            judge(change, None, inputs.values)
            TRIED["fast valid"] += 1
    finally:
        for (slot, _), before in reversed(list(zip(change, kept, strict=True))):
            restore(wb, saved, slot, before)
    TRIED["fast"] += 1
    TRIED["fast cells"] += len(change)


@pytest.mark.slow
@settings(
    max_examples=DISK_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(change=changes(disk=True))
def test_command_line_gives_results_or_names_the_cells_and_never_changes_the_file(
    tmp_path_factory, capsys, change
):
    folder = tmp_path_factory.mktemp("fuzz")
    path = new_workbook(folder / "fuzz.xlsx")
    put_on_disk(path, list(change))
    before, cells = sha256(path), input_cells(path)
    out = folder / "out.xlsx"
    capsys.readouterr()
    code = main(["run", str(path), "-o", str(out), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code in (0, 2), data
    assert sha256(path) == before
    assert main(["check", str(path), "--json"]) == code
    capsys.readouterr()
    assert sha256(path) == before
    if code == 0:
        assert input_cells(out) == cells  # every input cell carried over as it was, formulas included
        judge(change, None, check_workbook(out).inputs.values)
        TRIED["disk valid"] += 1
    else:
        assert data["error"] == "invalid_inputs", data
        assert not out.exists()
        judge(change, data["problems"], None)
        TRIED["disk refused"] += 1
    TRIED["disk"] += 1
    TRIED["disk cells"] += len(change)
