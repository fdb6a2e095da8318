"""Opening the SQLite database with the pragmas every connection needs."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

from peewee import DatabaseError as PeeweeDatabaseError
from peewee import SqliteDatabase

from desktop.file_lock import FileLock
from desktop.store.disk import DiskFullError, is_disk_full
from desktop.store.migrations import LATEST_VERSION, MigrationError, migrate
from desktop.store.models import database
from desktop.store.owner_lock import OwnerLock
from desktop.store.writer import DatabaseWriter

log = logging.getLogger(__name__)

# busy_timeout comes first: switching a new file to WAL takes a lock that another process may hold for a moment.
# WAL lets the GUI and workers read while the writer commits. synchronous=FULL makes each commit durable
# against a power cut, not only a process crash: a final transcript line must survive both.
PRAGMAS = (
    ("busy_timeout", 10000),
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("synchronous", "full"),
    ("cache_size", -16000),
)


class _WritingSqliteDatabase(SqliteDatabase):
    """Every transaction begins IMMEDIATE: it takes the write lock up front, waiting (busy_timeout) for another
    process to finish. A deferred transaction reads first and upgrades later, and SQLite refuses that upgrade at
    once, without waiting, when another process committed in between ("database is locked" within milliseconds).
    Transactions here are only ever opened to write (reads run outside them), so nothing is serialised that need not
    be."""

    def begin(self, lock_type: str | None = None) -> None:
        super().begin(lock_type or "IMMEDIATE")

    def rollback(self) -> None:
        # SQLite ends the transaction itself when a commit fails for lack of space; rolling back again would
        # replace the real error ("database or disk is full") with "cannot rollback - no transaction is active".
        if self.is_closed() or not self.connection().in_transaction:
            return
        super().rollback()


# PRAGMA quick_check reads every page: about 20 ms for 10 MB here. The budget keeps start-up fast on a huge history
# (the check gives up, logged, and the app starts); damage in the part not checked is still refused by SQLite when
# it is read.
INTEGRITY_BUDGET_S = 1.5


def check_integrity(path: Path, budget_s: float = INTEGRITY_BUDGET_S) -> str:
    """ "ok", "unchecked" (the budget ran out first) or SQLite's description of the damage. Read-only."""
    probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return _quick_check(probe, budget_s)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        probe.close()


def _quick_check(connection: sqlite3.Connection, budget_s: float) -> str:
    deadline = time.monotonic() + budget_s
    # Called every 1000 virtual-machine steps; a true answer interrupts the statement.
    connection.set_progress_handler(lambda: time.monotonic() > deadline, 1000)
    try:
        rows = connection.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            log.info("integrity check skipped: over its %.1f s budget", budget_s)
            return "unchecked"
        raise
    finally:
        connection.set_progress_handler(None, 0)
    return "; ".join(str(row[0]) for row in rows)


def opening_lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".open-lock")


class DatabaseCorruptError(RuntimeError):
    """The file exists but is not a usable SQLite database."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The database at {path} cannot be read ({detail}). "
            f"Move it aside (it is kept untouched) and start again, or restore a copy from the backups folder."
        )
        self.path = path


class DatabaseDamagedError(DatabaseCorruptError):
    """The file is a database, but some of its pages are damaged: nothing is written to it."""

    def __init__(self, path: Path, detail: str) -> None:
        RuntimeError.__init__(
            self,
            f"The database at {path} is damaged ({detail[:200]}), so nothing was written to it. Quit the app, move "
            f"the file aside, then copy the newest file from {path.parent / 'backups'} in its place (or start with "
            f"an empty history); `sqlite3 {path.name} .recover` can save what is still readable.",
        )
        self.path = path


def open_database(path: Path) -> SqliteDatabase:
    """Connects (creating the file if needed) and checks that it really is a database."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = _WritingSqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False, autoconnect=True)
    try:
        db.connect(reuse_if_open=True)
        db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except (sqlite3.DatabaseError, PeeweeDatabaseError) as exc:
        db.close()
        raise DatabaseCorruptError(path, str(exc)) from exc
    return db


