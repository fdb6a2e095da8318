"""A line the trainee corrected after the call reaches the team backend as corrected: the correction makes a new
revision, held back until the call is graded again on the corrected words, then pushed; the words first heard stay on
this computer (the sync contract carries the transcript as it reads now)."""

from __future__ import annotations

from desktop.grading.queue import grade_session, rule_based_grade
from tests.sync.sync_data import all_synced, make_sessions


def test_the_corrected_words_are_what_sync_pushes_once_regraded(repo, queries, backend, sync):
    session_id = make_sessions(repo, 1)[0]
    service = sync()
    service.start()
    assert all_synced(service)
    client_id = queries.get_session(session_id).summary.client_session_id
    heard = backend.documents()[client_id]["transcript"][1]["text"]
    assert heard.startswith("Line 2 of call 0")

    repo.correct_line(session_id, 2, "Is now a good time to talk about your acres?")
    service.flush_now()
    assert service.wait_idle(30)
    # Waiting for its new grade: the backend still holds the old revision.
    assert backend.documents()[client_id]["transcript"][1]["text"] == heard

    grade_session(repo, queries, session_id, rule_based_grade)
    service.flush_now()
    assert service.wait_idle(30) and all_synced(service)
    pushed = backend.documents()[client_id]
    assert pushed["transcript"][1]["text"] == "Is now a good time to talk about your acres?"
    assert pushed["revision"] == queries.get_session(session_id).summary.revision
    assert heard not in str(pushed)
