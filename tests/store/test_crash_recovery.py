"""A call killed with SIGKILL mid-write keeps every line committed before the kill, and is recovered at start-up."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.bootstrap import open_app_state
from desktop.core.clock import parse_iso
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.store.db import Store
from desktop.store.queries import SessionQueries
from desktop.store.sessions import SessionRepository
from tests.conftest import start

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_call_loses_no_committed_line(data_home: Path):
    db_path = data_home / "roleplay.db"
    data_home.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
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
        # The call lasted until its last write, not the sum of the lines' (made-up) offsets: 40 s.
        row = state.store.db.execute_sql(
            "SELECT started_at, last_write_at FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        assert record.summary.duration_seconds == pytest.approx(
            (parse_iso(row[1]) - parse_iso(row[0])).total_seconds(), abs=0.002
        )
        assert record.summary.duration_seconds < time.monotonic() - began
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
        assert repo.recover_orphaned_sessions() == []  # our own owner lock is held
        assert SessionQueries().active_session_ids() == [ours.id]
    finally:
        store.close()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _kill_after_lines(command: list[str], lines: int) -> int:
    """Runs a crash writer, kills it once `lines` lines are committed, waits until its output closes (it is gone);
    the session id."""
    writer = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=_env())
    assert writer.stdout is not None
    session_id = None
    for output in writer.stdout:
        if output.startswith("session "):
            session_id = int(output.split()[1])
        elif output == f"committed {lines}\n":
            writer.send_signal(signal.SIGKILL)
            break
    writer.stdout.read()  # EOF: every process holding the pipe (and its owner lock) has ended
    writer.wait(timeout=10)
    assert session_id is not None
    return session_id


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_call_is_recovered_though_its_pid_was_reused(data_home: Path):
    """After a reboot (or in a PID namespace) the dead owner's pid belongs to a live process, here our own."""
    data_home.mkdir(parents=True)
    writer = [sys.executable, "-m", "tests.crash_writer", str(data_home / "roleplay.db")]
    session_id = _kill_after_lines(writer, 3)
    store = Store.open(data_home / "roleplay.db")
    try:
        store.db.execute_sql("UPDATE sessions SET owner_pid = ? WHERE id = ?", (os.getpid(), session_id))
        assert SessionRepository(store).recover_orphaned_sessions() == [session_id]
        assert SessionQueries().get_session(session_id).summary.status == "interrupted"
        assert list((data_home / "locks").glob("*.lock")) == []  # the killed owner's lock file went with it
    finally:
        store.close()


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="needs unshare and root")
def test_a_call_killed_inside_a_pid_namespace_is_recovered(data_home: Path):
    """The issue's reproduction: `unshare --pid`, where the call's process is PID 1 (alive from outside: init)."""
    data_home.mkdir(parents=True)
    inner = [sys.executable, "-m", "tests.crash_writer", str(data_home / "roleplay.db")]
    session_id = _kill_after_lines(["unshare", "--pid", "--fork", "--kill-child", *inner], 2)
    probe = sqlite3.connect(data_home / "roleplay.db")
    assert probe.execute("SELECT owner_pid FROM sessions WHERE id = ?", (session_id,)).fetchone() == (1,)
    probe.close()
    state = open_app_state()
    try:
        assert state.recovered_sessions == [session_id]
        assert state.queries.get_session(session_id).summary.status == "interrupted"
    finally:
        state.close()


def test_a_running_owner_keeps_its_call_whatever_its_pid_looks_like(data_home: Path):
    """The owner holds its lock: its call is left alone even when its recorded pid is that of a dead process."""
    data_home.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.store.store_worker", str(data_home / "roleplay.db"), "hold"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert holder.stdin is not None and holder.stdout is not None
    session_id = int(holder.stdout.readline().split()[1])
    store = Store.open(data_home / "roleplay.db")
    try:
        store.db.execute_sql("UPDATE sessions SET owner_pid = 999999 WHERE id = ?", (session_id,))
        assert SessionRepository(store).recover_orphaned_sessions() == []
        holder.stdin.close()  # the owner hangs up normally
        assert holder.stdout.readline() == f"ended {session_id}\n"
        assert holder.wait(timeout=30) == 0
        assert SessionQueries().get_session(session_id).summary.status == "completed"
    finally:
        store.close()


def test_a_typed_call_recovered_after_a_crash_is_as_long_as_it_ran(data_home: Path):
    """Line offsets of a typed call are estimated speaking times: 14 s of them, written in a moment."""
    store = Store.open(data_home / "roleplay.db")
    try:
        repo = SessionRepository(store)
        began = time.monotonic()
        started = start(repo, mode="text")
        for seq in range(1, 5):
            repo.append_line(started.id, TranscriptLine(seq, Speaker.TRAINEE, "words " * 10, (seq - 1) * 3500, 3500))
        elapsed = time.monotonic() - began
        assert repo.recover_orphaned_sessions(is_alive=lambda row: False) == [started.id]
        assert SessionQueries().get_session(started.id).summary.duration_seconds <= elapsed + 0.002
    finally:
        store.close()
