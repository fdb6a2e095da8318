"""The desktop app's real sync (SyncService, its worker, outbox and puller) against the real team server
(`roleplay-server run`, gunicorn, SQLite) over real sockets: push, pull, 401, 409, today's limits and team personas."""

from __future__ import annotations

from desktop.grading.queue import grade_session, rule_based_grade
from desktop.settings import load_settings
from desktop.store.catalog import PersonaCatalog
from desktop.store.documents import session_document
from desktop.store.sync_store import SyncStore
from desktop.sync.assignments import cached_assignments, open_assignment_for
from tests.sync import team_server_fixtures
from tests.sync.sync_data import all_synced, make_sessions, remote_document
from tests.sync.team_server_fixtures import without_id

# The real team server (one per module) and a new member of its team per test.
team_server = team_server_fixtures.team_server
live = team_server_fixtures.live

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


def test_the_worker_pushes_to_the_real_server_and_pulls_another_devices_calls(live, repo, queries):
    ids = make_sessions(repo, 4, lines=7)
    service = live.service()
    service.start()
    assert all_synced(service), service.status.state
    device = load_settings().device_id
    expected = {}
    for session_id in ids:
        record = queries.get_session(session_id)
        assert record.summary.synced_revision == record.summary.revision
        assert record.remote_id is not None
        expected[record.summary.client_session_id] = session_document(record, device)
    stored = live.server_sessions()
    assert {k: without_id(v) for k, v in stored.items()} == expected  # exactly what the app sent, nothing more

    # Another laptop of the same member pushed two calls; the next refresh brings them into this history.
    others = [remote_document("laptop-b", lines=3 + n) for n in range(2)]
    for document in others:
        status, answer = live.server.request(
            "PUT", f"/api/v1/training-sessions/{document['client_session_id']}", document, token=live.token
        )
        assert status == 201, answer
    service.online()
    assert service.wait_idle(30)
    by_uuid = {s.client_session_id: s for s in queries.list_sessions(limit=50)}
    assert len(by_uuid) == 6
    pulled = [by_uuid[d["client_session_id"]].id for d in others]
    assert service.origin_devices([*pulled, *ids]) == {i: "laptop-b" for i in pulled}
    assert [line.text for line in queries.get_session(pulled[1]).lines] == [f"remote line {n}" for n in range(1, 5)]
    assert SyncStore(repo).pending_count() == 0  # pulled calls are never pushed back

    # Another member of the team sees none of it.
    _email, stranger = live.server.new_member()
    assert live.server_sessions(token=stranger) == {}


def test_a_revoked_token_pauses_sync_until_the_member_signs_in_again(live, repo, queries, monkeypatch):
    service = live.service()
    service.start()
    live.server.revoke_tokens(live.email)
    (session_id,) = make_sessions(repo, 1)
    service.flush_now()
    assert service.status.wait_for(lambda s: s.sign_in_needed, 30), service.status.state
    assert "Sign in again" in service.status.state.problem
    assert queries.get_session(session_id).summary.synced_revision == 0  # still queued, nothing lost

    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", live.server.new_token(live.email))
    service.signed_in()
    assert all_synced(service), service.status.state
    live.token = load_token()
    client_id = queries.get_session(session_id).summary.client_session_id
    assert list(live.server_sessions()) == [client_id]


def load_token() -> str:
    from desktop.sync.config import backend_token

    return backend_token()


def test_a_409_from_the_server_keeps_its_higher_revision(live, repo, queries):
    (session_id,) = make_sessions(repo, 1, lines=2)
    local = queries.get_session(session_id).summary
    # The server already holds a later state of this call (a restored backup of this laptop pushed it).
    later = remote_document(
        load_settings().device_id, revision=local.revision + 4, lines=9, client_session_id=local.client_session_id
    )
    status, _ = live.server.request("PUT", f"/api/v1/training-sessions/{local.client_session_id}", later, live.token)
    assert status == 201
    service = live.service()
    report = service.sync_now()
    assert report.ok and report.conflicts == 1 and report.pushed == 0, report
    kept = queries.get_session(session_id)
    assert kept.summary.revision == kept.summary.synced_revision == later["revision"]
    assert len(kept.lines) == 9
    assert without_id(live.server_sessions()[local.client_session_id]) == later  # the server's copy untouched
    assert service.sync_now().pushed == 0 and SyncStore(repo).pending_count() == 0


