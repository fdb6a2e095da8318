"""Numbered schema migrations, tracked in SQLite's `user_version`.

Each step is plain SQL run in one transaction, so a failed step leaves the previous schema intact. Before any step runs
on an existing database, the file is copied aside (a consistent copy through SQLite's backup API).
Steps never import the peewee models: models describe the newest schema, migrations describe history.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


def _m1_initial() -> tuple[str, ...]:
    return (
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            client_session_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL DEFAULT 'roleplay',
            mode TEXT NOT NULL,
            status TEXT NOT NULL,
            end_reason TEXT,
            error_message TEXT NOT NULL DEFAULT '',
            persona_id TEXT NOT NULL,
            persona_name TEXT NOT NULL,
            persona_snapshot TEXT NOT NULL,
            scenario_id TEXT NOT NULL,
            scenario_snapshot TEXT NOT NULL,
            difficulty TEXT NOT NULL,
            practice_mode INTEGER NOT NULL DEFAULT 1,
            trainee_name TEXT NOT NULL DEFAULT '',
            agent_id TEXT NOT NULL DEFAULT '',
            conversation_id TEXT NOT NULL DEFAULT '',
            started_at TEXT NOT NULL,
            ended_at TEXT,
            duration_seconds REAL,
            owner_pid INTEGER,
            owner_host TEXT NOT NULL DEFAULT '',
            metrics TEXT,
            recording_path TEXT NOT NULL DEFAULT '',
            needs_grading INTEGER NOT NULL DEFAULT 0,
            revision INTEGER NOT NULL DEFAULT 0,
            remote_id INTEGER,
            synced_revision INTEGER NOT NULL DEFAULT 0,
            sync_error TEXT NOT NULL DEFAULT '',
            CHECK (status IN ('active', 'completed', 'interrupted', 'failed'))
        )
        """,
        "CREATE INDEX sessions_started ON sessions (started_at DESC)",
        "CREATE INDEX sessions_status ON sessions (status)",
        "CREATE INDEX sessions_persona ON sessions (persona_id, started_at DESC)",
        """
        CREATE TABLE transcript_lines (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            speaker TEXT NOT NULL,
            text TEXT NOT NULL,
            offset_ms INTEGER NOT NULL DEFAULT 0,
            duration_ms INTEGER NOT NULL DEFAULT 0,
            interrupted INTEGER NOT NULL DEFAULT 0,
            UNIQUE (session_id, seq)
        )
        """,
        """
        CREATE TABLE grades (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            grader TEXT NOT NULL,
            rapport INTEGER NOT NULL,
            discovery INTEGER NOT NULL,
            objection_handling INTEGER NOT NULL,
            closing INTEGER NOT NULL,
            overall INTEGER NOT NULL,
            feedback TEXT NOT NULL,
            virtual_earnings INTEGER NOT NULL DEFAULT 0,
            xp_earned INTEGER NOT NULL DEFAULT 0,
            note TEXT NOT NULL DEFAULT '',
            graded_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX grades_session ON grades (session_id, id DESC)",
        """
        CREATE TABLE user_personas (
            id TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
    )


def _m2_transcript_search() -> tuple[str, ...]:
    # An external-content FTS5 index kept in step by triggers: the text is stored once, in transcript_lines.
    return (
        """
        CREATE VIRTUAL TABLE transcript_fts USING fts5(
            text, session_id UNINDEXED, content='transcript_lines', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        )
        """,
        """
        CREATE TRIGGER transcript_lines_ai AFTER INSERT ON transcript_lines BEGIN
            INSERT INTO transcript_fts (rowid, text, session_id) VALUES (new.id, new.text, new.session_id);
        END
        """,
        """
        CREATE TRIGGER transcript_lines_ad AFTER DELETE ON transcript_lines BEGIN
            INSERT INTO transcript_fts (transcript_fts, rowid, text, session_id)
            VALUES ('delete', old.id, old.text, old.session_id);
        END
        """,
        """
        CREATE TRIGGER transcript_lines_au AFTER UPDATE OF text ON transcript_lines BEGIN
            INSERT INTO transcript_fts (transcript_fts, rowid, text, session_id)
            VALUES ('delete', old.id, old.text, old.session_id);
            INSERT INTO transcript_fts (rowid, text, session_id) VALUES (new.id, new.text, new.session_id);
        END
        """,
        "INSERT INTO transcript_fts (transcript_fts) VALUES ('rebuild')",
    )


