"""Pushing the outbox: every pending session revision goes to the backend with an idempotent PUT, oldest session
first, a few in flight at a time, and what the backend answered is recorded through the store.

A round stops early on the first failure that concerns the backend rather than one session (offline, a 5xx, a
timeout, a 429, a 401/403); the caller decides when to try again. A failure that concerns one session (400/413/422)
marks that revision rejected and the round goes on. A 409 is resolved by the conflict resolver.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from desktop.store.documents import session_document
from desktop.store.models import database
from desktop.store.queries import SessionQueries
from desktop.store.sync_store import PendingDeletion, PendingRevision, PushedRevision, SyncStore, Tombstone
from desktop.sync.client import BackendClient, PutAccepted
from desktop.sync.errors import (
    BackendUnavailable,
    BackendUnreachable,
    RateLimited,
    RequestRejected,
    SignInNeeded,
    StaleRevision,
    SyncError,
)
from desktop.sync.pull import remove_recordings
from desktop.sync.status import RejectedSession

log = logging.getLogger(__name__)

# What a 409 resolver says: True when the conflict is settled (the server's copy was kept, or the local copy
# caught up and will be pushed again); False when the server's copy could not be fetched.
ConflictResolver = Callable[[PendingRevision, int], bool]

# When several pushes fail at once, the one that decides what happens next: a sign-in problem pauses sync,
# a Retry-After sets the wait, offline beats a server error for what the user is told.
_FAILURE_RANK = {SignInNeeded: 0, RateLimited: 1, BackendUnreachable: 2, BackendUnavailable: 3}


class StopSignal:
    """Set once when sync must stop; a Future, so a round can wait on pushes and on the signal together."""

    def __init__(self) -> None:
        self.future: Future[None] = Future()

    def set(self) -> None:
        if not self.future.done():
            self.future.set_result(None)

    def is_set(self) -> bool:
        return self.future.done()


@dataclass
class RoundResult:
    queued: int = 0  # revisions pending when the round began
    pushed: int = 0
    rejected: list[RejectedSession] = field(default_factory=list)
    conflicts: int = 0
    deleted: int = 0  # deletions the backend acknowledged
    failure: SyncError | None = None
    stopped: bool = False

    @property
    def resolved(self) -> int:
        return self.pushed + len(self.rejected) + self.conflicts + self.deleted


@dataclass(frozen=True)
class _Sent:
    item: PendingRevision
    revision: int  # the revision in the document actually sent (it may be newer than when it was queued)


class Outbox:
    def __init__(
        self,
        store: SyncStore,
        queries: SessionQueries,
        device_id: str,
        *,
        max_in_flight: int = 4,
        resolve_conflict: ConflictResolver | None = None,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._store = store
        self._queries = queries
        self._device_id = device_id
        self._max_in_flight = max_in_flight
        self._resolve_conflict = resolve_conflict
        self._pool = ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix="sync-push")

    def close(self) -> None:
        """Abandons pushes still in flight: their revisions stay pending and are sent again next time (the PUT
        is idempotent, so one that did reach the server is not duplicated)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def pending(self) -> list[PendingRevision]:
        return self._store.pending()

    def document_body(self, session_id: int) -> tuple[bytes, int] | None:
        """The session document as sent, and its revision; None when the session is gone."""
        with database.atomic("DEFERRED"):  # a read: one snapshot: the row, its lines and its grade as of one moment
            record = self._queries.get_session(session_id)
        if record is None:
            return None
        document = session_document(record, self._device_id)
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(), document["revision"]

    def push_round(
        self,
        client: BackendClient,
        stop: StopSignal,
        on_resolved: Callable[[RoundResult], None] | None = None,
    ) -> RoundResult:
        """Pushes what is pending now: deletions first (one at a time: they are few), then session revisions.
        `on_resolved` hears the running totals after each batch of answers."""
        deletions = self._store.pending_deletions()
        pending = self._store.pending()
        result = RoundResult(queued=len(deletions) + len(pending))
        for deletion in deletions:
            if stop.is_set():
                result.stopped = True
                return result
            self._push_deletion(client, deletion, result)
            if result.failure is not None:
                return result
            if on_resolved:
                on_resolved(result)
        queue = iter(pending)
        in_flight: dict[Future, _Sent] = {}
        writes: list[Future] = []
        exhausted = False
        while True:
            while (
                not exhausted and result.failure is None and not stop.is_set() and len(in_flight) < self._max_in_flight
            ):
                item = next(queue, None)
                if item is None:
                    exhausted = True
                    break
                prepared = self._prepare(item)
                if prepared is not None:
                    body, revision = prepared
                    in_flight[self._pool.submit(client.put_session, item.client_session_id, body)] = _Sent(
                        item, revision
                    )
            if stop.is_set():
                result.stopped = True
                break
            if not in_flight:
                break
            done, _ = wait([*in_flight, stop.future], return_when=FIRST_COMPLETED)
            pushed: list[PushedRevision] = []
            for future in done:
                if future is stop.future:
                    continue
                sent = in_flight.pop(future)
                self._settle(sent, future, result, pushed, writes)
            if pushed:
                writes.append(self._store.mark_pushed(pushed))
                result.pushed += len(pushed)
            if on_resolved:
                on_resolved(result)
        for write in writes:
            write.result()
        return result

    def _prepare(self, item: PendingRevision) -> tuple[bytes, int] | None:
        try:
            return self.document_body(item.session_id)
        except Exception:  # a local bug must not stop every other session from syncing
            log.exception("could not prepare session %s for sync; skipping it this round", item.session_id)
            return None

    def _settle(
        self, sent: _Sent, future: Future, result: RoundResult, pushed: list[PushedRevision], writes: list[Future]
    ) -> None:
        item = sent.item
        try:
            accepted: PutAccepted = future.result()
        except RequestRejected as exc:
            log.warning(
                "session %s revision %s rejected: %s (%s)", item.session_id, sent.revision, exc.message, exc.detail
            )
            writes.append(self._store.mark_rejected(item.session_id, sent.revision, exc.status_code, exc.message))
            result.rejected.append(RejectedSession(item.session_id, exc.message))
            return
        except StaleRevision as exc:
            self._conflict(sent, exc, result, writes)
            return
        except SyncError as exc:
            self._fail(result, exc)
            return
        except Exception as exc:  # an unexpected bug in a push: keep the revision queued, retry later
            log.exception("pushing session %s failed unexpectedly", item.session_id)
            self._fail(result, BackendUnavailable("Sync hit an unexpected problem. Retrying later.", repr(exc)))
            return
        pushed.append(PushedRevision(item.session_id, sent.revision, accepted.remote_id, item.client_session_id))

    def _push_deletion(self, client: BackendClient, deletion: PendingDeletion, result: RoundResult) -> None:
        """DELETE with the deletion's revision; when another device pushed a later revision meanwhile (409), the
        trainee's delete still wins: it is sent again one above the server's."""
        revision = deletion.revision
        for _attempt in range(3):
            try:
                client.delete_session(deletion.client_session_id, revision, self._device_id)
            except StaleRevision as exc:
                revision = exc.server_revision + 1
                continue
            except RequestRejected as exc:  # cannot succeed unchanged; the call is gone here either way
                log.warning("deletion of %s refused: %s (%s)", deletion.client_session_id, exc.message, exc.detail)
                self._store.forget_deletion(deletion.client_session_id, deletion.revision).result()
                return
            except SyncError as exc:
                self._fail(result, exc)
                return
            self._store.forget_deletion(deletion.client_session_id, deletion.revision).result()
            result.deleted += 1
            return
        self._fail(result, BackendUnavailable("The team backend keeps refusing a deletion. Retrying later.", ""))

    def _conflict(self, sent: _Sent, exc: StaleRevision, result: RoundResult, writes: list[Future]) -> None:
        item = sent.item
        if exc.deleted:  # deleted on another device after this revision: the deletion wins here too
            log.info("session %s was deleted on another device; deleting it here", item.session_id)
            deleted = self._store.apply_tombstones([Tombstone(item.client_session_id, exc.server_revision)]).result()
            remove_recordings(path for _cid, path in deleted)
            result.conflicts += 1
            return
        if self._resolve_conflict is None:
            self._fail(result, BackendUnavailable("The team backend holds a newer copy of a session.", exc.detail))
            return
        try:
            settled = self._resolve_conflict(
                PendingRevision(item.session_id, item.client_session_id, sent.revision), exc.server_revision
            )
        except SyncError as failure:
            self._fail(result, failure)
            return
        if settled:
            result.conflicts += 1
            return
        message = (
            f"The team backend holds a newer copy of this session (revision {exc.server_revision}) that could not "
            "be fetched; this copy was not sent."
        )
        writes.append(self._store.mark_rejected(item.session_id, sent.revision, 409, message))
        result.rejected.append(RejectedSession(item.session_id, message))

    @staticmethod
    def _fail(result: RoundResult, failure: SyncError) -> None:
        log.info("sync round held back: %s (%s)", failure.message, failure.detail)
        current = result.failure
        if current is None or _rank(failure) < _rank(current):
            result.failure = failure


def _rank(failure: SyncError) -> int:
    for kind, rank in _FAILURE_RANK.items():
        if isinstance(failure, kind):
            return rank
    return len(_FAILURE_RANK)
