"""Which process owns an active call: each process that starts calls holds an OS lock on a file of its own in the
data folder's `locks/`, and the call's row names that file. The OS drops the lock when the process ends in any way,
so "is the owner still running" is "is its lock still held": true across PID reuse after a reboot and in PID
namespaces (where every launch is PID 1), unlike a (host, pid) pair.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from pathlib import Path

from desktop.file_lock import FileLock, is_held_elsewhere

# A lock file younger than this may belong to a process that created it and is about to lock it: never removed
# unless its owner was just found dead.
STALE_AFTER_S = 3600.0


class OwnerLock:
    """This process's lock, taken the first time it starts a call and held until `release`."""

    def __init__(self, locks_dir: Path) -> None:
        self._token = uuid.uuid4().hex
        self._lock = FileLock(lock_path(locks_dir, self._token))

    def token(self) -> str:
        self._lock.acquire()
        return self._token

    def release(self) -> None:
        if self._lock.held:
            self._lock.release()
            with contextlib.suppress(OSError):
                self._lock.path.unlink()


def lock_path(locks_dir: Path, token: str) -> Path:
    return locks_dir / f"{token}.lock"


def owner_is_running(locks_dir: Path, token: str) -> bool:
    """Whether the process that wrote `token` still holds its lock (this process's own lock counts as held)."""
    return is_held_elsewhere(lock_path(locks_dir, token))


def remove_stale_locks(locks_dir: Path, *, dead_tokens: set[str] = frozenset(), now: float | None = None) -> int:
    """Deletes lock files left by processes that ended without releasing them (a kill, a crash): those of owners
    just found dead, and any other old one nobody holds. Returns how many."""
    now = time.time() if now is None else now
    removed = 0
    for path in locks_dir.glob("*.lock") if locks_dir.is_dir() else ():
        try:
            stale = path.stem in dead_tokens or now - path.stat().st_mtime > STALE_AFTER_S
        except OSError:
            continue
        if stale and not is_held_elsewhere(path):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed
