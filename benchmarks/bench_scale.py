"""The agreement zone at scale (`partnership sweep`): in-process against 1 and 2 dask workers.

One sweep (host contribution × deficit support, the template's rules, 20,000 draws) is run
in this process and on a LocalCluster of 1 and of 2 single-threaded worker processes, the
same chunks each time. The three are run side by side, round after round (in-process, 1
worker, 2 workers, then again), at least 5 rounds, so a shared machine's changing load falls
on all three alike; the table gives the median and the range of each, and the load average
(1 / 5 / 15 min) before, after and its highest 1-minute value between rounds: on a busy
machine the ratios, not the times, are what to read. Both clusters are started before the
first round (start-up is timed and reported apart), and each is run once untimed first (a
fresh worker imports the engine and draws the years on its first chunk): both are paid once
per run of the command, not per chunk. Tasks per chunk: the tasks the scheduler received for
one run divided by its chunks. Peak memory: each worker's largest resident set (ru_maxrss),
and tracemalloc's peak for one chunk in this process.

Sizes: ``SCALE_CELLS`` evaluations (default 5e7, about ten seconds a round on 2 quiet cores),
``SCALE_REPEAT`` rounds (default 5). ``SCALE_HUGE=1`` adds one sweep of ``SCALE_HUGE_CELLS``
(default 1e10) evaluations on 2 workers, with its time and the resident memory of every
worker process sampled each second over the run; ``python -m benchmarks.bench_scale --huge``
runs only that.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import psutil
from distributed.diagnostics.plugin import SchedulerPlugin

from engine import Parameters, Uncertainty, evaluate_chunk, plan_sweep, run_in_process
from engine.negotiation import scale
from excel_addin.cli.cluster import Scheduler, map_chunks, open_client

from .timing import fmt_seconds, peak_memory

TITLE = "The agreement zone at scale: in-process and on dask workers"

RULES = (
    ("provider", "probability_of_loss", "provider_surplus", "<=", 0.30),
    ("provider", "mean", "provider_margin", ">=", 0.02),
    ("host", "mean", "host_saving", ">=", 0.0),
    ("host", "p90", "host_cost_per_local_week", "<=", 7_000.0),
)
DRAWS = 20_000
SAMPLE_SECONDS = 1.0  # how often the huge run's worker memory is sampled


def plan_for(cells: float, chunk_work: int | None = None):
    """A square sweep of about ``cells`` evaluations over DRAWS draws."""
    side = max(2, round((cells / DRAWS) ** 0.5))
    terms = [("host_contribution", 100_000, 300_000, side), ("deficit_support", 0, 1, side)]
    work = scale.CHUNK_WORK if chunk_work is None else chunk_work
    return plan_sweep(Parameters(), RULES, terms, Uncertainty(correlation=0.3), DRAWS, 7, chunk_work=work)


def load() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def spread(times: list[float]) -> str:
    return f"{fmt_seconds(statistics.median(times))} ({fmt_seconds(min(times))}–{fmt_seconds(max(times))})"


def paired(top: list[float], bottom: list[float]) -> str:
    """The ratio within each round (the three ran one after the other, under about the same load):
    median and range, steadier than the ratio of medians on a shared machine."""
    ratios = [a / b for a, b in zip(top, bottom, strict=True)]
    return f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})"


def worker_peak_mib(client) -> float:
    """The largest resident set of any worker process so far, in MiB (Linux reports KiB)."""
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return max(peaks.values()) / 1024


class TaskCounter(SchedulerPlugin):
    """Counts the tasks the scheduler sends to a worker to run (each transition to processing)."""

    name = "task-counter"

    def __init__(self) -> None:
        self.run = 0

    def transition(self, key, start, finish, *args, **kwargs) -> None:
        if finish == "processing":
            self.run += 1


def _count(dask_scheduler=None) -> int:
    return dask_scheduler.plugins[TaskCounter.name].run


def tasks_per_chunk(client, plan) -> float:
    """Tasks the scheduler ran for one run of ``plan``, per chunk (this run is also the untimed first)."""
    client.register_plugin(TaskCounter())
    map_chunks(client, plan)
    return client.run_on_scheduler(_count) / plan.chunks


def run() -> str:
    cells = float(os.environ.get("SCALE_CELLS", 5e7))
    repeat = max(1, int(os.environ.get("SCALE_REPEAT", 5)))
    plan = plan_for(cells, chunk_work=max(DRAWS, int(cells // 16)) if cells < 1e9 else None)
    before = load()
    chunk_peak = peak_memory(lambda: evaluate_chunk(plan, 0))
    times: dict[Any, list[float]] = {"none": [], 1: [], 2: []}
    loads: list[float] = []
    started, peaks, per_chunk, clients = {}, {}, {}, {}
    with ExitStack() as stack:
        for workers in (1, 2):
            start = time.perf_counter()
            clients[workers] = stack.enter_context(
                open_client(Scheduler("local", workers), plan.memory_bytes)
            )
            started[workers] = time.perf_counter() - start
            per_chunk[workers] = tasks_per_chunk(clients[workers], plan)
        run_in_process(plan)  # the untimed first run here too
        runners: dict[Any, Callable[[], Any]] = {"none": lambda: run_in_process(plan)}
        for workers in (1, 2):
            runners[workers] = lambda client=clients[workers]: map_chunks(client, plan)
        for _ in range(repeat):
            for key, fn in runners.items():
                start = time.perf_counter()
                fn()
                times[key].append(time.perf_counter() - start)
            loads.append(os.getloadavg()[0])
        peaks = {workers: worker_peak_mib(clients[workers]) for workers in (1, 2)}
    after = load()
    medians = {key: statistics.median(values) for key, values in times.items()}
    lines = [
        f"Sweep: {plan.combinations:,} term combinations × {plan.draws:,} draws = {plan.cells:,} evaluations "
        f"in {plan.chunks} chunks of {plan.settings_per_chunk:,} combinations; memory bound "
        f"{plan.memory_bytes / 2**30:g} GiB a worker ({plan.chunk_cells:,} cells a compute call). "
        f"{repeat} rounds side by side; load average (1 / 5 / 15 min) {before} before, {after} after; "
        f"1-minute load after each round {min(loads):.1f}–{max(loads):.1f} ({os.cpu_count()} cores).",
        "",
        "| Where | Median (min–max) | Evaluations a second | Cluster start | Tasks per chunk "
        "| Worker peak memory |",
        "|---|---|---|---|---|---|",
        f"| in this process (`--scheduler none`) | {spread(times['none'])} "
        f"| {plan.cells / medians['none']:,.3g} | – | – | – |",
    ]
    for workers in (1, 2):
        lines.append(
            f"| LocalCluster, {workers} worker{'s' if workers > 1 else ''} | {spread(times[workers])} "
            f"| {plan.cells / medians[workers]:,.3g} | {fmt_seconds(started[workers])} "
            f"| {per_chunk[workers]:.2f} | {peaks[workers]:,.0f} MiB |"
        )
    lines += [
        "",
        f"- 1 worker against in-process: {medians[1] / medians['none']:.2f} × the time (target ≤ 1.3); "
        f"round by round {paired(times[1], times['none'])}.",
        f"- 2 workers against 1: {medians[1] / medians[2]:.2f} × faster (target ≥ 1.5); "
        f"round by round {paired(times[1], times[2])}.",
        f"- One chunk in this process: tracemalloc peak {chunk_peak:,.0f} MiB.",
    ]
    if os.environ.get("SCALE_HUGE") == "1":
        lines.append(huge())
    return "\n".join(lines)


class MemorySampler:
    """The resident memory of every worker process, sampled every SAMPLE_SECONDS in a thread."""

    def __init__(self, pids: list[int]) -> None:
        self.processes = [psutil.Process(pid) for pid in pids]
        self.samples: list[tuple[float, float]] = []  # (seconds since start, total MiB)
        self.peak_each = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        start = time.perf_counter()
        while not self.stop.is_set():
            sizes = [process.memory_info().rss / 2**20 for process in self.processes]
            self.samples.append((time.perf_counter() - start, sum(sizes)))
            self.peak_each = max(self.peak_each, *sizes)
            self.stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> MemorySampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def profile(self) -> str:
        """Total worker memory at each tenth of the run, to show it flat (or not)."""
        totals = [total for _, total in self.samples]
        tenths = [totals[min(len(totals) - 1, round(i * (len(totals) - 1) / 10))] for i in range(11)]
        return " → ".join(f"{value:,.0f}" for value in tenths)


def huge() -> str:
    """One sweep of SCALE_HUGE_CELLS (1e10) evaluations on 2 workers: time and sampled worker memory."""
    cells = float(os.environ.get("SCALE_HUGE_CELLS", 1e10))
    plan = plan_for(cells)
    before = load()
    loads = []
    with open_client(Scheduler("local", 2), plan.memory_bytes) as client:
        pids = list(client.run(os.getpid).values())
        with MemorySampler(pids) as sampler:
            start = time.perf_counter()
            map_chunks(client, plan, lambda done: loads.append(os.getloadavg()[0]))
            seconds = time.perf_counter() - start
        peak = worker_peak_mib(client)
    totals = [total for _, total in sampler.samples]
    return (
        f"- Huge run: {plan.cells:,} evaluations ({plan.combinations:,} combinations × {plan.draws:,} draws, "
        f"{plan.chunks} chunks) on 2 workers in {fmt_seconds(seconds)} "
        f"({plan.cells / seconds:,.3g} evaluations a second); load average {before} before, {load()} after, "
        f"1-minute load during {min(loads):.1f}–{max(loads):.1f}. Worker memory sampled every "
        f"{SAMPLE_SECONDS:g} s ({len(totals)} samples): both workers together {min(totals):,.0f}–"
        f"{max(totals):,.0f} MiB, at each tenth of the run {sampler.profile()} MiB; one worker's largest "
        f"{sampler.peak_each:,.0f} MiB sampled, {peak:,.0f} MiB by ru_maxrss."
    )


if __name__ == "__main__":
    print(huge() if "--huge" in sys.argv[1:] else run())
