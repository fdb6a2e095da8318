"""Opening the SQLite database with the pragmas every connection needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from peewee import DatabaseError as PeeweeDatabaseError
from peewee import SqliteDatabase

from desktop.store.migrations import LATEST_VERSION, MigrationError, migrate
from desktop.store.models import database
from desktop.store.writer import DatabaseWriter

# WAL lets the GUI and workers read while the writer commits. synchronous=FULL makes each commit durable
# against a power cut, not only a process crash: a final transcript line must survive both.
PRAGMAS = (
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("synchronous", "full"),
    ("busy_timeout", 5000),
    ("cache_size", -16000),
)


class DatabaseCorruptError(RuntimeError):
    """The file exists but is not a usable SQLite database."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The database at {path} cannot be read ({detail}). "
            f"Move it aside (it is kept untouched) and start again, or restore a copy from the backups folder."
        )
        self.path = path


def open_database(path: Path) -> SqliteDatabase:
    """Connects (creating the file if needed) and checks that it really is a database."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False, autoconnect=True)
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

    @classmethod
    def open(cls, path: Path, backup_dir: Path | None = None) -> Store:
        if path.exists():
            _preflight(path)
        db = open_database(path)
        try:
            backup = migrate(db, backup_dir if backup_dir is not None else path.parent / "backups")
        except (sqlite3.DatabaseError, PeeweeDatabaseError) as exc:
            db.close()
            raise DatabaseCorruptError(path, str(exc)) from exc
        database.initialize(db)
        return cls(db, path, DatabaseWriter(), backup)

    def close(self) -> None:
        # Each thread has its own connection: the writer closes its own before it stops.
        self.writer.submit(self.db.close)
        self.writer.close()
        self.db.close()


def _preflight(path: Path) -> None:
    """Reads the schema version through a read-only connection, so a corrupt file or one from a newer app is
    reported without being changed in any way (not even switched to WAL)."""
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseCorruptError(path, str(exc)) from exc
    try:
        version = probe.execute("PRAGMA user_version").fetchone()[0]
        probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseCorruptError(path, str(exc)) from exc
    finally:
        probe.close()
    if version > LATEST_VERSION:
        raise MigrationError(
            f"This database was written by a newer version of Roleplay Trainer (schema {version}, "
            f"this app knows up to {LATEST_VERSION}). Update the app; the file was not changed."
        )
