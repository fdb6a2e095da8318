"""The grading queue: every ended call gets a grade, in order, written through the repository."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from desktop.bootstrap import open_app_state
from desktop.core.results import HEURISTIC_GRADER
from desktop.grading.llm import GRADER_ERROR, GraderConfig, ModelFirstGrader
from desktop.grading.queue import FAILED, GRADED, GRADING, QUEUED, GradingQueue, rule_based_grade
from desktop.store.db import Store
from desktop.store.queries import SessionQueries
from desktop.store.sessions import SessionRepository
from tests.conftest import start
from tests.fake_openai_server import FakeOpenAIServer, http_error, json_reply, stall
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


def test_a_broken_grader_is_replaced_by_the_rules(repo, queries):
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
    assert events[0].stage == GRADED and events[0].fallback_reason == GRADER_ERROR
    record = queries.get_session(session_id)
    assert record.grade.grader == HEURISTIC_GRADER
    assert record.grade.note.startswith("the grader failed unexpectedly")
    assert queries.sessions_needing_grade() == []


def test_when_even_the_rules_fail_it_is_reported_and_the_session_stays_queued(repo, queries):
    session_id = record_call(repo, "strong_call")
    events = []

    def broken(record):
        raise RuntimeError("rules exploded")

    grading = GradingQueue(repo, queries, grader=broken, listener=events.append, fallback=broken)
    try:
        grading.enqueue(session_id)
        grading.join()
    finally:
        grading.stop()
    assert events[0].stage == FAILED and events[0].grade is None and "rules exploded" in events[0].error
    assert queries.sessions_needing_grade() == [session_id]


class Gate:
    """A grader that holds the first session until the test opens the gate, so what is queued meanwhile is known."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()

    def __call__(self, record):
        self.entered.set()
        assert self.opened.wait(10), "the test never opened the gate"
        return rule_based_grade(record)


def test_progress_reaches_every_listener_in_order(repo, queries):
    ids = [record_call(repo, "strong_call"), record_call(repo, "average_call"), record_call(repo, "poor_call")]
    gate, events, results = Gate(), [], []
    grading = GradingQueue(repo, queries, grader=gate, listener=results.append)
    grading.add_listener(events.append)
    try:
        grading.enqueue(ids[0])
        assert gate.entered.wait(10)  # the first session is being graded...
        grading.enqueue(ids[1])  # ...while these two wait behind it
        grading.enqueue(ids[2])
        gate.opened.set()
        grading.join()
    finally:
        grading.stop()
    stages = {i: [e.stage for e in events if e.session_id == i] for i in ids}
    assert all(stages[i] == [QUEUED, GRADING, GRADED] for i in ids)
    grading_events = [e for e in events if e.stage == GRADING]
    assert [e.session_id for e in grading_events] == ids
    assert [e.waiting for e in grading_events][1:] == [1, 0]
    assert [e.waiting for e in events if e.stage == QUEUED][1:] == [0, 1]
    # The constructor's listener hears results only, as before.
    assert [(e.session_id, e.stage) for e in results] == [(i, GRADED) for i in ids]
    assert all(e.grade is not None for e in results)


def test_a_session_is_graded_once_unless_forced(repo, queries):
    session_id = record_call(repo, "strong_call")
    other = record_call(repo, "poor_call")
    gate = Gate()
    grading = GradingQueue(repo, queries, grader=gate)
    try:
        grading.enqueue(other)
        assert gate.entered.wait(10)
        assert grading.enqueue(session_id) is True
        assert grading.enqueue(session_id) is False  # already waiting
        gate.opened.set()
        grading.join()
        assert grading.enqueue(session_id) is True
        grading.join()  # already graded: not graded again
        assert queries.get_session(session_id).earlier_grades == ()
        grading.enqueue(session_id, force=True)
        grading.join()
    finally:
        grading.stop()
    assert len(queries.get_session(session_id).earlier_grades) == 1


def test_a_listener_that_raises_does_not_stop_the_grading(repo, queries):
    ids = [record_call(repo, "strong_call"), record_call(repo, "poor_call")]

    def rude(event):
        raise ValueError("listener bug")

    grading = GradingQueue(repo, queries, grader=rule_based_grade, listener=rude)
    try:
        grading.enqueue_pending()
        grading.join()
    finally:
        grading.stop()
    assert all(queries.get_session(i).grade is not None for i in ids)


