"""The store side of sync: which session revisions wait to be pushed, what the backend said about them, sessions
pulled from other devices (written by `pulled_sessions`), and cached backend answers (today's limits, team
personas).

`sessions.revision > sessions.synced_revision` is the durable outbox: nothing is queued in memory only, so a crash
or a quit mid-push loses nothing. Deleted calls wait in `sync_deletions`, filled by a trigger on every delete of a
session the backend has (or may have) seen, whoever deletes it; `install_deletion_outbox` creates both.
Reads run on any thread; every write is a job on the database writer thread (through `SessionRepository.submit`),
one transaction each, returning a Future.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from desktop.core.clock import to_iso, utc_now
from desktop.core.personas import Persona
from desktop.store.models import database
from desktop.store.pulled_sessions import RemoteSession, apply_document, save_remote
from desktop.store.sessions import SessionRepository

log = logging.getLogger(__name__)

TEAM_PERSONAS_KEY = "team_personas"
USAGE_KEY = "usage_today"
PULL_SINCE_KEY = "pull_since"

_PENDING = """
SELECT s.id, s.client_session_id, s.revision FROM sessions s
WHERE s.revision > s.synced_revision AND s.status != 'active' AND s.needs_grading = 0
  AND NOT EXISTS (SELECT 1 FROM sync_remote_sessions r WHERE r.session_id = s.id)
  AND NOT EXISTS (SELECT 1 FROM sync_rejections j WHERE j.session_id = s.id AND j.revision = s.revision)
