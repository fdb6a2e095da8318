"""500 sessions through a backend that fails in every way the contract names: each ends up on the server exactly
once, equal to the local session, however many times its push failed or was cut off after the server committed."""

from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path

from desktop.settings import load_settings
from desktop.store.documents import session_document
from desktop.store.sync_store import SyncStore
from desktop.sync.service import SyncService
from tests.sync.sync_backend import Fault, SyncBackend
from tests.sync.sync_data import all_synced, fast_options, make_sessions

SESSIONS = 500


class FaultMix:
    """About one PUT in five fails: 500s, 429 with Retry-After, stalls past the client's timeout, and resets after
    the server committed. Seeded, and thread-safe (the backend answers on many threads)."""

    def __init__(self, seed: int = 20261120) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def __call__(self, method: str, route: str, body: dict | None) -> Fault | None:
        if route != "put":
            return None
        with self._lock:
            roll = self._rng.random()
        if roll < 0.07:
            return Fault("500")
        if roll < 0.11:
            return Fault("429", retry_after="1")
        if roll < 0.125:
            return Fault("stall")
        if roll < 0.20:
            return Fault("reset_after_commit")
        return None


def test_500_sessions_through_a_fault_mix_end_as_500_equal_server_rows(repo, queries, tmp_path: Path, monkeypatch):
    ids = make_sessions(repo, SESSIONS, lines=8)
    backend = SyncBackend(tmp_path / "server.db", faults=FaultMix())
    backend.start()
    monkeypatch.setenv("ROLEPLAY_BACKEND_URL", backend.url)
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", "test-token")
    # A short timeout so stalls cost little; Retry-After is honoured up to the test policy's small cap.
    service = SyncService(load_settings(), repo, queries, fast_options(timeout_s=0.5))
    try:
        service.start()
        assert all_synced(service, timeout=240), service.status.state
        service.stop()
        _check(backend, repo, queries, ids)
    finally:
        service.stop()
        backend.stop()


def _check(backend: SyncBackend, repo, queries, ids: list[int]) -> None:
    faults = Counter(seen.fault for seen in backend.seen if seen.route == "put")
    assert min(faults["500"], faults["429"], faults["stall"], faults["reset_after_commit"]) > 0, faults
    device = load_settings().device_id
    local = {}
    for session_id in ids:
        record = queries.get_session(session_id)
        assert record.summary.synced_revision == record.summary.revision
        local[record.summary.client_session_id] = session_document(record, device)
    assert backend.row_count() == SESSIONS
    assert backend.documents() == local
    assert SyncStore(repo).pending_count() == 0
    # A push reset after the server committed was not acknowledged, so it was sent again: the server already had
    # the row, and answered 200 (updated), not 201 (a second row).
    reset_ids = {s.client_session_id for s in backend.seen if s.fault == "reset_after_commit"}
    updated = {s.client_session_id for s in backend.seen if s.status == 200}
    assert reset_ids and reset_ids <= updated
    assert backend.contract_violations == []
