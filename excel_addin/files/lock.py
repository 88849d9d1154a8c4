"""One writer per workbook: a lock file beside it, released by the system if its holder dies.

Two `partnership run` on one file would each read, compute and save, and the second save
would throw away whatever the first wrote. A command that writes holds the lock
``.NAME.partnership-lock`` beside the workbook for its whole read–compute–save; another
waits for it (``PARTNERSHIP_LOCK_WAIT`` seconds, 60 by default) and then refuses, naming
the holder. The lock is ``flock`` (POSIX) or ``msvcrt.locking`` (Windows) on that file:
the operating system drops it when its process ends, even by kill -9, so a lock left by a
crash never blocks anyone (the file may stay behind; the lock does not).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from excel_addin.workbook.errors import WorkbookError

try:  # POSIX
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

WAIT_VARIABLE = "PARTNERSHIP_LOCK_WAIT"
DEFAULT_WAIT = 60.0
POLL = 0.1
_held: dict[str, int] = {}  # lock files this process holds, with their nesting depth


def lock_path(path: Path) -> Path:
    """The lock file of a workbook: hidden, beside it, named after it."""
    path = Path(path)
    return path.with_name(f".{path.name}.partnership-lock")


def wait_seconds() -> float:
    """How long a command waits for another one writing the same workbook."""
    try:
        return max(0.0, float(os.environ.get(WAIT_VARIABLE, DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


@contextmanager
def workbook_lock(path: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the workbook's lock for the block; nested use in one process is free."""
    lock = lock_path(path)
    key = os.path.abspath(lock)
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    descriptor = _acquire(Path(path), lock, wait_seconds() if wait is None else wait)
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        _release(descriptor, lock)


def _acquire(path: Path, lock: Path, wait: float) -> int:
    deadline = time.monotonic() + wait
    while True:
        try:
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise WorkbookError(
                f"cannot write in the folder {lock.parent} ({error.strerror or error}); "
                f"{path.name} is unchanged."
            ) from None
        if _try_lock(descriptor):
            if _still_there(descriptor, lock):
                _write_owner(descriptor)
                return descriptor
            os.close(descriptor)  # the holder removed it as we opened it: take the new one
            continue
        os.close(descriptor)
        if time.monotonic() >= deadline:
            raise WorkbookError(_busy(path, lock, wait))
        time.sleep(POLL)


def _try_lock(descriptor: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(descriptor, 0, os.SEEK_SET)  # msvcrt locks bytes from the current position
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _still_there(descriptor: int, lock: Path) -> bool:
    """The file we locked is the one at the path (not one its last holder has just removed)."""
    try:
        ours, now = os.fstat(descriptor), os.stat(lock)
    except OSError:
        return False
    return (ours.st_dev, ours.st_ino) == (now.st_dev, now.st_ino)


def _write_owner(descriptor: int) -> None:
    """Who holds the lock, for the message another command shows while it waits."""
    owner = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now().isoformat(timespec="seconds"),
        "command": " ".join(["partnership", *sys.argv[1:2]]),
    }
    os.ftruncate(descriptor, 0)
    os.lseek(descriptor, 0, os.SEEK_SET)
    os.write(descriptor, json.dumps(owner).encode())


def _busy(path: Path, lock: Path, wait: float) -> str:
    try:
        owner = json.loads(lock.read_text())
        since = datetime.fromisoformat(owner["since"])
        who = f" (`{owner['command']}`, process {owner['pid']} on {owner['host']}, since {since:%H:%M:%S})"
    except (OSError, ValueError, KeyError, TypeError):
        who = ""
    return (
        f"{path.name} is being written by another partnership command{who}; waited {wait:g} s. "
        f"Try again when it has finished. {path.name} is unchanged."
    )


def _release(descriptor: int, lock: Path) -> None:
    """Remove the lock file while still holding it, then let go (so nobody locks a removed file)."""
    if fcntl is not None:
        lock.unlink(missing_ok=True)
        os.close(descriptor)
        return
    try:
        os.lseek(descriptor, 0, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)
    finally:
        os.close(descriptor)
    with contextlib.suppress(OSError):  # another process has it open already; it is only a name
        lock.unlink(missing_ok=True)
