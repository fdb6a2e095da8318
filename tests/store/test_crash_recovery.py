"""A call killed with SIGKILL mid-write keeps every line committed before the kill, and is recovered at start-up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.bootstrap import open_app_state
from desktop.store.db import Store
from desktop.store.queries import SessionQueries
from desktop.store.sessions import SessionRepository
from tests.conftest import start

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_call_loses_no_committed_line(data_home: Path):
    db_path = data_home / "roleplay.db"
    data_home.mkdir(parents=True, exist_ok=True)
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_writer", str(db_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    committed: list[int] = []
    session_id = None
    assert writer.stdout is not None
    for output in writer.stdout:
        if output.startswith("session "):
            session_id = int(output.split()[1])
        elif output.startswith("committed "):
            committed.append(int(output.split()[1]))
            if len(committed) == 40:
                writer.send_signal(signal.SIGKILL)  # mid-call: the loop is already writing line 41
                break
    writer.wait(timeout=10)
    # Lines the writer reported before it died but that we had not read yet count too.
    committed += [int(text.split()[1]) for text in writer.stdout.read().splitlines() if text.startswith("committed")]
    assert writer.returncode == -signal.SIGKILL
    assert session_id is not None

    state = open_app_state()  # what every start-up does
    try:
        assert session_id in state.recovered_sessions
        record = state.queries.get_session(session_id)
        stored = [entry.seq for entry in record.lines]
        assert set(committed) <= set(stored)
        assert stored == list(range(1, len(stored) + 1))  # nothing torn or out of order
        assert record.summary.status == "interrupted"
        assert record.summary.end_reason == "app_exit"
        assert record.summary.needs_grading is True
        assert state.queries.sessions_needing_grade() == [session_id]
        assert record.summary.duration_seconds == pytest.approx(stored[-1] + 0.9)
    finally:
        state.close()


def test_a_session_whose_owner_still_runs_is_left_alone(data_home: Path):
    store = Store.open(data_home / "roleplay.db")
    try:
        repo = SessionRepository(store)
        ours = start(repo)
        store.db.execute_sql("UPDATE sessions SET owner_pid = 424242 WHERE id = ?", (ours.id,))
        assert repo.recover_orphaned_sessions(is_alive=lambda pid: True) == []
        assert repo.recover_orphaned_sessions(is_alive=lambda pid: False) == [ours.id]
        record = SessionQueries().get_session(ours.id)
        assert record.summary.status == "interrupted"
        assert record.summary.needs_grading is False  # no line was spoken: nothing to grade
    finally:
        store.close()


def test_our_own_active_session_is_not_recovered(data_home: Path):
    store = Store.open(data_home / "roleplay.db")
    try:
        repo = SessionRepository(store)
        ours = start(repo)
        assert repo.recover_orphaned_sessions(is_alive=lambda pid: False) == []
        assert SessionQueries().active_session_ids() == [ours.id]
    finally:
        store.close()
