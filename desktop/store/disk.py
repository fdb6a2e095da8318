"""A full disk, told apart from a damaged database: SQLite says "disk I/O error" or "database or disk is full" and
the OS says ENOSPC, and none of them may send the user to restore a backup over a healthy file."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

# Less free space than this where the data folder is: any write may fail, whatever SQLite calls the failure.
LOW_SPACE_BYTES = 1024 * 1024


class DiskFullError(RuntimeError):
    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"The disk holding {folder} is full, so nothing new can be saved. Everything saved before is kept; "
            "free some space and try again."
        )
        self.folder = folder


def free_bytes(folder: Path) -> int | None:
    for place in (folder, *folder.parents):
        if place.exists():
            try:
                return shutil.disk_usage(place).free
            except OSError:
                return None
    return None


def disk_is_full(folder: Path) -> bool:
    free = free_bytes(folder)
    return free is not None and free < LOW_SPACE_BYTES


def is_disk_full(exc: BaseException, folder: Path) -> bool:
    """Whether `exc` (or what caused it) is the disk running out of space under `folder`."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return True
        if isinstance(seen, sqlite3.Error) and "disk is full" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return disk_is_full(folder)
