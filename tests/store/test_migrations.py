"""Each numbered migration has a test here named test_migration_<n>; a guard test fails if one is missing.

Each starts from a database at the version before, with rows written by plain SQL as that version's schema took them,
migrates one step and checks what the step promises."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from peewee import IntegrityError, SqliteDatabase

from desktop.store.db import PRAGMAS, Store
from desktop.store.migrations import LATEST_VERSION, MIGRATIONS, migrate, schema_version

# A session row as every version's schema takes it; a test overrides or adds columns.
SESSION = {
    "client_session_id": "u",
    "mode": "voice",
    "status": "completed",
    "persona_id": "p",
    "persona_name": "P",
    "persona_snapshot": "{}",
    "scenario_id": "s",
    "scenario_snapshot": "{}",
    "difficulty": "PRO",
    "started_at": "2026-01-01T00:00:00.000Z",
}


def database_at(tmp_path: Path, version: int) -> SqliteDatabase:
    """A new database file migrated up to `version` (0: left empty)."""
    db = SqliteDatabase(str(tmp_path / "store.db"), pragmas=PRAGMAS)
    if version:
        migrate(db, tmp_path / "backups", target=version)
    return db


def migrate_to(db: SqliteDatabase, tmp_path: Path, version: int) -> Path | None:
    """Runs the migrations up to `version` and checks the file says so; returns the pre-migration copy, if any."""
    backup = migrate(db, tmp_path / "backups", target=version)
    assert schema_version(db) == version
    return backup


def add_session(db: SqliteDatabase, **columns: object) -> None:
    row = {**SESSION, **columns}
    names, marks = ", ".join(row), ", ".join("?" * len(row))
    db.execute_sql(f"INSERT INTO sessions ({names}) VALUES ({marks})", tuple(row.values()))


def refused(db: SqliteDatabase, sql: str, constraint: str) -> None:
    """The schema itself, not only the code, refuses `sql` by `constraint` ("CHECK", "FOREIGN KEY")."""
    with pytest.raises(IntegrityError, match=constraint):
        db.execute_sql(sql)


def count(db: SqliteDatabase, table: str) -> int:
    return db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]


def tables(db: SqliteDatabase) -> set[str]:
    return {row[0] for row in db.execute_sql("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")}


def test_every_migration_has_its_own_test():
    module = sys.modules[__name__]
    missing = [m.version for m in MIGRATIONS if not hasattr(module, f"test_migration_{m.version}")]
    assert missing == []
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))


def test_migration_1(tmp_path: Path):
    db = database_at(tmp_path, 0)
    assert migrate_to(db, tmp_path, 1) is None  # a new, empty file has nothing to protect
    assert {"sessions", "transcript_lines", "grades", "user_personas"} <= tables(db)
    add_session(db, status="active")
    # The status check and the cascade are part of the schema, not only of the code.
    refused(db, "UPDATE sessions SET status = 'weird'", "CHECK")
    db.execute_sql("INSERT INTO transcript_lines (session_id, seq, speaker, text) VALUES (1, 1, 'seller', 'hi')")
    db.execute_sql("DELETE FROM sessions")
    assert count(db, "transcript_lines") == 0


def test_migration_2(tmp_path: Path):
    db = database_at(tmp_path, 1)
    add_session(db)
    db.execute_sql(
        "INSERT INTO transcript_lines (session_id, seq, speaker, text) VALUES (1, 1, 'seller', 'the creek floods')"
    )
    backup = migrate_to(db, tmp_path, 2)
    # Lines written before the index existed are searchable, and new ones are indexed by the triggers.
    match = "SELECT session_id FROM transcript_fts WHERE transcript_fts MATCH ?"
    assert db.execute_sql(match, ("creek",)).fetchall() == [(1,)]
    db.execute_sql(
        "INSERT INTO transcript_lines (session_id, seq, speaker, text) VALUES (1, 2, 'trainee', 'how often')"
    )
    assert db.execute_sql(match, ("often",)).fetchall() == [(1,)]
    # The pre-migration copy is a real database at schema 1 holding the old rows.
    assert backup is not None and backup.exists()
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    assert copy.execute("SELECT text FROM transcript_lines").fetchall() == [("the creek floods",)]
    copy.close()


def test_migration_3(tmp_path: Path):
    db = database_at(tmp_path, 2)
    add_session(db, client_session_id="a", revision=2, synced_revision=2)
    add_session(db, client_session_id="b", revision=3, synced_revision=1)
    migrate_to(db, tmp_path, 3)
    assert {"sync_remote_sessions", "sync_rejections", "sync_cache"} <= tables(db)
    # The outbox query is served by the partial index of unsynced rows.
    unsynced = "SELECT id FROM sessions WHERE revision > synced_revision ORDER BY id"
    assert db.execute_sql(unsynced).fetchall() == [(2,)]
    plan = " ".join(str(row) for row in db.execute_sql("EXPLAIN QUERY PLAN " + unsynced).fetchall())
    assert "sessions_unsynced" in plan
    db.execute_sql("PRAGMA foreign_keys = ON")
    db.execute_sql("INSERT INTO sync_remote_sessions VALUES (1, 'other-device', '2026-01-01T00:00:00.000Z')")
    db.execute_sql("INSERT INTO sync_rejections VALUES (2, 3, 422, 'bad', '2026-01-01T00:00:00.000Z')")
    db.execute_sql("DELETE FROM sessions")
    assert count(db, "sync_remote_sessions") == count(db, "sync_rejections") == 0


def test_migration_4(tmp_path: Path):
    db = database_at(tmp_path, 3)
    add_session(db)
    migrate_to(db, tmp_path, 4)
    assert "trainee_goals" in tables(db)
    db.execute_sql("PRAGMA foreign_keys = ON")
    db.execute_sql("INSERT INTO trainee_goals (text, source_session_id, set_at) VALUES ('ask why', 1, 'now')")
    # A blank goal is refused by the schema itself, and a goal outlives the session that set it.
    refused(db, "INSERT INTO trainee_goals (text, set_at) VALUES ('   ', 'now')", "CHECK")
    db.execute_sql("DELETE FROM sessions")
    assert db.execute_sql("SELECT text, source_session_id FROM trainee_goals").fetchall() == [("ask why", None)]


def test_migration_5(tmp_path: Path):
    db = database_at(tmp_path, 4)
    add_session(db, client_session_id="call", kind="roleplay", mode="text")
    migrate_to(db, tmp_path, 5)
    # Sessions from before the migration are linked to nothing.
    assert db.execute_sql("SELECT parent_session_id FROM sessions").fetchall() == [(None,)]
    db.execute_sql("PRAGMA foreign_keys = ON")
    add_session(db, client_session_id="debrief", kind="coach", mode="text")
    db.execute_sql("UPDATE sessions SET parent_session_id = 1 WHERE client_session_id = 'debrief'")
    refused(db, "UPDATE sessions SET parent_session_id = 99 WHERE client_session_id = 'debrief'", "FOREIGN KEY")
    # Deleting the reviewed call keeps its debrief, unlinked.
    db.execute_sql("DELETE FROM sessions WHERE client_session_id = 'call'")
    assert db.execute_sql("SELECT client_session_id, parent_session_id FROM sessions").fetchall() == [("debrief", None)]


def test_migration_6(tmp_path: Path):
    db = database_at(tmp_path, 5)
    add_session(db, mode="text", status="active", owner_pid=42)
    migrate_to(db, tmp_path, 6)
    # A call left active by an older version has no owner lock (recovery falls back to its pid) and no last write.
    assert db.execute_sql("SELECT owner_pid, owner_lock, last_write_at FROM sessions").fetchall() == [(42, "", None)]


def test_migration_7(tmp_path: Path):
    db = database_at(tmp_path, 6)
    add_session(db)
    db.execute_sql("INSERT INTO transcript_lines (session_id, seq, speaker, text) VALUES (1, 1, 'trainee', 'hi')")
    migrate_to(db, tmp_path, 7)
    # A line from before corrections existed was never corrected: it is as heard.
    assert db.execute_sql("SELECT text, heard_text FROM transcript_lines").fetchall() == [("hi", None)]


def test_a_failing_step_leaves_the_previous_schema(tmp_path: Path, monkeypatch):
    from desktop.store import migrations

    db = database_at(tmp_path, 1)
    broken = migrations.Migration(2, "broken", ("CREATE TABLE half_done (x)", "THIS IS NOT SQL"))
    monkeypatch.setattr(migrations, "MIGRATIONS", (migrations.MIGRATIONS[0], broken))
    with pytest.raises(Exception, match="syntax error"):
        migrations.migrate(db, tmp_path / "backups", target=2)
    assert schema_version(db) == 1
    assert "half_done" not in tables(db)


def test_opening_the_store_migrates_to_latest(tmp_path: Path):
    store = Store.open(tmp_path / "d.db", tmp_path / "backups")
    try:
        assert schema_version(store.db) == LATEST_VERSION
        assert store.migration_backup is None
    finally:
        store.close()
