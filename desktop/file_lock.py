"""An OS file lock: held by one open file in one process, released by the OS when that process ends in any way
(a kill, a crash, a power cut), and never confused by a reused process id. Used for "is the owner of this call
still running", "is another copy of the app running", and for opening the database once at a time.

POSIX: flock() on the whole file (a lock of the open file, so a second open in the same process is refused too).
Windows: msvcrt.locking() on the first byte.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, *, blocking: bool = True) -> bool:
        """True once this object holds the lock; False when another holder has it and `blocking` is False."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            locked = _lock(fd, blocking)
        except BaseException:
            os.close(fd)
            raise
        if not locked:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def is_held_elsewhere(path: Path) -> bool:
    """Whether some open file (another process, or another FileLock here) holds the lock on `path` now."""
    if not path.exists():
        return False
    probe = FileLock(path)
    try:
        if not probe.acquire(blocking=False):
            return True
    except OSError:
        return False  # a lock file we cannot even open is not a live owner's
    probe.release()
    return False


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int, blocking: bool) -> bool:
        mode = msvcrt.LK_LOCK if blocking else msvcrt.LK_NBLCK
        while True:
            try:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, mode, 1)
                return True
            except OSError:
                if not blocking:
                    return False
                # LK_LOCK gives up after about 10 s of retries; a blocking lock keeps waiting.

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int, blocking: bool) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
