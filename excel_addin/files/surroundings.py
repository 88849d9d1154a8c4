"""The files the model writes beside a workbook, in a folder other people may write to.

Workbooks live in shared and synced folders. Anyone who can write to the folder can put
a symbolic link, a named pipe or a folder where the model is about to write its lock,
temporary, output or Lite files. Opening such a name the ordinary way would follow the
link and truncate whatever it points to (another document, the workbook itself), or hang
on the pipe. So every file here is created new (``O_EXCL``: never an existing one), opened
without following links (``O_NOFOLLOW`` where the system has it; Windows has none, see
SECURITY.md) and without waiting (``O_NONBLOCK``), and checked to be a plain file before a
byte is read or written. A file is only ever replaced by a complete new one moved over its
name, never rewritten in place, so nothing the model did not create in this run is truncated.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from excel_addin.workbook.errors import WorkbookError

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # POSIX; Windows has no such flag
NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a named pipe opens at once instead of waiting for a writer
BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
CREATE = os.O_RDWR | os.O_CREAT | os.O_EXCL | NOFOLLOW | NONBLOCK | BINARY
OPEN = os.O_RDONLY | NOFOLLOW | NONBLOCK | BINARY


def kind_of(mode: int) -> str:
    """What a file is, in words a finance officer can pass on to IT."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISREG(mode):
        return "a file"
    return "a special file"


def special_kind(path: Path) -> str | None:
    """What stands at ``path`` if it is not a plain file (None: nothing there, or a plain file)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        raise WorkbookError(f"cannot look at {path} ({error.strerror or error}).") from None
    return None if stat.S_ISREG(mode) else kind_of(mode)


def special_message(path: Path, kind: str, role: str, unchanged: str) -> str:
    """The refusal for a link or special file where the model would write."""
    target = ""
    if kind == "a symbolic link":
        with contextlib.suppress(OSError):
            target = f" (to {os.readlink(path)})"
    return (
        f"{path} is {kind}{target}, where the model writes {role}. The model does not write through "
        f"links or into special files, since anyone who can write to the folder could use one to make "
        f"it overwrite another file. Delete {path.name} (or ask whoever put it there) and run again. "
        f"{unchanged}"
    ).rstrip()


def refuse_special(path: Path, role: str, unchanged: str = "") -> None:
    """Raise ``WorkbookError`` if ``path`` is a link, folder, pipe, device or socket."""
    kind = special_kind(path)
    if kind is not None:
        raise WorkbookError(special_message(Path(path), kind, role, unchanged))


def read_plain(path: Path, limit: int) -> bytes | None:
    """The first ``limit`` bytes of a plain file, without following a link; None if absent.

    A link or special file raises ``WorkbookError`` (through ``refuse_special``'s message).
    """
    path = Path(path)
    try:
        descriptor = os.open(path, OPEN)
    except FileNotFoundError:
        return None
    except OSError as error:
        kind = special_kind(path)
        if kind is not None:
            raise WorkbookError(special_message(path, kind, "its files", "Nothing was written.")) from None
        raise WorkbookError(f"cannot read {path} ({error.strerror or error}).") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise WorkbookError(special_message(path, kind_of(mode), "its files", "Nothing was written."))
        return os.read(descriptor, limit)
    finally:
        os.close(descriptor)


def new_temporary(beside: Path) -> tuple[int, Path]:
    """A new empty file in ``beside``'s folder (``O_EXCL``, never a link): descriptor and name."""
    beside = Path(beside)
    try:
        descriptor, name = tempfile.mkstemp(
            prefix=f".{beside.name}.partnership-save-", suffix=".tmp", dir=beside.parent
        )
    except OSError as error:
        raise WorkbookError(
            f"cannot write in the folder {beside.parent} ({error.strerror or error})."
        ) from None
    return descriptor, Path(name)


def write_all(descriptor: int, data: bytes) -> None:
    """Write every byte (``os.write`` may write fewer than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def still_ours(descriptor: int, path: Path) -> bool:
    """The name ``path`` is still the file we hold open (nobody swapped it for a link meanwhile)."""
    try:
        ours, now = os.fstat(descriptor), os.lstat(path)
    except OSError:
        return False
    return (ours.st_dev, ours.st_ino) == (now.st_dev, now.st_ino) and stat.S_ISREG(now.st_mode)


def default_mode() -> int:
    """The permissions a new file gets here (0o666 less the umask), as ``open`` would give it."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def replace_with(path: Path, data: bytes, mode: int | None = None) -> None:
    """Put ``data`` at ``path`` as a new file moved over the name in one step (never rewritten in place).

    A link at ``path`` is replaced itself, not followed; a folder, pipe or device there is
    refused by the caller (``refuse_special``) before this is reached. Raises ``OSError``.
    """
    path = Path(path)
    descriptor, temp = new_temporary(path)
    try:
        write_all(descriptor, data)
        os.fsync(descriptor)
        chmod = getattr(os, "fchmod", None)
        if chmod is not None:
            chmod(descriptor, default_mode() if mode is None else mode)
        if not still_ours(descriptor, temp):
            raise OSError(f"the temporary file {temp.name} was replaced by someone else")
        os.replace(temp, path)
    finally:
        os.close(descriptor)
        with contextlib.suppress(OSError):
            if os.path.lexists(temp):
                os.unlink(temp)