"""


# The deletion outbox lives beside the numbered migrations' tables and is created by the sync layer at start-up
# (IF NOT EXISTS, so it costs nothing after the first time). A trigger, not the callers, records a deletion: every
# way a call is deleted (review, history, a future bulk delete) is covered. The deletion's revision is one above
# the last one this device knew; a pushed-but-unanswered revision is covered by `mark_pushed`.
_DELETION_OUTBOX = (
    """
    CREATE TABLE IF NOT EXISTS sync_deletions (
        client_session_id TEXT PRIMARY KEY,
        revision INTEGER NOT NULL,
        deleted_at TEXT NOT NULL
    )
    """,
    """
    CREATE TRIGGER IF NOT EXISTS sync_session_deleted BEFORE DELETE ON sessions
    WHEN old.synced_revision > 0 OR EXISTS (SELECT 1 FROM sync_remote_sessions r WHERE r.session_id = old.id)
    BEGIN
        INSERT OR REPLACE INTO sync_deletions (client_session_id, revision, deleted_at)
        VALUES (old.client_session_id, max(old.revision, old.synced_revision) + 1,
                strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    END
    """,
)


@dataclass(frozen=True)
class PendingDeletion:
    """A deleted call whose deletion the backend has not acknowledged yet."""

    client_session_id: str
    revision: int


@dataclass(frozen=True)
class Tombstone:
    """A deletion from the backend: made on another device (or answered to a push as 409 deleted)."""

    client_session_id: str
    revision: int
    device_id: str = ""


@dataclass(frozen=True)
class PendingRevision:
    """One session revision waiting to be pushed."""

    session_id: int
    client_session_id: str
    revision: int


@dataclass(frozen=True)
class PushedRevision:
    session_id: int
    revision: int
    remote_id: int | None
    client_session_id: str = ""  # lets a push answered after the call was deleted queue its deletion


@dataclass(frozen=True)
class Rejection:
    session_id: int
    revision: int
    status_code: int
    message: str


@dataclass(frozen=True)
class CacheEntry:
    value: object
    etag: str
    updated_at: str


@dataclass(frozen=True)
class LocalCopy:
    session_id: int
    revision: int
    origin_device: str  # "" when the session was made on this device


class SyncStore:
    def __init__(self, repository: SessionRepository) -> None:
        self._repository = repository

    # -- reads ------------------------------------------------------------------------------------------------

    def pending(self, limit: int | None = None) -> list[PendingRevision]:
        """Revisions to push, oldest session first. Sessions still waiting for their grade go once graded;
        sessions pulled from another device and revisions the backend rejected are never pushed."""
        sql = _PENDING + " ORDER BY s.id" + (f" LIMIT {int(limit)}" if limit is not None else "")
        return [PendingRevision(*row) for row in database.execute_sql(sql).fetchall()]

    def pending_count(self) -> int:
        """Revisions and deletions still to push."""
        revisions = int(database.execute_sql(f"SELECT count(*) FROM ({_PENDING})").fetchone()[0])
        return revisions + len(self.pending_deletions())

    def pending_deletions(self) -> list[PendingDeletion]:
        """Deleted calls to tell the backend about, oldest first (none before the outbox is installed)."""
        try:
            rows = database.execute_sql(
                "SELECT client_session_id, revision FROM sync_deletions ORDER BY deleted_at, client_session_id"
            ).fetchall()
        except Exception:  # no such table: sync never started on this database, so nothing was recorded
            return []
        return [PendingDeletion(*row) for row in rows]

    def deletion_pending(self, client_session_id: str) -> bool:
        return any(d.client_session_id == client_session_id for d in self.pending_deletions())

    def rejections(self) -> list[Rejection]:
        """Sessions whose current revision the backend refused (a later change is pushed again)."""
        rows = database.execute_sql(
            "SELECT j.session_id, j.revision, j.status_code, j.message FROM sync_rejections j"
            " JOIN sessions s ON s.id = j.session_id WHERE j.revision = s.revision ORDER BY j.session_id"
        ).fetchall()
        return [Rejection(*row) for row in rows]

    def local_copy(self, client_session_id: str) -> LocalCopy | None:
        row = database.execute_sql(
            "SELECT s.id, s.revision, coalesce(r.device_id, '') FROM sessions s"
            " LEFT JOIN sync_remote_sessions r ON r.session_id = s.id WHERE s.client_session_id = ?",
            (client_session_id,),
        ).fetchone()
        return LocalCopy(*row) if row else None

    def origin_devices(self, session_ids: Iterable[int]) -> dict[int, str]:
        """For history and review: which of these sessions came from another device, and from which one."""
        ids = [int(i) for i in session_ids]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = database.execute_sql(
            f"SELECT session_id, device_id FROM sync_remote_sessions WHERE session_id IN ({marks})", ids
        ).fetchall()
        return dict(rows)

    def started_at(self, session_id: int) -> str | None:
        row = database.execute_sql("SELECT started_at FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return row[0] if row else None

    def cached(self, key: str) -> CacheEntry | None:
        row = database.execute_sql("SELECT value, etag, updated_at FROM sync_cache WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return CacheEntry(json.loads(row[0]), row[1], row[2])
        except ValueError:
            log.warning("ignoring an unreadable sync cache entry %r", key)
            return None

    # -- writes (each one transaction on the writer thread) -----------------------------------------------------

    def install_deletion_outbox(self) -> Future[None]:
        """Creates the deletion outbox and its trigger when missing (sync calls it once at start-up)."""

        def job() -> None:
            with database.atomic():
                for statement in _DELETION_OUTBOX:
                    database.execute_sql(statement)

        return self._repository.submit(job)

    def forget_deletion(self, client_session_id: str, revision: int) -> Future[None]:
        """The backend acknowledged (or refused for good) this deletion."""

        def job() -> None:
            database.execute_sql(
                "DELETE FROM sync_deletions WHERE client_session_id = ? AND revision <= ?",
                (client_session_id, revision),
            )

        return self._repository.submit(job)

    def apply_tombstones(self, tombstones: Sequence[Tombstone]) -> Future[list[tuple[str, str]]]:
        """Deletes the local copies of calls deleted on another device, unless the copy here is newer than the
        deletion (then it is pushed and comes back on the server). Deleting them here queues no deletion of our
        own. Returns each deleted call's client_session_id and recording path ("" when none), for the caller to
        remove the recording."""
        items = list(tombstones)

        def job() -> list[tuple[str, str]]:
            deleted: list[tuple[str, str]] = []
            with database.atomic():
                for tomb in items:
                    row = database.execute_sql(
                        "SELECT id, revision, recording_path FROM sessions"
                        " WHERE client_session_id = ? AND status != 'active'",
                        (tomb.client_session_id,),
                    ).fetchone()
                    if row is None or row[1] > tomb.revision:
                        continue
                    database.execute_sql("DELETE FROM sessions WHERE id = ?", (row[0],))
                    database.execute_sql(
                        "DELETE FROM sync_deletions WHERE client_session_id = ?", (tomb.client_session_id,)
                    )
                    deleted.append((tomb.client_session_id, row[2] or ""))
            return deleted

        return self._repository.submit(job)

    def mark_pushed(self, pushed: Sequence[PushedRevision]) -> Future[None]:
        """Records revisions the backend accepted. Never lowers synced_revision: a late answer for an older
        revision must not mark a newer one as unsynced again."""
        rows = list(pushed)

        def job() -> None:
            with database.atomic():
                for item in rows:
                    updated = database.execute_sql(
                        "UPDATE sessions SET synced_revision = max(synced_revision, ?),"
                        " remote_id = coalesce(?, remote_id), sync_error = '' WHERE id = ?",
                        (item.revision, item.remote_id, item.session_id),
                    ).rowcount
                    if not updated and item.client_session_id:
                        # Deleted while its push was in flight: the server has it now, so it must hear of the delete.
                        database.execute_sql(
                            "INSERT OR IGNORE INTO sync_deletions (client_session_id, revision, deleted_at)"
                            " VALUES (?, ?, ?)",
                            (item.client_session_id, item.revision + 1, to_iso(utc_now())),
                        )
                    database.execute_sql(
                        "DELETE FROM sync_rejections WHERE session_id = ? AND revision <= ?",
                        (item.session_id, item.revision),
                    )

        return self._repository.submit(job)

    def mark_rejected(self, session_id: int, revision: int, status_code: int, message: str) -> Future[None]:
        """The backend refused this revision: keep the session (nothing is deleted), show why, stop retrying it."""

        def job() -> None:
            with database.atomic():
                database.execute_sql(
                    "INSERT OR REPLACE INTO sync_rejections (session_id, revision, status_code, message, rejected_at)"
                    " SELECT id, ?, ?, ?, ? FROM sessions WHERE id = ?",
                    (revision, status_code, message, to_iso(utc_now()), session_id),
                )
                database.execute_sql("UPDATE sessions SET sync_error = ? WHERE id = ?", (message, session_id))

        return self._repository.submit(job)

    def save_remote_sessions(
        self, remotes: Sequence[RemoteSession], own_device_id: str
    ) -> Future[list[tuple[int, bool] | None]]:
        """Inserts sessions made on another device, or updates the copies pulled before, in one transaction.
        A session this device made that is missing here (the local database was lost) comes back as its own.
        For each: (session id, created), or None when it could not be stored (logged; the others still are)."""
        items = list(remotes)

        def job() -> list[tuple[int, bool] | None]:
            with database.atomic():
                return [save_remote(remote, own_device_id) for remote in items]

        return self._repository.submit(job)

    def adopt_server_copy(self, session_id: int, remote: RemoteSession) -> Future[bool]:
        """After a 409: the backend holds a higher revision of a session made here; that copy wins. Returns False
        when the local copy has meanwhile reached the server's revision (then it is pushed as usual)."""

        def job() -> bool:
            with database.atomic():
                row = database.execute_sql("SELECT revision FROM sessions WHERE id = ?", (session_id,)).fetchone()
                if row is None or row[0] >= remote.revision:
                    return False
                apply_document(session_id, remote)
                database.execute_sql("DELETE FROM sync_rejections WHERE session_id = ?", (session_id,))
                return True

        return self._repository.submit(job)

    def put_cached(self, key: str, value: object, etag: str = "") -> Future[None]:
        text = json.dumps(value)
        now = to_iso(utc_now())

        def job() -> None:
            database.execute_sql(
                "INSERT OR REPLACE INTO sync_cache (key, value, etag, updated_at) VALUES (?, ?, ?, ?)",
                (key, text, etag, now),
            )

        return self._repository.submit(job)


def cached_team_personas() -> list[Persona]:
    """The team's personas as last fetched (checked when fetched), for the contacts list; empty before any."""
    row = database.execute_sql("SELECT value FROM sync_cache WHERE key = ?", (TEAM_PERSONAS_KEY,)).fetchone()
    if row is None:
        return []
    personas = []
    try:
        entries = json.loads(row[0])
    except ValueError:
        return []
    for data in entries if isinstance(entries, list) else []:
        try:
            personas.append(Persona.from_dict({**data, "source": "team"}))
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("skipping an unreadable team persona: %s", exc)
    return personas
