"""`roleplay grade ID [--force] [--json]` as a user runs it: a real process, a real data folder, and a fake
OpenAI-compatible server reached through OPENAI_BASE_URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.results import HEURISTIC_GRADER
from desktop.store.db import Store
from desktop.store.queries import SessionQueries
from desktop.store.sessions import SessionRepository
from tests.conftest import start
from tests.fake_openai_server import FakeOpenAIServer, http_error, json_reply
from tests.grading.test_grading_queue import MODEL_GRADE, record_call

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-cli-test-key-4242424242"


def roleplay(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
    )


@pytest.fixture
def sessions(data_home: Path) -> Iterator[dict[str, int]]:
    """An ended, ungraded call; a call still in progress (this process, its owner, stays open); a call that never
    got a line."""
    store = Store.open(data_home / "roleplay.db")
    repo = SessionRepository(store)
    ids = {"ended": record_call(repo, "strong_call"), "active": record_call(repo, "poor_call", end=False)}
    empty = start(repo)
    repo.end_session(empty.id, end_reason="connection_lost", status="interrupted")
    ids["empty"] = empty.id
    yield ids
    store.close()


def stored(data_home: Path, session_id: int):
    store = Store.open(data_home / "roleplay.db")
    try:
        return SessionQueries().get_session(session_id)
    finally:
        store.close()


def test_grading_without_a_model_saves_the_rule_grade_with_the_reason(data_home, sessions):
    result = roleplay("grade", str(sessions["ended"]))
    assert result.returncode == 0, result.stderr
    assert f"Session {sessions['ended']} graded." in result.stdout
    assert "graded by the built-in rules" in result.stdout and HEURISTIC_GRADER not in result.stdout
    assert "no OpenAI API key is set" in result.stdout
    record = stored(data_home, sessions["ended"])
    assert record.grade.grader == HEURISTIC_GRADER and record.summary.needs_grading is False


def test_a_graded_call_is_only_graded_again_with_force(data_home, sessions):
    assert roleplay("grade", str(sessions["ended"])).returncode == 0
    again = roleplay("grade", str(sessions["ended"]), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["regraded"] is False
    assert stored(data_home, sessions["ended"]).earlier_grades == ()

    with FakeOpenAIServer(api_key=KEY) as server:
        server.script([json_reply(MODEL_GRADE)])
        forced = roleplay(
            "grade", str(sessions["ended"]), "--force", "--json", OPENAI_API_KEY=KEY, OPENAI_BASE_URL=server.base_url
        )
    assert forced.returncode == 0, forced.stderr
    document = json.loads(forced.stdout)
    assert document["regraded"] is True and document["fallback_reason"] is None
    assert document["grade"]["grader"] == "openai:gpt-4o-mini" and document["grade"]["overall"] == 70
    assert document["rule_based_grade"]["grader"] == HEURISTIC_GRADER
    assert len(server.requests) == 1
    record = stored(data_home, sessions["ended"])
    assert record.grade.grader == "openai:gpt-4o-mini"
    assert [g.grader for g in record.earlier_grades] == [HEURISTIC_GRADER, HEURISTIC_GRADER]
    # Neither the key nor the transcript reached the console or the log file.
    log = (data_home / "logs" / "roleplay.log").read_text(encoding="utf-8")
    assert KEY not in log + forced.stderr and "Darlene" not in log


def test_a_failing_model_still_ends_with_a_grade(data_home, sessions):
    with FakeOpenAIServer() as server:
        server.reply_with(lambda messages: http_error(500))
        result = roleplay(
            "grade", str(sessions["ended"]), "--json", OPENAI_API_KEY=KEY, OPENAI_BASE_URL=server.base_url
        )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["fallback_reason"] == "server_error"
    assert document["grade"]["grader"] == HEURISTIC_GRADER
    # The note says why, in words, and never tells the user to run a command (issue 15).
    note = document["grade"]["note"]
    assert note == "the model's server failed"
    assert "roleplay " not in note and "--force" not in note
    assert stored(data_home, sessions["ended"]).grade.grader == HEURISTIC_GRADER


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("missing", "no session with id 999"),
        ("active", "is still in progress"),
        ("empty", "has no transcript"),
    ],
)
def test_mistakes_are_one_line_errors(sessions, which, message):
    session_id = 999 if which == "missing" else sessions[which]
    result = roleplay("grade", str(session_id))
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_a_coach_debrief_is_refused_in_one_line(data_home):
    from desktop.core.transcript import Speaker, TranscriptLine

    store = Store.open(data_home / "roleplay.db")
    repo = SessionRepository(store)
    coach = start(repo, kind="coach", mode="text")
    repo.append_line(coach.id, TranscriptLine(1, Speaker.COACH, "You scored 62 overall."))
    repo.end_session(coach.id, end_reason="user_hangup")
    store.close()
    result = roleplay("grade", str(coach.id))
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"roleplay: session {coach.id} is a coach debrief, not a sales call, so it is not graded"
    )
