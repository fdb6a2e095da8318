"""Each numbered migration has a test here named test_migration_<n>; a guard test fails if one is missing."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from peewee import SqliteDatabase

from desktop.store.db import PRAGMAS, Store
from desktop.store.migrations import LATEST_VERSION, MIGRATIONS, migrate, schema_version


def fresh(path: Path) -> SqliteDatabase:
    return SqliteDatabase(str(path), pragmas=PRAGMAS)


def tables(db: SqliteDatabase) -> set[str]:
    return {row[0] for row in db.execute_sql("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")}


def test_every_migration_has_its_own_test():
    module = sys.modules[__name__]
    missing = [m.version for m in MIGRATIONS if not hasattr(module, f"test_migration_{m.version}")]
    assert missing == []
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))


def test_migration_1(tmp_path: Path):
    db = fresh(tmp_path / "a.db")
    backup = migrate(db, tmp_path / "backups", target=1)
    assert backup is None  # a new, empty file has nothing to protect
    assert schema_version(db) == 1
    assert {"sessions", "transcript_lines", "grades", "user_personas"} <= tables(db)
    db.execute_sql(
        "INSERT INTO sessions (client_session_id, mode, status, persona_id, persona_name, persona_snapshot,"
        " scenario_id, scenario_snapshot, difficulty, started_at) VALUES ('u', 'voice', 'active', 'p', 'P', '{}',"
        " 's', '{}', 'PRO', '2026-01-01T00:00:00.000Z')"
    )
    # The status check and the cascade are part of the schema, not only of the code.
    try:
        db.execute_sql("UPDATE sessions SET status = 'weird'")
        raise AssertionError("an unknown status was accepted")
    except Exception as exc:  # peewee wraps sqlite3.IntegrityError
        assert "CHECK" in str(exc)
    db.execute_sql("INSERT INTO transcript_lines (session_id, seq, speaker, text) VALUES (1, 1, 'seller', 'hi')")
    db.execute_sql("DELETE FROM sessions")
    assert db.execute_sql("SELECT count(*) FROM transcript_lines").fetchone()[0] == 0


def test_migration_2(tmp_path: Path):
    db = fresh(tmp_path / "b.db")
    migrate(db, tmp_path / "backups", target=1)
    db.execute_sql(
        "INSERT INTO sessions (client_session_id, mode, status, persona_id, persona_name, persona_snapshot,"
        " scenario_id, scenario_snapshot, difficulty, started_at) VALUES ('u', 'voice', 'completed', 'p', 'P', '{}',"
        " 's', '{}', 'PRO', '2026-01-01T00:00:00.000Z')"
    )
    db.execute_sql(
        "INSERT INTO transcript_lines (session_id, seq, speaker, text) VALUES (1, 1, 'seller', 'the creek floods')"
    )
    backup = migrate(db, tmp_path / "backups", target=2)
    assert schema_version(db) == 2
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
    db = fresh(tmp_path / "e.db")
    migrate(db, tmp_path / "backups", target=2)
    for uuid, revision, synced in (("a", 2, 2), ("b", 3, 1)):
        db.execute_sql(
            "INSERT INTO sessions (client_session_id, mode, status, persona_id, persona_name, persona_snapshot,"
            " scenario_id, scenario_snapshot, difficulty, started_at, revision, synced_revision)"
            " VALUES (?, 'voice', 'completed', 'p', 'P', '{}', 's', '{}', 'PRO', '2026-01-01T00:00:00.000Z', ?, ?)",
            (uuid, revision, synced),
        )
    migrate(db, tmp_path / "backups", target=3)
    assert schema_version(db) == 3
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
    assert db.execute_sql("SELECT count(*) FROM sync_remote_sessions").fetchone()[0] == 0
    assert db.execute_sql("SELECT count(*) FROM sync_rejections").fetchone()[0] == 0


def test_migration_4(tmp_path: Path):
    db = fresh(tmp_path / "f.db")
    migrate(db, tmp_path / "backups", target=3)
    db.execute_sql(
        "INSERT INTO sessions (client_session_id, mode, status, persona_id, persona_name, persona_snapshot,"
        " scenario_id, scenario_snapshot, difficulty, started_at) VALUES ('u', 'voice', 'completed', 'p', 'P', '{}',"
        " 's', '{}', 'PRO', '2026-01-01T00:00:00.000Z')"
    )
    migrate(db, tmp_path / "backups", target=4)
    assert schema_version(db) == 4
    assert "trainee_goals" in tables(db)
    db.execute_sql("PRAGMA foreign_keys = ON")
    db.execute_sql("INSERT INTO trainee_goals (text, source_session_id, set_at) VALUES ('ask why', 1, 'now')")
    # A blank goal is refused by the schema itself, and a goal outlives the session that set it.
    try:
        db.execute_sql("INSERT INTO trainee_goals (text, set_at) VALUES ('   ', 'now')")
        raise AssertionError("a blank goal was accepted")
    except Exception as exc:  # peewee wraps sqlite3.IntegrityError
        assert "CHECK" in str(exc)
    db.execute_sql("DELETE FROM sessions")
    assert db.execute_sql("SELECT text, source_session_id FROM trainee_goals").fetchall() == [("ask why", None)]


def test_migration_5(tmp_path: Path):
    db = fresh(tmp_path / "g.db")
    migrate(db, tmp_path / "backups", target=4)
    insert = (
        "INSERT INTO sessions (client_session_id, kind, mode, status, persona_id, persona_name, persona_snapshot,"
        " scenario_id, scenario_snapshot, difficulty, started_at) VALUES (?, ?, 'text', 'completed', 'p', 'P', '{}',"
        " 's', '{}', 'PRO', '2026-01-01T00:00:00.000Z')"
    )
    db.execute_sql(insert, ("call", "roleplay"))
    migrate(db, tmp_path / "backups", target=5)
    assert schema_version(db) == 5
    # Sessions from before the migration are linked to nothing.
    assert db.execute_sql("SELECT parent_session_id FROM sessions").fetchall() == [(None,)]
    db.execute_sql("PRAGMA foreign_keys = ON")
    db.execute_sql(insert, ("debrief", "coach"))
    db.execute_sql("UPDATE sessions SET parent_session_id = 1 WHERE client_session_id = 'debrief'")
    try:
        db.execute_sql("UPDATE sessions SET parent_session_id = 99 WHERE client_session_id = 'debrief'")
        raise AssertionError("a link to a missing session was accepted")
    except Exception as exc:  # peewee wraps sqlite3.IntegrityError
        assert "FOREIGN KEY" in str(exc)
    # Deleting the reviewed call keeps its debrief, unlinked.
    db.execute_sql("DELETE FROM sessions WHERE client_session_id = 'call'")
    assert db.execute_sql("SELECT client_session_id, parent_session_id FROM sessions").fetchall() == [("debrief", None)]


def test_migration_6(tmp_path: Path):
    db = fresh(tmp_path / "h.db")
    migrate(db, tmp_path / "backups", target=5)
    db.execute_sql(
        "INSERT INTO sessions (client_session_id, mode, status, persona_id, persona_name, persona_snapshot,"
        " scenario_id, scenario_snapshot, difficulty, started_at, owner_pid) VALUES ('u', 'text', 'active', 'p', 'P',"
        " '{}', 's', '{}', 'PRO', '2026-01-01T00:00:00.000Z', 42)"
    )
    migrate(db, tmp_path / "backups", target=6)
    assert schema_version(db) == 6
    # A call left active by an older version has no owner lock (recovery falls back to its pid) and no last write.
    assert db.execute_sql("SELECT owner_pid, owner_lock, last_write_at FROM sessions").fetchall() == [(42, "", None)]


def test_a_failing_step_leaves_the_previous_schema(tmp_path: Path, monkeypatch):
    from desktop.store import migrations

    db = fresh(tmp_path / "c.db")
    migrate(db, tmp_path / "backups", target=1)
    broken = migrations.Migration(2, "broken", ("CREATE TABLE half_done (x)", "THIS IS NOT SQL"))
    monkeypatch.setattr(migrations, "MIGRATIONS", (migrations.MIGRATIONS[0], broken))
    try:
        migrations.migrate(db, tmp_path / "backups", target=2)
        raise AssertionError("the broken step did not fail")
    except Exception as exc:
        assert "syntax error" in str(exc)
    assert schema_version(db) == 1
    assert "half_done" not in tables(db)


def test_opening_the_store_migrates_to_latest(tmp_path: Path):
    store = Store.open(tmp_path / "d.db", tmp_path / "backups")
    try:
        assert schema_version(store.db) == LATEST_VERSION
        assert store.migration_backup is None
    finally:
        store.close()