class Store:
    """An open, migrated database with its writer thread. Build one per process with `Store.open`."""

    def __init__(self, db: SqliteDatabase, path: Path, writer: DatabaseWriter, backup: Path | None) -> None:
        self.db = db
        self.path = path
        self.writer = writer
        self.migration_backup = backup
        self.locks_dir = path.parent / "locks"
        self.owner_lock = OwnerLock(self.locks_dir)

    read_only = False

    @classmethod
    def open(cls, path: Path, backup_dir: Path | None = None) -> Store:
        """Raises DiskFullError when the disk is full (not a damaged file: see disk.py), DatabaseCorruptError,
        DatabaseDamagedError or MigrationError."""
        try:
            return cls._open(path, backup_dir)
        except (DatabaseCorruptError, sqlite3.Error, PeeweeDatabaseError, OSError) as exc:
            if not isinstance(exc, DatabaseDamagedError) and is_disk_full(exc, path.parent):
                raise DiskFullError(path.parent) from exc
            raise

    @classmethod
    def open_read_only(cls, path: Path) -> Store:
        """For reading when nothing can be written (a full disk): no WAL switch, no migration, no recovery. A WAL
        file with committed pages in it needs its index, so without one it is opened with what the main file holds
        only when the WAL is empty."""
        wal = path.with_name(path.name + "-wal")
        wal_is_empty = not wal.exists() or wal.stat().st_size == 0
        last_error: Exception | None = None
        for mode in ("mode=ro", "immutable=1") if wal_is_empty else ("mode=ro",):
            db = SqliteDatabase(f"{path.resolve().as_uri()}?{mode}", uri=True, check_same_thread=False)
            try:
                db.connect()
                db.execute_sql("SELECT count(*) FROM sessions").fetchone()
            except (sqlite3.Error, PeeweeDatabaseError) as exc:
                db.close()
                last_error = exc
                continue
            database.initialize(db)
            store = cls(db, path, DatabaseWriter(), None)
            store.read_only = True
            return store
        raise DiskFullError(path.parent) from last_error

    @classmethod
    def _open(cls, path: Path, backup_dir: Path | None) -> Store:
        # One process at a time creates, switches to WAL and migrates: two doing it at once on a new file can
        # deadlock inside SQLite, which then answers "database is locked" without waiting.
        with FileLock(opening_lock_path(path)):
            if path.exists():
                _preflight(path)
            db = open_database(path)
            try:
                backup = migrate(db, backup_dir if backup_dir is not None else path.parent / "backups")
            except (sqlite3.DatabaseError, PeeweeDatabaseError) as exc:
                db.close()
                raise DatabaseCorruptError(path, str(exc)) from exc
        database.initialize(db)
        _make_private(path)
        return cls(db, path, DatabaseWriter(), backup)

    def close(self) -> None:
        # Each thread has its own connection: the writer closes its own before it stops.
        self.writer.submit(self.db.close)
        self.writer.close()
        self.db.close()
        self.owner_lock.release()  # after the last write: our calls are ended or, if not, recoverable


def _make_private(path: Path) -> None:
    """The database and its WAL files, the user's only (a file from an older version may be world-readable)."""
    if os.name != "posix":
        return
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except OSError:  # gone, or not ours: the folder's 0700 still protects it
            continue


def _preflight(path: Path) -> None:
    """Reads the schema version and checks the pages through a read-only connection, so a corrupt file or one from a
    newer app is reported without being changed in any way (not even switched to WAL)."""
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseCorruptError(path, str(exc)) from exc
    try:
        version = probe.execute("PRAGMA user_version").fetchone()[0]
        probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        verdict = _quick_check(probe, INTEGRITY_BUDGET_S)
    except sqlite3.DatabaseError as exc:
        raise DatabaseCorruptError(path, str(exc)) from exc
    finally:
        probe.close()
    if verdict not in ("ok", "unchecked"):
        raise DatabaseDamagedError(path, verdict)
    if version > LATEST_VERSION:
        raise MigrationError(
            f"This database was written by a newer version of Roleplay Trainer (schema {version}, "
            f"this app knows up to {LATEST_VERSION}). Update the app; the file was not changed."
        )
