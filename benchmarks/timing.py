"""Timing and memory helpers shared by every benchmark: medians and spreads, never a best run.

The API a benchmark module uses (``benchmarks/run.py`` says how a module is found and run):

- ``measure(fn, runs=5)`` times ``runs`` calls after one warm-up and returns a ``Timing``:
  ``.median``, ``.low``, ``.high`` (the min–max spread) and ``.runs``, all in seconds. A
  ``Timing`` is also a float equal to its median, so ``seconds < 1.0`` compares the median.
- ``fmt_seconds(t)`` writes a ``Timing`` as "12.3 ms (11.9–13.0 ms)" and a plain float as "12.3 ms".
- ``table(rows)`` writes the standard Markdown table of cases: case, median (min–max), target,
  met (yes/NO), the process's median CPU time (on a busy machine the wall time waits for a
  core, the CPU time much less), and any extra columns. ``run.py`` collects every row that has a target from
  every section into the summary of targets at the top of ``results.md``.
- ``bandwidth_bound(nbytes)`` times a numpy copy of ``nbytes`` into new memory, the yardstick for
  code whose output is that many bytes (measure it in the same run as the code).
- ``peak_memory(fn)`` is the tracemalloc peak of one call in MiB.
- ``best_time`` is the old name of ``measure`` (it returns the same ``Timing``), kept so older
  modules keep working; it never takes fewer than ``MIN_RUNS`` runs.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

MIN_RUNS = 5


class Timing(float):
    """Wall times of several runs of one case; as a float, the median in seconds."""

    samples: tuple[float, ...]
    cpu: float  # median CPU time of this process per run (all its threads), seconds

    def __new__(cls, samples: Sequence[float], cpu: Sequence[float] = ()) -> Timing:
        ordered = tuple(sorted(samples))
        self = super().__new__(cls, statistics.median(ordered))
        self.samples = ordered
        self.cpu = statistics.median(cpu) if cpu else float("nan")
        return self

    @property
    def median(self) -> float:
        return float(self)

    @property
    def low(self) -> float:
        return self.samples[0]

    @property
    def high(self) -> float:
        return self.samples[-1]

    @property
    def runs(self) -> int:
        return len(self.samples)


def measure(fn: Callable[[], Any], runs: int = MIN_RUNS, number: int = 1, warmup: int = 1) -> Timing:
    """Wall time in seconds of ``number`` calls, over ``runs`` runs (at least ``MIN_RUNS``), after warm-up."""
    for _ in range(warmup):
        fn()
    samples, cpu = [], []
    for _ in range(max(runs, MIN_RUNS)):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(number):
            fn()
        cpu.append((time.process_time() - start_cpu) / number)
        samples.append((time.perf_counter() - start) / number)
    return Timing(samples, cpu)


def best_time(fn: Callable[[], Any], repeat: int = MIN_RUNS, number: int = 1) -> Timing:
    """The old name of ``measure``: the median and spread of at least ``MIN_RUNS`` runs."""
    return measure(fn, runs=repeat, number=number)


def bandwidth_bound(nbytes: int) -> Timing:
    """Copying ``nbytes`` into a new array: about the least time any code writing that much new
    memory can take on this machine now (the copy reads as much as it writes)."""
    source = np.ones(max(nbytes // 8, 1))
    return measure(lambda: source.copy())


def peak_memory(fn: Callable[[], Any]) -> float:
    """Peak Python + numpy memory allocated during one call, in MiB (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def _unit(seconds: float) -> tuple[float, str, str]:
    if seconds < 1e-3:
        return 1e6, "µs", ".0f"
    if seconds < 1:
        return 1e3, "ms", ".2f" if seconds < 0.1 else ".1f"
    return 1.0, "s", ".2f"


def fmt_seconds(seconds: float) -> str:
    """Seconds in the unit people read best: µs, ms or s; a ``Timing`` with its min–max spread."""
    scale, unit, spec = _unit(float(seconds))
    text = f"{float(seconds) * scale:{spec}} {unit}"
    if isinstance(seconds, Timing) and seconds.runs > 1:
        low_scale, low_unit, low_spec = _unit(seconds.high)
        low = f"{seconds.low * low_scale:{low_spec}}"
        high = f"{seconds.high * low_scale:{low_spec}}"
        text += f" ({low}–{high} {low_unit})"
    return text


def met(value: float, limit: float | None) -> str:
    """ "yes" when ``value`` is at most ``limit`` (a target), "NO" when not, "" without a target."""
    if limit is None:
        return ""
    return "yes" if value <= limit else "NO"


def table(rows: Iterable[Sequence[Any]], extra: Sequence[str] = ()) -> str:
    """The standard table: rows of (case, Timing, target text, met text, *extra columns)."""
    header = ["case", "median (min–max)", "target", "met", "CPU time", *extra]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for case, seconds, target, verdict, *rest in rows:
        cpu = getattr(seconds, "cpu", float("nan"))
        cpu_text = "" if cpu != cpu else fmt_seconds(cpu)
        cells = [str(case), fmt_seconds(seconds), str(target), str(verdict), cpu_text, *map(str, rest)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
