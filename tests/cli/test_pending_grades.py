"""Every command that opens the store grades the calls still waiting for a grade (a call killed mid-way, or killed
just after it ended), with the rules, which take milliseconds; sync then leaves no finished call behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core.transcript import Speaker, TranscriptLine
from desktop.store.db import Store
from desktop.store.sessions import SessionRepository
from tests.conftest import start
from tests.sync.sync_backend import SyncBackend

ROOT = Path(__file__).resolve().parents[2]


def roleplay(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, env=os.environ
    )


def ended_but_not_graded(data_home: Path) -> int:
    """A call whose end was stored, then the process was killed before it graded it ("Call ended", then kill)."""
    store = Store.open(data_home / "roleplay.db")
    repo = SessionRepository(store)
    started = start(repo, mode="text")
    for seq, (speaker, text) in enumerate(
        [(Speaker.SELLER, "Hello?"), (Speaker.TRAINEE, "Hi, I'm calling about your land. How long have you had it?")],
        start=1,
    ):
        repo.append_line(started.id, TranscriptLine(seq, speaker, text, seq * 1000, 900))
    repo.end_session(started.id, end_reason="user_hangup")
    store.close()
    return started.id


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sessions_list_grades_a_killed_call_and_a_call_killed_after_it_ended(data_home: Path):
    data_home.mkdir(parents=True)
    just_ended = ended_but_not_graded(data_home)
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_writer", str(data_home / "roleplay.db")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert writer.stdout is not None
    for output in writer.stdout:
        if output == "committed 4\n":
            writer.send_signal(signal.SIGKILL)
            break
    writer.stdout.read()
    writer.wait(timeout=10)

    listed = roleplay("sessions", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    sessions = {s["id"]: s for s in json.loads(listed.stdout)["sessions"]}
    assert len(sessions) == 2
    assert sessions[just_ended]["status"] == "completed"
    for summary in sessions.values():
        assert summary["needs_grading"] is False
        assert summary["overall"] is not None


def test_sync_pushes_a_call_that_was_never_graded(data_home: Path, backend: SyncBackend, monkeypatch):
    data_home.mkdir(parents=True)
    ended_but_not_graded(data_home)
    monkeypatch.setenv("ROLEPLAY_BACKEND_URL", backend.url)
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", "test-token")
    result = roleplay("sync", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["pushed"], report["pending"]) == (1, 0)
    assert backend.row_count() == 1
