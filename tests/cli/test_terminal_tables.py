"""Terminal tables fit the terminal: `partnership show` chooses columns, says which it left out.

The width is COLUMNS when set (80 when the output is not a terminal and COLUMNS is not set).
A table wider than the terminal makes rich squeeze every cell to "…"; these tests read the
printed lines: none is wider than the terminal and no cell is only "…".
"""

from __future__ import annotations

import re

import pytest

from excel_addin.cli import main
from excel_addin.cli.formatting import pages_to_fit, spaced_to_fit, table_width, terminal_width
from tests.support.workbook import make_workbook

ELLIPSIS_CELL = re.compile(r"[│┃]\s*…\s*(?=[│┃])")


def show(capsys, monkeypatch, columns: int | None, *args: str) -> list[str]:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["show", *args]) == 0
    return capsys.readouterr().out.splitlines()


def local_use_headers(lines: list[str]) -> list[str]:
    """The local-use headings of every table printed ("0%", "20%", …), in order."""
    return [h for line in lines if line.startswith("┃ occ.") for h in re.findall(r"\d+%", line)]


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    return make_workbook(tmp_path_factory.mktemp("tables"))  # 21 × 21: local use 0 %, 5 %, … 100 %


@pytest.mark.parametrize(
    ("columns", "shown", "example"),
    # Each column of "-£575k" takes 6 + 3 characters; the occupancy column 4 + 3, and 1 border:
    # 80 fits (80 − 8) // 9 = 8 columns, but the evenly spaced choice is every 20 %: 6;
    # 120 fits 12, every 10 %: 11.
    [(80, 6, "0.05,0.1"), (120, 11, "0.05,0.15")],
)
def test_show_fits_the_width_and_says_what_it_left_out(capsys, monkeypatch, path, columns, shown, example):
    lines = show(capsys, monkeypatch, columns, str(path))
    assert max(len(line) for line in lines if line.startswith(("┃", "│"))) <= columns
    assert not any(ELLIPSIS_CELL.search(line) for line in lines)
    headers = local_use_headers(lines)
    assert len(headers) == shown and headers[0] == "0%" and headers[-1] == "100%"
    missing = 21 - shown
    assert lines[-1].startswith(f"{shown} of 21 local-use columns shown; left out {missing} (5%, ")
    assert lines[-1].endswith(f"To see them: --all (in parts that fit) or --columns {example}.")


@pytest.mark.parametrize(("columns", "parts"), [(80, 3), (120, 2)])
def test_show_all_prints_every_column_in_parts_that_fit(capsys, monkeypatch, path, columns, parts):
    lines = show(capsys, monkeypatch, columns, str(path), "--all")
    assert max(len(line) for line in lines if line.startswith(("┃", "│"))) <= columns
    assert not any(ELLIPSIS_CELL.search(line) for line in lines)
    assert local_use_headers(lines) == [f"{5 * j}%" for j in range(21)]  # every column, once, in order
    assert sum(f"(part {k} of {parts})" in line for line in lines for k in range(1, parts + 1)) == parts
    assert lines[-1] == (
        f"All 21 local-use columns, in {parts} parts that each fit {columns} characters "
        "(a wider terminal, or COLUMNS=200, shows more at once)."
    )


def test_show_wide_enough_leaves_nothing_out(capsys, monkeypatch, path):
    lines = show(capsys, monkeypatch, 220, str(path))
    assert len(local_use_headers(lines)) == 21
    assert "left out" not in lines[-1] and "parts" not in lines[-1]


def test_show_columns_picks_the_named_local_uses(capsys, monkeypatch, path):
    lines = show(capsys, monkeypatch, 80, str(path), "--columns", "0.5,55%,0.6", "-m", "host_saving")
    assert local_use_headers(lines) == ["50%", "55%", "60%"]
    assert lines[-1].startswith("3 of 21 local-use columns shown; left out 18 (0%, 5%, 10%, 15%, …)")


def test_show_columns_refuses_a_local_use_not_on_the_grid(capsys, monkeypatch, path):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["show", str(path), "--columns", "0.52,x"]) == 2
    assert capsys.readouterr().err.strip() == (
        "--columns: 0.52 is not a local use of the grid; 'x' is not a share such as 0.5 or 50% "
        "(the grid's local uses run 0% to 100% in steps of 5%)"
    )


def test_the_width_is_80_when_not_a_terminal_and_columns_is_not_set(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert terminal_width() == 80  # pytest captures the output: not a terminal
    monkeypatch.setenv("COLUMNS", "133")
    assert terminal_width() == 133


def test_fitting_arithmetic():
    # A rich table: each column its text, a space either side and a border, plus the last border.
    assert table_width([4, 6, 6]) == 4 + 6 + 6 + 3 * 3 + 1
    widths = [6] * 21
    assert spaced_to_fit(4, widths, 80) == [0, 4, 8, 12, 16, 20]
    assert spaced_to_fit(4, widths, 10) == [0, 20]  # never fewer than the first and last
    pages = pages_to_fit(4, widths, 80)
    assert [len(p) for p in pages] == [8, 8, 5] and [j for page in pages for j in page] == list(range(21))
