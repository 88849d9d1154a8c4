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
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from excel_addin.files import surroundings
from excel_addin.workbook.errors import WorkbookError

try:  # POSIX
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

WAIT_VARIABLE = "PARTNERSHIP_LOCK_WAIT"
DEFAULT_WAIT = 60.0
POLL = 0.1
RETRIES = 1_000_000  # bounds the loop even if another program keeps replacing the lock file
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
    """Create the lock file (or take one a dead process left), lock it and write who holds it.

    The lock file is only ever created new (``O_EXCL``), never followed if it is a link, and
    never written into unless this process created it: a leftover is locked, removed and
    created again. A link, folder or pipe at its name is refused, naming it.
    """
    deadline = time.monotonic() + wait
    for _ in range(RETRIES):
        opened = _open(path, lock)
        if opened is None:
            continue  # the file went between two calls: try again
        descriptor, created = opened
        try:
            taken = _take(path, lock, descriptor, created)
        except KeyboardInterrupt:  # Ctrl-C: leave no lock file of ours behind
            if created:
                _release(descriptor, lock)
            else:
                os.close(descriptor)
            raise
        if taken:
            return descriptor
        os.close(descriptor)
        if taken is None:
            continue  # the file changed under us: try again at once
        if time.monotonic() >= deadline:
            raise WorkbookError(_busy(path, lock, wait))
        time.sleep(POLL)
    raise WorkbookError(
        f"the lock file {lock} keeps being removed or replaced by another program; {_unchanged(path)}"
    )


def _take(path: Path, lock: Path, descriptor: int, created: bool) -> bool | None:
    """Lock the open lock file: True when it is ours, False when another process holds it, None to retry.

    A file this process created gets its owner line; a leftover of a dead process is removed
    (while locked) so that the next attempt creates one of our own.
    """
    if not _try_lock(descriptor):
        _owner_cache[lock] = _read_owner(descriptor)
        return False
    if not _still_there(descriptor, lock):
        return None  # the holder removed it as we opened it: take the new one
    if created:
        _write_owner(path, lock, descriptor)
        return True
    if fcntl is None:
        return True  # Windows cannot remove an open file: hold the leftover as it is
    lock.unlink(missing_ok=True)  # a dead process's lock: replace it by one of our own
    return None


def _open(path: Path, lock: Path) -> tuple[int, bool] | None:
    """(descriptor, created by us), or None if the name vanished in between."""
    try:
        return os.open(lock, surroundings.CREATE, 0o644), True
    except FileExistsError:
        pass
    except OSError as error:
        _refuse(path, lock, error)
    try:
        descriptor = os.open(lock, os.O_RDWR | surroundings.NOFOLLOW | surroundings.NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:
        _refuse(path, lock, error)
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise WorkbookError(
            surroundings.special_message(
                lock, surroundings.kind_of(mode), _ROLE.format(path.name), _unchanged(path)
            )
        )
    return descriptor, False


_ROLE = "the lock file of {}"


def _unchanged(path: Path) -> str:
    return f"{path.name} is unchanged."


def _refuse(path: Path, lock: Path, error: OSError) -> None:
    """A lock file that cannot be opened: a link or special file at its name, or a folder we cannot write."""
    kind = surroundings.special_kind(lock)
    if kind is not None:
        raise WorkbookError(
            surroundings.special_message(lock, kind, _ROLE.format(path.name), _unchanged(path))
        )
    raise WorkbookError(
        f"cannot write in the folder {lock.parent} ({error.strerror or error}); {_unchanged(path)}"
    ) from None


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


def _write_owner(path: Path, lock: Path, descriptor: int) -> None:
    """Who holds the lock, for the message another command shows while it waits.

    Written only into the lock file this process has just created; a full disk or any other
    error here gives the lock up and refuses in one line.
    """
    owner = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now().isoformat(timespec="seconds"),
        "command": " ".join(["partnership", *sys.argv[1:2]]),
    }
    try:
        surroundings.write_all(descriptor, json.dumps(owner).encode())
    except OSError as error:
        _release(descriptor, lock)
        raise WorkbookError(
            f"cannot write the lock file {lock} ({error.strerror or error}); {_unchanged(path)}"
        ) from None


_owner_cache: dict[Path, dict | None] = {}  # the holder, as last read through the open lock file


def _read_owner(descriptor: int) -> dict | None:
    """The holder's line, read through the descriptor (never by name: the name may be a pipe now)."""
    try:
        data = os.pread(descriptor, 4096, 0) if hasattr(os, "pread") else os.read(descriptor, 4096)
        owner = json.loads(data)
    except (OSError, ValueError):
        return None
    return owner if isinstance(owner, dict) else None


def _busy(path: Path, lock: Path, wait: float) -> str:
    """The refusal after waiting, naming the holder if its lock file says who it is."""
    owner = _owner_cache.pop(lock, None) or {}
    try:
        since = datetime.fromisoformat(owner["since"])
        who = f" (`{owner['command']}`, process {owner['pid']} on {owner['host']}, since {since:%H:%M:%S})"
    except (ValueError, KeyError, TypeError):
        who = ""
    return (
        f"{path.name} is being written by another partnership command{who}; waited {wait:g} s. "
        f"Try again when it has finished. {path.name} is unchanged."
    )


def _release(descriptor: int, lock: Path) -> None:
    """Remove the lock file while still holding it, then let go (so nobody locks a removed file)."""
    if fcntl is not None:
        try:
            with contextlib.suppress(OSError):  # someone put a folder at its name: nothing to remove
                if surroundings.still_ours(descriptor, lock):
                    lock.unlink()
        finally:
            os.close(descriptor)
        return
    try:
        os.lseek(descriptor, 0, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)
    finally:
        os.close(descriptor)
    with contextlib.suppress(OSError):  # another process has it open already; it is only a name
        lock.unlink(missing_ok=True)
