"""Running a planned sweep's chunks: here, on a local dask cluster, or on a running scheduler.

The engine cuts a sweep into chunks and evaluates one chunk in one call
(``engine.evaluate_chunk``); this module only decides where those calls run. ``none`` runs
them one after the other in this process; ``local`` or ``local:W`` starts a
``dask.distributed.LocalCluster`` of W single-threaded worker processes (default: one per
core), each with the plan's memory bound as its limit; anything else is a scheduler's address
(``tcp://host:8786``), whose workers must have this package installed. One chunk is one task:
the plan is sent to every worker once and each task is ``evaluate_chunk(plan, index)``, so the
scheduler handles hundreds of tasks, not the millions of small array tasks a dask array of the
same sweep would make. The answer is the same on every scheduler, to the last bit, because a
chunk's rows depend only on the plan (see ``engine.negotiation.scale``).

dask is optional (``pip install partnership-model[scale]``); ``none`` works without it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd

from engine import ParameterError, SweepPlan, combine, evaluate_chunk

Progress = Callable[[int], None]  # called with the number of chunks finished so far

# distributed starts workers with MALLOC_TRIM_THRESHOLD_=65536 so they hand memory back to the
# system at once. Setting it also fixes glibc's mmap threshold at 128 KiB, so each of a chunk's
# many temporary arrays is fresh memory from the system, zeroed page by page: measured here, a
# worker then spends 2.3–2.5 × the CPU time of this process on the same chunk (1.1–1.3 × without
# it). A chunk's memory is bounded by its plan anyway, so the workers go without it.
WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


@dataclass(frozen=True)
class Scheduler:
    """Where chunks run: ``kind`` is "none", "local" or "address"."""

    kind: str
    workers: int | None = None
    address: str | None = None

    @property
    def text(self) -> str:
        if self.kind == "local":
            return f"a local cluster of {self.workers} worker{'s' if self.workers != 1 else ''}"
        if self.kind == "address":
            return f"the scheduler at {self.address}"
        return "this process"


def parse_scheduler(text: str | None) -> Scheduler:
    """``none``, ``local``, ``local:W`` or an address; one ParameterError otherwise."""
    text = (text or "none").strip()
    if text.casefold() == "none":
        return Scheduler("none")
    if text.casefold() == "local":
        return Scheduler("local", os.cpu_count() or 1)
    if text.casefold().startswith("local:"):
        count = text.split(":", 1)[1].strip()
        if not (count.isdigit() and 1 <= int(count) <= 1024):
            raise ParameterError(
                [("scheduler", f"--scheduler {text}: the workers after local: must be a whole number ≥ 1")]
            )
        return Scheduler("local", int(count))
    if "://" in text or ":" in text:
        return Scheduler("address", address=text)
    raise ParameterError(
        [
            (
                "scheduler",
                f"--scheduler {text} must be none, local, local:WORKERS or an address such as tcp://host:8786",
            )
        ]
    )


def run_chunks(plan: SweepPlan, scheduler: Scheduler, progress: Progress | None = None) -> pd.DataFrame:
    """Every chunk of ``plan`` on ``scheduler``, combined in order.

    Ctrl-C (KeyboardInterrupt) cancels the tasks and closes the cluster before it propagates.
    """
    progress = progress or (lambda done: None)
    if scheduler.kind == "none":
        pieces = []
        for index in range(plan.chunks):
            pieces.append(evaluate_chunk(plan, index))
            progress(len(pieces))
        return combine(plan, pieces)
    with open_client(scheduler, plan.memory_bytes) as client:
        return map_chunks(client, plan, progress)


@contextmanager
def open_client(scheduler: Scheduler, memory_bytes: int) -> Iterator[Any]:
    """A ``dask.distributed.Client`` on a new local cluster or a running scheduler, closed after."""
    distributed = _distributed()
    import dask.config  # present with distributed

    cluster = None
    if scheduler.kind == "local":
        with dask.config.set(WORKER_CONFIG):
            cluster = distributed.LocalCluster(
                n_workers=scheduler.workers,
                threads_per_worker=1,  # numpy's ufuncs use one core: one thread per worker process
                processes=True,
                memory_limit=memory_bytes + (256 << 20),  # the chunk's bound plus the worker itself
                dashboard_address=":0",  # a free port: another cluster on this machine may hold 8787
                silence_logs=logging.ERROR,
            )
        client = distributed.Client(cluster)
    elif scheduler.kind == "address":
        try:
            client = distributed.Client(scheduler.address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as error:
            raise ParameterError(
                [("scheduler", f"cannot reach the scheduler at {scheduler.address} ({error})")]
            ) from None
    else:
        raise ParameterError([("scheduler", "--scheduler none runs in this process, without a client")])
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def map_chunks(client: Any, plan: SweepPlan, progress: Progress | None = None) -> pd.DataFrame:
    """One task per chunk on ``client``'s workers, gathered as they finish and combined in order.

    The plan goes to every worker once (scatter), not with each task. A chunk's rows are let go
    on the worker as soon as they are here (nothing else holds its future), so the workers'
    memory stays flat however many chunks the sweep has. Ctrl-C cancels the tasks.
    """
    distributed = _distributed()
    progress = progress or (lambda done: None)
    pending: set[Any] = set()
    try:
        shared = client.scatter(
            plan, broadcast=True, hash=False
        )  # a fresh key: an earlier run's may be going
        pending = set(client.map(evaluate_chunk, [shared] * plan.chunks, range(plan.chunks), pure=False))
        pieces = []
        for future in distributed.as_completed(list(pending)):
            pieces.append(future.result())  # raises a worker's error here, as it was raised there
            pending.discard(future)
            future.release()  # the rows are here now: the worker may forget them
            progress(len(pieces))
        return combine(plan, pieces)
    finally:
        if pending:
            client.cancel(list(pending))


def _distributed():
    """The ``dask.distributed`` module, or a ParameterError saying how to install it."""
    try:
        import dask.distributed as distributed
    except ImportError:
        raise ParameterError(
            [
                (
                    "scheduler",
                    "a cluster needs dask.distributed: pip install 'partnership-model[scale]' "
                    "(or use --scheduler none)",
                )
            ]
        ) from None
    return distributed