def test_todays_limits_come_from_the_real_server(live, repo):
    service = live.service()
    first = service.sync_now()
    assert (first.usage.sessions_today, first.usage.limits.max_sessions_per_day) == (0, None)
    live.server.set_limits(live.email, per_day=3, minutes=10)
    make_sessions(repo, 2)  # started now: today's calls once synced
    report = service.sync_now()
    assert report.pushed == 2 and report.usage.sessions_today == 2
    usage = service.usage_today()
    assert usage.from_server and (usage.limits.max_sessions_per_day, usage.limits.max_session_minutes) == (3, 10)


def test_team_personas_come_with_an_etag_and_change_when_the_coach_edits_them(live, queries):
    live.server.save_persona(TEAM_PERSONA)
    service = live.service()
    first = service.sync_now().team_personas
    assert first.changed and first.count >= 1
    assert PersonaCatalog(queries).persona("team-marge-olsen").name == "Marge Olsen"
    second = service.sync_now().team_personas
    assert not second.changed  # the server answered 304 to the ETag
    live.server.save_persona({**TEAM_PERSONA, "name": "Marge Olsen-Reyes"})
    third = service.sync_now().team_personas
    assert third.changed and PersonaCatalog(queries).persona("team-marge-olsen").name == "Marge Olsen-Reyes"


def test_assignments_reach_the_app_and_a_synced_call_that_meets_one_passes_it(live, repo):
    live.server.assign(live.email, "walter-briggs", "cold-call-first-contact", "PRO", pass_mark=45)
    live.server.assign(None, "rosa-delgado", "cold-call-first-contact", "ELITE", pass_mark=80)  # the whole team
    service = live.service()
    first = service.sync_now().assignments
    assert (first.count, first.open, first.skipped) == (2, 2, 0)
    badge = open_assignment_for(service.store, "walter-briggs").badge()
    assert badge.startswith("Assigned by your coach: due ") and "pass at 45" in badge
    assert open_assignment_for(service.store, "nobody") is None

    make_sessions(repo, 1)  # Walter Briggs, first contact, PRO, graded 48
    report = service.sync_now()
    assert report.pushed == 1 and report.assignments.open == 1
    by_persona = {a.persona_id: a for a in cached_assignments(service.store)}
    assert (by_persona["walter-briggs"].status, by_persona["walter-briggs"].best_score) == ("passed", 48)
    assert by_persona["rosa-delgado"].status == "open" and by_persona["rosa-delgado"].attempts == 0
    assert open_assignment_for(service.store, "walter-briggs") is None


def test_a_corrected_line_reaches_the_real_server_with_what_was_heard_and_comes_back(live, repo, queries):
    (session_id,) = make_sessions(repo, 1, lines=4)
    heard = queries.get_session(session_id).lines[1].text
    repo.correct_line(session_id, 2, "Is now a good time to talk about your acres?")
    grade_session(repo, queries, session_id, rule_based_grade)
    service = live.service()
    assert service.sync_now().pushed == 1
    record = queries.get_session(session_id)
    stored = without_id(live.server_sessions()[record.summary.client_session_id])
    assert stored == session_document(record, load_settings().device_id)
    assert stored["transcript"][1]["heard_text"] == heard

    # The same call corrected on another laptop of this member: pulled here, the heard words come with it.
    other = remote_document("laptop-b", lines=4)
    other["transcript"][1] = {**other["transcript"][1], "text": "Who else is on the title?", "heard_text": "Who else?"}
    status, answer = live.server.request(
        "PUT", f"/api/v1/training-sessions/{other['client_session_id']}", other, token=live.token
    )
    assert status == 201, answer
    assert service.sync_now().pulled.added == 1
    by_uuid = {s.client_session_id: s for s in queries.list_sessions(limit=10)}
    pulled = queries.get_session(by_uuid[other["client_session_id"]].id)
    assert pulled.heard_texts == {2: "Who else?"} and pulled.lines[1].text == "Who else is on the title?"
