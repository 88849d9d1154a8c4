"""Reliability benchmark: what a hostile file costs before it is refused, and fuzz counts.

Each file is given to `partnership check` in a fresh process; the wall time and the
process's peak resident memory (``wait4``'s ru_maxrss) are measured, next to the same
command on a valid workbook (the cost of starting Python, numpy, pandas and openpyxl).
The worst files the limits let through (cells and text just under the limits) show the
bound for anything that is opened at all. The fuzz suite is run as in CI and its counts
of cases tried are reported.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from excel_addin.files import safety as file_safety
from excel_addin.files.openpyxl_io import open_workbook
from excel_addin.files.operations import new_workbook, run_workbook
from excel_addin.workbook.errors import WorkbookError
from tests.support import hostile_files  # every hostile file is generated, none committed
from tests.support.workbook import set_inputs

from .timing import best_time, fmt_seconds, peak_memory

TITLE = "Reliability: hostile files refused (time, peak memory) and fuzz cases tried"
ROOT = Path(__file__).resolve().parents[1]
FUZZ = "tests/files/test_fuzz_reader.py"


def _measure(path: Path) -> tuple[float, float, int, str]:
    """Wall time, peak RSS (MiB), exit code and first line of `partnership check` in a new process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "excel_addin.cli", "check", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    output = process.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    first = next((line for line in output.splitlines() if line.strip()), "")
    return seconds, usage.ru_maxrss / 1024, process.returncode, first


def _in_process(path: Path) -> tuple[float, float] | None:
    """Best time and tracemalloc peak (MiB) of refusing the file in this process; None if it opens."""

    def refuse() -> None:
        try:
            open_workbook(path)
        except WorkbookError:
            return
        raise LookupError("opened")

    try:
        return best_time(refuse, repeat=3), peak_memory(refuse)
    except LookupError:
        return None


def _cells_near_the_limit(count: int) -> bytes:
    """A workbook of ``count`` numeric cells with random addresses and values (packs about 3 to 1)."""
    rng = random.Random(1)
    rows = []
    per_row = 1000
    for r in range(1, count // per_row + 1):
        cells = "".join(
            f'<c r="{_column(c)}{r}"><v>{rng.random():.6f}</v></c>' for c in range(1, per_row + 1)
        )
        rows.append(f'<row r="{r}">{cells}</row>')
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(rows)
        + "</sheetData></worksheet>"
    )
    return hostile_files.with_part(hostile_files.GUIDE_PART, sheet.encode())


def _text_near_the_limit(megabytes: int) -> bytes:
    """A workbook whose shared strings are ``megabytes`` MB of distinct random words."""
    rng = random.Random(2)
    words = []
    size = 0
    while size < megabytes * 2**20:
        word = "".join(rng.choice("acgt") for _ in range(24))  # packs about 3.5 to 1: fits 64 MB
        words.append(f"<si><t>{word}</t></si>")
        size += len(words[-1])
    xml = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(words)}" uniqueCount="{len(words)}">' + "".join(words) + "</sst>"
    )
    contents = hostile_files.parts()
    contents["xl/sharedStrings.xml"] = xml.encode()
    types = contents["[Content_Types].xml"].decode()
    override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    contents["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    rels = contents["xl/_rels/workbook.xml.rels"].decode()
    relation = (
        '<Relationship Id="rIdStrings" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    )
    contents["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", relation + "</Relationships>"
    ).encode()
    return hostile_files.rezip(contents)


def _column(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cases(folder: Path) -> list[tuple[str, Callable[[], bytes] | Path]]:
    valid = new_workbook(folder / "valid.xlsx")
    finest = new_workbook(folder / "finest.xlsx")
    set_inputs(finest, occupancy_step=0.01, local_use_step=0.01)
    run_workbook(finest)
    limits = file_safety.LIMITS
    return [
        ("valid template (baseline: start-up)", valid),
        ("valid, results on the 101 × 101 grid", finest),
        ("zip bomb: 1 GiB part in 1 MB", hostile_files.zip_bomb),
        ("20 parts of 8 MiB at 50:1 (160 MiB)", lambda: hostile_files.many_small_bombs(20)),
        ("lying sizes: 1 GiB declared as 20 kB", hostile_files.lying_zip_bomb),
        ("20,000 parts", hostile_files.many_parts),
        ("billion laughs (DTD)", hostile_files.billion_laughs),
        ("external entity (DTD)", hostile_files.external_entity),
        ("billion laughs in UTF-16", hostile_files.utf16_laughs),
        ("merged range over a whole sheet", hostile_files.merge_bomb),
        ("hyperlink over a whole sheet", hostile_files.hyperlink_bomb),
        ("password-protected (OLE container)", hostile_files.encrypted_workbook),
        ("old .xls (OLE container)", hostile_files.old_xls),
        ("text file named .xlsx", lambda: hostile_files.NOT_WORKBOOKS["csv"][0]),
        (
            f"{limits.cells * 19 // 20:,} cells (95 % of the cell limit)",
            lambda: _cells_near_the_limit(limits.cells * 19 // 20),
        ),
        ("120 MB of distinct text (under the 128 MiB limit)", lambda: _text_near_the_limit(120)),
    ]


def _fuzz_counts() -> str:
    """Run the fuzz suite as CI does and report its own count line."""
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "tests/files/test_fuzz_reader.py",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - start
    found = re.search(r"^fuzz: .*$", result.stdout, re.M)
    passed = re.search(r"\d+ passed", result.stdout)
    line = found.group(0) if found else "(no count line: see the test output)"
    return f"{line}. {passed.group(0) if passed else 'NOT PASSED'} in {fmt_seconds(seconds)}."


def run() -> str:
    folder = Path(tempfile.mkdtemp(prefix="bench-reliability-"))
    lines = [
        "| file | size | exit | `check` time | `check` peak RSS | refusal alone: time, peak | message |",
        "|---|---|---|---|---|---|---|",
    ]
    for index, (label, source) in enumerate(_cases(folder)):
        if isinstance(source, Path):
            path = source
        else:
            path = folder / f"case{index}.xlsx"
            path.write_bytes(source())
        seconds, peak, code, first = _measure(path)
        message = first if len(first) <= 90 else first[:87] + "…"
        alone = _in_process(path) if code != 0 else None
        refusal = f"{fmt_seconds(alone[0])}, {alone[1]:,.1f} MiB" if alone else "–"
        lines.append(
            f"| {label} | {path.stat().st_size / 1e6:.2f} MB | {code} | {fmt_seconds(seconds)} | "
            f"{peak:,.0f} MiB | {refusal} | {message.replace('|', '/')} |"
        )
    lines += [
        "",
        "`check` time and peak RSS are of the whole `partnership check` process (Python, numpy, pandas "
        "and openpyxl start-up included: compare with the first row; the machine is shared, so wall "
        "times are high). 'Refusal alone' is the median of 5 refusals in one process (`open_workbook`) "
        "and its tracemalloc peak: the cost of the checks themselves. Every hostile file exits with 2 "
        "and is unchanged. The last two rows pass the checks and are opened by openpyxl: they bound "
        "what any accepted file can cost.",
        "",
        f"Limits: {file_safety.LIMITS}.",
        "",
        "Fuzz suite: " + _fuzz_counts(),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
