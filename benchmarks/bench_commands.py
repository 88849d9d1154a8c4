"""Commands as a user waits for them: `partnership run` / `check` against LibreOffice, separate processes.

Each round starts, as separate processes from a shell would, LibreOffice headless opening,
recalculating and saving the default workbook (``soffice --convert-to xlsx``, a private
profile that recalculates every formula on load), then ``partnership run`` on a copy of the
same workbook, ``partnership run`` again on the file it wrote, and ``partnership check``;
the order is the same in every round, so the machine's load falls on all of them alike. The
figures are wall-clock times of the whole process (start-up of Python or LibreOffice
included), median and spread of ``ROUNDS`` rounds, with the load average when measured.
Targets: ``run`` at most 0.6 × LibreOffice's time and ``check`` at most 0.25 ×.

Run alone: ``python -m benchmarks.bench_commands [rounds]``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TITLE = "Commands as separate processes: `partnership run` and `check` against LibreOffice"
ROUNDS = 5
TARGETS = {"run": 0.6, "check": 0.25}  # at most this share of LibreOffice's open + recalculate + save
TIMEOUT = 300  # seconds for any one process


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of one command over the rounds."""

    name: str
    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def spread(self) -> str:
        return f"{min(self.seconds):.2f}–{max(self.seconds):.2f} s"


def partnership_command() -> list[str]:
    """The installed `partnership` program beside this Python, as a user types it (else ``-m``)."""
    script = Path(sys.executable).with_name("partnership")
    return [str(script)] if script.exists() else [sys.executable, "-m", "excel_addin.cli"]


def user_environment() -> dict[str, str]:
    """The environment a user's shell gives: Python may keep its compiled modules (no DONTWRITEBYTECODE)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], cwd: Path) -> float:
    """Seconds from starting ``command`` to its end; a failure stops the benchmark with its output."""
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=user_environment(), capture_output=True, text=True, timeout=TIMEOUT
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr or done.stdout}")
    return seconds


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_command(soffice: str, profile: Path, source: Path, outdir: Path) -> list[str]:
    """Open ``source``, recalculate every formula (the profile says so), save it as .xlsx in ``outdir``."""
    return [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(outdir),
        str(source),
    ]


def measure(rounds: int = ROUNDS) -> dict[str, Timing]:
    """Every command's wall-clock times, alternating LibreOffice, run, run again and check."""
    from tests.support.office import private_profile  # the tests' recalculate-on-load profile

    folder = Path(tempfile.mkdtemp(prefix="bench-commands-"))
    partnership = partnership_command()
    template = folder / "template.xlsx"
    timed([*partnership, "new", str(template)], folder)
    soffice = libreoffice()
    profile = private_profile(folder / "profile") if soffice else None
    steps: dict[str, Callable[[int], list[str]]] = {}
    if soffice and profile:
        steps["libreoffice"] = lambda k: libreoffice_command(soffice, profile, template, folder / f"lo-{k}")
    steps["run"] = lambda k: [*partnership, "run", str(_copy(template, folder / f"run-{k}.xlsx"))]
    steps["run again"] = lambda k: [*partnership, "run", str(folder / f"run-{k}.xlsx")]
    steps["check"] = lambda k: [*partnership, "check", str(folder / f"run-{k}.xlsx")]
    for step in steps.values():  # warm-up: LibreOffice's first start fills its profile, Python its caches
        timed(step(-1), folder)
    times: dict[str, list[float]] = {name: [] for name in steps}
    for k in range(rounds):
        for name, step in steps.items():
            command = step(k)  # copying the workbook is not timed
            times[name].append(timed(command, folder))
    shutil.rmtree(folder, ignore_errors=True)
    return {name: Timing(name, tuple(seconds)) for name, seconds in times.items()}


def _copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


def verdicts(timings: dict[str, Timing]) -> dict[str, tuple[float, bool]]:
    """Each targeted command's ratio to LibreOffice (medians) and whether it meets its target."""
    base = timings.get("libreoffice")
    if base is None:
        return {}
    out = {}
    for name, timing in timings.items():
        if name == "libreoffice":
            continue
        ratio = timing.median / base.median
        target = TARGETS.get(name)
        out[name] = (ratio, target is None or ratio <= target)
    return out


