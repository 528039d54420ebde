"""Operating-system file locks that die with their process (POSIX ``flock``, Windows ``locking``).

Used for "who owns this?" questions between processes sharing one cache folder: a journal entry
(the job runs in exactly one process) and a ``.part`` download (left alone while its writer
lives, removed once it is gone). The OS drops the lock when the process exits for any reason,
SIGKILL and power-off of a client included, so no PID files and no polling are needed. On a
network share the platform's own lock semantics apply (NFS and SMB forward these locks).
"""

from __future__ import annotations

import contextlib
import os
import sys

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def try_lock(fd: int) -> bool:
        """Take an exclusive lock on ``fd`` without waiting; False if another holder has it."""
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def try_lock(fd: int) -> bool:
        """Take an exclusive lock on ``fd`` without waiting; False if another holder has it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)


class FileLock:
    """An exclusive lock on the file at ``path`` (created if missing), held until released.

    :meth:`acquire` checks after locking that the path still names the locked file, so a
    holder that deletes the file while others wait can never leave two processes "owning" it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """True if this process now holds the lock (or already did); never blocks."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if try_lock(fd) and _same_file(fd, self.path):
                self._fd = fd
                return True
        except OSError:
            pass
        os.close(fd)
        return False

    def release(self, *, delete: bool = False) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if delete and os.name != "nt":
            with contextlib.suppress(OSError):
                os.unlink(self.path)  # while still locked: waiters then see a new file
        unlock(fd)
        os.close(fd)
        if delete and os.name == "nt":  # pragma: no cover
            with contextlib.suppress(OSError):
                os.unlink(self.path)


def _same_file(fd: int, path: str) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def abandoned(path: str | os.PathLike[str]) -> bool:
    """True when nobody holds a lock on the existing file at ``path`` (its writer is gone)."""
    try:
        fd = os.open(os.fspath(path), os.O_RDWR)
    except OSError:
        return False
    try:
        if try_lock(fd):
            unlock(fd)
            return True
        return False
    finally:
        os.close(fd)
