"""What comes from the backend: sessions from other devices, the server's copy after a 409, today's limits (kept
for offline), and the team's personas with ETag."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

from desktop.core.personas import load_builtin_personas
from desktop.settings import load_settings
from desktop.store.catalog import PersonaCatalog
from desktop.store.sync_store import SyncStore
from desktop.sync.errors import BackendUnavailable
from desktop.sync.remote import parse_remote_document
from desktop.sync.service import SyncService
from desktop.sync.status import SyncPhase
from desktop.sync.usage import current_usage, refresh_usage
from tests.sync.sync_data import all_synced, fast_options, make_sessions, remote_document

TEAM_PERSONA = {
    "id": "team-marge-olsen",
    "name": "Marge Olsen",
    "property_type": "3-bed ranch needing a roof",
    "location": "Tulsa County, OK",
    "motivation_level": "medium",
    "conversation_style": "cooperative",
    "objection_patterns": ["paperwork hassle"],
    "asking_price": 120000,
}


def test_sessions_from_another_device_appear_in_history_marked_and_reviewable(repo, queries, backend, sync):
    mine = make_sessions(repo, 2)
    others = [remote_document("laptop-b", lines=3 + n) for n in range(5)]
    for document in others:
        backend.seed(document)
    ungraded = remote_document("laptop-b", graded=False, metrics=None)
    backend.seed(ungraded)
    lost = remote_document(load_settings().device_id)  # made here once; the local database lost it since
    backend.seed(lost)
    service = sync(page_size=2)  # several pages, through the cursor
    report = service.sync_now()
    assert report.ok and report.pushed == 2
    assert (report.pulled.added, report.pulled.skipped) == (7, 0)

    summaries = queries.list_sessions(limit=50)
    assert len(summaries) == 9
    by_uuid = {s.client_session_id: s for s in summaries}
    restored = by_uuid[lost["client_session_id"]]
    assert restored.synced_revision == restored.revision == 1  # back as this device's own, already synced
    pulled_ids = [s.id for s in summaries if s.id not in mine and s.id != restored.id]
    assert service.origin_devices([*pulled_ids, *mine, restored.id]) == {i: "laptop-b" for i in pulled_ids}
    record = queries.get_session(by_uuid[others[4]["client_session_id"]].id)
    assert [line.text for line in record.lines] == [f"remote line {n}" for n in range(1, 8)]
    assert record.grade.overall == 57 and record.grade.grader == "openai:gpt-4o-mini"
    assert record.grade.xp_earned == 90 and record.metrics.talk_ratio == 0.5
    assert record.recording_path == "" and record.persona["name"] == "Rosa Delgado"
    assert record.summary.started_at == "2026-11-19T10:00:00.000Z"
    assert queries.get_session(by_uuid[ungraded["client_session_id"]].id).grade is None
    # Pulled sessions are never pushed back (they belong to the device that made them).
    assert SyncStore(repo).pending_count() == 0
    assert {s.client_session_id for s in backend.seen if s.route == "put"} == {
        queries.get_session(i).summary.client_session_id for i in mine
    }

    # Pulling again adds nothing; a re-grade made on the other device updates the copy here.
    regraded = {**others[0], "revision": 2}
    regraded["grade"] = {**others[0]["grade"], "rapport": 90, "overall": 62, "graded_at": "2026-11-20T08:00:00Z"}
    backend.seed(regraded)
    again = service.sync_now()
    assert (again.pulled.added, again.pulled.updated) == (0, 1)
    assert len(queries.list_sessions(limit=50)) == 9
    updated = queries.get_session(by_uuid[others[0]["client_session_id"]].id)
    assert updated.grade.rapport == 90 and updated.summary.revision == 2
    assert updated.earlier_grades[0].rapport == 70  # the first grade stays as history


def test_an_exam_call_from_another_device_stays_an_exam_here(repo, queries, backend, sync):
    """The document carries practice_mode (false for an exam); an older app's document without it, or with null (the
    server's schema allows it), is practice."""
    exam = {**remote_document("laptop-b"), "practice_mode": False}
    older = remote_document("laptop-b")
    older.pop("practice_mode", None)
    unset = {**remote_document("laptop-b"), "practice_mode": None}
    for document in (exam, older, unset):
        backend.seed(document)
    assert sync().sync_now().pulled.added == 3
    by_uuid = {s.client_session_id: s.id for s in queries.list_sessions(limit=10)}
    assert queries.get_session(by_uuid[exam["client_session_id"]]).practice_mode is False
    assert queries.get_session(by_uuid[older["client_session_id"]]).practice_mode is True
    assert queries.get_session(by_uuid[unset["client_session_id"]]).practice_mode is True


def test_a_409_keeps_the_servers_higher_revision_and_logs_it(repo, queries, backend, sync, caplog):
    (session_id,) = make_sessions(repo, 1, lines=2)
    local = queries.get_session(session_id)
    device = load_settings().device_id
    server_copy = remote_document(
        device, revision=local.summary.revision + 4, lines=9, client_session_id=local.summary.client_session_id
    )
    remote_id = backend.seed(server_copy)
    caplog.set_level(logging.WARNING)
    service = sync()
    service.start()
    assert all_synced(service)
    kept = queries.get_session(session_id)
    assert kept.summary.revision == kept.summary.synced_revision == server_copy["revision"]
    assert len(kept.lines) == 9 and kept.remote_id == remote_id
    assert backend.row_count() == 1 and backend.documents()[local.summary.client_session_id] == server_copy
    assert "kept the backend's copy" in caplog.text
    assert service.status.state.rejected == ()


