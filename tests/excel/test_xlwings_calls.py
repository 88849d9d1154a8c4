"""How many calls the Run button makes to Excel, and that batching them changed no value.

On the desktop every xlwings call (a value written, a font property set, a sheet looked up,
a name read) is a round trip to Excel, so the number of calls is what makes a run slow there.
The run happens on xlwings' remote interpreter (a real Book without Excel) wrapped in a
``Counting`` proxy that counts every attribute read or written and every method called on
any xlwings object reached from the book, as a desktop run would make them; the actions it
records are what Excel would be told to write.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from excel_addin.excel import macros
from excel_addin.excel.xlwings_apply import rectangles
from excel_addin.files.template import build_template
from tests.excel.test_macros import command_line_run
from tests.support.addin import Counter, Counting, actions, remote_book, replay, values_of

WHEN = datetime(2026, 11, 26, 9, 30)
# Counted as below, one run at 21 × 21 made 2,960 writes and 10,735 calls written block by block
# (each block's values, number format and every font property apart; every workbook name read again
# for each sheet cleared); batched, 1,609 writes and 4,530 calls. The bounds leave room for a few items more.
MAX_WRITES = 1_800
MAX_CALLS = 5_000


@pytest.fixture(scope="module")
def counted_run():
    book, counter = remote_book(build_template()), Counter()
    outcome = macros.run_model(Counting(book, counter), WHEN)
    return outcome, actions(book), counter.calls


def test_one_run_at_21_by_21_stays_under_its_number_of_calls(counted_run):
    outcome, acts, calls = counted_run
    assert outcome.ok and "21 × 21" in outcome.message
    print(f"\n{len(acts):,} writes, {calls:,} calls for one run at 21 × 21")
    assert len(acts) <= MAX_WRITES
    assert len(acts) <= calls <= MAX_CALLS  # every write is a call; reads are calls too


def test_batched_writes_give_every_value_the_command_line_writes(counted_run):
    _, acts, _ = counted_run
    expected = build_template()
    command_line_run(expected)
    got, want = values_of(replay(build_template(), acts)), values_of(expected)
    assert {key for key in got.keys() | want.keys() if got.get(key) != want.get(key)} == set()


def test_rectangles_join_rows_and_columns_of_one_setting():
    # a 2 × 3 block of "a", a lone "b" right of it, and "a" again below with a gap
    cells = {(r, c): "a" for r in (1, 2) for c in (1, 2, 3)} | {(1, 4): "b", (3, 1): "a", (3, 3): "a"}
    assert sorted(rectangles(cells)) == [
        ((1, 1, 2, 3), "a"),
        ((1, 4, 1, 4), "b"),
        ((3, 1, 3, 1), "a"),
        ((3, 3, 3, 3), "a"),
    ]
    # a gap that may be spanned (emptied, never written) joins a row's run
    assert sorted(rectangles({(3, 1): "a", (3, 3): "a"}, spare=lambda cell: cell == (3, 2))) == [
        ((3, 1, 3, 3), "a")
    ]
