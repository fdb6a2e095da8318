"""Pull: sessions the same user made on other devices come into the local history (marked as from another device,
reviewable, without a recording), calls deleted on another device leave it, and the server's copy of a session is
fetched when a push meets a 409.

After the first full pull, a pull asks only for the other devices' work (`exclude_device_id`): this device's own
sessions are already here. The first pull takes everything, so a device whose database was lost gets its calls back."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desktop import settings as app_settings
from desktop.core.clock import parse_iso, utc_now
from desktop.store.pulled_sessions import RemoteSession
from desktop.store.sync_store import PULL_SINCE_KEY, PendingRevision, SyncStore, Tombstone
from desktop.sync.client import BackendClient
from desktop.sync.remote import parse_remote_document

log = logging.getLogger(__name__)

BEGINNING = "1970-01-01T00:00:00Z"
# The next pull asks again for this much before the last one began: sessions committed while it ran are caught,
# and what comes twice is recognised by its revision.
OVERLAP = timedelta(minutes=2)
# A server clock may lag the device that started a session; look this far before the start for its copy.
CLOCK_SLACK = timedelta(days=1)
MAX_PAGES = 10_000


@dataclass(frozen=True)
class PullResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # documents that could not be read or stored (logged)
    deleted: int = 0  # local calls removed because another device deleted them


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Puller:
    def __init__(
        self,
        client: BackendClient,
        store: SyncStore,
        device_id: str,
        *,
        page_size: int = 100,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self._client = client
        self._store = store
        self._device_id = device_id
        self._page_size = page_size
        self._should_stop = should_stop  # checked between pages and documents, so quitting never waits for a pull

    def pull(self) -> PullResult:
        """Fetches everything updated since the last pull. Raises the client's errors (nothing is half-applied:
        each page is stored in one transaction, and the watermark only moves after the last page)."""
        entry = self._store.cached(PULL_SINCE_KEY)
        since = entry.value if entry and isinstance(entry.value, str) else BEGINNING
        totals = {"added": 0, "updated": 0, "unchanged": 0, "skipped": 0, "deleted": 0}
        began: datetime | None = None
        cursor: str | None = None
        seen_cursors: set[str] = set()
        others_only = self._device_id if since != BEGINNING else None
        for _ in range(MAX_PAGES):
            page = self._client.list_sessions(
                since, cursor=cursor, limit=self._page_size, exclude_device_id=others_only
            )
            began = began or page.server_date or utc_now()
            self._store_page(page.sessions, totals)
            self._apply_deletions(page.deleted, totals)
            if self._should_stop():
                return PullResult(**totals)  # the watermark stays: the next pull starts over from it
            cursor = page.next_cursor
            if cursor is None or cursor in seen_cursors:
                break
            seen_cursors.add(cursor)
        self._store.put_cached(PULL_SINCE_KEY, rfc3339((began or utc_now()) - OVERLAP)).result()
        return PullResult(**totals)

    def _store_page(self, documents: list[dict], totals: dict[str, int]) -> None:
        wanted: list[RemoteSession] = []
        for document in documents:
            if self._should_stop():
                return
            client_session_id = document.get("client_session_id")
            if isinstance(client_session_id, str) and self._store.deletion_pending(client_session_id):
                totals["unchanged"] += 1  # deleted here; the deletion is on its way to the server
                continue
            local = self._store.local_copy(client_session_id) if isinstance(client_session_id, str) else None
            # Made here and still here: the local copy is the source (a 409 settles a higher server revision).
            # Made on another device: taken when new or newer than the copy pulled before.
            revision = document.get("revision")
            newer = isinstance(revision, int) and local is not None and revision > local.revision
            if local is not None and (not local.origin_device or not newer):
                totals["unchanged"] += 1
                continue
            try:
                wanted.append(parse_remote_document(document))
            except (ValueError, TypeError) as exc:
                log.warning("skipping session %r from the backend: %s", client_session_id, exc)
                totals["skipped"] += 1
        if not wanted:
            return
        for outcome in self._store.save_remote_sessions(wanted, self._device_id).result():
            if outcome is None:
                totals["skipped"] += 1
            else:
                totals["added" if outcome[1] else "updated"] += 1

    def _apply_deletions(self, tombstones: list[dict], totals: dict[str, int]) -> None:
        wanted = []
        for item in tombstones:
            client_session_id, revision = item.get("client_session_id"), item.get("revision")
            if not isinstance(client_session_id, str) or not isinstance(revision, int) or isinstance(revision, bool):
                log.warning("skipping an unreadable deletion from the backend: %r", item)
                totals["skipped"] += 1
                continue
            if self._store.local_copy(client_session_id) is not None:
                wanted.append(Tombstone(client_session_id, revision, str(item.get("device_id") or "")))
        if not wanted:
            return
        deleted = self._store.apply_tombstones(wanted).result()
        remove_recordings(path for _cid, path in deleted)
        totals["deleted"] += len(deleted)

    # -- 409 --------------------------------------------------------------------------------------------------------

    def find(self, client_session_id: str, updated_since: str) -> dict | None:
        """The server's copy of one session, looked for among those updated since the given time."""
        cursor: str | None = None
        seen_cursors: set[str] = set()
        for _ in range(MAX_PAGES):
            page = self._client.list_sessions(updated_since, cursor=cursor, limit=self._page_size)
            for document in page.sessions:
                if document.get("client_session_id") == client_session_id:
                    return document
            cursor = page.next_cursor
            if cursor is None or cursor in seen_cursors:
                return None
            seen_cursors.add(cursor)
        return None

    def resolve_conflict(self, item: PendingRevision, server_revision: int) -> bool:
        """A session is written by one device only, so the higher revision is the later state of it: keep the
        server's copy here (after a restored backup, say), and log it."""
        started = self._store.started_at(item.session_id)
        if started is None:
            return True  # deleted meanwhile: nothing left to reconcile
        since = rfc3339(parse_iso(started) - CLOCK_SLACK)
        document = self.find(item.client_session_id, since)
        if document is None:
            log.warning(
                "session %s: the backend reported revision %s but its copy was not found",
                item.session_id,
                server_revision,
            )
            return False
        try:
            remote = parse_remote_document(document)
        except ValueError as exc:
            log.warning("session %s: the backend's copy cannot be read: %s", item.session_id, exc)
            return False
        kept = self._store.adopt_server_copy(item.session_id, remote).result()
        if kept:
            log.warning(
                "session %s: the backend held revision %s and this device revision %s; kept the backend's copy",
                item.session_id,
                remote.revision,
                item.revision,
            )
        return True


def remove_recordings(paths: Iterable[str]) -> None:
    """The recordings of calls deleted through sync, when they live in the app's recordings folder (files elsewhere
    are the user's)."""
    folder = app_settings.recordings_dir().resolve()
    for text in paths:
        if not text:
            continue
        path = Path(text)
        path = path if path.is_absolute() else app_settings.data_dir() / path
        try:
            if path.resolve().is_relative_to(folder):
                path.unlink(missing_ok=True)
        except OSError:
            log.warning("could not delete the recording of a call deleted on another device", exc_info=True)