def test_todays_limits_come_from_the_server_and_stay_known_offline(repo, queries, backend, sync, monkeypatch):
    backend.usage = {"sessions_today": 2, "minutes_today": 14, "max_sessions_per_day": 3, "max_session_minutes": 10}
    service = sync()
    assert service.usage_today().from_server is False  # nothing known yet: the Settings limits
    report = service.sync_now()
    assert report.usage.sessions_today == 2
    usage = service.usage_today()
    assert (usage.limits.max_sessions_per_day, usage.limits.max_session_minutes) == (3, 10)
    assert usage.sessions_today == 2 and usage.from_server

    monkeypatch.setenv("ROLEPLAY_BACKEND_URL", "http://127.0.0.1:9")  # offline from now on
    offline = SyncService(load_settings(), repo, queries, fast_options(timeout_s=2))
    try:
        assert offline.sync_now().problem
        assert offline.usage_today().limits.max_sessions_per_day == 3
    finally:
        offline.stop()
    tomorrow = current_usage(service.store, load_settings(), date.today() + timedelta(days=1))
    assert tomorrow.sessions_today == 0 and tomorrow.limits.max_sessions_per_day == 3

    backend.usage = {"sessions_today": 0, "minutes_today": 0, "max_sessions_per_day": None, "max_session_minutes": None}
    service.sync_now()
    assert service.usage_today().limits.max_session_seconds is None  # null maximums: unlimited


def test_an_unreadable_usage_answer_keeps_the_last_known_limits(repo, queries, backend, sync):
    backend.usage = {"sessions_today": 1, "minutes_today": 3, "max_sessions_per_day": 5, "max_session_minutes": 20}
    service = sync()
    service.sync_now()
    backend.usage = {"sessions_today": 1, "minutes_today": 3, "max_sessions_per_day": 5, "max_session_minutes": 0}
    with pytest.raises(BackendUnavailable):
        refresh_usage(service._client, service.store)
    assert service.usage_today().limits.max_session_minutes == 20
    # The answer really was off-contract (the backend's own check says so); the app survived it.
    assert backend.contract_violations == [
        "GET /api/v1/usage/today 200: [('max_session_minutes', 'must be at least 1')]"
    ]
    backend.contract_violations.clear()


def test_team_personas_are_cached_with_etag_and_join_the_contacts(repo, queries, backend, sync):
    builtin = load_builtin_personas()[0]
    backend.personas = [
        TEAM_PERSONA,
        {**TEAM_PERSONA, "id": "team-bad", "motivation_level": "desperate"},  # fails the checks: left out
        {**builtin.to_dict(), "name": "Impostor"},  # never shadows a built-in persona
    ]
    service = sync()
    first = service.sync_now().team_personas
    assert first.changed and first.skipped == 1
    catalog = PersonaCatalog(queries)
    team = [p for p in catalog.personas() if p.source == "team"]
    assert [p.id for p in team] == ["team-marge-olsen"]
    assert catalog.persona(builtin.id).name == builtin.name
    assert catalog.persona("team-marge-olsen").fair_price == 84000  # filled in like any persona

    second = service.sync_now().team_personas
    assert not second.changed and second.count == 2
    personas_calls = [s for s in backend.seen if s.route == "personas"]
    assert [s.status for s in personas_calls] == [200, 304]

    assert len(backend.contract_violations) == 1 and "personas[1].motivation_level" in backend.contract_violations[0]
    backend.contract_violations.clear()  # the bad entry was deliberate: the app must survive a sloppy backend

    backend.personas = [{**TEAM_PERSONA, "name": "Marge Olsen-Reyes"}]
    third = service.sync_now().team_personas
    assert third.changed and PersonaCatalog(queries).persona("team-marge-olsen").name == "Marge Olsen-Reyes"


def test_the_worker_refreshes_on_start_and_when_told_the_network_is_back(repo, queries, backend, sync):
    backend.personas = [TEAM_PERSONA]
    service = sync()
    service.start()
    service.online()
    assert service.wait_idle(30)
    assert service.status.state.phase is SyncPhase.SYNCED
    assert [s.route for s in backend.seen].count("personas") >= 1
    assert PersonaCatalog(queries).persona("team-marge-olsen") is not None


@pytest.mark.parametrize(
    "change, words",
    [
        ({"mode": "video"}, "mode"),
        ({"status": "active"}, "status"),
        ({"revision": 0}, "revision"),
        ({"persona": {"name": "No Id"}}, "id"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"transcript": [{"seq": 1, "speaker": "narrator", "text": "hi"}]}, "transcript"),
        ({"transcript": [{"seq": 1, "speaker": "seller", "text": "a"}, {"seq": 1, "speaker": "seller", "text": "b"}]},
         "repeat"),
        ({"grade": {"rapport": 101, "discovery": 1, "objection_handling": 1, "closing": 1}}, "grade"),
        ({"practice_mode": "no"}, "practice_mode"),
    ],
)  # fmt: skip
def test_a_document_that_does_not_fit_is_refused_before_it_reaches_the_database(change: dict, words: str):
    with pytest.raises(ValueError, match=words):
        parse_remote_document({**remote_document("laptop-b"), **change})
