"""Sessions pulled from the backend, written into the local tables: a document from another device inserted or
brought up to its newer revision, its lines (with the words first heard on lines the trainee corrected) and its
grade. Every function here runs on the database writer thread inside the caller's transaction (`SyncStore`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from desktop.core.clock import to_iso, utc_now
from desktop.core.results import Grade
from desktop.core.transcript import TranscriptLine
from desktop.store.models import database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RemoteSession:
    """A session document from the backend, checked and turned into what the local tables hold."""

    client_session_id: str
    remote_id: int | None
    revision: int
    device_id: str
    columns: dict  # sessions columns
    lines: tuple[TranscriptLine, ...]
    grade: Grade | None
    graded_at: str | None
    # What the recogniser first heard on each line the trainee corrected (seq -> words); kept on every device.
    heard_texts: dict[int, str] = field(default_factory=dict)


# -- writing a document's content (on the writer thread, inside a transaction) ------------------------------------


def save_remote(remote: RemoteSession, own_device_id: str) -> tuple[int, bool] | None:
    try:
        with database.atomic():  # a savepoint: one bad document leaves the others stored
            row = database.execute_sql(
                "SELECT s.id, s.revision, r.device_id FROM sessions s"
                " LEFT JOIN sync_remote_sessions r ON r.session_id = s.id WHERE s.client_session_id = ?",
                (remote.client_session_id,),
            ).fetchone()
            if row is None:
                session_id = _insert_session(remote)
                if remote.device_id != own_device_id:
                    database.execute_sql(
                        "INSERT INTO sync_remote_sessions (session_id, device_id, pulled_at) VALUES (?, ?, ?)",
                        (session_id, remote.device_id, to_iso(utc_now())),
                    )
                return session_id, True
            session_id, revision, origin = row
            if origin is None:
                log.warning("not replacing session %s from the backend: it was made on this device", session_id)
                return None
            if remote.revision > revision:
                apply_document(session_id, remote)
            return session_id, False
    except Exception:  # peewee wraps sqlite errors in its own types; any failure here is one bad document
        log.exception("could not store session %s from the backend", remote.client_session_id)
        return None


def _insert_session(remote: RemoteSession) -> int:
    columns = {
        **remote.columns,
        "client_session_id": remote.client_session_id,
        "revision": remote.revision,
        "synced_revision": remote.revision,
        "remote_id": remote.remote_id,
        "needs_grading": 0,
    }
    names = ", ".join(columns)
    cursor = database.execute_sql(
        f"INSERT INTO sessions ({names}) VALUES ({', '.join('?' * len(columns))})", tuple(columns.values())
    )
    session_id = int(cursor.lastrowid)
    _write_lines_and_grade(session_id, remote)
    return session_id


def apply_document(session_id: int, remote: RemoteSession) -> None:
    columns = {**remote.columns, "revision": remote.revision, "synced_revision": remote.revision, "sync_error": ""}
    if remote.remote_id is not None:
        columns["remote_id"] = remote.remote_id
    assignments = ", ".join(f"{name} = ?" for name in columns)
    database.execute_sql(f"UPDATE sessions SET {assignments} WHERE id = ?", (*columns.values(), session_id))
    database.execute_sql("DELETE FROM transcript_lines WHERE session_id = ?", (session_id,))
    _write_lines_and_grade(session_id, remote)


def _write_lines_and_grade(session_id: int, remote: RemoteSession) -> None:
    database.cursor().executemany(
        "INSERT INTO transcript_lines"
        " (session_id, seq, speaker, text, offset_ms, duration_ms, interrupted, heard_text)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                session_id,
                ln.seq,
                ln.speaker.value,
                ln.text,
                ln.offset_ms,
                ln.duration_ms,
                int(ln.interrupted),
                remote.heard_texts.get(ln.seq),
            )
            for ln in remote.lines
        ],
    )
    grade = remote.grade
    if grade is None:
        return
    latest = database.execute_sql(
        "SELECT grader, rapport, discovery, objection_handling, closing, graded_at FROM grades"
        " WHERE session_id = ? ORDER BY id DESC LIMIT 1",
        (session_id,),
    ).fetchone()
    incoming = (grade.grader, grade.rapport, grade.discovery, grade.objection_handling, grade.closing)
    if latest is not None and tuple(latest[:5]) == incoming and latest[5] == remote.graded_at:
        return  # the same grade again: earlier grades stay history, not duplicates
    feedback = {key: list(getattr(grade, key)) for key in ("strengths", "improvements", "recommendations")}
    database.execute_sql(
        "INSERT INTO grades (session_id, grader, rapport, discovery, objection_handling, closing, overall, feedback,"
        " virtual_earnings, xp_earned, note, graded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)",
        (
            session_id,
            *incoming,
            grade.overall,
            json.dumps(feedback),
            grade.virtual_earnings,
            grade.xp_earned,
            remote.graded_at or to_iso(utc_now()),
        ),
    )
