"""Run every benchmark and write ``benchmarks/results.md`` with the machine described.

Each ``bench_*.py`` module beside this file has ``TITLE`` and ``run() -> str`` (a Markdown
section); a new capability adds a module and it is found by name. ``python -m benchmarks.run
bench_engine`` runs one.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).with_name("results.md")


def machine() -> str:
    """CPU, cores, memory and library versions: the context every number needs."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kb / 2**20:.0f} GiB"
    except (OSError, StopIteration):
        memory = "unknown"
    blas = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    return "\n".join(
        [
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory}",
            f"- OS: {platform.system()} {platform.release()}",
            f"- Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}",
            f"- OpenBLAS settings in the environment: {blas or 'none'}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or sorted(
        p.stem for p in Path(__file__).parent.glob("bench_*.py")
    )
    sections = [
        "# Benchmark results",
        "",
        "Written by `make bench`. Times are the best of several runs.",
        "",
        "## Machine",
        "",
        machine(),
        "",
    ]
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"running {name} …", file=sys.stderr, flush=True)
        sections += [f"## {module.TITLE}", "", module.run(), ""]
    RESULTS.write_text("\n".join(sections))
    print(f"wrote {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