def report(timings: dict[str, Timing], load_before: float, load_after: float) -> str:
    """The Markdown section: medians, spreads, ratios and met / missed."""
    ratios = verdicts(timings)
    lines = [
        "| command (separate process) | median | min–max | × LibreOffice | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for name, timing in timings.items():
        ratio, met = ratios.get(name, (None, None))
        target = TARGETS.get(name)
        lines.append(
            f"| {_label(name)} | {timing.median:.2f} s | {timing.spread} | "
            f"{'' if ratio is None else f'{ratio:.2f}'} | {f'≤ {target:g} ×' if target else ''} | "
            f"{'' if target is None or met is None else ('met' if met else 'missed')} |"
        )
    rounds = len(next(iter(timings.values())).seconds)
    lines += [
        "",
        f"{rounds} rounds, alternating; load average (1 min) {load_before:.2f} before, "
        f"{load_after:.2f} after, on {os.cpu_count()} cores. 'run' is the first run of a fresh "
        "`partnership new` workbook, "
        "'run again' a run of the file it wrote (its result sheets are read and rewritten), 'check' "
        "reads that file. LibreOffice converts the fresh workbook .xlsx to .xlsx, recalculating every "
        "formula on load."
        + ("" if "libreoffice" in timings else " LibreOffice is not installed here: no ratios."),
    ]
    return "\n".join(lines)


def _label(name: str) -> str:
    return {
        "libreoffice": "LibreOffice: open, recalculate, save",
        "run": "`partnership run` (fresh workbook)",
        "run again": "`partnership run` (workbook already run)",
        "check": "`partnership check`",
    }[name]


def addin_run(repeat: int = 3) -> dict[str, float]:
    """The Run button at 21 × 21 on xlwings' remote interpreter: writes and calls counted, median seconds.

    Every xlwings call is a round trip to Excel on the desktop, so the count is what the
    desktop run costs beyond this Python time (Excel's own time is not included).
    """
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' remote interpreter
    from datetime import datetime

    from excel_addin.excel import macros
    from excel_addin.files.template import build_template
    from tests.support.addin import Counter, Counting, actions, remote_book

    seconds, writes, calls = [], 0, 0
    for _ in range(repeat):
        book, counter = remote_book(build_template()), Counter()
        start = time.perf_counter()
        macros.run_model(Counting(book, counter), datetime(2026, 11, 26, 9, 30))
        seconds.append(time.perf_counter() - start)
        writes, calls = len(actions(book)), counter.calls
    return {"writes": writes, "calls": calls, "seconds": statistics.median(seconds)}


def addin_report(figures: dict[str, float]) -> str:
    return (
        f"Run button (add-in, xlwings remote interpreter, 21 × 21): {figures['writes']:,.0f} writes and "
        f"{figures['calls']:,.0f} xlwings calls in all (reads included), "
        f"{figures['seconds']:.2f} s of Python "
        "(median of 3, in one process; Excel's time to carry out the calls is not included)."
    )


def results(rounds: int = ROUNDS) -> dict[str, object]:
    """The figures as data (for a harness): seconds per command, ratios, verdicts, load averages."""
    load_before = os.getloadavg()[0]
    timings = measure(rounds)
    load_after = os.getloadavg()[0]
    return {
        "timings": {name: list(t.seconds) for name, t in timings.items()},
        "medians": {name: t.median for name, t in timings.items()},
        "ratios": {name: ratio for name, (ratio, _) in verdicts(timings).items()},
        "met": {name: met for name, (_, met) in verdicts(timings).items() if name in TARGETS},
        "load": (load_before, load_after),
        "addin": (addin := addin_run()),
        "markdown": report(timings, load_before, load_after) + "\n\n" + addin_report(addin),
    }


def run(rounds: int = ROUNDS) -> str:
    """The Markdown section, as every benchmark module returns it."""
    return str(results(rounds)["markdown"])


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS))
