"""Run the benchmarks and write ``benchmarks/results.md`` with the machine described.

Each ``bench_*.py`` module beside this file has ``TITLE`` and ``run() -> str`` (a Markdown
section); a new capability adds a module and it is found by name. ``python -m benchmarks.run
bench_engine`` runs one and replaces only its own section, keeping the others.
"""

from __future__ import annotations

import importlib
import os
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).with_name("results.md")
HEADER = "# Benchmark results\n\nWritten by `make bench`. Times are the best of several runs.\n"


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


def previous_sections() -> dict[str, str]:
    """The sections of the last results file by module name, so a partial run keeps the rest."""
    if not RESULTS.exists():
        return {}
    found = re.findall(r"<!-- (bench_\w+) -->\n(.*?)(?=\n<!-- bench_|\Z)", RESULTS.read_text(), re.S)
    return {name: body.rstrip() for name, body in found}


def main(argv: list[str] | None = None) -> int:
    available = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    chosen = (argv if argv is not None else sys.argv[1:]) or available
    sections = previous_sections()
    for name in chosen:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"running {name} …", file=sys.stderr, flush=True)
        sections[name] = f"## {module.TITLE}\n\n{module.run()}\n"
    body = [HEADER, "## Machine\n", machine(), ""]
    body += [f"<!-- {name} -->\n{sections[name]}" for name in available if name in sections]
    RESULTS.write_text("\n".join(body) + "\n")
    print(f"wrote {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
