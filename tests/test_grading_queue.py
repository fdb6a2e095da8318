"""The grading queue: every ended call gets a grade, in order, written through the repository."""

from __future__ import annotations

import threading

from desktop.core.results import HEURISTIC_GRADER
from desktop.grading.queue import GradingQueue
from tests.conftest import start
from tests.fixtures import load_fixture_call


def record_call(repo, name: str, end: bool = True) -> int:
    call = load_fixture_call(name)
    started = start(repo, mode="voice" if call.voice else "text")
    for line in call.lines:
        repo.append_line(started.id, line)
    if end:
        repo.end_session(started.id, end_reason="user_hangup")
    return started.id


def test_pending_sessions_are_graded_in_order(repo, queries):
    ids = [record_call(repo, "strong_call"), record_call(repo, "poor_call")]
    events, done = [], threading.Event()

    def listen(event):
        events.append(event)
        if len(events) == 2:
            done.set()

    grading = GradingQueue(repo, queries, listener=listen)
    try:
        assert grading.enqueue_pending() == ids
        assert done.wait(10)
    finally:
        grading.stop()
    assert [event.session_id for event in events] == ids
    strong, poor = (queries.get_session(i) for i in ids)
    assert strong.grade.grader == HEURISTIC_GRADER
    assert strong.grade.overall > poor.grade.overall
    assert strong.metrics is not None and strong.metrics.questions > 0  # analytics saved before grading
    assert queries.sessions_needing_grade() == []


def test_a_crashed_call_is_graded_after_recovery(repo, queries, store):
    session_id = record_call(repo, "average_call", end=False)
    store.db.execute_sql("UPDATE sessions SET owner_pid = 999999 WHERE id = ?", (session_id,))
    assert repo.recover_orphaned_sessions(is_alive=lambda pid: False) == [session_id]
    grading = GradingQueue(repo, queries)
    try:
        grading.enqueue_pending()
        grading.join()
    finally:
        grading.stop()
    record = queries.get_session(session_id)
    assert record.summary.status == "interrupted"
    assert record.grade is not None and 0 <= record.grade.overall <= 100


def test_a_grader_failure_is_reported_and_the_session_stays_queued(repo, queries):
    session_id = record_call(repo, "strong_call")
    events = []

    def broken(record):
        raise RuntimeError("model exploded")

    grading = GradingQueue(repo, queries, grader=broken, listener=events.append)
    try:
        grading.enqueue(session_id)
        grading.join()
    finally:
        grading.stop()
    assert events[0].grade is None and "model exploded" in events[0].error
    assert queries.sessions_needing_grade() == [session_id]