def test_stopping_during_a_retry_wait_leaves_the_session_for_the_next_start(repo, queries):
    session_id = record_call(repo, "strong_call")
    events, failed = [], threading.Event()

    def listen(event):
        events.append(event)
        failed.set()

    with FakeOpenAIServer() as server:
        server.reply_with(lambda messages: http_error(429, retry_after="30"))
        config = GraderConfig(api_key="sk-test-key-0000", base_url=server.base_url, max_retry_wait_s=60)
        stopping = threading.Event()
        grading = GradingQueue(
            repo, queries, grader=ModelFirstGrader(rule_based_grade, config, stop=stopping), listener=listen
        )
        grading.enqueue(session_id)
        assert server.wait_for_requests(1)
        stopping.set()  # what GradingQueue.stop does for its own default grader
        assert failed.wait(10)
        grading.stop()
    assert events[0].stage == FAILED and "next start" in events[0].error
    assert len(server.requests) == 1
    assert queries.sessions_needing_grade() == [session_id]
    assert queries.get_session(session_id).grade is None


def test_the_default_queue_grades_with_the_configured_model(repo, queries, monkeypatch):
    session_id = record_call(repo, "strong_call")
    with FakeOpenAIServer() as server:
        server.reply_with(lambda messages: json_reply(MODEL_GRADE))
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-0000")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        grading = GradingQueue(repo, queries)  # as the app builds it at start-up
        try:
            grading.enqueue_pending()
            grading.join()
        finally:
            grading.stop()
    record = queries.get_session(session_id)
    assert record.grade.grader == "openai:gpt-4o-mini"  # the settings' default model
    assert record.earlier_grades[0].grader == HEURISTIC_GRADER


MODEL_GRADE = {
    "scores": {"rapport": 70, "discovery": 70, "objection_handling": 70, "closing": 70},
    "strengths": [],
    "improvements": [],
    "recommendations": [],
    "seller_agreed_next_step": False,
    "virtual_earnings": 0,
}
ROOT = Path(__file__).resolve().parents[2]


def grading_child(db_path: str, base_url: str) -> None:
    """Run in a subprocess: ends a call, then starts grading it against a server that never answers."""
    store = Store.open(Path(db_path))
    repo = SessionRepository(store)
    session_id = record_call(repo, "strong_call")
    print(f"ended {session_id}", flush=True)
    config = GraderConfig(api_key="sk-child-key-0000", base_url=base_url, timeout_s=120)
    grading = GradingQueue(repo, SessionQueries(), grader=ModelFirstGrader(rule_based_grade, config))
    printing = threading.Lock()  # "queued" is heard on this thread, the rest on the grading thread

    def report(event) -> None:
        with printing:
            print(f"{event.stage} {event.session_id}", flush=True)

    grading.add_listener(report)
    grading.enqueue(session_id)
    grading.join()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_kill_between_ended_and_graded_loses_nothing(data_home: Path):
    data_home.mkdir(parents=True, exist_ok=True)
    with FakeOpenAIServer() as server:
        server.reply_with(lambda messages: stall())
        code = "import sys; from tests.grading.test_grading_queue import grading_child; grading_child(*sys.argv[1:])"
        child = subprocess.Popen(
            [sys.executable, "-c", code, str(data_home / "roleplay.db"), server.base_url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert child.stdout is not None
        session_id = None
        for output in child.stdout:
            if output.startswith("ended "):
                session_id = int(output.split()[1])
            elif output.startswith(f"{GRADING} "):
                break
        assert server.wait_for_requests(1, timeout=10)  # the model is being asked: the kill lands mid-grading
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL and session_id is not None

    state = open_app_state()  # what every start-up does, then the app's grading queue
    try:
        assert state.queries.sessions_needing_grade() == [session_id]
        assert state.queries.get_session(session_id).grade is None
        grading = GradingQueue(state.repository, state.queries)
        try:
            assert grading.enqueue_pending() == [session_id]
            grading.join()
        finally:
            grading.stop()
        record = state.queries.get_session(session_id)
        assert record.grade is not None and record.grade.grader == HEURISTIC_GRADER  # no key here: the rules
        assert record.summary.status == "completed" and len(record.lines) > 10
        assert state.queries.sessions_needing_grade() == []
    finally:
        state.close()
