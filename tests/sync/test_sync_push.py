"""The sync thread against the loopback test backend: pushing, sign-in pauses, rejections, Retry-After, a whole
test offline, and quitting mid-push."""

from __future__ import annotations

import logging
import socket
import threading
from datetime import timedelta
from email.utils import format_datetime

from desktop import secrets
from desktop.core.clock import utc_now
from desktop.core.results import Grade
from desktop.settings import load_settings
from desktop.store.documents import session_document
from desktop.store.sync_store import SyncStore
from desktop.sync.backoff import RetryPolicy
from desktop.sync.service import SyncService
from desktop.sync.status import SyncPhase
from tests.conftest import start
from tests.sync.sync_backend import Fault, SyncBackend
from tests.sync.sync_data import all_synced, fast_options, make_sessions


def puts(backend: SyncBackend, client_session_id: str | None = None) -> list:
    return [s for s in backend.seen if s.route == "put" and client_session_id in (None, s.client_session_id)]


def local_documents(queries, ids: list[int]) -> dict[str, dict]:
    device = load_settings().device_id
    documents = (session_document(queries.get_session(i), device) for i in ids)
    return {d["client_session_id"]: d for d in documents}


def test_ended_graded_sessions_are_pushed_once_and_each_later_change_again(repo, queries, backend, sync):
    ids = make_sessions(repo, 5)
    active = start(repo)  # still in the call: not pushed
    ungraded = start(repo)
    repo.end_session(ungraded.id, end_reason="user_hangup")  # waiting for its grade: not yet
    service = sync()
    service.start()
    assert all_synced(service)
    assert backend.documents() == local_documents(queries, ids)
    for session_id in ids:
        record = queries.get_session(session_id)
        assert record.summary.synced_revision == record.summary.revision
        assert record.remote_id is not None and record.sync_error == ""
    assert {active.client_session_id, ungraded.client_session_id}.isdisjoint(backend.documents())

    repo.save_grade(ungraded.id, Grade(50, 50, 50, 50))
    repo.save_grade(ids[0], Grade(90, 90, 90, 90, grader="openai:test"))  # a re-grade
    service.flush_now()
    assert service.wait_idle(30) and all_synced(service)
    assert backend.row_count() == 6
    assert backend.documents() == local_documents(queries, [*ids, ungraded.id])
    assert backend.documents()[local_documents(queries, [ids[0]]).popitem()[0]]["grade"]["overall"] == 90
    first = queries.get_session(ids[0])
    assert [s.status for s in puts(backend, first.summary.client_session_id)] == [201, 200]
    assert service.status.state.last_synced_at is not None


