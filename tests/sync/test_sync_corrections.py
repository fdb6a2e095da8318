"""A line the trainee corrected after the call reaches the team backend as corrected, with the words first heard: the
correction makes a new revision, held back until the call is graded again on the corrected words, then pushed with
`heard_text` on that line (so the coach sees it was rewritten). A corrected call pulled from another device keeps what
was heard; a `heard_text` that is not a line's words is refused like any bad document."""

from __future__ import annotations

import pytest

from desktop.grading.queue import grade_session, rule_based_grade
from desktop.store.documents import session_document
from desktop.sync.remote import parse_remote_document
from tests.sync.sync_data import all_synced, make_sessions, remote_document

CORRECTED = "Is now a good time to talk about your acres?"


def corrected_remote(heard: object, device_id: str = "laptop-b") -> dict:
    document = remote_document(device_id, lines=4)
    document["transcript"][1] = {**document["transcript"][1], "text": CORRECTED, "heard_text": heard}
    return document


def test_the_corrected_words_are_pushed_once_regraded_with_what_was_heard(repo, queries, backend, sync):
    session_id = make_sessions(repo, 1)[0]
    service = sync()
    service.start()
    assert all_synced(service)
    client_id = queries.get_session(session_id).summary.client_session_id
    heard = backend.documents()[client_id]["transcript"][1]["text"]
    assert heard.startswith("Line 2 of call 0")
    assert all("heard_text" not in line for line in backend.documents()[client_id]["transcript"])

    repo.correct_line(session_id, 2, CORRECTED)
    service.flush_now()
    assert service.wait_idle(30)
    # Waiting for its new grade: the backend still holds the old revision.
    assert backend.documents()[client_id]["transcript"][1]["text"] == heard

    grade_session(repo, queries, session_id, rule_based_grade)
    service.flush_now()
    assert service.wait_idle(30) and all_synced(service)
    pushed = backend.documents()[client_id]
    assert pushed["transcript"][1]["text"] == CORRECTED
    assert pushed["transcript"][1]["heard_text"] == heard
    assert [line["seq"] for line in pushed["transcript"] if "heard_text" in line] == [2]  # only the corrected line
    assert pushed["revision"] == queries.get_session(session_id).summary.revision


def test_a_line_corrected_back_to_what_was_heard_carries_no_heard_text(repo, queries):
    session_id = make_sessions(repo, 1)[0]
    heard = queries.get_session(session_id).lines[1].text
    repo.correct_line(session_id, 2, CORRECTED)
    assert session_document(queries.get_session(session_id), "dev")["transcript"][1]["heard_text"] == heard
    repo.correct_line(session_id, 2, heard)
    line = session_document(queries.get_session(session_id), "dev")["transcript"][1]
    assert line["text"] == heard and "heard_text" not in line


def test_a_corrected_call_from_another_device_keeps_what_was_heard(repo, queries, backend, sync):
    document = corrected_remote("It's now and on time to talk about your acres?")
    backend.seed(document)
    report = sync().sync_now()
    assert report.ok and report.pulled.added == 1
    (summary,) = [s for s in queries.list_sessions(limit=10) if s.client_session_id == document["client_session_id"]]
    record = queries.get_session(summary.id)
    assert record.lines[1].text == CORRECTED
    assert record.heard_texts == {2: "It's now and on time to talk about your acres?"}
    # Pushed on from here (an export, or the server's copy after a 409), the document says the same again.
    assert session_document(record, "laptop-b")["transcript"] == document["transcript"]


def test_an_older_document_without_heard_text_pulls_as_heard(repo, queries, backend, sync):
    document = remote_document("laptop-b", lines=4)
    backend.seed(document)
    assert sync().sync_now().pulled.added == 1
    (summary,) = [s for s in queries.list_sessions(limit=10) if s.client_session_id == document["client_session_id"]]
    record = queries.get_session(summary.id)
    assert record.heard_texts == {} and [line.text for line in record.lines][1] == "remote line 2"


@pytest.mark.parametrize(
    "heard, words",
    [(5, "must be a string"), (["It's now"], "must be a string"), ("x" * 5000, "5000 characters")],
    ids=["number", "list", "5000 characters"],
)
def test_a_heard_text_that_is_not_a_lines_words_is_refused(heard, words):
    with pytest.raises(ValueError, match=words):
        parse_remote_document(corrected_remote(heard))


def test_a_sloppy_backend_sending_a_bad_heard_text_skips_that_call_only(repo, queries, backend, sync):
    good, bad = corrected_remote("heard words"), corrected_remote(5000 * "x")
    backend.seed(good)
    backend._upsert("sam", bad)  # past the contract check, as a broken server would store it
    report = sync().sync_now()
    assert (report.pulled.added, report.pulled.skipped) == (1, 1)
    pulled = {s.client_session_id for s in queries.list_sessions(limit=10)}
    assert good["client_session_id"] in pulled and bad["client_session_id"] not in pulled
    # The answer really was off-contract (the backend's own check says so); the app survived it.
    assert len(backend.contract_violations) == 1 and "heard_text" in backend.contract_violations[0]
    backend.contract_violations.clear()
