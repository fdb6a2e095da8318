"""Deleting a call, through sync, against the real team server: the app pushes the deletion (a DELETE that leaves a
tombstone), the member's other laptops drop their copy when they pull it, a push of a call deleted elsewhere gives
way, and a pull after the first asks only for the other devices' work (the device filter)."""

from __future__ import annotations

from desktop.core.results import Grade
from desktop.settings import load_settings
from desktop.store.sync_store import PushedRevision, SyncStore
from tests.sync import team_server_fixtures
from tests.sync.sync_data import all_synced, make_sessions, remote_document

# The real team server (one per module) and a new member of its team per test.
team_server = team_server_fixtures.team_server
live = team_server_fixtures.live

SESSIONS = "/api/v1/training-sessions"


def _listing(live, query: str = "") -> dict:
    status, page = live.server.request(
        "GET", f"{SESSIONS}?updated_since=1970-01-01T00:00:00Z&limit=500{query}", token=live.token
    )
    assert status == 200, page
    return page


def test_a_call_deleted_here_is_deleted_on_the_server_and_cannot_come_back(live, repo, queries):
    kept, doomed = make_sessions(repo, 2)
    service = live.service()  # after the calls exist, so its first "synced" means they were pushed
    service.start()
    assert all_synced(service)
    doomed_summary = queries.get_session(doomed).summary
    cid = doomed_summary.client_session_id

    repo.delete_session(doomed)
    store = SyncStore(repo)
    assert [(d.client_session_id, d.revision) for d in store.pending_deletions()] == [
        (cid, doomed_summary.revision + 1)
    ]
    assert store.pending_count() == 1  # "synced" waits for the deletion too
    service.flush_now()
    assert service.wait_idle(30) and all_synced(service), service.status.state
    assert store.pending_deletions() == []

    page = _listing(live)
    assert cid not in {s["client_session_id"] for s in page["sessions"]}
    device = load_settings().device_id
    assert [(t["client_session_id"], t["revision"], t["device_id"]) for t in page["deleted"]] == [
        (cid, doomed_summary.revision + 1, device)
    ]
    # An old copy pushed again (a laptop restored from a backup) cannot bring the call back.
    old = {**remote_document(device), "client_session_id": cid, "revision": doomed_summary.revision}
    status, answer = live.server.request("PUT", f"{SESSIONS}/{cid}", old, token=live.token)
    assert (status, answer["error"]) == (409, "deleted")
    assert queries.get_session(kept) is not None and len(queries.list_sessions(limit=10)) == 1


def test_a_call_deleted_on_another_laptop_leaves_this_one_without_an_echo(live, repo, queries):
    service = live.service()
    (mine,) = make_sessions(repo, 1)
    theirs = remote_document("laptop-b")
    status, _ = live.server.request("PUT", f"{SESSIONS}/{theirs['client_session_id']}", theirs, token=live.token)
    assert status == 201
    first = service.sync_now()
    assert first.pushed == 1 and first.pulled.added == 1
    mine_summary = queries.get_session(mine).summary
    assert len(queries.list_sessions(limit=10)) == 2

    # Laptop B deletes both: its own call, and this laptop's (the trainee deleted it there).
    for cid, revision in [
        (theirs["client_session_id"], 2),
        (mine_summary.client_session_id, mine_summary.revision + 1),
    ]:
        status, answer = live.server.request(
            "DELETE", f"{SESSIONS}/{cid}?revision={revision}&device_id=laptop-b", token=live.token
        )
        assert status == 200, answer
    second = service.sync_now()
    assert second.pulled.deleted == 2, second
    assert queries.list_sessions(limit=10) == []
    assert SyncStore(repo).pending_deletions() == []  # applied, not sent back
    assert second.deleted == 0
    # The tombstones still name laptop B: nothing from this laptop replaced them.
    by_b = _listing(live, "&device_id=laptop-b")
    assert {t["client_session_id"] for t in by_b["deleted"]} == {
        theirs["client_session_id"],
        mine_summary.client_session_id,
    }


def test_a_call_pulled_from_another_laptop_and_deleted_here_is_deleted_for_it_too(live, repo, queries):
    service = live.service()
    theirs = remote_document("laptop-b", revision=3)
    live.server.request("PUT", f"{SESSIONS}/{theirs['client_session_id']}", theirs, token=live.token)
    assert service.sync_now().pulled.added == 1
    (pulled,) = [s.id for s in queries.list_sessions(limit=10)]
    # Laptop B re-graded it meanwhile (revision 5): this laptop's delete (revision 4) still wins, sent above it.
    live.server.request("PUT", f"{SESSIONS}/{theirs['client_session_id']}", {**theirs, "revision": 5}, token=live.token)
    repo.delete_session(pulled)
    report = service.sync_now()
    assert report.deleted == 1 and report.ok, report
    (tomb,) = _listing(live)["deleted"]
    assert tomb["client_session_id"] == theirs["client_session_id"] and tomb["revision"] == 6
    assert tomb["device_id"] == load_settings().device_id


def test_a_push_of_a_call_deleted_elsewhere_deletes_it_here(live, repo, queries):
    service = live.service()
    (session_id,) = make_sessions(repo, 1)
    assert service.sync_now().pushed == 1
    summary = queries.get_session(session_id).summary
    status, _ = live.server.request(
        "DELETE",
        f"{SESSIONS}/{summary.client_session_id}?revision={summary.revision + 5}&device_id=laptop-b",
        token=live.token,
    )
    assert status == 200
    repo.save_grade(session_id, Grade(80, 80, 80, 80, strengths=("re-graded here",)))  # a new revision to push
    assert queries.get_session(session_id).summary.revision == summary.revision + 1
    report = service._outbox.push_round(service._client, _never_stop())  # the push alone, before any pull
    assert report.conflicts == 1 and report.failure is None
    assert queries.get_session(session_id) is None
    assert SyncStore(repo).pending_count() == 0


def test_pulls_after_the_first_ask_only_for_other_devices_work(live, repo):
    service = live.service()
    make_sessions(repo, 1)
    seen_before = len(live.server.log)  # the server's access log: one line per request
    service.sync_now()
    service.sync_now()
    assert live.server.request("GET", "/accounts/login/?after-the-pulls")[0] == 200
    lines = live.server.logged_since(seen_before, "after-the-pulls")
    log = [line for line in lines if f"GET {SESSIONS}?" in line]
    device = load_settings().device_id
    first, later = log[0], log[1:]
    assert "1970-01-01" in first and "exclude_device_id" not in first  # the first pull takes everything
    assert later and all(f"exclude_device_id={device}" in line for line in later), later


def test_only_calls_the_server_may_have_seen_queue_a_deletion(repo, queries, sync):
    service = sync()  # installs the deletion outbox
    store = service.store
    never_synced, in_flight = make_sessions(repo, 2)
    repo.delete_session(never_synced)
    assert store.pending_deletions() == []  # the server never heard of it
    # A push answered after its call was deleted: the server has the call now, so it must hear of the delete.
    summary = queries.get_session(in_flight).summary
    repo.delete_session(in_flight)
    store.mark_pushed([PushedRevision(in_flight, summary.revision, 7, summary.client_session_id)]).result()
    assert [(d.client_session_id, d.revision) for d in store.pending_deletions()] == [
        (summary.client_session_id, summary.revision + 1)
    ]


def _never_stop():
    from desktop.sync.outbox import StopSignal

    return StopSignal()