def test_a_401_pauses_sync_until_sign_in_and_no_token_reaches_the_log(
    repo, queries, backend, sync, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    backend.tokens = {"fresh-token-456": "sam"}
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", "stale-token-123")
    ids = make_sessions(repo, 5)
    service = sync(max_in_flight=2)
    service.start()
    assert service.status.wait_for(lambda s: s.phase is SyncPhase.SIGN_IN_NEEDED, 30)
    assert "Sign in again" in service.status.state.problem
    tried = len(puts(backend))
    assert 1 <= tried <= 2 and all(s.status == 401 for s in puts(backend))
    service.flush_now()  # paused: asking to sync does not send anything
    assert service.wait_idle(30)
    assert len(puts(backend)) == tried
    assert SyncStore(repo).pending_count() == 5  # everything stays queued

    monkeypatch.delenv("ROLEPLAY_BACKEND_TOKEN")
    secrets.set_secret("backend_token", "fresh-token-456")  # the user signs in: the token goes to the keyring
    service.signed_in()
    assert all_synced(service)
    assert backend.documents() == local_documents(queries, ids)
    assert {s.token for s in puts(backend)[tried:]} == {"fresh-token-456"}
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert "Bearer" not in logged  # not even redacted: headers are never logged
    assert "stale-token-123" not in logged and "fresh-token-456" not in logged


def test_a_422_marks_that_session_rejected_and_it_is_not_retried_until_it_changes(repo, queries, backend, sync):
    ids = make_sessions(repo, 3)
    target = queries.get_session(ids[1]).summary.client_session_id
    backend.faults = lambda method, route, body: (
        Fault("422", message="transcript: too short for the team's rules")
        if body and body["client_session_id"] == target
        else None
    )
    service = sync()
    service.start()
    assert service.status.wait_for(lambda s: s.phase is SyncPhase.REJECTED, 30)
    state = service.status.state
    assert state.pending == 0 and [r.session_id for r in state.rejected] == [ids[1]]
    assert "too short for the team's rules" in state.rejected[0].message
    assert "too short" in state.description
    record = queries.get_session(ids[1])
    assert "too short" in record.sync_error and len(record.lines) == 6  # nothing deleted locally
    assert backend.row_count() == 2

    service.flush_now()
    assert service.wait_idle(30)
    assert len(puts(backend, target)) == 1  # never retried unchanged

    backend.faults = None
    repo.save_grade(ids[1], Grade(80, 80, 80, 80))  # a change: a new revision, sent again
    service.flush_now()
    assert all_synced(service)
    assert len(puts(backend, target)) == 2
    assert queries.get_session(ids[1]).sync_error == ""
    assert service.status.state.rejected == ()


def test_a_body_the_contract_refuses_is_rejected_with_the_servers_words(repo, queries, backend, sync):
    odd = {"id": "odd-one", "name": "Odd One", "motivation_level": "extreme"}
    (bad,) = make_sessions(repo, 1, persona=odd)
    good = make_sessions(repo, 2)
    service = sync()
    service.start()
    assert service.status.wait_for(lambda s: s.phase is SyncPhase.REJECTED, 30)
    (rejected,) = service.status.state.rejected
    assert rejected.session_id == bad
    assert "persona.motivation_level: must be one of ['low', 'medium', 'high']" in rejected.message
    assert set(backend.documents()) == set(local_documents(queries, good))


def test_429_waits_for_retry_after_in_seconds_or_as_a_date(repo, queries, backend, sync):
    make_sessions(repo, 3)
    answers = iter(["7", format_datetime(utc_now().replace(microsecond=0) + timedelta(minutes=2), usegmt=True)])
    lock = threading.Lock()

    def plan(method, route, body):
        with lock:
            retry_after = next(answers, None)
        return Fault("429", retry_after=retry_after) if retry_after else None

    waits: list[float] = []

    def pause(wake: threading.Event, seconds: float) -> None:
        waits.append(seconds)  # recorded, not slept: the test checks what the worker chose to wait

    backend.faults = plan
    service = sync(max_in_flight=1, pause=pause, retry=RetryPolicy())
    service.start()
    assert all_synced(service)
    assert waits[0] == 7.0
    assert 100 <= waits[1] <= 120
    assert backend.row_count() == 3


def test_offline_for_the_whole_test_nothing_is_lost_and_going_online_flushes(repo, queries, tmp_path, monkeypatch):
    with socket.socket() as probe:  # a port nothing listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ROLEPLAY_BACKEND_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", "test-token")
    ids = make_sessions(repo, 4)
    service = SyncService(load_settings(), repo, queries, fast_options())
    try:
        service.start()
        assert service.status.wait_for(lambda s: s.phase is SyncPhase.OFFLINE, 30)
        assert service.status.state.pending == 4
        assert "Could not connect" in service.status.state.problem
        # The app keeps working while sync fails: a new call is recorded and history reads it.
        ids += make_sessions(repo, 1)
        assert [s.id for s in queries.list_sessions(limit=10)] == sorted(ids, reverse=True)
        service.flush_now()
        assert service.wait_idle(30)
        assert service.status.state.phase is SyncPhase.OFFLINE and service.status.state.pending == 5
        assert service.usage_today().from_server is False  # the Settings limits apply

        backend = SyncBackend(tmp_path / "late.db")
        backend.start(port)
        try:
            service.online()
            assert all_synced(service)
            assert backend.documents() == local_documents(queries, ids)
        finally:
            service.stop()
            backend.stop()
    finally:
        service.stop()


def test_quitting_mid_push_loses_nothing_and_duplicates_nothing(repo, queries, backend, sync):
    ids = make_sessions(repo, 4)
    backend.faults = lambda method, route, body: Fault("stall") if route == "put" else None
    service = sync(max_in_flight=2)
    service.start()
    assert backend.wait_until(lambda seen: sum(s.fault == "stall" for s in seen) == 2)
    service.stop(timeout=5)  # two pushes are hanging: quit anyway
    assert not service.running
    assert SyncStore(repo).pending_count() == 4 and backend.row_count() == 0

    # Next run: the server commits but the answers never arrive, and the app quits again.
    backend.faults = lambda method, route, body: Fault("stall_after_commit") if route == "put" else None
    second = sync(max_in_flight=2)
    second.start()
    assert backend.wait_until(lambda seen: sum(s.fault == "stall_after_commit" for s in seen) == 2)
    second.stop(timeout=5)
    assert backend.row_count() == 2 and SyncStore(repo).pending_count() == 4

    backend.faults = None
    third = sync()
    third.start()
    assert all_synced(third)
    assert backend.row_count() == 4  # the two committed before are updated (200), not added again
    assert backend.documents() == local_documents(queries, ids)
    assert sorted(s.status for s in puts(backend) if s.fault == "") == [200, 200, 201, 201]
