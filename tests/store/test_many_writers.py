"""Several processes writing one data folder at once (the GUI, `roleplay call`, grading, sync): no write fails and
no committed line is lost. Real processes on one real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop.store.db import Store
from desktop.store.queries import SessionQueries
from tests.store.store_worker import LINES_PER_CALL

ROOT = Path(__file__).resolve().parents[2]
CALLS_PER_WRITER = 15


def _env(data_home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ROLEPLAY_HOME": str(data_home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }


def _worker(data_home: Path, role: str, arg: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.store_worker", str(data_home / "roleplay.db"), role, arg],
        cwd=ROOT,
        env=_env(data_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def _check_every_committed_line_is_stored(outputs: list[str]) -> int:
    committed = {
        (int(parts[1]), int(parts[2]))
        for out in outputs
        for parts in (line.split() for line in out.splitlines())
        if parts and parts[0] == "committed"
    }
    ended = {int(line.split()[1]) for out in outputs for line in out.splitlines() if line.startswith("ended ")}
    queries = SessionQueries()
    for session_id in ended:
        record = queries.get_session(session_id)
        assert record.summary.status == "completed"
        assert [line.seq for line in record.lines] == list(range(1, LINES_PER_CALL + 1))
    stored = {(sid, line.seq) for sid in ended for line in queries.get_session(sid).lines}
    assert committed <= stored
    return len(committed)


def test_two_call_processes_on_a_fresh_folder_both_succeed(data_home: Path):
    # A fresh folder: both processes also create and migrate the database at the same moment.
    writers = [_worker(data_home, "call", str(CALLS_PER_WRITER)) for _ in range(2)]
    results = [_finish(w) for w in writers]
    assert [(code, err) for code, _, err in results] == [(0, "")] * 2
    store = Store.open(data_home / "roleplay.db")
    try:
        count = _check_every_committed_line_is_stored([out for _, out, _ in results])
        assert count == 2 * CALLS_PER_WRITER * LINES_PER_CALL
    finally:
        store.close()


def test_four_writers_gui_cli_grading_and_sync(data_home: Path):
    data_home.mkdir(parents=True)
    stop_grading, stop_sync = data_home / "stop-grading", data_home / "stop-sync"
    grader = _worker(data_home, "grader", str(stop_grading))
    sync = _worker(data_home, "sync", str(stop_sync))
    callers = [_worker(data_home, "call", str(CALLS_PER_WRITER)) for _ in range(2)]  # the GUI and `roleplay call`
    caller_results = [_finish(c) for c in callers]
    # The grader makes one last pass over every call that ended; then sync, over every call graded.
    stop_grading.touch()
    grader_result = _finish(grader)
    stop_sync.touch()
    results = caller_results + [grader_result, _finish(sync)]
    assert [(code, err) for code, _, err in results] == [(0, "")] * 4
    store = Store.open(data_home / "roleplay.db")
    try:
        count = _check_every_committed_line_is_stored([out for _, out, _ in caller_results])
        assert count == 2 * CALLS_PER_WRITER * LINES_PER_CALL
        queries = SessionQueries()
        assert queries.sessions_needing_grade() == []
        graded = {int(line.split()[1]) for line in results[2][1].splitlines() if line.startswith("graded ")}
        assert len(graded) == 2 * CALLS_PER_WRITER
        unsynced = store.db.execute_sql("SELECT count(*) FROM sessions WHERE revision > synced_revision").fetchone()
        assert unsynced[0] == 0
    finally:
        store.close()


def test_two_real_roleplay_calls_at_once(data_home: Path):
    """The issue's reproduction: two `roleplay call` commands on the practice partner at the same time."""
    command = [sys.executable, "-m", "desktop.cli.main", "call", "--persona", "dale-pruitt-coal-county"]
    command += ["--agent", "partner", "--say", "hi", "--say", "how are you", "--ignore-limits"]
    for _round in range(3):
        calls = [
            subprocess.Popen(command, cwd=ROOT, env=_env(data_home), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        for call in calls:
            out, err = call.communicate(timeout=120)
            assert call.returncode == 0, err.decode()
            assert b", completed," in out
    store = Store.open(data_home / "roleplay.db")
    try:
        rows = store.db.execute_sql(
            "SELECT status, (SELECT count(*) FROM transcript_lines t WHERE t.session_id = s.id) FROM sessions s"
        ).fetchall()
        assert rows == [("completed", 5)] * 6
    finally:
        store.close()
