"""The sync API against the real server (gunicorn, two workers) on SQLite and on PostgreSQL: pushes, revisions,
pages, deletions, usage, personas; every answer checked against docs/sync-api.yaml."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from contract import problems
from documents import session_document

ONE = "/api/v1/training-sessions/{client_session_id}"
LIST = "/api/v1/training-sessions"


def put(world, document, who="sam", key=None):
    status, headers, body = world.call("PUT", f"{LIST}/{key or document['client_session_id']}", who, body=document)
    assert not problems(body, ONE, "put", status), (status, body)
    return status, body


def listing(world, who="sam", **query):
    query.setdefault("updated_since", "1970-01-01T00:00:00Z")
    status, _, body = world.call("GET", f"{LIST}?{urlencode(query)}", who)
    assert not problems(body, LIST, "get", status), (status, body)
    return status, body


def device() -> str:
    return "dev-" + uuid.uuid4().hex[:12]  # each test its own device, so the device filter isolates its rows


def test_a_put_creates_once_and_the_same_body_again_changes_nothing(world):
    document = session_document(device=device())
    status, created = put(world, document)
    assert status == 201
    assert created == {"id": created["id"], "client_session_id": document["client_session_id"], "revision": 1}
    status, again = put(world, document)
    assert (status, again) == (200, created)
    _, page = listing(world, device_id=document["device_id"])
    assert [s["client_session_id"] for s in page["sessions"]] == [document["client_session_id"]]
    assert page["sessions"][0] == {**document, "id": created["id"]}


def test_a_higher_revision_replaces_and_a_lower_one_gets_409(world):
    document = session_document(revision=2, device=device())
    put(world, document)
    status, body = put(world, {**document, "revision": 3, "xp_earned": 999})
    assert (status, body["revision"]) == (200, 3)
    status, body = put(world, {**document, "revision": 2})
    assert (status, body) == (409, {"error": "stale_revision", "server_revision": 3})
    _, page = listing(world, device_id=document["device_id"])
    assert page["sessions"][0]["xp_earned"] == 999


def test_unknown_fields_are_kept_and_returned(world):
    document = session_document(device=device(), future_field={"nested": [1, 2]})
    put(world, document)
    _, page = listing(world, device_id=document["device_id"])
    assert page["sessions"][0]["future_field"] == {"nested": [1, 2]}


def test_a_body_that_breaks_the_contract_gets_422_naming_each_field(world):
    document = session_document(device=device())
    document["grade"]["overall"] = 101
    document["revision"] = "5"
    document["transcript"][0]["speaker"] = "narrator"
    document["started_at"] = "yesterday"
    status, body = put(world, document)
    assert status == 422 and body["error"] == "invalid"
    fields = {d["field"] for d in body["details"]}
    assert {"grade.overall", "revision", "transcript.0.speaker", "started_at"} <= fields


def test_the_address_and_the_body_must_name_the_same_session(world):
    document = session_document(device=device())
    status, body = put(world, document, key=str(uuid.uuid4()))
    assert status == 422
    assert body["details"][0]["field"] == "client_session_id"


def test_malformed_json_and_a_malformed_address_are_400(world):
    status, _, body = world.call("PUT", f"{LIST}/{uuid.uuid4()}", raw=b'{"revision": 1,')
    assert (status, body["error"]) == (400, "bad_request")
    assert not problems(body, ONE, "put", 400)
    status, _, body = world.call("PUT", f"{LIST}/not-a-uuid", body=session_document())
    assert (status, body["error"]) == (400, "bad_request")


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(world):
    # 9 MB announced: the server answers from the headers alone, so only a few bytes need to go.
    status, _, body = world.call(
        "PUT", f"{LIST}/{uuid.uuid4()}", raw=b"{}", headers={"Content-Length": str(9 * 1024 * 1024)}
    )
    assert (status, body["error"]) == (413, "too_large")
    assert not problems(body, ONE, "put", 413)


def test_pages_come_newest_first_and_the_cursor_walks_them_all(world):
    dev = device()
    keys = []
    for _ in range(5):
        document = session_document(device=dev)
        put(world, document)
        keys.append(document["client_session_id"])
    seen, cursor = [], None
    while True:
        query = {"device_id": dev, "limit": 2, **({"cursor": cursor} if cursor else {})}
        status, page = listing(world, **query)
        assert status == 200 and len(page["sessions"]) <= 2
        seen += [s["client_session_id"] for s in page["sessions"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(keys))


def test_the_list_can_leave_out_this_device_or_keep_only_it(world):
    mine, other = device(), device()
    a, b = session_document(device=mine), session_document(device=other)
    put(world, a)
    put(world, b)
    _, page = listing(world, exclude_device_id=mine)
    keys = {s["client_session_id"] for s in page["sessions"]}
    assert b["client_session_id"] in keys and a["client_session_id"] not in keys
    _, page = listing(world, device_id=other)
    assert [s["client_session_id"] for s in page["sessions"]] == [b["client_session_id"]]


def test_updated_since_and_bad_queries(world):
    dev = device()
    put(world, session_document(device=dev))
    _, page = listing(world, device_id=dev, updated_since="2999-01-01T00:00:00Z")
    assert page["sessions"] == []
    for query in ({"updated_since": "yesterday"}, {"limit": 0}, {"limit": 501}, {"cursor": "!!not-ours!!"}):
        status, body = listing(world, **query)
        assert (status, body["error"]) == (400, "bad_request"), query
    status, _, body = world.call("GET", LIST)  # updated_since is required
    assert status == 400


def test_a_deletion_leaves_a_tombstone_that_pulls_see_and_old_pushes_cannot_undo(world):
    dev = device()
    document = session_document(device=dev)
    put(world, document)
    key = document["client_session_id"]
    status, _, body = world.call("DELETE", f"{LIST}/{key}?revision=2&device_id={dev}")
    assert status == 200 and body["revision"] == 2 and not problems(body, ONE, "delete", 200)
    _, page = listing(world, device_id=dev)
    assert page["sessions"] == []
    assert [(t["client_session_id"], t["revision"]) for t in page["deleted"]] == [(key, 2)]
    for revision in (1, 2):
        status, body = put(world, {**document, "revision": revision})
        assert (status, body) == (409, {"error": "deleted", "server_revision": 2})
    status, _, _ = world.call("DELETE", f"{LIST}/{key}?revision=2&device_id={dev}")
    assert status == 200  # twice is fine
    status, _, body = world.call("DELETE", f"{LIST}/{key}?revision=1")
    assert (status, body["error"]) == (409, "stale_revision")
    status, _ = put(world, {**document, "revision": 3})  # a later edit on the device that owns it brings it back
    assert status == 200
    _, page = listing(world, device_id=dev)
    assert [s["revision"] for s in page["sessions"]] == [3] and page["deleted"] == []


def test_deleting_a_session_the_server_never_had_is_fine(world):
    status, _, body = world.call("DELETE", f"{LIST}/{uuid.uuid4()}?revision=4&device_id=x")
    assert status == 200 and body["revision"] == 4
    status, _, body = world.call("DELETE", f"{LIST}/{uuid.uuid4()}")
    assert status == 400  # the revision is required


def test_a_token_sees_only_its_own_members_sessions(world):
    dev = device()
    document = session_document(device=dev)
    _, created = put(world, document, who="sam")
    for who in ("lee", "coach", "bea"):
        _, page = listing(world, who=who, device_id=dev)
        assert page["sessions"] == [], who
    # Another member pushing the same UUID gets a row of their own; sam's copy is untouched.
    status, theirs = put(world, {**document, "xp_earned": 1}, who="bea")
    assert status == 201 and theirs["id"] != created["id"]
    status, _, _ = world.call("DELETE", f"{LIST}/{document['client_session_id']}?revision=9", "lee")
    assert status == 200
    _, page = listing(world, who="sam", device_id=dev)
    assert [(s["id"], s["xp_earned"]) for s in page["sessions"]] == [(created["id"], 120)]


def test_missing_unknown_and_malformed_tokens_get_401(world):
    path = "/api/v1/usage/today"
    for headers in (
        {},
        {"Authorization": "Bearer rpt_nonsense"},
        {"Authorization": "Basic c2FtOnB3"},
        {"Authorization": "Bearer " + "x" * 5000},
        {"Authorization": "Bearer"},
    ):
        status, answer_headers, body = world.server.request("GET", path, headers=headers)
        assert status == 401 and body["error"] == "unauthorized", headers
        assert answer_headers.get("www-authenticate", "").startswith("Bearer")
        assert not problems(body, path, "get", 401)


def test_usage_today_counts_todays_calls(world):
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    _, _, before = world.call("GET", "/api/v1/usage/today", "lee")
    put(world, session_document(device=device(), started_at=now, duration_seconds=600), who="lee")
    status, _, after = world.call("GET", "/api/v1/usage/today", "lee")
    assert status == 200 and not problems(after, "/api/v1/usage/today", "get", 200)
    assert after["sessions_today"] == before["sessions_today"] + 1
    assert after["minutes_today"] == before["minutes_today"] + 10
    assert after["max_sessions_per_day"] is None


def test_personas_answer_with_an_etag_and_304_when_unchanged(world):
    status, headers, body = world.call("GET", "/api/v1/personas")
    assert status == 200 and not problems(body, "/api/v1/personas", "get", 200)
    etag = headers["etag"]
    status, headers, body = world.call("GET", "/api/v1/personas", headers={"If-None-Match": etag})
    assert (status, body, headers["etag"]) == (304, b"", etag)
    _, other, _ = world.call("GET", "/api/v1/personas", "bea")
    assert other["etag"] != etag  # another team's library is another library


def test_parallel_pushes_of_one_new_session_make_one_row(world):
    document = session_document(device=device())

    def push(_):
        return put(world, document)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(push, range(8)))
    assert {status for status, _ in results} <= {200, 201}
    assert sum(status == 201 for status, _ in results) == 1
    assert len({body["id"] for _, body in results}) == 1
    _, page = listing(world, device_id=document["device_id"])
    assert len(page["sessions"]) == 1


def test_many_devices_pushing_at_once_all_land(world):
    documents = [session_document(device=device()) for _ in range(40)]
    who = ["sam", "lee", "coach", "bea"]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda i: put(world, documents[i], who=who[i % 4])[0], range(40)))
    assert statuses == [201] * 40
