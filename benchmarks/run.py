"""Run the benchmarks and write ``benchmarks/results.md``: machine, load, medians, targets met or missed.

Commands::

    make bench                             # the quick suite (meant for ≤ 5 minutes): python -m benchmarks.run
    make bench-full                        # every benchmark, the long ones too: ... --full
    python -m benchmarks.run bench_engine  # one module; its section is replaced, the others kept

Adding a benchmark. A module ``benchmarks/bench_<name>.py`` has ``TITLE`` (the section title) and
``run()`` returning the section's Markdown; ``run(quick: bool)`` if it has a shorter form for
``make bench``. It is found by its file name, and registered with one line in ``SUITE`` below:
``"bench_<name>": QUICK`` runs it in ``make bench`` and ``make bench-full``, ``FULL`` only in
``make bench-full``. A module found but not registered runs in both (and is named on stderr).

Inside a module, use ``benchmarks.timing``: ``measure(fn)`` gives the median and min–max of at
least 5 runs; ``table(rows)`` writes rows of (case, timing, target, met, …); ``fmt_seconds``
writes a timing with its spread. Any Markdown table with ``target`` and ``met`` columns is
collected into the summary of targets at the top of ``results.md``, so every target appears
there as met or missed. A comparison belongs in the same module and the same run as what it is
compared with (the machine is shared and its speed changes from minute to minute).

Around every module the load average is read before and after (``os.getloadavg``) and written
under its section, with the module's wall time.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import platform
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).with_name("results.md")
QUICK, FULL = "quick", "full"
# One line per benchmark module: in the quick suite (`make bench`) or only in the full one.
SUITE: dict[str, str] = {
    "bench_commands": QUICK,
    "bench_engine": QUICK,
    "bench_risk": QUICK,
    "bench_contracts": QUICK,
    "bench_term": QUICK,
    "bench_region": QUICK,
    "bench_compare_sheet": FULL,
    "bench_risk_workbook": FULL,
    "bench_workbook": FULL,
    "bench_region_workbook": FULL,
    "bench_addin": FULL,
    "bench_reliability": FULL,
    "bench_scale": FULL,
}
HEADER = (
    "# Benchmark results\n\n"
    "Written by `make bench` (the quick suite) or `make bench-full` (every benchmark). Every time is "
    "the median of at least 5 runs after a warm-up, with the fastest and slowest run in brackets; "
    "the load average before and after each section shows how busy the machine was.\n"
)
_SECTION = re.compile(r"<!-- (bench_\w+) -->\n(.*?)(?=\n<!-- bench_|\Z)", re.S)


def machine() -> str:
    """CPU, cores, memory and library versions: the context every number needs."""
    cpu = platform.processor() or platform.machine()
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    blas = {k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS") if k in os.environ}
    return "\n".join(
        [
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory}",
            f"- OS: {platform.system()} {platform.release()}",
            f"- Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}",
            f"- Thread settings in the environment: {blas or 'none'}",
        ]
    )


def load() -> str:
    """The 1-, 5- and 15-minute load averages (2.0 on a 2-core machine is fully busy)."""
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def available() -> list[str]:
    """Every benchmark module beside this file, by name."""
    return sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))


def previous_sections() -> dict[str, str]:
    """The sections of the last results file by module name, so a partial run keeps the rest."""
    if not RESULTS.exists():
        return {}
    return {name: body.rstrip() for name, body in _SECTION.findall(RESULTS.read_text())}


def run_module(name: str, quick: bool) -> str:
    """One module's section: its Markdown, then its wall time and the load around it."""
    module = importlib.import_module(f"benchmarks.{name}")
    before, start = load(), time.perf_counter()
    accepts_quick = "quick" in inspect.signature(module.run).parameters
    body = module.run(quick=quick) if accepts_quick else module.run()
    seconds = time.perf_counter() - start
    body = body.replace("| best time |", "| median (min–max) |")  # older modules' column name
    body = body.removeprefix(f"## {module.TITLE}\n").lstrip("\n")  # a module that writes its own title
    footer = (
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {seconds:.0f} s; load average "
        f"(1 / 5 / 15 min) {before} before, {load()} after."
    )
    return f"## {module.TITLE}\n\n{body.rstrip()}\n\n{footer}\n"


def targets(sections: dict[str, str]) -> str:
    """Every row of every table with a target, as one table: what was measured and whether it met it."""
    rows = []
    for name, text in sections.items():
        title = text.splitlines()[0].lstrip("# ").strip() if text else name
        header: list[str] | None = None
        for line in text.splitlines():
            if not line.startswith("|"):
                header = None
                continue
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if header is None:
                header = [cell.lower() for cell in cells]
                continue
            if set(cells) <= {"---", ""} or not {"target", "met"} <= set(header) or len(cells) != len(header):
                continue
            row = dict(zip(header, cells, strict=True))
            if row["target"]:
                measured = cells[1]
                rows.append(f"| {title} | {cells[0]} | {measured} | {row['target']} | {row['met']} |")
    if not rows:
        return "No benchmark run so far states a target."
    return "\n".join(["| section | case | measured | target | met |", "|---|---|---|---|---|", *rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks and write benchmarks/results.md.")
    parser.add_argument("modules", nargs="*", help="bench_* modules to run (default: the suite)")
    parser.add_argument("--full", action="store_true", help="every benchmark, the long ones too")
    args = parser.parse_args(argv)
    found = available()
    unknown = [name for name in args.modules if name not in found]
    if unknown:
        parser.error(f"no benchmark module {', '.join(unknown)}; there are {', '.join(found)}")
    for name in found:
        if name not in SUITE:
            print(f"{name} is not registered in benchmarks/run.py SUITE: run as quick", file=sys.stderr)
    chosen = args.modules or [name for name in found if args.full or SUITE.get(name, QUICK) == QUICK]
    sections = previous_sections()
    start, before = time.perf_counter(), load()
    for name in chosen:
        print(f"running {name} …", file=sys.stderr, flush=True)
        sections[name] = run_module(name, quick=not args.full)
    seconds = time.perf_counter() - start
    kind = "the full suite" if args.full else ("the quick suite" if not args.modules else ", ".join(chosen))
    summary = (
        f"Last run: {kind}, {len(chosen)} modules in {seconds / 60:.1f} minutes; load average "
        f"(1 / 5 / 15 min) {before} at the start, {load()} at the end. Sections not run this time "
        "keep their earlier results (their own load and date lines say when)."
    )
    ordered = {name: sections[name] for name in found if name in sections}
    body = [HEADER, "## Machine\n", machine(), "", summary, "", "## Targets\n", targets(ordered), ""]
    body += [f"<!-- {name} -->\n{text}" for name, text in ordered.items()]
    RESULTS.write_text("\n".join(body) + "\n")
    print(f"wrote {RESULTS} in {seconds:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
