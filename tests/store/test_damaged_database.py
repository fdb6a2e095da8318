"""A damaged database is found when it is opened, nothing is written to it, and the user is told what to do; one
bad row shows what can be shown (issue 14, item 5). Real files, really damaged."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.core.transcript import Speaker, TranscriptLine
from desktop.store.db import DatabaseCorruptError, Store, check_integrity
from desktop.store.sessions import SessionRepository
from tests.conftest import start

ROOT = Path(__file__).resolve().parents[2]


def roleplay(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True, timeout=90, env=os.environ
    )


def fill(path: Path, calls: int, lines: int = 30) -> None:
    store = Store.open(path)
    repo = SessionRepository(store)
    try:
        for call in range(calls):
            started = start(repo)
            for seq in range(1, lines + 1):
                text = f"line {seq} of call {call}: " + "the well ran dry last summer " * 4
                repo.append_line(started.id, TranscriptLine(seq, Speaker.TRAINEE, text, seq * 1000, 900))
            repo.end_session(started.id, end_reason="user_hangup")
    finally:
        store.close()


def damage(path: Path) -> bytes:
    """Flips 4 KB a third of the way into the file (as a bad sector or a torn copy would); the file as it was."""
    before = path.read_bytes()
    at = len(before) // 3
    with path.open("r+b") as handle:
        handle.seek(at)
        handle.write(bytes(b ^ 0xFF for b in before[at : at + 4096]))
    return path.read_bytes()


@pytest.fixture
def damaged(data_home: Path) -> bytes:
    data_home.mkdir(parents=True)
    fill(data_home / "roleplay.db", 20)
    return damage(data_home / "roleplay.db")


@pytest.mark.parametrize(
    "args",
    [
        ("sessions", "list"),
        ("sessions", "show", "30"),
        ("sessions", "export", "20", "--format", "md"),
        ("call", "--persona", "dale-pruitt-coal-county", "--agent", "partner", "--say", "hi"),
    ],
)
def test_commands_on_a_damaged_database_say_so_and_write_nothing(damaged: bytes, data_home: Path, args):
    result = roleplay(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "damaged" in result.stderr and "backups" in result.stderr
    assert (data_home / "roleplay.db").read_bytes() == damaged  # not one byte written into it
    assert not (data_home / "roleplay.db-wal").exists() or (data_home / "roleplay.db-wal").stat().st_size == 0


def test_the_check_on_open_finds_the_damage_and_is_fast(damaged: bytes, data_home: Path):
    with pytest.raises(DatabaseCorruptError, match="damaged"):
        Store.open(data_home / "roleplay.db")


def fill_fast(path: Path, calls: int, lines: int) -> None:
    """Many calls in one transaction (the repository commits each line durably: too slow for 18,000 lines)."""
    fill(path, 1, lines=1)
    db = sqlite3.connect(path)
    text = "the well ran dry last summer and my brother wants cash " * 3
    with db:
        for call in range(calls):
            db.execute(
                "INSERT INTO sessions (client_session_id, mode, status, persona_id, persona_name, persona_snapshot,"
                " scenario_id, scenario_snapshot, difficulty, started_at) VALUES (?, 'text', 'completed', 'p', 'P',"
                " '{}', 's', '{}', 'PRO', '2026-01-01T00:00:00.000Z')",
                (f"bulk-{call}",),
            )
            session_id = db.execute("SELECT last_insert_rowid()").fetchone()[0]
            db.executemany(
                "INSERT INTO transcript_lines (session_id, seq, speaker, text) VALUES (?, ?, 'trainee', ?)",
                [(session_id, seq, f"{seq} {text}") for seq in range(1, lines + 1)],
            )
    db.close()


def test_the_check_stays_within_its_time_budget_on_a_large_database(tmp_path: Path):
    path = tmp_path / "large.db"
    fill_fast(path, 300, lines=60)  # 18,000 lines: about 10 MB with the search index
    began = time.perf_counter()
    assert check_integrity(path, budget_s=5.0) == "ok"
    full = time.perf_counter() - began
    began = time.perf_counter()
    assert check_integrity(path, budget_s=0.001) == "unchecked"  # gave up on time, did not block start-up
    assert time.perf_counter() - began < max(0.05, full / 2)


def test_one_bad_row_shows_what_can_be_shown(data_home: Path):
    store = Store.open(data_home / "roleplay.db")
    repo = SessionRepository(store)
    started = start(repo)
    repo.append_line(started.id, TranscriptLine(1, Speaker.SELLER, "Hello? Who is this?", 0, 900))
    repo.append_line(started.id, TranscriptLine(2, Speaker.TRAINEE, "Hi, it's Sam about your land.", 1000, 900))
    repo.end_session(started.id, end_reason="user_hangup")
    from desktop.core.results import Grade

    repo.save_grade(started.id, Grade(60, 50, 40, 30))
    damage_sql = (
        "UPDATE sessions SET persona_snapshot = '{not json', scenario_snapshot = '[1,', metrics = 'nope',"
        " started_at = 'last tuesday', ended_at = '2026-13-45' WHERE id = ?",
        "UPDATE grades SET feedback = '{\"strengths\": [' WHERE session_id = ?",
        "INSERT INTO transcript_lines (session_id, seq, speaker, text) VALUES (?, 3, 'robot', 'beep')",
    )
    for sql in damage_sql:
        store.db.execute_sql(sql, (started.id,))
    store.close()
    for args in (("show", "1"), ("show", "1", "--json"), ("export", "1", "--format", "md")):
        result = roleplay("sessions", *args)
        assert result.returncode == 0, result.stderr
        assert "Sam about your land" in result.stdout and "beep" in result.stdout
    document = json.loads(roleplay("sessions", "show", "1", "--json").stdout)
    assert document["grade"]["overall"] == 45 and document["started_at"] == "last tuesday"
    listed = roleplay("sessions", "list")
    assert listed.returncode == 0 and "Walter Briggs" in listed.stdout
