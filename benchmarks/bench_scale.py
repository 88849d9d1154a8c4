"""The agreement zone at scale (`partnership sweep`): in-process against 1 and 2 dask workers.

One sweep (host contribution × deficit support, the template's rules, 20,000 draws) is run
in this process and on a LocalCluster of 1 and of 2 single-threaded worker processes, the
same chunks each time; each configuration at least 5 times, reporting the median and the
range, with the load average before and after (the machine may be shared, and then the
ratios, not the times, are what to read). Cluster start-up is timed separately, and each
configuration is run once untimed first (a fresh worker imports the engine and draws the years
on its first chunk): both are paid once per run of the command, not per chunk. Peak memory is
each worker's largest resident set (ru_maxrss) after the runs, and tracemalloc's peak for one
chunk in this process.

Sizes: ``SCALE_CELLS`` evaluations (default 2e9; 2e7 for a quick check), ``SCALE_REPEAT``
runs (default 5). ``SCALE_HUGE=1`` adds one sweep of 1e10 evaluations on 2 workers, with
its time and the workers' peak memory (about 40 minutes on 2 cores).
"""

from __future__ import annotations

import os
import resource
import statistics
import time

from engine import Parameters, Uncertainty, evaluate_chunk, plan_sweep, run_in_process
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


def plan_for(cells: float, chunk_work: int | None = None):
    """A square sweep of about ``cells`` evaluations over DRAWS draws."""
    side = max(2, round((cells / DRAWS) ** 0.5))
    terms = [("host_contribution", 100_000, 300_000, side), ("deficit_support", 0, 1, side)]
    options = {} if chunk_work is None else {"chunk_work": chunk_work}
    return plan_sweep(Parameters(), RULES, terms, Uncertainty(correlation=0.3), DRAWS, 7, **options)


def load() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def timed(fn, repeat: int) -> list[float]:
    """Wall times of ``repeat`` calls after one warm-up (a fresh worker first imports the engine)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def spread(times: list[float]) -> str:
    return f"{fmt_seconds(statistics.median(times))} ({fmt_seconds(min(times))}–{fmt_seconds(max(times))})"


def worker_peak_mib(client) -> float:
    """The largest resident set of any worker process so far, in MiB (Linux reports KiB)."""
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return max(peaks.values()) / 1024


def run() -> str:
    cells = float(os.environ.get("SCALE_CELLS", 2e9))
    repeat = int(os.environ.get("SCALE_REPEAT", 5))
    small = cells < 1e9
    plan = plan_for(cells, chunk_work=max(DRAWS, int(cells // 16)) if small else None)
    before = load()
    rows = []
    in_process = timed(lambda: run_in_process(plan), repeat)
    rows.append(("in this process (`--scheduler none`)", in_process, "–", "–"))
    chunk_peak = peak_memory(lambda: evaluate_chunk(plan, 0))
    medians = {"none": statistics.median(in_process)}
    for workers in (1, 2):
        start = time.perf_counter()
        with open_client(Scheduler("local", workers), plan.memory_bytes) as client:
            started = time.perf_counter() - start
            runs = timed(lambda client=client: map_chunks(client, plan), repeat)
            peak = worker_peak_mib(client)
        medians[workers] = statistics.median(runs)
        rows.append(
            (
                f"LocalCluster, {workers} worker{'s' if workers > 1 else ''}",
                runs,
                fmt_seconds(started),
                f"{peak:,.0f} MiB",
            )
        )
    after = load()
    lines = [
        f"Sweep: {plan.combinations:,} term combinations × {plan.draws:,} draws = {plan.cells:,} evaluations "
        f"in {plan.chunks} chunks of {plan.settings_per_chunk:,} combinations; memory bound "
        f"{plan.memory_bytes / 2**30:g} GiB a worker ({plan.chunk_cells:,} cells a compute call). "
        f"{repeat} runs each; load average (1 / 5 / 15 min) {before} before, {after} after.",
        "",
        "| Where | Median (min–max) | Evaluations a second | Cluster start | Worker peak memory |",
        "|---|---|---|---|---|",
    ]
    for label, runs, started, peak in rows:
        rate = plan.cells / statistics.median(runs)
        lines.append(f"| {label} | {spread(runs)} | {rate:,.3g} | {started} | {peak} |")
    lines += [
        "",
        f"- 1 worker against in-process: {medians[1] / medians['none']:.2f} × the time (target ≤ 1.3).",
        f"- 2 workers against 1: {medians[1] / medians[2]:.2f} × faster (target ≥ 1.5).",
        f"- One chunk in this process: tracemalloc peak {chunk_peak:,.0f} MiB.",
    ]
    if os.environ.get("SCALE_HUGE") == "1":
        lines.append(huge())
    return "\n".join(lines)


def huge() -> str:
    """One sweep of 1e10 evaluations on 2 workers: its time and the workers' peak memory."""
    plan = plan_for(1e10)
    with open_client(Scheduler("local", 2), plan.memory_bytes) as client:
        start = time.perf_counter()
        map_chunks(client, plan)
        seconds = time.perf_counter() - start
        peak = worker_peak_mib(client)
    return (
        f"- 1e10 run: {plan.cells:,} evaluations ({plan.chunks} chunks) on 2 workers in "
        f"{fmt_seconds(seconds)}; worker peak memory {peak:,.0f} MiB; load average after {load()}."
    )