def _m3_sync_state() -> tuple[str, ...]:
    # Sync bookkeeping beside the sessions table (sessions.revision/remote_id/synced_revision stay the outbox):
    # sessions pulled from another device, revisions the backend rejected, and cached answers (limits, personas).
    return (
        """
        CREATE TABLE sync_remote_sessions (
            session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
            device_id TEXT NOT NULL,
            pulled_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE sync_rejections (
            session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
            revision INTEGER NOT NULL,
            status_code INTEGER NOT NULL,
            message TEXT NOT NULL,
            rejected_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE sync_cache (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            etag TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL
        )
        """,
        # The outbox query reads only unsynced rows, however long the history grows.
        "CREATE INDEX sessions_unsynced ON sessions (id) WHERE revision > synced_revision",
    )


def _m4_trainee_goals() -> tuple[str, ...]:
    # Goals the trainee (or the coach) sets, for the coaching memory; a goal outlives the session it came from.
    return (
        """
        CREATE TABLE trainee_goals (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            text TEXT NOT NULL CHECK (length(trim(text)) > 0),
            source_session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
            set_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX trainee_goals_set ON trainee_goals (set_at DESC, id DESC)",
    )


def _m5_debrief_link() -> tuple[str, ...]:
    # A coach debrief is a session of kind 'coach' that points at the call it reviews. Deleting that call keeps the
    # debrief (and the goal it set), unlinked.
    return (
        "ALTER TABLE sessions ADD COLUMN parent_session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL",
        "CREATE INDEX sessions_parent ON sessions (parent_session_id) WHERE parent_session_id IS NOT NULL",
    )


def _m6_owner_lock() -> tuple[str, ...]:
    # Who owns an active call: the name of an OS lock file its process holds (a process id alone is reused after a
    # reboot and is 1 in every PID namespace). When the last write to a call happened: a crashed call's length.
    return (
        "ALTER TABLE sessions ADD COLUMN owner_lock TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN last_write_at TEXT",
    )


def _m7_heard_text() -> tuple[str, ...]:
    # A trainee line the recogniser misheard can be corrected after the call; the words it heard are kept beside
    # the corrected ones (null: never corrected). The search index follows `text`, the corrected words.
    return ("ALTER TABLE transcript_lines ADD COLUMN heard_text TEXT",)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "sessions, transcript lines, grades, user personas", _m1_initial()),
    Migration(2, "full-text search over transcript lines", _m2_transcript_search()),
    Migration(3, "sync: remote sessions, rejections, cached limits and team personas", _m3_sync_state()),
    Migration(4, "trainee goals for the coaching memory", _m4_trainee_goals()),
    Migration(5, "coach debriefs linked to the call they review", _m5_debrief_link()),
    Migration(6, "the owner of an active call by its OS lock; the time of a call's last write", _m6_owner_lock()),
    Migration(7, "what the recogniser heard, kept when a trainee line is corrected", _m7_heard_text()),
)
LATEST_VERSION = MIGRATIONS[-1].version


class MigrationError(RuntimeError):
    pass


def schema_version(db: SqliteDatabase) -> int:
    return int(db.execute_sql("PRAGMA user_version").fetchone()[0])


def backup_database(db: SqliteDatabase, backup_dir: Path, label: str) -> Path:
    """A consistent copy of the live database (WAL included), made with SQLite's online backup API."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = backup_dir / f"roleplay-{label}-{stamp}.db"
    counter = 1
    while target.exists():
        target = backup_dir / f"roleplay-{label}-{stamp}-{counter}.db"
        counter += 1
    dest = sqlite3.connect(str(target))
    try:
        db.connection().backup(dest)
    finally:
        dest.close()
    return target


def migrate(
    db: SqliteDatabase,
    backup_dir: Path | None,
    target: int = LATEST_VERSION,
    on_step: Callable[[Migration], None] | None = None,
) -> Path | None:
    """Brings the schema up to `target`; returns the backup made first, if any."""
    current = schema_version(db)
    if current > LATEST_VERSION:
        raise MigrationError(
            f"This database was written by a newer version of Roleplay Trainer (schema {current}, "
            f"this app knows up to {LATEST_VERSION}). Update the app; the file was not touched."
        )
    pending = [m for m in MIGRATIONS if current < m.version <= target]
    if not pending:
        return None
    backup = None
    if current > 0 and backup_dir is not None:
        backup = backup_database(db, backup_dir, f"schema{current}")
    for step in pending:
        with db.atomic():  # IMMEDIATE (see db.py): a second process opening a new file at once waits here
            if schema_version(db) >= step.version:
                continue  # that other process ran this step while we waited
            for statement in step.statements:
                db.execute_sql(statement)
            db.execute_sql(f"PRAGMA user_version = {int(step.version)}")
        if on_step:
            on_step(step)
    return backup
