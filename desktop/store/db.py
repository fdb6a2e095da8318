"""Opening the SQLite database with the pragmas every connection needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from peewee import DatabaseError as PeeweeDatabaseError
from peewee import SqliteDatabase

from desktop.store.migrations import migrate
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
